"""The cost model's power rule and ``show``, against hand derivations and sympy's own expansion."""

from __future__ import annotations

import sympy
from hypothesis import given
from hypothesis import strategies as st

from symnet.cost import CAP, estimate_cost, show

x, y, z = sympy.symbols("x y z")


@given(st.integers(min_value=1, max_value=4), st.integers(min_value=0, max_value=6))
def test_a_power_of_a_sum_bounds_the_terms_of_its_expansion(k: int, n: int) -> None:
    """(x_1 + ... + x_k + 1)**n: sympy's expansion has C(n + k, k) terms, the model's bound is (k + 1)**n."""
    s = sympy.Add(*sympy.symbols(f"v:{k}"), 1)
    estimate = estimate_cost(s**n).terms
    assert estimate == (k + 1) ** n  # hand derivation: a sum of k + 1 terms, to the n
    assert len(sympy.Add.make_args(sympy.expand(s**n))) <= estimate


def test_the_power_rule_saturates_only_past_fifty_bits() -> None:
    """3**31 (n log2 3 = 49.1) is exact; 3**32 and 2**50 (above 10**15) saturate; x**(10**12) is one term."""
    assert estimate_cost((x + y + z) ** 31).terms == 617673396283947
    assert estimate_cost((x + y + z) ** 32).terms == CAP
    assert estimate_cost((x + y) ** 50).terms == CAP
    assert estimate_cost(x ** (10**12)).terms == 1


def test_show_prints_short_values_and_sizes_long_numbers() -> None:
    big = sympy.Integer(2) ** 5000  # 5001 bits: shown by its size, with the rest of the expression
    assert show(x + 1) == "x + 1"
    assert show(big * x + 1) == "<a number of 5001 bits>*x + 1"  # sympy orders the factors by name: "<" < "x"
    assert show(sympy.Rational(1, 3) ** 3000) == "<a number of 4755 bits>"  # the denominator 3**3000: 4755 bits
    assert show(2**5000, 10) == "1412467032"  # a Python int of 1,506 digits prints (its first 10 shown)
    assert show(10**5000) == "<int too long to print>"
    assert show((1, 10**5000)) == "<tuple too long to print>"
    assert show("abcdef", 3) == "abc"
