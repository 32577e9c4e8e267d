"""Exact numbers in the trusted base: the exact rational of a sympy number.

A sympy ``Rational`` is its own value; a sympy ``Float`` is its exact binary
value (``Float(0.1)`` is ``3602879701896397/36028797018963968``, never the
decimal it prints as).  NaN and infinities are refused with
:class:`~symnet.InvalidArgument`, any other value with
:class:`~symnet.InvalidType`, each message naming the entry (``where``).

* :func:`sympy_ratio` -- ``(p, q)`` in lowest terms, ``q > 0``;
* :func:`exact_rational` -- a sympy ``Rational``;
* :func:`exact_fmpq` -- a python-flint ``fmpq``;
* :func:`fast_rational` -- the sympy ``Rational`` of a pair already in lowest terms, without re-normalising.

The kernel reads numbers through these alone.  Every other numeric type a
user may hand symnet (Python and numpy numbers, ``Decimal``, ``Fraction``,
flint numbers) is read by :mod:`symnet.conversion`, which builds on
:func:`sympy_ratio`; together they are the package's one conversion.

>>> sympy_ratio(sympy.Float(0.1))
(3602879701896397, 36028797018963968)
>>> exact_rational(sympy.Float(0.5)), exact_fmpq(sympy.Rational(2, 8))
(1/2, 1/4)
"""

from __future__ import annotations

import flint
import sympy
from sympy.core.expr import Expr

from .errors import InvalidArgument, InvalidType

__all__ = ["exact_fmpq", "exact_rational", "fast_rational", "sympy_ratio"]

_new_expr = Expr.__new__
_NON_FINITE = (sympy.S.NaN, sympy.S.Infinity, sympy.S.NegativeInfinity, sympy.S.ComplexInfinity)


def fast_rational(p: int, q: int) -> sympy.Rational:
    """The sympy Rational p/q, for p/q already in lowest terms with q > 0 (not re-checked).

    The ordinary constructor normalises (gcd, sign) and costs ~2.5 us; this
    ~0.4 us.  Pass only ``as_integer_ratio()`` pairs or a flint ``fmpq``'s
    numerator and denominator, which are normalised already.
    """
    if q == 1:
        return sympy.Integer(p)
    if q == 2 and p == 1:
        return sympy.S.Half  # sympy's singleton: same type, same hash
    obj = _new_expr(sympy.Rational)
    obj.p = p
    obj.q = q
    return obj


def sympy_ratio(value: sympy.Basic, where: str = "value") -> tuple[int, int]:
    """``(p, q)``, lowest terms with ``q > 0``, of a sympy ``Rational`` or ``Float`` (its exact binary value)."""
    if isinstance(value, sympy.Rational):
        return int(value.p), int(value.q)
    if isinstance(value, sympy.Float):
        if not value.is_finite:
            raise InvalidArgument(f"{where}={value} is not finite")
        r = sympy.Rational(value)  # the Float's exact binary value, at its own precision
        return int(r.p), int(r.q)
    if value in _NON_FINITE:
        raise InvalidArgument(f"{where}={value} is not finite")
    raise InvalidType(f"{where}={value} is not a rational number or a float")


def exact_rational(value: sympy.Basic, where: str = "value") -> sympy.Rational:
    """The exact sympy ``Rational`` of a sympy number (see :func:`sympy_ratio`)."""
    if isinstance(value, sympy.Rational):
        return value
    return fast_rational(*sympy_ratio(value, where))


def exact_fmpq(value: sympy.Basic, where: str = "value") -> flint.fmpq:
    """The exact python-flint ``fmpq`` of a sympy number (see :func:`sympy_ratio`)."""
    return flint.fmpq(*sympy_ratio(value, where))
