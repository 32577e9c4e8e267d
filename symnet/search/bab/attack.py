"""A counterexample search inside boxes: projected (signed) gradient descent on the violation's margin, in floats.

The margin of a point is ``min over disjuncts j of max over j's rows k of
c_jk . f(x) + d_jk``: the point violates the property when it is <= 0.  From
given start points, :func:`pgd` takes signed-gradient steps that shrink the
margin, each projected back onto its box, and returns the best point found per
start and its margin.  Untrusted: the search confirms every candidate with the
exact forward pass before reporting it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .relax import Array, FloatNet

__all__ = ["margins", "pgd"]


def margins(net: FloatNet, C: Array, d: Array, groups: Sequence[Sequence[int]], x: Array) -> tuple[Array, Array]:
    """The margin of each point of ``x`` (N, p), and its gradient in x (N, p) (of the active row)."""
    N = x.shape[0]
    masks = []
    u = x
    for W, _, _, b in net.hidden:
        z = u @ W.T + b
        masks.append(z > 0)
        u = np.maximum(z, 0.0)
    Wo, bo = net.out
    V = (u @ Wo.T + bo) @ C.T + d  # (N, rows)
    per = np.full((N, len(groups)), np.inf)
    arg = np.zeros((N, len(groups)), dtype=np.int64)
    for j, rows in enumerate(groups):
        if len(rows):
            r = list(rows)
            per[:, j] = V[:, r].max(axis=1)
            arg[:, j] = np.asarray(r)[V[:, r].argmax(axis=1)]
    jbest = per.argmin(axis=1)
    row = arg[np.arange(N), jbest]
    g = (C @ Wo)[row]  # (N, n_last): the active row's coefficients on the last hidden layer
    for (W, _, _, _), m in zip(reversed(net.hidden), reversed(masks), strict=True):
        g = (g * m) @ W
    return per[np.arange(N), jbest], g


def pgd(
    net: FloatNet,
    C: Array,
    d: Array,
    groups: Sequence[Sequence[int]],
    x0: Array,
    lo: Array,
    hi: Array,
    steps: int = 24,
) -> tuple[Array, Array]:
    """From the starts ``x0`` (N, p) in the boxes ``lo``, ``hi`` (N, p): the best point per start and its margin.

    Signed-gradient steps of a tenth of the box's width, shrinking by 0.75 a step, clipped to the box.
    """
    x = np.clip(x0, lo, hi)
    width = hi - lo
    best_m, g = margins(net, C, d, groups, x)
    best_x = x
    step = 0.1 * width
    for _ in range(steps):
        x = np.clip(x - step * np.sign(g), lo, hi)
        m, g = margins(net, C, d, groups, x)
        better = m < best_m
        best_m = np.where(better, m, best_m)
        best_x = np.where(better[:, None], x, best_x)
        step = 0.75 * step
    return best_x, best_m
