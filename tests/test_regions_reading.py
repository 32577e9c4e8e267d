"""Reading a regions document: refused as early as its own statements allow, legit documents still read.

The reader refuses two regions stating one pattern and more regions than the
network can have (:func:`symnet.certificate.documents.most_regions`) before it
decodes any region; the bound is checked here against hand counts and against
what the regions search finds.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

import symnet
from symnet import CertificateError, Network, certificate, kernel
from symnet.certificate.documents import MAX_DOCUMENT_REGIONS, most_regions
from symnet.certificate.numbers import decode_q, decode_qs
from symnet.kernel.gate import gate_network
from tests.budget import examples

N = Network.from_matrices
_JUNK = {"matrix": "junk", "offset": 7, "interior_point": None, "inequalities": {}, "facets": 1, "implied": 2}


def _one_input(units: list[tuple[int, int]], box: list[tuple[int, int]] | None = None) -> dict[str, Any]:
    """The regions document of y = sum relu(w x + b) over one input."""
    net = N([[[w] for w, _ in units], [[1] * len(units)]], [[b for _, b in units], [0]], activation="relu")
    return dict(json.loads(symnet.regions(net, box=box).to_json()))


def _refused(doc: dict[str, Any], match: str, rule: str | None = None) -> None:
    for read in (certificate.read, kernel.check, symnet.Regions.from_json):
        with pytest.raises(CertificateError, match=match) as info:
            read(json.dumps(doc))
        assert info.value.rule == rule, str(info.value)


@pytest.mark.parametrize(
    ("widths", "p", "units", "most"),
    [
        ([3], 2, 3, 7),  # three lines in the plane: 1 + 3 + 3 (Zaslavsky)
        ([3], 2, 2, 4),  # two kink units: at most 2**2 patterns
        ([1], 1, 1, 2),  # one kink on a line
        ([100], 1, 100, 101),  # 100 points cut a line into 101 pieces
        ([2, 2], 1, 4, 9),  # each of the 3 pieces of the first layer cut into at most 3
        ([5], 10, 5, 32),  # more inputs than units: every pattern, 2**5
        ([], 3, 0, 1),  # no hidden layer: the domain is one region
        ([10**6], 5, 10**6, MAX_DOCUMENT_REGIONS + 1),  # capped just past the document limit
        ([30, 30, 30], 30, 90, MAX_DOCUMENT_REGIONS + 1),
    ],
)
def test_most_regions_by_hand(widths: list[int], p: int, units: int, most: int) -> None:
    """The bound on hand examples (sums of binomials worked out by hand), capped past the document limit."""
    assert most_regions(widths, p, units) == most


@settings(max_examples=examples(20), deadline=None)
@given(
    st.integers(1, 3),
    st.lists(st.integers(1, 3), min_size=1, max_size=2),
    st.randoms(use_true_random=False),
)
def test_the_search_never_finds_more_regions_than_the_bound(p: int, hidden: list[int], rnd: Any) -> None:
    """Every network's regions (found by the search, whole space and a box) are within the bound."""
    sizes = [p, *hidden, 1]
    ws = [[[rnd.randint(-3, 3) for _ in range(a)] for _ in range(b)] for a, b in zip(sizes, sizes[1:], strict=False)]
    bs = [[rnd.randint(-3, 3) for _ in range(b)] for b in sizes[1:]]
    net = N(ws, bs, activation="relu")
    for box in (None, [(-1, 1)] * p):
        doc = json.loads(symnet.regions(net, box=box).to_json())
        assert len(doc["regions"]) <= most_regions(hidden, p, doc["units"])
        assert kernel.check(json.dumps(doc))


def test_a_line_cut_at_every_unit_is_accepted_at_the_bound() -> None:
    """n relu units with distinct breakpoints on one input: n + 1 regions, exactly the bound, accepted."""
    units = [(1, -k) for k in range(29)]
    doc = _one_input(units)
    assert len(doc["regions"]) == 30 == most_regions([29], 1, doc["units"])
    assert kernel.check(json.dumps(doc))


def test_three_lines_in_the_plane_are_accepted_at_the_bound() -> None:
    """Three lines in general position: 7 regions, the bound."""
    net = N([[[1, 0], [0, 1], [1, 1]], [[1, 1, 1]]], [[0, 0, -1], [0]], activation="relu")
    doc = json.loads(symnet.regions(net).to_json())
    assert len(doc["regions"]) == 7 == most_regions([3], 2, 3)
    assert kernel.check(json.dumps(doc))


