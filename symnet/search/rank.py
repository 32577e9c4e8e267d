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

import sympy

from ..errors import CertificateError, InvalidArgument, InvalidType, NotLinearError
from ..kernel.generic import affine_coefficients
from ..model.display import Displayable
from ..model.network import Network

__all__ = ["RankBound", "rank_bound"]


def _exact(m: sympy.MatrixBase) -> sympy.ImmutableMatrix:
    return sympy.ImmutableMatrix(m.applyfunc(lambda e: e.xreplace({f: sympy.Rational(f) for f in e.atoms(sympy.Float)})))


def _slopes(net: Network) -> list[sympy.Expr]:
    out = []
    for l, layer in enumerate(net.layers[:-1], start=1):
        c = affine_coefficients(layer.activation)
        if c is None:
            raise NotLinearError(f"layer {l}'s activation {layer.activation.label()} is not affine: there is no W* to bound", layer=l)
        out.append(sympy.Rational(c[0]) if c[0].is_Float else c[0])
    return out


def _product(mats: list[sympy.ImmutableMatrix], cols: int) -> sympy.ImmutableMatrix:
    """``mats[0] mats[1] ...`` (the identity of size ``cols`` when empty)."""
    out = sympy.ImmutableMatrix.eye(cols)
    for m in reversed(mats):
        out = sympy.ImmutableMatrix(m * out)
    return out


@dataclass(frozen=True)
class RankBound(Displayable, display_key="rank_bound"):
    """``rank W* = rank <= bound``, the width of layer ``narrowest`` (0 = the inputs).

    ``left`` (q x bound) and ``right`` (bound x p) multiply to ``matrix`` (W*);
    ``minor`` = (rows, cols) selects a ``rank x rank`` submatrix of W* with a
    non-zero determinant.
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
        """Recompute W*, the factorisation, the rank and the minor from the network: True or CertificateError."""
        net = self.network
        weights = [_exact(layer.weights) for layer in net.layers]
        scale = sympy.Mul(*_slopes(net))
        widths = (net.p, *net.hidden, net.q)
        if self.widths != widths:
            raise CertificateError(f"widths {self.widths} differ from the network's {widths}", rule="factor_rank")
        k = self.narrowest
        if not (0 <= k < len(widths)) or widths[k] != self.bound or self.bound != min(widths):
            raise CertificateError(f"layer {k} (width {self.bound}) is not a narrowest layer of widths {widths}", rule="factor_rank")
        w_star = (scale * _product(weights[::-1], net.p)).applyfunc(sympy.expand)
        if (self.matrix - w_star).applyfunc(sympy.expand) != sympy.zeros(*w_star.shape):
            raise CertificateError("the stated W* differs from the product of the layers", rule="factor_rank")
        if self.left.shape != (net.q, self.bound) or self.right.shape != (self.bound, net.p):
            raise CertificateError(f"the factors have shapes {self.left.shape} and {self.right.shape}, not through width {self.bound}", rule="factor_rank")
        if (self.left * self.right - w_star).applyfunc(sympy.expand) != sympy.zeros(*w_star.shape):
            raise CertificateError("left * right is not W*", rule="factor_rank")
        rank = w_star.rank()
        if rank != self.rank or rank > self.bound:
            raise CertificateError(f"rank W* is {rank}, stated {self.rank}, bound {self.bound}", rule="factor_rank")
        rows, cols = self.minor
        if len(rows) != rank or len(cols) != rank:
            raise CertificateError("the minor's size is not the rank", rule="factor_rank")
        if rank and w_star.extract(list(rows), list(cols)).det() == 0:
            raise CertificateError("the stated minor is singular", rule="factor_rank")
        return True

    def to_text(self) -> str:
        """One line: the bound and the exact rank."""
        widths = ", ".join(str(w) for w in self.widths)
        return f"rank W* = {self.rank} <= min({widths}) = {self.bound} (the width of layer {self.narrowest})"


def rank_bound(net: Network) -> RankBound:
    """The certified bound ``rank W* <= min(p, n_1, ..., n_L, q)`` for a network with numeric weights.

    Raises NotLinearError for a non-affine activation and InvalidArgument for
    symbolic weights (their generic bound is in the generic proof's derivation).
    """
    if not isinstance(net, Network):
        raise InvalidType(f"net={net!r} of type {type(net).__name__} is not a symnet.Network")
    if not net.is_numeric:
        raise InvalidArgument(
            f"net={net!r} has symbolic weights; rank_bound needs numbers (the generic bound "
            "rank W* <= min of the widths is stated in symnet.prove(...)'s generic derivation)"
        )
    weights = [_exact(layer.weights) for layer in net.layers]
    scale = sympy.Mul(*_slopes(net))
    widths = (net.p, *net.hidden, net.q)
    bound = min(widths)
    k = widths.index(bound)
    left = (scale * _product(weights[::-1][: len(weights) - k], bound)).applyfunc(sympy.expand)
    right = _product(weights[::-1][len(weights) - k :], net.p)
    matrix = sympy.ImmutableMatrix((left * right).applyfunc(sympy.expand))
    _, pivots = matrix.T.rref()  # independent rows of W*
    rows = tuple(pivots)
    sub = matrix.extract(list(rows), list(range(matrix.cols)))
    _, col_pivots = sub.rref()
    rank = len(rows)
    return RankBound(net, matrix, widths, k, bound, rank, sympy.ImmutableMatrix(left), sympy.ImmutableMatrix(right), (rows, tuple(col_pivots)))
