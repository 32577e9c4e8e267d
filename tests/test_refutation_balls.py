"""The kernel's interval rules on python-flint balls: signs it may establish, and the ones it must leave undecided.

Every expected sign is known by hand (an identity, a series, an ordering of
constants), or the value is undefined or zero, where the only right answer
is 0 (undecided).  ``ZERO`` is 0 by the Pythagorean identity, which sympy does
not apply, so its enclosure straddles 0 at every precision.  Tight enclosures
of a tanh counterexample's defect come from mpmath at 120 digits.
"""

from __future__ import annotations

import dataclasses

import mpmath
import pytest
import sympy

import symnet
from symnet.errors import CertificateError
from tests.interval_signs import interval_sign

ZERO = sympy.sin(1) ** 2 + sympy.cos(1) ** 2 - 1
HALF = sympy.Rational(1, 2)


def _max(*args: sympy.Expr) -> sympy.Expr:
    return sympy.Max(*args, evaluate=False)  # sympy refuses to order ZERO; the kernel reads such a node all the same


def _min(*args: sympy.Expr) -> sympy.Expr:
    return sympy.Min(*args, evaluate=False)


@pytest.mark.parametrize(
    ("expr", "sign"),
    [
        (ZERO**2 + sympy.Rational(1, 2**300), 1),  # an even power is >= 0 even when its base straddles 0
        ((ZERO - 1) ** 3, -1),
        ((ZERO + 2) ** -3 - sympy.Rational(1, 9), 1),  # 1/8 > 1/9
        (_max(ZERO, 1) - HALF, 1),  # Max takes the larger lower end: 1
        (_min(ZERO, -1) + HALF, -1),
        (sympy.Abs(ZERO - 2) - 1, 1),
        (sympy.log(ZERO + 1) + 1, 1),
        (sympy.sqrt(ZERO + 1) - HALF, 1),
        (sympy.exp(1000) - sympy.exp(999), 1),
        (sympy.pi - sympy.E, 1),
        (sympy.tanh(sympy.Rational(1, 3)) - sympy.Rational(1, 3) + sympy.Rational(1, 81), 1),  # tanh x > x - x^3/3
        (ZERO - sympy.Rational(1, 2**1000), -1),  # needs the 1,200-bit precision
        (sympy.tanh(3) - (sympy.tanh(2) + sympy.tanh(4)) / 2, 1),  # tanh is concave on x > 0
    ],
)
def test_signs_established(expr: sympy.Expr, sign: int) -> None:
    assert interval_sign(expr) == sign


@pytest.mark.parametrize(
    "expr",
    [
        sympy.sin(1 / ZERO) + 2,  # undefined (1/0): a ball [-1, 1] for sin of anything must not give a sign
        1 / ZERO,
        ZERO**-2,
        sympy.log(ZERO),  # log(0)
        sympy.sqrt(ZERO) + 1,  # sqrt of a ball reaching below 0
        sympy.Abs(ZERO),  # zero
        ZERO**2,  # zero
        _max(sympy.tanh(1), sympy.tanh(2)) - sympy.tanh(2),  # zero
        sympy.cosh(1) - sympy.sinh(1) - sympy.exp(-1),  # zero
        sympy.tanh(10**6) - 1,  # -2/(e^(2e6)+1): beyond every precision
        sympy.Integer(2) ** sympy.Rational(1, 3) - 1,  # no rule for a cube root
        sympy.gamma(sympy.Rational(1, 3)),  # no rule for gamma
    ],
)
def test_undefined_zero_or_unsupported_is_undecided(expr: sympy.Expr) -> None:
    assert interval_sign(expr) == 0


def test_tight_enclosures_are_decided_at_the_right_side() -> None:
    """[d - 1e-100, d + 1e-100] holds the defect d; a window of the same width just above it does not."""
    cx = symnet.refute(symnet.dense(1, [1], activation="tanh"))
    assert cx.defect == sympy.tanh(3) - (sympy.tanh(2) + sympy.tanh(4)) / 2
    with mpmath.workdps(120):
        centre = sympy.Rational(mpmath.nstr(mpmath.tanh(3) - (mpmath.tanh(2) + mpmath.tanh(4)) / 2, 115))
    window = sympy.Rational(1, 10**100)
    assert dataclasses.replace(cx, enclosure=(centre - window, centre + window)).check()
    for shifted in ((centre + 2 * window, centre + 3 * window), (centre - 3 * window, centre - 2 * window)):
        with pytest.raises(CertificateError, match="cannot establish"):
            dataclasses.replace(cx, enclosure=shifted).check()
