"""Radical constants in weights (an exactly folded batch norm): read as generators of their own, never rounded."""

from __future__ import annotations

import dataclasses

import pytest
import sympy

import symnet
from symnet import CertificateError


def net_with_root() -> symnet.Network:
    """One layer scaled by radicals (as a folded batch norm is), the output layer rational."""
    r2, r3 = sympy.sqrt(2), sympy.sqrt(3)
    return symnet.Network.from_matrices([[[r2, 1], [1, r3 / 3]], [[2, 1]]], [[0, 1], [r2 / 2]])


def hand_claim() -> tuple[sympy.Matrix, sympy.Matrix]:
    """By hand: W* = [2, 1] [[sqrt 2, 1], [1, sqrt 3/3]] = [2 sqrt 2 + 1, 2 + sqrt 3/3], b* = sqrt 2/2 + 1."""
    r2, r3 = sympy.sqrt(2), sympy.sqrt(3)
    return sympy.Matrix([[2 * r2 + 1, 2 + r3 / 3]]), sympy.Matrix([[r2 / 2 + 1]])


def test_the_collapse_with_radicals_is_exact_and_checks():
    """prove gives the hand-derived W*, b* (radicals kept exact) and the kernel accepts it."""
    proof = symnet.prove(net_with_root())
    W, b = hand_claim()
    assert (proof.matrix - W).applyfunc(sympy.expand) == sympy.zeros(1, 2)
    assert sympy.expand(proof.offset[0] - b[0]) == 0
    assert proof.check()


@pytest.mark.parametrize(
    "entry",
    [
        sympy.Rational(382842712, 10**8),  # a rational approximation of 2 sqrt 2 + 1
        2 * sympy.sqrt(2) + 1 + sympy.Rational(1, 10**30),  # off by a tiny rational
        2 * sympy.sqrt(5) + 1,  # a radical the network does not have
        2 * sympy.sqrt(2) + 1 + sympy.Symbol("x_1"),  # the input inside the claim
        sympy.Float(2 * 1.4142135623730951 + 1),  # the double nearest 2 sqrt 2 + 1, at its exact binary value
    ],
)
def test_a_wrong_radical_claim_is_rejected(entry):
    """Any claimed W* entry other than the exact one is a CertificateError."""
    proof = symnet.prove(net_with_root())
    cert = proof.certificate
    m = cert.claim.matrix.as_mutable()
    m[0, 0] = entry
    bad = dataclasses.replace(cert, claim=dataclasses.replace(cert.claim, matrix=sympy.ImmutableMatrix(m)))
    with pytest.raises(CertificateError):
        symnet.Proof(bad).check()


def test_radical_certificates_survive_json():
    """The certificate round-trips through JSON and re-checks."""
    proof = symnet.prove(net_with_root())
    assert symnet.Proof.from_json(proof.to_json()).check()


def test_merged_radicals_are_rejected_never_accepted():
    """Known limit: sympy writes sqrt(2) sqrt(3) as sqrt(6), which the kernel does not relate to its generators.

    The true claim of two radical-scaled layers in a row is then refused (the
    kernel is incomplete there, never unsound): a CertificateError, not True.
    """
    r2, r3 = sympy.sqrt(2), sympy.sqrt(3)
    net = symnet.Network.from_matrices([[[r2]], [[r3]]], [[0], [0]])
    proof = symnet.prove(net)
    assert proof.matrix[0, 0] == sympy.sqrt(6)  # the exact collapse, as sympy writes it
    with pytest.raises(CertificateError):
        proof.check()


def test_checkers_of_non_vanishing_refuse_radicals():
    """Radicals as free generators prove identities only: degree, refute and their checkers refuse them, typed."""
    from symnet.kernel import degree
    from symnet.kernel.gate import IllFormed

    net = symnet.Network.from_matrices([[[sympy.sqrt(2)], [1]], [[1, 1]]], [[0, 0], [0]], activation="square")
    with pytest.raises(symnet.InvalidType, match="sqrt"):
        symnet.degree(net)
    with pytest.raises(symnet.UndecidedError, match="sqrt"):
        symnet.refute(net)
    # a degree document for it: (s t)^2 + ... with s = sqrt 2 would look degree 2 for every s; the kernel never reads it
    cert = {"degrees": [2], "routes": ["expand_degree"], "witnesses": [None]}
    with pytest.raises(IllFormed):
        degree.check_degree(net, cert)
