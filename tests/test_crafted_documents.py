"""Crafted documents within the old limits that checked slowly are refused up front (issue 19, slowhunt); a legal
document just inside each new bound is still checked, with the answer of an independent route (mpmath, Fraction)."""

from __future__ import annotations

import json
import os
import sys
from fractions import Fraction
from typing import Any

import mpmath
import pytest
import sympy

import symnet
from symnet import kernel
from symnet.certificate import expressions, read
from symnet.certificate.expressions import ExpressionReader
from symnet.errors import CertificateError
from symnet.kernel import counterexample, gate

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks"))
import bench_crafted as B  # noqa: E402


@pytest.fixture
def no_evaluation(monkeypatch: pytest.MonkeyPatch) -> None:
    """The exact evaluation must not start: refused up front."""

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the expensive evaluation ran")

    monkeypatch.setattr(counterexample, "exact_values", boom)
    monkeypatch.setattr(counterexample, "layer_outputs", boom)
    monkeypatch.setattr("symnet.kernel.degree.layer_outputs", boom)


@pytest.fixture
def no_exact_values(monkeypatch: pytest.MonkeyPatch) -> None:
    """The exact (sympy) evaluation must not run: a transcendental network is evaluated by balls only."""

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the exact evaluation ran")

    monkeypatch.setattr(counterexample, "exact_values", boom)


@pytest.mark.parametrize(
    "make",
    [B.counterexample_tanh_formulas, B.counterexample_tanh_depth, lambda: B._tanh_counterexample(1, 6)],
    ids=["wide", "deep", "width1"],
)
def test_crafted_tanh_documents_are_refused_by_balls(no_exact_values: None, make: Any) -> None:
    """They state 0 for values that are not 0: the balls refuse the exact rational, without any exact formula."""
    with pytest.raises(CertificateError, match="exact rational"):
        kernel.check(make())


def test_wide_square_layers_are_refused_by_their_work(no_evaluation: None) -> None:
    with pytest.raises(CertificateError, match="work of about"):
        kernel.check(B.counterexample_evaluation_bits())


def test_a_degree_witness_line_is_refused_by_its_work(no_evaluation: None) -> None:
    with pytest.raises(CertificateError, match="work of about"):
        kernel.check(B.degree_witness_line())


def test_nested_functions_past_the_reader_limit_are_refused() -> None:
    nodes: list[list[Any]] = [["sym", "t"]] + [["fn", "sin", i] for i in range(expressions.MAX_FUNCTION_DEPTH + 1)]
    with pytest.raises(CertificateError, match="nest"):
        ExpressionReader(nodes)
    ExpressionReader(nodes[:-1])  # just inside


def _chain(levels: int) -> list[list[Any]]:
    """a_0 = tanh(1), a_(k+1) = a_k + tanh(a_k + 1): a table of 3 nodes a level whose value doubles as a tree."""
    nodes: list[list[Any]] = [["int", "1"], ["fn", "tanh", 0]]
    last = 1
    for _ in range(levels):
        i = len(nodes)
        nodes += [["add", last, 0], ["fn", "tanh", i], ["add", last, i + 1]]
        last = i + 2
    return nodes


def test_functions_of_deep_constant_formulas_are_refused_by_their_evaluation_work() -> None:
    with pytest.raises(CertificateError, match="evaluating the function nodes"):
        ExpressionReader(_chain(10))
    table = ExpressionReader(_chain(8))  # just inside; its value agrees with mpmath
    with mpmath.workdps(50):
        a = mpmath.tanh(1)
        for _ in range(8):
            a = a + mpmath.tanh(a + 1)
        assert abs(mpmath.mpf(str(table.values[-1].evalf(50))) - a) < mpmath.mpf(10) ** -40


def test_max_of_many_arguments_is_refused() -> None:
    n = 101  # 101**2 > MAX_COMPARISONS
    nodes: list[list[Any]] = [["int", str(k)] for k in range(n)] + [["fn", "sin", k] for k in range(n)]
    with pytest.raises(CertificateError, match="compare"):
        ExpressionReader([*nodes, ["fn", "Max", *range(n, 2 * n)]])
    ExpressionReader([*nodes, ["fn", "Max", *range(n, n + 100)]])  # 100**2 is the limit


def _tanh_values(width: int, depth: int, point: list[sympy.Rational]) -> mpmath.mpf:
    """The output of B._tanh_counterexample's network at a point, by mpmath at 80 digits."""
    w = [[1, 2], [3, -1]]
    u = [mpmath.mpf(int(v.p)) / int(v.q) for v in point]
    for _ in range(depth):
        u = [mpmath.tanh(sum(w[i % 2][j % 2] * u[j] for j in range(width))) for i in range(width)]
    return sum(u)


def _around(x: mpmath.mpf, eps: int = 30) -> tuple[sympy.Rational, sympy.Rational]:
    """Rationals 10**-eps below and above ``x``."""
    delta = mpmath.mpf(10) ** -eps
    return sympy.Rational(mpmath.nstr(x - delta, 50)), sympy.Rational(mpmath.nstr(x + delta, 50))


