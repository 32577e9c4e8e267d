"""Turn user-supplied entries, vectors and matrices into exact sympy objects.

User text is never evaluated: a string is accepted only as a symbol *name*
(``"w"``, ``"b_{1,2}"``, ``"b^{(2)}_{1,0}"``) and becomes a ``Symbol``.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import sympy

from ..errors import InvalidArgument, InvalidType, ShapeError

__all__ = ["coerce_entry", "coerce_matrix", "coerce_vector", "symbol_from_name", "is_symbol_name"]

_INDEX = r"(?:[A-Za-z0-9]+|\{[A-Za-z0-9,()\\ +\-]*\})"
_NAME_RE = re.compile(rf"(?:[A-Za-z][A-Za-z0-9]*|\\[A-Za-z]+)(?:[_^]{_INDEX})*")
_NON_FINITE = (sympy.S.NaN, sympy.S.Infinity, sympy.S.NegativeInfinity, sympy.S.ComplexInfinity)


def is_symbol_name(text: str) -> bool:
    """True for names such as ``w``, ``x_1``, ``b_{1,2}`` or ``b^{(2)}_{1,0}``."""
    return isinstance(text, str) and len(text) <= 200 and _NAME_RE.fullmatch(text) is not None


def symbol_from_name(text: str, where: str) -> sympy.Symbol:
    """The Symbol named ``text``, or InvalidArgument if ``text`` is not a symbol name."""
    if not is_symbol_name(text):
        raise InvalidArgument(
            f"{where}={text!r} is not a symbol name (letters, digits, '_' and '^' "
            "indices such as 'w', 'x_1', 'b_{1,2}'); symnet never evaluates text"
        )
    return sympy.Symbol(text)


def coerce_entry(value: Any, where: str) -> sympy.Expr:
    """An exact sympy scalar for one weight, bias or input value.

    ints, ``Fraction`` and other rationals become ``Rational``; floats
    become ``Float`` (exact binary value); sympy expressions are kept; strings
    must be symbol names.  NaN and infinities are refused.
    """
    if isinstance(value, (bool,)) or type(value).__name__ == "bool_":
        raise InvalidType(f"{where}={value!r} is a boolean, not a number or symbol")
    if isinstance(value, sympy.Basic):
        if isinstance(value, sympy.MatrixBase) or not isinstance(value, sympy.Expr):
            raise InvalidType(f"{where}={value!r} is a {type(value).__name__}, not a scalar expression")
        if value.has(*_NON_FINITE) or (value.is_Float and not math.isfinite(float(value))):
            raise InvalidArgument(f"{where}={value} is not finite")
        if value.is_number and value.is_real is False:
            raise InvalidArgument(f"{where}={value} is not a real number")
        return value
    if isinstance(value, str):
        return symbol_from_name(value, where)
    if isinstance(value, numbers.Integral):
        return sympy.Integer(int(value))
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, numbers.Rational):
        return sympy.Rational(int(value.numerator), int(value.denominator))
    if isinstance(value, numbers.Real):
        as_float = float(value)
        if not math.isfinite(as_float):
            raise InvalidArgument(f"{where}={value!r} is not finite")
        return sympy.Float(as_float)
    raise InvalidType(
        f"{where}={value!r} of type {type(value).__name__} is not a number "
        "(int, Fraction, sympy Rational, float), a sympy expression or a symbol name"
    )


def _as_nested(value: Any, where: str) -> Any:
    """Lists from numpy arrays and sympy matrices; other values unchanged."""
    if isinstance(value, sympy.MatrixBase):
        return value.tolist()
    tolist = getattr(value, "tolist", None)
    if tolist is not None and hasattr(value, "ndim"):
        return tolist()
    return value


def _is_sequence(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def coerce_matrix(value: Any, where: str) -> sympy.ImmutableMatrix:
    """An ImmutableMatrix from a 2-D nested sequence, numpy array or sympy matrix."""
    rows = _as_nested(value, where)
    if not _is_sequence(rows) or not rows:
        raise ShapeError(f"{where} must be a non-empty 2-D matrix, got {value!r}")
    if not all(_is_sequence(row) for row in rows):
        raise ShapeError(f"{where} must be 2-D (a list of rows), got {value!r}")
    width = len(rows[0])
    if width == 0:
        raise ShapeError(f"{where} has rows of length 0; every layer needs at least one input")
    for i, row in enumerate(rows):
        if len(row) != width:
            raise ShapeError(f"{where} is ragged: row 0 has {width} entries but row {i} has {len(row)}")
    entries = [[coerce_entry(v, f"{where}[{i}][{j}]") for j, v in enumerate(row)] for i, row in enumerate(rows)]
    return sympy.ImmutableMatrix(entries)


def coerce_vector(value: Any, where: str) -> sympy.ImmutableMatrix:
    """A column ImmutableMatrix from a 1-D sequence, array, or one-row/one-column matrix."""
    if isinstance(value, sympy.MatrixBase):
        if 1 not in value.shape:
            raise ShapeError(f"{where} must be a vector, got a matrix of shape {value.shape}")
        items = list(value)
    else:
        nested = _as_nested(value, where)
        if not _is_sequence(nested):
            nested = [nested]
        items = list(nested)
        if items and all(_is_sequence(v) and len(v) == 1 for v in items):
            items = [v[0] for v in items]
    if not items:
        raise ShapeError(f"{where} must be a non-empty vector, got {value!r}")
    for i, v in enumerate(items):
        if _is_sequence(v):
            raise ShapeError(f"{where} must be 1-D, but entry {i} is {v!r}")
    return sympy.ImmutableMatrix([coerce_entry(v, f"{where}[{i}]") for i, v in enumerate(items)])
