"""Benchmark: symnet.crosscheck on fully symbolic dense networks (identity activation).

Run by hand:  python benchmarks/bench_crosscheck.py [--samples N] [--repeat R]

For each size, proves the network once (timed separately), then times:

* ``crosscheck(proof, samples=N)`` over the default kinds (int, rational,
  float; N/3 each) -- compiling both sides, drawing N instantiations with
  Hypothesis (in batches) and evaluating the forward pass and W* x + b*;
* the exact kinds alone, ``kinds=("int", "rational")``: exact samples/s
  (target, issue #14: >= 1,000/s at p = 20, hidden [20, 20]), by wall-clock
  and by CPU time, and the float kind alone;
* the *plain exact floor*: the same compiled exact comparison, one
  instantiation at a time on Python numbers drawn up front, without
  Hypothesis and without batching (what the shrinker runs);
* a planted wrong claim (found and shrunk).

The compile caches are cleared before every timed call, so each includes
compiling both sides.  Earlier target (issue #7): 1,000 instantiations of
p = 10, hidden [10, 10] in at most 2 s.
"""

from __future__ import annotations

import argparse
import random
import time
from fractions import Fraction
from functools import partial

import sympy

import symnet
from symnet.testing import numeric
from symnet.testing.crosscheck import _Checker

SIZES = [(3, [3]), (10, [10]), (10, [10, 10]), (20, [20, 20])]


def fresh() -> None:
    numeric.compile_forward.cache_clear()
    numeric._compile_claim.cache_clear()


def best_of(repeat: int, fn) -> tuple[float, object]:
    """The best wall-clock time of ``repeat`` calls (compile caches cleared before each)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        fresh()
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def best_cpu(repeat: int, fn) -> float:
    """The best CPU time of ``repeat`` calls: steadier than wall-clock time on a shared machine."""
    best = float("inf")
    for _ in range(repeat):
        fresh()
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def floor_rate(proof, kind: str, count: int) -> float:
    """Exact samples/s of the scalar compiled comparison on pre-drawn Python numbers (no Hypothesis)."""
    checker = _Checker(kind, proof.network, sympy.ImmutableMatrix(proof.matrix), sympy.ImmutableMatrix(proof.offset))
    rng = random.Random(0)
    if kind == "int":
        samples = [[rng.randint(-128, 128) for _ in range(checker.count)] for _ in range(count)]
    else:
        samples = [[Fraction(rng.randint(-128, 128), rng.randint(1, 16)) for _ in range(checker.count)]
                   for _ in range(count)]
    t0 = time.perf_counter()
    for values in samples:
        assert not checker.fails(values)
    return count / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n = args.samples
    print(
        f"{'network':<22} {'params':>6} {'prove s':>8} {'all kinds s':>12} {'exact /s':>9} {'(cpu)':>7} "
        f"{'floor int /s':>13} {'floor rat /s':>13} {'float /s':>9} {'planted s':>10}"
    )
    for p, hidden in SIZES:
        net = symnet.dense(p, hidden)
        t_prove, proof = best_of(1, partial(symnet.prove, net))
        t_all, report = best_of(args.repeat, partial(symnet.crosscheck, proof, samples=n, seed=0))
        assert report.agree and report.samples == n, report
        check_exact = partial(symnet.crosscheck, proof, samples=n, kinds=("int", "rational"))
        t_exact, exact = best_of(args.repeat, check_exact)
        assert exact.agree and exact.samples == n
        cpu_exact = best_cpu(args.repeat, check_exact)
        t_float, floats = best_of(args.repeat, partial(symnet.crosscheck, proof, samples=n, kinds=("float",)))
        assert floats.agree and floats.samples == n
        floor_int = floor_rate(proof, "int", min(n, 500))
        floor_rat = floor_rate(proof, "rational", min(n, 500))
        wrong = proof.matrix.as_mutable()
        wrong[0, p - 1] += 1
        t_bad, bad = best_of(args.repeat, partial(symnet.crosscheck, proof, samples=n, claim=(wrong, proof.offset)))
        assert not bad.agree
        name = f"p={p}, hidden={hidden}"
        print(
            f"{name:<22} {len(net.parameters):>6} {t_prove:>8.3f} {t_all:>12.3f} "
            f"{n / t_exact:>9.0f} {n / cpu_exact:>7.0f} {floor_int:>13.0f} {floor_rat:>13.0f} "
            f"{n / t_float:>9.0f} {t_bad:>10.3f}"
        )


if __name__ == "__main__":
    main()
