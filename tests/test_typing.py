"""Type checkers see symnet's precise types: ``mypy --strict`` accepts typical user code.

tests/typing/user_code.py is built from the docs' examples; pyproject.toml's
``[tool.mypy]`` is strict (sympy, which ships no types, is the one exception it
needs), so ``mypy --strict tests/typing/user_code.py`` at the root is the check.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # mypy --strict over the docs' examples takes seconds

ROOT = Path(__file__).resolve().parent.parent
TYPING = ROOT / "tests" / "typing"

REVEAL = """\
import symnet
reveal_type(symnet.dense(2, [2]))
reveal_type(symnet.dense("p", [2]))
reveal_type(symnet.dense(2, ["h"]))
reveal_type(symnet.dense(2, [3], "q"))
reveal_type(symnet.dense(2, [3, "h"]))
reveal_type(symnet.prove(symnet.dense(2, [2])))
reveal_type(symnet.prove(symnet.dense("p", ["h"])))
reveal_type(symnet.prove(symnet.dense("p", ["h"])).instantiate(p=2, h=3))
reveal_type(symnet.decide(symnet.dense(2, [2], activation="tanh")))
symnet.prove(symnet.dense(2, [2])).instantiate(p=2)
"""

EXPECTED = [
    "symnet.model.network.Network",
    "symnet.model.generic.GenericNetwork",
    "symnet.model.generic.GenericNetwork",
    "symnet.model.generic.GenericNetwork",
    "symnet.model.network.Network | symnet.model.generic.GenericNetwork",
    "symnet.results.proof.Proof",
    "symnet.results.generic.GenericProof",
    "symnet.results.proof.Proof",
    "symnet.results.proof.Proof | symnet.results.counterexample.Counterexample",
]


@pytest.fixture(scope="module")
def mypy_output(tmp_path_factory) -> dict[str, list[str]]:
    pytest.importorskip("mypy")
    tmp = tmp_path_factory.mktemp("typing")
    reveal = tmp / "reveal.py"
    reveal.write_text(REVEAL)
    env = {**os.environ, "MYPYPATH": str(ROOT)}
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(tmp / "cache"),
            "--no-error-summary",
            "--hide-error-context",
            str(TYPING / "user_code.py"),
            str(reveal),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )
    assert "error: " not in r.stderr, r.stderr
    lines = r.stdout.splitlines()
    return {
        "user": [line for line in lines if "user_code.py" in line],
        "reveal": [line for line in lines if "reveal.py" in line],
    }


def test_docs_examples_pass_mypy_strict(mypy_output):
    """No error, no note: the docs' examples type-check under --strict as written."""
    assert mypy_output["user"] == []


def test_overloads_give_the_precise_types(mypy_output):
    """dense/prove/decide are overloaded on what they are given (revealed types, in order)."""
    revealed = [m.group(1) for line in mypy_output["reveal"] if (m := re.search(r'Revealed type is "(.*)"', line))]
    assert revealed == EXPECTED


def test_wrong_use_is_rejected(mypy_output):
    """A concrete Proof has no instantiate: mypy says so (the check can fail)."""
    errors = [line for line in mypy_output["reveal"] if ": error:" in line]
    assert len(errors) == 1 and '"Proof" has no attribute "instantiate"' in errors[0]


def test_user_code_runs(capsys):
    """The same file runs: its examples are live code, not only types."""
    sys.path.insert(0, str(TYPING))
    try:
        import user_code
    finally:
        sys.path.remove(str(TYPING))
    user_code.tutorial()
    user_code.library()
    user_code.printing_and_codegen()
    assert "def f(x_1, x_2, b_1_0, b_1_1" in capsys.readouterr().out
