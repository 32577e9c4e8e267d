"""symnet.verify on ACAS Xu (issue 21), the networks built from the ONNX initializers; and on a Dask cluster.

A "violated" answer is re-checked independently: the ONNX model itself, run by
``onnx.reference``, at the counterexample must meet the violation in float.
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import symnet
from symnet.search.vnnlib import read_vnnlib

ACAS = Path(os.environ.get("ACASXU_DIR", "/work/shared/benchmarks/acasxu"))
onnx = pytest.importorskip("onnx")
pytestmark = pytest.mark.skipif(not ACAS.is_dir(), reason="the ACAS Xu benchmark is not here")


def acas(name: str) -> symnet.Network:
    """The network from its ONNX initializers: Sub (input shift), Flatten, MatMul/Add/Relu x 6, MatMul/Add."""
    from onnx import numpy_helper

    model = onnx.load(str(ACAS / f"ACASXU_run2a_{name}_batch_2000.onnx"))
    init = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    shift = [Fraction(float(v)) for v in init["input_AvgImg"].ravel()]
    mats = [init[n.input[1]].T for n in model.graph.node if n.op_type == "MatMul"]
    adds = [init[n.input[1]] for n in model.graph.node if n.op_type == "Add"]
    first = [[Fraction(float(w)) for w in row] for row in mats[0]]
    bias = [
        Fraction(float(b)) - sum(w * m for w, m in zip(row, shift, strict=True))
        for row, b in zip(first, adds[0], strict=True)
    ]
    return symnet.Network.from_matrices(
        [first, *(m.astype(np.float64) for m in mats[1:])], [bias, *(a.astype(np.float64) for a in adds[1:])], "relu"
    )


def _onnx_output(name: str, x: tuple[Fraction, ...]) -> np.ndarray:
    from onnx.reference import ReferenceEvaluator

    sess = ReferenceEvaluator(str(ACAS / f"ACASXU_run2a_{name}_batch_2000.onnx"))
    feed = np.array([float(v) for v in x], dtype=np.float32).reshape(1, 1, 1, 5)
    return np.asarray(sess.run(None, {"input": feed})[0], dtype=np.float64).ravel()


@pytest.mark.slow
def test_property_1_holds_on_1_1() -> None:
    v = symnet.verify(acas("1_1"), read_vnnlib(str(ACAS / "prop_1.vnnlib")), timeout=300, workers=1)
    assert v.status == "holds" and v.check() is True


@pytest.mark.slow
def test_property_2_violated_on_2_1() -> None:
    prop = read_vnnlib(str(ACAS / "prop_2.vnnlib"))
    v = symnet.verify(acas("2_1"), prop, timeout=300)
    assert v.status == "violated" and v.check() is True
    assert v.counterexample is not None
    y = _onnx_output("2_1", v.counterexample)
    # prop 2's violation: y0 is the largest output (rows y_j - y0 <= 0)
    assert any(
        all(float(sum(float(c) * yi for c, yi in zip(cr, y, strict=False))) + float(d) <= 1e-5 for cr, d in conj)
        for conj in prop.disjuncts
    )


@pytest.mark.slow
def test_timeout_and_progress() -> None:
    seen: list[symnet.results.VerifyProgress] = []
    v = symnet.verify(
        acas("1_1"), read_vnnlib(str(ACAS / "prop_3.vnnlib")), timeout=2.5, workers=1, progress=seen.append
    )
    assert v.status in ("unknown", "holds")
    if v.status == "unknown":
        assert v.reason == "timeout" and v.elapsed < 4.0
        assert seen and seen[-1].closed >= 1 and seen[-1].elapsed <= 3.5


@pytest.mark.slow
def test_dask_local_cluster() -> None:
    distributed = pytest.importorskip("distributed")
    rng = np.random.default_rng(2)
    W = [rng.standard_normal((16, 2)), rng.standard_normal((16, 16)) / 4, rng.standard_normal((1, 16)) / 4]
    net = symnet.Network.from_matrices(W, None, "relu")
    box = [(Fraction(-1), Fraction(1))] * 2
    top = Fraction(str(symnet.bound(net, box).maximum[0]))
    from symnet.search.vnnlib import VnnProperty

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cl:
        for t, want in ((top + Fraction(1, 10**6), "holds"), (top - Fraction(1, 10**6), "violated")):
            v = symnet.verify(net, VnnProperty(2, 1, box, [[([Fraction(-1)], t)]]), scheduler=cl.scheduler_address)
            assert v.status == want and v.check() is True
