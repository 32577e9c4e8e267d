"""The kernel's 'no enclosure' outcome is public: interval() raises UndecidedError, enclosure() returns None."""

from __future__ import annotations

from fractions import Fraction

import flint
import pytest
import sympy

from symnet.errors import SymnetError, UndecidedError
from symnet.kernel import counterexample as C
from tests.interval_signs import enclosure, interval_sign

ZERO = sympy.sin(1) ** 2 + sympy.cos(1) ** 2 - 1  # zero, unsimplified: every ball of it straddles 0


@pytest.mark.parametrize(
    "expr",
    [
        sympy.atan(sympy.Rational(1, 2)),  # no interval rule for atan
        sympy.log(ZERO),  # the logarithm of a ball reaching below 0
        1 / ZERO,  # a division by a ball holding 0
    ],
)
def test_no_enclosure_is_an_undecided_error(expr: sympy.Expr) -> None:
    with flint.ctx.workprec(64), pytest.raises(UndecidedError):
        C.interval(expr)
    assert issubclass(UndecidedError, SymnetError)
    assert enclosure(expr) is None
    assert interval_sign(expr) == 0


def test_enclosure_of_a_zero_that_sympy_keeps_is_none() -> None:
    assert enclosure(ZERO) is None


@pytest.mark.parametrize(
    ("expr", "low", "high"),
    [
        # e = 2.718281828459045235360287471352662..., pi = 3.141592653589793238462643383279502...: to 30 digits
        (sympy.E - 2, Fraction("0.718281828459045235360287471352"), Fraction("0.718281828459045235360287471353")),
        (3 - sympy.pi, Fraction("-0.141592653589793238462643383280"), Fraction("-0.141592653589793238462643383279")),
    ],
)
def test_enclosure_excludes_zero_and_holds_the_value(expr: sympy.Expr, low: Fraction, high: Fraction) -> None:
    found = enclosure(expr)
    assert found is not None
    lo, hi = (Fraction(int(v.p), int(v.q)) for v in found)
    assert lo <= low and high <= hi  # the value lies in [low, high]; the ball is far wider than 10**-30
    assert lo > 0 or hi < 0
    assert hi - lo < Fraction(1, 2**50)  # found at the first precision, 64 bits
