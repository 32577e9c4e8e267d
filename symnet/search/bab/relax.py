"""Float bound propagation over many boxes at once (numpy): the kernel's relaxation, computed in floats.

The same steps as :mod:`symnet.kernel.verification` -- interval bounds and
back-substitution (CROWN) for the hidden neurons' bounds, layer by layer, then
back-substitution for each output row --
batched over B boxes, so a box the search closes in floats is one the kernel
will almost always close exactly.  Untrusted: nothing here is a proof.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from flint import fmpq
from numpy.typing import NDArray

from ...kernel.verification import GRID_BITS, ReluLayers

__all__ = ["FloatNet", "extremes", "hidden_bounds", "row_functions", "slope_triples"]

Array = NDArray[np.float64]
_GRID = float(1 << GRID_BITS)


def _floor(v: Array) -> Array:
    return np.asarray(np.floor(v * _GRID) / _GRID)


def _ceil(v: Array) -> Array:
    return np.asarray(np.ceil(v * _GRID) / _GRID)


def _floats(values: Sequence[Any]) -> Array:
    return np.array([float(Fraction(int(v.p), int(v.q))) for v in values], dtype=np.float64)


def _split(aug: Any) -> tuple[Array, Array]:
    """(W, b) in float64 of a layer's ``[[1, 0], [b, W]]`` over QQ."""
    a = _floats(aug.entries()).reshape(aug.nrows(), aug.ncols())
    return np.ascontiguousarray(a[1:, 1:]), np.ascontiguousarray(a[1:, 0])


@dataclass(frozen=True)
class FloatNet:
    """A ReLU network's layers in float64: hidden (W, W+, W-, b) and the output (W, b)."""

    hidden: tuple[tuple[Array, Array, Array, Array], ...]
    out: tuple[Array, Array]

    @classmethod
    def from_layers(cls, layers: ReluLayers) -> FloatNet:
        hidden, out = layers
        hs = []
        for fixed in hidden:
            w, b = _split(fixed.aug)
            hs.append((w, np.maximum(w, 0.0), np.minimum(w, 0.0), b))
        return cls(tuple(hs), _split(out))

    def __call__(self, x: Array) -> Array:
        """The outputs at the points ``x`` (N, p)."""
        u = x
        for W, _, _, b in self.hidden:
            u = np.maximum(u @ W.T + b, 0.0)
        return np.asarray(u @ self.out[0].T + self.out[1])


def extremes(F: Array, lo: Array, hi: Array) -> tuple[Array, Array]:
    """min and max over each box of the affine functions ``F[b, k] = [const, coeffs...]`` (lo, hi: (B, p))."""
    c = F[..., 1:]
    cp, cn = np.maximum(c, 0.0), np.minimum(c, 0.0)
    mn = F[..., 0] + np.einsum("bnp,bp->bn", cp, lo) + np.einsum("bnp,bp->bn", cn, hi)
    mx = F[..., 0] + np.einsum("bnp,bp->bn", cp, hi) + np.einsum("bnp,bp->bn", cn, lo)
    return mn, mx


def _backsub(
    hidden: Any, bounds: list[tuple[Array, Array]], A: Array, const: Array, slopes: Sequence[Array] | None = None
) -> Array:
    """``[const, coeffs...]`` (B, R, p+1) over x of lower bounds of ``A h + const`` (h: the last hidden outputs);
    ``slopes[i]`` (B, n): the lower slopes of layer i's unstable neurons (else 1 if u >= -l, 0 otherwise)."""
    B, R = A.shape[0], A.shape[1]
    alphas = [None] * len(hidden) if slopes is None else list(slopes)
    for (W, _, _, b), (l, u), alpha in zip(reversed(hidden), reversed(bounds), reversed(alphas), strict=True):
        active, unst = l >= 0, (l < 0) & (u > 0)
        s = np.where(unst, _ceil(u / np.where(unst, u - l, 1.0)), 0.0)
        default = np.where(u >= -l, 1.0, 0.0) if alpha is None else alpha
        lows = np.where(active, 1.0, np.where(unst, default, 0.0))[:, None, :]
        ups = np.where(active, 1.0, s)[:, None, :]
        upc = np.where(unst, -s * l, 0.0)
        new = A * np.where(A > 0, lows, ups)
        const = const + np.einsum("brn,bn->br", np.minimum(A, 0.0), upc) + new @ b
        A = (new.reshape(B * R, -1) @ W).reshape(B, R, -1)
    return np.concatenate([const[..., None], A], axis=-1)


