"""The ACAS Xu benchmark of VNN-COMP 2021 through ``symnet verify`` and ``symnet check`` (issue 21), beside Marabou.

Run by hand (not in CI)::

    PYTHONPATH=. python benchmarks/bench_vnncomp.py --sample            # the 26-instance sample of issue 21
    PYTHONPATH=. python benchmarks/bench_vnncomp.py                     # all 186 instances (hours)
    PYTHONPATH=. python benchmarks/bench_vnncomp.py --sample --limit 3 --timeout 30 --no-peers

Each instance of ``acasxu_instances.csv`` runs in its own process group:
``symnet verify NET PROP --timeout T --certificate C.json --result-file R.txt``
(killed at T + 15 s), then ``symnet check C.json`` when a certificate was
written.  Reported per instance: the answer, the wall time of ``verify``, the
certificate's size and the wall time of ``check``; in total: solved, holds and
violated counts, the total wall time, and the ratio to each peer.

Peers, run on the same instances in the same run, one after the other (never
concurrently with symnet):

* Marabou 2.0 (``pip install maraboupy``) in its own venv (``--marabou-python``,
  default ``/work/peers-vnnlib/bin/python``), reading the ONNX file with
  ``Marabou.read_onnx`` and the VNN-LIB file with its own parser
  (``solve(propertyFilename=...)``), ``timeoutInSeconds=T``.
* nnenum is not on PyPI (``pip download nnenum``: no matching distribution), so
  it is not run here.

``--near-threshold N`` instead builds N random float32 ReLU networks
(2 -> [16, 16] -> 1, 3 -> [16, 16] -> 1, 2 -> [16, 16, 16] -> 1 in turn, saved as ONNX)
and the property ``Y_0 >= T`` on [-1, 1]^p with T within 1e-8 above the exact
maximum (even seeds: the property holds) or below it (odd seeds: violated);
the exact maximum comes from ``symnet.bound`` (region enumeration, kernel
checked), and it counts the right answers of symnet and Marabou.

Where symnet and a peer both answer and differ, the instance is listed as a
disagreement; symnet's answers are those its kernel checked (``symnet check``
exit 0), a peer's are float answers without a certificate.

The sample (``--sample``) is properties 1-4 on the five networks that
properties 5-10 use (1_1, 1_9, 2_9, 3_3, 4_5) plus properties 5-10 on theirs:
26 instances.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(os.path.dirname(ROOT), "shared", "benchmarks", "acasxu")
if not os.path.isdir(BENCH):
    BENCH = "/work/shared/benchmarks/acasxu"
SAMPLE_NETWORKS = ("1_1", "1_9", "2_9", "3_3", "4_5")
GRACE = 15.0

MARABOU = r"""
import sys, time
from maraboupy import Marabou
net_path, prop_path, timeout = sys.argv[1], sys.argv[2], int(float(sys.argv[3]))
net = Marabou.read_onnx(net_path)
options = Marabou.createOptions(timeoutInSeconds=timeout, verbosity=0)
exit_code, values, _ = net.solve(options=options, verbose=False, propertyFilename=prop_path)
names = list(net.inputVars[0].flatten()) + list(net.outputVars[0].flatten())
print("RESULT", exit_code)
if exit_code == "sat":
    print("POINT", " ".join(repr(float(values[v])) for v in names))
