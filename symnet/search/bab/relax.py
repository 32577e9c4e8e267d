"""Float bound propagation over many boxes at once (numpy): the kernel's relaxation, computed in floats.

The same steps as :mod:`symnet.kernel.verification` -- forward symbolic intervals
for the hidden neurons' bounds, then back-substitution of each output row --
batched over B boxes, so a box the search closes in floats is one the kernel
will almost always close exactly.  Untrusted: nothing here is a proof.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

from ...kernel.verification import GRID_BITS, ReluLayers

__all__ = ["FloatNet", "extremes", "hidden_bounds", "row_functions"]

Array = NDArray[np.float64]
_GRID = float(1 << GRID_BITS)


def _floor(v: Array) -> Array:
    return np.asarray(np.floor(v * _GRID) / _GRID)


def _ceil(v: Array) -> Array:
    return np.asarray(np.ceil(v * _GRID) / _GRID)


def _floats(values: list[object]) -> list[float]:
    return [float(Fraction(int(v.p), int(v.q))) for v in values]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class FloatNet:
    """A ReLU network's layers in float64: hidden (W, W+, W-, b) and the output (W, b)."""

    hidden: tuple[tuple[Array, Array, Array, Array], ...]
    out: tuple[Array, Array]

    @classmethod
    def from_layers(cls, layers: ReluLayers) -> FloatNet:
        hidden, (Wo, bo) = layers
        hs = []
        for W, _, _, b in hidden:
            w = np.array(_floats(W.entries())).reshape(W.nrows(), W.ncols())
            hs.append((w, np.maximum(w, 0.0), np.minimum(w, 0.0), np.array(_floats(b))))
        wo = np.array(_floats(Wo.entries())).reshape(Wo.nrows(), Wo.ncols())
        return cls(tuple(hs), (wo, np.array(_floats(bo))))

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


def hidden_bounds(net: FloatNet, lo: Array, hi: Array) -> list[tuple[Array, Array]]:
    """(l, u) of every hidden neuron on each box, each (B, n)."""
    B, p = lo.shape
    low = np.zeros((B, p, p + 1))
    low[:, np.arange(p), np.arange(p) + 1] = 1.0
    up = low.copy()
    out = []
    for _, Wp, Wn, b in net.hidden:
        zlow = np.matmul(Wp, low) + np.matmul(Wn, up)
        zup = np.matmul(Wp, up) + np.matmul(Wn, low)
        zlow[..., 0] += b
        zup[..., 0] += b
        lmin, lmax = extremes(zlow, lo, hi)
        umin, umax = extremes(zup, lo, hi)
        out.append((_floor(lmin), _ceil(umax)))
        unst = (umax > 0) & (umin < 0)
        a1, b1 = _floor(umin), _ceil(umax)
        s = np.where(unst, _ceil(b1 / np.where(unst, b1 - a1, 1.0)), np.where(umin >= 0, 1.0, 0.0))
        up = zup * s[..., None]
        up[..., 0] -= np.where(unst, s * a1, 0.0)
        lst = (lmin < 0) & (lmax > 0)
        alpha = np.where(lst, _floor(lmax / np.where(lst, lmax - lmin, 1.0)), np.where(lmin >= 0, 1.0, 0.0))
        low = zlow * alpha[..., None]
    return out


def row_functions(net: FloatNet, bounds: list[tuple[Array, Array]], C: Array, d: Array, B: int) -> Array:
    """``[const, coeffs...]`` (B, R, p+1) of affine lower bounds of the rows ``C y + d`` on each of B boxes."""
    Wo, bo = net.out
    A = np.broadcast_to(C @ Wo, (B, *(C @ Wo).shape)).copy()
    const = np.broadcast_to(C @ bo + d, (B, C.shape[0])).copy()
    for (W, _, _, b), (l, u) in zip(reversed(net.hidden), reversed(bounds), strict=True):
        active, unst = l >= 0, (l < 0) & (u > 0)
        s = np.where(unst, _ceil(u / np.where(unst, u - l, 1.0)), 0.0)
        lows = np.where(active, 1.0, np.where(unst & (u >= -l), 1.0, 0.0))[:, None, :]
        ups = np.where(active, 1.0, s)[:, None, :]
        upc = np.where(unst, -s * l, 0.0)[:, None, :]
        pos = A > 0
        new = np.where(pos, A * lows, A * ups)
        const += np.sum(np.where(pos, 0.0, A * upc), axis=-1) + new @ b
        A = new @ W
    return np.concatenate([const[..., None], A], axis=-1)
