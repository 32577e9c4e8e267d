"""``timeout`` of symnet.verify and ``symnet verify --timeout`` (issue 21: honoured within a second).

The instances do not finish within the budget: ACAS Xu network 1_1 with
properties 3 and 5 (answered by nnenum in seconds, by symnet in much longer),
and a random 10 -> [50, 50, 50] -> 1 network whose output must stay 0.1 above
the largest of 50,000 sampled outputs (input splitting in 10 dimensions).  The
answer must be "unknown" for the reason "timeout", with the wall time measured
around the call (time.monotonic) at most the budget plus the issue's second.  The
command line's budget runs from its own start (``run``: reading the files and every
box share it), so there the time the command reports is held to the budget plus a
second, and the process, whose interpreter start depends on the machine's load, must
exit within the budget plus ten seconds (no hang).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import symnet
from symnet.search.vnnlib import VnnProperty, read_vnnlib

ACAS = Path(os.environ.get("SYMNET_ACASXU_DIR", os.environ.get("ACASXU_DIR", "/work/shared/benchmarks/acasxu")))
ROOT = Path(__file__).resolve().parents[1]
BUDGET = 3.0
pytestmark = pytest.mark.slow
needs_acas = pytest.mark.skipif(
    not (ACAS / "ACASXU_run2a_1_1_batch_2000.onnx").is_file(), reason="the ACAS Xu benchmark is not here"
)


def _acas_1_1() -> symnet.Network:
    """Network 1_1 through the CLI's model loader (the ONNX file read exactly)."""
    from symnet.cli.verify import load_model

    return load_model(str(ACAS / "ACASXU_run2a_1_1_batch_2000.onnx"))


def _hard_random_parts() -> tuple[list[np.ndarray], list[np.ndarray], float]:
    """Weights and biases of a random 10 -> [50]*3 -> 1 network; the largest sampled output on [-1, 1]^10 + 0.1."""
    sizes = [10, 50, 50, 50, 1]
    rng = np.random.default_rng(7)
    W = [rng.standard_normal((sizes[i + 1], sizes[i])) / np.sqrt(sizes[i]) for i in range(len(sizes) - 1)]
    b = [rng.standard_normal(sizes[i + 1]) / 4 for i in range(len(sizes) - 1)]
    h = np.random.default_rng(1).uniform(-1, 1, (50_000, sizes[0]))
    for i, (w, c) in enumerate(zip(W, b, strict=True)):
        h = h @ w.T + c
        h = np.maximum(h, 0) if i < len(W) - 1 else h
    return W, b, float(h.max()) + 0.1


def _hard_random() -> tuple[symnet.Network, VnnProperty]:
    """The network, and the violation y >= threshold on [-1, 1]^10."""
    W, b, threshold = _hard_random_parts()
    prop = VnnProperty(10, 1, [(Fraction(-1), Fraction(1))] * 10, [[([Fraction(-1)], Fraction(threshold))]])
    return symnet.Network.from_matrices(W, b, "relu"), prop


def _timed_verify(net: symnet.Network, prop: object, workers: int) -> None:
    start = time.monotonic()
    v = symnet.verify(net, prop, timeout=BUDGET, workers=workers)
    wall = time.monotonic() - start
    assert (v.status, v.reason) == ("unknown", "timeout"), (v.status, v.reason)
    assert wall <= BUDGET + 1.0, f"returned {wall - BUDGET:.2f} s after the {BUDGET} s budget"


@needs_acas
@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("prop", ["prop_3", "prop_5"])
def test_acas_timeout_within_a_second(prop: str, workers: int) -> None:
    _timed_verify(_acas_1_1(), read_vnnlib(str(ACAS / f"{prop}.vnnlib")), workers)


@pytest.mark.parametrize("workers", [1, 2])
def test_random_network_timeout_within_a_second(workers: int) -> None:
    _timed_verify(*_hard_random(), workers)


