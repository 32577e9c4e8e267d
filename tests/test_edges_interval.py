"""Abs in the interval rule: an enclosure or 'undecided', never mpmath's NotImplementedError."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy

import symnet
from symnet.kernel import counterexample as C
from symnet.search._exact_eval import interval_outputs

T = sympy.Symbol("t")
ZERO = sympy.sin(1) ** 2 + sympy.cos(1) ** 2 - 1  # zero, but sympy does not simplify it: its interval straddles 0


@pytest.mark.parametrize(
    ("expr", "sign"),
    [(sympy.Abs(ZERO) + 1, 1), (sympy.Abs(ZERO) - 1, -1), (sympy.Abs(ZERO - 2) - 1, 1), (-sympy.Abs(ZERO + 3) + 2, -1)],
)
def test_interval_sign_through_abs_of_a_straddling_interval(expr: sympy.Expr, sign: int) -> None:
    assert C.interval_sign(expr) == sign


def test_abs_of_something_that_may_be_zero_is_undecided_not_a_traceback() -> None:
    assert C.interval_sign(sympy.Abs(ZERO)) == 0


def _abs_net(weight: sympy.Rational, bias: sympy.Rational) -> symnet.Network:
    act = symnet.Activation(None, sympy.Lambda(T, sympy.Abs(T)))
    return symnet.Network.from_matrices([[[weight]], [[1]]], [[bias], [0]], act)


@pytest.mark.parametrize(
    ("w", "b", "x"),
    [
        (sympy.Rational(1, 3), sympy.Rational(-1, 3), 1),
        (sympy.Rational(1, 3), sympy.Rational(-1, 3), sympy.Rational(1, 7)),
        (sympy.Rational(-2, 7), sympy.Rational(1, 5), 3),
        (sympy.Rational(1, 10), sympy.Rational(-3, 10), 3),
    ],
)
def test_interval_outputs_enclose_the_exact_absolute_value(w: sympy.Rational, b: sympy.Rational, x: int) -> None:
    exact = abs(Fraction(int(w.p), int(w.q)) * Fraction(x) + Fraction(int(b.p), int(b.q)))  # Fractions, not symnet
    [(lo, hi)] = interval_outputs(_abs_net(w, b), {}, [x])
    assert lo <= exact <= hi
    assert lo >= 0 and hi - lo < Fraction(1, 2**50)
