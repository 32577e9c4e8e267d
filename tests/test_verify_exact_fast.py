"""The kernel's fast bound propagation (kernel/verification.py) agrees exactly with the straightforward one.

The oracle below is the per-entry code the kernel used before (sign split of every
coefficient, both relaxation matrices in full over every neuron, dead or not, per-box
scaling of every weight, one back-substitution per bound), with the kernel's rule for
the hidden bounds (interval bounds, intersected with back-substitution where they leave
a neuron unstable) written out per entry: on random small networks and boxes, with zero,
negative, tiny and huge weights, the concrete neuron bounds and the leaf rows must be
identical numbers.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import pytest
from flint import fmpq, fmpq_mat, fmpz_mat

import symnet
from symnet.kernel import verification as kv
from symnet.kernel.regions_cert import network_pieces

_G = 1 << kv.GRID_BITS
_F = 1 << kv.FINE_BITS


def _integers(W: fmpq_mat, b: list[fmpq]) -> tuple[fmpz_mat, list[int], int]:
    """D W and D b as integers, D the lcm of the denominators."""
    ws = W.entries()
    D = math.lcm(*(int(v.q) for v in ws), *(int(v.q) for v in b))
    return fmpz_mat(W.nrows(), W.ncols(), [int(v.p) * (D // int(v.q)) for v in ws]), [int(v * D) for v in b], D


def _ref_relaxation(lu: Sequence[tuple[fmpq, fmpq]]) -> tuple[list[bool], list[fmpq], list[fmpq]]:
    keep: list[bool] = []
    up: list[fmpq] = []
    cst: list[fmpq] = []
    for l, u in lu:
        if u <= 0:
            k, s, c = False, fmpq(0), fmpq(0)
        elif l >= 0:
            k, s, c = True, fmpq(1), fmpq(0)
        else:
            s = kv._ceil(u / (u - l))
            k, c = bool(u >= -l), -s * l
        keep.append(k)
        up.append(s)
        cst.append(c)
    return keep, up, cst


def _ref_layer_ext(layer: Any, lu: Sequence[tuple[fmpq, fmpq]]) -> tuple[fmpz_mat, fmpz_mat, int, int, int]:
    Wz, bz, D = _integers(layer[0], layer[1])
    n, m = Wz.nrows(), Wz.ncols()
    keep, up, cst = _ref_relaxation(lu)
    wz = Wz.entries()
    K: list[Any] = []
    S: list[Any] = []
    for k in range(n):
        row = wz[k * m : (k + 1) * m]
        if keep[k]:
            K.extend(v * _G * _G for v in row)
            K.append(bz[k] * _G * _G)
        else:
            K.extend([0] * (m + 1))
        s_int, c_int = kv._int(up[k] * _G), kv._int(cst[k] * _G * _G)
        S.extend(v * s_int * _G for v in row)
        S.append(bz[k] * s_int * _G + c_int * D)
    return fmpz_mat(n, m + 1, K), fmpz_mat(n, m + 1, S), D * _G * _G, n, m


def _ref_backsub(exts: Sequence[Any], A: list[Any], const: list[fmpq]) -> list[list[fmpq]]:
    R = len(const)
    c_int = [int((c * _F).floor()) for c in const]
    coeffs: list[list[fmpq]] = [[] for _ in range(R)]
    for idx in reversed(range(len(exts))):
        Kx, Sx, T, n, m = exts[idx]
        pos = fmpz_mat(R, n, [a if a > 0 else 0 for a in A])
        neg = fmpz_mat(R, n, [a if a < 0 else 0 for a in A])
        P = (pos * Kx + neg * Sx).entries()
        c_int = [c + int(P[i * (m + 1) + m] // T) for i, c in enumerate(c_int)]
        if idx > 0:
            A = [P[i * (m + 1) + j] // T for i in range(R) for j in range(m)]
        else:
            coeffs = [[fmpq(P[i * (m + 1) + j], _F * T) for j in range(m)] for i in range(R)]
    return [[fmpq(c_int[i], _F), *coeffs[i]] for i in range(R)]


def _ref_extremes(row: Sequence[fmpq], box: Sequence[tuple[fmpq, fmpq]]) -> tuple[fmpq, fmpq]:
    """min and max over the box of ``row[0] + row[1:] . x``, one coordinate at a time."""
    lo = hi = row[0]
    for c, (a, b) in zip(row[1:], box, strict=True):
        lo, hi = (lo + c * a, hi + c * b) if c >= 0 else (lo + c * b, hi + c * a)
    return lo, hi


def _ref_relax(hidden: Any, box: Sequence[tuple[fmpq, fmpq]]) -> tuple[list[Any], list[Any]]:
    """The kernel's rule per entry: interval bounds from the layer below (one sum per neuron), then for the
    neurons they leave unstable the upper bound by back-substitution, then the lower one where u > 0 still."""
    out: list[list[tuple[fmpq, fmpq]]] = []
    exts: list[Any] = []
    zero = fmpq(0)
    for i, (W, bq) in enumerate(hidden):
        n, m = W.nrows(), W.ncols()
        Wz, bz, D = _integers(W, bq)
        b = [fmpq(v, D) for v in bz]
        w = W.entries()
        if i == 0:
            rows = [[b[k], *w[k * m : (k + 1) * m]] for k in range(n)]
            out.append([(kv._floor(lo), kv._ceil(hi)) for lo, hi in (_ref_extremes(r, box) for r in rows)])
        else:
            lu = []
            for k in range(n):
                lo = hi = b[k]
                for j, (l, u) in enumerate(out[i - 1]):
                    c, l, u = w[k * m + j], max(l, zero), max(u, zero)
                    lo, hi = (lo + c * l, hi + c * u) if c > 0 else (lo + c * u, hi + c * l)
                lu.append((kv._floor(lo), kv._ceil(hi)))
            wz = Wz.entries()
            for k in range(n):
                if not lu[k][0] < 0 < lu[k][1]:
                    continue
                row = wz[k * m : (k + 1) * m]
                up = _ref_backsub(exts, [(-v * _F) // D for v in row], [-b[k]])[0]
                lu[k] = (lu[k][0], min(lu[k][1], kv._ceil(-_ref_extremes(up, box)[0])))
                if lu[k][1] > 0:
                    low = _ref_backsub(exts, [(v * _F) // D for v in row], [b[k]])[0]
                    lu[k] = (max(lu[k][0], kv._floor(_ref_extremes(low, box)[0])), lu[k][1])
            out.append(lu)
        exts.append(_ref_layer_ext(hidden[i], out[i]))
    return out, exts


def _wb(aug: fmpq_mat) -> tuple[fmpq_mat, list[fmpq]]:
    """(W, b) of a layer's [[1, 0], [b, W]]."""
    rows = aug.tolist()[1:]
    return fmpq_mat(len(rows), aug.ncols() - 1, [v for r in rows for v in r[1:]]), [r[0] for r in rows]


