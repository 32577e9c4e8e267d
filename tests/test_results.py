"""Result objects check their own document: a stated claim is kept, a box proof holds on its box only.

The oracles here never call the checker: relu(x) is computed by hand
(``max(0, x)``), and what a document states is read from its JSON text.
"""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest

import symnet
from symnet.cli.main import main
from symnet.errors import CertificateError, CoqExportError, InvalidArgument
from symnet.results import PiecewiseProof
from symnet.results.bound import BoundVerdict


def relu_net() -> symnet.Network:
    """x -> relu(x): equal to x on [0, 1], to 0 on [-1, 0]."""
    return symnet.Network.from_matrices([[[1]], [[1]]], [[0], [0]], activation="relu")


def relu(x: Fraction) -> Fraction:
    return max(Fraction(0), x)


@pytest.fixture(scope="module")
def box_document() -> dict:
    """The regions document of relu(x) over [0, 1] with the affine claim W* = 1, b* = 0."""
    proof = PiecewiseProof.from_regions(symnet.regions(relu_net(), box=[(0, 1)]))
    return json.loads(proof.to_json())


def test_the_box_document_states_the_identity_on_the_box(box_document):
    assert box_document["domain"] == {"kind": "box", "box": [["0", "1"]]}
    assert box_document["claim"] == {"kind": "affine", "matrix": [["1"]], "offset": ["0"]}


@pytest.mark.parametrize("matrix, offset", [(["5"], ["0"]), (["1"], ["1/3"]), (["0"], ["0"]), (["-1"], ["0"])])
def test_a_false_stated_claim_is_kept_and_rejected(box_document, matrix, offset):
    """from_json keeps the stated W*, b* (never rebuilt from a region), and check() rejects them."""
    doc = dict(box_document, claim={"kind": "affine", "matrix": [matrix], "offset": offset})
    text = json.dumps(doc)
    proof = PiecewiseProof.from_json(text)
    assert proof.matrix[0, 0] == Fraction(matrix[0])
    assert proof.offset[0] == Fraction(offset[0])
    with pytest.raises(CertificateError, match="affine_on_domain"):
        proof.check()
    # the regions object read from the same document checks the same claim
    with pytest.raises(CertificateError, match="affine_on_domain"):
        symnet.Regions.from_json(text).check()


def test_the_api_and_the_command_line_agree_on_a_false_claim(box_document, tmp_path):
    doc = dict(box_document, claim={"kind": "affine", "matrix": [["5"]], "offset": ["0"]})
    path = tmp_path / "false.json"
    path.write_text(json.dumps(doc))
    assert main(["check", str(path)]) == 1  # the command, in this process (test_cli runs the console script)
    with pytest.raises(CertificateError):
        PiecewiseProof.from_json(path.read_text()).check()


def test_a_document_without_an_affine_claim_is_no_piecewise_proof(box_document):
    doc = {k: v for k, v in box_document.items() if k != "claim"}
    with pytest.raises(CertificateError, match="claims no affine form"):
        PiecewiseProof.from_json(json.dumps(doc))


def test_a_true_claim_round_trips(box_document):
    proof = PiecewiseProof.from_json(json.dumps(box_document))
    assert proof.check() is True
    assert json.loads(proof.to_json()) == box_document


@pytest.mark.parametrize("x", [Fraction(0), Fraction(1, 3), Fraction(1), 0, 1, 0.5, 2.0**-60])
def test_lambdify_on_the_box_agrees_with_relu(box_document, x):
    f = PiecewiseProof.from_json(json.dumps(box_document)).lambdify()
    assert f(x) == (relu(Fraction(x)),)


@pytest.mark.parametrize("x", [-1, Fraction(-1, 10**30), 1 + 2.0**-52, Fraction(3, 2), -0.5])
def test_lambdify_refuses_points_outside_the_box(box_document, x):
    proof = PiecewiseProof.from_json(json.dumps(box_document))
    with pytest.raises(InvalidArgument, match="outside the domain"):
        proof.lambdify()(x)
    with pytest.raises(InvalidArgument, match="outside the domain"):
        proof.lambdify("numpy")(np.array([0.5, float(x)]))


def test_lambdify_numpy_on_the_box(box_document):
    f = PiecewiseProof.from_json(json.dumps(box_document)).lambdify("numpy")
    xs = np.array([0.0, 0.25, 1.0])
    np.testing.assert_array_equal(f(xs)[0], np.maximum(xs, 0))


