"""The VNN-LIB reader (issue 21): VNN-COMP's forms, exact numbers, bounded input, typed errors.

Expected values are read off the file text by hand (``0.679857769`` is
679857769/10^9), or come from the generator's own data in the round-trip test.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

import symnet
from symnet.errors import InvalidArgument
from symnet.search import vnnlib
from symnet.search.bound import decide_property
from symnet.search.vnnlib import MAX_DEPTH, MAX_DISJUNCTS, VnnProperty, parse_vnnlib, read_vnnlib

ACAS = "/work/shared/benchmarks/acasxu"
F = Fraction
HEAD = "(declare-const X_0 Real) (declare-const X_1 Real) (declare-const Y_0 Real) (declare-const Y_1 Real)\n"
BOX = "(assert (>= X_0 -1)) (assert (<= X_0 1)) (assert (>= X_1 0)) (assert (<= X_1 2))\n"

acas = pytest.mark.skipif(not __import__("os").path.isdir(ACAS), reason="the ACAS Xu benchmark is not here")


def _rows(*rows: tuple[list[int | Fraction], int | Fraction]) -> list[tuple[list[Fraction], Fraction]]:
    return [([F(v) for v in c], F(d)) for c, d in rows]


# ------------------------------------------------------------------ the ACAS Xu properties
@acas
def test_every_acasxu_property_is_read() -> None:
    for i in range(1, 11):
        prop = read_vnnlib(f"{ACAS}/prop_{i}.vnnlib")
        assert (prop.inputs, prop.outputs) == (5, 5)
        assert all(lo <= hi for lo, hi in prop.box) and prop.input_constraints == []


@acas
def test_acasxu_property_1_exactly() -> None:
    prop = read_vnnlib(f"{ACAS}/prop_1.vnnlib")
    assert prop.box == [
        (F(6, 10), F(679857769, 10**9)),
        (F(-1, 2), F(1, 2)),
        (F(-1, 2), F(1, 2)),
        (F(45, 100), F(1, 2)),
        (F(-1, 2), F(-45, 100)),
    ]
    # (>= Y_0 3.991125645861615)  ->  -Y_0 + 3.991125645861615 <= 0
    assert prop.disjuncts == [_rows(([-1, 0, 0, 0, 0], F(3991125645861615, 10**15)))]


@acas
def test_acasxu_property_4_has_a_fixed_input() -> None:
    """Property 4 fixes X_2 = 0 by (<= X_2 0.0) (>= X_2 0.0): read, not refused as flat."""
    prop = read_vnnlib(f"{ACAS}/prop_4.vnnlib")
    assert prop.box[2] == (0, 0) and prop.fixed == [2]
    # (<= Y_0 Y_k) for k = 1..4, one conjunction
    assert prop.disjuncts == [_rows(*[([1] + [-1 if j == k else 0 for j in range(1, 5)], 0) for k in range(1, 5)])]


@acas
def test_acasxu_property_6_is_a_union_of_two_boxes() -> None:
    prop = read_vnnlib(f"{ACAS}/prop_6.vnnlib")
    cases = prop.cases()
    assert len(cases) == 2 and prop.alternatives == cases[1:]
    assert cases[0].box[1] == (F(11140846, 10**8), F(499999896, 10**9))
    assert cases[1].box[1] == (F(-499999896, 10**9), F(-11140846, 10**8))
    assert cases[0].box[0] == cases[1].box[0] == (F(-129289109, 10**9), F(700434925, 10**9))
    # (or (<= Y_k Y_0) ...): four disjuncts, the same on both boxes
    expected = [_rows(([-1] + [1 if j == k else 0 for j in range(1, 5)], 0)) for k in range(1, 5)]
    assert cases[0].disjuncts == cases[1].disjuncts == expected
    assert all(not c.alternatives for c in cases)


@acas
def test_acasxu_property_7_is_a_disjunction_of_conjunctions() -> None:
    prop = read_vnnlib(f"{ACAS}/prop_7.vnnlib")
    # (or (and (<= Y_3 Y_0) (<= Y_3 Y_1) (<= Y_3 Y_2)) (and (<= Y_4 Y_0) ...))
    first = _rows(([-1, 0, 0, 1, 0], 0), ([0, -1, 0, 1, 0], 0), ([0, 0, -1, 1, 0], 0))
    second = _rows(([-1, 0, 0, 0, 1], 0), ([0, -1, 0, 0, 1], 0), ([0, 0, -1, 0, 1], 0))
    assert prop.disjuncts == [first, second]


# ------------------------------------------------------------------ forms
def test_constants_on_either_side_and_equalities() -> None:
    prop = parse_vnnlib(
        HEAD + "(assert (<= -1 X_0)) (assert (>= 1 X_0)) (assert (= X_1 0.25))"
        " (assert (<= 3 (+ Y_0 (* 2 Y_1)))) (assert (>= (- Y_0 1) (* Y_1 0.5 4)))"
    )
    assert prop.box == [(-1, 1), (F(1, 4), F(1, 4))]
    # 3 - y0 - 2 y1 <= 0 ;  2 y1 - y0 + 1 <= 0
    assert prop.disjuncts == [_rows(([-1, -2], 3), ([-1, 2], 1))]


def test_linear_input_constraints() -> None:
    prop = parse_vnnlib(HEAD + BOX + "(assert (<= (+ X_0 X_1) 1.5)) (assert (>= (- X_0 X_1) -2)) (assert (<= Y_0 0))")
    assert prop.box == [(-1, 1), (0, 2)]
    assert prop.input_constraints == _rows(([1, 1], F(-3, 2)), ([-1, 1], -2))
    assert prop.disjuncts == [_rows(([1, 0], 0))]


def test_nested_formulas_are_normalised_to_dnf() -> None:
    prop = parse_vnnlib(
        HEAD + BOX + "(assert (and (or (<= Y_0 0) (<= Y_1 0)) (or (>= Y_0 1) (and (>= Y_1 1) (>= Y_1 2)))))"
    )
    a, b, c, d, e = (
        _rows(([1, 0], 0)),
        _rows(([0, 1], 0)),
        _rows(([-1, 0], 1)),
        _rows(([0, -1], 1)),
        _rows(([0, -1], 2)),
    )
    assert prop.disjuncts == [a + c, a + d + e, b + c, b + d + e]


def test_several_asserts_are_conjoined() -> None:
    prop = parse_vnnlib(HEAD + BOX + "(assert (or (<= Y_0 0) (<= Y_1 0))) (assert (>= Y_0 -5))")
    assert prop.disjuncts == [_rows(([1, 0], 0), ([-1, 0], -5)), _rows(([0, 1], 0), ([-1, 0], -5))]


def test_the_normal_form_is_bounded() -> None:
    clause = "(or (<= Y_0 0) (<= Y_1 0))"
    assert 2**14 > MAX_DISJUNCTS
    with pytest.raises(InvalidArgument, match="disjuncts"):
        parse_vnnlib(HEAD + BOX + "(assert (and " + clause * 14 + "))")
    with pytest.raises(InvalidArgument, match="disjuncts"):
        parse_vnnlib(HEAD + BOX + ("(assert " + clause + ")") * 14)


def test_deep_nesting_is_a_typed_error_not_a_recursion_error(tmp_path) -> None:
    path = tmp_path / "deep.vnnlib"
    path.write_text(HEAD + BOX + "(assert " + "(" * 100_000 + ")" * 100_000 + ")")
    with pytest.raises(InvalidArgument, match="nested deeper"):
        read_vnnlib(str(path))
    with pytest.raises(InvalidArgument, match="nested deeper"):
        parse_vnnlib("(" * 100_000)
    nested = "(<= Y_0 0)"
    for _ in range(MAX_DEPTH - 3):  # just inside the limit: read, by no deep Python recursion
        nested = f"(and {nested})"
    assert parse_vnnlib(HEAD + BOX + f"(assert {nested})").disjuncts == [_rows(([1, 0], 0))]


def test_the_size_is_bounded(tmp_path, monkeypatch) -> None:
    path = tmp_path / "big.vnnlib"
    path.write_text(HEAD + BOX + "(assert (<= Y_0 0))" + " " * 200)
    monkeypatch.setattr(vnnlib, "MAX_VNNLIB_BYTES", 100)
    with pytest.raises(InvalidArgument, match="larger than 100 bytes"):
        read_vnnlib(str(path))
    with pytest.raises(InvalidArgument, match="longer than 100"):
        parse_vnnlib(path.read_text())


@pytest.mark.parametrize(
    "body, match",
    [
        ("(assert (< Y_0 0))", "strict"),
        ("(assert (> Y_0 0))", "strict"),
        ("(assert (not (<= Y_0 0)))", "unsupported formula"),
        ("(assert (=> (<= Y_0 0) (<= Y_1 0)))", "unsupported formula"),
        ("(assert (<= (* Y_0 Y_1) 0))", "not linear"),
        ("(assert (<= (+ X_0 Y_0) 0))", "mixing"),
        ("(assert (<= Y_0 (__import__ 1)))", "unsupported term"),
        ("(assert (<= Y_0 __import__))", "unknown symbol"),
        ("(assert (<= Y_0 1e99999))", "unknown symbol"),
        ("(assert (<= Y_0 nan))", "unknown symbol"),
        ("(assert (<= Y_0 Y_7))", "before its declare-const"),
        ("(assert (<= Y_0))", "two terms"),
        ("(check-sat)", "unsupported command"),
        ("(declare-const Y_0 Real)", "declared twice"),
        ("(declare-const Z_0 Real)", "declare-const"),
        ("(assert (<= Y_0 0)))", "unbalanced"),
        ("(assert (<= 1 0))", "contradictory"),
    ],
)
def test_unsupported_text_is_a_typed_error(body: str, match: str) -> None:
    with pytest.raises(InvalidArgument, match=match):
        parse_vnnlib(HEAD + BOX + body)


def test_inputs_need_both_bounds_and_a_nonempty_box() -> None:
    with pytest.raises(InvalidArgument, match="X_1 needs a lower and an upper bound"):
        parse_vnnlib(HEAD + "(assert (>= X_0 -1)) (assert (<= X_0 1)) (assert (<= X_1 2)) (assert (<= Y_0 0))")
    with pytest.raises(InvalidArgument, match="empty in X_0"):
        parse_vnnlib(HEAD + "(assert (= X_0 1)) (assert (>= X_0 2)) (assert (= X_1 0)) (assert (<= Y_0 0))")


def test_a_true_constant_comparison_is_dropped_and_a_false_one_drops_its_disjunct() -> None:
    prop = parse_vnnlib(HEAD + BOX + "(assert (<= 0 1)) (assert (or (and (<= Y_0 0) (<= 1 0)) (<= Y_1 0)))")
    assert prop.disjuncts == [_rows(([0, 1], 0))]


def test_the_dataclass_stays_backward_compatible() -> None:
    prop = VnnProperty(1, 1, [(F(0), F(1))], [[([F(1)], F(0))]])
    assert prop.input_constraints == [] and prop.alternatives == [] and prop.cases() == [prop]
    assert symnet.VnnProperty is VnnProperty and symnet.parse_vnnlib is parse_vnnlib
    assert symnet.read_vnnlib is read_vnnlib and symnet.decide_property is decide_property


# ------------------------------------------------------------------ decide_property on the new forms
NET = symnet.Network.from_matrices([[[1, 1], [1, -1]], [[1, 0], [0, 1]]], [[0, 0], [0, 0]], activation="relu")


def test_decide_property_uses_the_input_constraints() -> None:
    """y0 = relu(x0 + x1) on [-1,1] x [0,2] has maximum 3; cut by x0 + x1 <= 1.5 the maximum is 1.5."""
    text = HEAD + BOX + "(assert (>= Y_0 TH))"
    assert not decide_property(NET, parse_vnnlib(text.replace("TH", "2"))).holds
    cut = text.replace("TH", "2") + " (assert (<= (+ X_0 X_1) 1.5))"
    assert decide_property(NET, parse_vnnlib(cut)).holds
    broken = decide_property(NET, parse_vnnlib(cut.replace("(>= Y_0 2)", "(>= Y_0 1.5)")))
    assert not broken.holds and broken.witness is not None
    x0, x1 = broken.witness
    assert x0 + x1 <= F(3, 2) and broken.outputs[0] >= F(3, 2)


def test_decide_property_refuses_fixed_inputs_and_unions_clearly() -> None:
    fixed = parse_vnnlib(HEAD + "(assert (= X_0 0)) (assert (>= X_1 0)) (assert (<= X_1 1)) (assert (>= Y_0 5))")
    with pytest.raises(InvalidArgument, match="fixes X_0"):
        decide_property(NET, fixed)
    union = parse_vnnlib(
        HEAD + "(assert (or (and (>= X_0 0) (<= X_0 1) (>= X_1 0) (<= X_1 1))"
        " (and (>= X_0 2) (<= X_0 3) (>= X_1 0) (<= X_1 1)))) (assert (>= Y_0 5))"
    )
    assert len(union.cases()) == 2
    with pytest.raises(InvalidArgument, match="union of 2"):
        decide_property(NET, union)
    assert all(decide_property(NET, case).holds for case in union.cases())  # max y0 = 4 on the second box


# ------------------------------------------------------------------ printed and read back
def _decimal(v: Fraction, style: int) -> str:
    """v (a fraction with a power-of-ten denominator) as VNN-LIB text, written by the generator."""
    k = 0
    while (v * 10**k).denominator != 1:
        k += 1
    n = int(v * 10**k)
    sign, digits = ("-" if n < 0 else ""), str(abs(n)).rjust(k + 1, "0")
    if style == 0 or k == 0:
        return f"{sign}{digits[: len(digits) - k]}.{digits[len(digits) - k :] or '0'}"
    return f"{sign}{abs(n)}e-{k}"


def _linear(coeffs: list[Fraction], const: Fraction, var: str, style: int) -> str:
    terms = [f"(* {_decimal(c, style)} {var}_{i})" if c != 1 else f"{var}_{i}" for i, c in enumerate(coeffs) if c]
    terms.append(_decimal(const, style))
    return f"(+ {' '.join(terms)})"


def _row_text(a: list[Fraction], e: Fraction, var: str, form: int) -> str:
    """a . v + e <= 0 in one of three spellings."""
    if form == 0:
        return f"(<= {_linear(a, e, var, 0)} 0)"
    if form == 1:
        return f"(<= {_linear(a, F(0), var, 1)} {_decimal(-e, 1)})"
    return f"(>= {_decimal(-e, 0)} {_linear(a, F(0), var, 0)})"


_num = st.builds(lambda n, k: F(n, 10**k), st.integers(-(10**6), 10**6), st.integers(0, 6))
_nonzero = _num.filter(bool)


@st.composite
def _properties(draw: st.DrawFn) -> tuple[VnnProperty, str]:
    p, q = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    box = []
    for _ in range(p):
        lo = draw(_num)
        box.append((lo, lo + draw(st.sampled_from([F(0), F(1, 2), F(3), F(1, 1000)]))))

    def row(n: int, least: int) -> tuple[list[Fraction], Fraction]:
        support = draw(st.sets(st.integers(0, n - 1), min_size=least, max_size=n))
        return [draw(_nonzero) if i in support else F(0) for i in range(n)], draw(_num)

    rows = draw(st.lists(st.just(0), max_size=3)) if p >= 2 else []
    cons = []
    for _ in rows:
        r = row(p, 2)
        if r not in cons:
            cons.append(r)
    disjuncts: list[list[tuple[list[Fraction], Fraction]]] = []
    for _ in range(draw(st.integers(1, 3))):
        conj: list[tuple[list[Fraction], Fraction]] = []
        for _ in range(draw(st.integers(1, 3))):
            r = row(q, 1)
            if r not in conj:
                conj.append(r)
        if conj not in disjuncts:
            disjuncts.append(conj)
    prop = VnnProperty(p, q, box, disjuncts, cons)
    decls = [f"(declare-const X_{j} Real)" for j in range(p)] + [f"(declare-const Y_{i} Real)" for i in range(q)]
    lines: list[str] = []
    for j, (lo, hi) in enumerate(box):
        lines += [f"(assert (>= X_{j} {_decimal(lo, j % 2)}))", f"(assert (<= {_decimal(lo, 0)} X_{j}))"]
        lines.append(
            f"(assert (<= X_{j} {_decimal(hi, 1)}))"
            if draw(st.booleans())
            else f"(assert (>= {_decimal(hi, 0)} X_{j}))"
        )
    lines = draw(st.permutations(lines))  # the bounds in any order
    lines += [f"(assert {_row_text(a, e, 'X', draw(st.integers(0, 2)))})" for a, e in cons]
    ands = [
        "(and " + " ".join(_row_text(c, d, "Y", draw(st.integers(0, 2))) for c, d in conj) + ")" for conj in disjuncts
    ]
    lines.append(f"(assert (or {' '.join(ands)}))")
    return prop, "\n; a comment\n".join(decls + lines)


@given(_properties())
def test_printed_properties_are_read_back(case: tuple[VnnProperty, str]) -> None:
    prop, text = case
    assert parse_vnnlib(text) == prop


def test_verify_refuses_a_union_rather_than_checking_one_box() -> None:
    """symnet.verify decides one input set; given a union it must not answer for the first box alone."""
    union = parse_vnnlib(
        HEAD + "(assert (or (and (>= X_0 0) (<= X_0 1) (>= X_1 0) (<= X_1 1))"
        " (and (>= X_0 2) (<= X_0 3) (>= X_1 0) (<= X_1 1)))) (assert (>= Y_0 3.5))"
    )
    with pytest.raises(InvalidArgument, match="union"):
        symnet.verify(NET, union, workers=1)
    # y0 = relu(x0 + x1): at most 2 on the first box, 4 on the second
    assert [symnet.verify(NET, case, workers=1).status for case in union.cases()] == ["holds", "violated"]
