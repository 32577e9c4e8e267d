"""Run ``symnet.verify`` on ACAS Xu instances (issue 21): status, time, certificate size, check time.

    PYTHONPATH=. python benchmarks/bench_verify.py --sample            # the 26-instance sample
    PYTHONPATH=. python benchmarks/bench_verify.py --all --timeout 116 # all 186
    PYTHONPATH=. python benchmarks/bench_verify.py --only 1_1:prop_3
    PYTHONPATH=. python benchmarks/bench_verify.py --only 1_1:prop_3 --float-only --alpha 0   # box counts

``--float-only`` runs the float search alone in this process (no final kernel check of the
certificate): the number of boxes it closes, and whether it finishes, within the timeout.
``--alpha N`` sets alpha-CROWN's steps per box (0: plain CROWN); ``--branching`` the split rule.

The networks are built from the ONNX initializers (Sub, Flatten, then
MatMul/Add/Relu x6 and MatMul/Add) with ``Network.from_matrices``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
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


def _reader():  # type: ignore[no-untyped-def]
    """read_vnnlib, or the one of the file named by $VNNLIB_READER (a newer reader, for measuring)."""
    path = os.environ.get("VNNLIB_READER")
    if not path:
        return read_vnnlib
    import importlib.util

    spec = importlib.util.spec_from_file_location("symnet.search._bench_vnnlib", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod.read_vnnlib


def _configure(steps: int | None, branching: str | None) -> None:
    """Set the search's alpha-CROWN steps and split rule (before any verify)."""
    from symnet.search.bab import search

    if steps is not None:
        search.ALPHA_STEPS = steps
    if branching is not None:
        search.BRANCHING = branching


def _cases(prop: object) -> list[object]:
    """The property's input sets: its cases for a union of input boxes (property 6), else the property itself.

    verify and the search take one input set each (a union is refused with InvalidArgument), so every route of
    this benchmark runs the cases in turn, within the one timeout.
    """
    return prop.cases() if getattr(prop, "alternatives", None) else [prop]  # type: ignore[attr-defined,no-any-return]


def _float_only(onnx_name: str, prop_name: str, net: symnet.Network, prop: object, timeout: float) -> dict[str, object]:
    """The float search alone on one instance, in this process: its status and box counts.

    A union of input boxes is searched case by case (as :func:`_verify_cases`): the first case not shown to hold
    decides the status; the box counts are summed over the cases searched.
    """
    from symnet.search.bab import search
    from symnet.search.bab.problem import prepared
    from symnet.search.bab.verify import _attack, _problem

    t = time.time()
    status, reason, outcomes = "holds", "", []
    for case in _cases(prop):
        prep = prepared(_problem(net, case))
        if _attack(prep):
            status, reason = "violated", ""
            break
        out = search.run(prep, search.fmpq_box(prep.problem.box), frozenset(), deadline=t + timeout)
        outcomes.append(out)
        status, reason = out.status, out.reason
        if out.status != "holds":
            break
    wall = time.time() - t
    keys = ("leaves", "splits", "exact_failures")
    stats = {k: sum(getattr(o, k) for o in outcomes) for k in keys} if outcomes else {}
    short = onnx_name.replace("ACASXU_run2a_", "").replace("_batch_2000.onnx", "")
    print(f"{short:5s} {prop_name:15s} {status:9s} {wall:7.2f}s  {stats} {reason}", flush=True)
    return {"net": short, "prop": prop_name, "status": status, "seconds": wall, "stats": stats, "reason": reason}


def _verify_cases(net: symnet.Network, prop: object, timeout: float, workers: int | None) -> symnet.Verdict:
    """verify on each case of the property (:func:`_cases`) in turn within the one timeout: the first violated
    case, else the last case's verdict if all hold, else the first unknown one."""
    end = time.time() + timeout
    out = None
    for case in _cases(prop):
        out = symnet.verify(net, case, timeout=max(0.0, end - time.time()), workers=workers)
        if out.status != "holds":
            return out
    assert out is not None
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sample", action="store_true")
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--timeout", type=float, default=116.0)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--json", default=None)
    ap.add_argument("--skip", type=int, default=0, help="skip the first N instances of the list")
    ap.add_argument("--float-only", action="store_true", help="the float search alone, no final kernel check")
    ap.add_argument("--alpha", type=int, default=None, help="alpha-CROWN steps per open box (0: off)")
    ap.add_argument("--branching", default=None, help="input split rule (see symnet.search.bab.search)")
    args = ap.parse_args()
    _configure(args.alpha, args.branching)
    rows = instances() if args.all else sample() if args.sample else []
    for o in args.only:
        net, prop = o.split(":")
        rows += [r for r in instances() if f"_{net}_batch" in r[0] and r[1] == f"{prop}.vnnlib"]
    rows = rows[args.skip :]
    reader = _reader()
    print(f"# {len(rows)} instances; uptime: {os.popen('uptime').read().strip()}")
    results, total = [], 0.0
    for onnx_name, prop_name, _ in rows:
        net = acas_network(ACAS / onnx_name)
        try:
            prop = reader(str(ACAS / prop_name))
        except symnet.SymnetError as exc:
            print(f"{onnx_name} {prop_name} error: {exc}", flush=True)
            results.append({"net": onnx_name, "prop": prop_name, "status": "error", "reason": str(exc)})
            continue
        t = time.time()
        if args.float_only:
            results.append(_float_only(onnx_name, prop_name, net, prop, args.timeout))
            total += time.time() - t
            continue
        v = _verify_cases(net, prop, args.timeout, args.workers)
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
