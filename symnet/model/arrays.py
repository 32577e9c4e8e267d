"""Numpy arrays read exactly: every float at its binary value, into an exact matrix over QQ.

>>> import numpy as np
>>> from symnet.model.exact import is_rational_matrix
>>> m = exact_matrix(np.array([[0.5, 0.1]], dtype=np.float32), "w")
>>> m
Matrix([[1/2, 13421773/134217728]])
>>> is_rational_matrix(m)
True

The importers and :meth:`symnet.Network.from_matrices` read arrays here; the
kernel never does (a document states its numbers in its own node table).
"""

from __future__ import annotations

from typing import Any

import sympy

from ..errors import InvalidArgument, InvalidType, ShapeError
from .exact import rational_pairs

__all__ = ["exact_matrix", "exact_vector"]


def _ratios(array: Any, where: str) -> tuple[list[tuple[int, int]], tuple[int, ...]]:
    """Exact (numerator, denominator) pairs of a numpy array's entries, row-major.

    Floats of every width are read at their exact binary value (float16 and
    float32 widen to float64 exactly; longdouble is read entry by entry);
    booleans and complex numbers are refused.
    """
    import numpy as np

    arr = np.asarray(array)
    kind = arr.dtype.kind
    if kind == "b" or kind not in "fiu":
        what = "booleans" if kind == "b" else f"dtype {arr.dtype}"
        raise InvalidType(f"{where} holds {what}; symnet reads real numeric weights (float or int)")
    if kind == "f":
        finite = np.isfinite(arr)
        if not finite.all():
            bad = tuple(int(i) for i in np.argwhere(~finite)[0])
            raise InvalidArgument(f"{where}{list(bad)}={arr[bad]!r} is not finite")
        if arr.dtype.itemsize <= 8:
            pairs = [v.as_integer_ratio() for v in arr.astype(np.float64).ravel().tolist()]  # widening is exact
        else:
            pairs = [(int(n), int(d)) for n, d in (v.as_integer_ratio() for v in arr.ravel())]
    else:
        pairs = [(int(v), 1) for v in arr.ravel().tolist()]
    return pairs, tuple(arr.shape)


def exact_matrix(array: Any, where: str) -> sympy.ImmutableMatrix:
    """A 2-D numpy array (float or int) as an ImmutableMatrix of exact Rationals over QQ.

    Every float is its exact binary rational; NaN and infinities are refused.
    """
    pairs, shape = _ratios(array, where)
    if len(shape) != 2 or 0 in shape:
        raise ShapeError(f"{where} must be a non-empty 2-D matrix, got shape {shape}")
    return rational_pairs(pairs, shape[0], shape[1], dense=True)


def exact_vector(array: Any, where: str) -> sympy.ImmutableMatrix:
    """A 1-D numpy array as a column ImmutableMatrix of exact Rationals over QQ."""
    pairs, shape = _ratios(array, where)
    if len(shape) != 1 or shape[0] == 0:
        raise ShapeError(f"{where} must be a non-empty vector, got shape {shape}")
    return rational_pairs(pairs, shape[0], 1, dense=True)
