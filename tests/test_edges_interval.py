"""Abs in the interval rule: an enclosure that starts at 0 when its argument's ball straddles 0, or 'undecided'."""

from __future__ import annotations

from fractions import Fraction

import flint
import pytest
import sympy

import symnet
from symnet.kernel import counterexample as C
from symnet.search._exact_eval import interval_outputs
from tests.interval_signs import interval_sign

T = sympy.Symbol("t")
ZERO = sympy.sin(1) ** 2 + sympy.cos(1) ** 2 - 1  # zero, but sympy does not simplify it: its interval straddles 0


@pytest.mark.parametrize(
    ("expr", "sign"),
    [(sympy.Abs(ZERO) + 1, 1), (sympy.Abs(ZERO) - 1, -1), (sympy.Abs(ZERO - 2) - 1, 1), (-sympy.Abs(ZERO + 3) + 2, -1)],
)
def test_interval_sign_through_abs_of_a_straddling_interval(expr: sympy.Expr, sign: int) -> None:
    assert interval_sign(expr) == sign


def test_abs_of_something_that_may_be_zero_is_undecided_not_a_traceback() -> None:
    assert interval_sign(sympy.Abs(ZERO)) == 0


def test_abs_of_a_straddling_ball_starts_at_zero() -> None:
    """|ZERO| = 0 lies in the enclosure, whose lower end is exactly 0 (not the ball's negative side)."""
    with flint.ctx.workprec(64):
        ball = C.interval(sympy.Abs(ZERO))
    lo, hi = ball.lower().fmpq(), ball.upper().fmpq()
    assert lo == 0 and 0 < hi * 2**50 < 1


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
    [(a, b)] = interval_outputs(_abs_net(w, b), {}, [x])
    lo, hi = Fraction(int(a.p), int(a.q)), Fraction(int(b.p), int(b.q))
    assert lo <= exact <= hi
    assert hi - lo < Fraction(1, 2**50)
    # the output layer multiplies the hidden unit's ball [0, r] by 1: ball arithmetic rounds the radius up, so the
    # lower end may dip below 0 by one rounding (2**-93 at 64 bits) when |.| is 0; the Abs rule itself starts at 0
    assert lo >= 0 if exact > 0 else lo > -Fraction(1, 2**80)
