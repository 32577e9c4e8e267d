"""The gate reads a sum of monomials by adding in pairs; the polynomial is the one a dict of Fractions gives."""

from __future__ import annotations

from fractions import Fraction

import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symnet.kernel.ring import Exact, balanced_sum
from tests.budget import examples

GENS = sympy.symbols("x_1 x_2 w_1 w_2 w_3")
_term = st.tuples(
    st.fractions(min_value=-100, max_value=100, max_denominator=50),
    st.lists(st.sampled_from(GENS), min_size=0, max_size=3, unique=True),
)


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(_term, min_size=0, max_size=60))
def test_monomial_sum_equals_a_fraction_dict(terms: list[tuple[Fraction, list[sympy.Symbol]]]) -> None:
    ring = Exact(GENS)
    expr = sympy.Add(*(sympy.Rational(c.numerator, c.denominator) * sympy.Mul(*s) for c, s in terms), evaluate=False)
    want: dict[tuple[int, ...], Fraction] = {}
    for c, syms in terms:
        key = tuple(int(g in syms) for g in GENS)
        want[key] = want.get(key, Fraction(0)) + c
    want = {k: v for k, v in want.items() if v}
    poly = ring.poly(expr, "e")
    got = {tuple(int(d) for d in m): Fraction(int(c.p), int(c.q)) for m, c in poly.terms()}
    assert got == want


def test_balanced_sum_of_nothing_and_of_odd_counts() -> None:
    ring = Exact(GENS)
    assert balanced_sum([], ring.zero) == ring.zero
    for n in (1, 2, 3, 7, 8, 33):
        parts = [ring.gen_polys[i % len(GENS)] for i in range(n)]
        total = balanced_sum(parts, ring.zero)
        assert sum(int(c) for c in total.coeffs()) == n
