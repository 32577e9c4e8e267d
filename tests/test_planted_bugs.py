"""Bugs people really write in a forward pass, planted, and caught by assert_forward_matches with default settings.

The threshold bug (a ReLU written ``z > 1e-3``) only shows for a pre-activation in (0, 1e-3]: random
draws almost never land there, so assert_forward_matches aims about half of its draws at the
activation's breakpoints (symnet.model.kinks).  Expected values come from the plain-Python forward
pass in tests/forward.py (which shares no code with symnet) or from the bug's own definition.
"""

from __future__ import annotations

import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import symnet
from symnet.testing import assert_forward_matches, breakpoints, last_forward_check

from .forward import PY_ACTIVATIONS

T = sympy.Symbol("t")
HARD_TANH = sympy.Lambda(T, sympy.Max(-1, sympy.Min(1, T)))
HARD_SIGMOID = sympy.Lambda(T, sympy.Max(0, sympy.Min(1, T / 6 + sympy.Rational(1, 2))))


def mlp(act: Any) -> Any:
    """A forward pass over plain lists, applying ``act`` to every hidden pre-activation."""

    def fn(weights: Any, biases: Any, x: Any) -> list[Any]:
        u = list(x)
        for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
            z = [b[k] + sum(w[k][j] * u[j] for j in range(len(u))) for k in range(len(w))]
            u = z if i == len(weights) - 1 else [act(v) for v in z]
        return u

    return fn


def threshold_relu(threshold: Any) -> Any:
    return mlp(lambda z: z if z > threshold else 0)


def caught(fn: Any, net: symnet.Network, **kwargs: Any) -> bool:
    try:
        assert_forward_matches(fn, net, **kwargs)
    except AssertionError:
        return True
    return False


RELU_NETS = {
    "2x[3]": symnet.dense(2, [3], 1, "relu"),
    "3x[4,4]x2": symnet.dense(3, [4, 4], 2, "relu"),
    "numeric": symnet.Network.from_matrices(
        [[[1, -1], [2, 1], [Fraction(1, 2), 3]], [[1, 1, -1]]], [[0, 1, -1], [0]], "relu"
    ),
}


@pytest.mark.parametrize("threshold", [1e-3, Fraction(1, 1000)], ids=["float", "fraction"])
@pytest.mark.parametrize("name", sorted(RELU_NETS))
def test_threshold_bug_is_caught_quickly(threshold: Any, name: str) -> None:
    net = RELU_NETS[name]
    assert all(caught(threshold_relu(threshold), net, seed=seed) for seed in range(3))


@pytest.mark.slow
@pytest.mark.parametrize("threshold", [1e-3, Fraction(1, 1000)], ids=["float", "fraction"])
@pytest.mark.parametrize("name", ["2x[3]", "3x[4,4]x2"])
def test_threshold_bug_is_caught_in_95_of_100_seeds(threshold: Any, name: str) -> None:
    """Default settings (kind="rational", 100 samples), seeds 0..99."""
    net = RELU_NETS[name]
    hits = sum(caught(threshold_relu(threshold), net, seed=seed) for seed in range(100))
    assert hits >= 95, hits


@pytest.mark.slow
def test_threshold_bug_is_caught_with_float_draws_too() -> None:
    """kind="float": a step beside the kink stays above the round-off tolerance (the int kind cannot see this
    bug at all: on integers ``z > 1e-3`` and ``z > 0`` agree)."""
    hits = sum(caught(threshold_relu(1e-3), RELU_NETS["3x[4,4]x2"], kind="float", seed=seed) for seed in range(100))
    assert hits >= 95, hits


@pytest.mark.slow
def test_threshold_bug_is_caught_inside_given_under_derandomized_settings() -> None:
    """100 Hypothesis-drawn seeds, derandomized: the default assert_forward_matches catches the bug in >= 95."""
    outcomes: list[bool] = []

    @settings(max_examples=100, derandomize=True, database=None, deadline=None)
    @given(st.integers(0, 2**32 - 1))
    def run(seed: int) -> None:
        outcomes.append(caught(threshold_relu(1e-3), RELU_NETS["2x[3]"], seed=seed))

    run()
    assert len(outcomes) >= 100 and sum(outcomes) >= 0.95 * len(outcomes), (sum(outcomes), len(outcomes))


def test_correct_relu_passes_and_draws_were_aimed() -> None:
    net = RELU_NETS["3x[4,4]x2"]
    assert not caught(mlp(PY_ACTIVATIONS["relu"]), net)
    check = last_forward_check()
    assert check is not None and check.samples == 100
    assert 30 <= check.aimed <= 70  # about half of the draws
    assert check.at_breakpoint >= 5 and check.near_breakpoint >= 10


def test_smooth_and_linear_networks_are_not_aimed() -> None:
    assert not caught(mlp(lambda z: z), symnet.dense(2, [2]))
    assert last_forward_check() is not None and last_forward_check().aimed == 0  # type: ignore[union-attr]
    assert not caught(mlp(lambda z: z * z), symnet.dense(2, [2], 1, "square"))
    assert last_forward_check().aimed == 0  # type: ignore[union-attr]


