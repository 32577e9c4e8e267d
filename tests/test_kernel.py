"""The kernel: independence from the search code, and soundness under tampering.

Soundness criterion: whenever check() accepts a (possibly tampered)
certificate, its claim is true for the certificate's own network -- decided
here independently by sympy.expand of the network's output.  Every rejection
is a CertificateError.
"""

import copy
import json
import pathlib

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symnet
from symnet import CertificateError, Network, Proof
from symnet.kernel.linear import _compare

ROOT = pathlib.Path(symnet.__file__).parent
S = sympy.Symbol


# ------------------------------------------------------------ the judge
def claim_is_true(proof: Proof) -> bool:
    """Independent: expand output - (W* x + b*) with sympy and compare with zero."""
    net = proof.network
    exact = lambda e: e.xreplace({f: sympy.Rational(f) for f in e.atoms(sympy.Float)})  # noqa: E731
    for out, form in zip(net.output, proof.as_expr(), strict=True):
        if sympy.expand(exact(out) - exact(form)) != 0:
            return False
    return True


def verdict(text: str) -> str:
    """'accepted' or 'rejected'; anything other than CertificateError propagates (a test failure)."""
    try:
        proof = Proof.from_json(text)
        proof.check()
    except CertificateError:
        return "rejected"
    assert claim_is_true(proof), "the kernel accepted a false claim"
    return "accepted"


NETWORKS = [
    symnet.dense(3, [3]),
    symnet.dense(2, []),
    symnet.dense(2, [2, 2], outputs=2),
    Network.from_matrices([[[1, sympy.Rational(1, 2)], [2, -1]], [[3, "w"]]], [[0, 1], [2]]),
    symnet.dense(2, [2], activation=sympy.Lambda(S("t"), S("a") * S("t") + 1)),
]
CERTS = [json.loads(symnet.prove(n).to_json()) for n in NETWORKS] + [
    json.loads(symnet.prove(symnet.dense(2, [2, 2]), limit=3).to_json())  # product form
]


def test_valid_certificates_check():
    for data in CERTS:
        assert verdict(json.dumps(data)) == "accepted"


REPLACEMENTS = [
    ["int", "7"], ["int", "0"], ["int", "-1"], ["rat", "1", "2"], ["rat", "-3", "2"],
    ["sym", "zz"], ["sym", "c_1"], ["sym", "x_1"],
]


@pytest.mark.slow
def test_every_single_node_replacement_is_sound():
    """Replace each expression node, in each certificate, by each of several others."""
    outcomes = {"accepted": 0, "rejected": 0}
    for data in CERTS:
        for i in range(len(data["expressions"])):
            for new in REPLACEMENTS:
                if data["expressions"][i] == new:
                    continue
                tampered = copy.deepcopy(data)
                tampered["expressions"][i] = new
                outcomes[verdict(json.dumps(tampered))] += 1
    assert outcomes["rejected"] > 500  # it is the rule, not the exception
    assert sum(outcomes.values()) > 1000


@pytest.mark.parametrize("index", range(len(CERTS)))
def test_every_dropped_or_duplicated_step_is_rejected(index):
    data = CERTS[index]
    for k in range(len(data["steps"])):
        dropped = copy.deepcopy(data)
        del dropped["steps"][k]
        assert verdict(json.dumps(dropped)) == "rejected"
        doubled = copy.deepcopy(data)
        doubled["steps"].insert(k, copy.deepcopy(data["steps"][k]))
        assert verdict(json.dumps(doubled)) == "rejected"


def test_swapped_steps_are_rejected():
    data = CERTS[2]  # two hidden layers
    swapped = copy.deepcopy(data)
    swapped["steps"][1], swapped["steps"][2] = swapped["steps"][2], swapped["steps"][1]
    assert verdict(json.dumps(swapped)) == "rejected"


