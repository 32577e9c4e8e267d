"""degree: exact degree in x of polynomial networks, with an independently checked certificate."""

import copy
import json

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import symnet
from symnet import ActivationError, CertificateError, Network, degree
from tests.budget import examples

t = sympy.Symbol("t")
N = Network.from_matrices


def _sympy_degree(net):
    """Second route: expand the output with sympy and read the total degree in x."""
    out = []
    for e in net.output:
        poly = sympy.Poly(sympy.expand(e), *net.inputs)
        out.append(None if poly.is_zero else poly.total_degree())
    return tuple(out)


@pytest.mark.parametrize(
    "activation, hidden, expected",
    [
        ("identity", [2, 2], 1),
        ("square", [2], 2),
        ("square", [2, 2], 4),
        ("square", [1, 1, 1], 8),
        ("cube", [2], 3),
        ("cube", [1, 1], 9),
        (["square", "cube"], [1, 2], 6),
        (sympy.Lambda(t, sympy.Symbol("a") * t**2 + t), [2, 1], 4),
        (sympy.Lambda(t, t**3 - t), [2], 3),
    ],
)
def test_symbolic_degree_is_product_of_activation_degrees(activation, hidden, expected):
    """Fully symbolic weights: the degree is the product of the activations' degrees along the depth."""
    d = degree(symnet.dense(2, hidden, activation=activation))
    assert d.degree == expected
    assert d.check()
    assert d.is_linear is (expected <= 1)


def test_matches_sympy_expansion_on_symbolic_net():
    net = symnet.dense(2, [2, 1], outputs=2, activation="square")
    assert degree(net).degrees == _sympy_degree(net)


@settings(max_examples=examples(30))
@given(
    st.lists(st.lists(st.integers(-2, 2), min_size=2, max_size=2), min_size=2, max_size=2),
    st.lists(st.integers(-2, 2), min_size=2, max_size=2),
    st.lists(st.integers(-2, 2), min_size=2, max_size=2),
    st.sampled_from(["square", "cube", "identity"]),
)
def test_numeric_degree_matches_expansion(w1, b1, c, activation):
    """Numeric weights (zeros and cancellations included): the proved degree is sympy's expanded degree."""
    net = N([w1, [c]], [b1, [0]], activation=activation)
    d = degree(net)
    assert d.degrees == _sympy_degree(net)
    assert d.check()


def test_cancellation_uses_expansion():
    """(x+1)^2 - (x-1)^2 = 4x: the bound says 2, the expansion proves 1."""
    d = degree(N([[[1], [1]], [[1, -1]]], [[1, -1], [0]], activation="square"))
    assert d.degrees == (1,)
    assert d.certificate["routes"] == ["expand_degree"]
    assert d.check()


def test_zero_output():
    d = degree(N([[[1], [1]], [[1, -1]]], [[0, 0], [0]], activation="square"))
    assert d.degrees == (None,) and d.degree is None and d.is_linear
    assert d.check()


def test_non_polynomial_activation_is_refused():
    with pytest.raises(ActivationError, match="polynomial"):
        degree(symnet.dense(1, [1], activation="relu"))
    with pytest.raises(symnet.InvalidType):
        degree("square")


def test_size_guard(monkeypatch):
    import sys

    monkeypatch.setattr(sys.modules["symnet.search.degree"], "MAX_DEGREE", 10)
    with pytest.raises(symnet.SizeGuardError) as info:
        degree(symnet.dense(1, [1, 1, 1, 1], activation="square"))
    assert info.value.estimate == 16


@pytest.mark.parametrize(
    "edit",
    [
        lambda c: c["degrees"].__setitem__(0, 3),
        lambda c: c["degrees"].__setitem__(0, 5),
        lambda c: c["witnesses"][0].__setitem__("coefficient", "12345"),
        lambda c: c["witnesses"][0].__setitem__("coefficient", "0"),
        lambda c: c["witnesses"][0].__setitem__("direction", ["0", "0"]),
        lambda c: c["witnesses"][0]["weights"].popitem(),
        lambda c: c["routes"].__setitem__(0, "trust_me"),
        lambda c: c["witnesses"].__setitem__(0, None),
        lambda c: c.pop("degrees"),
    ],
)
def test_tampered_certificate_is_rejected(edit):
    d = degree(symnet.dense(2, [2, 2], activation="square"))
    cert = copy.deepcopy(d.certificate)
    edit(cert)
    bad = symnet.Degree(d.network, d.degrees, cert)
    with pytest.raises(CertificateError):
        bad.check()


def test_certificate_is_plain_json_data():
    d = degree(symnet.dense(2, [2], activation="cube"))
    assert json.loads(json.dumps(d.certificate)) == d.certificate
    assert json.loads(d.to_json())["degrees"] == [3]
    assert "degree 3" in d.to_text()
