"""Rank bound: rank(W*) is at most the narrowest width along the network.

For a network with affine activations ``t -> a_l t + d_l`` the collapsed
matrix is ``W* = (a_1 ... a_L) W_{L+1} ... W_1``.  Splitting the product at
layer k gives ``W* = A B`` with ``B = W_k ... W_1`` (n_k x p), so
``rank W* <= n_k`` for every k, and ``rank W* <= min(p, n_1, ..., n_L, q)``.

:func:`rank_bound` gives, for a network with numeric weights, a checkable
certificate: the factorisation through the narrowest layer (the upper
bound), the exact rank computed by sympy on exact rationals, and a
non-singular minor of that size (the lower bound).  ``check()`` recomputes
everything from the network's own layers.

>>> import symnet
>>> net = symnet.Network.from_matrices([[[1, 2], [2, 4], [0, 1]], [[1, 1, 1]]], None)
>>> rb = symnet.rank_bound(net)
>>> (rb.rank, rb.bound, rb.narrowest)
(1, 1, 2)
>>> rb.check()
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy
from sympy.polys.matrices import DomainMatrix

from ..errors import CertificateError, InvalidArgument, InvalidType, NotLinearError
from ..kernel.gate import IllFormed, gate_network
from ..kernel.ring import exact
from ..model.display import Displayable
from ..model.network import Network

__all__ = ["RankBound", "rank_bound"]

_QQ = sympy.QQ


def _dm(rows: list[list[Any]], shape: tuple[int, int]) -> DomainMatrix:
    return DomainMatrix([[_QQ(int(v.p), int(v.q)) for v in row] for row in rows], shape, _QQ)


def _stated(m: Any, what: str) -> DomainMatrix:
    """A stated matrix of exact rationals as a DomainMatrix over QQ (CertificateError otherwise)."""
    if not isinstance(m, sympy.MatrixBase):
        raise CertificateError(f"{what} is not a matrix", rule="factor_rank")
    rows = []
    for i in range(m.rows):
        row = []
        for j in range(m.cols):
            try:
                v = exact(m[i, j], what)
            except IllFormed as exc:
                raise CertificateError(str(exc), rule="factor_rank") from None
            if not v.is_Rational:
                raise CertificateError(
                    f"{what} entry ({i}, {j}) = {str(v)[:60]} is not an exact rational", rule="factor_rank"
                )
            row.append(v)
        rows.append(row)
    return _dm(rows, m.shape)


def _numeric(net: Network, error: type[Exception]) -> tuple[list[DomainMatrix], Any]:
    """The layers' weights as DomainMatrices over QQ and the product of the slopes, for numeric networks only."""
    form = gate_network(net)
    if form.parameters:
        raise error(
            f"net={net!r} has symbolic weights or activation parameters; the rank statement is certified for exact "
            "numeric weights only (the generic bound rank W* <= min of the widths is stated in symnet.prove(...)'s "
            "generic derivation)"
        )
    scale = _QQ(1)
    for l, act in enumerate(form.activations[:-1], start=1):
        if not act.is_affine:
            raise NotLinearError(
                f"layer {l}'s activation {net.layers[l - 1].activation.label()} is not affine: there is no W* to bound",
                layer=l,
            )
        a = act.slope_intercept()[0]
        scale *= _QQ(int(a.p), int(a.q))
    mats = [_dm(W, (len(W), len(W[0]))) for W in (form.weight_rows(l) for l in range(len(form.weights)))]
    return mats, scale


def _product(mats: list[DomainMatrix], cols: int) -> DomainMatrix:
    """``mats[0] mats[1] ...`` (the identity of size ``cols`` when empty)."""
    out = DomainMatrix.eye(cols, _QQ)
    for m in reversed(mats):
        out = m * out
    return out


def _same(a: DomainMatrix, b: DomainMatrix) -> bool:
    return bool(a.shape == b.shape and (a - b).is_zero_matrix)


def _sympy(m: DomainMatrix) -> sympy.ImmutableMatrix:
    return sympy.ImmutableMatrix(m.to_Matrix())


