"""Benchmark: ``symnet.refute`` and the kernel's check of the counterexample documents it writes.

Run by hand:  python benchmarks/bench_refute.py [--repeat N] [--deep]

``--deep`` runs deep transcendental networks instead, whose counterexample values are stated by rational
enclosures (document version 2; before it, symnet refused or took seconds on them).

Networks (deterministic): ``dense(p, hidden, activation)`` with symbolic weights, and numeric networks whose
weights are small rationals from a seeded generator.  Each case is timed N times (best and median, wall clock;
the machine may be shared, so read the best):

* refute: ``symnet.refute(net)`` (which includes one kernel check of what it finds);
* check: ``symnet.kernel.check(text)`` of the counterexample's JSON document (reading included).

It prints the fingerprint (sha256) of every document, so two versions of symnet can be compared for
byte-identical output: run it with ``PYTHONPATH`` set to each checkout.
"""

from __future__ import annotations

import argparse
import hashlib
import random
from collections.abc import Callable
from fractions import Fraction
from itertools import pairwise

from _timing import timed

import symnet
from symnet.kernel import check


def numeric(widths: list[int], activation: str, seed: int = 1) -> symnet.Network:
    """A numeric network with weights and biases k/4, k in [-4, 4], from a seeded generator."""
    rng = random.Random(seed)
    weights = [[[Fraction(rng.randint(-4, 4), 4) for _ in range(a)] for _ in range(b)] for a, b in pairwise(widths)]
    biases = [[Fraction(rng.randint(-4, 4), 4) for _ in range(b)] for b in widths[1:]]
    return symnet.Network.from_matrices(weights, biases, activation=activation)


CASES: list[tuple[str, Callable[[], symnet.Network]]] = [
    ("tanh dense(1, [1])", lambda: symnet.dense(1, [1], activation="tanh")),
    ("tanh dense(2, [3, 3])", lambda: symnet.dense(2, [3, 3], activation="tanh")),
    ("tanh numeric 4-16-16-2", lambda: numeric([4, 16, 16, 2], "tanh")),
    ("sigmoid numeric 4-16-16-2", lambda: numeric([4, 16, 16, 2], "sigmoid")),
    ("relu dense(2, [3, 3])", lambda: symnet.dense(2, [3, 3], activation="relu")),
    ("relu numeric 4-16-16-2", lambda: numeric([4, 16, 16, 2], "relu")),
]
DEEP_CASES: list[tuple[str, Callable[[], symnet.Network]]] = [
    ("tanh dense(2, [2]*8)", lambda: symnet.dense(2, [2] * 8, activation="tanh")),
    ("sigmoid dense(2, [3]*5)", lambda: symnet.dense(2, [3] * 5, activation="sigmoid")),
    ("softplus dense(2, [2]*6)", lambda: symnet.dense(2, [2] * 6, activation="softplus")),
    ("tanh dense(2, [2]*40)", lambda: symnet.dense(2, [2] * 40, activation="tanh")),
    ("tanh dense(60, [60]*3)", lambda: symnet.dense(60, [60] * 3, activation="tanh")),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per case (default 5)")
    parser.add_argument("--deep", action="store_true", help="the deep transcendental networks instead")
    args = parser.parse_args()
    print(f"{'case':32s} {'refute best':>12s} {'median':>8s} {'check best':>11s} {'median':>8s}  document")
    for name, make in DEEP_CASES if args.deep else CASES:
        net = make()
        best, median, cx = timed(lambda net=net: symnet.refute(net), args.repeat)
        text = cx.to_json()
        cbest, cmedian, ok = timed(lambda text=text: check(text), args.repeat)
        assert ok is True
        digest = "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:12]
        print(f"{name:32s} {best:11.3f}s {median:7.3f}s {cbest:10.4f}s {cmedian:7.4f}s  {digest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
