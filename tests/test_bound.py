"""bound: exact max/min over a box against an independent candidate-point route; VNN-LIB properties."""

import json
from fractions import Fraction
from itertools import combinations

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import symnet
from symnet import CertificateError, InvalidArgument, Network, certificate, kernel
from symnet.search.bound import decide_property
from symnet.search.vnnlib import parse_vnnlib
from tests.budget import examples

from .forward import forward

N = Network.from_matrices
small = st.integers(-3, 3)


def _candidates(rows, lo, hi):
    """Every vertex of the arrangement of lines a x + b y + c = 0 inside [lo, hi]^2: corners, edge cuts, crossings."""
    lines = list(rows) + [(1, 0, -lo), (1, 0, -hi), (0, 1, -lo), (0, 1, -hi)]
    points = set()
    for (a1, b1, c1), (a2, b2, c2) in combinations(lines, 2):
        det = a1 * b2 - a2 * b1
        if det == 0:
            continue
        x, y = Fraction(b1 * c2 - b2 * c1, det), Fraction(a2 * c1 - a1 * c2, det)
        if lo <= x <= hi and lo <= y <= hi:
            points.add((x, y))
    return points


@settings(max_examples=examples(20))
@given(st.lists(st.tuples(small, small, small), min_size=1, max_size=4), st.lists(small, min_size=4, max_size=4))
def test_bounds_equal_the_best_candidate_vertex(rows, out):
    """One hidden layer in 2-D: the max and min over the box are attained at arrangement vertices (hand route)."""
    ws = [[[a, b] for a, b, _ in rows], [out[: len(rows)]]]
    bs = [[c for _, _, c in rows], [out[-1]]]
    net = N(ws, bs, activation="relu")
    b = symnet.bound(net, [(-2, 2), (-2, 2)])
    values = [forward(ws, bs, "relu", pt)[0] for pt in _candidates(rows, -2, 2)]
    assert b.maximum[0] == max(values) and b.minimum[0] == min(values)
    assert list(net.evaluate(list(b.argmax[0]))) == [b.maximum[0]]
    assert list(net.evaluate(list(b.argmin[0]))) == [b.minimum[0]]
    assert b.check()


def test_one_input_bounds_by_hand():
    """relu(x) - 2 relu(x - 1) on [-1, 3]: max 1 at x = 1, min -1 at x = 3."""
    net = N([[[1], [1]], [[1, -2]]], [[0, -1], [0]], activation="relu")
    b = symnet.bound(net, [(-1, 3)])
    assert (b.maximum, b.argmax, b.minimum, b.argmin) == ((1,), ((1,),), (-1,), ((3,),))


def test_at_most_is_proved_or_refuted():
    net = N([[[1], [-1]], [[1, 1]]], [[0, 0], [0]], activation="relu")  # |x|
    b = symnet.bound(net, [(-1, 2)])
    yes = b.at_most(sympy.Rational(5, 2))
    assert yes.holds and yes.check() and kernel.check(yes.to_json())
    assert certificate.read(yes.to_json()).kind == "regions"
    no = b.at_most(1)
    assert not no.holds and no.witness == (2,) and no.value == 2 and no.check()
    with pytest.raises(InvalidArgument):
        no.to_json()
    with pytest.raises(InvalidArgument):
        b.at_most(1, output=3)


def test_tampered_bound_certificates_are_rejected():
    net = N([[[1], [-1]], [[1, 1]]], [[0, 0], [0]], activation="relu")
    doc = json.loads(symnet.bound(net, [(-1, 2)]).to_json())
    assert kernel.check(json.dumps(doc))
    low = json.loads(json.dumps(doc))
    low["claim"]["bounds"][0]["value"] = "3/2"  # claims max |x| = 3/2 on [-1, 2]
    with pytest.raises(CertificateError):
        kernel.check(json.dumps(low))
    moved = json.loads(json.dumps(doc))
    moved["claim"]["bounds"][0]["point"] = ["1"]
    with pytest.raises(CertificateError, match="attain_bound"):
        kernel.check(json.dumps(moved))


