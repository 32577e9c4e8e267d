"""One reader, one kernel entry: every document kind, true and tampered, through the API and ``symnet check``.

For each format symnet writes, a genuine document and hand-tampered ones (a
wrong claim, a wrong witness, a moved domain, an old format name) go through
``symnet.kernel.check(symnet.certificate.read(text))`` and through ``symnet
check FILE`` in a subprocess; the two must agree (accepted / rejected /
malformed), and no tampered claim may be accepted.  The summary of each kind
is checked against facts computed by hand for the network.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

import symnet
from symnet import CertificateError, kernel
from symnet.certificate import (
    Certificate,
    CounterexampleDocument,
    DegreeDocument,
    RegionsDocument,
    read,
)
from symnet.certificate.writing import network_fingerprint
from symnet.model.generic import GenericCertificate
from symnet.search.regions import PiecewiseProof

ABS = symnet.Network.from_matrices(
    [[[1], [-1]], [[1, 1]]], [[0, 0], [0]], activation="relu"
)  # |x| = relu(x) + relu(-x)
RELU = symnet.Network.from_matrices([[[1]], [[1]]], [[0], [0]], activation="relu")  # relu(x)


def _linear() -> str:
    return symnet.prove(symnet.dense(2, [3])).to_json()


def _generic() -> str:
    return symnet.prove(symnet.dense("p", ["h"])).to_json()


def _counterexample() -> str:
    cx = symnet.refute(ABS)
    assert cx is not None
    return cx.to_json()


def _degree() -> str:
    return symnet.degree(symnet.dense(2, [2], activation="square")).to_json()


def _regions() -> str:
    return symnet.regions(ABS, [(-1, 2)]).to_json()


def _affine_on_box() -> str:
    return PiecewiseProof.from_regions(symnet.regions(RELU, [(0, 1)])).to_json()


def _bounds() -> str:
    return symnet.bound(ABS, [(-1, 2)]).to_json()


MAKERS: dict[str, Callable[[], str]] = {
    "linear": _linear,
    "generic": _generic,
    "counterexample": _counterexample,
    "degree": _degree,
    "regions": _regions,
    "affine-on-box": _affine_on_box,
    "bounds": _bounds,
}


def _node(doc: dict[str, Any], node: list[Any]) -> int:
    doc["expressions"].append(node)
    return len(doc["expressions"]) - 1


def _tamper(doc: dict[str, Any], how: Callable[[dict[str, Any]], None]) -> str:
    how(doc)
    return json.dumps(doc)


#: kind -> ways to make its document state something false (each must be rejected).
TAMPERS: dict[str, list[Callable[[dict[str, Any]], None]]] = {
    "linear": [
        lambda d: d["claim"]["offset"].__setitem__(0, _node(d, ["int", "7"])),
        lambda d: d["claim"]["matrix"][0].__setitem__(1, d["claim"]["matrix"][0][0]),
        lambda d: d["steps"].pop(1),
    ],
    "generic": [
        lambda d: d["claim"]["matrix"]["terms"][0].__setitem__(1, _node(d, ["int", "2"])),
        lambda d: d["claim"]["offset"]["terms"].pop(0),
    ],
    "counterexample": [
        lambda d: d["values"].__setitem__(2, _node(d, ["int", "5"])),
        lambda d: d.update(points=[["1"], ["3"]]),  # |x| is affine between 1 and 3: no defect there
        lambda d: d.update(layer=2),  # layer 1 (relu) is the first non-affine layer; layer 2 is the output
    ],
    "degree": [
        lambda d: d.update(degrees=[3]),
        lambda d: d["witnesses"][0].update(coefficient="12345"),
        lambda d: d.update(bounds=[[2, 3], [2]]),  # unit 2 of layer 1 squares an affine form: degree 2, not 3
    ],
    "regions": [
        lambda d: d["regions"][0].update(offset=["1"]),
        lambda d: d.update(domain={"kind": "box", "box": [["-5", "2"]]}),  # the regions do not cover the wider box
        lambda d: d["regions"].pop(),
    ],
    "affine-on-box": [
        lambda d: d["claim"].update(matrix=[["5"]]),  # the false W* = 5 must be checked, never rebuilt
        lambda d: d.update(domain={"kind": "box", "box": [["-1", "1"]]}),  # relu is not x on [-1, 1]
    ],
    "bounds": [
        lambda d: d["claim"]["bounds"][0].update(value="1"),  # |x| <= 1 is false on [-1, 2]
        lambda d: d["claim"]["bounds"][1].update(value="-1", point=["0"]),  # the minimum is 0, attained at 0, not -1
    ],
}


@pytest.fixture(scope="module")
def documents() -> dict[str, str]:
    return {kind: make() for kind, make in MAKERS.items()}


def api(text: str) -> str:
    """accepted | rejected | malformed, by the one reader and the one kernel entry."""
    try:
        doc = read(text)
    except CertificateError:
        return "malformed"
    try:
        assert kernel.check(doc) is True
    except CertificateError:
        return "rejected"
    return "accepted"


def cli(text: str, tmp_path: Any, name: str = "doc.json") -> tuple[str, subprocess.CompletedProcess[str]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "symnet", "check", str(path)], capture_output=True, text=True)
    assert "Traceback" not in r.stderr
    return {0: "accepted", 1: "rejected", 2: "malformed"}[r.returncode], r


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_genuine_documents_read_and_check(documents, kind):
    """Every document symnet writes is read into its kind and accepted by kernel.check (document and text alike)."""
    text = documents[kind]
    doc = read(text)
    expected = {
        "linear": Certificate,
        "generic": GenericCertificate,
        "counterexample": CounterexampleDocument,
        "degree": DegreeDocument,
    }
    assert isinstance(doc, expected.get(kind, RegionsDocument))
    assert kernel.check(doc) is True
    assert kernel.check(text) is True


def test_documents_carry_the_domain_and_every_claim(documents):
    """Nothing stated is dropped: the box, the affine claim and every bound are in the document object as written."""
    doc = read(documents["affine-on-box"])
    assert doc.domain == {"kind": "box", "box": [["0", "1"]]}
    assert doc.domain_rows == [[0, 1], [1, -1]]  # x - 0 >= 0 and 1 - x >= 0
    assert doc.claim is not None and doc.claim[0] == "affine" and doc.claim[1] == [[1]] and doc.claim[2] == [0]
    bounds = read(documents["bounds"]).claim
    assert bounds is not None and bounds[0] == "bounds"
    # |x| on [-1, 2]: maximum 2 at x = 2, minimum 0 at x = 0 (by hand)
    assert [(b.output, b.sense, b.value, b.point) for b in bounds[1]] == [(0, "<=", 2, [2]), (0, ">=", 0, [0])]


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(TAMPERS))
def test_tampered_documents_are_refused_by_both_entries(documents, kind, tmp_path):
    """A false claim is refused by kernel.check(read(text)) and by ``symnet check``, for the same reason class."""
    for n, how in enumerate(TAMPERS[kind]):
        text = _tamper(json.loads(documents[kind]), how)
        verdict = api(text)
        assert verdict != "accepted", (kind, n)
        assert cli(text, tmp_path, f"{kind}-{n}.json")[0] == verdict, (kind, n)


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_both_entries_accept_the_genuine_document(documents, kind, tmp_path):
    assert api(documents[kind]) == "accepted"
    assert cli(documents[kind], tmp_path)[0] == "accepted"


@pytest.mark.parametrize(
    "old, new", [("symnet-certificate", "symnet.linear"), ("symnet-generic-certificate", "symnet.generic")]
)
def test_old_format_names_still_read(documents, old, new):
    kind = "linear" if new == "symnet.linear" else "generic"
    data = json.loads(documents[kind])
    assert data["format"] in (old, new)
    data["format"] = old
    assert kernel.check(read(json.dumps(data))) is True


@pytest.mark.parametrize(
    "text",
    [
        '{"format": "symnet.nonsense", "version": 1}',
        '{"format": ["symnet.linear"]}',
        "[]",
        '{"format": "symnet.regions"}',
        "not json",
    ],
)
def test_malformed_documents_are_typed_errors(text, tmp_path):
    with pytest.raises(CertificateError):
        read(text)
    with pytest.raises(CertificateError):
        kernel.check(text)


def test_kernel_check_refuses_what_is_not_a_document():
    with pytest.raises(CertificateError, match="expected a symnet document"):
        kernel.check({"format": "symnet.linear"})
    with pytest.raises(CertificateError, match="linear certificates only"):
        kernel.check(read(_degree()), limit=3)


# ------------------------------------------------------------------ summaries
def summary_of(text: str, tmp_path: Any) -> str:
    verdict, r = cli(text, tmp_path)
    assert verdict == "accepted", r.stderr
    return r.stdout


@pytest.mark.slow
def test_summary_of_a_bound_certificate_states_domain_output_direction_threshold(documents, tmp_path):
    out = summary_of(documents["bounds"], tmp_path)
    assert "the box [-1, 2]" in out
    assert "output 0 <= 2, attained at (2)" in out and "output 0 >= 0, attained at (0)" in out
    assert "architecture 1 -> 2 -> 1" in out and "layer 1: t -> Max(0, t)" in out
    assert f"fingerprint {network_fingerprint(ABS)}" in out


@pytest.mark.slow
def test_summary_of_an_affine_claim_on_a_box_names_the_box(documents, tmp_path):
    out = summary_of(documents["affine-on-box"], tmp_path)
    assert "the box [0, 1]" in out and "affine claim holds" in out and "on the whole domain" in out
    assert "architecture 1 -> 1 -> 1" in out and f"fingerprint {network_fingerprint(RELU)}" in out


@pytest.mark.slow
@pytest.mark.parametrize(
    "kind, words",
    [
        ("linear", ["certificate checked", "all inputs", "shape 1 x 2", "architecture 2 -> 3 -> 1", "layer 1: t -> t"]),
        ("generic", ["generic certificate checked", "all inputs", "architecture p -> h -> 1", "layer 1: t -> t"]),
        ("counterexample", ["output 0 at u = (-1), v = (1)", "in [-1, -1]", "architecture 1 -> 2 -> 1", "Max(0, t)"]),
        ("degree", ["degrees [2]", "output 0: 2 (bound_degree)", "architecture 2 -> 2 -> 1", "layer 1: t -> t**2"]),
        ("regions", ["2 regions cover the box [-1, 2]", "architecture 1 -> 2 -> 1"]),
    ],
)
def test_summary_of_every_kind(documents, kind, words, tmp_path):
    """Each summary says what was proved, on which domain, and names architecture, formulas and fingerprint."""
    out = summary_of(documents[kind], tmp_path)
    for w in words:
        assert w in out, (w, out)
    assert "fingerprint sha256:" in out