@dataclass(frozen=True)
class RankBound(Displayable, display_key="rank_bound"):
    """``rank W* = rank <= bound``, the width of layer ``narrowest`` (0 = the inputs).

    ``left`` (q x bound) and ``right`` (bound x p) multiply to ``matrix`` (W*);
    ``minor`` = (rows, cols) selects a ``rank x rank`` submatrix of W* with a
    non-zero determinant.  Certified for exact numeric weights only.
    """

    network: Network
    matrix: sympy.ImmutableMatrix
    widths: tuple[int, ...]
    narrowest: int
    bound: int
    rank: int
    left: sympy.ImmutableMatrix
    right: sympy.ImmutableMatrix
    minor: tuple[tuple[int, ...], tuple[int, ...]]

    def check(self) -> bool:
        """Recompute W*, the factorisation, the rank and the minor exactly (over QQ): True or CertificateError.

        Symbolic weights are refused: a rank computed for symbols is a
        generic rank, which can be false at particular values.
        """
        net = self.network
        if not isinstance(net, Network):
            raise CertificateError(f"the network is a {type(net).__name__}, not a Network", rule="factor_rank")
        mats, scale = _numeric(net, CertificateError)
        widths = (net.p, *net.hidden, net.q)
        if tuple(self.widths) != widths:
            raise CertificateError(f"widths {self.widths} differ from the network's {widths}", rule="factor_rank")
        k = self.narrowest
        if (
            isinstance(k, bool)
            or not isinstance(k, int)
            or not (0 <= k < len(widths))
            or widths[k] != self.bound
            or self.bound != min(widths)
        ):
            raise CertificateError(
                f"layer {k} (width {self.bound}) is not a narrowest layer of widths {widths}", rule="factor_rank"
            )
        w_star = _product(mats[::-1], net.p) * scale
        if self.matrix.shape != w_star.shape or not _same(_stated(self.matrix, "the stated W*"), w_star):
            raise CertificateError("the stated W* differs from the product of the layers", rule="factor_rank")
        if self.left.shape != (net.q, self.bound) or self.right.shape != (self.bound, net.p):
            raise CertificateError(
                f"the factors have shapes {self.left.shape} and {self.right.shape}, not through width {self.bound}",
                rule="factor_rank",
            )
        if not _same(_stated(self.left, "left") * _stated(self.right, "right"), w_star):
            raise CertificateError("left * right is not W*", rule="factor_rank")
        rank = w_star.rank()
        if self.rank != rank or rank > self.bound:
            raise CertificateError(f"rank W* is {rank}, stated {self.rank}, bound {self.bound}", rule="factor_rank")
        rows, cols = self.minor
        if len(rows) != rank or len(cols) != rank or len(set(rows)) != rank or len(set(cols)) != rank:
            raise CertificateError("the minor's size is not the rank", rule="factor_rank")
        if not all(isinstance(i, int) and 0 <= i < w_star.shape[0] for i in rows) or not all(
            isinstance(j, int) and 0 <= j < w_star.shape[1] for j in cols
        ):
            raise CertificateError("the minor's indices are out of range", rule="factor_rank")
        if rank and w_star.extract(list(rows), list(cols)).det() == 0:
            raise CertificateError("the stated minor is singular", rule="factor_rank")
        return True

    def to_text(self) -> str:
        """One line: the bound and the exact rank."""
        widths = ", ".join(str(w) for w in self.widths)
        return f"rank W* = {self.rank} <= min({widths}) = {self.bound} (the width of layer {self.narrowest})"


def rank_bound(net: Network) -> RankBound:
    """The certified bound ``rank W* <= min(p, n_1, ..., n_L, q)`` for a network with exact numeric weights.

    Raises NotLinearError for a non-affine activation and InvalidArgument for
    symbolic weights (their generic bound is in the generic proof's derivation).
    Exact: every product and the rank are computed over QQ (DomainMatrix, flint).
    """
    if not isinstance(net, Network):
        raise InvalidType(f"net={net!r} of type {type(net).__name__} is not a symnet.Network")
    mats, scale = _numeric(net, InvalidArgument)
    widths = (net.p, *net.hidden, net.q)
    bound = min(widths)
    k = widths.index(bound)
    left = _product(mats[::-1][: len(mats) - k], bound) * scale
    right = _product(mats[::-1][len(mats) - k :], net.p)
    matrix = left * right
    _, pivots = matrix.transpose().rref()  # independent rows of W*
    rows = tuple(pivots)
    sub = matrix.extract(list(rows), list(range(matrix.shape[1])))
    _, col_pivots = sub.rref()
    rank = len(rows)
    return RankBound(
        net, _sympy(matrix), widths, k, bound, rank, _sympy(left), _sympy(right), (rows, tuple(col_pivots))
    )
