"""The verification oracle (issue 21) against hand derivations and an independent route, and its campaign.

The campaign itself runs in tests/test_adversarial.py (family ``verification_documents``); here the
oracle of tests/adversarial/verification_oracle.py is held to answers derived by hand, to
:func:`symnet.bound` (exact region enumeration, which shares no code with
symnet/kernel/verification.py's bound propagation), and to what ``symnet.verify`` answered.
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from tests.adversarial import verification_junk as J
from tests.adversarial import verification_strategies as V
from tests.adversarial.grammar import Table
from tests.adversarial.harness import classify, failures
from tests.adversarial.oracle import judge
from tests.adversarial.verification_oracle import extreme, numeric_network

# y = relu(x) - relu(x - 1) on x in [-1, 2]: 0 up to 0, x on [0, 1], 1 from 1 on.  Max 1, min 0 (by hand).
_EXPRESSIONS = [
    ["int", "1"],
    ["int", "0"],
    ["int", "-1"],
    ["sym", "t"],
    ["fn", "Max", 1, 3],
    ["sym", "y"],
]
_NETWORK = {
    "inputs": ["x_1"],
    "layers": [
        {"weights": [[0], [0]], "biases": [1, 2], "activation": {"name": "relu", "variable": "t", "expr": 4}},
        {"weights": [[0, 2]], "biases": [1], "activation": {"name": "identity", "variable": "y", "expr": 5}},
    ],
}


def _doc(threshold: str, status: str, **evidence: object) -> str:
    """The property "y >= threshold" (violation row -y + threshold <= 0) on x in [-1, 2]."""
    doc = {
        "format": "symnet.verification",
        "version": 1,
        "expressions": _EXPRESSIONS,
        "network": _NETWORK,
        "property": {"box": [["-1", "2"]], "input_constraints": [], "disjuncts": [[[["-1"], threshold]]]},
        "status": status,
        **evidence,
    }
    return json.dumps(doc)


LEAF = {"tree": [["leaf", [[0, [[0, "1"]]]]]]}


def test_hand_derived_truths() -> None:
    # max y = 1: "y >= 1 + 2^-40" never happens, "y >= 1" happens on [1, 2]
    assert judge(_doc(str(Fraction(1) + Fraction(1, 2**40)), "holds", **LEAF)).kind == "true"
    assert judge(_doc("1", "holds", **LEAF)).kind == "false"
    assert judge(_doc("1/2", "holds", **LEAF)).kind == "false"
    # violated: x = 3/2 gives y = 1 >= 1; x = 1/2 gives 1/2, which is not >= 1
    assert judge(_doc("1", "violated", counterexample=["3/2"], output=["1"])).kind == "true"
    assert judge(_doc("1", "violated", counterexample=["1/2"], output=["1/2"])).kind == "false"
    # the stated output is not the network's; the point is outside the box; the point is fine but 2^-60 short
    assert judge(_doc("1", "violated", counterexample=["3/2"], output=["2"])).kind == "false"
    assert judge(_doc("1", "violated", counterexample=["5/2"], output=["1"])).kind == "false"
    near = Fraction(1) - Fraction(1, 2**60)
    assert judge(_doc("1", "violated", counterexample=[str(near)], output=[str(near)])).kind == "false"


def test_hand_derived_constraints_and_flat_boxes() -> None:
    doc = json.loads(_doc("1", "holds", **LEAF))
    # x <= 1/2 (row x - 1/2 <= 0): y <= 1/2 < 1, so "y >= 1" never happens
    doc["property"]["input_constraints"] = [[["1"], "-1/2"]]
    assert judge(json.dumps(doc)).kind == "true"
    doc["property"]["input_constraints"] = [[["1"], "-1"]]  # x <= 1: y = 1 at x = 1, on the boundary
    assert judge(json.dumps(doc)).kind == "false"
    doc["property"]["input_constraints"] = []
    doc["property"]["box"] = [["1/2", "1/2"]]  # flat: y = 1/2 only
    assert judge(json.dumps(doc)).kind == "true"
    doc["property"]["box"] = [["1", "1"]]
    assert judge(json.dumps(doc)).kind == "false"


def test_hand_derived_malformed() -> None:
    assert judge(_doc("1", "holds")).kind == "malformed"  # no tree
    assert judge(_doc("1", "violated", counterexample=["3/2"])).kind == "malformed"  # no output
    assert judge(_doc("1", "maybe", **LEAF)).kind == "malformed"
    doc = json.loads(_doc("1", "holds", **LEAF))
    doc["property"]["box"] = [["2", "-1"]]
    assert judge(json.dumps(doc)).cls == "empty-box"
    doc = json.loads(_doc("1", "holds", **LEAF))
    doc["expressions"] = [*_EXPRESSIONS, ["sym", "w"]]
    doc["network"]["layers"][1]["biases"] = [6]
    assert judge(json.dumps(doc)).cls == "symbolic-network"


def test_the_pool_is_what_verify_answered_and_the_oracle_agrees() -> None:
    pool = V.verification_pool()
    statuses = {json.loads(text)["status"] for text, _ in pool}
    assert statuses == {"holds", "violated"}
    for text, _spec in pool:
        verdict = judge(text)
        assert verdict.kind == "true", (verdict, text[:400])


def test_extremes_agree_with_symnet_bound() -> None:
    """The oracle's exact LPs against symnet.bound's region enumeration (an independent route) on the pool's nets."""
    import symnet

    compared = 0
    for text, (ws, bs) in V.verification_pool()[:12]:
        data = json.loads(text)
        box = [(Fraction(lo), Fraction(hi)) for lo, hi in data["property"]["box"]]
        if any(lo == hi for lo, hi in box):
            continue
        net = symnet.Network.from_matrices(ws, bs, "relu")
        got = symnet.bound(net, box)
        mine = numeric_network(Table(data["expressions"]), data["network"])
        for k in range(len(bs[-1])):
            e = [Fraction(int(i == k)) for i in range(len(bs[-1]))]
            assert extreme(mine, box, [], e) == Fraction(str(got.maximum[k]))
            assert -extreme(mine, box, [], [-v for v in e]) == Fraction(str(got.minimum[k]))  # type: ignore[operator]
            compared += 1
    assert compared >= 5


