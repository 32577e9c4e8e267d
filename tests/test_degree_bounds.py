"""The degree document's layer-wise bounds: informational, but a stated table must be the network's own."""

from __future__ import annotations

import functools
import json

import pytest

import symnet
from symnet.errors import CertificateError
from symnet.kernel import check


@functools.cache
def _text() -> str:
    return symnet.degree(symnet.dense(2, [2, 2], activation="square")).to_json()


def _document() -> dict:
    return json.loads(_text())


def test_the_stated_bounds_are_the_hand_derived_ones() -> None:
    """square after square: degree 2 in the first hidden layer, 4 in the second, 4 at the linear output."""
    doc = _document()
    assert doc["bounds"] == [[2, 2], [4, 4], [4]]
    assert check(json.dumps(doc)) is True


@pytest.mark.parametrize(
    "bounds", [[[2, 2], [4, 3], [4]], [[2, 2], [4, 4], [5]], [[2, 2], [4, 4]], [[1, 2], [4, 4], [4]]]
)
def test_tampered_bounds_are_rejected(bounds: list) -> None:
    doc = _document()
    doc["bounds"] = bounds
    with pytest.raises(CertificateError, match="layer-wise degree bounds"):
        check(json.dumps(doc))


def test_absent_bounds_are_not_required() -> None:
    doc = _document()
    del doc["bounds"]
    assert check(json.dumps(doc)) is True
