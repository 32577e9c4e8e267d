"""Theorems for every depth: the induction checks, a wrong rule breaks it, it renders and instantiates."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess

import pytest
import sympy

import symnet
from symnet import CertificateError
from symnet.kernel import generic as gk
from symnet.model.generic_selftest import STATEMENTS
from symnet.theorems import Theorem, collapse_rank_bound, deep_linear_collapse


@pytest.mark.parametrize("theorem", [deep_linear_collapse, collapse_rank_bound])
def test_theorems_check(theorem):
    """Every step of each theorem re-derives with the generic rules."""
    assert isinstance(theorem, Theorem) and theorem.check() is True


def test_proof_is_by_induction_with_base_and_step():
    """The proof has a base case (one affine layer) and the step affine after affine."""
    parts = [s.part for s in deep_linear_collapse.steps]
    assert parts[0].startswith("Base case") and any(p.startswith("Inductive step") for p in parts)
    assert "multiply_augmented" in [s.rule for s in deep_linear_collapse.steps]


def test_wrong_rule_breaks_the_theorem(monkeypatch):
    """With multiply_augmented's result mutated (V M replaced by 2 V M) the theorem no longer checks."""
    rule = gk.RULES["multiply_augmented"]
    wrong = lambda o, e: o.aug(o.add(e["c"], o.mul(e["V"], e["v"])), o.scale(2, o.mul(e["V"], e["M"])))  # noqa: E731
    monkeypatch.setitem(gk.RULES, "multiply_augmented", dataclasses.replace(rule, result=wrong))
    with pytest.raises(CertificateError, match="multiply_augmented"):
        deep_linear_collapse.check()


def test_wrong_statement_breaks_the_theorem(monkeypatch):
    """The theorem self-checks each rule against its statement before use: a wrong statement of
    multiply_augmented (its left side with the factors swapped) makes the check fail, naming the rule."""
    statement = STATEMENTS["multiply_augmented"]
    swapped = lambda o, e: o.mul(o.aug(e["v"], e["M"]), o.aug(e["c"], e["V"]))  # noqa: E731
    monkeypatch.setitem(STATEMENTS, "multiply_augmented", dataclasses.replace(statement, lhs=swapped))
    with pytest.raises(CertificateError, match="multiply_augmented"):
        deep_linear_collapse.check()


def test_tampered_step_is_rejected():
    """A step stating something the rule does not give is rejected with its index."""
    steps = list(deep_linear_collapse.steps)
    steps[4] = dataclasses.replace(steps[4], stated=steps[3].stated)
    with pytest.raises(CertificateError) as info:
        dataclasses.replace(deep_linear_collapse, steps=tuple(steps)).check()
    assert info.value.step == 4


def test_statement_is_for_depth_L():
    """The statement and its renderings speak of depth L and the closed form of W*."""
    text = deep_linear_collapse.to_text()
    assert "depth L" in text and "W_(L+1) W_L ⋯ W_1" in text and "∎" in text
    assert r"W_{L+1} W_L \cdots W_1" in deep_linear_collapse.to_latex()
    assert "$" in deep_linear_collapse.to_markdown()


@pytest.mark.parametrize("depth", [0, 1, 3])
def test_instantiate_depth_gives_a_checked_generic_proof(depth):
    """instantiate(L) proves the depth-L network for all widths; its instance agrees with the concrete proof."""
    proof = deep_linear_collapse.instantiate(depth)
    assert proof.check() and proof.network.depth == depth
    widths = [2] * depth
    sizes = {s.name: 2 for s in proof.size_symbols}
    inst = proof.instantiate(**sizes)
    direct = symnet.prove(symnet.dense(2, widths))
    assert all(sympy.expand(v) == 0 for v in inst.matrix - direct.matrix)
    assert all(sympy.expand(v) == 0 for v in inst.offset - direct.offset)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_theorem_latex_compiles(tmp_path):
    """The theorem's LaTeX document compiles with pdflatex -halt-on-error."""
    (tmp_path / "t.tex").write_text(deep_linear_collapse.to_latex(document=True), encoding="utf-8")
    r = subprocess.run(["pdflatex", "-halt-on-error", "-interaction=nonstopmode", "-no-shell-escape", "t.tex"],
                       cwd=tmp_path, capture_output=True, text=True, errors="replace", timeout=120)
    assert r.returncode == 0, r.stdout[-2000:]
