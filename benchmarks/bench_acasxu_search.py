"""Benchmark: symnet's exact searches on an ACAS Xu network (refutation, regions, bound) and their kernel checks.

Run by hand:  python benchmarks/bench_acasxu_search.py [--repeat N] [--network FILE] [--half-width W ...]

The network is ``ACASXU_run2a_1_1_batch_2000.onnx`` from ``../shared/benchmarks/acasxu`` next to the repository
(``$SYMNET_ACASXU_DIR`` or ``--network`` name another; 5 inputs, six hidden ReLU layers of 50, 5 outputs).
Each case is timed N times (best and median, wall clock; the machine may be shared, so read the best):

* refute: ``symnet.refute(net)`` -- the exact counterexample to "the output is affine in x", which
  includes one kernel check of it -- and the kernel's re-check ``cx.check()`` alone;
* regions: ``symnet.regions`` on the box of half-width W (default 1/1000, as in ``bench_acasxu_import.py``)
  around the point (0.61, 0.11, -0.19, 0.48, -0.47), and its ``check()`` (the lazy Farkas multipliers,
  computed by the search, plus the kernel's re-verification);
* bound: ``symnet.bound`` on the same box (every output's exact maximum and minimum) and its ``check()``.

It prints the fingerprint (sha256) of every document, so two versions of symnet can be compared for
byte-identical output: run it with ``PYTHONPATH`` set to each checkout.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import symnet

ROOT = Path(__file__).resolve().parent.parent
DIRECTORY = Path(os.environ.get("SYMNET_ACASXU_DIR") or ROOT.parent / "shared" / "benchmarks" / "acasxu")
DEFAULT = DIRECTORY / "ACASXU_run2a_1_1_batch_2000.onnx"
POINT = [Fraction(v) for v in ("0.61", "0.11", "-0.19", "0.48", "-0.47")]


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, list[Any]]:
    """(best, median) wall seconds of ``repeat`` calls, and their results."""
    times, results = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        results.append(fn())
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), results


def fingerprint(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:12]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per case (default 5)")
    parser.add_argument("--network", default=str(DEFAULT), help="an ACAS Xu .onnx file")
    parser.add_argument(
        "--half-width", action="append", default=None, help="half-width of the box (a fraction; repeatable)"
    )
    args = parser.parse_args()
    if not Path(args.network).is_file():
        print(f"{args.network} is not there: set SYMNET_ACASXU_DIR or --network", file=sys.stderr)
        return 2
    net = symnet.from_onnx(args.network)
    rows: list[tuple[str, float, float, str]] = []

    def case(label: str, fn: Callable[[], Any], note: str = "") -> list[Any]:
        best, median, results = timed(fn, args.repeat)
        rows.append((label, best, median, note))
        return results

    def fresh() -> symnet.Network:
        # a Network caches its flint matrices and the kernel's reading of it: time every case on a new one,
        # as a user's first call (`symnet prove MODEL.onnx`) runs
        return symnet.from_onnx(args.network)

    def on_fresh(make: Callable[[symnet.Network], Any]) -> Callable[[], Any]:
        nets = [fresh() for _ in range(args.repeat)]
        return lambda: make(nets.pop())

    cxs = case("refute: symnet.refute (ReLU network)", on_fresh(symnet.refute))
    cx = cxs[0]
    # refute checked each once already; the kernel caches nothing on the document: re-check the same ones
    case("refute: cx.check() (kernel)", lambda: cxs.pop().check(), fingerprint(cx.to_json()))
    for width in args.half_width or ["1/1000"]:
        h = Fraction(width)
        box = [(c - h, c + h) for c in POINT]
        # check() computes the lazy multipliers once and caches them: each check runs on its own enumeration
        made = case(f"regions: symnet.regions (box {width})", on_fresh(lambda n, box=box: symnet.regions(n, box=box)))
        regs = made[0]
        label = f"regions: check() ({len(regs)} regions)"
        case(label, lambda made=made: made.pop().check())
        rows[-1] = (*rows[-1][:3], fingerprint(regs.to_json()))  # after the checks: to_json computes the lazy part
        made_b = case(f"bound: symnet.bound (box {width})", on_fresh(lambda n, box=box: symnet.bound(n, box=box)))
        b = made_b[0]
        case("bound: check()", lambda made_b=made_b: made_b.pop().check())
        rows[-1] = (*rows[-1][:3], fingerprint(b.to_json()))
    print(f"{Path(args.network).name}: {net!r}; counterexample at output {cx.output}")
    print(f"{'case':44} {'best':>9} {'median':>9}  document")
    for label, best, median, note in rows:
        print(f"{label:44} {best:8.3f}s {median:8.3f}s  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