def test_a_shifted_threshold_is_false_and_symnet_refuses_it() -> None:
    """A real "holds" certificate whose threshold is moved onto the exact extreme: false, and refused."""
    for text, spec in V.verification_pool():
        data = json.loads(text)
        if data["status"] != "holds" or data["property"]["input_constraints"]:
            continue
        box = [(Fraction(lo), Fraction(hi)) for lo, hi in data["property"]["box"]]
        row = data["property"]["disjuncts"][0][0]
        top = extreme(V._numeric(spec), box, [], [-Fraction(v) for v in row[0]])
        assert top is not None
        row[1] = V._enc(top)
        shifted = json.dumps(data)
        outcome = classify(shifted, cli=True)
        assert outcome.verdict.kind == "false", outcome.verdict
        assert not outcome.decision.accepted and not failures(outcome), outcome.decision
        return
    pytest.fail("no 'holds' certificate without input constraints in the pool")


@settings(
    settings.get_profile("ci"),
    max_examples=40,
    phases=[Phase.generate],
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(J.junk_documents())
def test_junk_gets_a_typed_refusal(text: str) -> None:
    """Hostile structure (deep and wide trees, huge numbers, proofs of the wrong shape): no traceback, no failure."""
    outcome = classify(text, cli=False)
    assert not outcome.decision.api.startswith("traceback"), outcome.decision
    assert not failures(outcome), (outcome.findings, outcome.verdict)


@pytest.mark.slow
def test_verify_answers_agree_with_the_oracle() -> None:
    """symnet.verify on 60 more tiny near-threshold problems: every answer it gives is the oracle's truth."""
    import random

    import symnet
    from symnet.search.vnnlib import VnnProperty

    rng = random.Random(4021)
    answered = 0
    for _ in range(60):
        spec = V._random_spec(rng)
        box, cons, disjuncts = V._random_property(rng, spec)
        ws, bs = spec
        net = symnet.Network.from_matrices(ws, bs, "relu")
        v = symnet.verify(net, VnnProperty(len(box), len(bs[-1]), box, disjuncts, cons), workers=1, timeout=20)
        if v.status == "unknown":
            continue
        answered += 1
        verdict = judge(v.to_json())
        assert verdict.kind == "true", (v, verdict)
    assert answered >= 50


def test_a_huge_rational_weight_is_undecided_not_malformed() -> None:
    """The campaign's finding against the exact branch (2026-12-07, seed 2032): a weight (7^4096)^-2 is a rational the
    oracle cannot fold; it once called the document malformed ("not a polynomial"), so symnet's accept was flagged."""
    doc = json.loads(_doc("1", "violated", counterexample=["3/2"], output=["1"]))
    doc["expressions"] = [*_EXPRESSIONS, ["int", "7"], ["int", "4096"], ["int", "-2"], ["pow", 6, 7], ["pow", 9, 8]]
    doc["network"]["layers"][0]["biases"] = [10, 2]  # y = relu(x + 7^-8192) - relu(x - 1): 1 + 7^-8192 at x = 3/2
    text = json.dumps(doc)
    verdict = judge(text)
    assert verdict.kind == "undecided" and "too big" in verdict.reason, verdict
    outcome = classify(text, cli=False)  # the stated output 1 is wrong by 7^-8192: symnet refuses
    assert not outcome.decision.accepted and not failures(outcome), outcome.decision
