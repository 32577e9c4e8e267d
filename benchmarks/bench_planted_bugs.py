"""Benchmark: how often assert_forward_matches catches a planted ReLU threshold bug, and what aiming costs (issue 22).

Run by hand:  python benchmarks/bench_planted_bugs.py [--seeds N]

1. The bug: a ReLU written ``z > 1e-3`` (and ``z > Fraction(1, 1000)``); for
   seeds 0..N-1, default settings (100 samples) with kind "rational" and
   "float": how many seeds catch it (target: >= 95 of 100).
2. The cost of a passing call (a correct forward pass, 100 samples), in ms,
   for three ReLU networks; compare with the same script on a checkout
   without aiming to see the overhead.
"""

from __future__ import annotations

import argparse
import time
from fractions import Fraction
from typing import Any

import symnet
from symnet.testing import assert_forward_matches, last_forward_check

NETS = {
    "2x[3]": symnet.dense(2, [3], 1, "relu"),
    "3x[4,4]x2": symnet.dense(3, [4, 4], 2, "relu"),
    "8x[16,16]": symnet.dense(8, [16, 16], 1, "relu"),
    "numeric 2x[3]": symnet.Network.from_matrices(
        [[[1, -1], [2, 1], [Fraction(1, 2), 3]], [[1, 1, -1]]], [[0, 1, -1], [0]], "relu"
    ),
}


def mlp(threshold: Any) -> Any:
    def fn(weights: Any, biases: Any, x: Any) -> list[Any]:
        u = list(x)
        for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
            z = [b[k] + sum(w[k][j] * u[j] for j in range(len(u))) for k in range(len(w))]
            u = z if i == len(weights) - 1 else [v if v > threshold else 0 for v in z]
        return u

    return fn


def caught(fn: Any, net: symnet.Network, **kwargs: Any) -> bool:
    try:
        assert_forward_matches(fn, net, **kwargs)
    except AssertionError:
        return True
    return False


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=100)
    seeds = parser.parse_args().seeds
    print(f"1. planted threshold bug caught, of {seeds} seeds (default settings)")
    for threshold in (1e-3, Fraction(1, 1000)):
        for name in ("2x[3]", "3x[4,4]x2", "numeric 2x[3]"):
            for kind in ("rational", "float"):
                start = time.perf_counter()
                hits = sum(caught(mlp(threshold), NETS[name], seed=s, kind=kind) for s in range(seeds))
                took = time.perf_counter() - start
                print(f"   z > {threshold!s:7} {name:14} {kind:8} {hits:4d}/{seeds}  ({took:.1f} s)")
    print("2. a passing call, 100 samples (ms; aimed draws of the last call)")
    for name, net in NETS.items():
        for kind in ("rational", "float"):
            start = time.perf_counter()
            for s in range(10):
                assert_forward_matches(mlp(0), net, seed=s, kind=kind)
            ms = (time.perf_counter() - start) / 10 * 1000
            print(f"   {name:14} {kind:8} {ms:6.0f} ms   {last_forward_check()}")


if __name__ == "__main__":
    main()
