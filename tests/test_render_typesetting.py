"""Typesetting flaws seen on the rendered pages (issue 22), each pinned on the LaTeX source."""

from __future__ import annotations

import re

import pytest
import sympy

import symnet
from symnet import render
from symnet.search.generic import generic_dense, prove_generic


def _counterexample(activation: str, hidden: list[int] | None = None) -> symnet.Counterexample:
    with pytest.raises(symnet.NotLinearError) as info:
        symnet.prove(symnet.dense(1, hidden or [1], activation=activation))
    assert info.value.counterexample is not None
    return info.value.counterexample


def test_sigma_of_a_line_has_plain_parentheses():
    """``\\sigma(2 + 2 x_1),``: no ``\\left(`` inner atom (a gap after σ, a space before the comma)."""
    tex = _counterexample("relu").to_latex(document=True)
    assert re.search(r"\\sigma\(2 \+ 2 x_1\),", tex), tex
    assert r"\sigma\left(" not in tex and "\\right)," not in tex


def test_sigma_of_a_matrix_takes_back_the_inner_spaces():
    """Around a matrix product the parentheses grow; ``\\!`` removes the gap after σ and before the comma."""
    t = sympy.Symbol("t")
    third = sympy.Rational(1, 3)
    net = symnet.Network.from_matrices([[[third, 1]], [[1]]], [[third], [0]], sympy.Lambda(t, 2 * t + 1))
    tex = render.to_latex(symnet.prove(net))
    assert r"\sigma\!\left(\frac{1}{3} + \frac{1}{3} x_1 + x_2\right)\!." in tex
    assert r"\sigma\left(" not in tex
    affine = symnet.dense(2, [2], activation=sympy.Lambda(t, 2 * t + 1))
    assert r"\sigma(W x^*)" in render.to_latex(symnet.prove(affine))


def test_matrices_of_scripted_entries_are_spaced_and_kept_off_the_brackets():
    tex = render.to_latex(symnet.prove(symnet.dense(3, [3, 3])), document=True)
    scripted = [m for m in re.findall(r"\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", tex) if "^{(" in m]
    assert scripted
    for body in scripted:
        rows = body.split(r" \\[2pt] ")
        assert len(rows) == body.count(r"\\") + 1  # every row break carries the extra space
        assert rows[0].lstrip().startswith(r"\vphantom{\Big|}") and rows[-1].lstrip().startswith(r"\vphantom{\Big|}")
    plain = render.to_latex(symnet.prove(symnet.dense(2, [3])))
    assert r"\vphantom" not in plain and "[2pt]" not in plain  # one hidden layer: no superscripts, no change


def test_generic_sizes_are_math_italic_not_text():
    tex = prove_generic(generic_dense("p", ["h"])).to_latex(document=True)
    title = "A network with linear activation is a linear regression, for every positive integer $p$ and $h$"
    assert "\\section*{" + title + "}" in tex
    assert "for every positive integer $p$ and $h$. $\\blacksquare$" in tex
    assert "For each hidden layer $k$" in tex and "layer k" not in tex
    assert "integer p and h" not in tex


def test_tanh_refutation_uses_one_fraction_style_and_names_what_is_not_zero():
    tex = _counterexample("tanh").to_latex(document=True)
    display = tex[tex.index("\\begin{align*}", tex.index("Output 1 at the three points")):]
    display = display[: display.index("\\end{align*}")]
    assert "tfrac" not in display and r"\frac{f_1(u) + f_1(v)}{2}" in display
    assert "so  \\neq" not in tex and "so } \\neq" not in tex
    assert r"the defect's does not contain 0, so $f_1(m) - \frac{f_1(u) + f_1(v)}{2} \neq 0$." in tex
    text = _counterexample("tanh").to_text()
    assert "so ≠ 0" not in text and "so f_1(m) - (f_1(u) + f_1(v))/2 ≠ 0." in " ".join(text.split())


def test_counterexample_latex_says_the_network_in_words():
    ce = _counterexample("relu")
    tex = sympy.latex(ce)
    assert "Network(" not in tex and "activation=" not in tex
    assert r"\text{output 1 of a network with 1 input, one hidden layer of 1 relu unit and 1 output}" in tex
    tanh = sympy.latex(_counterexample("tanh"))
    assert r"\text{, so it is} \neq 0" in tanh and "so } \\neq" not in tanh


def test_drawer_points_use_plain_parentheses():
    tex = sympy.latex(_counterexample("square"))
    assert r"u = \left(" not in tex and "u = (" in tex
