"""The search's exact-LP fallback: multipliers the float LP rounds wrongly are found over QQ (pplpy).

Hand-derived case: on x in [-1, 1] the rows ``g_0 = 2x + e`` and ``g_1 = -x + e`` are never both <= 0 for
e > 0, and the only combination whose minimum over the box is positive is ``1/3 g_0 + 2/3 g_1 = e``
(any other weight leaves a multiple of x, which is negative at one end of the box once its size passes e).
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from flint import fmpq

import symnet
from symnet.search.bab import search
from symnet.search.bab.exact_lp import exact_multipliers
from symnet.search.vnnlib import VnnProperty

BOX = [(fmpq(-1), fmpq(1))]


def test_the_only_positive_combination_is_found_exactly() -> None:
    e = fmpq(1, 2**80)
    assert exact_multipliers([(0, [e, fmpq(2)]), (1, [e, fmpq(-1)])], BOX) == [(0, fmpq(1, 3)), (1, fmpq(2, 3))]


def test_no_multipliers_when_the_rows_can_all_be_non_positive() -> None:
    e = fmpq(1, 2**80)
    assert exact_multipliers([(0, [-e, fmpq(2)]), (1, [-e, fmpq(-1)])], BOX) is None  # x = 0 makes both negative
    assert exact_multipliers([], BOX) is None


def test_row_indices_are_kept() -> None:
    """Rows keep their own indices (a disjunct's rows, then the input constraints, in the search)."""
    got = exact_multipliers([(3, [fmpq(1), fmpq(0)]), (7, [fmpq(-5), fmpq(1)])], BOX)
    assert got == [(3, fmpq(1))]  # the constant row 1 alone has minimum 1; any weight on row 7 lowers it


def _verify(net: symnet.Network, prop: VnnProperty, fallback: bool) -> dict[str, object]:
    orig = search._Search.exact_lp
    if not fallback:
        search._Search.exact_lp = lambda self, *args: None  # type: ignore[method-assign]
    try:
        verdict = symnet.verify(net, prop, workers=1)
    finally:
        search._Search.exact_lp = orig  # type: ignore[method-assign]
    assert verdict.status == "holds" and verdict.check()
    return json.loads(verdict.to_json())  # type: ignore[no-any-return]


@pytest.mark.parametrize("bits", [36, 40])
def test_verify_closes_the_root_with_exact_multipliers_where_rounded_floats_fail(bits: int) -> None:
    """y = (x, x) on [-1, 1] and the violation 2 y_0 + e <= 0 and -y_1 + e <= 0, e = 2^-bits: the float LP's
    multipliers rounded to 2^-30 leave -2^-30 x, so without the fallback the box must be split."""
    net = symnet.Network.from_matrices([[[1]], [[1], [1]]], [[1], [-1, -1]], activation="relu")
    e = Fraction(1, 2**bits)
    prop = VnnProperty(1, 2, [(Fraction(-1), Fraction(1))], [[([Fraction(2), Fraction(0)], e), ([0, -1], e)]])
    with_lp = _verify(net, prop, fallback=True)
    assert with_lp["tree"] == [["leaf", [[0, [[0, "1/3"], [1, "2/3"]]]]]]
    without = _verify(net, prop, fallback=False)
    assert len(without["tree"]) > 1  # type: ignore[arg-type]
