"""Matrices of many symbols (``symnet.dense`` at millions of weights), as the kernel reads them.

:func:`flat_entries` gives a matrix's entries row by row without copying
them (the kernel's gate reads every one); :func:`paused_gc` keeps the cycle
collector from rescanning millions of long-lived objects.  Making such matrices fast is
:mod:`symnet.model.symbol_matrix`'s job, outside the trusted base.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import sympy

__all__ = ["flat_entries", "paused_gc"]

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


def flat_entries(m: sympy.MatrixBase) -> tuple[sympy.Expr, ...]:
    """The entries of a matrix row by row (an ImmutableMatrix's own tuple, no copy)."""
    if isinstance(m, sympy.ImmutableDenseMatrix):
        return tuple(m.args[2].args)
    return tuple(m.flat())