def test_changed_claim_coefficient_names_the_step_and_rule():
    data = copy.deepcopy(CERTS[0])
    one = len(data["expressions"])
    data["expressions"].append(["int", "1"])
    data["expressions"].append(["add", data["claim"]["matrix"][0][0], one])
    data["claim"]["matrix"][0][0] = one + 1
    with pytest.raises(CertificateError, match=r"step 2, rule 'conclude_linear_form'") as info:
        Proof.from_json(json.dumps(data)).check()
    assert info.value.step == 2 and info.value.rule == "conclude_linear_form"
    assert str(info.value).endswith("differs from C P_L ... P_1 x* by x_1")  # beta_1 + 1, in the network's own symbols


def test_changed_network_weight_is_caught_by_substitute_layer():
    data = copy.deepcopy(CERTS[3])
    n = len(data["expressions"])
    data["expressions"].append(["int", "99"])
    data["network"]["layers"][0]["weights"][0][0] = n
    with pytest.raises(CertificateError, match="rule 'substitute_layer'"):
        Proof.from_json(json.dumps(data)).check()


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["claim"].update(shape=[2, 3]),
        lambda d: d["claim"]["matrix"][0].pop(),
        lambda d: d["claim"]["matrix"].append(d["claim"]["matrix"][0]),
        lambda d: d["claim"]["offset"].append(d["claim"]["offset"][0]),
        lambda d: d["steps"][0]["matrix"][0].pop(),
        lambda d: d["steps"][1]["matrix"].pop(),
        lambda d: d["steps"][1].update(layer=2),
        lambda d: d["steps"][0].update(layer=1),
        lambda d: d["steps"][3].update(monomials=12),
        lambda d: d["claim"].update(routes=["layerwise", "direct", "layerwise"]),
        lambda d: d["claim"].update(routes=["direct"]),
        lambda d: d["claim"].update(form="product"),
        lambda d: d["steps"][1].update(slope=d["steps"][1]["intercept"]),
    ],
)
def test_wrong_shapes_and_fields_are_rejected(mutate):
    data = copy.deepcopy(CERTS[0])
    mutate(data)
    assert verdict(json.dumps(data)) == "rejected"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{",
        "[]",
        "null",
        '{"format": "symnet-certificate"}',
        json.dumps({**CERTS[0], "version": 2}),
        json.dumps({**CERTS[0], "format": "other"}),
        json.dumps({**CERTS[0], "extra": 1}),
        json.dumps({**CERTS[0], "expressions": [["sym", ""]]}),
        json.dumps({**CERTS[0], "expressions": [["int", "1"], ["add", 0, 5]]}),
        json.dumps({**CERTS[0], "expressions": [["add", 0, 0]]}),
        json.dumps({**CERTS[0], "expressions": [["int", "__import__('os')"]]}),
        json.dumps({**CERTS[0], "expressions": [["fn", "eval", 0]]}),
        json.dumps({**CERTS[0], "expressions": [["rat", "2", "4"]]}),
        json.dumps({**CERTS[0], "expressions": [["int", "1"], ["pow", 0, 0], ["int", "99999999"], ["pow", 0, 2]]}),
        "[" * 100000,
        b"\xff\xfe",
    ],
)
def test_malformed_documents_are_rejected_on_load(text):
    with pytest.raises(CertificateError, match="malformed"):
        Proof.from_json(text)


def test_check_refuses_non_certificates():
    with pytest.raises(CertificateError):
        symnet.kernel.check("not a certificate")  # type: ignore[arg-type]


def test_kernel_refuses_explicit_claims_above_its_limit():
    proof = symnet.prove(symnet.dense(3, [3]))
    with pytest.raises(CertificateError, match="limit"):
        symnet.kernel.check(proof.certificate, limit=5)


def test_non_affine_activation_cannot_be_passed_off_as_affine():
    """A relu network's certificate borrowed from an identity network is rejected."""
    data = copy.deepcopy(CERTS[0])
    n = len(data["expressions"])
    data["expressions"] += [["sym", "t"], ["int", "0"], ["fn", "Max", n + 1, n]]
    data["network"]["layers"][0]["activation"] = {"name": "relu", "variable": "t", "expr": n + 2}
    data["claim"]["routes"] = ["layerwise"]
    data["steps"] = data["steps"][:3]
    with pytest.raises(CertificateError, match="not affine"):
        Proof.from_json(json.dumps(data)).check()


