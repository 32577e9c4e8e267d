"""The search side of symnet.verify (issue 21): alpha-CROWN slopes, strong branching, the PGD counterexample search.

Independent routes: the float bounds are checked against numpy forward passes at
sampled points (a lower bound must be below the network's value), the slopes'
gradient against finite differences, the proofs with slopes against the kernel,
and a planted violation against its hand-derived location.
"""

from __future__ import annotations

import json
import time
from fractions import Fraction

import numpy as np
import pytest

import symnet
from symnet.search.bab import alpha, attack, relax, search
from symnet.search.bab.problem import prepared
from symnet.search.bab.verify import _problem
from symnet.search.vnnlib import VnnProperty
from tests.test_verify import _net


def _boxes(rng: np.random.Generator, B: int, p: int) -> tuple[np.ndarray, np.ndarray]:
    lo = rng.uniform(-1, 0.5, (B, p))
    return lo, lo + rng.uniform(0.05, 0.5, (B, p))


def _rows(fnet: relax.FloatNet, B: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    C, d = np.array([[1.0], [-1.0]]), np.array([0.25, 0.5])
    Wo, bo = fnet.out
    return C, d, np.broadcast_to(C @ Wo, (B, 2, Wo.shape[1])), np.broadcast_to(C @ bo + d, (B, 2))


def test_default_slopes_are_the_kernel_mirror_and_any_slopes_stay_sound() -> None:
    rng = np.random.default_rng(1)
    net = _net(3, [12, 12, 12], 4)
    prep = prepared(_problem(net, VnnProperty(3, 1, [(Fraction(-1), Fraction(1))] * 3, [[([Fraction(1)], 0)]])))
    fnet = prep.fnet
    lo, hi = _boxes(rng, 16, 3)
    bounds = relax.hidden_bounds(fnet, lo, hi)
    C, d, A, const = _rows(fnet, 16)
    F0 = alpha.lower(fnet.hidden, bounds, A, const, alpha.default_slopes(bounds))
    assert np.array_equal(F0, relax.row_functions(fnet, bounds, C, d, 16))
    slopes = [np.round(rng.random(l.shape) * 2**30) / 2**30 for l, _ in bounds]
    F1 = alpha.lower(fnet.hidden, bounds, A, const, slopes)
    assert np.array_equal(F1, relax.row_functions(fnet, bounds, C, d, 16, slopes))
    # sound: below the rows' values at points of each box (numpy's own forward pass, written out here)
    W = [np.array(w, dtype=float) for w in (fnet.hidden[0][0], fnet.hidden[1][0], fnet.hidden[2][0], fnet.out[0])]
    bs = [fnet.hidden[0][3], fnet.hidden[1][3], fnet.hidden[2][3], fnet.out[1]]
    for b in range(16):
        X = lo[b] + (hi[b] - lo[b]) * rng.random((200, 3))
        u = X
        for w, c in zip(W[:-1], bs[:-1], strict=True):
            u = np.maximum(u @ w.T + c, 0)
        rows = (u @ W[-1].T + bs[-1]) @ C.T + d
        for F in (F0, F1):
            assert np.all(F[b, :, 0] + X @ F[b, :, 1:].T <= rows + 1e-9)


def test_slope_gradient_matches_finite_differences() -> None:
    rng = np.random.default_rng(2)
    net = _net(2, [10, 10, 10], 5)
    prep = prepared(_problem(net, VnnProperty(2, 1, [(Fraction(-1), Fraction(1))] * 2, [[([Fraction(1)], 0)]])))
    lo, hi = _boxes(rng, 4, 2)
    bounds = relax.hidden_bounds(prep.fnet, lo, hi)
    _, _, A, const = _rows(prep.fnet, 4)
    slopes = [rng.random(l.shape) for l, _ in bounds]
    trace: list[object] = []
    F = alpha.lower(prep.fnet.hidden, bounds, A, const, slopes, trace)
    gA, gc = rng.standard_normal(F[..., 1:].shape), rng.standard_normal(F[..., 0].shape)
    grads = alpha._grad(prep.fnet.hidden, trace, gA, gc)

    def objective(s: list[np.ndarray]) -> float:
        G = alpha.lower(prep.fnet.hidden, bounds, A, const, s)
        return float((G[..., 0] * gc).sum() + (G[..., 1:] * gA).sum())

    checked = 0
    for i, (l, u) in enumerate(bounds):
        for b, n in np.argwhere((l < 0) & (u > 0))[:3]:
            moved = [s.copy() for s in slopes]
            moved[i][b, n] += 1e-6
            assert abs((objective(moved) - objective(slopes)) / 1e-6 - grads[i][b, n]) < 1e-4 * (
                1 + abs(grads[i][b, n])
            )
            checked += 1
    assert checked >= 3


def test_optimised_slopes_never_lose_and_gain_on_some_box() -> None:
    rng = np.random.default_rng(3)
    net = _net(2, [16, 16, 16], 6)
    prep = prepared(_problem(net, VnnProperty(2, 1, [(Fraction(-1), Fraction(1))] * 2, [[([Fraction(1)], 0)]])))
    lo, hi = _boxes(rng, 32, 2)
    bounds = relax.hidden_bounds(prep.fnet, lo, hi)
    _, _, A, const = _rows(prep.fnet, 32)
    default = relax.extremes(alpha.lower(prep.fnet.hidden, bounds, A, const, alpha.default_slopes(bounds)), lo, hi)
    best, F, value = alpha.optimise(prep.fnet, bounds, A, const, lo, hi)
    assert all(np.array_equal(s, np.round(s * 2**30) / 2**30) and s.min() >= 0 and s.max() <= 1 for s in best)
    mins = relax.extremes(F, lo, hi)[0]
    assert np.all(mins.max(axis=1) >= default[0].max(axis=1) - 1e-12)
    assert np.any(mins.max(axis=1) > default[0].max(axis=1) + 1e-6)


def _tent() -> symnet.Network:
    """y = 1 - 10 (|x0 - 3/10| + |x1 + 2/5|) on R^2, written with four ReLUs."""
    W1 = [[1, 0], [-1, 0], [0, 1], [0, -1]]
    b1 = [Fraction(-3, 10), Fraction(3, 10), Fraction(2, 5), Fraction(-2, 5)]
    return symnet.Network.from_matrices([W1, [[-10, -10, -10, -10]]], [b1, [1]], "relu")


def test_pgd_finds_a_planted_violation_the_corner_attack_misses() -> None:
    # violation y >= 9/10: only the diamond |x0 - 3/10| + |x1 + 2/5| <= 1/100 (by hand), away from the centre
    # and the corners of the box [-1, 1]^2, which give y = 1 - 10 * 0.7 = -6 and less
    prop = VnnProperty(2, 1, [(Fraction(-1), Fraction(1))] * 2, [[([Fraction(-1)], Fraction(9, 10))]])
    prep = prepared(_problem(_tent(), prop))
    s = search._Search(prep, time.time() + 60, lambda: False, lambda *a: None)
    rec = search.Rec("open", [], box=search.fmpq_box(prep.problem.box))
    lo, hi = np.array([[-1.0, -1.0]]), np.array([[1.0, 1.0]])
    F = relax.row_functions(prep.fnet, relax.hidden_bounds(prep.fnet, lo, hi), prep.C, prep.d, 1)
    assert not s.attack([rec], F, lo, hi)
    assert s.descend([rec], [[F[0, 0, 1:]]], lo, hi)
    assert s.out.counterexample is not None
    x = search.fraction_point(s.out.counterexample)
    assert abs(x[0] - Fraction(3, 10)) + abs(x[1] + Fraction(2, 5)) <= Fraction(1, 100)
    x_, m = attack.pgd(prep.fnet, prep.C, prep.d, [range(1)], np.zeros((1, 2)), lo, hi)
    assert m[0] <= 0 and abs(x_[0, 0] - 0.3) + abs(x_[0, 1] + 0.4) <= 0.01


def test_violation_found_before_the_depth_limit() -> None:
    """The open item: a violated property with a small margin ends "violated" with workers=1, not "unknown"."""
    prop = VnnProperty(2, 1, [(Fraction(-1), Fraction(1))] * 2, [[([Fraction(-1)], Fraction(999, 1000))]])
    v = symnet.verify(_tent(), prop, workers=1, timeout=60)
    assert v.status == "violated" and v.check() is True
    x = v.counterexample
    assert x is not None and abs(x[0] - Fraction(3, 10)) + abs(x[1] + Fraction(2, 5)) <= Fraction(1, 10000)


@pytest.mark.slow
def test_alpha_proofs_carry_slopes_the_kernel_accepts() -> None:
    """A property whose proof uses optimised slopes: the document carries them and the kernel accepts it."""
    net = _net(2, [16, 16, 16], 1)
    box = [(Fraction(-1), Fraction(1))] * 2
    top = Fraction(str(symnet.bound(net, box).maximum[0]))  # the exact maximum (region enumeration)
    prop = VnnProperty(2, 1, box, [[([Fraction(-1)], top + Fraction(1, 1000))]])
    v = symnet.verify(net, prop, workers=1, timeout=120)
    assert v.status == "holds" and v.check() is True
    text = v.to_json()
    with_slopes = [proof for node in json.loads(text)["tree"] for proof in node[-1] if len(proof) == 3]
    assert with_slopes
    for proof in with_slopes:
        keys = [(layer, neuron) for layer, neuron, _ in proof[2]]
        assert keys == sorted(set(keys)) and all(0 <= Fraction(value) <= 1 for _, _, value in proof[2])
    assert symnet.Verdict.from_json(text).check() is True
    assert symnet.verify(net, prop, workers=1, timeout=120).to_json() == text  # deterministic


def test_strong_branching_closes_a_near_threshold_case_in_few_boxes() -> None:
    """y <= min - 1e-6 on 2 -> [16, 16] -> 1 (the quick near-threshold test's network): the old rule (width times
    influence) kept halving x0 to the depth limit 160 (1,594 boxes closed, "unknown"); strong branching closes it."""
    net = _net(2, [16, 16], 3)
    box = [(Fraction(-1), Fraction(1))] * 2
    bottom = Fraction(str(symnet.bound(net, box).minimum[0]))  # the exact minimum (region enumeration)
    prop = VnnProperty(2, 1, box, [[([Fraction(1)], -(bottom - Fraction(1, 10**6)))]])  # violation y <= min - 1e-6
    prep = prepared(_problem(net, prop))
    out = search.run(prep, search.fmpq_box(prep.problem.box), frozenset(), deadline=time.time() + 60)
    assert out.status == "holds" and out.leaves <= 200, (out.status, out.reason, out.leaves)
    v = symnet.verify(net, prop, workers=1, timeout=60)
    assert v.status == "holds" and v.check() is True
