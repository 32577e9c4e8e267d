"""The regions checker (symnet.kernel.regions_cert): tampered or malformed documents are rejected."""

import copy
import json

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import symnet
from symnet import CertificateError, Network, kernel
from tests.budget import examples

N = Network.from_matrices


def _doc(box=None):
    net = N([[[1, 0], [0, 1], [1, 1]], [[1, 1, 1]]], [[0, 0, -1], [0]], activation="relu")
    return json.loads(symnet.regions(net, box=box).to_json())


def _deep_doc():
    net = N([[[1, 0], [0, 1]], [[1, -1], [1, 1]], [[1, 2]]], [[0, 0], [-1, 0], [0]], activation="relu")
    return json.loads(symnet.regions(net, box=[(-2, 2), (-2, 2)]).to_json())


def _rejects(doc, rule=None):
    with pytest.raises(CertificateError) as info:
        kernel.check(json.dumps(doc))
    if rule is not None:
        assert info.value.rule == rule, str(info.value)
    return info.value


def test_untampered_documents_check():
    for doc in (_doc(), _doc([(-2, 2), (-2, 2)]), _deep_doc()):
        assert kernel.check(json.dumps(doc))
        assert kernel.check(json.dumps(doc).encode())


def _index_of(doc, pattern):
    return next(i for i, r in enumerate(doc["regions"]) if r["pattern"] == pattern)


def _drop(doc, index, *, repoint=None):
    """Remove region ``index``; facets that named it name ``repoint`` (or lose the neighbour); indices shift."""
    out = copy.deepcopy(doc)
    del out["regions"][index]
    for reg in out["regions"]:
        for f in reg["facets"]:
            if f[1] == index:
                f[1] = repoint
            elif f[1] is not None and f[1] > index:
                f[1] -= 1
    return out


def test_a_dropped_region_is_rejected():
    """Dropping a region leaves a facet with no region across it."""
    doc = _doc()
    gone = _index_of(doc, "111")
    _rejects(_drop(doc, gone, repoint=None), "domain_boundary")
    _rejects(_drop(doc, gone, repoint=0 if gone else 1))


def test_a_dropped_region_with_its_facets_removed_is_rejected():
    """Hiding the facets that face the dropped region does not help: those rows are neither facets nor implied."""
    doc = _doc([(-2, 2), (-2, 2)])
    gone = _index_of(doc, "111")
    out = _drop(doc, gone)
    for reg in out["regions"]:
        keep = [k for k, f in enumerate(reg["facets"]) if not (f[1] is None and f[0] >= 4)]  # rows 0-3: the box
        reg["inequalities"] = [reg["inequalities"][k] for k in keep]
        reg["facets"] = [reg["facets"][k] for k in keep]
    _rejects(out, "implied_row")


def test_a_wrong_form_is_rejected():
    doc = _doc()
    doc["regions"][2]["offset"] = ["5"]
    _rejects(doc, "region_form")
    doc = _doc()
    doc["regions"][2]["matrix"][0][0] = "7/3"
    _rejects(doc, "region_form")


def test_a_wrong_interior_point_is_rejected():
    doc = _doc()
    r = doc["regions"][0]
    r["interior_point"] = ["1000", "-1000"]
    _rejects(doc, "interior_point")


def test_an_interior_point_on_the_boundary_is_rejected():
    doc = _doc()
    r = doc["regions"][_index_of(doc, "110")]
    r["interior_point"] = ["0", "1/2"]  # on x_1 = 0, a facet of the region
    _rejects(doc, "interior_point")


def test_a_missing_neighbour_is_rejected():
    doc = _doc()
    for reg in doc["regions"]:
        for f in reg["facets"]:
            if f[1] is not None:
                f[1] = None
                _rejects(doc, "domain_boundary")
                return
    raise AssertionError("no interior facet found")


def test_a_wrong_neighbour_is_rejected():
    doc = _doc()
    reg = doc["regions"][0]
    f = next(f for f in reg["facets"] if f[1] is not None)
    f[1] = next(i for i in range(1, len(doc["regions"])) if i != f[1])
    _rejects(doc, "neighbour")


