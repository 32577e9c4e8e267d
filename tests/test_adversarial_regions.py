"""The regions oracle against hand derivations, and the regions campaign.

tests/adversarial/regions_oracle.py decides regions documents without symnet's
checker (Fraction forward passes, pplpy polyhedra).  Here it is held to a
document written by hand for y = relu(x) + relu(x - 1) on [-1, 2] (regions
and forms derived by hand), to edits whose truth is known by hand, and to
every real document of the pool; then the campaign runs on regions documents
(real, tampered, junk): no false accepts, no tracebacks.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings

import symnet
from symnet import certificate, kernel
from symnet.errors import CertificateError
from symnet.kernel.gate import gate_network
from tests.adversarial import regions_strategies as R
from tests.adversarial.harness import classify, failures
from tests.adversarial.oracle import judge

# y = relu(x) + relu(x - 1) on [-1, 2], by hand: y = 0 on [-1, 0] (pattern 00), x on [0, 1] (10), 2x - 1 on [1, 2] (11).
# Max 3 at x = 2, min 0 on [-1, 0].  Rows are [const, coeff]: g(x) = const + coeff x >= 0.
_EXPRESSIONS = [["int", "1"], ["int", "0"], ["int", "-1"], ["sym", "t"], ["fn", "Max", 1, 3], ["sym", "y"]]
_NETWORK = {
    "inputs": ["x_1"],
    "layers": [
        {"weights": [[0], [0]], "biases": [1, 2], "activation": {"name": "relu", "variable": "t", "expr": 4}},
        {"weights": [[0, 0]], "biases": [1], "activation": {"name": "identity", "variable": "y", "expr": 5}},
    ],
}
_REGIONS = [
    {"pattern": "00", "matrix": [["0"]], "offset": ["0"], "interior_point": ["-1/2"],
     "inequalities": [["1", "1"], ["0", "-1"]], "facets": [], "implied": []},
    {"pattern": "10", "matrix": [["1"]], "offset": ["0"], "interior_point": ["1/2"],
     "inequalities": [["0", "1"], ["1", "-1"]], "facets": [], "implied": []},
    {"pattern": "11", "matrix": [["2"]], "offset": ["-1"], "interior_point": ["3/2"],
     "inequalities": [["-1", "1"], ["2", "-1"]], "facets": [], "implied": []},
]  # fmt: skip


def _doc(**changes: Any) -> dict[str, Any]:
    doc = {
        "format": "symnet.regions",
        "version": 1,
        "expressions": _EXPRESSIONS,
        "network": _NETWORK,
        "domain": {"kind": "box", "box": [["-1", "2"]]},
        "units": 2,
        "regions": _REGIONS,
        **changes,
    }
    return copy.deepcopy(doc)


def _kind(doc: dict[str, Any]) -> str:
    return judge(json.dumps(doc)).kind


def _bounds(value: str, sense: str = "<=", point: list[str] | None = None) -> dict[str, Any]:
    bound = {"output": 0, "sense": sense, "value": value, "point": point, "multipliers": [[], [], []]}
    return {"kind": "bounds", "bounds": [bound]}


def test_the_hand_document_is_true() -> None:
    assert _kind(_doc()) == "true"
    assert _kind(_doc(claim=_bounds("3", "<=", ["2"]))) == "true"
    assert _kind(_doc(claim=_bounds("0", ">=", ["-1"]))) == "true"
    assert _kind(_doc(claim=_bounds("7/2"))) == "true"  # loose, but true


def test_hand_tampered_documents_are_false() -> None:
    cases: list[dict[str, Any]] = []
    doc = _doc()
    doc["regions"].pop(1)  # [0, 1] is covered by no region
    cases.append(doc)
    doc = _doc()
    doc["regions"].append(copy.deepcopy(doc["regions"][0]))  # two regions overlap
    cases.append(doc)
    doc = _doc()
    doc["regions"][2]["matrix"] = [["2"]]
    doc["regions"][2]["offset"] = ["-1073741823/1073741824"]  # intercept off by 2^-30
    cases.append(doc)
    doc = _doc()
    doc["regions"][1]["inequalities"][1] = ["1099511627777/1099511627776", "-1"]  # x <= 1 + 2^-40: past the kink
    cases.append(doc)
    doc = _doc(domain={"kind": "box", "box": [["-1", "9/4"]]})  # the box widened: (2, 9/4] is in no region
    cases.append(doc)
    doc = _doc()
    doc["regions"][1]["pattern"] = "11"  # the pattern of [0, 1] is 10
    cases.append(doc)
    cases.append(_doc(claim=_bounds("2")))  # max is 3
    cases.append(_doc(claim=_bounds("3", "<=", ["3/2"])))  # y(3/2) = 2, not 3
    cases.append(_doc(claim=_bounds("1/1024", ">=")))  # min is 0
    cases.append(_doc(claim={"kind": "affine", "matrix": [["1"]], "offset": ["0"]}))  # not affine on the box
    doc = _doc()
    doc["network"]["layers"][0]["biases"] = [1, 0]  # weights changed afterwards: relu(x) + relu(x + 1)
    cases.append(doc)
    doc = _doc()
    doc["expressions"] = [*_EXPRESSIONS, ["fn", "Abs", 3]]
    doc["network"]["layers"][0]["activation"] = {"name": None, "variable": "t", "expr": 6}  # abs, not relu
    cases.append(doc)
    for doc in cases:
        assert _kind(doc) == "false", json.dumps(doc)[:400]


def test_undecided_and_malformed() -> None:
    doc = _doc()
    doc["expressions"] = [*_EXPRESSIONS, ["fn", "tanh", 3]]
    doc["network"]["layers"][0]["activation"] = {"name": "tanh", "variable": "t", "expr": 6}
    assert _kind(doc) == "undecided"
    doc = _doc()
    del doc["regions"][0]["facets"]
    assert _kind(doc) == "malformed"
    assert _kind(_doc(units="2")) == "malformed"


def test_the_oracle_calls_every_real_document_true() -> None:
    for text in R.regions_pool(8):
        outcome = classify(text, cli=False)
        claim = json.loads(text).get("claim") or {}
        expected = outcome.verdict.kind == "true" or (claim.get("kind") == "affine" and outcome.verdict.kind == "false")
        assert expected and outcome.decision.accepted == (outcome.verdict.kind == "true"), (outcome.verdict, text[:300])


def test_each_edit_is_never_a_false_accept() -> None:
    pool = R.regions_pool(8)
    for seed, name in enumerate(sorted(R.MUTATIONS)):
        outcome = classify(R.tamper(pool[seed % len(pool)], [name], seed), cli=seed % 4 == 0)
        assert not failures(outcome), (name, seed, outcome.verdict, outcome.decision, outcome.findings)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(R.MUTATIONS))
def test_each_edit_on_every_real_document(name: str) -> None:
    for seed, text in enumerate(R.regions_pool(8)):
        outcome = classify(R.tamper(text, [name], seed), cli=seed % 4 == 0)
        assert not failures(outcome), (name, seed, outcome.verdict, outcome.decision, outcome.findings)


def _campaign(examples: int, size: int) -> None:
    found: list[Any] = []

    @settings(
        settings.get_profile("ci"),
        max_examples=examples,
        phases=[Phase.explicit, Phase.generate],
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(R.regions_documents(size))
    def run(text: str) -> None:
        outcome = classify(text, cli=len(text) % 4 == 0)
        if failures(outcome):
            found.append((failures(outcome), outcome.verdict, outcome.decision.api, text[:600]))

    run()
    assert not found, found[:5]


def test_campaign_quick() -> None:
    _campaign(25, 8)


@pytest.mark.slow
def test_campaign() -> None:
    _campaign(600, 48)


def test_reading_a_regions_document_gates_the_network_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by this campaign: 2,000 copies of three regions took 25 s to read, the network gated per region."""
    calls = []

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return gate_network(*args, **kwargs)

    monkeypatch.setattr("symnet.kernel.regions_cert.gate_network", counting)
    with pytest.raises(CertificateError, match="repeats region 0"):  # refused now before any region is decoded
        symnet.Regions.from_json(json.dumps(_doc(regions=_REGIONS * 10)))
    assert len(calls) <= 1, f"the network was gated {len(calls)} times for 30 regions"


@pytest.mark.parametrize("units", [3, 10_002])
def test_a_unit_count_past_the_hidden_units_is_refused_as_it_is_read(units: int) -> None:
    """Found by the 100,000-document campaign: a count of 10,002 units (patterns of as many digits) in 2,000
    regions took 4.8 s to refuse, every pattern read before the checker saw the network has two kink units."""
    regions = [dict(r, pattern=(r["pattern"] + "1" * units)[:units]) for r in _REGIONS] * (units // 10 + 1)
    text = json.dumps(_doc(units=units, regions=regions))  # the hand network has two hidden units
    for read in (certificate.read, symnet.Regions.from_json, kernel.check):
        with pytest.raises(CertificateError, match="at most the 2 hidden units"):
            read(text)
