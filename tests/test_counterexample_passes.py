"""The counterexample checker's exact passes (QQ for numeric piecewise-affine networks, sympy otherwise) agree.

Expected values come from an independent route: numpy float64 at the same points
(a check of agreement to rounding) and, exactly, the sympy pass the kernel keeps
for symbolic and transcendental networks.
"""

import json

import numpy as np
import pytest
import sympy

from symnet import CertificateError, Network, refute
from symnet.certificate import read
from symnet.kernel import check
from symnet.kernel import counterexample as cx
from symnet.kernel.gate import gate_network

RNG = np.random.default_rng(7)
WEIGHTS = [RNG.integers(-4, 5, (6, 3)), RNG.integers(-4, 5, (5, 6)), RNG.integers(-4, 5, (2, 5))]
BIASES = [RNG.integers(-3, 4, (6, 1)), RNG.integers(-3, 4, (5, 1)), RNG.integers(-3, 4, (2, 1))]


def _numpy(x, activation):
    u = np.array(x, dtype=np.float64)
    for l, (W, b) in enumerate(zip(WEIGHTS, BIASES, strict=True)):
        z = W @ u + b[:, 0]
        u = z if l == len(WEIGHTS) - 1 else activation(z)
    return u


@pytest.mark.parametrize(
    ("name", "fn"),
    [
        ("relu", lambda z: np.maximum(z, 0)),  # numeric piecewise affine: regions_cert.forward over QQ
        ("leaky_relu", lambda z: np.where(z >= 0, z, z / 100)),
        ("square", lambda z: z * z),  # polynomial: the sympy pass
    ],
)
def test_the_qq_passes_agree_with_sympy_and_numpy(name, fn):
    net = Network.from_matrices(WEIGHTS, BIASES, activation=name)
    form = gate_network(net)
    points = [[sympy.Rational(a, 7) for a in RNG.integers(-20, 21, 3)] for _ in range(12)]
    fast = cx.exact_values(net, form, {}, points)
    slow = [cx.layer_outputs(cx.substituted(form, {}), pt) for pt in points]  # the sympy pass
    assert all(isinstance(v, sympy.Rational) for out in fast for v in out)
    assert fast == slow
    for pt, got in zip(points, fast, strict=True):
        assert np.allclose([float(v) for v in got], _numpy([float(c) for c in pt], fn), rtol=1e-12, atol=1e-12)


def test_symbolic_relu_and_tanh_networks_keep_the_sympy_pass():
    w = sympy.Symbol("w")
    symbolic = Network.from_matrices([[[w], [1]], [[1, -1]]], [[0, 0], [0]], activation="relu")
    got = cx.exact_values(symbolic, gate_network(symbolic), {w: sympy.Rational(-3)}, [[sympy.Integer(2)]])
    assert got == [[sympy.Integer(-2)]]  # relu(-6) - relu(2) by hand
    tanh = Network.from_matrices([[[1], [2]], [[1, 1]]], [[0, 0], [0]], activation="tanh")
    got = cx.exact_values(tanh, gate_network(tanh), {}, [[sympy.Rational(1, 2)]])
    assert got == [[sympy.tanh(sympy.Rational(1, 2)) + sympy.tanh(1)]]


def test_a_tampered_value_of_a_relu_refutation_is_refused():
    """Each claimed value (an entry of the expressions table) moved by 1/10^9 is refused."""
    net = Network.from_matrices(WEIGHTS, BIASES, activation="relu")
    text = refute(net).to_json()
    assert check(read(text))
    for i in range(3):
        bad = json.loads(text)
        entry = bad["expressions"][bad["values"][i]]
        value = sympy.Rational(entry[1]) if entry[0] == "int" else sympy.Rational(int(entry[1]), int(entry[2]))
        moved = value + sympy.Rational(1, 10**9)
        bad["expressions"].append(["rat", str(moved.p), str(moved.q)])
        bad["values"][i] = len(bad["expressions"]) - 1
        with pytest.raises(CertificateError, match="claimed f"):
            check(read(json.dumps(bad)))


def test_a_stated_first_non_affine_layer_is_checked():
    # widths 1-1-1-1: hidden layer 1 is the identity (affine), hidden layer 2 a ReLU, so the first
    # non-affine hidden layer is 2 (by hand); the check without a stated layer accepts any.
    net = Network.from_matrices([[[1]], [[1]], [[1]]], None, ["identity", "relu"])
    u, v = (sympy.Integer(-1),), (sympy.Integer(1),)  # f = relu(x): f(-1) = 0, f(1) = 1, f(0) = 0: defect -1/2
    values = (sympy.Integer(0), sympy.Integer(1), sympy.Integer(0))
    enclosure = (sympy.Rational(-1, 2), sympy.Rational(-1, 2))
    args = (net, {}, (u, v), 0, values, enclosure)
    assert cx.check_counterexample(*args)
    assert cx.check_counterexample(*args, 2)
    for wrong in (1, 3, None):
        with pytest.raises(CertificateError, match="first non-affine"):
            cx.check_counterexample(*args, wrong)


@pytest.mark.parametrize("enclosure", [5, None, iter([-1, -1]), {-1, 0}, "ab", (sympy.Rational(-1, 2),)])
def test_an_enclosure_that_is_not_a_pair_is_a_certificate_error(enclosure):
    """Bad input to the API's checker is a typed error (an enclosure with no length raised TypeError before)."""
    net = Network.from_matrices([[[1]], [[1]]], None, ["relu"])
    u, v = (sympy.Integer(-1),), (sympy.Integer(1),)  # f = relu(x), as above: the defect is -1/2
    values = (sympy.Integer(0), sympy.Integer(1), sympy.Integer(0))
    assert cx.check_counterexample(net, {}, (u, v), 0, values, (sympy.Rational(-1, 2), sympy.Rational(-1, 2)))
    with pytest.raises(CertificateError, match="enclosure must be two exact rationals"):
        cx.check_counterexample(net, {}, (u, v), 0, values, enclosure)