"""


#: What ``symnet check`` does before printing its summary: read the document, check it with the kernel.
KERNEL_CHECK = (
    "import sys; from symnet import kernel; from symnet.certificate import read; "
    "kernel.check(read(open(sys.argv[1], 'rb').read()))"
)


def instances(bench: str, sample: bool) -> list[tuple[str, str, float]]:
    """(network file, property file, time limit) of every instance of the CSV, or of the sample."""
    with open(os.path.join(bench, "acasxu_instances.csv"), encoding="utf-8") as f:
        rows = [(net, prop, float(limit)) for net, prop, limit in csv.reader(f) if net]
    if not sample:
        return rows
    chosen = []
    for net, prop, limit in rows:
        number = int(prop.removeprefix("prop_").removesuffix(".vnnlib"))
        if number >= 5 or any(net == f"ACASXU_run2a_{n}_batch_2000.onnx" for n in SAMPLE_NETWORKS):
            chosen.append((net, prop, limit))
    return chosen


def timed(cmd: list[str], limit: float, env: dict[str, str] | None = None) -> tuple[int | None, float, str, str]:
    """Run ``cmd`` in its own process group: (exit code or None when killed at ``limit``, wall s, stdout, stderr)."""
    start = time.monotonic()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True
    )
    try:
        out, err = proc.communicate(timeout=limit)
        return proc.returncode, time.monotonic() - start, out, err
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        return None, time.monotonic() - start, out, err


def run_symnet(net: str, prop: str, timeout: float, work: str, tag: str, workers: int | None) -> dict[str, Any]:
    """``symnet verify`` then ``symnet check`` of its certificate."""
    env = dict(os.environ, PYTHONPATH=ROOT)
    cert, result = os.path.join(work, f"{tag}.json"), os.path.join(work, f"{tag}.txt")
    cmd = [
        sys.executable,
        "-m",
        "symnet",
        "verify",
        net,
        prop,
        "--timeout",
        str(timeout),
        "--certificate",
        cert,
        "--result-file",
        result,
    ]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    code, wall, out, err = timed(cmd, timeout + GRACE, env)
    status = {0: "holds", 1: "violated", 3: "unknown"}.get(code, "killed" if code is None else "error")
    if status in ("holds", "violated") and not out.startswith(status):  # a crash also exits 1
        status = "error"
    row: dict[str, Any] = {"status": status, "time": round(wall, 2), "exit": code}
    if status == "error":
        row["error"] = (err.strip().splitlines() or ["?"])[-1][:200]
    if status == "unknown" and os.path.exists(result):
        with open(result, encoding="utf-8") as f:
            row["status"] = f.readline().strip() or "unknown"
    if status in ("holds", "violated"):
        paths = [p for p in (cert, *(cert.replace(".json", f".{i}.json") for i in range(2, 9))) if os.path.exists(p)]
        row["certificate_bytes"] = sum(os.path.getsize(p) for p in paths)
        check_time, checked = 0.0, True
        for path in paths:
            ccode, cwall, _, cerr = timed([sys.executable, "-m", "symnet", "check", path], 600, env)
            if ccode != 0 and "Traceback" in cerr:  # symnet check crashed (not a rejection): the kernel alone
                row["check_error"] = (cerr.strip().splitlines() or ["?"])[-1][:200]
                ccode, cwall, _, cerr = timed([sys.executable, "-c", KERNEL_CHECK, path], 600, env)
                row["checked_by"] = "kernel.check"
            check_time += cwall
            checked = checked and ccode == 0
            if ccode != 0:
                row["check_error"] = (cerr.strip().splitlines() or ["?"])[-1][:200]
        row["check_time"] = round(check_time, 2)
        row["checked"] = checked and bool(paths)
    return row


def run_marabou(python: str, net: str, prop: str, timeout: float) -> dict[str, Any]:
    """Marabou on one instance, through its own ONNX and VNN-LIB readers."""
    code, wall, out, err = timed([python, "-c", MARABOU, net, prop, str(timeout)], timeout + GRACE)
    words = dict(line.split(" ", 1) for line in out.splitlines() if line.startswith(("RESULT ", "POINT ")))
    answer = words.get("RESULT", "").strip()
    status = {"sat": "violated", "unsat": "holds"}.get(
        answer, answer.lower() or ("killed" if code is None else "error")
    )
    row: dict[str, Any] = {"status": status, "time": round(wall, 2)}
    if "POINT" in words:
        row["point"] = [float(v) for v in words["POINT"].split()]
    if status == "error":
        row["error"] = (err.strip().splitlines() or ["?"])[-1][:200]
    return row


NEAR_SIZES = ([2, 16, 16, 1], [3, 16, 16, 1], [2, 16, 16, 16, 1])


def _near_network(seed: int, sizes: list[int], path: str) -> None:
    """A random float32 ReLU network saved as ONNX (MatMul/Add/Relu), reproducible from the seed."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)
    inits, nodes, cur = [], [], "X"
    for i, (a, b) in enumerate(zip(sizes, sizes[1:], strict=False)):
        w = rng.normal(0, 1 / a**0.5, (a, b)).astype(np.float32)
        bias = rng.normal(0, 0.3, b).astype(np.float32)
        inits += [numpy_helper.from_array(w, f"W{i}"), numpy_helper.from_array(bias, f"b{i}")]
        nodes += [
            helper.make_node("MatMul", [cur, f"W{i}"], [f"m{i}"]),
            helper.make_node("Add", [f"m{i}", f"b{i}"], [f"z{i}"]),
        ]
        cur = f"z{i}"
        if i < len(sizes) - 2:
            nodes.append(helper.make_node("Relu", [cur], [f"r{i}"]))
            cur = f"r{i}"
    graph = helper.make_graph(
        nodes,
        "near",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, sizes[0]])],
        [helper.make_tensor_value_info(cur, TensorProto.FLOAT, [1, 1])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, path)


