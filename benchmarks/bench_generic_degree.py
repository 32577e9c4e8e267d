"""Benchmark: generic proofs and degrees on the docs' cases, and the kernel's check of what they write.

Run by hand:  python benchmarks/bench_generic_degree.py [--repeat N]

Cases (deterministic): the networks of docs/generic-proofs.md and docs/refutations.md (``symnet.prove`` of
``dense("p", ["h"])`` and a deeper one, the theorems' checks; ``symnet.degree`` of square/cube networks, the
cancelling ``(x+1)^2 - (x-1)^2`` one and a deeper 4-4-4-4 one) and ``symnet.refute`` of a numeric square network
(it reads the search's degree bounds and lines).  Each is timed N times after one warm-up call (the theorems'
rule self-checks are cached per process); the best and the median wall-clock milliseconds are printed, with the
sha256 of every document, so two versions of symnet can be compared for byte-identical output.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import time
from collections.abc import Callable
from typing import Any

import symnet
from symnet.kernel import generic as generic_kernel
from symnet.theorems import collapse_rank_bound, deep_linear_collapse


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """(best, median) wall milliseconds of ``repeat`` calls after one warm-up, and the last result."""
    result, times = fn(), []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return min(times), statistics.median(times), result


def cases() -> dict[str, Callable[[], Any]]:
    """Each case by name: a call that proves or checks."""
    N = symnet.Network.from_matrices
    shallow, deep = symnet.dense("p", ["h"]), symnet.dense("p", ["h1", "h2", "h3"], 2)
    seed_proof, deep_proof = symnet.prove(shallow), symnet.prove(deep)
    cancel = N([[[1], [1]], [[1, -1]]], [[1, -1], [0]], activation="square")
    square = symnet.dense(2, [2], activation="square")
    mixed = symnet.dense(2, [2, 2], activation=["square", "cube"])
    wide = symnet.dense(4, [4, 4, 4], activation="square")
    numeric = N([[[1, 2, 3], [0, 1, -1], [2, 0, 1]], [[1, 1, -1]]], [[0, 1, 0], [0]], ["square"])
    out: dict[str, Callable[[], Any]] = {
        "prove_generic p-[h]": lambda: symnet.prove(shallow),
        "check generic p-[h]": lambda: generic_kernel.check(seed_proof.certificate),
        "prove_generic p-[h1,h2,h3]-2": lambda: symnet.prove(deep),
        "check generic p-[h1,h2,h3]-2": lambda: generic_kernel.check(deep_proof.certificate),
        "deep_linear_collapse.check": deep_linear_collapse.check,
        "collapse_rank_bound.check": collapse_rank_bound.check,
    }
    for name, net in (("square 2-2-1", square), ("sq,cube 2-2-2-1", mixed), ("cancel", cancel), ("4-4-4-4", wide)):
        out[f"degree {name}"] = lambda net=net: symnet.degree(net)
        found = symnet.degree(net)
        out[f"check degree {name}"] = lambda d=found: d.check()
    out["refute numeric square 3-3-1"] = lambda: symnet.refute(numeric)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    print(f"{'case':34s} {'best ms':>9s} {'median ms':>10s}  sha256 of the document")
    for name, fn in cases().items():
        best, median, result = timed(fn, repeat)
        text = result.to_json() if hasattr(result, "to_json") else ""
        digest = hashlib.sha256(text.encode()).hexdigest()[:16] if text else "-"
        print(f"{name:34s} {best:9.2f} {median:10.2f}  {digest}")


if __name__ == "__main__":
    main()
