"""Counterexample documents version 2 (issue 19, option B): a value that is not rational is stated by a rational
enclosure, checked by python-flint balls; an exact rational only when the value is one.  Expected truths come from
mpmath's forward pass of the network at 60 digits, never from symnet's output."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import mpmath
import pytest
import sympy

import symnet
from symnet import kernel
from symnet.errors import CertificateError

ACTIVATIONS: dict[str, Callable[[Any], Any]] = {
    "tanh": mpmath.tanh,
    "sigmoid": lambda z: 1 / (1 + mpmath.exp(-z)),
    "pi-square": lambda z: mpmath.pi * z**2,
}


def _mp(r: Any) -> mpmath.mpf:
    r = sympy.Rational(r)
    return mpmath.mpf(int(r.p)) / int(r.q)


def _forward(cx: symnet.Counterexample, point: Any, name: str) -> mpmath.mpf:
    """Output ``cx.output`` of the network with the counterexample's weights at ``point``, by mpmath."""
    x = [_mp(c) for c in point]
    for layer in cx.network.layers:
        W, b = layer.weights.xreplace(cx.weights), layer.biases.xreplace(cx.weights)
        z = [_mp(b[k]) + sum(_mp(W[k, j]) * x[j] for j in range(W.cols)) for k in range(W.rows)]
        x = z if layer.activation.name == "identity" else [ACTIVATIONS[name](zk) for zk in z]
    return x[cx.output]


def _truths(cx: symnet.Counterexample, name: str) -> tuple[mpmath.mpf, ...]:
    u, v = cx.points
    with mpmath.workdps(60):
        fu, fv, fm = (_forward(cx, p, name) for p in (u, v, cx.midpoint))
        return fu, fv, fm, fm - (fu + fv) / 2


def _inside(x: mpmath.mpf, pair: Any) -> bool:
    with mpmath.workdps(60):
        return bool(_mp(pair[0]) <= x <= _mp(pair[1]))


DEEP = [("tanh", [2] * 8), ("sigmoid", [3] * 5)]


@pytest.fixture(scope="module", params=DEEP, ids=[f"{a}-{len(h)}" for a, h in DEEP])
def deep(request: pytest.FixtureRequest) -> tuple[str, symnet.Counterexample]:
    name, hidden = request.param
    cx = symnet.refute(symnet.dense(2, hidden, activation=name))
    assert cx is not None
    return name, cx


def test_deep_networks_are_refuted_with_enclosures_mpmath_confirms(deep: tuple[str, symnet.Counterexample]) -> None:
    name, cx = deep
    *values, defect = _truths(cx, name)
    assert not cx.is_exact_rational
    for value, stated in zip(values, cx.values, strict=True):
        assert isinstance(stated, tuple) and _inside(value, stated)
    lo, hi = cx.enclosure
    assert (lo > 0 or hi < 0) and _inside(defect, (lo, hi))
    assert cx.check()


def test_the_document_text_is_version_2_and_rechecked(deep: tuple[str, symnet.Counterexample]) -> None:
    _, cx = deep
    text = cx.to_json()
    data = json.loads(text)
    assert data["version"] == 2 and all(isinstance(v, list) and len(v) == 2 for v in data["values"])
    assert kernel.check(text)
    again = symnet.Counterexample.from_json(text)
    assert again.values == cx.values and again.to_json() == text


def _tampered(cx: symnet.Counterexample, change: Callable[[dict[str, Any]], None]) -> str:
    data = json.loads(cx.to_json())
    change(data)
    return json.dumps(data)


def _q(text: str) -> sympy.Rational:
    return sympy.Rational(text)


def _s(r: sympy.Rational) -> str:
    return f"{r.p}/{r.q}" if r.q != 1 else str(r.p)


def _moved_value(data: dict[str, Any]) -> None:
    lo, hi = (_q(c) for c in data["values"][1])
    data["values"][1] = [_s(hi + 1), _s(hi + 2)]


def _shrunk_value(data: dict[str, Any]) -> None:
    lo, _ = (_q(c) for c in data["values"][2])
    data["values"][2] = [_s(lo), _s(lo)]  # the value is not rational: it is not lo


def _defect_holding_zero(data: dict[str, Any]) -> None:
    lo, hi = (_q(c) for c in data["enclosure"])
    width = abs(lo) + abs(hi)
    data["enclosure"] = [_s(-width), _s(width)]


def _defect_moved(data: dict[str, Any]) -> None:
    lo, hi = (_q(c) for c in data["enclosure"])
    data["enclosure"] = [_s(hi * 3), _s(hi * 4)] if lo > 0 else [_s(lo * 4), _s(lo * 3)]


def _rational_value(data: dict[str, Any]) -> None:
    lo, hi = (_q(c) for c in data["values"][0])
    data["expressions"].append(["rat", str(((lo + hi) / 2).p), str(((lo + hi) / 2).q)])
    data["values"][0] = len(data["expressions"]) - 1


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (_moved_value, r"f\(v\)"),
        (_shrunk_value, r"f\(\(u\+v\)/2\)"),
        (_defect_holding_zero, "exclude 0"),
        (_defect_moved, "defect"),
        (_rational_value, "exact rational"),
    ],
    ids=["value-moved", "value-shrunk", "defect-holds-0", "defect-moved", "exact-rational-for-tanh"],
)
def test_tampered_enclosures_are_refused(
    deep: tuple[str, symnet.Counterexample], change: Callable[[dict[str, Any]], None], match: str
) -> None:
    name, cx = deep
    text = _tampered(cx, change)
    if change is _shrunk_value:  # the premise: the true value is not the single point stated
        assert not _inside(_truths(cx, name)[2], json.loads(text)["values"][2])
    with pytest.raises(CertificateError, match=match):
        kernel.check(text)


