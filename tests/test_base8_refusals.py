"""The checkers base8 folded still refuse every tampered claim they refused before, and accept the genuine ones.

The generic claim is compared with the derived conclusion as data and the rank bound is derived once; a
counterexample's three values and the defect are four claims checked one way by each route (exact and balls);
the degree witness line is one condition.  Each tamper below is refused, each genuine document accepted.
"""

from __future__ import annotations

import copy
import dataclasses

import pytest
import sympy

import symnet
from symnet.certificate import read
from symnet.errors import CertificateError
from symnet.kernel import counterexample as kc
from symnet.kernel import degree as kd
from symnet.kernel import generic as kg
from symnet.model import generic as gm
from symnet.model.core import Activation

T = sympy.Symbol("t")


@pytest.mark.parametrize("sizes", [("p", ["h", "m", 3], 1), ("p", [], "q"), (2, ["h"], 1)])
def test_a_tampered_generic_claim_or_rank_bound_is_refused(sizes):
    cert = symnet.prove(symnet.dense(*sizes)).certificate
    assert kg.check(cert)
    W, b = cert.matrix, cert.offset
    claims = [
        (W.scale(sympy.Integer(2)), b),
        (W, b + b),
        (W, gm.Lin.zero(*b.shape)),
        (gm.Lin(W.rows, W.cols + 1, W.terms), b),
        (W, gm.Lin(b.rows, sympy.Integer(2), b.terms)),
    ]
    for matrix, offset in claims:
        with pytest.raises(CertificateError, match="conclude_linear_form"):
            kg.check(dataclasses.replace(cert, matrix=matrix, offset=offset))
    last, sizes_ = cert.steps[-1], tuple(cert.network.sizes)
    for bound in (sizes_[:-1], (*sizes_, sympy.Integer(1)), (sympy.Integer(1),) * len(sizes_)):
        steps = (*cert.steps[:-1], dataclasses.replace(last, value=bound))
        with pytest.raises(CertificateError, match="factor_rank"):
            kg.check(dataclasses.replace(cert, steps=steps))


def test_a_zero_slope_network_has_the_zero_claim():
    """A constant activation makes W* = 0 (no word to split): the proof states it and checks."""
    constant = Activation(None, sympy.Lambda(T, sympy.Integer(2)))
    cert = symnet.prove(symnet.dense("p", ["h", 3], 1, activation=[constant, "identity"])).certificate
    assert cert.matrix.terms == () and kg.check(cert)
    net = cert.network
    word = gm.Lin.of(net.weight(3)) @ gm.Lin.of(net.weight(2)) @ gm.Lin.of(net.weight(1))  # the word, 1 x p
    with pytest.raises(CertificateError, match="conclude_linear_form"):
        kg.check(dataclasses.replace(cert, matrix=word))


@pytest.mark.parametrize("act", ["relu", "tanh"])  # the exact route, then the balls
def test_each_of_the_four_counterexample_claims_is_checked(act):
    doc = symnet.refute(symnet.dense(1, [1], 1, activation=act)).certificate
    assert kc.check_document(doc)
    lo, hi = doc.enclosure
    away = (hi + 1, hi + 2) if lo > 0 else (lo - 2, lo - 1)  # excludes 0, misses the defect
    with pytest.raises(CertificateError, match="the defect"):
        kc.check_document(dataclasses.replace(doc, enclosure=away))
    for i in range(3):
        values = list(doc.values)
        values[i] = (sympy.Integer(10**6), sympy.Integer(10**6 + 1))  # an enclosure far from every value
        with pytest.raises(CertificateError, match=r"f\("):
            kc.check_document(dataclasses.replace(doc, values=tuple(values)))


def test_the_witness_line_needs_the_degree_and_its_top_coefficient():
    """f = (w1 x1 + w2 x2 + b)^2 summed by the output row: along the line the top coefficient is the hand-computed
    (sum of c_k (W_k . direction)^2), here checked against the document's own, then tampered."""
    degree = symnet.degree(symnet.dense(2, [2], 1, activation="square"))
    doc = read(degree.to_json())
    assert kd.check_document(doc)
    wit = doc.certificate["witnesses"][0]
    w = {k: sympy.Rational(v) for k, v in wit["weights"].items()}
    d = [sympy.Rational(c) for c in wit["direction"]]
    top = sum(w[f"c_{k}"] * (w[f"b_{{{k},1}}"] * d[0] + w[f"b_{{{k},2}}"] * d[1]) ** 2 for k in (1, 2))
    assert top == sympy.Rational(wit["coefficient"]) != 0
    for change in ("coefficient+1", "coefficient=0", "degree+1", "degree-1"):
        cert = copy.deepcopy(doc.certificate)
        if change.startswith("coefficient"):
            cert["witnesses"][0]["coefficient"] = "0" if change.endswith("=0") else str(top + 1)
        else:
            cert["degrees"][0] += 1 if change.endswith("+1") else -1
        with pytest.raises(CertificateError):
            kd.check_degree(doc.network, cert)


def test_expand_degree_takes_no_witness_and_must_match():
    net = symnet.dense(2, [2], 1, activation="square")
    cert = {"degrees": [2], "routes": ["expand_degree"], "witnesses": [None]}
    assert kd.check_degree(net, cert)
    with pytest.raises(CertificateError, match="takes no witness"):
        kd.check_degree(net, {**cert, "witnesses": [{"point": []}]})
    with pytest.raises(CertificateError, match="the expansion has degree 2, not 3"):
        kd.check_degree(net, {**cert, "degrees": [3]})
