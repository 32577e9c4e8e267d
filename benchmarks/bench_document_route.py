"""Checking a proof in memory against checking it through its JSON document (issue 19, docs/architecture.md).

``python benchmarks/bench_document_route.py --inputs 500 --width 500 --depth 10`` builds
``symnet.dense(inputs, [width] * depth)``, proves it, checks the proof in memory, then writes its
document (``to_json``), reads it back (``symnet.certificate.read``) and checks what was read
(``symnet.kernel.check``), and parses the same text with ``json.loads`` alone (the floor any
reader of the document pays), printing each time and the peak memory (run by hand; nothing is asserted).
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections.abc import Callable
from typing import TypeVar

import symnet
from symnet import certificate, kernel

T = TypeVar("T")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=500)
    parser.add_argument("--width", type=int, default=500)
    parser.add_argument("--depth", type=int, default=10)
    args = parser.parse_args()
    times: dict[str, float] = {}

    def timed(name: str, f: Callable[[], T]) -> T:
        start = time.perf_counter()
        value = f()
        times[name] = time.perf_counter() - start
        return value

    net = timed("build", lambda: symnet.dense(args.inputs, [args.width] * args.depth))
    proof = timed("prove", lambda: symnet.prove(net))
    timed("check in memory", proof.check)
    text = timed("to_json", proof.to_json)
    timed("json.loads", lambda: json.loads(text))
    doc = timed("read", lambda: certificate.read(text))
    timed("check the read document", lambda: kernel.check(doc))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    shown = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in times.items())
    print(f"dense({args.inputs}, [{args.width}]*{args.depth}): {shown}; document {len(text) / 1e6:.0f} MB; "
          f"peak {peak:.0f} MiB")


if __name__ == "__main__":
    main()
