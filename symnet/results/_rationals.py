"""Exact points and values over python-flint's ``fmpq`` for the regions results (read by :mod:`symnet.conversion`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy
from flint import fmpq

from ..conversion import exact_fmpq
from ..errors import InvalidArgument

__all__ = ["fq", "value"]


def fq(v: Any, where: str) -> fmpq:
    """An exact number (a float at its binary value) as fmpq.

    :func:`symnet.conversion.exact_fmpq`, except that a name or a symbolic
    expression (``"w"``, ``sqrt(2)``) is an InvalidArgument: the value of a
    point or threshold must be a number.
    """
    if isinstance(v, str) or (isinstance(v, sympy.Basic) and not isinstance(v, (sympy.Rational, sympy.Float))):
        raise InvalidArgument(f"{where}={v} is not an exact number")
    return exact_fmpq(v, where)


def value(row: Sequence[fmpq], x: Sequence[fmpq]) -> fmpq:
    """``row[0] + row[1:] . x``."""
    total = row[0]
    for a, v in zip(row[1:], x, strict=True):
        if a:
            total += a * v
    return total
