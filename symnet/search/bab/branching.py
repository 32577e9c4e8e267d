"""Which input to split: strong branching (bound both halves of every input, in one float batch) or a smear score.

:func:`strong` bounds, for each of B boxes and each of its p inputs, the two
halves of the box split at that input's midpoint, all 2 B p of them in one
numpy batch (:mod:`.relax`, default CROWN), and picks per box the input whose
two halves have the best bounds (summed) on the still open disjuncts.  :func:`smear` is the
cheap rule: the width of each input times its weight in the open disjuncts' bounds.
Untrusted: this only orders the search.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .relax import Array, FloatNet, extremes, hidden_bounds, row_functions

__all__ = ["smear", "strong"]
import os

_W = float(os.environ.get("SW", "0"))


def smear(dirs: Sequence[Array], lo: Array, hi: Array) -> Array:
    """Per input: its width times the summed magnitude of its coefficient in ``dirs`` (the open disjuncts' rows)."""
    width = hi - lo
    return np.asarray(sum((np.abs(g) * width for g in dirs), np.zeros_like(width)) + 1e-12 * width)


def strong(
    net: FloatNet,
    C: Array,
    d: Array,
    groups: Sequence[Sequence[int]],
    opened: Array,
    lo: Array,
    hi: Array,
    parent: Array | None = None,
) -> Array:
    """Per box, a score per input (higher: better to split there), from bounding both halves.

    ``groups``: the property's rows per disjunct; ``opened`` (B, J) marks the disjuncts still open on each box;
    ``lo``, ``hi`` (B, p); ``parent`` (B, R, p+1): the rows' bounds on the boxes themselves, which hold on
    the halves too (a half's own CROWN bound can be worse than its parent's: the default slopes change with
    the neurons' bounds), so a half's bound is the better of the two.  The score of input i is, summed over
    the open disjuncts and the two halves, the half's best row bound capped at 0 (a closed half counts as
    0); an input of zero width scores -inf.  (Scoring by the worse half alone was measured worse: it keeps
    halving narrow inputs; so was bounding the halves with their parent's neuron bounds, 7x more boxes.)
    """
    B, p = lo.shape
    mid = (lo + hi) / 2
    idx = np.arange(p)
    # children: for box b, input i, side s: index (b * p + i) * 2 + s
    clo = np.repeat(lo[:, None, :], p, axis=1).copy()
    chi = np.repeat(hi[:, None, :], p, axis=1).copy()
    llo, lhi, rlo, rhi = clo.copy(), chi.copy(), clo.copy(), chi.copy()
    lhi[:, idx, idx] = mid
    rlo[:, idx, idx] = mid
    LO = np.stack([llo, rlo], axis=2).reshape(B * p * 2, p)
    HI = np.stack([lhi, rhi], axis=2).reshape(B * p * 2, p)
    F = row_functions(net, hidden_bounds(net, LO, HI), C, d, B * p * 2)
    mins = extremes(F, LO, HI)[0]
    if parent is not None:
        mins = np.maximum(mins, extremes(np.repeat(parent, 2 * p, axis=0), LO, HI)[0])
    mins = mins.reshape(B, p, 2, -1)
    score = np.zeros((B, p))
    for j, rows in enumerate(groups):
        if not len(rows):
            continue
        best = np.minimum(mins[..., list(rows)].max(axis=-1), 0.0)  # (B, p, 2)
        score += opened[:, j, None] * best.sum(axis=-1)
    return np.where(hi - lo > 0, score, -np.inf)
