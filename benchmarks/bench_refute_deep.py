"""Benchmark: ``symnet.refute`` and the kernel's check of deep transcendental networks, whose counterexample values
are stated by rational enclosures (document version 2; the former value bound refused them all up front).

Run by hand:  PYTHONPATH=. python benchmarks/bench_refute_deep.py [--repeat N]   (best of N, wall clock)
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import symnet
from symnet.kernel import check

CASES: list[tuple[str, Callable[[], symnet.Network]]] = [
    ("tanh dense(2, [2]*8)", lambda: symnet.dense(2, [2] * 8, activation="tanh")),
    ("sigmoid dense(2, [3]*5)", lambda: symnet.dense(2, [3] * 5, activation="sigmoid")),
    ("softplus dense(2, [2]*6)", lambda: symnet.dense(2, [2] * 6, activation="softplus")),
    ("tanh dense(2, [2]*40)", lambda: symnet.dense(2, [2] * 40, activation="tanh")),
    ("tanh dense(60, [60]*3)", lambda: symnet.dense(60, [60] * 3, activation="tanh")),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (default 3)")
    args = parser.parse_args()
    print(f"{'case':28s} {'refute best':>12s} {'check best':>11s} {'bytes':>9s}")
    for name, make in CASES:
        net = make()
        refute_best = check_best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            cx = symnet.refute(net)
            refute_best = min(refute_best, time.perf_counter() - start)
            assert cx is not None
            text = cx.to_json()
            start = time.perf_counter()
            assert check(text) is True
            check_best = min(check_best, time.perf_counter() - start)
        print(f"{name:28s} {refute_best:11.3f}s {check_best:10.4f}s {len(text):9,d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
