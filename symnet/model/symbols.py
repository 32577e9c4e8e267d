"""Many plain symbols and matrices of them, made fast (``symnet.dense`` at millions of weights).

``sympy.Symbol(name)`` costs about 4 us (its cache, its assumption
bookkeeping); at 2.5 million weights that is ten seconds before any work.
:func:`plain_symbols` makes Symbols equal (same name, same assumptions, same
hash) to ``sympy.Symbol(name)``, sharing one assumptions record, in about a
third of the time; :func:`symbol_matrix` wraps them in an ``ImmutableMatrix``
without re-reading every entry through ``sympify``.

>>> a, b = plain_symbols(["a", "b_{1,2}"])
>>> a == sympy.Symbol("a") and hash(b) == hash(sympy.Symbol("b_{1,2}"))
True
>>> symbol_matrix([a, b], 1, 2)
Matrix([[a, b_{1,2}]])
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import sympy
from sympy.core.basic import Basic
from sympy.core.containers import Tuple
from sympy.core.expr import Expr
from sympy.polys.domains import EXRAW
from sympy.polys.matrices import DomainMatrix
from sympy.polys.matrices.sdm import SDM

__all__ = ["SymbolMatrix", "flat_entries", "paused_gc", "plain_symbols", "symbol_matrix"]


def plain_symbols(names: Iterable[str]) -> list[sympy.Symbol]:
    """Commutative Symbols with these names and no other assumption, equal to ``sympy.Symbol(name)``.

    They share one assumptions record: facts sympy deduces for a plain
    symbol (``is_real`` is None, ``is_commutative`` is True, ...) depend only
    on its assumptions, never on its name, so sharing them changes nothing.
    Names are not checked here; callers make valid names.
    """
    template = sympy.Symbol.__xnew__(sympy.Symbol, "template")  # uncached: its records are ours alone
    kb, orig, frozen = template._assumptions, template._assumptions_orig, template._assumptions0
    if template._hashable_content() != ("template", *frozen) or not isinstance(frozen, tuple):
        return [sympy.Symbol(name) for name in names]  # a sympy whose Symbol is laid out otherwise: the plain way
    new, cls = Expr.__new__, sympy.Symbol
    out: list[sympy.Symbol] = []
    append = out.append
    with paused_gc():
        for name in names:
            obj = new(cls)
            obj.name = name
            obj._assumptions = kb
            obj._assumptions_orig = orig
            obj._assumptions0 = frozen
            obj._mhash = hash(("Symbol", name, *frozen))  # what Basic.__hash__ computes from _hashable_content
            append(obj)
    return out


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
    obj = Basic.__new__(SymbolMatrix, sympy.Integer(rows), sympy.Integer(cols), Tuple(*flat, sympify=False))
    obj._rows = rows
    obj._cols = cols
    return obj


def flat_entries(m: sympy.MatrixBase) -> tuple[sympy.Expr, ...]:
    """The entries of a matrix row by row (an ImmutableMatrix's own tuple, no copy)."""
    if isinstance(m, sympy.ImmutableDenseMatrix):
        return tuple(m.args[2].args)
    return tuple(m.flat())
