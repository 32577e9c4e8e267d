"""One exact number world: every number symnet reads becomes an exact rational.

This is the package's single conversion from "anything numeric" to an exact
rational, built on the trusted base's reading of sympy numbers
(:mod:`symnet.numbers`).  A float (Python, numpy of any width, a sympy
``Float``, a ``Decimal``) is its exact binary value: ``0.1`` is
``3602879701896397/36028797018963968``, never the decimal it prints as.
NaN and infinities are refused with :class:`~symnet.InvalidArgument`,
booleans, complex numbers and non-numbers with :class:`~symnet.InvalidType`,
each message naming the entry (``where``).

* :func:`exact_ratio` -- ``(p, q)`` in lowest terms, ``q > 0``;
* :func:`exact_rational` -- a sympy ``Rational``;
* :func:`exact_fmpq` -- a python-flint ``fmpq``;
* :func:`exact_floats` -- a sympy expression with every ``Float`` replaced by its exact value.

The kernel does not load this module: it reads only sympy numbers, through
:mod:`symnet.numbers`.

>>> exact_ratio(0.1)
(3602879701896397, 36028797018963968)
>>> exact_rational(0.5), exact_fmpq(0.25)
(1/2, 1/4)
"""

from __future__ import annotations

import numbers
from fractions import Fraction
from typing import Any

import flint
import sympy

from .errors import InvalidArgument, InvalidType
from .numbers import fast_rational, sympy_ratio

__all__ = ["exact_floats", "exact_fmpq", "exact_ratio", "exact_rational"]


def exact_ratio(value: Any, where: str = "value") -> tuple[int, int]:
    """``(p, q)``, lowest terms with ``q > 0``, of an exact or floating-point real number.

    Accepts ints (Python, numpy), ``Fraction`` and other ``numbers.Rational``,
    floats of any width (Python, numpy float16/32/64/longdouble, ``Decimal``)
    at their exact binary (or decimal) value, sympy ``Integer``/``Rational``/
    ``Float`` (:func:`symnet.numbers.sympy_ratio`), and flint ``fmpz``/``fmpq``.
    """
    if type(value).__name__ in ("bool", "bool_"):  # Python's and numpy's booleans
        raise InvalidType(f"{where}={value!r} is a boolean, not a number")
    if isinstance(value, sympy.Basic):
        return sympy_ratio(value, where)
    if isinstance(value, flint.fmpq):
        return int(value.p), int(value.q)
    if isinstance(value, (int, flint.fmpz, numbers.Integral)):
        return int(value), 1
    if isinstance(value, numbers.Rational):  # Fraction and other rationals, normalised by Fraction
        f = Fraction(int(value.numerator), int(value.denominator))
        return f.numerator, f.denominator
    if isinstance(value, (complex, numbers.Complex)) and not isinstance(value, numbers.Real):
        raise InvalidType(f"{where}={value!r} is complex, not a real number")
    ratio = getattr(value, "as_integer_ratio", None)
    if ratio is not None and not isinstance(value, (str, bytes)):
        try:
            p, q = ratio()
        except (ValueError, OverflowError):
            raise InvalidArgument(f"{where}={value!r} is not finite") from None
        return int(p), int(q)
    raise InvalidType(f"{where}={value!r} of type {type(value).__name__} is not a real number")


def exact_rational(value: Any, where: str = "value") -> sympy.Rational:
    """The exact sympy ``Rational`` of a number (see :func:`exact_ratio`)."""
    if isinstance(value, sympy.Rational):
        return value
    return fast_rational(*exact_ratio(value, where))


def exact_fmpq(value: Any, where: str = "value") -> flint.fmpq:
    """The exact python-flint ``fmpq`` of a number (see :func:`exact_ratio`)."""
    if isinstance(value, flint.fmpq):
        return value
    return flint.fmpq(*exact_ratio(value, where))


def exact_floats(expr: sympy.Expr, where: str = "expression") -> sympy.Expr:
    """``expr`` with every ``Float`` replaced by its exact binary value (NaN and infinities refused)."""
    if expr.is_Atom and not expr.is_Float:
        return expr
    floats = expr.atoms(sympy.Float)
    if not floats:
        return expr
    return expr.xreplace({f: exact_rational(f, where) for f in floats})
