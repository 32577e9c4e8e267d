"""alpha-CROWN for the output rows: lower slopes of the unstable neurons optimised per box and disjunct (numpy).

The kernel bounds an unstable ReLU (l < 0 < u) below by ``alpha z`` in the
back-substitution of a proof's output rows; by default alpha = 1 if u >= -l
else 0, but any alpha in [0, 1] is sound, and a proof may list its own
(:mod:`symnet.kernel.verification`, the proofs' ``slopes``).  Here, for a batch
of boxes and one disjunct, projected gradient ascent (Adam steps) on the slopes
and on the rows' multipliers (a point of the simplex) raises
``min over the box of sum_k lambda_k f_k(x)``, the f_k being the rows'
back-substituted lower bounds; the intermediate bounds stay those of
:func:`.relax.hidden_bounds`.  The slopes end on the grid 2^-GRID_BITS, and the
functions are recomputed with them by the same steps as :func:`.relax._backsub`
(the kernel's), so the search and the kernel agree.  Untrusted: nothing here is a proof.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ...kernel.verification import GRID_BITS
from .relax import Array, FloatNet

__all__ = ["default_slopes", "lower", "optimise"]

_GRID = float(1 << GRID_BITS)
Bounds = list[tuple[Array, Array]]
Mask = NDArray[np.bool_]
#: Per hidden layer, the slopes (B, n) of its neurons (only the unstable ones matter).
Slopes = list[Array]


def default_slopes(bounds: Bounds) -> Slopes:
    """The kernel's default lower slopes: 1 where u >= -l, else 0 (per layer, (B, n))."""
    return [np.where(u >= -l, 1.0, 0.0) for l, u in bounds]


def _layer(l: Array, u: Array, alpha: Array) -> tuple[Array, Array, Array, Mask]:
    """(lower slopes, upper slopes, upper constants, unstable mask) of a layer, each (B, n)."""
    active, unst = l >= 0, (l < 0) & (u > 0)
    s = np.where(unst, np.ceil(u / np.where(unst, u - l, 1.0) * _GRID) / _GRID, 0.0)
    lows = np.where(active, 1.0, np.where(unst, alpha, 0.0))
    ups = np.where(active, 1.0, s)
    return lows, ups, np.where(unst, -s * l, 0.0), unst


def lower(hidden: Any, bounds: Bounds, A: Array, const: Array, alpha: Slopes, trace: list[Any] | None = None) -> Array:
    """``[const, coeffs...]`` (B, R, p+1) of lower bounds of ``A h + const`` with the lower slopes ``alpha``.

    With the default slopes, the same numbers as :func:`.relax._backsub` (the kernel's steps in floats).
    ``trace`` (a list) receives what :func:`_grad` needs.
    """
    B, R = A.shape[0], A.shape[1]
    for i in reversed(range(len(hidden))):
        W, b = hidden[i][0], hidden[i][3]
        l, u = bounds[i]
        lows, ups, upc, unst = _layer(l, u, alpha[i])
        pos = A > 0
        S = np.where(pos, lows[:, None, :], ups[:, None, :])
        new = A * S
        if trace is not None:
            trace.append((A, S, pos, unst, upc))
        const = const + np.einsum("brn,bn->br", np.minimum(A, 0.0), upc) + new @ b
        A = (new.reshape(B * R, -1) @ W).reshape(B, R, -1)
    return np.concatenate([const[..., None], A], axis=-1)


def _grad(hidden: Any, trace: list[Any], gA: Array, gc: Array) -> Slopes:
    """The gradient of ``sum gc * const + sum gA * coeffs`` (of :func:`lower`'s result) in the slopes.

    The back-substitution's last step (the first layer) is differentiated first; the sign pattern of each
    step's coefficients is held fixed (the function is piecewise smooth in the slopes).
    """
    L = len(hidden)
    grads: Slopes = [np.zeros(0)] * L
    for i in range(L):
        A, S, pos, unst, upc = trace[L - 1 - i]
        W, b = hidden[i][0], hidden[i][3]
        B, R = A.shape[0], A.shape[1]
        gnew = (gA.reshape(B * R, -1) @ W.T).reshape(B, R, -1) + gc[..., None] * b
        grads[i] = np.einsum("brn,brn->bn", gnew, np.where(pos, A, 0.0)) * unst
        gA = gnew * S + gc[..., None] * np.where(A < 0, upc[:, None, :], 0.0)
    return grads


