"""Turn user-supplied entries, vectors and matrices into exact sympy objects.

Every number becomes an exact rational (a float is its exact binary value,
:mod:`symnet.conversion`); a matrix whose entries are all numbers is held over
QQ (:mod:`symnet.model.exact`, python-flint underneath), whatever the route
(nested lists, numpy arrays of any numeric dtype, sympy matrices).  Symbolic
entries are sympy expressions with their Floats replaced by exact values.

User text is never evaluated: a string is accepted only as a symbol *name*
(``"w"``, ``"b_{1,2}"``, ``"b^{(2)}_{1,0}"``) and becomes a ``Symbol``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import sympy

from ..conversion import exact_floats, exact_rational
from ..errors import InvalidArgument, InvalidType, ShapeError
from ..grammar import is_name
from .arrays import exact_matrix, exact_vector
from .exact import rational_matrix, rational_pairs
from .symbols import flat_entries

__all__ = ["coerce_entry", "coerce_matrix", "coerce_vector", "exact_matrix_of", "symbol_from_name"]

_NON_FINITE = (sympy.S.NaN, sympy.S.Infinity, sympy.S.NegativeInfinity, sympy.S.ComplexInfinity)


def symbol_from_name(text: str, where: str) -> sympy.Symbol:
    """The Symbol named ``text``, or InvalidArgument if ``text`` is not a symnet name (:mod:`symnet.grammar`)."""
    if not is_name(text):
        raise InvalidArgument(
            f"{where}={text!r} is not a symbol name (letters, digits, '_' and '^' "
            "indices such as 'w', 'x_1', 'b_{1,2}'); symnet never evaluates text"
        )
    return sympy.Symbol(text)


def coerce_entry(value: Any, where: str) -> sympy.Expr:
    """An exact sympy scalar for one weight, bias or input value.

    ints, ``Fraction`` and other rationals become ``Rational``; floats of
    any width (Python, numpy, sympy ``Float``, ``Decimal``) become the
    ``Rational`` of their exact binary value; sympy expressions are kept with
    their Floats made exact; strings must be symbol names.  NaN and
    infinities are refused (InvalidArgument), booleans and complex numbers
    too (InvalidType).
    """
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        raise InvalidType(f"{where}={value!r} is a boolean, not a number or symbol")
    if isinstance(value, sympy.Basic):
        if isinstance(value, sympy.MatrixBase) or not isinstance(value, sympy.Expr):
            raise InvalidType(f"{where}={value!r} is a {type(value).__name__}, not a scalar expression")
        if value.is_Rational or value.is_Symbol:
            return value
        if value.has(*_NON_FINITE):
            raise InvalidArgument(f"{where}={value} is not finite")
        value = exact_floats(value, where)
        if value.is_number and value.is_real is False:
            raise InvalidArgument(f"{where}={value} is not a real number")
        return value
    if isinstance(value, str):
        return symbol_from_name(value, where)
    if isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real):
        raise InvalidType(f"{where}={value!r} is complex, not a number on the real line")
    if isinstance(value, numbers.Number) or hasattr(value, "as_integer_ratio"):
        return exact_rational(value, where)
    raise InvalidType(
        f"{where}={value!r} of type {type(value).__name__} is not a number "
        "(int, Fraction, sympy Rational, float), a sympy expression or a symbol name"
    )


def _numeric_array(value: Any) -> Any | None:
    """``value`` when it is a numpy array of numbers or booleans (read exactly by :mod:`.exact`), else None."""
    dtype = getattr(value, "dtype", None)
    if dtype is None or not type(value).__module__.startswith("numpy") or not hasattr(value, "ndim"):
        return None
    return value if dtype.kind in "biufc" else None


def _plain_numbers(flat: list[Any], rows: int, cols: int) -> sympy.ImmutableMatrix | None:
    """Over QQ when every entry is a finite Python float or int (the common list case, read in bulk), else None."""
    if not set(map(type, flat)) <= {float, int}:
        return None  # anything else (booleans, Fractions, sympy, names) goes entry by entry, with its own message
    try:
        if not all(map(math.isfinite, flat)):
            return None  # NaN or an infinity: refused entry by entry, naming it
    except OverflowError:  # an int beyond the float range: exact all the same, read entry by entry
        return None
    return rational_pairs([v.as_integer_ratio() for v in flat], rows, cols)


def _exact_from_entries(entries: list[sympy.Expr], rows: int, cols: int) -> sympy.ImmutableMatrix:
    """Over QQ when every entry is a Rational, else an ordinary ImmutableMatrix."""
    if all(e.is_Rational for e in entries):
        return rational_matrix(entries, rows, cols)
    return sympy.ImmutableMatrix(rows, cols, entries)


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
    """An exact ImmutableMatrix from a 2-D nested sequence, numpy array or sympy matrix."""
    array = _numeric_array(value)
    if array is not None and array.dtype.kind in "biuf":
        if array.ndim != 2 or 0 in array.shape:
            raise ShapeError(f"{where} must be a non-empty 2-D matrix, got an array of shape {array.shape}")
        return exact_matrix(array, where)
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
    flat = [v for row in rows for v in row]
    fast = _plain_numbers(flat, len(rows), width)
    if fast is not None:
        return fast
    entries = [coerce_entry(v, f"{where}[{i}][{j}]") for i, row in enumerate(rows) for j, v in enumerate(row)]
    return _exact_from_entries(entries, len(rows), width)


def coerce_vector(value: Any, where: str) -> sympy.ImmutableMatrix:
    """An exact column ImmutableMatrix from a 1-D sequence, array, or one-row/one-column matrix."""
    array = _numeric_array(value)
    if array is not None and array.dtype.kind in "biuf":
        if array.ndim == 0 or (array.ndim == 2 and array.shape[1] == 1):
            array = array.reshape(-1)
        if array.ndim != 1 or array.shape[0] == 0:
            raise ShapeError(f"{where} must be a non-empty vector, got an array of shape {array.shape}")
        return exact_vector(array, where)
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
    fast = _plain_numbers(items, len(items), 1)
    if fast is not None:
        return fast
    return _exact_from_entries([coerce_entry(v, f"{where}[{i}]") for i, v in enumerate(items)], len(items), 1)


def exact_matrix_of(m: sympy.MatrixBase, where: str) -> sympy.ImmutableMatrix:
    """A sympy matrix with every entry made exact (see :func:`coerce_entry`); unchanged when already exact."""
    rep = getattr(m, "_rep", None)
    if rep is not None and rep.domain.is_QQ or rep is not None and rep.domain.is_ZZ:
        return m
    flat = list(flat_entries(m))
    cols = m.cols
    if all(e.is_Symbol or e.is_Rational for e in flat):
        if all(e.is_Rational for e in flat):
            return rational_matrix(flat, m.rows, cols)
        return m if isinstance(m, sympy.ImmutableMatrix) else sympy.ImmutableMatrix(m)
    names = (f"{where}[{n // cols}][{n % cols}]" if cols > 1 else f"{where}[{n}]" for n in range(len(flat)))
    entries = [coerce_entry(e, name) for e, name in zip(flat, names, strict=True)]
    return _exact_from_entries(entries, m.rows, cols)