def test_bound_needs_a_bounded_domain():
    net = N([[[1]], [[1]]], [[0], [0]], activation="relu")
    with pytest.raises(InvalidArgument):
        symnet.bound(net)
    with pytest.raises(InvalidArgument, match="unbounded"):
        symnet.bound(net, polytope=([[-1]], [0]))


def test_multiple_outputs_and_float_weights():
    net = N([[[0.5, -0.25]], [[1.0], [-3.0]]], [[0.125], [0.0, 1.0]], activation="relu")
    b = symnet.bound(net, [(0, 1), (0, 1)])
    assert b.maximum == (sympy.Rational(5, 8), 1)
    assert b.minimum == (0, sympy.Rational(-7, 8))
    assert b.check()


# ------------------------------------------------------------------ VNN-LIB
PROP = """
; a robustness-style property: the box and the violation condition
(declare-const X_0 Real)
(declare-const X_1 Real)
(declare-const Y_0 Real)
(declare-const Y_1 Real)
(assert (>= X_0 -1.0))
(assert (<= X_0 1.0))
(assert (>= X_1 -0.5))
(assert (<= X_1 0.5e0))
(assert (or (and (>= Y_0 THRESHOLD)) (and (<= (- Y_0 Y_1) -10))))
"""


def test_vnnlib_is_parsed_exactly():
    prop = parse_vnnlib(PROP.replace("THRESHOLD", "0.1"))
    assert prop.box == [(-1, 1), (Fraction(-1, 2), Fraction(1, 2))]
    assert prop.disjuncts == [[([-1, 0], Fraction(1, 10))], [([1, -1], 10)]]


def test_vnnlib_properties_are_decided():
    net = N([[[1, 1], [1, -1]], [[1, 0], [0, 1]]], [[0, 0], [0, 0]], activation="relu")  # y = relu(x1+x2), relu(x1-x2)
    holds = decide_property(net, parse_vnnlib(PROP.replace("THRESHOLD", "1.6")))  # max y0 = 1.5
    assert holds.holds and holds.regions.check()
    broken = decide_property(net, parse_vnnlib(PROP.replace("THRESHOLD", "1.25")))
    assert not broken.holds
    x = list(broken.witness)
    assert broken.outputs[0] >= sympy.Rational(5, 4) and list(net.evaluate(x)) == list(broken.outputs)


@pytest.mark.parametrize(
    "text",
    [
        "(declare-const X_0 Real) (declare-const Y_0 Real) (assert (<= X_0 1))",  # no lower bound
        "(declare-const X_0 Real) (declare-const Y_0 Real) (assert (<= X_0 1)) (assert (>= X_0 2))",  # empty
        "(declare-const X_0 Real) (assert (<= X_0 1)) (assert (>= X_0 0)) (assert (<= Y_0 1))",  # undeclared
        (
            "(declare-const X_0 Real) (declare-const Y_0 Real) (assert (<= X_0 1)) (assert (>= X_0 0))"
            " (assert (<= (* Y_0 Y_0) 1))"
        ),
        (
            "(declare-const X_0 Real) (declare-const Y_0 Real) (assert (<= X_0 1)) (assert (>= X_0 0))"
            " (assert (<= Y_0 (exp 1)))"
        ),
        "(declare-const X_0 Int)",
        "(declare-const X_0 Real) (check-sat)",
        "(declare-const X_0 Real",
        (
            "(declare-const X_0 Real) (declare-const Y_0 Real) (assert (<= X_0 1)) (assert (>= X_0 0))"
            " (assert (<= (+ X_0 Y_0) 1))"
        ),
    ],
)
def test_unsupported_vnnlib_is_refused(text):
    with pytest.raises(InvalidArgument):
        parse_vnnlib(text)


def test_vnnlib_shape_must_match_the_network():
    net = N([[[1]], [[1]]], [[0], [0]], activation="relu")
    with pytest.raises(InvalidArgument):
        decide_property(net, parse_vnnlib(PROP.replace("THRESHOLD", "1")))