def near_threshold(n: int, timeout: float, marabou: str | None, workers: int | None) -> int:
    """Properties ``Y_0 >= T`` with T within 1e-7 of the exact maximum (above: holds; below: violated)."""
    from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext
    from fractions import Fraction

    sys.path.insert(0, ROOT)
    import symnet

    right = {"symnet": 0, "marabou": 0}
    with tempfile.TemporaryDirectory(prefix="bench_near_") as work:
        for seed in range(n):
            sizes = NEAR_SIZES[seed % len(NEAR_SIZES)]
            net_path, prop_path = os.path.join(work, f"n{seed}.onnx"), os.path.join(work, f"n{seed}.vnnlib")
            _near_network(seed, sizes, net_path)
            box = [(-1, 1)] * sizes[0]
            t0 = time.monotonic()
            top = Fraction(str(symnet.bound(symnet.from_onnx(net_path), box).maximum[0]))
            exact_time = time.monotonic() - t0
            truth = "holds" if seed % 2 == 0 else "violated"
            with localcontext() as ctx:
                ctx.prec = 50
                value = Decimal(top.numerator) / Decimal(top.denominator)
                rounding = ROUND_CEILING if truth == "holds" else ROUND_FLOOR
                threshold = value.quantize(Decimal("1e-8"), rounding=rounding)
            if Fraction(threshold) == top:  # T must differ from the maximum, on the right side
                threshold += Decimal("1e-8") if truth == "holds" else Decimal("-1e-8")
            gap = float(Fraction(threshold) - top)
            lines = [f"(declare-const X_{j} Real)" for j in range(sizes[0])] + ["(declare-const Y_0 Real)"]
            lines += [f"(assert (>= X_{j} -1)) (assert (<= X_{j} 1))" for j in range(sizes[0])]
            lines.append(f"(assert (>= Y_0 {threshold}))")
            with open(prop_path, "w", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")
            s = run_symnet(net_path, prop_path, timeout, work, f"n{seed}", workers)
            line = (
                f"{seed:>3} {'->'.join(map(str, sizes)):>16} gap {gap:+.1e} truth {truth:>8} "
                f"(exact max {exact_time:.1f} s)  symnet {s['status']:>8} {s['time']:6.2f} s"
            )
            right["symnet"] += s["status"] == truth and bool(s.get("checked"))
            if marabou:
                m = run_marabou(marabou, net_path, prop_path, timeout)
                right["marabou"] += m["status"] == truth
                line += f"  marabou {m['status']:>8} {m['time']:6.2f} s"
            print(line, flush=True)
    print(f"right answers out of {n}: symnet {right['symnet']}" + (f", marabou {right['marabou']}" if marabou else ""))
    return 0 if right["symnet"] == n else 1


def summary(rows: list[dict[str, Any]], tool: str) -> dict[str, Any]:
    answered = [r[tool] for r in rows if tool in r]
    holds = sum(r["status"] == "holds" for r in answered)
    violated = sum(r["status"] == "violated" for r in answered)
    return {
        "instances": len(answered),
        "solved": holds + violated,
        "holds": holds,
        "violated": violated,
        "total_time": round(sum(r["time"] for r in answered), 1),
    }


def _load() -> str:
    with open("/proc/loadavg", encoding="ascii") as f:
        return " ".join(f.read().split()[:3])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", default=BENCH, help="the folder of acasxu_instances.csv")
    parser.add_argument("--sample", action="store_true", help="the 26-instance sample of issue 21")
    parser.add_argument("--limit", type=int, default=None, help="only the first N instances")
    parser.add_argument("--timeout", type=float, default=116.0, help="seconds per instance (default 116)")
    parser.add_argument("--workers", type=int, default=None, help="symnet verify --workers (default: all cores)")
    parser.add_argument("--marabou-python", default="/work/peers-vnnlib/bin/python")
    parser.add_argument("--no-peers", action="store_true", help="run symnet only")
    parser.add_argument("--json", default=None, help="write every row to this JSON file")
    parser.add_argument(
        "--near-threshold",
        type=int,
        default=None,
        metavar="N",
        help="instead: N random networks with the threshold within 1e-7 of the exact maximum",
    )
    args = parser.parse_args(argv)
    if args.near_threshold is not None:
        peer = None if args.no_peers or not os.path.exists(args.marabou_python) else args.marabou_python
        return near_threshold(args.near_threshold, args.timeout, peer, args.workers)

    chosen = instances(args.bench, args.sample)[: args.limit]
    peers = [] if args.no_peers or not os.path.exists(args.marabou_python) else ["marabou"]
    print(
        f"{len(chosen)} instances, timeout {args.timeout:g} s, peers: {', '.join(peers) or 'none'}; "
        f"load before: {_load()}",
        flush=True,
    )
    rows: list[dict[str, Any]] = []
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench_vnncomp_") as work:
        for i, (net_name, prop_name, _) in enumerate(chosen):
            net, prop = os.path.join(args.bench, net_name), os.path.join(args.bench, prop_name)
            tag = f"{net_name.removeprefix('ACASXU_run2a_').removesuffix('_batch_2000.onnx')}-{prop_name[:-7]}"
            row: dict[str, Any] = {"instance": tag}
            row["symnet"] = run_symnet(net, prop, args.timeout, work, f"i{i}", args.workers)
            if "marabou" in peers:
                row["marabou"] = run_marabou(args.marabou_python, net, prop, args.timeout)
            rows.append(row)
            s = row["symnet"]
            line = (
                f"{tag:>10}  symnet {s['status']:>8} {s['time']:7.2f} s  cert {s.get('certificate_bytes', 0):>9} B"
                f"  check {s.get('check_time', 0):6.2f} s {'ok' if s.get('checked') else '--'}"
            )
            if "error" in s:
                line += f"  ({s['error'][:80]})"
            if "marabou" in row:
                m = row["marabou"]
                line += f"   marabou {m['status']:>8} {m['time']:7.2f} s"
            print(line, flush=True)
    total = time.monotonic() - start
    report: dict[str, Any] = {"total_wall": round(total, 1), "load_after": _load(), "tools": {}}
    for tool in ["symnet", *peers]:
        report["tools"][tool] = summary(rows, tool)
    disagreements = [
        (r["instance"], r["symnet"]["status"], r[p]["status"])
        for r in rows
        for p in peers
        if {r["symnet"]["status"], r[p]["status"]} == {"holds", "violated"}
    ]
    unchecked = [
        r["instance"] for r in rows if r["symnet"]["status"] in ("holds", "violated") and not r["symnet"]["checked"]
    ]
    report["disagreements"] = disagreements
    report["unchecked"] = unchecked
    print(f"\ntotal wall {total:.1f} s; load after: {report['load_after']}")
    for tool, s in report["tools"].items():
        print(
            f"{tool:>8}: solved {s['solved']}/{s['instances']} (holds {s['holds']}, violated {s['violated']}), "
            f"total {s['total_time']} s"
        )
    sym = report["tools"]["symnet"]["total_time"]
    for p in peers:
        peer = report["tools"][p]["total_time"]
        print(f"ratio symnet / {p} (total time): {sym / peer if peer else float('nan'):.2f}")
    print(
        f"disagreements: {disagreements or 'none'}; answers whose certificate failed the check: {unchecked or 'none'}"
    )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"rows": rows, "report": report}, f, indent=1)
    return 1 if disagreements or unchecked else 0


if __name__ == "__main__":
    sys.exit(main())
