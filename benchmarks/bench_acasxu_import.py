"""Benchmark: importing an ACAS Xu network from ONNX, and collapsing / proving it, against the python-flint floor.

Run by hand:  python benchmarks/bench_acasxu_import.py [--repeat N] [--network FILE]

The network is ``ACASXU_run2a_1_1_batch_2000.onnx`` from ``../shared/benchmarks/acasxu`` (next to the
repository; ``--network`` names another file).  It has 5 inputs, six hidden ReLU layers of 50 and 5 outputs
(13,305 float32 weights and biases).  Timed, each the best and the median of N runs:

* ``onnx.load`` alone (reading the protobuf);
* ``symnet.from_onnx``: the exact Network (every float32 its binary rational, the input ``Sub`` folded);
* collapse: ``symnet.prove`` of the same weights with the identity activation (the linear network the
  ReLU one would be without its ReLUs), and the kernel's re-check ``proof.check()``;
* refute: ``symnet.prove`` of the ReLU network itself (NotLinearError with an exact counterexample; one run);
* regions: ``symnet.regions`` on a box of half-width 1/1000 around one point, with its ``check()``;
* the floor: read the initializers with ``onnx.numpy_helper``, convert them to python-flint ``fmpq_mat``
  (``fmpq`` of each float's ``as_integer_ratio()``), and multiply the seven augmented layers -- the exact
  collapse with no checking, no sympy and no bookkeeping.  The floor's W* and b* are compared with symnet's.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import flint
import onnx
from _timing import timed
from onnx import numpy_helper

import symnet
from symnet.model.activations import activation
from symnet.model.network import Layer, Network

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "benchmarks" / "acasxu" / "ACASXU_run2a_1_1_batch_2000.onnx"


def floor_read(path: str) -> list[tuple[Any, Any]]:
    """The chain's (W, b) pairs as fmpq_mat, read straight from the initializers (MatMul weights are in x out)."""
    model = onnx.load(path)
    consts = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    pairs, pending = [], None
    for node in model.graph.node:
        if node.op_type == "MatMul":
            pending = consts[node.input[1]].T
        elif node.op_type == "Add" and pending is not None:
            w, b = pending, consts[node.input[1]].reshape(-1)
            fw = flint.fmpq_mat(*w.shape, [flint.fmpq(*float(v).as_integer_ratio()) for v in w.reshape(-1)])
            fb = flint.fmpq_mat(len(b), 1, [flint.fmpq(*float(v).as_integer_ratio()) for v in b])
            pairs.append((fw, fb))
            pending = None
    return pairs


def floor_collapse(pairs: list[tuple[Any, Any]]) -> tuple[Any, Any]:
    """W* = W_L ... W_1 and b* = W_L(...(W_2 b_1 + b_2)...) + b_L, exactly (the input Sub is zero here)."""
    w, b = pairs[0]
    for wl, bl in pairs[1:]:
        w, b = wl * w, wl * b + bl
    return w, b


def linear_twin(net: Network) -> Network:
    identity = activation("identity")
    return Network(net.inputs, tuple(Layer(layer.weights, layer.biases, identity) for layer in net.layers))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per case (default 5)")
    parser.add_argument("--network", default=str(DEFAULT), help="an ACAS Xu .onnx file")
    args = parser.parse_args()
    path = args.network
    if not Path(path).is_file():
        print(f"{path} is not there: copy the VNN-COMP ACAS Xu networks next to the repository", file=sys.stderr)
        return 2
    rows: list[tuple[str, float, float]] = []

    def case(label: str, fn: Callable[[], Any], repeat: int | None = None) -> Any:
        best, median, result = timed(fn, repeat or args.repeat)
        rows.append((label, best, median))
        return result

    case("onnx.load", lambda: onnx.load(path))
    net = case("symnet.from_onnx (exact Network)", lambda: symnet.from_onnx(path))
    twin = linear_twin(net)
    proof = case("collapse: symnet.prove (identity twin)", lambda: symnet.prove(twin))
    case("collapse: proof.check() (kernel)", proof.check)

    def refute() -> Any:
        try:
            symnet.prove(net)
        except symnet.NotLinearError as exc:
            return exc
        raise AssertionError("the ReLU network was proved linear")

    case("refute: symnet.prove (ReLU network, 1 run)", refute, 1)
    point = [Fraction(v) for v in ("0.61", "0.11", "-0.19", "0.48", "-0.47")]
    box = [(c - Fraction(1, 1000), c + Fraction(1, 1000)) for c in point]
    regs = case("regions: symnet.regions (box 1/1000)", lambda: symnet.regions(net, box=box))
    case("regions: check()", regs.check)
    pairs = case("floor: read + convert to fmpq_mat", lambda: floor_read(path))
    w, b = case("floor: fmpq_mat product (collapse)", lambda: floor_collapse(pairs))
    same = all(
        proof.matrix[i, j] == Fraction(int(w[i, j].p), int(w[i, j].q))
        for i in range(w.nrows())
        for j in range(w.ncols())
    ) and all(proof.offset[i] == Fraction(int(b[i, 0].p), int(b[i, 0].q)) for i in range(b.nrows()))
    print(f"{Path(path).name}: {net!r}, {len(regs)} regions on the box; floor W*, b* == symnet's: {same}")
    print(f"{'case':42} {'best':>9} {'median':>9}")
    for label, best, median in rows:
        print(f"{label:42} {best:8.4f}s {median:8.4f}s")
    floor = rows[-2][1] + rows[-1][1]
    ours = rows[1][1] + rows[2][1]
    print(f"import + collapse: symnet {ours:.3f} s vs floor {floor:.3f} s ({ours / floor:.1f}x)")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
