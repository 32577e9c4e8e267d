"""Bound renders as text, Markdown and LaTeX with decimals; ``symnet bound`` prints every extremum with one (issue 22).

Expected decimals come from Python's decimal module on the exact fraction,
not from symnet's number printer.
"""

from __future__ import annotations

import decimal
import json
from fractions import Fraction

import numpy as np
import pytest
import sympy

import symnet
from symnet.cli import main


def decimal6(q: Fraction) -> str:
    """``q`` to 6 significant digits, ties to even, trailing zeros kept (the derivations' rounding)."""
    ctx = decimal.Context(prec=6, rounding=decimal.ROUND_HALF_EVEN)
    d = ctx.divide(decimal.Decimal(q.numerator), decimal.Decimal(q.denominator))
    return f"{d:f}"


def _net() -> symnet.Network:
    """A float32 ReLU network: its bounds are fractions with 16-17 digit numerators."""
    rng = np.random.default_rng(3)
    ws = [rng.standard_normal((3, 2)).astype(np.float32), rng.standard_normal((1, 3)).astype(np.float32)]
    bs = [rng.standard_normal(3).astype(np.float32), rng.standard_normal(1).astype(np.float32)]
    return symnet.Network.from_matrices(ws, bs, "relu")


@pytest.fixture(scope="module")
def b() -> symnet.Bound:
    return symnet.bound(_net(), [(-1, 1), (-1, 1)])


def _exact(v) -> Fraction:
    return Fraction(int(v.p), int(v.q))


def test_text_shows_each_extremum_with_its_decimal(b):
    text = b.to_text()
    for v in (b.maximum[0], b.minimum[0]):
        assert decimal6(_exact(v)) in text
    assert str(b) == text
    assert "rounded to 6 significant digits" in text and text.count("rounded to") == 1


def test_print_shows_decimals_not_long_fractions(capsys):
    """A maximum of ~70 digits prints as its decimal; the exact value stays in .maximum."""
    big = sympy.Rational(10**69 + 7, 3 * 10**69)  # 0.333333…, 70-digit numerator
    net = symnet.Network.from_matrices([[[big], [-1]], [[1, 1]]], [[0, 0], [0]], activation="relu")
    res = symnet.bound(net, [(0, 1)])
    print(res)
    out = capsys.readouterr().out
    assert decimal6(_exact(res.maximum[0])) in out
    assert str(10**69 + 7) not in out


def test_short_values_stay_exact_and_alone():
    """|x| on [-1, 2]: maximum 2 and minimum 0, no decimal and no rounding note."""
    net = symnet.Network.from_matrices([[[1], [-1]], [[1, 1]]], [[0, 0], [0]], activation="relu")
    res = symnet.bound(net, [(-1, 2)])
    text = res.to_text()
    assert "maximum 2 at x = (2)" in text and "minimum 0 at x = (0)" in text
    assert "≈" not in text and "rounded" not in text


def test_markdown_and_latex_carry_the_exact_value_and_its_decimal(b):
    q = _exact(b.minimum[0])
    md, tex = b.to_markdown(), b.to_latex()
    frac = rf"\frac{{{abs(q.numerator)}}}{{{q.denominator}}}"
    for doc in (md, tex):
        assert frac in doc and rf"\approx {decimal6(q)}" in doc
    assert "| maximum |" in md
    assert b.to_latex(document=True).startswith("\\documentclass")


def test_digits_and_exact_options(b):
    q = _exact(b.minimum[0])
    ctx = decimal.Context(prec=10, rounding=decimal.ROUND_HALF_EVEN)
    ten = f"{ctx.divide(decimal.Decimal(q.numerator), decimal.Decimal(q.denominator)):f}"
    assert ten in b.to_text(digits=10)
    assert "≈" not in b.to_text(digits=None) and f"{q.numerator}/{q.denominator}" in b.to_text(digits=None)


def test_sympy_printers_draw_the_bound(b):
    tex = sympy.latex(b)
    assert r"\max \hat{y} = " in tex and r"\min \hat{y} = " in tex
    assert sympy.sstr(b).startswith("Bound(maximum ")
    assert b._repr_markdown_() == b.to_markdown()


def test_cli_bound_prints_the_maximum_with_a_decimal_like_the_minimum(tmp_path, capsys):
    """The issue's case: a maximum of 34 characters (p/q) used to print with no decimal."""
    w = [[[0.7, -0.3], [0.2, 0.9]], [[0.6, -0.45]]]
    path = tmp_path / "net.json"
    path.write_text(json.dumps({"weights": w, "biases": [[0.1, -0.2], [0.05]], "activation": "relu"}))
    assert main(["bound", str(path), "--box", "-1,1"]) == 0
    out = capsys.readouterr().out
    res = symnet.bound(symnet.Network.from_matrices(w, [[0.1, -0.2], [0.05]], "relu"), [(-1, 1), (-1, 1)])
    for which, v in (("maximum", res.maximum[0]), ("minimum", res.minimum[0])):
        line = next(s for s in out.splitlines() if which in s)
        assert "≈ " + decimal6(_exact(v)) in line, line


@pytest.mark.parametrize("fmt, start", [("latex", "\\documentclass"), ("markdown", "Exact bounds of a network")])
def test_cli_bound_writes_latex_and_markdown(fmt, start, tmp_path, capsys):
    path = tmp_path / "net.json"
    path.write_text(json.dumps({"weights": [[[1], [-1]], [[1, 1]]], "biases": [[0, 0], [0]], "activation": "relu"}))
    assert main(["bound", str(path), "--box", "-1,2", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert out.startswith(start) and "maximum" in out and "Network(" not in out
