"""Matrices of many symbols (``symnet.dense`` at millions of weights), as the kernel reads them.

:func:`flat_entries` gives a matrix's entries row by row without copying
them; :func:`recorded` records a matrix of plain commutative symbols (the
symbols :func:`symnet.model.plain.plain_symbols` makes) once, when it is
made, so the kernel's gate knows it without reading every entry again
(:func:`generated_heads`: the record holds while the matrix and its symbols
are not changed in place through sympy's private slots, as monkeypatching the
kernel would not be refused either; documents never make recorded matrices,
their readers build ordinary ones); :func:`paused_gc` keeps the cycle collector from
rescanning millions of long-lived objects.  Making such matrices fast is
:mod:`symnet.model.symbol_matrix`'s job, outside the trusted base.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import repeat
from operator import attrgetter, is_, itemgetter
from typing import TypeVar

import sympy

__all__ = ["flat_entries", "generated_heads", "paused_gc", "recorded"]

_M = TypeVar("_M", bound=sympy.ImmutableDenseMatrix)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cycle collector while millions of long-lived, acyclic objects are made.

    Every object made stays reachable (symbols, matrices, certificates), so a
    collection would find nothing; at millions of objects each full collection
    rescans all of them (about half of ``dense(500, [500]*10)``'s time).
    Reference counting still frees everything as usual.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


#: Matrices :func:`recorded` checked, by id: a weak reference to each, and the first characters of its names.
_GENERATED: dict[int, tuple[weakref.ref[sympy.ImmutableDenseMatrix], frozenset[str]]] = {}


def recorded(m: _M) -> _M:
    """``m``, recorded as a matrix of plain symbols when it is one (see :func:`generated_heads`).

    The record is made once, here, after C-level passes over the entries: each
    is exactly a ``sympy.Symbol``, and all share one assumptions record that
    says commutative (:func:`plain_symbols` makes them so; ``is_commutative``
    is read from that record, so symbols sharing it answer alike).
    """
    entries = flat_entries(m)
    plain = bool(entries) and set(map(type, entries)) <= {sympy.Symbol} and entries[0].is_commutative is True
    if plain and all(map(is_, map(attrgetter("_assumptions"), entries), repeat(entries[0]._assumptions))):
        key = id(m)
        heads = frozenset(map(itemgetter(slice(0, 1)), map(attrgetter("name"), entries)))
        _GENERATED[key] = (weakref.ref(m, lambda _: _GENERATED.pop(key, None)), heads)
    return m


def generated_heads(m: object) -> frozenset[str] | None:
    """The first characters of the entries' names of a matrix :func:`recorded` recorded, else None.

    Every entry of such a matrix is a commutative ``sympy.Symbol`` with no
    other assumption, and none has a name that starts otherwise.
    """
    found = _GENERATED.get(id(m))
    return found[1] if found is not None and found[0]() is m else None


def flat_entries(m: sympy.MatrixBase) -> tuple[sympy.Expr, ...]:
    """The entries of a matrix row by row (an ImmutableMatrix's own tuple, no copy)."""
    if isinstance(m, sympy.ImmutableDenseMatrix):
        return tuple(m.args[2].args)
    return tuple(m.flat())