@pytest.mark.parametrize("kind", ["int", "rational", "float"])
def test_transposed_weight_is_caught(kind: str) -> None:
    def transposed(weights: Any, biases: Any, x: Any) -> Any:
        w0 = [list(col) for col in zip(*weights[0], strict=True)]
        return mlp(PY_ACTIVATIONS["relu"])([w0, *weights[1:]], biases, x)

    assert caught(transposed, symnet.dense(3, [3], 1, "relu"), kind=kind)


@pytest.mark.parametrize("kind", ["int", "rational", "float"])
def test_wrong_leaky_slope_is_caught(kind: str) -> None:
    def leaky(slope: int) -> Any:
        return mlp(lambda z: max(z / slope if isinstance(z, float) else Fraction(z) / slope, z))

    net = symnet.dense(2, [3], 1, "leaky_relu")
    assert caught(leaky(10), net, kind=kind)
    assert not caught(leaky(100), net, kind=kind)


def test_hard_tanh_clipped_early_is_caught() -> None:
    net = symnet.dense(2, [3], 1, HARD_TANH)
    good = mlp(lambda z: max(-1, min(1, z)))
    early = mlp(lambda z: 1 if z > Fraction(999, 1000) else max(-1, min(1, z)))
    assert not caught(good, net)
    assert all(caught(early, net, seed=seed) for seed in range(3))


def test_hard_sigmoid_with_the_wrong_kink_is_caught() -> None:
    net = symnet.dense(2, [2], 1, HARD_SIGMOID)
    good = mlp(lambda z: max(0, min(1, z / 6 + Fraction(1, 2))))
    shifted = mlp(lambda z: 0 if z <= Fraction(-2999, 1000) else max(0, min(1, z / 6 + Fraction(1, 2))))
    assert not caught(good, net)
    assert caught(shifted, net)


@pytest.mark.parametrize(
    ("act", "points"),
    [
        ("relu", [0]),
        ("leaky_relu", [0]),
        ("tanh", []),
        ("square", []),
        (HARD_TANH, [-1, 1]),
        (HARD_SIGMOID, [-3, 3]),
        (sympy.Lambda(T, sympy.Abs(2 * T - 1)), [Fraction(1, 2)]),
        (sympy.Lambda(T, sympy.Piecewise((T, T > 2), (0, True))), [2]),
    ],
)
def test_breakpoints(act: Any, points: list[Any]) -> None:
    assert list(breakpoints(symnet.activation(act))) == [Fraction(p) for p in points]


# -------------------------------------------------------- the failure message
FAILING_TEST = """
import symnet
from symnet.testing import assert_forward_matches

def fn(weights, biases, x):
    u = list(x)
    for i, (w, b) in enumerate(zip(weights, biases)):
        z = [b[k] + sum(w[k][j] * u[j] for j in range(len(u))) for k in range(len(w))]
        u = z if i == len(weights) - 1 else [v if v > 1e-3 else 0 for v in z]
    return u

def test_mine():
    assert_forward_matches(fn, symnet.dense(2, [3], 1, "relu"))
"""


@pytest.mark.slow
def test_failure_message_hides_symnet_frames(tmp_path: Path) -> None:
    """A failing assert_forward_matches under pytest's default traceback: the clean message, no symnet source."""
    (tmp_path / "test_mine.py").write_text(FAILING_TEST)
    env = {**os.environ, "PYTHONPATH": str(Path(symnet.__file__).parents[1])}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "test_mine.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    out = run.stdout
    assert run.returncode == 1, out
    assert "shrunk counterexample" in out and "symnet (exact)" in out
    assert "_Harness" not in out and "harness" not in out and "symnet/testing" not in out
    failure = out[out.index("___ test_mine ___") : out.index("short test summary")]
    assert len(failure.splitlines()) <= 30, failure


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_threshold_bug_shrinks_to_one_bias_just_above_the_kink(seed: int) -> None:
    """The plainest failing example by hand: every value 0 but one hidden bias b in (0, 1e-3] and its output weight
    1; of the powers of two, the largest such b is 1/1024.  The network gives b, the buggy ReLU 0."""
    with pytest.raises(AssertionError) as info:
        assert_forward_matches(threshold_relu(1e-3), RELU_NETS["2x[3]"], seed=seed)
    lines = str(info.value).splitlines()
    biases = lines[2].split("=")[1].strip()
    assert sorted(biases.strip("[]").split(", ")) == ["0", "0", "1/1024"], lines
    assert "x = [0, 0]" in lines[5] and lines[6].endswith("[0]") and lines[7].endswith("[1/1024]")
    assert lines[1].split("=")[1].strip() == "[[0, 0], [0, 0], [0, 0]]"
    assert sorted(lines[3].split("=")[1].strip().strip("[]").split(", ")) == ["0", "0", "1"]  # the output weights
