"""Numbers past Python's 4,300-digit ``int``/``str`` limit: symnet writes every number its readers read back.

Python refuses to convert an int of more than 4,300 decimal digits to or from text
(``sys.get_int_max_str_digits``), while a document may hold integers of up to
:data:`~symnet.certificate.numbers.MAX_NODE_DIGITS` digits in its expression nodes and numerators and
denominators of up to :data:`~symnet.certificate.numbers.MAX_DIGITS` digits in its ``"p/q"`` strings.  The
expected values below are built by arithmetic (``10**k + 7``), never by parsing the text under test.
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
import sympy
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

import symnet
from symnet import certificate, kernel
from symnet.certificate.expressions import ExpressionReader
from symnet.certificate.numbers import MAX_DIGITS, MAX_FLOAT_PRECISION, MAX_NODE_DIGITS, decode_q
from symnet.certificate.writing import ExpressionWriter, encode_q
from symnet.errors import CertificateError, SizeGuardError


def _network(weight: sympy.Rational) -> symnet.Network:
    return symnet.Network.from_matrices([[[weight]]], [[sympy.Rational(1, 3)]])


@pytest.mark.parametrize("digits", [4_301, 5_000, MAX_NODE_DIGITS])
def test_a_proof_with_a_weight_past_pythons_limit_is_written_read_and_checked(digits):
    weight = sympy.Integer(10) ** (digits - 1) + 7  # exactly `digits` digits
    proof = symnet.prove(_network(weight))
    text = proof.to_json()  # raised ValueError (Python's str limit) before
    doc = certificate.read(text)
    assert kernel.check(doc) is True
    assert doc.claim.matrix is not None
    (entry,) = [int(v.p) for v in doc.network.layers[0].stored_weights.entries()]
    assert entry == int(weight)


def test_a_denominator_past_pythons_limit_round_trips():
    weight = sympy.Rational(1, sympy.Integer(10) ** 4_999 + 7)  # a 5,000-digit denominator
    text = symnet.prove(_network(weight)).to_json()
    doc = certificate.read(text)
    assert kernel.check(doc) is True
    (entry,) = doc.network.layers[0].stored_weights.entries()
    assert entry == fmpq(1, 10**4_999 + 7)


def test_a_number_no_reader_reads_back_is_refused_when_written():
    weight = sympy.Integer(10) ** MAX_NODE_DIGITS + 7  # one digit past the node limit
    proof = symnet.prove(_network(weight))
    assert proof.check()
    with pytest.raises(SizeGuardError) as caught:
        proof.to_json()
    assert caught.value.limit == MAX_NODE_DIGITS and caught.value.estimate == MAX_NODE_DIGITS + 1


def test_a_node_past_the_limit_is_refused_by_the_reader():
    text = symnet.prove(_network(sympy.Integer(5))).to_json()
    data = json.loads(text)
    for node in data["expressions"]:
        if node == ["int", "5"]:
            node[1] = "1" * (MAX_NODE_DIGITS + 1)
    with pytest.raises(CertificateError, match="not a decimal integer"):
        certificate.read(json.dumps(data))


@pytest.mark.parametrize("digits", [4_301, 12_000, MAX_DIGITS])
def test_the_rational_codec_reads_and_writes_past_pythons_limit(digits):
    p, q = -(10 ** (digits - 1) + 7), 10 ** (digits - 1) + 9  # coprime: q - |p| = 2 and both are odd
    value = fmpq(p, q)
    text = encode_q(value)
    assert len(text) == 2 * digits + 2  # the sign, p's digits, "/", q's digits
    assert decode_q(text, "x") == value
    assert encode_q(10 ** (digits - 1)) == "1" + "0" * (digits - 1)


def test_the_rational_codec_refuses_to_write_what_it_would_not_read():
    with pytest.raises(SizeGuardError):
        encode_q(fmpq(1, 10**MAX_DIGITS))
    with pytest.raises(CertificateError):
        decode_q("1/" + "1" * (MAX_DIGITS + 1), "x")


_LONG = st.builds(
    lambda digits, low, negative: (-1) ** negative * (10 ** (digits - 1) + low),
    st.integers(1, MAX_NODE_DIGITS),
    st.integers(0, 10**6),
    st.booleans(),
)


@given(numerator=_LONG, denominator=_LONG.map(abs).filter(lambda n: n > 0))
@settings(max_examples=25, deadline=None)
def test_any_rational_within_the_limits_survives_the_writer_and_the_reader(numerator, denominator):
    """The node table's writer and reader, and the "p/q" codec, give back every rational within the limits."""
    value = Fraction(numerator, denominator)
    writer = ExpressionWriter()
    ref = writer.ref(sympy.Rational(value.numerator, value.denominator))
    read = ExpressionReader(writer.nodes).ref(ref, "x")
    assert (int(read.p), int(read.q)) == (value.numerator, value.denominator)
    assert decode_q(encode_q(fmpq(value.numerator, value.denominator)), "x") == fmpq(value.numerator, value.denominator)


def test_a_float_past_the_readers_precision_is_refused_when_written():
    """A float node may state at most MAX_FLOAT_PRECISION bits; the writer refuses what the reader would."""
    at_limit = sympy.Float(sympy.Rational(1, 3), dps=3_000)  # about 9,970 bits: readable
    writer = ExpressionWriter()
    ref = writer.ref(at_limit)
    assert ExpressionReader(writer.nodes).ref(ref, "x", exact=True) == sympy.Rational(at_limit)
    for past in (sympy.Float(sympy.Rational(1, 3), dps=3_100), sympy.Float(0, dps=3_100)):
        with pytest.raises(SizeGuardError) as caught:
            ExpressionWriter().ref(past)
        assert caught.value.limit == MAX_FLOAT_PRECISION