def hidden_bounds(net: FloatNet, lo: Array, hi: Array) -> list[tuple[Array, Array]]:
    """(l, u) of every hidden neuron on each box, each (B, n): the kernel's rule (:func:`~symnet.kernel.
    verification.relax`) -- interval bounds from the layer below, intersected with back-substitution (CROWN)
    for the neurons they leave unstable (the lower bound only where the upper one stays positive)."""
    B = lo.shape[0]
    out: list[tuple[Array, Array]] = []
    for i, (W, Wp, Wn, b) in enumerate(net.hidden):
        n = W.shape[0]
        if i == 0:
            F = np.broadcast_to(np.concatenate([b[:, None], W], axis=1), (B, n, W.shape[1] + 1))
            mn, mx = extremes(F, lo, hi)
            out.append((_floor(mn), _ceil(mx)))
            continue
        pl, pu = np.maximum(out[-1][0], 0.0), np.maximum(out[-1][1], 0.0)
        il, iu = _floor(pl @ Wp.T + pu @ Wn.T + b), _ceil(pu @ Wp.T + pl @ Wn.T + b)
        A = np.broadcast_to(np.concatenate([W, -W]), (B, 2 * n, W.shape[1]))
        c = np.broadcast_to(np.concatenate([b, -b]), (B, 2 * n))
        mn = extremes(_backsub(net.hidden[:i], out, A, c), lo, hi)[0]
        unst = (il < 0) & (iu > 0)
        u = np.where(unst, np.minimum(iu, _ceil(-mn[:, n:])), iu)
        out.append((np.where(unst & (u > 0), np.maximum(il, _floor(mn[:, :n])), il), u))
    return out


def row_functions(
    net: FloatNet,
    bounds: list[tuple[Array, Array]],
    C: Array,
    d: Array,
    B: int,
    slopes: Sequence[Array] | None = None,
) -> Array:
    """``[const, coeffs...]`` (B, R, p+1) of affine lower bounds of the rows ``C y + d`` on each of B boxes.

    ``slopes``: per hidden layer, a (B, n) array of lower slopes in [0, 1] for the neurons unstable on each
    box (ignored on the others), as a proof's ``slopes`` (:func:`symnet.kernel.verification.leaf_rows`);
    on the grid 2^-GRID_BITS they give the kernel's numbers.
    """
    Wo, bo = net.out
    A = np.broadcast_to(C @ Wo, (B, *(C @ Wo).shape))
    const = np.broadcast_to(C @ bo + d, (B, C.shape[0]))
    return _backsub(net.hidden, bounds, A, const, slopes)


def slope_triples(slopes: Sequence[Array], bounds: list[tuple[Array, Array]], b: int) -> list[tuple[int, int, Any]]:
    """Box ``b``'s slopes as a proof states them: ``(layer, neuron, alpha)`` for the neurons unstable in
    ``bounds`` (in order), alpha rounded to the grid 2^-GRID_BITS and into [0, 1], an exact rational."""
    out: list[tuple[int, int, Any]] = []
    for i, (a, (l, u)) in enumerate(zip(slopes, bounds, strict=True)):
        for k in np.flatnonzero((l[b] < 0) & (u[b] > 0)):
            v = min(max(round(float(a[b, k]) * _GRID), 0), 1 << GRID_BITS)
            out.append((i, int(k), fmpq(v, 1 << GRID_BITS)))
    return out
