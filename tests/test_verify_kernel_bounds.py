"""The kernel's hidden-neuron bounds (interval bounds intersected with back-substitution) are sound, and the
search's float mirror (search/bab/relax.py) computes the same ones.

The oracle is a plain Fraction forward pass (tests/forward.py's arithmetic, here keeping the pre-activations):
at the box's corners, random points and each bound's minimiser, every exact pre-activation lies within the
kernel's bounds and every output row is at least its lower bound.
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from flint import fmpq

import symnet
from symnet.kernel import verification as kv
from symnet.kernel.regions_cert import network_pieces
from symnet.search.bab import relax as fr


def _case(seed: int) -> tuple[Any, ...]:
    rng = random.Random(seed)
    sizes = [rng.randint(1, 4)] + [rng.randint(2, 7) for _ in range(rng.randint(2, 4))] + [rng.randint(1, 2)]
    W = [
        [[Fraction(rng.uniform(-1.5, 1.5)) for _ in range(a)] for _ in range(b)]
        for a, b in zip(sizes, sizes[1:], strict=False)
    ]
    B = [[Fraction(rng.uniform(-1, 1)) for _ in range(b)] for b in sizes[1:]]
    box = []
    for _ in range(sizes[0]):
        lo = Fraction(rng.randint(-16, 8), 8)
        box.append((lo, lo + Fraction(rng.randint(1, 24), 8)))
    rows = [([Fraction(rng.randint(-3, 3)) for _ in range(sizes[-1])], Fraction(rng.randint(-4, 4))) for _ in "ab"]
    return W, B, box, rows, rng


def _pre_activations(W: Any, B: Any, x: list[Fraction]) -> tuple[list[list[Fraction]], list[Fraction]]:
    u, pre = list(x), []
    for w, b in zip(W[:-1], B[:-1], strict=True):
        z = [bk + sum((wk[j] * u[j] for j in range(len(u))), Fraction(0)) for wk, bk in zip(w, b, strict=True)]
        pre.append(z)
        u = [max(v, Fraction(0)) for v in z]
    y = [bk + sum((wk[j] * u[j] for j in range(len(u))), Fraction(0)) for wk, bk in zip(W[-1], B[-1], strict=True)]
    return pre, y


def _f(v: fmpq) -> Fraction:
    return Fraction(int(v.p), int(v.q))


# the quick loop draws 10 of the 40 cases, as tests/budget.py cuts the Hypothesis tests; CI runs all 40
@pytest.mark.parametrize("seed", [s if s < 10 else pytest.param(s, marks=pytest.mark.slow) for s in range(40)])
def test_hidden_bounds_and_rows_are_sound(seed: int) -> None:
    W, B, box, rows, rng = _case(seed)
    layers = kv.relu_layers(network_pieces(symnet.Network.from_matrices(W, B, "relu")))
    qbox = [(fmpq(lo.numerator, lo.denominator), fmpq(hi.numerator, hi.denominator)) for lo, hi in box]
    qrows = [(tuple(fmpq(int(c)) for c in r[0]), fmpq(int(r[1]))) for r in rows]
    relaxed = kv.relax(layers[0], qbox)
    gs = kv.leaf_rows(layers, qbox, qrows, relaxed)
    points = [[lo if rng.random() < 0.5 else hi for lo, hi in box] for _ in range(8)]
    points += [[lo + (hi - lo) * Fraction(rng.randint(0, 64), 64) for lo, hi in box] for _ in range(60)]
    points += [[lo if _f(c) > 0 else hi for c, (lo, hi) in zip(g[1:], box, strict=True)] for g in gs]
    for x in points:
        pre, y = _pre_activations(W, B, x)
        for z, lu in zip(pre, relaxed[0], strict=True):
            for zk, (l, u) in zip(z, lu, strict=True):
                assert zk <= _f(u)
                assert zk >= _f(l) or _f(u) <= 0  # a dead neuron's lower bound is not computed
        for (c, d), g in zip(rows, gs, strict=True):
            gx = _f(g[0]) + sum((_f(a) * xi for a, xi in zip(g[1:], x, strict=True)), Fraction(0))
            assert sum((ci * yi for ci, yi in zip(c, y, strict=True)), d) >= gx


@pytest.mark.parametrize("seed", range(40))
def test_the_float_mirror_computes_the_kernels_bounds(seed: int) -> None:
    W, B, box, _, _ = _case(seed)
    layers = kv.relu_layers(network_pieces(symnet.Network.from_matrices(W, B, "relu")))
    qbox = [(fmpq(lo.numerator, lo.denominator), fmpq(hi.numerator, hi.denominator)) for lo, hi in box]
    exact = kv.relax(layers[0], qbox)[0]
    fnet = fr.FloatNet.from_layers(layers)
    got = fr.hidden_bounds(fnet, np.array([[float(a) for a, _ in box]]), np.array([[float(b) for _, b in box]]))
    for lu, (fl, fu) in zip(exact, got, strict=True):
        u = np.array([float(v) for _, v in lu])
        assert np.allclose(fu[0], u, atol=1e-6)
        live = u > 0  # the lower bound of a dead neuron is not used (and not computed by back-substitution)
        assert np.allclose(fl[0][live], np.array([float(v) for v, _ in lu])[live], atol=1e-6)


def test_cases_have_neurons_the_interval_bounds_leave_unstable_and_back_substitution_settles() -> None:
    """Some neurons of the cases are unstable by interval bounds but stable after back-substitution."""
    settled = 0
    for seed in range(40):
        W, B, box, _, _ = _case(seed)
        layers = kv.relu_layers(network_pieces(symnet.Network.from_matrices(W, B, "relu")))
        qbox = [(fmpq(lo.numerator, lo.denominator), fmpq(hi.numerator, hi.denominator)) for lo, hi in box]
        bounds = kv.relax(layers[0], qbox)[0]
        for i in range(1, len(bounds)):
            ibp = kv._intervals(layers[0][i], [(max(l, fmpq(0)), max(u, fmpq(0))) for l, u in bounds[i - 1]])
            settled += sum(il < 0 < iu and not l < 0 < u for (il, iu), (l, u) in zip(ibp, bounds[i], strict=True))
    assert settled >= 5
