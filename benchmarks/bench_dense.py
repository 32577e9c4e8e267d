"""Benchmark: a fully symbolic dense network at millions of weights, built, proved and checked.

    PYTHONPATH=. python benchmarks/bench_dense.py            # dense(500, [500]*10): 2.5 M weights
    PYTHONPATH=. python benchmarks/bench_dense.py --width 200 --depth 5

Each size runs in a fresh process, so the peak resident memory (max RSS) is
that of the build, the proof and the check alone.  Target (issue 19):
``dense(500, [500]*10)`` build + prove + check <= 20 s and <= 1 GiB peak.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import time


def _run(width: int, depth: int, out: mp.Queue) -> None:
    import symnet

    t0 = time.perf_counter()
    net = symnet.dense(width, [width] * depth)
    t1 = time.perf_counter()
    proof = symnet.prove(net)
    t2 = time.perf_counter()
    ok = proof.check()
    t3 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put((t1 - t0, t2 - t1, t3 - t2, peak, ok, net.size()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=500, help="inputs and hidden width (default 500)")
    parser.add_argument("--depth", type=int, default=10, help="hidden layers (default 10)")
    args = parser.parse_args()
    queue: mp.Queue = mp.Queue()
    proc = mp.Process(target=_run, args=(args.width, args.depth, queue))
    proc.start()
    build, prove, check, peak, ok, size = queue.get()
    proc.join()
    total = build + prove + check
    print(f"dense({args.width}, [{args.width}]*{args.depth}): {size:,} weights")
    print(f"  build {build:.2f} s | prove {prove:.2f} s | check {check:.2f} s{'' if ok else ' (REJECTED)'}")
    print(f"  total {total:.2f} s (target <= 20 s) | peak RSS {peak:.0f} MiB (target <= 1024 MiB)")


if __name__ == "__main__":
    main()
