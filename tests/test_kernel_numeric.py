"""The kernel's rational-matrix path (symnet.kernel.numeric): trained-size checks, and no false accepts."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import symnet
from symnet import CertificateError
from symnet.certificate import Certificate, Claim
from symnet.kernel import numeric
from symnet.model.arrays import exact_matrix, exact_vector
from symnet.model.network import Layer, Network, input_symbols

from .forward import forward


def network(ws: list[np.ndarray], bs: list[np.ndarray], activation: str = "identity") -> Network:
    """A numeric network held over QQ, as the importers build it (every float its exact binary value)."""
    acts = [symnet.activation(activation)] * (len(ws) - 1) + [symnet.activation("identity")]
    layers = tuple(
        Layer(exact_matrix(w, f"W{l}"), exact_vector(b, f"b{l}"), a)
        for l, (w, b, a) in enumerate(zip(ws, bs, acts, strict=True))
    )
    return Network(input_symbols(ws[0].shape[1]), layers)


def layerwise_only(cert: Certificate) -> Certificate:
    """The same certificate with only its layer-wise route (a valid certificate the numeric path reads)."""
    steps = tuple(s for s in cert.steps if s.rule != "expand_and_compare")
    return dataclasses.replace(cert, steps=steps, claim=dataclasses.replace(cert.claim, routes=("layerwise",)))


def fractions(m: np.ndarray) -> list[list[Fraction]]:
    return [[Fraction(float(v)) for v in row] for row in np.atleast_2d(m)]


def claim_holds(net_ws, net_bs, activation, claim: Claim) -> bool:
    """Independent oracle: the claimed W* x + b* equals a Fraction forward pass at a few rational points."""
    W = [[Fraction(int(e.p), int(e.q)) for e in row] for row in claim.matrix.tolist()]
    b = [Fraction(int(e.p), int(e.q)) for e in claim.offset]
    weights = [fractions(w) for w in net_ws]
    biases = [[Fraction(float(v)) for v in bb] for bb in net_bs]
    p = len(W[0])
    for x in ([Fraction(0)] * p, [Fraction(k + 1, 3) for k in range(p)], [Fraction(-2 * k + 1, 7) for k in range(p)]):
        out = forward(weights, biases, activation, x)
        if out != [b[i] + sum(W[i][j] * x[j] for j in range(p)) for i in range(len(W))]:
            return False
    return True


def random_net(seed: int, sizes: list[int]):
    rng = np.random.default_rng(seed)
    ws = [rng.standard_normal((sizes[i + 1], sizes[i])).astype(np.float32) for i in range(len(sizes) - 1)]
    bs = [rng.standard_normal(sizes[i + 1]).astype(np.float32) for i in range(len(sizes) - 1)]
    return ws, bs


@pytest.mark.slow
def test_a_trained_size_certificate_checks_through_the_rational_path():
    """784 -> 64 -> 10 with float32 weights: the numeric path applies and accepts the true claim."""
    ws, bs = random_net(0, [784, 64, 10])
    proof = symnet.prove(network(ws, bs))
    assert numeric.applies(proof.certificate)
    assert proof.check() is True
    assert claim_holds(ws, bs, "identity", proof.certificate.claim)


def test_the_rational_path_and_the_general_path_agree_on_small_networks():
    """The same claim, true and then moved by 2^-40: the rational path and the general path (both routes) agree."""
    ws, bs = random_net(1, [3, 4, 2])
    both = symnet.prove(network(ws, bs)).certificate
    assert not numeric.applies(both)  # the direct route is there too: the general path reads it
    layerwise = layerwise_only(both)
    assert numeric.applies(layerwise)
    assert symnet.Proof(both).check() and symnet.Proof(layerwise).check()
    m = both.claim.matrix.as_mutable()
    m[1, 2] += sympy.Rational(1, 2**40)
    for cert in (both, layerwise):
        moved = dataclasses.replace(cert, claim=dataclasses.replace(cert.claim, matrix=sympy.ImmutableMatrix(m)))
        with pytest.raises(CertificateError):
            symnet.Proof(moved).check()


def _tampered(cert: Certificate, where: str) -> Certificate:
    steps = list(cert.steps)
    bump = sympy.Rational(1, 2**30)
    if where == "output row":
        m = steps[0].matrix.as_mutable()
        m[0, 1] += bump
        steps[0] = dataclasses.replace(steps[0], matrix=sympy.ImmutableMatrix(m))
    elif where == "factor":
        m = steps[1].matrix.as_mutable()
        m[2, 1] += bump
        steps[1] = dataclasses.replace(steps[1], matrix=sympy.ImmutableMatrix(m))
    elif where == "factor top row":
        m = steps[1].matrix.as_mutable()
        m[0, 1] = 1
        steps[1] = dataclasses.replace(steps[1], matrix=sympy.ImmutableMatrix(m))
    elif where == "slope":
        steps[1] = dataclasses.replace(steps[1], slope=sympy.Rational(2))
    elif where == "layer":
        steps[1] = dataclasses.replace(steps[1], layer=2)
    elif where == "W*":
        m = cert.claim.matrix.as_mutable()
        m[0, 0] += bump
        return dataclasses.replace(cert, claim=dataclasses.replace(cert.claim, matrix=sympy.ImmutableMatrix(m)))
    elif where == "b*":
        m = cert.claim.offset.as_mutable()
        m[0, 0] += bump
        return dataclasses.replace(cert, claim=dataclasses.replace(cert.claim, offset=sympy.ImmutableMatrix(m)))
    elif where == "symbolic W*":
        m = cert.claim.matrix.as_mutable()
        m[0, 0] = sympy.Symbol("c_1")
        return dataclasses.replace(cert, claim=dataclasses.replace(cert.claim, matrix=sympy.ImmutableMatrix(m)))
    elif where == "rounded W*":  # the claim written as floats: each is its exact binary value, not the true entry
        m = cert.claim.matrix.applyfunc(lambda e: sympy.Float(float(e)) * 3 / 3 + sympy.Float(2.0**-60))
        return dataclasses.replace(cert, claim=dataclasses.replace(cert.claim, matrix=sympy.ImmutableMatrix(m)))
    return dataclasses.replace(cert, steps=tuple(steps))


@pytest.mark.parametrize(
    "where", ["output row", "factor", "factor top row", "slope", "layer", "W*", "b*", "symbolic W*", "rounded W*"]
)
def test_tampered_numeric_certificates_are_rejected(where):
    """Any change to a stated factor, slope, layer or claim entry is a CertificateError naming the step."""
    ws, bs = random_net(2, [3, 4, 2])
    cert = layerwise_only(symnet.prove(network(ws, bs)).certificate)
    bad = _tampered(cert, where)
    assert numeric.applies(bad)
    with pytest.raises(CertificateError):
        numeric.check(bad)
    with pytest.raises(CertificateError):
        symnet.Proof(bad).check()


@given(
    sizes=st.lists(st.integers(1, 4), min_size=2, max_size=4),
    seed=st.integers(0, 2**16),
    slope=st.sampled_from(["identity", "affine"]),
    i=st.integers(0, 3),
    j=st.integers(0, 4),
    delta=st.fractions(min_value=-2, max_value=2, max_denominator=1000),
)
def test_the_numeric_path_accepts_exactly_the_true_claims(sizes, seed, slope, i, j, delta):
    """Property: a claim with one entry moved by delta is accepted iff delta == 0, and the oracle agrees."""
    ws, bs = random_net(seed, sizes)
    t = sympy.Symbol("t")
    act = "identity" if slope == "identity" else sympy.Lambda(t, 2 * t - sympy.Rational(1, 3))
    net = network(ws, bs, "identity")
    if slope == "affine":
        hidden = tuple(dataclasses.replace(layer, activation=symnet.activation(act)) for layer in net.layers[:-1])
        layers = hidden + net.layers[-1:]
        net = Network(net.inputs, layers)
    cert = layerwise_only(symnet.prove(net).certificate)
    q, p = cert.claim.shape
    m = cert.claim.matrix.as_mutable()
    m[i % q, j % p] += sympy.Rational(delta.numerator, delta.denominator)
    claim = dataclasses.replace(cert.claim, matrix=sympy.ImmutableMatrix(m))
    cert = dataclasses.replace(cert, claim=claim)
    assert numeric.applies(cert)
    if slope == "identity":
        assert claim_holds(ws, bs, "identity", claim) == (delta == 0)
    if delta == 0:
        assert numeric.check(cert)
    else:
        with pytest.raises(CertificateError):
            numeric.check(cert)
