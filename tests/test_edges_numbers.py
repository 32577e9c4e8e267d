"""Number-size attacks: the gate's cost model bounds the bit size of numbers before anything is expanded."""

from __future__ import annotations

import json
import time
from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import symnet
from symnet.certificate import codec
from symnet.cost import estimate_cost
from symnet.errors import CertificateError
from symnet.kernel import gate, ring
from tests.budget import examples

X, Y = sympy.symbols("x y")


_Poly = dict[tuple[int, int], Fraction]


def _expand(e: sympy.Basic) -> _Poly:
    """The expansion in x, y as a dict of exponents -> Fraction (plain Python arithmetic, not sympy's)."""
    if e == X:
        return {(1, 0): Fraction(1)}
    if e == Y:
        return {(0, 1): Fraction(1)}
    if e.is_Rational:
        return {(0, 0): Fraction(int(e.p), int(e.q))}
    if e.is_Add or e.is_Mul:
        parts = [_expand(a) for a in e.args]
        out = parts[0]
        for q in parts[1:]:
            out = _plus(out, q) if e.is_Add else _times(out, q)
        return out
    assert e.is_Pow and e.exp.is_Integer
    out = {(0, 0): Fraction(1)}
    for _ in range(int(e.exp)):
        out = _times(out, _expand(e.base))
    return out


def _plus(a: _Poly, b: _Poly) -> _Poly:
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, Fraction(0)) + v
    return out


def _times(a: _Poly, b: _Poly) -> _Poly:
    out: _Poly = {}
    for (i, j), v in a.items():
        for (k, m), w in b.items():
            out[(i + k, j + m)] = out.get((i + k, j + m), Fraction(0)) + v * w
    return out


def _true_bits(e: sympy.Expr) -> int:
    """Largest bits of a coefficient p/q of the expansion (p bits plus floor(log2 q))."""
    return max((c.numerator.bit_length() + c.denominator.bit_length() - 1 for c in _expand(e).values()), default=0)


_leaf = st.one_of(
    st.sampled_from([X, Y]),
    st.fractions(max_denominator=10**6).map(lambda f: sympy.Rational(f.numerator, f.denominator)),
    st.integers(-(10**30), 10**30).map(sympy.Integer),
    st.floats(allow_nan=False, allow_infinity=False, width=64).map(sympy.Float),
)


def _tree(children: st.SearchStrategy[sympy.Expr]) -> st.SearchStrategy[sympy.Expr]:
    return st.one_of(
        st.lists(children, min_size=2, max_size=3).map(lambda a: sympy.Add(*a, evaluate=False)),
        st.lists(children, min_size=2, max_size=3).map(lambda a: sympy.Mul(*a, evaluate=False)),
        st.tuples(children, st.integers(0, 6)).map(lambda a: sympy.Pow(a[0], a[1], evaluate=False)),
    )


@settings(max_examples=examples(150), deadline=None)
@given(st.recursive(_leaf, _tree, max_leaves=8))
def test_bit_estimate_bounds_the_expansion(e: sympy.Expr) -> None:
    exact = ring.exact(e, "e")
    assert estimate_cost(exact).bits >= _true_bits(exact)


@pytest.mark.parametrize(
    "expr",
    [
        sympy.Pow(X + 10**10000, 4000, evaluate=False),
        sympy.Pow(X + sympy.Rational(1, 3**5000), 1000, evaluate=False),
        sympy.Mul(*[sympy.Pow(X + 7**3000 + Y, 200, evaluate=False) for _ in range(10)], evaluate=False),
        sympy.Pow(X * sympy.Float(2.0**-1074) + 1, 4000, evaluate=False),
    ],
    ids=["power-of-big", "power-of-odd-denominator", "product-of-powers", "float-power"],
)
def test_guard_refuses_big_numbers_with_the_estimate(expr: sympy.Expr) -> None:
    t = time.perf_counter()
    with pytest.raises(gate.IllFormed, match=r"numbers of \d+ bits"):
        ring.guard(ring.exact(expr, "e"), "e")
    assert time.perf_counter() - t < 2


def test_guard_keeps_ordinary_float_sums() -> None:
    e = sympy.Add(*[sympy.Float(0.1 * i) * X**i for i in range(1, 400)])
    read = ring.exact(e, "e")
    c = estimate_cost(read)
    assert (c.degree, c.terms, ring.guard(read, "e")) == (399, 399, True)


def _deep_network(bits: int, layers: int) -> symnet.Network:
    big = 2**bits + 1
    return symnet.Network.from_matrices([[[big, big], [big, 1]]] * layers + [[[1, 1]]], [[0, 0]] * layers + [[0]])


def test_gate_refuses_numbers_that_grow_through_the_layers() -> None:
    gate.gate_network(_deep_network(100_000, 3))  # 3 x 100k bits: well inside
    with pytest.raises(gate.IllFormed, match="bits through its layers"):
        gate.gate_network(_deep_network(1_000_000, 6))


