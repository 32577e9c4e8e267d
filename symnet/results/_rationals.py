"""Exact rationals between python-flint's ``fmpq`` and sympy, for the regions results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy
from flint import fmpq

from ..errors import InvalidArgument
from ..model.coerce import coerce_entry

__all__ = ["fq", "sym", "value"]


def sym(v: fmpq) -> sympy.Rational:
    """The sympy Rational of an fmpq."""
    return sympy.Rational(int(v.p), int(v.q))


def fq(v: Any, where: str) -> fmpq:
    """An exact number (a float at its binary value) as fmpq; InvalidArgument for anything else."""
    e = coerce_entry(v, where)
    if e.is_Float:
        e = sympy.Rational(e)
    if not e.is_Rational:
        raise InvalidArgument(f"{where}={e} is not an exact number")
    return fmpq(int(e.p), int(e.q))


def value(row: Sequence[fmpq], x: Sequence[fmpq]) -> fmpq:
    """``row[0] + row[1:] . x``."""
    total = row[0]
    for a, v in zip(row[1:], x, strict=True):
        if a:
            total += a * v
    return total
