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

__all__ = ["flat_entries", "paused_gc", "plain_symbols", "symbol_matrix"]


def plain_symbols(names: Iterable[str]) -> list[sympy.Symbol]:
    """Commutative Symbols with these names and no other assumption, equal to ``sympy.Symbol(name)``.

    They share one assumptions record: facts sympy deduces for a plain
    symbol (``is_real`` is None, ``is_commutative`` is True, ...) depend only
    on its assumptions, never on its name, so sharing them changes nothing.
    Names are not checked here; callers make valid names.
    """
    kb, orig, given = sympy.Symbol._canonical_assumptions()
    frozen = tuple(sorted(given.items()))
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


def symbol_matrix(flat: Sequence[sympy.Expr], rows: int, cols: int) -> sympy.ImmutableMatrix:
    """The ImmutableMatrix of the row-major sympy expressions ``flat``, without ``sympify`` per entry.

    Entries must already be sympy expressions (zeros are ``S.Zero``, as sympy
    makes every zero); the result equals ``ImmutableMatrix(rows, cols, flat)``.
    """
    zero = sympy.S.Zero
    dod = {}
    for i in range(rows):
        row = {j: e for j, e in enumerate(flat[i * cols : (i + 1) * cols]) if e is not zero}
        if row:
            dod[i] = row
    rep = DomainMatrix.from_rep(SDM(dod, (rows, cols), EXRAW))
    obj = Basic.__new__(sympy.ImmutableDenseMatrix, sympy.Integer(rows), sympy.Integer(cols), Tuple(*flat, sympify=False))
    obj._rows = rows
    obj._cols = cols
    obj._rep = rep
    return obj


def flat_entries(m: sympy.MatrixBase) -> tuple[sympy.Expr, ...]:
    """The entries of a matrix row by row (an ImmutableMatrix's own tuple, no copy)."""
    if isinstance(m, sympy.ImmutableDenseMatrix):
        return m.args[2].args
    return tuple(m.flat())