def _minimiser(G: Array, lo: Array, hi: Array) -> Array:
    """The corner (B, p) minimising each combined function ``G`` (B, p+1) over its box."""
    return np.where(G[:, 1:] > 0, lo, hi)


def _simplex(v: Array) -> Array:
    """Euclidean projection of each row of v (B, R) onto the probability simplex."""
    R = v.shape[1]
    s = -np.sort(-v, axis=1)
    css = np.cumsum(s, axis=1) - 1.0
    k = np.arange(1, R + 1)
    cond = s - css / k > 0
    rho = R - 1 - np.argmax(cond[:, ::-1], axis=1)
    theta = css[np.arange(v.shape[0]), rho] / (rho + 1)
    return np.asarray(np.maximum(v - theta[:, None], 0.0))


def _value(F: Array, lam: Array, lo: Array, hi: Array) -> tuple[Array, Array, Array]:
    """(per box: max of the best row's and the lam-combination's minimum over the box; the per-row minima;
    the combination's minimising corner)."""
    rows = F[..., 0] + np.einsum("brp,bp->br", np.maximum(F[..., 1:], 0), lo)
    rows = rows + np.einsum("brp,bp->br", np.minimum(F[..., 1:], 0), hi)
    G = np.einsum("br,brp->bp", lam, F)
    x = _minimiser(G, lo, hi)
    comb = G[:, 0] + np.einsum("bp,bp->b", G[:, 1:], x)
    return np.maximum(rows.max(axis=1), comb), rows, x


def _grid(alpha: Slopes) -> Slopes:
    return [np.clip(np.round(a * _GRID) / _GRID, 0.0, 1.0) for a in alpha]


def optimise(
    net: FloatNet,
    bounds: Bounds,
    A: Array,
    const: Array,
    lo: Array,
    hi: Array,
    start: Slopes | None = None,
    steps: int = 10,
    lr: float = 0.25,
) -> tuple[Slopes, Array, Array]:
    """Slopes on the grid raising ``max_lambda min_box sum_k lambda_k f_k`` for each box (rows A h + const).

    ``A`` (B, R, n_last), ``const`` (B, R): one disjunct's rows on the last hidden layer; ``start``: initial
    slopes (e.g. the parent box's).  Returns (the slopes, the functions with them (B, R, p+1), the value per
    box): per box the best of the default slopes, the starting ones and every step's.
    """
    hidden = net.hidden
    B, R = A.shape[0], A.shape[1]
    unst = [(l < 0) & (u > 0) for l, u in bounds]
    best = default_slopes(bounds)
    F = lower(hidden, bounds, A, const, best)
    lam = np.full((B, R), 1.0 / R)
    best_val, rows, _ = _value(F, lam, lo, hi)
    lam = np.where(rows >= rows.max(axis=1, keepdims=True), 1.0, 0.0)
    lam = lam / lam.sum(axis=1, keepdims=True)
    best_F = F
    alpha = best
    if start is not None:
        alpha = _grid(start)
    m = [np.zeros_like(a) for a in alpha]
    v = [np.zeros_like(a) for a in alpha]
    for t in range(1, steps + 2):
        trace: list[Any] = []
        F = lower(hidden, bounds, A, const, alpha, trace)
        val, _, x = _value(F, lam, lo, hi)
        better = val > best_val
        best_val = np.where(better, val, best_val)
        best_F = np.where(better[:, None, None], F, best_F)
        best = [np.where(better[:, None], a, b) for a, b in zip(alpha, best, strict=True)]
        if t == steps + 1:
            break
        grads = _grad(hidden, trace, lam[..., None] * x[:, None, :], lam)
        if R > 1:
            fx = F[..., 0] + np.einsum("brp,bp->br", F[..., 1:], x)
            lam = _simplex(lam + lr * fx / (np.abs(fx).max(axis=1, keepdims=True) + 1e-12))
        for i, g in enumerate(grads):
            m[i] = 0.9 * m[i] + 0.1 * g
            v[i] = 0.999 * v[i] + 0.001 * g * g
            step = lr * (m[i] / (1 - 0.9**t)) / (np.sqrt(v[i] / (1 - 0.999**t)) + 1e-12)
            alpha[i] = np.where(unst[i], alpha[i] + step, alpha[i])
        alpha = _grid(alpha)
    return best, best_F, best_val
