"""Matrices of many symbols, made fast (``symnet.dense`` at millions of weights; the engine's factors).

:func:`symbol_matrix` wraps sympy expressions in an ``ImmutableMatrix``
without re-reading every entry through ``sympify``.  Nothing here is
trusted: the kernel reads such a matrix's entries like any other's
(:func:`symnet.model.symbols.flat_entries`) and checks each one.

>>> a, b = sympy.Symbol("a"), sympy.Symbol("b_{1,2}")
>>> symbol_matrix([a, b], 1, 2)
Matrix([[a, b_{1,2}]])
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import sympy
from sympy.core.basic import Basic
from sympy.core.containers import Tuple
from sympy.polys.domains import EXRAW
from sympy.polys.matrices import DomainMatrix
from sympy.polys.matrices.sdm import SDM

__all__ = ["SymbolMatrix", "symbol_matrix"]


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