def test_to_python_guards_the_box(box_document):
    source = PiecewiseProof.from_json(json.dumps(box_document)).to_python()
    namespace: dict = {}
    exec(compile(source, "<test>", "exec"), namespace)  # noqa: S102 - symnet's own generated source
    f = namespace["f"]
    assert f(Fraction(1, 2)) == (Fraction(1, 2),)
    assert f(1) == (1,)
    for outside in (-1, Fraction(-1, 7), 1 + 2.0**-52):
        with pytest.raises(ValueError, match="outside the domain"):
            f(outside)


def test_float_and_coq_exports_of_a_box_proof_are_refused(box_document):
    proof = PiecewiseProof.from_json(json.dumps(box_document))
    with pytest.raises(InvalidArgument, match="domain only"):
        symnet.interop.export.float_form(proof.certificate)
    with pytest.raises(InvalidArgument, match="domain only"):
        symnet.codegen.to_c(proof.certificate)
    with pytest.raises(CoqExportError):
        proof.to_coq()


def test_a_proof_on_all_of_rp_is_not_guarded():
    """relu(x) - relu(-x) = x on R: its piecewise proof computes x everywhere."""
    net = symnet.Network.from_matrices([[[1], [-1]], [[1, -1]]], [[0, 0], [0]], activation="relu")
    proof = symnet.decide(net)
    assert isinstance(proof, PiecewiseProof)
    assert proof.domain == {"kind": "space"}
    f = proof.lambdify()
    for x in (-3, Fraction(-7, 2), 0, 5):
        assert f(x) == (Fraction(x),)
    assert "outside" not in proof.to_python()


@pytest.mark.parametrize("point", [(-1,), (Fraction(-1, 2),), (2,)])
def test_the_network_differs_from_the_box_claim_outside_the_box(point):
    """Why the guard is needed: off [0, 1] the stated x is not relu(x) at -1, ... (hand oracle)."""
    x = Fraction(point[0])
    if x < 0:
        assert relu(x) != x
    assert symnet.Regions.from_json(symnet.regions(relu_net(), box=[(0, 1)]).to_json()).locate(point) == []


def abs_net() -> symnet.Network:
    """x -> relu(x) + relu(-x) = |x|."""
    return symnet.Network.from_matrices([[[1], [-1]], [[1, 1]]], [[0, 0], [0]], activation="relu")


@pytest.mark.parametrize(
    "witness, accepted",
    [
        ((2,), True),
        ((Fraction(3, 2),), True),
        ((-1,), False),
        ((Fraction(1, 2),), False),
        ((3,), False),
        ((-2,), False),
    ],
)
def test_a_bound_witness_is_checked_against_the_domain_and_the_threshold(witness, accepted):
    """|x| <= 1 on [-1, 2] is false; a witness must lie in [-1, 2] with |x| > 1 (hand oracle)."""
    bound = symnet.bound(abs_net(), [(-1, 2)])
    x = Fraction(witness[0])
    assert accepted == (-1 <= x <= 2 and abs(x) > 1)
    verdict = BoundVerdict(0, 1, False, witness, abs(x), bound)
    if accepted:
        assert verdict.check() is True
    else:
        with pytest.raises(CertificateError, match="witness"):
            verdict.check()


def test_proofs_on_different_domains_differ():
    """The same form x on [0, 1] and on [0, 1/2] are two different statements."""
    one = PiecewiseProof.from_regions(symnet.regions(relu_net(), box=[(0, 1)]))
    half = PiecewiseProof.from_regions(symnet.regions(relu_net(), box=[(0, Fraction(1, 2))]))
    assert one.matrix == half.matrix and one.offset == half.offset
    assert one != half
    assert one == PiecewiseProof.from_json(one.to_json())


def test_a_regions_document_keeps_and_checks_its_bounds_claim():
    """max |x| on [-1, 2] is 2 (hand oracle); a document stating 3/2 is rejected, not silently reduced to regions."""
    text = symnet.bound(abs_net(), [(-1, 2)]).to_json()
    doc = json.loads(text)
    maxima = [b for b in doc["claim"]["bounds"] if b["sense"] == "<="]
    assert [b["value"] for b in maxima] == ["2"]
    loaded = symnet.Regions.from_json(text)
    assert loaded.check() is True
    assert json.loads(loaded.to_json()) == doc  # the claim is written back unchanged
    maxima[0]["value"] = "3/2"
    with pytest.raises(CertificateError, match="bound"):
        symnet.Regions.from_json(json.dumps(doc)).check()
