"""Q1 (documents): reading a dense(w, [w]*d) proof document: today's ``symnet.certificate.read`` against
``json.loads`` plus the prototype's sympy-free reader (the node table into the hash-consed Table, the network into
refs; ``knet.read_network``).  One run each, fresh objects (docs/redesign.md, section 4).

Run from the repository root:  python benchmarks/stage2/q1_read.py [width depth]   (default 200 5; the note's
500 10 run reads a 107 MB document: about a minute)
"""

import gc
import json
import sys
import time

import _paths  # noqa: F401  (the repository's symnet first on sys.path)
import knet

import symnet
from symnet import certificate


def main(w: int, d: int) -> None:
    text = symnet.prove(symnet.dense(w, [w] * d)).to_json()
    gc.collect()
    t0 = time.perf_counter()
    doc = json.loads(text)
    t1 = time.perf_counter()
    net, refs = knet.read_network(doc)
    t2 = time.perf_counter()
    del doc, net, refs
    gc.collect()
    t3 = time.perf_counter()
    certificate.read(text)
    t4 = time.perf_counter()
    print(f"dense({w}, [{w}]*{d}) proof, {len(text) / 1e6:.1f} MB: json.loads {t1 - t0:.2f} s, "
          f"prototype reader {t2 - t1:.2f} s (total {t2 - t0:.2f} s) | today certificate.read {t4 - t3:.2f} s")


if __name__ == "__main__":
    main(*((int(sys.argv[1]), int(sys.argv[2])) if len(sys.argv) > 2 else (200, 5)))
