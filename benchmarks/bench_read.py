"""Benchmark: the document reader, ``symnet.certificate.read``, on large documents.

    PYTHONPATH=. python benchmarks/bench_read.py --write DIR       # write the documents (once)
    PYTHONPATH=. python benchmarks/bench_read.py DIR/*.json        # best of 3 reads of each: wall and CPU seconds

``--write`` writes the proof of a float32 784 -> 256 -> 128 -> 10 network (a
linear certificate over QQ, ``mnist.json``) and of ``symnet.dense(200,
[200]*5)`` (200,000 symbolic weights, ``dense.json``).  Timing the same files
with two checkouts (PYTHONPATH) compares two readers.  JSON parsing is timed
apart (``json.loads``, plain and with the cycle collector paused as the reader
parses), so the reader's own share is visible as a ratio.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path

import numpy as np

import symnet
from symnet import certificate


def write(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    sizes = [784, 256, 128, 10]
    mats = [
        (
            (rng.standard_normal((m, n)) / np.sqrt(n)).astype(np.float32),
            (0.1 * rng.standard_normal(m)).astype(np.float32),
        )
        for n, m in zip(sizes[:-1], sizes[1:], strict=True)
    ]
    net = symnet.Network.from_matrices([w for w, _ in mats], [b for _, b in mats])
    (out / "mnist.json").write_text(symnet.prove(net).to_json())
    (out / "dense.json").write_text(symnet.prove(symnet.dense(200, [200] * 5)).to_json())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--write", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if args.write:
        write(args.write)
        return
    for f in args.files:
        text = Path(f).read_text()
        parse, paused, read, cpu = [], [], [], []
        for _ in range(args.repeat):
            t = time.perf_counter()
            json.loads(text)
            parse.append(time.perf_counter() - t)
            gc.disable()  # the reader parses with the cycle collector paused: the same floor
            t = time.perf_counter()
            json.loads(text)
            paused.append(time.perf_counter() - t)
            gc.enable()
            t, c = time.perf_counter(), time.process_time()
            certificate.read(text)
            read.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        print(
            f"{f}: {len(text) / 1e6:.1f} MB, read {min(read):.2f} s wall, {min(cpu):.2f} s CPU "
            f"(json.loads alone {min(parse):.2f} s, {min(paused):.2f} s with gc paused; "
            f"read / json.loads = {min(read) / min(parse):.1f}x, / paused json.loads = {min(read) / min(paused):.1f}x)",
            flush=True,
        )
    sys.exit(0)


if __name__ == "__main__":
    main()
