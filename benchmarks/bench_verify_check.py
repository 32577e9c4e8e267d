"""Time the kernel's check of verification certificates (issue 21): ``Verdict.from_json(text).check()``.

    PYTHONPATH=. python benchmarks/bench_verify_check.py --write DIR      # write the certificates with symnet.verify
    PYTHONPATH=. python benchmarks/bench_verify_check.py DIR/*.json       # best of 3, CPU and wall seconds

``--write`` runs ``symnet.verify`` (one worker) on ACAS Xu 1_1, 1_9 and 2_3 with property 1 and writes
``DIR/<net>_p1.json``; timing the same files with two checkouts (PYTHONPATH) compares two kernels.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import symnet
from symnet.search.vnnlib import read_vnnlib

sys.path.insert(0, str(Path(__file__).parent))
from bench_verify import ACAS, acas_network  # noqa: E402

NETS = ["1_1", "1_9", "2_3"]


def write(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for n in NETS:
        net = acas_network(ACAS / f"ACASXU_run2a_{n}_batch_2000.onnx")
        t = time.time()
        v = symnet.verify(net, read_vnnlib(str(ACAS / "prop_1.vnnlib")), timeout=600, workers=1)
        print(f"{n} prop_1 {v.status} {time.time() - t:.1f}s {v.stats}", flush=True)
        if v.status != "unknown":
            (out / f"{n}_p1.json").write_text(v.to_json())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*")
    ap.add_argument("--write", default=None, help="write the certificates into this directory")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"# {symnet.__file__}; uptime: {os.popen('uptime').read().strip()}")
    if args.write:
        write(Path(args.write))
    for name in args.files:
        text = Path(name).read_text()
        cpu, wall = [], []
        for _ in range(args.repeat):
            t, c = time.perf_counter(), time.process_time()
            assert symnet.Verdict.from_json(text).check()
            wall.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        print(f"{name}: best of {args.repeat}: {min(cpu):.2f} s CPU, {min(wall):.2f} s wall", flush=True)
    print(f"# uptime: {os.popen('uptime').read().strip()}")


if __name__ == "__main__":
    main()