@st.composite
def tampered(draw):
    data = copy.deepcopy(draw(st.sampled_from(CERTS)))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["node", "swap", "ref", "step"]))
        nodes = data["expressions"]
        if kind == "node":
            i = draw(st.integers(0, len(nodes) - 1))
            nodes[i] = draw(
                st.one_of(
                    st.builds(lambda v: ["int", str(v)], st.integers(-3, 3)),
                    st.builds(lambda n: ["sym", n], st.sampled_from(["c_0", "c_1", "b_{1,1}", "x_1", "w", "a"])),
                )
            )
        elif kind == "swap":
            i, j = draw(st.integers(0, len(nodes) - 1)), draw(st.integers(0, len(nodes) - 1))
            if nodes[i][0] in ("sym", "int", "rat") and nodes[j][0] in ("sym", "int", "rat"):
                nodes[i], nodes[j] = nodes[j], nodes[i]
        elif kind == "ref":
            targets = [data["claim"].get("matrix"), [data["claim"].get("offset")]] + [
                s["matrix"] for s in data["steps"] if "matrix" in s
            ]
            targets = [t for t in targets if t]
            rows = draw(st.sampled_from(targets))
            row = draw(st.sampled_from(rows))
            if row:
                row[draw(st.integers(0, len(row) - 1))] = draw(st.integers(0, len(nodes) - 1))
        else:
            if data["steps"]:
                del data["steps"][draw(st.integers(0, len(data["steps"]) - 1))]
    return json.dumps(data)


@pytest.mark.slow
@given(tampered())
@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow], deadline=None)
def test_random_tampering_never_yields_a_false_accept(text):
    verdict(text)


def test_the_identity_pass_needs_every_stated_entry_matched():
    """The block comparison's one-pass identity test runs over both sequences to their ends: a derived block
    shorter than the stated one (the gate makes that impossible; the comparison must not rely on it) is no match."""
    a, b = sympy.symbols("a b")

    def fail(message: str) -> CertificateError:
        return CertificateError(message)

    with pytest.raises((CertificateError, ValueError)):
        _compare(None, sympy.ImmutableMatrix([[a, b]]), lambda: iter([a]), (1, 2), "M", fail)  # type: ignore[arg-type]
    _compare(None, sympy.ImmutableMatrix([[a, b]]), lambda: iter([a, b]), (1, 2), "M", fail)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "net", [symnet.dense(2, [2]), Network.from_matrices([[[1, 2], [3, -1]], [[5, 7]]], [[0, 1], [2]])]
)
@pytest.mark.parametrize("direct_first", [False, True])
def test_a_wrong_claim_is_caught_by_whichever_route_comes_first(net, direct_first):
    """The explicit claim is compared with the network once: by the first route that concludes it (over QQ the
    layer-wise route compares the product of its factors), and the later route still checks its own rules."""
    data = json.loads(symnet.prove(net).to_json())
    assert [s["rule"] for s in data["steps"]][-2:] == ["conclude_linear_form", "expand_and_compare"]
    if direct_first:
        data["steps"] = data["steps"][-1:] + data["steps"][:-1]
    assert verdict(json.dumps(data)) == "accepted"
    first = 0 if direct_first else len(data["steps"]) - 2
    wrong = copy.deepcopy(data)
    n = len(wrong["expressions"])
    wrong["expressions"] += [["int", "1"], ["add", wrong["claim"]["offset"][0], n]]
    wrong["claim"]["offset"][0] = n + 1  # b*_0 + 1
    with pytest.raises(CertificateError) as info:
        Proof.from_json(json.dumps(wrong)).check()
    assert info.value.step == first and info.value.rule == data["steps"][first]["rule"]
    count = copy.deepcopy(data)
    direct = [s["rule"] for s in count["steps"]].index("expand_and_compare")
    count["steps"][direct]["monomials"] += 1
    with pytest.raises(CertificateError, match="monomials") as info:
        Proof.from_json(json.dumps(count)).check()
    assert info.value.step == direct
