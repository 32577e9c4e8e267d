"""The readers' fast paths (issue 19, read8) read exactly what the slow paths read, and refuse what they refuse."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from flint import fmpq, fmpq_mat

import symnet
from symnet import CertificateError, certificate, kernel
from symnet.certificate.expressions import ExpressionReader, load_json


def _linear_doc() -> dict[str, Any]:
    net = symnet.Network.from_matrices([[[1, 2], [3, 4]], [[5, 6]]], [[0, 1], [2]])
    return dict(json.loads(symnet.prove(net).to_json()))


def test_an_untampered_linear_certificate_still_checks() -> None:
    assert kernel.check(json.dumps(_linear_doc()))


@pytest.mark.parametrize("ref", [True, False, -1, 10**6, 1.0, "0", None])
def test_a_weight_that_is_not_a_node_index_is_refused(ref: Any) -> None:
    """A boolean (equal to 0 or 1 as a dict key), a negative or past-the-end index, a float or a string: refused."""
    doc = _linear_doc()
    doc["network"]["layers"][0]["weights"][0][0] = ref
    with pytest.raises(CertificateError):
        certificate.read(json.dumps(doc))


def test_every_entry_form_reads_to_the_same_matrix() -> None:
    """Int, rat, float and a compound node that is a number: the fast path (int/rat only) and the slow one agree."""
    nodes = [["int", "3"], ["rat", "1", "3"], ["float", 0, "1", -1, 1, 53], ["add", 0, 1], ["sym", "a"]]
    dec = ExpressionReader(nodes)
    fast = dec.matrix([[0, 1]], "m")
    assert fast == fmpq_mat(1, 2, [3, fmpq(1, 3)])
    assert dec.matrix([[0, 2], [3, 1]], "m", exact=True) == fmpq_mat(2, 2, [3, fmpq(1, 2), fmpq(10, 3), fmpq(1, 3)])
    assert not isinstance(dec.matrix([[0, 2]], "m"), fmpq_mat)  # a float entry read inexactly stays a float
    assert not isinstance(dec.matrix([[0, 4]], "m"), fmpq_mat)  # a symbol: a sympy matrix
    with pytest.raises(CertificateError, match="not an earlier node"):
        dec.matrix([[0, 5]], "m")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('{"a": 1, "a": 1}', "a"),
        ('{"x": {"b": [1], "c": 2, "b": 3}}', "b"),
        ('[{"k": 1}, {"z": 0, "k": 1, "z": 2}]', "z"),
    ],
)
def test_a_repeated_key_is_refused_and_named(text: str, key: str) -> None:
    """Duplicate keys at any depth (found by one dict() per object now) are refused, naming the key."""
    with pytest.raises(CertificateError, match=f"the key '{key}' appears twice"):
        load_json(text)


def test_reading_leaves_the_cycle_collector_as_it_was() -> None:
    """The reader pauses the collector while it parses, and restores it, also when it refuses the document."""
    import gc

    assert gc.isenabled()
    certificate.read(json.dumps(_linear_doc()))
    assert gc.isenabled()
    bad = copy.deepcopy(_linear_doc())
    bad["network"]["layers"][0]["weights"][0][0] = -1
    with pytest.raises(CertificateError):
        certificate.read(json.dumps(bad))
    assert gc.isenabled()
    with pytest.raises(CertificateError):
        load_json('{"a": 1, "a": 2}')
    assert gc.isenabled()
    gc.disable()
    try:
        certificate.read(json.dumps(_linear_doc()))
        assert not gc.isenabled()  # a caller's paused collector stays paused
    finally:
        gc.enable()
