"""Benchmark: start-up cost of ``import symnet`` and of the ``symnet`` command (issue #19).

Run by hand:  python benchmarks/bench_import.py [--repeat N]

Targets (on an idle machine):

1. ``import symnet`` <= 0.3 s wall (Hypothesis, sympy and the testing kit load on first use);
2. ``symnet --version`` <= 0.5 s wall (no sub-command module is imported).

Each figure is the best (minimum) and the median of N fresh interpreters, so
the machine's load shows as the gap between the two.  For reference the
script also times a bare interpreter, ``import sympy``, ``import hypothesis``
and a first use of ``symnet.Network`` (which loads sympy).  What each
command loads is pinned by tests/test_import_time.py.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Label -> (command, target in seconds or None for a reference figure).
CASES: dict[str, tuple[list[str], float | None]] = {
    "python (bare interpreter)": ([sys.executable, "-c", "pass"], None),
    "import sympy": ([sys.executable, "-c", "import sympy"], None),
    "import hypothesis": ([sys.executable, "-c", "import hypothesis"], None),
    "import symnet": ([sys.executable, "-c", "import symnet"], 0.3),
    "symnet --version": ([sys.executable, "-m", "symnet", "--version"], 0.5),
    "import symnet; symnet.Network": ([sys.executable, "-c", "import symnet; symnet.Network"], None),
}


def wall(command: list[str], repeat: int) -> list[float]:
    """Wall-clock seconds of ``repeat`` fresh runs of ``command`` (from the repository root)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="fresh interpreters per case (default 10)")
    args = parser.parse_args()
    print(f"{'case':34} {'best':>8} {'median':>8}  target")
    failed = False
    for label, (command, target) in CASES.items():
        times = wall(command, args.repeat)
        best, median = min(times), statistics.median(times)
        verdict = "" if target is None else f"<= {target} s: {'ok' if best <= target else 'MISSED'}"
        failed |= target is not None and best > target
        print(f"{label:34} {best:7.3f}s {median:7.3f}s  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