def test_check_refuses_a_python_certificate_with_a_power_of_a_big_sum() -> None:
    net = symnet.Network.from_matrices([[[1, 1]]], [[0]])
    proof = symnet.prove(net)
    cert = proof.certificate
    w = sympy.Pow(sympy.Symbol("x_1") * 0 + 10**10000 + 1, 1, evaluate=False)
    bad = cert.claim.__class__(
        cert.claim.form,
        cert.claim.shape,
        cert.claim.routes,
        sympy.ImmutableMatrix([[sympy.Pow(w - 10**10000 + 10**10000, 4000, evaluate=False), 1]]),
        cert.claim.offset,
    )
    t = time.perf_counter()
    with pytest.raises(CertificateError):
        symnet.kernel.check(cert.__class__(cert.network, cert.steps, bad))
    assert time.perf_counter() - t < 2


# ----------------------------------------------------------- documents
_BASE = {
    "format": "symnet-certificate",
    "version": 1,
    "expressions": [["int", "1"], ["int", "2"], ["int", "3"], ["sym", "x"]],
    "network": {
        "inputs": ["x_1", "x_2"],
        "layers": [
            {"weights": [[0, 1]], "biases": [2], "activation": {"name": "identity", "variable": "x", "expr": 3}}
        ],
    },
    "steps": [
        {"rule": "read_output_layer", "layer": 1, "matrix": [[2, 0, 1]]},
        {"rule": "conclude_linear_form"},
        {"rule": "expand_and_compare", "monomials": 3},
    ],
    "claim": {
        "form": "explicit",
        "shape": [1, 2],
        "routes": ["layerwise", "direct"],
        "matrix": [[0, 1]],
        "offset": [2],
    },
}


def _attack(extra: list[list[object]]) -> str:
    """The base document with extra nodes; its claimed offset points at the last one."""
    d = json.loads(json.dumps(_BASE))
    d["expressions"] += extra
    d["claim"]["offset"] = [len(d["expressions"]) - 1]
    return json.dumps(d)


def _n(k: int) -> int:
    return len(_BASE["expressions"]) + k  # type: ignore[arg-type]


