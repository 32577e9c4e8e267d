"""Matrices of many symbols, made fast (``symnet.dense`` at millions of weights).

:func:`symbol_matrix` wraps sympy expressions in an ``ImmutableMatrix``
without re-reading every entry through ``sympify``; :func:`generated_matrix`
also records a matrix of plain commutative symbols (the symbols
:func:`symnet.model.plain.plain_symbols` makes), so the kernel's gate knows
it without reading every entry again.

>>> a, b = sympy.Symbol("a"), sympy.Symbol("b_{1,2}")
>>> symbol_matrix([a, b], 1, 2)
Matrix([[a, b_{1,2}]])
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import repeat
from operator import attrgetter, is_, itemgetter

import sympy
from sympy.core.basic import Basic
from sympy.core.containers import Tuple
from sympy.polys.domains import EXRAW
from sympy.polys.matrices import DomainMatrix
from sympy.polys.matrices.sdm import SDM

__all__ = ["SymbolMatrix", "flat_entries", "generated_heads", "generated_matrix", "paused_gc", "symbol_matrix"]


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


class SymbolMatrix(sympy.ImmutableDenseMatrix):  # type: ignore[misc]
    """An ImmutableMatrix of sympy expressions whose ``DomainMatrix`` is made on first use.

    It is an ordinary ``ImmutableMatrix`` (indexing, equality, arithmetic,
    printing); reading its entries in order (``flat()``, iteration, ``args``)
    uses the tuple it was made from, and only operations that need sympy's
    sparse representation build it.  At ``dense(500, [500]*10)`` that saves
    a dict per row of every layer and factor (about a third of the memory).
    """

    @property
    def _rep(self) -> DomainMatrix:
        rep = self.__dict__.get("_lazy_rep")
        if rep is None:
            rep = self.__dict__["_lazy_rep"] = _sparse(self.args[2].args, self._rows, self._cols)
        return rep

    @_rep.setter
    def _rep(self, value: DomainMatrix) -> None:
        self.__dict__["_lazy_rep"] = value

    def flat(self) -> list[sympy.Expr]:
        return list(self.args[2].args)

    def __iter__(self) -> Iterator[sympy.Expr]:
        return iter(self.args[2].args)

    def __hash__(self) -> int:
        # Basic hashes the class name with the contents: hash as the ImmutableMatrix it equals
        return hash(("ImmutableDenseMatrix",) + self._hashable_content())


def _sparse(flat: Sequence[sympy.Expr], rows: int, cols: int) -> DomainMatrix:
    zero = sympy.S.Zero
    dod = {}
    for i in range(rows):
        row = {j: e for j, e in enumerate(flat[i * cols : (i + 1) * cols]) if e is not zero}
        if row:
            dod[i] = row
    return DomainMatrix.from_rep(SDM(dod, (rows, cols), EXRAW))


def symbol_matrix(flat: Sequence[sympy.Expr], rows: int, cols: int) -> sympy.ImmutableMatrix:
    """The ImmutableMatrix of the row-major sympy expressions ``flat``, without ``sympify`` per entry.

    Entries must already be sympy expressions (zeros are ``S.Zero``, as sympy
    makes every zero); the result equals ``ImmutableMatrix(rows, cols, flat)``
    and makes sympy's own representation only when an operation needs it.
    """
    entries = Basic.__new__(Tuple)  # Tuple(*flat, sympify=False), without its three copies of the entries
    entries._args = tuple(flat)
    obj = Basic.__new__(SymbolMatrix, sympy.Integer(rows), sympy.Integer(cols), entries)
    obj._rows = rows
    obj._cols = cols
    return obj


#: Matrices :func:`generated_matrix` made, by id: a weak reference to each, and the first characters of its names.
_GENERATED: dict[int, tuple[weakref.ref[SymbolMatrix], frozenset[str]]] = {}


def generated_matrix(flat: Sequence[sympy.Symbol], rows: int, cols: int) -> sympy.ImmutableMatrix:
    """:func:`symbol_matrix` of plain symbols, recorded as such when it is (see :func:`generated_heads`).

    The record is made once, here, after C-level passes over the entries: each
    is exactly a ``sympy.Symbol``, and all share one assumptions record that
    says commutative (:func:`plain_symbols` makes them so; ``is_commutative``
    is read from that record, so symbols sharing it answer alike).
    """
    m = symbol_matrix(flat, rows, cols)
    entries = flat_entries(m)
    plain = bool(entries) and set(map(type, entries)) <= {sympy.Symbol} and entries[0].is_commutative is True
    if plain and all(map(is_, map(attrgetter("_assumptions"), entries), repeat(entries[0]._assumptions))):
        key = id(m)
        heads = frozenset(map(itemgetter(slice(0, 1)), map(attrgetter("name"), entries)))
        _GENERATED[key] = (weakref.ref(m, lambda _: _GENERATED.pop(key, None)), heads)
    return m


def generated_heads(m: object) -> frozenset[str] | None:
    """The first characters of the entries' names of a matrix :func:`generated_matrix` recorded, else None.

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
