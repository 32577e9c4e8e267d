"""Explicit claims held as exact polynomials (Claim.from_polys): accepted when right, rejected when tampered.

Every tampered claim is checked twice: in memory (the kernel reads the
polynomials) and after a JSON round trip (the reader builds sympy entries and
the kernel gates them as before).
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
from collections.abc import Callable
from typing import Any

import flint
import pytest
import sympy

import symnet
from symnet.certificate.linear import Certificate, Claim
from symnet.certificate.polys import ClaimPolys, claim_context
from symnet.errors import CertificateError
from symnet.results import Proof

Tamper = Callable[[ClaimPolys, Any], ClaimPolys]


def _proof(p: int = 2, widths: tuple[int, ...] = (3, 2)) -> Proof:
    proof = symnet.prove(symnet.dense(p, list(widths)))
    assert proof.certificate.claim.polys is not None
    return proof


def _with(proof: Proof, polys: ClaimPolys) -> Certificate:
    claim = proof.certificate.claim
    return dataclasses.replace(proof.certificate, claim=Claim.from_polys(claim.shape, claim.routes, polys))


def _set(polys: ClaimPolys, i: int, j: int, value: Any) -> ClaimPolys:
    rows = [list(r) for r in polys.matrix]
    rows[i][j] = value
    return dataclasses.replace(polys, matrix=tuple(tuple(r) for r in rows))


def _gen(polys: ClaimPolys, name: str) -> Any:
    return claim_context(len(polys.gens)).gens()[[g.name for g in polys.gens].index(name)]


def _off_by_tiny(polys: ClaimPolys, net: Any) -> ClaimPolys:
    return _set(polys, 0, 1, polys.matrix[0][1] + flint.fmpq(1, 2**60))


def _offset_off_by_tiny(polys: ClaimPolys, net: Any) -> ClaimPolys:
    offset = list(polys.offset)
    offset[0] = offset[0] - flint.fmpq(1, 2**60)
    return dataclasses.replace(polys, offset=tuple(offset))


def _extra_parameter_term(polys: ClaimPolys, net: Any) -> ClaimPolys:
    a, b = net.parameters[0].name, net.parameters[-1].name
    return _set(polys, 0, 0, polys.matrix[0][0] + _gen(polys, a) * _gen(polys, b))


def _extra_input_term(polys: ClaimPolys, net: Any) -> ClaimPolys:
    return _set(polys, 0, 0, polys.matrix[0][0] + _gen(polys, net.inputs[1].name))


def _swapped_generators(polys: ClaimPolys, net: Any) -> ClaimPolys:
    gens = list(polys.gens)
    i, j = gens.index(net.parameters[0]), gens.index(net.parameters[1])
    gens[i], gens[j] = gens[j], gens[i]
    return dataclasses.replace(polys, gens=tuple(gens))


def _undeclared_generator(polys: ClaimPolys, net: Any) -> ClaimPolys:
    gens = list(polys.gens)
    gens[-1] = sympy.Symbol("stranger")
    return dataclasses.replace(polys, gens=tuple(gens))


def _other_context(polys: ClaimPolys, net: Any) -> ClaimPolys:
    wider = flint.fmpq_mpoly_ctx.get(("g", len(polys.gens) + 1), "lex")
    moved = polys.matrix[0][0].compose(*list(wider.gens())[: len(polys.gens)], ctx=wider)
    return _set(polys, 0, 0, moved)


def _renamed_context(polys: ClaimPolys, net: Any) -> ClaimPolys:
    other = flint.fmpq_mpoly_ctx.get(("h", len(polys.gens)), "lex")
    moved = polys.matrix[0][0].compose(*other.gens(), ctx=other)
    return _set(polys, 0, 0, moved)


def _integer_polynomial(polys: ClaimPolys, net: Any) -> ClaimPolys:
    ctx = flint.fmpz_mpoly_ctx.get(("g", len(polys.gens)), "lex")
    return _set(polys, 0, 0, ctx.gens()[len(net.inputs)])


TAMPERS: list[Tamper] = [
    _off_by_tiny,
    _offset_off_by_tiny,
    _extra_parameter_term,
    _extra_input_term,
    _swapped_generators,
    _undeclared_generator,
    _other_context,
    _renamed_context,
    _integer_polynomial,
]
FROM_JSON = [_off_by_tiny, _offset_off_by_tiny, _extra_parameter_term, _extra_input_term, _swapped_generators]


def test_an_honest_polynomial_claim_is_accepted_and_equals_the_expanded_output() -> None:
    net = symnet.dense(2, [3, 2])
    proof = _proof()
    assert proof.check()
    # independent route: sympy's own expansion of the network's output, read as a polynomial in x
    for i, out in enumerate(net.output):
        poly = sympy.Poly(sympy.expand(out), *net.inputs)
        for j, x in enumerate(net.inputs):
            assert sympy.expand(proof.matrix[i, j] - poly.coeff_monomial(x)) == 0
        assert sympy.expand(proof.offset[i] - poly.coeff_monomial(1)) == 0
    again = Proof.from_json(proof.to_json())
    assert again.certificate.claim.polys is None and again.check() and again == proof


def test_the_ring_order_needs_no_renaming_and_a_permuted_order_is_read_by_name() -> None:
    proof = _proof()
    polys = proof.certificate.claim.polys
    assert polys is not None
    reversed_gens = tuple(reversed(polys.gens))
    n = len(polys.gens)
    ctx = claim_context(n)
    flip = list(reversed(ctx.gens()))

    def move(v: Any) -> Any:
        return v.compose(*flip, ctx=ctx)

    moved = ClaimPolys(
        reversed_gens, tuple(tuple(move(v) for v in row) for row in polys.matrix), tuple(move(v) for v in polys.offset)
    )
    assert symnet.kernel.check(_with(proof, moved))


@pytest.mark.parametrize("tamper", TAMPERS, ids=lambda t: t.__name__.strip("_"))
def test_a_tampered_polynomial_claim_is_rejected_in_memory(tamper: Tamper) -> None:
    proof = _proof()
    polys = proof.certificate.claim.polys
    assert polys is not None
    with pytest.raises(CertificateError):
        symnet.kernel.check(_with(proof, tamper(polys, proof.network)))


@pytest.mark.parametrize("tamper", FROM_JSON, ids=lambda t: t.__name__.strip("_"))
def test_a_tampered_polynomial_claim_is_rejected_from_json(tamper: Tamper) -> None:
    proof = _proof()
    polys = proof.certificate.claim.polys
    assert polys is not None
    text = Proof(_with(proof, tamper(polys, proof.network))).to_json()
    with pytest.raises(CertificateError):
        Proof.from_json(text).check()


def test_replacing_the_matrix_of_a_polynomial_claim_drops_the_polynomials() -> None:
    proof = _proof()
    claim = proof.certificate.claim
    wrong = claim.matrix.as_mutable()
    wrong[0, 0] += sympy.Rational(1, 2**60)
    forged = dataclasses.replace(
        proof.certificate, claim=dataclasses.replace(claim, matrix=sympy.ImmutableMatrix(wrong))
    )
    assert forged.claim.polys is None
    with pytest.raises(CertificateError):
        symnet.kernel.check(forged)


def test_not_polynomials_at_all_are_rejected() -> None:
    proof = _proof()
    polys = proof.certificate.claim.polys
    assert polys is not None
    repeated = dataclasses.replace(polys, gens=polys.gens[:-1] + polys.gens[:1])
    listed = dataclasses.replace(polys, gens=list(polys.gens))
    for bad in (
        _set(polys, 0, 0, sympy.Integer(1)),
        dataclasses.replace(polys, offset=polys.offset * 2),
        repeated,
        listed,
        "junk",
    ):
        claim = Claim.from_polys(proof.certificate.claim.shape, proof.certificate.claim.routes, bad)  # type: ignore[arg-type]
        with pytest.raises(CertificateError):
            symnet.kernel.check(dataclasses.replace(proof.certificate, claim=claim))


def test_a_polynomial_claim_pickles_and_deep_copies_to_the_same_checked_claim() -> None:
    proof = _proof()
    polys = proof.certificate.claim.polys
    assert polys is not None
    for copied in (pickle.loads(pickle.dumps(proof)), copy.deepcopy(proof)):
        again = copied.certificate.claim.polys
        assert again is not None and again.gens == polys.gens
        assert all(
            a == b for ra, rb in zip(again.matrix, polys.matrix, strict=True) for a, b in zip(ra, rb, strict=True)
        )
        assert copied == proof and copied.check()
    forged = pickle.loads(pickle.dumps(Proof(_with(proof, _off_by_tiny(polys, proof.network)))))
    with pytest.raises(CertificateError):
        forged.check()
