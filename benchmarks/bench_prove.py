"""Benchmark: prove + check on fully symbolic dense networks (identity activation, one output).

Run by hand:  python benchmarks/bench_prove.py [--quick]

Prints, per size, the monomial count T of the expanded output, the time of
``prove`` + ``check`` in this process, the peak traced memory, and, where it
finishes within a time budget, the naive route (``sympy.expand`` of the output
then ``Poly`` in x) measured in the same run, with the ratio.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import time
import resource

import sympy

import symnet


def monomials(p: int, h: int, L: int) -> int:
    return p * h**L + (h ** (L + 1) - 1) // (h - 1) if h > 1 else p + L + 1


def _ours(p: int, h: int, L: int, out: mp.Queue) -> None:
    net = symnet.dense(p, [h] * L)
    t0 = time.perf_counter()
    proof = symnet.prove(net)
    assert proof.check()
    elapsed = time.perf_counter() - t0
    out.put((elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def ours(p: int, h: int, L: int) -> tuple[float, float]:
    """Seconds for prove + check, and the peak resident memory (MiB) of a fresh process."""
    queue: mp.Queue = mp.Queue()
    proc = mp.Process(target=_ours, args=(p, h, L, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def _naive(p: int, h: int, L: int, out: mp.Queue) -> None:
    net = symnet.dense(p, [h] * L)
    t0 = time.perf_counter()
    expanded = sympy.expand(net.output[0])
    poly = sympy.Poly(expanded, *net.inputs)
    assert poly.total_degree() <= 1
    out.put(time.perf_counter() - t0)


def naive(p: int, h: int, L: int, budget: float) -> float | None:
    queue: mp.Queue = mp.Queue()
    proc = mp.Process(target=_naive, args=(p, h, L, queue))
    proc.start()
    proc.join(budget)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return None
    return queue.get()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="skip the largest size and the naive route above 5 s")
    parser.add_argument("--budget", type=float, default=40.0, help="seconds allowed to the naive route per size")
    args = parser.parse_args()
    budget = 5.0 if args.quick else args.budget
    sizes = [(3, 3, 1), (3, 10, 3), (10, 10, 2), (30, 30, 2), (30, 30, 4)]
    sizes += [(30, 30, L) for L in (1, 8, 16)]  # growth with depth
    sizes += [(30, h, 4) for h in (10, 60)]  # growth with width
    sizes += [(p, 30, 4) for p in (10, 60)]  # growth with inputs
    if not args.quick:
        sizes.append((100, 100, 10))
    print(f"{'p':>4} {'h':>4} {'L':>3} {'monomials T':>14} {'prove+check s':>14} {'peak RSS MiB':>12} {'naive s':>9} {'ratio':>8}")
    for p, h, L in sizes:
        t, peak = ours(p, h, L)
        T = monomials(p, h, L)
        nv = naive(p, h, L, budget) if T <= 200_000 else None
        shown = f"{nv:9.3f}" if nv is not None else f"{'>' + format(budget, '.0f'):>9}" if T <= 200_000 else f"{'-':>9}"
        ratio = f"{nv / t:8.0f}" if nv is not None else f"{'-':>8}"
        print(f"{p:>4} {h:>4} {L:>3} {T:>14,} {t:>14.3f} {peak:>12.1f} {shown} {ratio}")


if __name__ == "__main__":
    main()
