"""The reader bounds the size of numbers before building any, and reads every float exactly."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
import sympy

import symnet
from symnet import CertificateError
from symnet.certificate import decode_q, read
from symnet.certificate.expressions import MAX_NODE_BITS, ExpressionReader
from symnet.certificate.writing import ExpressionWriter, encode_q


def test_a_power_of_a_power_is_refused_before_it_is_built():
    """10**10000 has 33,220 bits; raised to 10000 again it would have 3.3e8 bits, past the limit."""
    nodes = [["int", "10"], ["int", "10000"], ["pow", 0, 1], ["pow", 2, 1]]
    with pytest.raises(CertificateError, match="bits"):
        ExpressionReader(nodes)
    ExpressionReader(nodes[:3])  # one power alone is fine


def test_a_product_of_one_big_number_many_times_is_refused():
    """mul(a, a, ..., a) with a = 10**10000 (about 33,220 bits) 200 times: about 6.6e6 bits > 4e6."""
    nodes = [["int", "10"], ["int", "10000"], ["pow", 0, 1], ["mul", *([2] * 200)]]
    with pytest.raises(CertificateError, match="bits"):
        ExpressionReader(nodes)


def test_a_squaring_chain_is_refused():
    """x -> x**2 twenty-five times from 3: 2**25 * 1.6 bits, past the limit long before sympy squares anything."""
    nodes: list[list[object]] = [["int", "3"], ["int", "2"]]
    for k in range(25):
        nodes.append(["pow", len(nodes) - 1 if k else 0, 1])
    with pytest.raises(CertificateError, match="bits"):
        ExpressionReader(nodes)
    assert MAX_NODE_BITS == 4_000_000


def test_symbols_are_not_numbers():
    """A high power of a symbol builds no big number: x**4000 reads (the degree limit is 4096)."""
    r = ExpressionReader([["sym", "x"], ["int", "4000"], ["pow", 0, 1]])
    assert r.values[2] == sympy.Symbol("x") ** 4000


@pytest.mark.parametrize("value", [0.1, -2.5e-300, 1e300, 0.0, 3.0])
def test_floats_round_trip_exactly(value):
    """A float node is the float's exact binary value (Fraction(value) computes it independently)."""
    w = ExpressionWriter()
    w.ref(sympy.Float(value))
    back = ExpressionReader(w.nodes).values[0]
    exact = Fraction(value)
    assert back.is_Float and sympy.Rational(back) == sympy.Rational(exact.numerator, exact.denominator)


def test_a_non_canonical_float_is_refused():
    with pytest.raises(CertificateError, match="canonical"):
        ExpressionReader([["float", 0, "2", 0, 2, 53]])  # even mantissa


@pytest.mark.parametrize("text, value", [("3", Fraction(3)), ("-7/2", Fraction(-7, 2)), ("0/5", Fraction(0))])
def test_one_rational_codec(text, value):
    q = decode_q(text, "x")
    assert Fraction(int(q.p), int(q.q)) == value
    assert decode_q(encode_q(q), "x") == q


@pytest.mark.parametrize("text", ["1/0", "1.5", " 1", "+1", "1/-2", "9" * 20_001, 5, None])
def test_the_codec_refuses_anything_else(text):
    with pytest.raises(CertificateError):
        decode_q(text, "x")


def test_a_counterexample_with_a_huge_coordinate_is_malformed_not_slow():
    """Coordinates past 20,000 digits are refused by the one codec (the old counterexample codec stopped at 5,000)."""
    cx = symnet.refute(symnet.Network.from_matrices([[[1], [-1]], [[1, 1]]], [[0, 0], [0]], activation="relu"))
    assert cx is not None
    data = json.loads(cx.to_json())
    data["points"][0] = ["1" * 20_001]
    with pytest.raises(CertificateError, match="not a rational"):
        read(json.dumps(data))