def _cli(args: list[str]) -> tuple[int, str, float]:
    """Exit code, stdout and the time the command reports (its budget's clock); the process must exit within the
    budget plus ten seconds of wall time, interpreter start included."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "symnet", "verify", *args], capture_output=True, text=True, env=env, timeout=60
    )
    wall = time.monotonic() - start
    assert wall <= BUDGET + 10.0, f"the process exited {wall - BUDGET:.2f} s after the {BUDGET} s budget"
    reported = re.search(r"^  time ([0-9.]+) s,", done.stdout, re.MULTILINE)
    assert reported is not None, done.stdout
    return done.returncode, done.stdout, float(reported.group(1))


@needs_acas
@pytest.mark.parametrize("workers", ["1", "2"])
def test_cli_timeout_exits_3_within_a_second_of_its_budget(workers: str, tmp_path: Path) -> None:
    result = tmp_path / "result.txt"
    code, out, wall = _cli(
        [
            str(ACAS / "ACASXU_run2a_1_1_batch_2000.onnx"),
            str(ACAS / "prop_3.vnnlib"),
            "--timeout",
            str(BUDGET),
            "--workers",
            workers,
            "--result-file",
            str(result),
        ]
    )
    assert code == 3 and out.startswith("timeout:"), out
    assert result.read_text() == "timeout\n"
    assert wall <= BUDGET + 1.0, f"the command reports {wall - BUDGET:.2f} s past its {BUDGET} s budget"


def test_cli_timeout_is_the_total_over_the_boxes(tmp_path: Path) -> None:
    """A union of boxes shares one budget: the first box spends it all, the second is never started."""
    W, b, threshold = _hard_random_parts()
    weights = {"weights": [w.tolist() for w in W], "biases": [c.tolist() for c in b], "activation": "relu"}
    (tmp_path / "net.json").write_text(json.dumps(weights))
    lines = [f"(declare-const X_{i} Real)" for i in range(10)] + ["(declare-const Y_0 Real)"]
    box = " ".join(f"(<= X_{i} 1) (>= X_{i} -1)" for i in range(1, 10))
    lines.append(f"(assert (or (and (>= X_0 -1) (<= X_0 0) {box}) (and (>= X_0 0) (<= X_0 1) {box})))")
    lines.append(f"(assert (>= Y_0 {threshold!r}))")
    (tmp_path / "p.vnnlib").write_text("\n".join(lines) + "\n")
    code, out, wall = _cli([str(tmp_path / "net.json"), str(tmp_path / "p.vnnlib"), "--timeout", "3", "--workers", "1"])
    assert code == 3 and out.startswith("timeout:"), out
    assert "a union of 2 boxes, 1 verified" in out, out
    assert wall <= BUDGET + 1.0, f"the command reports {wall - BUDGET:.2f} s past its {BUDGET} s budget"


# ------------------------------------------------------------------ long steps cut at the deadline
def test_workers_stuck_in_a_long_step_are_terminated(monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker processes that never reach their next deadline check (here: 60 s preparing) are ended, not waited for."""
    from symnet.search.bab import tasks

    real = tasks.prepared

    def slow(problem: object) -> object:
        time.sleep(60)
        return real(problem)  # type: ignore[arg-type]

    monkeypatch.setattr(tasks, "prepared", slow)  # the forked pool workers inherit it
    net, prop = _hard_random()
    start = time.monotonic()
    v = symnet.verify(net, prop, timeout=2.0, workers=2)
    wall = time.monotonic() - start
    assert (v.status, v.reason) == ("unknown", "timeout")
    assert wall <= 2.0 + 1.0, f"returned {wall - 2.0:.2f} s after the budget"


def test_the_deadline_is_checked_between_the_boxes_of_a_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each box's float proof made 0.08 s slower: a batch of 32 boxes lasts 2.6 s, but the search stops within a box."""
    from symnet.search.bab import search

    real = search.extremes

    def slow(*args: object) -> object:
        time.sleep(0.08)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(search, "extremes", slow)
    _timed_verify(*_hard_random(), 1)