def test_more_regions_than_the_network_has_are_refused_before_any_is_read() -> None:
    """Two units on a line give at most 3 regions; a fourth (distinct pattern, junk body) is refused by count."""
    doc = _one_input([(1, 0), (1, -1)])
    assert len(doc["regions"]) == 3
    patterns = {r["pattern"] for r in doc["regions"]}
    extra = next(p for p in ("00", "01", "10", "11") if p not in patterns)
    doc["regions"].append({"pattern": extra, **_JUNK})
    _refused(doc, "4 regions, but this network has at most 3 over 1 inputs")


def test_a_repeated_pattern_is_refused_before_any_region_is_read() -> None:
    """Two regions with one pattern: rule 'distinct', whatever the (junk) bodies hold."""
    doc = _one_input([(1, 0), (1, -1)], box=[(-2, 2)])
    doc["regions"][2] = {"pattern": doc["regions"][0]["pattern"], **_JUNK}
    _refused(doc, "its pattern repeats region 0", "distinct")
    doc["regions"] = [doc["regions"][0]] * 20_000  # the crafted document's class (200,000 in bench_crafted.py)
    text = json.dumps(doc)
    for read in (certificate.read, kernel.check):
        with pytest.raises(CertificateError, match="its pattern repeats region 0") as info:
            read(text)
        assert info.value.rule == "distinct"


def test_tampered_regions_are_still_refused_after_the_early_checks() -> None:
    """Within the bound and distinct, a wrong offset, a flipped pattern or a dropped region is still refused."""
    doc = _one_input([(1, 0), (1, -1), (2, -3)], box=[(-2, 3)])
    assert kernel.check(json.dumps(doc))
    wrong = copy.deepcopy(doc)
    wrong["regions"][1]["offset"] = ["5"]
    _refused_by_check(wrong, "region_form")
    for r in range(len(doc["regions"])):  # a flipped bit: a repeated pattern or a form that is not the pattern's
        flipped = copy.deepcopy(doc)
        pattern = flipped["regions"][r]["pattern"]
        flipped["regions"][r]["pattern"] = str(1 - int(pattern[0])) + pattern[1:]
        _refused_by_check(flipped)
    dropped = copy.deepcopy(doc)
    del dropped["regions"][-1]
    for reg in dropped["regions"]:
        for f in reg["facets"]:
            if f[1] == len(dropped["regions"]):
                f[1] = None
    _refused_by_check(dropped)


def _refused_by_check(doc: dict[str, Any], rule: str | None = None) -> None:
    with pytest.raises(CertificateError) as info:
        kernel.check(json.dumps(doc))
    if rule is not None:
        assert info.value.rule == rule, str(info.value)


def test_reading_many_distinct_regions_gates_the_network_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """16 legit regions (15 kinks on a line) are read with the network gated at most once."""
    text = json.dumps(_one_input([(1, -k) for k in range(15)]))
    calls = []

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return gate_network(*args, **kwargs)

    monkeypatch.setattr("symnet.kernel.regions_cert.gate_network", counting)
    regs = symnet.Regions.from_json(text)
    assert len(regs) == 16
    assert len(calls) <= 1, f"the network was gated {len(calls)} times for 16 regions"


@pytest.mark.parametrize("text", ["+1", " 1", "1 ", "1_0", "\u0663", "1/0", "1/-2", "0x1", "1.5", "", "-", "1/"])
def test_malformed_rationals_are_refused_cached_or_not(text: str) -> None:
    """The codec's short-text cache changes nothing: each malformed text is refused every time, in a list too."""
    for _ in range(2):
        with pytest.raises(CertificateError):
            decode_q(text, "w")
        with pytest.raises(CertificateError, match=r"w\[1\]"):
            decode_qs(["1", text], 2, "w")


def test_a_cached_number_is_still_held_to_the_bit_limit() -> None:
    """A text read once without a bit limit is refused when read again under one."""
    text = str(2**40)
    assert decode_q(text, "w") == 2**40
    with pytest.raises(CertificateError, match="more than 20 bits"):
        decode_q(text, "w", bits=20)
    assert decode_q("6/4", "w") == fmpq(3, 2)
    assert decode_q("-0", "w") == 0