def test_a_moved_witness_is_rejected():
    doc = _doc()
    f = doc["regions"][0]["facets"][0]
    f[2] = ["123", "456"]
    _rejects(doc, "facet")


def test_a_dropped_facet_is_rejected():
    doc = _doc()
    reg = doc["regions"][0]
    reg["facets"].pop()
    reg["inequalities"].pop()
    _rejects(doc, "implied_row")


def test_wrong_multipliers_are_rejected():
    doc = _doc([(-2, 2), (-2, 2)])
    for reg in doc["regions"]:
        for _row, lam in reg["implied"]:
            if lam:
                lam[0][1] = "-1" if lam[0][1] != "-1" else "2"
                _rejects(doc, "implied_row")
                return
    raise AssertionError("no implied row with multipliers")


def test_a_duplicated_region_is_rejected():
    doc = _doc()
    doc["regions"].append(copy.deepcopy(doc["regions"][0]))
    _rejects(doc, "distinct")


def test_a_different_network_is_rejected():
    doc = _doc()
    net = N([[[1, 0], [0, 1], [1, 1]], [[1, 1, 2]]], [[0, 0, -1], [0]], activation="relu")
    other = json.loads(symnet.regions(net).to_json())
    doc["network"], doc["expressions"] = other["network"], other["expressions"]
    _rejects(doc, "region_form")


def test_the_deep_network_tampered_is_rejected():
    doc = _deep_doc()
    doc["regions"][-1]["offset"] = ["-1/7"]
    _rejects(doc, "region_form")


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.update(format="symnet-certificate"),
        lambda d: d.update(version=2),
        lambda d: d.update(units=-1),
        lambda d: d.update(regions=[]),
        lambda d: d.update(domain={"kind": "ball"}),
        lambda d: d.update(extra=1),
        lambda d: d["regions"][0].update(pattern="01"),
        lambda d: d["regions"][0].update(pattern="0a1"),
        lambda d: d["regions"][0].update(interior_point=["1/0", "0"]),
        lambda d: d["regions"][0].update(interior_point=["1.5", "0"]),
        lambda d: d["regions"][0].update(interior_point=["__import__('os')", "0"]),
        lambda d: d["regions"][0]["facets"][0].__setitem__(1, 999),
        lambda d: d["regions"][0]["facets"][0].__setitem__(0, True),
        lambda d: d["regions"][0].pop("implied"),
    ],
)
def test_malformed_documents_are_rejected(edit):
    doc = _doc()
    edit(doc)
    with pytest.raises(CertificateError):
        kernel.check(json.dumps(doc))


@pytest.mark.parametrize("text", ["", "not json", "[]", "{}", b"\xff\xfe"])
def test_garbage_is_rejected(text):
    with pytest.raises(CertificateError):
        kernel.check(text)


def test_a_tampered_affine_claim_is_rejected():
    net = N([[[1], [-1]], [[1, -1]]], [[0, 0], [0]], activation="relu")
    doc = json.loads(symnet.decide(net).to_json())
    assert kernel.check(json.dumps(doc))
    doc["claim"]["matrix"] = [["2"]]
    _rejects(doc, "affine_on_domain")


@settings(max_examples=examples(15))
@given(
    st.lists(st.tuples(st.integers(-3, 3), st.integers(-3, 3), st.integers(-3, 3)), min_size=2, max_size=4),
    st.integers(0, 10**6),
    st.booleans(),
)
def test_dropping_any_region_is_rejected(rows, pick, boxed):
    """Whatever region is removed (its neighbours' links cut or re-pointed), the checker refuses the cover."""
    net = N([[[a, b] for a, b, _ in rows], [[1] * len(rows)]], [[c for _, _, c in rows], [0]], activation="relu")
    doc = json.loads(symnet.regions(net, box=[(-2, 2), (-2, 2)] if boxed else None).to_json())
    assume(len(doc["regions"]) >= 2)
    gone = pick % len(doc["regions"])
    for repoint in (None, 0 if gone else 1):
        out = _drop(doc, gone, repoint=repoint if repoint is None else min(repoint, len(doc["regions"]) - 2))
        with pytest.raises(CertificateError):
            kernel.check(json.dumps(out))