ATTACKS = {
    "pow-twice": [["int", "10"], ["int", "10000"], ["pow", _n(0), _n(1)], ["pow", _n(2), _n(1)]],
    "squaring-chain": [["int", "3"]] + [["mul", _n(i), _n(i)] for i in range(40)],
    "float-power": [["float", 0, "1", -1074, 1, 53], ["int", "10000"], ["pow", _n(0), _n(1)], ["pow", _n(2), _n(1)]],
    "power-chain": [["int", "7"], ["int", "9999"], ["pow", _n(0), _n(1)], ["pow", _n(2), _n(1)], ["pow", _n(3), _n(1)]],
    "sum-chain-of-powers": [["int", "3"], ["int", "9000"], ["pow", _n(0), _n(1)]]
    + [["add", _n(2 + i), _n(2 + i)] if i % 2 else ["mul", _n(2 + i), _n(2 + i)] for i in range(30)],
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_number_size_attacks_are_refused_up_front(name: str) -> None:
    t = time.perf_counter()
    with pytest.raises(CertificateError, match="too big|bits"):  # the estimate that trips first is in the message
        symnet.kernel.check(codec.loads(_attack(ATTACKS[name])))
    assert time.perf_counter() - t < 2


def test_a_fraction_oracle_agrees_on_a_small_power() -> None:
    # the estimate is an upper bound: (1/3 + x)^5 has coefficients C(5,k) / 3^(5-k)
    e = ring.exact(sympy.Pow(X + sympy.Rational(1, 3), 5, evaluate=False), "e")
    biggest = max(int(Fraction(1, 3**k).denominator).bit_length() + 4 for k in range(6))
    assert estimate_cost(e).bits >= biggest


# ------------------------------------------------------- found by the campaign
def test_a_function_of_a_huge_number_is_refused_before_sympy_evaluates_it() -> None:
    # sympy's Abs(n) asks whether n is prime: minutes for a 600,000-bit integer
    extra = [
        ["int", "2305843009213693951"],
        ["int", "5000"],
        ["pow", _n(0), _n(1)],
        ["int", "2"],
        ["pow", _n(2), _n(3)],
    ]
    for fn in ("Abs", "exp", "sin", "log", "tanh"):
        t = time.perf_counter()
        with pytest.raises(CertificateError, match="too long"):
            codec.loads(_attack([*extra, ["fn", fn, _n(4)]]))
        assert time.perf_counter() - t < 2


def test_the_gate_refuses_a_python_built_function_of_a_huge_number() -> None:
    huge = sympy.Integer(2**61 - 1) ** 200
    with pytest.raises(gate.IllFormed, match="more than 4096 bits"):
        ring.exact(sympy.Abs(sympy.Float(0.5) + huge, evaluate=False), "e")


def test_a_message_about_a_huge_number_names_its_size() -> None:
    d = json.loads(json.dumps(_BASE))
    d["expressions"] += [["int", "3"], ["int", "9000"], ["pow", _n(0), _n(1)]]
    d["steps"][0]["matrix"] = [[2, _n(2), 1]]  # the stated output row holds 3^9000 (14,265 bits) instead of 1
    with pytest.raises(CertificateError, match=r"<a number of 14265 bits>"):
        symnet.kernel.check(codec.loads(json.dumps(d)))


def test_coq_export_prints_numbers_past_python_s_4300_digits() -> None:
    import sys

    w = sympy.Rational(1, 2**20000)
    text = symnet.prove(symnet.Network.from_matrices([[[w, 1]]], [[0]])).to_coq()
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        digits = str(2**20000)  # 6,021 digits, by Python's own conversion
    finally:
        sys.set_int_max_str_digits(old)
    assert digits in text


def test_a_chain_of_nested_sums_is_refused_before_sympy_flattens_it() -> None:
    extra: list[list[object]] = [["sym", "c"]]
    for i in range(1, 700):
        extra += [["sym", f"s{i}"], ["add", _n(2 * i - 2), _n(2 * i - 1)]]
    t = time.perf_counter()
    with pytest.raises(CertificateError, match="nested"):
        codec.loads(_attack(extra))
    assert time.perf_counter() - t < 2


def test_a_wrong_claim_with_a_huge_number_is_rejected_with_its_size() -> None:
    # found by the campaign: the rational route's message printed the claimed intercept (2^-100000) with str()
    text = json.dumps(
        {
            "format": "symnet-certificate",
            "version": 1,
            "expressions": [
                ["float", 1, "1", 1, 1, 53],
                ["float", 0, "1", -100000, 1, 53],
                ["sym", "x"],
                ["int", "1"],
                ["int", "0"],
                ["float", 0, "3602879701896397", -55, 52, 53],
                ["rat", "-1", "10"],
                ["add", 1, 5, 6],
            ],
            "network": {
                "inputs": ["x"],
                "layers": [
                    {"weights": [[0]], "biases": [1], "activation": {"name": "identity", "variable": "x", "expr": 2}}
                ],
            },
            "steps": [
                {"rule": "read_output_layer", "layer": 1, "matrix": [[1, 0]]},
                {"rule": "conclude_linear_form"},
                {"rule": "expand_and_compare", "monomials": 2},
            ],
            "claim": {
                "form": "explicit",
                "shape": [1, 1],
                "routes": ["layerwise", "direct"],
                "matrix": [[0]],
                "offset": [7],
            },
        }
    )
    with pytest.raises(CertificateError, match=r"<a number of \d+ bits>"):
        symnet.kernel.check(codec.loads(text))


@pytest.mark.parametrize("exponent", [4_000_001, 10**9, -(10**9)])
def test_a_float_of_too_many_bits_is_refused_before_its_value_is_made(exponent: int) -> None:
    """A Float's bits are told from its exponent: 2**(10**9) is never made (125 MB), as a weight, in an expression
    or in a claimed coefficient."""
    from symnet.model.core import Layer, NetworkData

    huge = sympy.Float._new((0, 1, exponent, 1), 53)  # 2**exponent, exactly
    x = sympy.Symbol("x")
    net = NetworkData((x,), (Layer(sympy.ImmutableMatrix(1, 1, [huge]), sympy.ImmutableMatrix(1, 1, [0])),))
    t = time.perf_counter()
    with pytest.raises(gate.IllFormed, match="bits"):
        gate.gate_network(net)
    with pytest.raises(gate.IllFormed, match="bits"):
        ring.exact(huge * X + 1, "e")
    with pytest.raises(gate.IllFormed, match="bits"):
        gate.gate_claim_entry(huge, "claim", gate.gate_network(symnet.dense(1, [1])))
    assert time.perf_counter() - t < 2


def test_a_wrong_value_of_forty_thousand_digits_is_reported_not_printed() -> None:
    """Found by the 100,000-document campaign: the checker's message printed the network's value with str(), and
    Python refuses an int of more than 4,300 digits (ValueError, a traceback).  Here the bias is 10^-19998, so
    f(u) = 2 (3 - 1 + 10^-19998)^2 has about 40,000 digits; the stated 0 is wrong."""
    doc = {
        "format": "symnet.counterexample", "version": 1, "layer": 1, "output": 0, "weights": {},
        "expressions": [["int", "1"], ["int", "-1"], ["int", "0"], ["sym", "t"], ["int", "2"], ["pow", 3, 4],
                        ["sym", "x"], ["int", "10"], ["int", "9999"], ["pow", 7, 8], ["int", "-2"], ["pow", 9, 10]],
        "network": {"inputs": ["x_1", "x_2"], "layers": [
            {"activation": {"expr": 5, "name": "square", "variable": "t"}, "biases": [11], "weights": [[0, 1]]},
            {"activation": {"expr": 6, "name": "identity", "variable": "x"}, "biases": [2], "weights": [[4]]}]},
        "points": [["3", "1"], ["-1", "1"]], "values": [2, 2, 2], "enclosure": ["-8", "-8"],
    }
    with pytest.raises(CertificateError, match=r"claimed f\(u\) = 0 but the network gives <a number of \d+ bits>"):
        symnet.kernel.check(json.dumps(doc))
    assert symnet.cost.show(10**5000) == "<int too long to print>"
