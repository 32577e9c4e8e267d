"""Puts the repository root and ``benchmarks/`` first on ``sys.path``, so the stage-2 scripts measure the checkout
they live in (``symnet``, ``tests.test_trusted_base``, ``bench_refute``, ``bench_prove``) when run by path from the
repository root, e.g. ``python benchmarks/stage2/q2_linear.py``.  Each script imports it first (``import _paths``);
the scripts' own directory is on ``sys.path`` already, which is how they import ``kform``, ``knet`` and ``terms``.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for folder in (ROOT / "benchmarks", ROOT):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