def _ref_layers(layers: Any) -> tuple[list[Any], tuple[fmpq_mat, list[fmpq]]]:
    """The kernel's layers as plain (W, b) pairs, hidden then output."""
    return [_wb(fixed.aug) for fixed in layers[0]], _wb(layers[1])


def _ref_leaf_rows(layers: Any, box: Any, rows: Any) -> list[list[fmpq]]:
    hidden, (Wout, bout) = _ref_layers(layers)
    C = fmpq_mat(len(rows), len(bout), [c for r in rows for c in r[0]])
    const = [r[1] + sum((c * v for c, v in zip(r[0], bout, strict=True)), fmpq(0)) for r in rows]
    A = [int((v * _F).floor()) for v in (C * Wout).entries()]
    return _ref_backsub(_ref_relax(hidden, box)[1], A, const)


def _weight(rng: random.Random) -> Fraction:
    kind = rng.random()
    if kind < 0.15:
        return Fraction(0)
    if kind < 0.25:
        return Fraction(rng.choice([-1, 1]) * rng.randint(1, 10**9), rng.randint(1, 7))  # huge
    if kind < 0.35:
        return Fraction(rng.randint(-5, 5), 2 ** rng.randint(30, 70))  # tiny, dyadic
    if kind < 0.45:
        return Fraction(rng.randint(-50, 50), rng.choice([3, 7, 10, 1000]))  # not dyadic
    return Fraction(rng.uniform(-2, 2))  # a float's exact value


def _case(seed: int) -> tuple[symnet.Network, list[tuple[fmpq, fmpq]], list[Any]]:
    rng = random.Random(seed)
    sizes = [rng.randint(1, 4)] + [rng.randint(1, 6) for _ in range(rng.randint(1, 3))] + [rng.randint(1, 3)]
    W = [[[_weight(rng) for _ in range(a)] for _ in range(b)] for a, b in zip(sizes, sizes[1:], strict=False)]
    B = [[_weight(rng) for _ in range(b)] for b in sizes[1:]]
    net = symnet.Network.from_matrices(W, B, "relu")
    box = []
    for _ in range(sizes[0]):
        lo = fmpq(rng.randint(-40, 40), rng.choice([1, 3, 8, 1024]))
        box.append((lo, lo + fmpq(rng.randint(1, 90), 16)))
    rows = [
        ([fmpq(rng.randint(-3, 3), rng.randint(1, 4)) for _ in range(sizes[-1])], fmpq(rng.randint(-9, 9)))
        for _ in range(rng.randint(1, 3))
    ]
    return net, box, rows


@pytest.mark.parametrize("seed", range(40))
def test_fast_bounds_and_rows_equal_the_reference(seed: int) -> None:
    net, box, rows = _case(seed)
    layers = kv.relu_layers(network_pieces(net))
    relaxed = kv.relax(layers[0], box)
    assert relaxed[0] == _ref_relax(_ref_layers(layers)[0], box)[0]
    assert kv.leaf_rows(layers, box, rows, relaxed) == _ref_leaf_rows(layers, box, rows)
    assert kv.leaf_rows(layers, box, rows) == _ref_leaf_rows(layers, box, rows)


def test_cases_cover_stable_and_unstable_neurons() -> None:
    """The random cases exercise active, inactive and unstable neurons (else the test above proves little)."""
    kinds = set()
    for seed in range(40):
        net, box, _ = _case(seed)
        for lu in kv.relax(kv.relu_layers(network_pieces(net))[0], box)[0]:
            kinds |= {"on" if l >= 0 else "off" if u <= 0 else "unstable" for l, u in lu}
    assert kinds == {"on", "off", "unstable"}