def test_a_version_1_document_with_transcendental_values_is_refused_typed() -> None:
    cx = symnet.refute(symnet.dense(1, [1], activation="tanh"))
    data = json.loads(cx.to_json())
    data["version"] = 1
    nodes = data["expressions"]
    nodes += [["int", "3"], ["fn", "tanh", len(nodes)]]
    data["values"] = [len(nodes) - 1] * 3
    with pytest.raises(CertificateError, match="version 1's exact transcendental values .* re-run symnet refute"):
        kernel.check(json.dumps(data))
    data["values"] = [[c for c in pair] for pair in json.loads(cx.to_json())["values"]]
    with pytest.raises(CertificateError, match="values"):  # version 1 had no enclosures
        kernel.check(json.dumps(data))


def test_a_version_1_document_with_rational_values_is_still_checked() -> None:
    cx = symnet.refute(symnet.dense(2, [2], activation="relu"))
    assert cx.is_exact_rational
    data = json.loads(cx.to_json())
    data["version"] = 1
    assert kernel.check(json.dumps(data))
    data["version"] = 3
    with pytest.raises(CertificateError, match="version"):
        kernel.check(json.dumps(data))


def test_an_exact_network_accepts_an_enclosure_that_holds_the_value() -> None:
    """relu: the values are exact rationals (checked by hand below); an enclosure around one is a true statement,
    one beside it is refused."""
    net = symnet.Network.from_matrices([[[1]], [[1]]], [[0], [0]], "relu")
    u, v = (sympy.Integer(-1),), (sympy.Integer(3),)  # f(x) = max(x, 0): f(u) = 0, f(v) = 3, f(1) = 1, defect -1/2
    one = sympy.Integer(1)
    values = ((-one, one), sympy.Integer(3), one)
    enclosure = (sympy.Rational(-1, 2), sympy.Rational(-1, 2))
    assert kernel.counterexample.check_counterexample(net, {}, (u, v), 0, values, enclosure)
    with pytest.raises(CertificateError, match=r"f\(u\)"):
        kernel.counterexample.check_counterexample(net, {}, (u, v), 0, ((one, 2 * one), *values[1:]), enclosure)
    with pytest.raises(CertificateError, match=r"f\(v\)"):
        kernel.counterexample.check_counterexample(net, {}, (u, v), 0, (values[0], 4 * one, one), enclosure)


def test_renderings_show_the_enclosures() -> None:
    cx = symnet.refute(symnet.dense(2, [2] * 4, activation="tanh"))
    assert cx is not None
    text = " ".join(cx.to_text().split())
    assert "f_1(u) ∈ [" in text and "f_1(m) - (f_1(u) + f_1(v))/2 ∈ [" in text
    assert r"f_1(u) &\in [" in cx.to_latex() or r"f_1(u) & \in [" in cx.to_latex()
    assert "defect=in [" in repr(cx)


def test_a_polynomial_with_a_transcendental_coefficient_is_refuted_by_balls() -> None:
    """pi t^2 is a polynomial in t but not over QQ: its values are enclosed (refute used to fail an assertion)."""
    t = sympy.Symbol("t")
    cx = symnet.refute(symnet.dense(1, [1], activation=sympy.Lambda(t, sympy.pi * t**2)))
    assert cx is not None and not cx.is_exact_rational and kernel.check(cx.to_json())
    *values, defect = _truths(cx, "pi-square")
    assert all(_inside(x, stated) for x, stated in zip(values, cx.values, strict=True))
    assert _inside(defect, cx.enclosure)


def test_a_ball_of_astronomical_size_is_compared_not_written_as_a_rational() -> None:
    """exp(exp(25)) is about 2**(1.5e11): its ball's ends as rationals would take gigabytes.  The check compares
    balls and refuses the false claim at once; refute skips such points and finds tame ones."""
    t = sympy.Symbol("t")
    exp = symnet.Activation(None, sympy.Lambda(t, sympy.exp(t)))
    net = symnet.Network.from_matrices([[[1]], [[1]], [[1]]], [[0], [0], [0]], exp)
    R = sympy.Rational
    with pytest.raises(CertificateError, match=r"f\(u\)"):
        kernel.counterexample.check_counterexample(net, {}, ((R(25),), (R(24),)), 0, ((R(0), R(1)),) * 3, (R(1), R(2)))
    steep = symnet.Network.from_matrices([[[30]], [[1]], [[1]]], [[0], [0], [0]], exp)
    cx = symnet.refute(steep)
    assert cx is not None and kernel.check(cx.to_json())
    with mpmath.workdps(60):
        u, v = (_mp(p[0]) for p in cx.points)
        f = [mpmath.exp(mpmath.exp(30 * x)) for x in (u, v, (u + v) / 2)]
        assert _inside(f[2] - (f[0] + f[1]) / 2, cx.enclosure)
