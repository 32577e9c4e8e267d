"""The certificate format: round trips, determinism, and safe decoding."""

import json

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import symnet
from symnet import CertificateError, Network, Proof
from symnet.certificate import FORMAT, RULES, VERSION
from symnet.certificate.codec import loads
from symnet.certificate.writing import dumps

t = sympy.Symbol("t")


@given(
    p=st.integers(1, 3),
    hidden=st.lists(st.integers(1, 3), max_size=3),
    q=st.integers(1, 2),
    limit=st.sampled_from([3, 20_000]),
)
def test_round_trip_preserves_the_certificate(p, hidden, q, limit):
    """to_json -> from_json gives an equal certificate that checks, with identical bytes again."""
    proof = symnet.prove(symnet.dense(p, hidden, outputs=q), limit=limit)
    text = proof.to_json()
    loaded = Proof.from_json(text)
    assert loaded == proof
    assert loaded.to_json() == text
    assert loaded.check()


def test_header_and_rule_names():
    data = json.loads(symnet.prove(symnet.dense(2, [2])).to_json())
    assert data["format"] == FORMAT and data["version"] == VERSION
    assert {s["rule"] for s in data["steps"]} <= set(RULES)


def test_networks_with_every_entry_kind_round_trip():
    """Floats (exact bits), rationals, negative numbers, symbols and function activations survive."""
    a = sympy.Symbol("a")
    net = Network.from_matrices(
        [[[0.1, sympy.Rational(-2, 3)], [a, 2 * a + 1]], [[-5, 1e-300]]],
        [[0.0, -1], [sympy.Rational(7, 2)]],
        activation=sympy.Lambda(t, 3 * t - a),
    )
    cert = symnet.prove(net).certificate
    again = loads(dumps(cert))
    assert again.network == net
    assert again.network.layers[0].weights[0, 0] == sympy.Rational(*(0.1).as_integer_ratio())  # its binary value
    assert again == cert
    relu = symnet.dense(2, [2], activation="sigmoid")
    from symnet.certificate import Certificate, Claim, Step

    fake = Certificate(relu, (Step("conclude_linear_form"),), Claim("product", (1, 2), ("layerwise",)))
    assert loads(dumps(fake)).network == relu


def test_shared_subexpressions_are_written_once():
    data = json.loads(symnet.prove(symnet.dense(2, [2])).to_json())
    nodes = [json.dumps(n) for n in data["expressions"]]
    assert len(nodes) == len(set(nodes))


def test_decoding_never_evaluates_text():
    """A symbol name that looks like code stays a symbol name."""
    data = json.loads(symnet.prove(symnet.dense(1, [])).to_json())
    data["expressions"] = [
        ["sym", "__import__('os').system('false')"] if n == ["sym", "b_0"] else n for n in data["expressions"]
    ]
    with pytest.raises(CertificateError, match="not a symnet name"):  # refused at the boundary (symnet.names)
        Proof.from_json(json.dumps(data))


@pytest.mark.parametrize("value", [None, 3, ["a"], {"format": FORMAT}])
def test_loads_rejects_non_documents(value):
    with pytest.raises(CertificateError, match="malformed"):
        loads(json.dumps(value))
