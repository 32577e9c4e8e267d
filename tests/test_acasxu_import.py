"""The ACAS Xu networks (VNN-COMP's ONNX files) import and agree with onnx.reference in the property boxes.

The benchmark files live next to the repository (``../shared/benchmarks/acasxu``, or the directory
``$SYMNET_ACASXU_DIR`` names); without them the tests skip.
Expected values come from ``onnx.reference.ReferenceEvaluator`` running the original file.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

import symnet

onnx = pytest.importorskip("onnx")
flint = pytest.importorskip("flint")
from onnx.reference import ReferenceEvaluator  # noqa: E402

# ../shared/benchmarks/acasxu from the repository root (CI copies shared/ next to the clone), or $SYMNET_ACASXU_DIR
ACASXU = Path(os.environ.get("SYMNET_ACASXU_DIR") or Path(__file__).resolve().parents[2] / "shared/benchmarks/acasxu")
NETWORKS = sorted(ACASXU.glob("ACASXU_run2a_*_batch_2000.onnx")) if ACASXU.is_dir() else []
needs_benchmarks = pytest.mark.skipif(len(NETWORKS) != 45, reason=f"the 45 ACAS Xu networks are not in {ACASXU}")
BOUND = re.compile(r"\((<=|>=) X_(\d+) (-?[\d.]+(?:e-?\d+)?)\)")


def property_box(number: int) -> tuple[np.ndarray, np.ndarray]:
    """The hull of the input constraints of prop_<number>.vnnlib: (lower, upper)."""
    lo, hi = np.full(5, np.inf), np.full(5, -np.inf)
    for op, var, value in BOUND.findall((ACASXU / f"prop_{number}.vnnlib").read_text()):
        i, v = int(var), float(value)
        if op == ">=":
            lo[i] = min(lo[i], v)
        else:
            hi[i] = max(hi[i], v)
    assert np.all(lo <= hi)
    return lo, hi


def samples(seed: int, count: int = 100) -> np.ndarray:
    """``count`` float32 inputs, a quarter in each of the boxes of properties 1-4 (they hold for every network)."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(count):
        lo, hi = property_box(1 + k % 4)
        rows.append(rng.uniform(lo, hi))
    return np.asarray(rows, dtype=np.float32)


def exact_outputs(net: symnet.Network, x: np.ndarray) -> list[list[flint.fmpq]]:
    """The imported network evaluated exactly (python-flint rationals), all inputs at once."""
    cols = [[flint.fmpq(*float(v).as_integer_ratio()) for v in row] for row in x]
    h = flint.fmpq_mat(len(cols[0]), len(cols), [cols[j][i] for i in range(len(cols[0])) for j in range(len(cols))])
    for layer in net.layers:
        entries = [flint.fmpq(int(e.p), int(e.q)) for e in layer.weights]
        w = flint.fmpq_mat(layer.weights.rows, layer.weights.cols, entries)
        b = [flint.fmpq(int(e.p), int(e.q)) for e in layer.biases]
        h = w * h
        relu = layer.activation.name == "relu"
        assert relu or layer.activation.is_identity
        for i in range(h.nrows()):
            for j in range(h.ncols()):
                v = h[i, j] + b[i]
                h[i, j] = v if (v > 0 or not relu) else flint.fmpq(0)
    return [[h[i, j] for i in range(h.nrows())] for j in range(h.ncols())]


def check_network(path: Path, seed: int) -> None:
    net = symnet.from_onnx(path)
    assert (net.p, net.hidden, net.q) == (5, (50,) * 6, 5)
    x = samples(seed)
    expected = np.asarray(ReferenceEvaluator(str(path)).run(None, {"input": x.reshape(-1, 1, 1, 5)})[0])
    expected = expected.reshape(len(x), 5)
    # float32 evaluation of the imported weights, like the runtime computes
    h = x.copy()
    for layer in net.layers:
        w = np.array([[float(e) for e in layer.weights.row(i)] for i in range(layer.weights.rows)], dtype=np.float32)
        b = np.array([float(e) for e in layer.biases], dtype=np.float32)
        h = h @ w.T + b
        if layer.activation.name == "relu":
            h = np.maximum(h, 0)
    assert np.max(np.abs(h - expected)) <= 1e-5
    exact = exact_outputs(net, x)
    diff = max(
        abs(float(e) - float(r))
        for row, ref in zip(exact, expected, strict=True)
        for e, r in zip(row, ref, strict=True)
    )
    assert diff <= 1e-6
    # symnet's own exact evaluator gives the very same rationals
    for k in (0, 1):
        mine = net.evaluate(x[k].tolist())
        assert [int(v.p) for v in mine] == [int(flint.fmpz(e.p)) for e in exact[k]]
        assert [int(v.q) for v in mine] == [int(flint.fmpz(e.q)) for e in exact[k]]


@needs_benchmarks
@pytest.mark.parametrize("index", [0, 44])
def test_two_acasxu_networks_agree_with_the_reference(index):
    """ACAS Xu 1_1 and 5_9: import ([1,1,1,5] input, Sub, Flatten, MatMul/Add/Relu) and agree on 100 inputs."""
    check_network(NETWORKS[index], index)


@pytest.mark.slow
@needs_benchmarks
def test_all_45_acasxu_networks_agree_with_the_reference():
    """All 45 networks: float32 evaluation within 1e-5, exact evaluation within 1e-6 of onnx.reference."""
    for index, path in enumerate(NETWORKS):
        check_network(path, index)