def test_a_deep_tanh_counterexample_is_checked_by_enclosures() -> None:
    """Width 1, 6 tanh layers (past the old depth limit of 3): values and defect enclosed by mpmath at 80 digits;
    accepted, and refused when any enclosure is moved off its value."""
    depth = 6
    doc = read(B._tanh_counterexample(1, depth))
    u, v, m = [sympy.Integer(0)], [sympy.Integer(1)], [sympy.Rational(1, 2)]
    with mpmath.workdps(80):
        fu, fv, fm = (_tanh_values(1, depth, p) for p in (u, v, m))
        values = [_around(fu), _around(fv), _around(fm)]
        lo, hi = _around(fm - (fu + fv) / 2)
    assert lo > 0 or hi < 0
    assert counterexample.check_counterexample(doc.network, {}, (u, v), 0, values, (lo, hi), 1)
    with pytest.raises(CertificateError):  # tampered: an enclosure that misses the defect
        counterexample.check_counterexample(doc.network, {}, (u, v), 0, values, (hi, hi + 1), 1)
    moved = [values[0], (values[1][1], values[1][1] + 1), values[2]]
    with pytest.raises(CertificateError, match=r"f\(v\)"):  # tampered: f(v)'s enclosure moved off the value
        counterexample.check_counterexample(doc.network, {}, (u, v), 0, moved, (lo, hi), 1)


def test_square_layers_just_inside_the_work_limit_are_checked() -> None:
    """6 square layers of width 3 with small weights: the value at a point agrees with Fraction arithmetic."""
    t = B.Table()
    width, depth = 3, 6
    net = B.network(t, [width] * (depth + 1) + [1], ["square"] * depth + ["identity"], lambda *a: t.int(B.small(*a)))
    u, v = [Fraction(1, 3)] * width, [Fraction(-1, 2)] * width
    m = [(a + b) / 2 for a, b in zip(u, v, strict=True)]

    def f(x: list[Fraction]) -> Fraction:
        for l in range(depth):
            x = [sum((B.small(l, i, j) * x[j] for j in range(width)), Fraction(0)) ** 2 for i in range(width)]
        return sum((B.small(depth, 0, j) * x[j] for j in range(width)), Fraction(0))

    fu, fv, fm = f(u), f(v), f(m)
    defect = fm - (fu + fv) / 2
    assert defect != 0
    refs = [t.rat(q.numerator, q.denominator) for q in (fu, fv, fm)]
    pts = [[f"{c.numerator}/{c.denominator}" for c in p] for p in (u, v)]
    enc = [f"{defect.numerator}/{defect.denominator}"] * 2
    text = B.document("symnet.counterexample", t, net, weights={}, points=pts, output=0, values=refs, enclosure=enc,
                      layer=1)
    assert kernel.check(text)
    data = json.loads(text)
    data["enclosure"] = [f"{defect.numerator + 1}/{defect.denominator}"] * 2  # tampered
    with pytest.raises(CertificateError):
        kernel.check(json.dumps(data))


def test_a_shared_weight_node_is_read_once_a_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every weight is one shared node (a sum of parameters): the gate reads it once per layer, not per reference;
    the document is still refused for its expansion, with the typed error."""
    calls: list[str] = []
    real = gate._entry

    def counting(e: Any, where: str, *args: Any) -> Any:
        calls.append(where)
        return real(e, where, *args)

    monkeypatch.setattr(gate, "_entry", counting)
    with pytest.raises(CertificateError, match="expansion"):
        kernel.check(B.linear_symbolic_shared_node(n=6, depth=3, k=5))
    assert 0 < len(calls) <= 2 * 4  # per layer: the shared weight and the zero bias


def test_a_shared_weight_network_inside_the_limits_is_checked() -> None:
    """Weights a shared sum a + b on a 2 -> 2 -> 1 identity network: the claim from Fraction-free hand algebra,
    W* = (a+b)^2 (1, 1) * 2 (each output entry sums two paths), accepted; a wrong claim refused."""
    a, b = sympy.symbols("a b")
    s = a + b
    net = symnet.Network.from_matrices([[[s, s], [s, s]], [[s, s]]], [[0, 0], [0]], "identity")
    proof = symnet.prove(net)
    data = json.loads(proof.to_json())
    assert kernel.check(json.dumps(data))
    W = proof.matrix
    assert sympy.expand(W[0, 0] - 2 * s**2) == 0 and sympy.expand(W[0, 1] - 2 * s**2) == 0
    nodes = data["expressions"]
    claimed = data["claim"]["matrix"][0][0]
    nodes.append(["int", "7"])
    data["claim"]["matrix"][0][0] = len(nodes) - 1
    assert claimed != len(nodes) - 1
    with pytest.raises(CertificateError):
        kernel.check(json.dumps(data))


def test_refute_refutes_deep_tanh_networks_the_value_bound_refused() -> None:
    """Four and more tanh layers (refused up front by the former value bound) are refuted and checked again."""
    for depth in (4, 8):
        cx = symnet.refute(symnet.dense(2, [2] * depth, activation="tanh"))
        assert cx is not None and cx.check() and not cx.is_exact_rational
        assert kernel.check(cx.to_json())
