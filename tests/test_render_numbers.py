"""How derivations print numbers: exact when short, else rounded correctly from the exact rational.

The expected strings are worked out by hand (the comments say how); the
property tests parse what is printed back into an exact Fraction and compare it
with the exact value, an independent route from the formatter's own arithmetic.
"""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symnet.errors import InvalidArgument, InvalidType
from symnet.render._numbers import NumberFormat, check_digits, exact
from tests.budget import examples

R = sympy.Rational
DOUBLE_0_1 = R(3602879701896397, 36028797018963968)  # the double nearest 0.1 (0.1000000000000000055…)

# (value, digits, expected text, expected LaTeX), each worked out by hand
TABLE = [
    (R(3), 6, "3", "3"),
    (R(-12), 6, "-12", "-12"),
    (R(0), 6, "0", "0"),
    (R(1, 2), 6, "0.5", "0.5"),                      # terminates within 6 digits: exact
    (R(-5, 4), 6, "-1.25", "-1.25"),
    (R(1, 3), 6, "1/3", r"\frac{1}{3}"),             # a small fraction: exact
    (R(-5, 12), 6, "-5/12", r"-\frac{5}{12}"),
    (DOUBLE_0_1, 6, "0.100000", "0.100000"),         # 0.10000000000000000555 -> 6 digits, zeros kept
    (R(10001, 15000), 6, "0.666733", "0.666733"),    # 0.6667333… -> 0.666733
    (R(1, 1024), 6, "0.000976562", "0.000976562"),   # 0.0009765625: a tie, to even (…562)
    (R(1, 2048), 6, "0.000488281", "0.000488281"),   # 0.00048828125 -> …281
    (R(1, 65536), 6, "1.52588·10^-5", r"1.52588 \cdot 10^{-5}"),  # 1.52587890625e-5, below 10^-4
    (R(1999999, 2), 6, "1.00000·10^6", r"1.00000 \cdot 10^{6}"),  # 999999.5 -> tie to even 1000000
    (R(123456789), 6, "123456789", "123456789"),     # integers up to 15 digits stay exact
    (R(12345678901234567), 6, "1.23457·10^16", r"1.23457 \cdot 10^{16}"),
    (R(20001, 7), 6, "2857.29", "2857.29"),          # numerator too large for a small fraction
    (R(9, 8), 3, "1.12", "1.12"),                    # 1.125 at 3 digits: a tie, to even
    (R(5, 4), 3, "1.25", "1.25"),
    (R(-2, 3), 2, "-2/3", r"-\frac{2}{3}"),
    (DOUBLE_0_1, None, "3602879701896397/36028797018963968", r"\frac{3602879701896397}{36028797018963968}"),
    (R(1, 2), None, "1/2", r"\frac{1}{2}"),
    (R(7), None, "7", "7"),
]


@pytest.mark.parametrize("value, digits, txt, tex", TABLE)
def test_hand_worked_examples(value, digits, txt, tex):
    fmt = NumberFormat(digits)
    assert fmt.strings(value) == (tex, txt)


def test_rounding_is_reported_and_exact_values_are_not():
    fmt = NumberFormat(6)
    fmt.strings(R(1, 3))
    fmt.strings(R(1, 2))
    assert not fmt.rounded
    fmt.strings(DOUBLE_0_1)
    assert fmt.rounded


def test_floats_become_their_exact_binary_value():
    x = sympy.Symbol("x")
    e = exact(sympy.Float(0.1) * x + sympy.Float(0.5))
    assert e == DOUBLE_0_1 * x + R(1, 2)


@pytest.mark.parametrize("bad, error", [(0, InvalidArgument), (-1, InvalidArgument), (51, InvalidArgument),
                                        (True, InvalidType), ("6", InvalidType), (2.0, InvalidType)])
def test_bad_digits_are_typed_errors(bad, error):
    with pytest.raises(error):
        check_digits(bad)


def _parse(s: str) -> Fraction:
    """An independent reader of the printed forms: integers, decimals, p/q and m·10^e."""
    m = re.fullmatch(r"(-?[0-9]+(?:\.[0-9]+)?)(?:·10\^(-?[0-9]+))?", s)
    if m:
        value = Fraction(m.group(1))
        return value * Fraction(10) ** int(m.group(2)) if m.group(2) else value
    p, q = s.split("/")
    return Fraction(int(p), int(q))


def _significant(s: str) -> int:
    mant = s.split("·")[0].lstrip("-").replace(".", "").lstrip("0")
    return len(mant)


rationals = st.builds(Fraction, st.integers(-10**30, 10**30), st.integers(1, 10**30))


@settings(max_examples=examples(300), deadline=None)
@given(rationals, st.integers(1, 20))
def test_printed_value_is_exact_or_correctly_rounded(q, digits):
    fmt = NumberFormat(digits)
    r = R(q.numerator, q.denominator)
    text = fmt.strings(r)[1]
    back = _parse(text)
    if fmt.is_exact(r):
        assert back == q
        return
    assert _significant(text) == digits
    # within half a unit of the last printed digit of the exact value
    e = 0
    while Fraction(10) ** (e + 1) <= abs(q):
        e += 1
    while Fraction(10) ** e > abs(q):
        e -= 1
    ulp = Fraction(10) ** (e - digits + 1)
    assert abs(back - q) <= ulp / 2


@settings(max_examples=examples(100), deadline=None)
@given(rationals)
def test_same_value_same_string(q):
    """The rule depends only on the value: two formatters print it alike."""
    r = R(q.numerator, q.denominator)
    assert NumberFormat(6).strings(r) == NumberFormat(6).strings(r)


def _decimal_oracle(value: Fraction, digits: int) -> str:
    """Mantissa and exponent of ``value`` to ``digits`` significant digits by Python's decimal module."""
    import decimal

    with decimal.localcontext() as ctx:
        ctx.prec = digits
        d = decimal.Decimal(value.numerator) / decimal.Decimal(value.denominator)
        sign, mant, exp = d.as_tuple()
        text = "".join(map(str, mant))
        return f"{text[0]}.{text[1:]}·10^{exp + len(text) - 1}"


@pytest.mark.parametrize(
    "value",
    [Fraction(1, 2**100000), Fraction(3**9000), Fraction(-(7**5000), 2**3000), Fraction(1, 5**20000)],
)
def test_numbers_past_python_str_limit_print(value):
    """Numbers of tens of thousands of digits (Python's str() refuses past 4,300) round like small ones."""
    r = sympy.Rational(value.numerator, value.denominator)
    assert NumberFormat(3).strings(r)[1] == ("-" if value < 0 else "") + _decimal_oracle(abs(value), 3)


def test_a_proof_with_huge_numbers_renders():
    """The adversarial campaign found renderers calling str() on a 2^-100000 weight: every format renders it."""
    import symnet

    net = symnet.Network.from_matrices([[[sympy.Rational(1, 2**100000)]]], [[sympy.Integer(3) ** 9000]])
    proof = symnet.prove(net)
    assert _decimal_oracle(Fraction(1, 2**100000), 3) in proof.to_text(digits=3)
    assert proof.to_latex(digits=3) and proof.to_markdown(digits=3)
