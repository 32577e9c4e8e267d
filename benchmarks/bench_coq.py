"""Benchmark: export to Coq + re-check by ``coqc`` for dense networks of symbolic weights.

Run by hand:  python benchmarks/bench_coq.py [--quick] [--keep DIR]

For p = h = 10, 30, 100 with one hidden layer and with three, prints the
claim's form (explicit W* or the product C P_L ... P_1), the time of
``prove`` + ``check``, of ``proof.to_coq()`` (which re-checks first), the
size of the .v file and the wall time of ``coqc`` on it (the shipped library
compiled once beforehand with ``-Q``, so its ~1 s is not counted per row).
Also one numeric float32 network and a generic proof.  Needs coqc on the PATH.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import symnet
from symnet.interop import coq


def compile_library(where: Path) -> None:
    for name in coq.LIBRARIES:
        (where / f"{name}.v").write_text(coq.library_text(name), encoding="utf-8")
        subprocess.run(["coqc", "-Q", str(where), "Symnet", f"{name}.v"], cwd=where, check=True, capture_output=True)


def measure(label: str, make, where: Path) -> None:
    t0 = time.perf_counter()
    proof = make()
    proof.check()
    t_prove = time.perf_counter() - t0
    t0 = time.perf_counter()
    text = proof.to_coq(standalone=False)
    t_export = time.perf_counter() - t0
    name = "N_" + "".join(c if c.isalnum() else "_" for c in label)
    (where / f"{name}.v").write_text(text, encoding="utf-8")
    t0 = time.perf_counter()
    r = subprocess.run(["coqc", "-Q", str(where), "Symnet", f"{name}.v"], cwd=where, capture_output=True, text=True)
    t_coqc = time.perf_counter() - t0
    form = "generic" if not hasattr(proof, "is_explicit") else ("explicit" if proof.is_explicit else "product")
    status = "ok" if r.returncode == 0 else "FAILED: " + r.stderr.strip().splitlines()[-1][:80]
    print(
        f"{label:<26} {form:<9} {t_prove:8.2f} {t_export:8.2f} {len(text) / 1e6:8.2f} {t_coqc:8.1f}  {status}",
        flush=True,
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="only p = h = 10 and 30")
    ap.add_argument("--keep", metavar="DIR", help="write the .v files to DIR and keep them")
    args = ap.parse_args()
    if shutil.which("coqc") is None:
        print("coqc is not on the PATH (apt-get install coq)", file=sys.stderr)
        return 2
    where = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-coq-"))
    where.mkdir(parents=True, exist_ok=True)
    compile_library(where)
    print(f"{'network':<26} {'claim':<9} {'prove s':>8} {'export s':>8} {'.v MB':>8} {'coqc s':>8}")
    sizes = (10, 30) if args.quick else (10, 30, 100)
    for n in sizes:
        for depth in (1, 3):
            measure(f"dense({n}, [{n}]*{depth})", lambda n=n, d=depth: symnet.prove(symnet.dense(n, [n] * d)), where)
    rng = np.random.default_rng(0)
    ws = [rng.standard_normal((16, 8)).astype(np.float32), rng.standard_normal((4, 16)).astype(np.float32)]
    bs = [rng.standard_normal(16).astype(np.float32), rng.standard_normal(4).astype(np.float32)]
    measure("float32 8-16-4", lambda: symnet.prove(symnet.Network.from_matrices(ws, bs)), where)
    measure("generic dense(p, [h1, h2])", lambda: symnet.prove(symnet.dense("p", ["h1", "h2"])), where)
    if not args.keep:
        shutil.rmtree(where, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
