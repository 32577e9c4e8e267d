"""Benchmark: symnet.crosscheck on fully symbolic dense networks (identity activation).

Run by hand:  python benchmarks/bench_crosscheck.py [--samples N] [--repeat R]

For each size, proves the network once (timed separately), then times
``crosscheck(proof, samples=N)`` over the default kinds (int, rational,
float; N/3 each) -- compiling both sides, drawing N instantiations with
Hypothesis and evaluating the forward pass and W* x + b* for each.  The
target (issue #7) is 1,000 instantiations of p = 10, hidden [10, 10] in at
most 2 s.  Also times a planted wrong claim (found and shrunk).
"""

from __future__ import annotations

import argparse
import time

import symnet

SIZES = [(3, [3]), (10, [10]), (10, [10, 10]), (20, [20, 20])]


def best_of(repeat: int, fn) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'network':<22} {'params':>6} {'prove s':>8} {'crosscheck s':>13} {'per sample ms':>14} {'planted s':>10}")
    for p, hidden in SIZES:
        net = symnet.dense(p, hidden)
        t_prove, proof = best_of(1, lambda: symnet.prove(net))
        t_cc, report = best_of(args.repeat, lambda: symnet.crosscheck(proof, samples=args.samples, seed=0))
        assert report.agree and report.samples == args.samples, report
        wrong = proof.matrix.as_mutable()
        wrong[0, p - 1] += 1
        t_bad, bad = best_of(
            args.repeat, lambda: symnet.crosscheck(proof, samples=args.samples, claim=(wrong, proof.offset))
        )
        assert not bad.agree
        name = f"p={p}, hidden={hidden}"
        print(
            f"{name:<22} {len(net.parameters):>6} {t_prove:>8.3f} {t_cc:>13.3f} "
            f"{1000 * t_cc / args.samples:>14.3f} {t_bad:>10.3f}"
        )


if __name__ == "__main__":
    main()
