"""Optional lower ReLU slopes per proof (``[layer, neuron, value]``, issue 21's alpha): read strictly, used soundly.

Expected values are derived by hand (one ReLU: ``relu(x) >= alpha x``) or by an independent route: a plain
Fraction forward pass (tests/forward.py) at sample points and at the minimiser of each lower bound.
"""

from __future__ import annotations

import copy
import json
import random
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from flint import fmpq

import symnet
from symnet import kernel
from symnet.kernel import verification as kv
from symnet.kernel.regions_cert import network_pieces
from symnet.search.bab import relax as fr
from tests.forward import forward

G = 1 << kv.GRID_BITS

# x in [-1, 2]; hidden z0 = x, z1 = -x; y = relu(z0).  relu(z0) >= alpha x >= -alpha on the box, so the
# violation "y + 1/2 <= 0" is refuted exactly when alpha < 1/2; the default slope (u = 2 >= -l = 1) is 1.
NET = symnet.Network.from_matrices([[[1], [-1]], [[1, 0]]], [[0, 0], [0]], "relu")
BOX = ((Fraction(-1), Fraction(2)),)


def _doc(slopes: Any, d: Fraction = Fraction(1, 2)) -> dict[str, Any]:
    """The document of the one-leaf tree for "y + d <= 0" with the proof's slopes set to ``slopes`` (as JSON)."""
    v = symnet.Verdict("holds", NET, BOX, (), (((((Fraction(1),), d),),)), tree=(["leaf", [[0, [[0, "1"]]]]],))
    data: dict[str, Any] = json.loads(v.to_json())
    if slopes is not None:
        data["tree"][0][1][0].append(slopes)
    return data


def _check(data: dict[str, Any]) -> bool:
    return kernel.check(json.dumps(data))


def _rejected(data: dict[str, Any]) -> str:
    with pytest.raises(symnet.CertificateError) as info:
        _check(data)
    return str(info.value)


def test_a_slope_proves_what_the_default_cannot() -> None:
    assert "infeasible" in _rejected(_doc(None))  # default alpha = 1: min of x + 1/2 is -1/2
    assert _check(_doc([[0, 0, "0"]])) is True  # relu(x) >= 0
    assert _check(_doc([[0, 0, f"{G // 2 - 1}/{G}"]])) is True  # just below 1/2: min is 2^-30 > 0
    assert _check(_doc([[0, 0, "0"], [0, 1, "1"]])) is True  # a slope of another neuron changes nothing here
    assert symnet.Verdict.from_json(json.dumps(_doc([[0, 0, "1/4"]]))).check() is True  # the Verdict round trip


def test_slopes_that_do_not_prove_it_are_rejected() -> None:
    for value in ["1", "1/2", f"{G // 2 + 1}/{G}"]:  # min of alpha x + 1/2 over [-1, 2] is 1/2 - alpha <= 0
        assert "infeasible" in _rejected(_doc([[0, 0, value]]))
    # tampering: an accepted document whose slope is raised
    good = _doc([[0, 0, "1/4"]])
    bad = copy.deepcopy(good)
    bad["tree"][0][1][0][2][0][2] = "3/4"
    assert _check(good) is True and "infeasible" in _rejected(bad)


def test_no_slope_proves_a_false_claim() -> None:
    # "y - 1/10 <= 0" is met at x = 0 (y = 0): the property is violated, so no slopes and multipliers may pass
    for value in ["0", "1/4", "1/2", "1", f"{G - 1}/{G}", f"1/{G}"]:
        for mult in ["1", "1000", f"1/{G}"]:
            data = _doc([[0, 0, value], [0, 1, value]], d=Fraction(-1, 10))
            data["tree"][0][1][0][1] = [[0, mult]]
            assert "infeasible" in _rejected(data)


@pytest.mark.parametrize(
    ("slopes", "why"),
    [
        ([[0, 0, f"{G + 1}/{G}"]], "grid"),  # 1 + 2^-30
        ([[0, 0, f"-1/{G}"]], "grid"),
        ([[0, 0, "1/3"]], "grid"),  # off the grid
        ([[0, 0, f"1/{2 * G}"]], "grid"),  # finer than the grid
        ([[1, 0, "0"]], "hidden layer"),  # the output layer is not a hidden one
        ([[0, 2, "0"]], "not an index"),
        ([[0, -1, "0"]], "not an index"),
        ([[0, 1, "0"], [0, 0, "0"]], "increasing"),
        ([[0, 0, "0"], [0, 0, "0"]], "increasing"),
        ([[0, 0, "0"], [0, 1, "0"], [0, 1, "1"]], "at most 2"),  # longer than the hidden neurons
        ([[0, 0]], "must be"),
        ([[0, True, "0"]], "not an index"),
        ([[0, 0, 0.5]], "rational"),
        ("0", "must be a list"),
    ],
)
def test_malformed_slopes_are_refused(slopes: Any, why: str) -> None:
    assert why in _rejected(_doc(slopes))


def test_a_proof_of_four_elements_is_refused() -> None:
    data = _doc([[0, 0, "0"]])
    data["tree"][0][1][0].append([])
    assert "must be [disjunct index" in _rejected(data)


def test_documents_without_slopes_are_unchanged() -> None:
    """No slopes: the proof keeps two elements in the written document (old documents still read alike)."""
    text = json.dumps(_doc(None, d=Fraction(2)))
    assert '"tree":[["leaf",[[0,[[0,"1"]]]]]]' in text.replace(" ", "")
    assert kernel.check(text) is True


