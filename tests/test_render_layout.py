"""The renderer's own helpers and habits: the size rule's index lists, the number-format context,
exact readings of floats, no silently dropped terms, and modules and functions of readable size.

Expected values are written by hand or computed by another route (a Float's mantissa and exponent).
"""

from __future__ import annotations

import ast
from fractions import Fraction
from pathlib import Path

import pytest
import sympy

import symnet
from symnet.render._atoms import elided_range, numbers
from symnet.render._collapse import _Builder
from symnet.render._view import View, _qq

RENDER = Path(symnet.__file__).parent / "render"
#: The files of the rendering and display layer (render/_latex, _markdown, _math and _terms belong to another change).
OWNED = [p for p in sorted(RENDER.glob("*.py")) if p.name not in {"_latex.py", "_markdown.py", "_math.py", "_terms.py"}]
OWNED += [RENDER.parent / "theorems.py", RENDER.parent / "model" / "display.py", RENDER.parent / "model" / "generic.py"]


@pytest.mark.parametrize("start, stop, limit, expected", [
    (1, 4, 8, [1, 2, 3]),
    (0, 8, 8, [0, 1, 2, 3, 4, 5, 6, 7]),
    (0, 9, 8, [0, 1, None, 8]),
    (1, 21, 8, [1, 2, None, 20]),
    (0, 0, 8, []),
    (3, 6, 2, [3, 4, None, 5]),
])
def test_elided_range_is_every_index_or_first_two_ellipsis_last(start, stop, limit, expected):
    assert elided_range(start, stop, limit) == expected


def test_number_format_outside_a_build_is_exact_and_not_shared():
    """A rounding render leaves no state behind: outside a build every number is printed exactly."""
    net = symnet.Network.from_matrices([[[0.1, 2.5]], [[1 / 3]]], None)
    assert "rounded" in symnet.prove(net).to_text(digits=3)
    fmt = numbers()
    assert fmt.digits is None and not fmt.rounded
    assert numbers() is not fmt  # a fresh format each time: nothing can leak between renders
    assert fmt.atom(sympy.Rational(1, 3)).txt == "1/3"


@pytest.mark.parametrize("text", ["1e-400", "1e400", "0.1", "-2.5e-320", "123456789.123"])
def test_a_float_is_read_as_its_exact_binary_value(text):
    """Also outside the double range, where float() would give 0 or inf."""
    value = sympy.Float(text)
    sign, man, exp, _ = value._mpf_  # the binary value itself: mantissa and exponent
    exact = (-1 if sign else 1) * Fraction(int(man)) * Fraction(2) ** int(exp)
    got = _qq(value)
    assert Fraction(int(got.numerator), int(got.denominator)) == exact != 0


def test_a_sum_with_more_coefficients_than_variables_is_refused_not_cut():
    """``entry_sum`` pairs a bias and one coefficient per variable; a mismatch raises instead of dropping terms."""
    b = _Builder(View(symnet.dense(2, [2]), (), False, None, None), "text")
    x = [b.x(1), b.x(2)]
    assert len(b.entry_sum([sympy.Integer(1), sympy.Integer(2), sympy.Integer(3)], x)) == 3
    with pytest.raises(ValueError):
        b.entry_sum([sympy.Integer(1), sympy.Integer(2), sympy.Integer(3), sympy.Integer(4)], x)


@pytest.mark.parametrize("path", OWNED, ids=lambda p: p.name)
def test_modules_are_at_most_500_lines_and_functions_at_most_80(path):
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= 500
    long = [f"{node.name}: {node.end_lineno - node.lineno + 1} lines" for node in ast.walk(ast.parse(source))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno + 1 > 80]
    assert long == []
