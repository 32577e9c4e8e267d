"""Run ``symnet.verify`` on ACAS Xu instances (issue 21): status, time, certificate size, check time.

    PYTHONPATH=. python benchmarks/bench_verify.py --sample            # the 26-instance sample
    PYTHONPATH=. python benchmarks/bench_verify.py --all --timeout 116 # all 186
    PYTHONPATH=. python benchmarks/bench_verify.py --only 1_1:prop_3

The networks are built from the ONNX initializers (Sub, Flatten, then
MatMul/Add/Relu x6 and MatMul/Add) with ``Network.from_matrices``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

import symnet
from symnet.search.vnnlib import read_vnnlib

ACAS = Path(os.environ.get("ACASXU_DIR", "/work/shared/benchmarks/acasxu"))
#: Properties 1-4 on five networks plus properties 5-10 (on the networks VNN-COMP pairs them with).
SAMPLE_NETS = ["1_1", "1_9", "2_3", "4_5", "5_7"]


def acas_network(path: Path) -> symnet.Network:
    """An ACAS Xu ONNX file as a Network, from its initializers (the input shift folded into the first bias)."""
    model = onnx.load(str(path))
    init = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    shift = [Fraction(float(v)) for v in init["input_AvgImg"].ravel()]
    Ws, bs = [], []
    for node in model.graph.node:
        if node.op_type == "MatMul":
            Ws.append(init[node.input[1]].T)
        elif node.op_type == "Add":
            bs.append(init[node.input[1]])
    W0 = [[Fraction(float(w)) for w in row] for row in Ws[0]]
    b0 = [
        Fraction(float(b)) - sum((w * m for w, m in zip(row, shift, strict=True)), Fraction(0))
        for row, b in zip(W0, bs[0], strict=True)
    ]
    weights = [W0] + [np.asarray(w, dtype=np.float64) for w in Ws[1:]]
    biases = [b0] + [np.asarray(b, dtype=np.float64) for b in bs[1:]]
    return symnet.Network.from_matrices(weights, biases, "relu")


def instances() -> list[tuple[str, str, float]]:
    with open(ACAS / "acasxu_instances.csv") as fh:
        return [(r[0], r[1], float(r[2])) for r in csv.reader(fh) if r]


def sample() -> list[tuple[str, str, float]]:
    rows = instances()
    out = [
        r
        for r in rows
        if any(f"_{n}_batch" in r[0] for n in SAMPLE_NETS) and r[1] in {f"prop_{k}.vnnlib" for k in (1, 2, 3, 4)}
    ]
    out += [r for r in rows if r[1] in {f"prop_{k}.vnnlib" for k in range(5, 11)}]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sample", action="store_true")
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--timeout", type=float, default=116.0)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    rows = instances() if args.all else sample() if args.sample else []
    for o in args.only:
        net, prop = o.split(":")
        rows += [r for r in instances() if f"_{net}_batch" in r[0] and r[1] == f"{prop}.vnnlib"]
    print(f"# {len(rows)} instances; uptime: {os.popen('uptime').read().strip()}")
    results, total = [], 0.0
    for onnx_name, prop_name, _ in rows:
        net = acas_network(ACAS / onnx_name)
        prop = read_vnnlib(ACAS / prop_name)
        t = time.time()
        v = symnet.verify(net, prop, timeout=args.timeout, workers=args.workers)
        wall = time.time() - t
        total += wall
        size = check = None
        if v.status != "unknown":
            text = v.to_json()
            size = len(text)
            t2 = time.time()
            symnet.Verdict.from_json(text).check()
            check = time.time() - t2
        short = onnx_name.replace("ACASXU_run2a_", "").replace("_batch_2000.onnx", "")
        print(
            f"{short:5s} {prop_name:15s} {v.status:9s} {wall:7.2f}s  cert={size}  check={check and round(check, 2)}  "
            f"{v.stats} {v.reason}",
            flush=True,
        )
        results.append(
            {
                "net": short,
                "prop": prop_name,
                "status": v.status,
                "seconds": wall,
                "bytes": size,
                "check_seconds": check,
                "stats": v.stats,
                "reason": v.reason,
            }
        )
    solved = sum(r["status"] != "unknown" for r in results)
    print(f"# solved {solved}/{len(results)}, total {total:.1f}s; uptime: {os.popen('uptime').read().strip()}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