def _random_case(seed: int) -> tuple[Any, ...]:
    rng = random.Random(seed)
    sizes = [rng.randint(1, 3)] + [rng.randint(2, 6) for _ in range(rng.randint(1, 3))] + [rng.randint(1, 2)]
    W = [
        [[Fraction(rng.uniform(-2, 2)) for _ in range(a)] for _ in range(b)]
        for a, b in zip(sizes, sizes[1:], strict=False)
    ]
    B = [[Fraction(rng.uniform(-1, 1)) for _ in range(b)] for b in sizes[1:]]
    box = []
    for _ in range(sizes[0]):
        lo = Fraction(rng.randint(-16, 8), 8)
        box.append((lo, lo + Fraction(rng.randint(1, 24), 8)))
    rows = [([Fraction(rng.randint(-3, 3)) for _ in range(sizes[-1])], Fraction(rng.randint(-4, 4))) for _ in "ab"]
    slopes = []
    for layer, n in enumerate(sizes[1:-1]):
        for k in range(n):
            if rng.random() < 0.8:
                slopes.append((layer, k, fmpq(rng.choice([0, G, rng.randint(0, G)]), G)))
    return W, B, box, rows, slopes, rng


def _q(v: Fraction) -> fmpq:
    return fmpq(v.numerator, v.denominator)


@pytest.mark.parametrize("seed", range(30))
def test_bounds_with_slopes_are_true_lower_bounds(seed: int) -> None:
    """c . f(x) + d >= g(x) at the box's corners, random points and g's minimiser (exact forward passes)."""
    W, B, box, rows, slopes, rng = _random_case(seed)
    net = symnet.Network.from_matrices(W, B, "relu")
    layers = kv.relu_layers(network_pieces(net))
    qbox = [(_q(lo), _q(hi)) for lo, hi in box]
    qrows = [(tuple(_q(c) for c in r[0]), _q(r[1])) for r in rows]
    gs = kv.leaf_rows(layers, qbox, qrows, slopes=slopes)
    points = [[lo if rng.random() < 0.5 else hi for lo, hi in box] for _ in range(8)]
    points += [[lo + (hi - lo) * Fraction(rng.randint(0, 64), 64) for lo, hi in box] for _ in range(40)]
    for g in gs:  # where g is smallest
        points.append([lo if Fraction(int(c.p), int(c.q)) > 0 else hi for c, (lo, hi) in zip(g[1:], box, strict=True)])
    for x in points:
        y = forward(W, B, "relu", x)
        for (c, d), g in zip(rows, gs, strict=True):
            lhs = sum((ci * yi for ci, yi in zip(c, y, strict=True)), d)
            gx = Fraction(int(g[0].p), int(g[0].q)) + sum(
                (Fraction(int(a.p), int(a.q)) * xi for a, xi in zip(g[1:], x, strict=True)), Fraction(0)
            )
            assert lhs >= gx


@pytest.mark.parametrize("seed", range(12))
def test_the_float_mirror_uses_the_same_slopes(seed: int) -> None:
    """relax.row_functions(..., slopes=) computes the kernel's leaf rows (to float precision)."""
    W, B, box, rows, slopes, _ = _random_case(seed)
    net = symnet.Network.from_matrices(W, B, "relu")
    layers = kv.relu_layers(network_pieces(net))
    qbox = [(_q(lo), _q(hi)) for lo, hi in box]
    qrows = [(tuple(_q(c) for c in r[0]), _q(r[1])) for r in rows]
    exact = kv.leaf_rows(layers, qbox, qrows, slopes=slopes)
    fnet = fr.FloatNet.from_layers(layers)
    lo = np.array([[float(a) for a, _ in box]])
    hi = np.array([[float(b) for _, b in box]])
    arrays = [np.full((1, len(b)), np.nan) for b in B[:-1]]
    for layer, k, a in slopes:
        arrays[layer][0, k] = float(a.p) / float(a.q)
    for layer, lu in enumerate(kv.relax(layers[0], qbox)[0]):  # neurons without a stated slope: the default
        for k, (l, u) in enumerate(lu):
            if np.isnan(arrays[layer][0, k]):
                arrays[layer][0, k] = 1.0 if u >= -l else 0.0
    C = np.array([[float(c) for c in r[0]] for r in rows])
    d = np.array([float(r[1]) for r in rows])
    F = fr.row_functions(fnet, fr.hidden_bounds(fnet, lo, hi), C, d, 1, slopes=arrays)[0]
    want = np.array([[float(v.p) / float(v.q) for v in g] for g in exact])
    assert np.allclose(F, want, rtol=1e-7, atol=1e-7)


def test_slope_triples_are_what_the_reader_accepts() -> None:
    """The search's helper writes slopes for the unstable neurons only, on the grid, clipped into [0, 1]."""
    layers = kv.relu_layers(network_pieces(NET))
    fnet = fr.FloatNet.from_layers(layers)
    bounds = fr.hidden_bounds(fnet, np.array([[-1.0], [0.5]]), np.array([[2.0], [1.0]]))
    arrays = [np.array([[0.3, 1.7], [0.3, -0.2]])]
    assert fr.slope_triples(arrays, bounds, 0) == [(0, 0, fmpq(round(0.3 * G), G)), (0, 1, fmpq(1))]
    assert fr.slope_triples(arrays, bounds, 1) == []  # on [1/2, 1] both neurons are stable
    triples = [[i, k, str(a)] for i, k, a in fr.slope_triples(arrays, bounds, 0)]
    assert _check(_doc(triples, d=Fraction(2))) is True
