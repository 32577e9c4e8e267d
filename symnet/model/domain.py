"""Numeric matrices to and from sympy's ``DomainMatrix`` over QQ, for the importers, exporters and the search.

Nothing the kernel reads: a network's own exact matrices are in
:mod:`symnet.model.exact`.
"""

from __future__ import annotations

import math
from typing import Any

import sympy
from sympy.polys.domains import QQ, ZZ
from sympy.polys.matrices import DomainMatrix

from .exact import SparseQQMatrix, immutable

__all__ = ["domain_matrix", "from_domain_matrix", "sparse_rep"]


def domain_matrix(m: sympy.MatrixBase) -> DomainMatrix | None:
    """The matrix over QQ, Floats taken at their exact binary values; None if an entry is not a number.

    Entries may be Integers, Rationals or Floats; anything else (a symbol,
    ``sqrt(2)``) gives None.
    """
    rep = getattr(m, "_rep", None)
    if rep is not None and (rep.domain == QQ or rep.domain == ZZ):
        return rep.convert_to(QQ).to_dense()  # DFM (flint) under flint ground types
    flat = rep.to_sympy().to_list_flat() if rep is not None else list(m)
    entries = []
    for e in flat:
        if e.is_Rational:
            entries.append(QQ(int(e.p), int(e.q)))
        elif e.is_Float:
            value = float(e)
            if not math.isfinite(value):
                return None
            r = sympy.Rational(e)  # the Float's exact binary value, at its own precision
            entries.append(QQ(int(r.p), int(r.q)))
        else:
            return None
    rows, cols = m.shape
    return DomainMatrix([entries[i * cols : (i + 1) * cols] for i in range(rows)], (rows, cols), QQ).to_dense()


def from_domain_matrix(dm: DomainMatrix, *, dense: bool = False) -> sympy.ImmutableMatrix:
    """An ImmutableMatrix of exact Rationals from a DomainMatrix over QQ (or ZZ); ``dense`` as in :func:`immutable`."""
    return immutable(dm.convert_to(QQ), dense=dense)


def sparse_rep(m: Any) -> DomainMatrix | None:
    """The sparse DomainMatrix over QQ of a :class:`~symnet.model.exact.SparseQQMatrix`, else None."""
    return m._rep if isinstance(m, SparseQQMatrix) else None
