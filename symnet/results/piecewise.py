"""``PiecewiseProof``: a proof that a piecewise-affine network is one affine map on a domain.

Its certificate is a regions document with the claim ``affine``: every region
has the same form ``W x + b`` (rule ``affine_on_domain``) and the regions cover
the domain.  The claim holds *on that domain*: when the domain is a box or a
polytope, :meth:`~PiecewiseProof.lambdify` and :meth:`~PiecewiseProof.to_python`
refuse points outside it, and the float exports (which would compute the form
everywhere) are refused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import sympy

from ..certificate import Certificate, Claim, Step
from ..certificate.writing import encode_q
from ..codegen import DOMAIN_KEY
from ..conversion import exact_ratio, exact_rational
from ..errors import CertificateError, CoqExportError, InvalidArgument
from ..model.exact import as_sympy
from ..render import regions as draw
from . import _documents
from ._documents import RegionsData
from ._rationals import fq
from .proof import Proof
from .regions import Regions

__all__ = ["PiecewiseProof"]


class PiecewiseProof(Proof):
    """A Proof whose certificate is a regions document: one affine form on every region, regions covering the domain.

    ``check()`` hands the regions document with its ``affine`` claim to the
    kernel (rule ``affine_on_domain``); ``to_json()`` writes that document,
    which ``symnet check`` re-verifies.  ``domain`` is the document's domain.
    """

    def __init__(self, certificate: Certificate, regions: Regions, document: Mapping[str, Any]) -> None:
        super().__init__(certificate)
        self.regions = regions
        self._document = document

    @property
    def domain(self) -> dict[str, Any]:
        """The domain the claim holds on: ``{"kind": "space"}``, a box or a polytope."""
        return self.regions.domain

    @classmethod
    def _from_document(cls, regions: Regions, document: Mapping[str, Any]) -> PiecewiseProof:
        """The proof whose claim is the document's own ``affine`` claim (never rebuilt from a region)."""
        claim = document["claim"]
        if claim is None or claim["kind"] != "affine":
            raise CertificateError("this regions document claims no affine form")
        net = regions.network
        matrix = sympy.ImmutableMatrix([[exact_rational(v) for v in row] for row in claim["matrix"]])
        offset = sympy.ImmutableMatrix([exact_rational(v) for v in claim["offset"]])
        meta: dict[str, Any] = {}
        if regions.domain.get("kind") != "space":
            meta[DOMAIN_KEY] = tuple(tuple(Fraction(*exact_ratio(v)) for v in row) for row in document["domain_rows"])
        stated = Claim("explicit", (net.q, net.p), ("piecewise",), matrix, offset)
        return cls(Certificate(net, (Step("affine_on_domain"),), stated, meta), regions, document)

    @classmethod
    def from_regions(cls, regs: Regions) -> PiecewiseProof:
        """The proof for regions on which the network has one form (``regs.is_affine``)."""
        if not regs.is_affine:
            raise InvalidArgument("the network is not affine on this domain: its regions have different forms")
        matrix, offset = regs.affine_form  # type: ignore[misc]
        claim = {
            "kind": "affine",
            "matrix": [[fq(matrix[i, j], "claim") for j in range(matrix.cols)] for i in range(matrix.rows)],
            "offset": [fq(v, "claim") for v in offset],
        }
        return cls._from_document(regs, regs._parsed(claim))

    @property
    def certificate_document(self) -> RegionsData:
        """The regions document with the ``affine`` claim, as the kernel checks it."""
        return RegionsData(self._document)

    def check(self) -> bool:
        """Re-verify the regions (cover, forms, facets) and that every region has the claimed form."""
        return _documents.check(self.certificate_document)

    def to_json(self) -> str:
        """The regions document with the ``affine`` claim (format ``symnet.regions``)."""
        m, b = as_sympy(self.certificate.claim.matrix), as_sympy(self.certificate.claim.offset)  # stored numbers
        assert m is not None and b is not None
        enc = encode_q
        claim = {
            "kind": "affine",
            "matrix": [[enc(fq(m[i, j], "claim")) for j in range(m.cols)] for i in range(m.rows)],
            "offset": [enc(fq(v, "claim")) for v in b],
        }
        return json.dumps(self.regions.to_data(claim), separators=(",", ":"), ensure_ascii=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> PiecewiseProof:
        """Load a regions document with an ``affine`` claim; CertificateError if malformed or without one.

        The stated claim is kept as written: ``check()`` rejects it if any region has another form.
        """
        data = _documents.read(text, "regions").parsed
        return cls._from_document(Regions._from_parsed(data), data)

    def to_coq(self, *, standalone: bool = True) -> str:
        """Refused: the Coq export follows the layer-wise steps, and this proof has regions instead."""
        raise CoqExportError(
            "a piecewise proof (regions certificate) has no Coq export; the Coq export follows layer-wise steps"
        )

    def to_text(self) -> str:  # type: ignore[override]
        """The derivation: the regions, their common form, the conclusion."""
        return draw.proof_text(self)

    def to_markdown(self) -> str:  # type: ignore[override]
        """The derivation as Markdown."""
        return draw.proof_markdown(self)

    def to_latex(self, *, document: bool = False) -> str:  # type: ignore[override]
        """The derivation as LaTeX (a complete document with ``document=True``)."""
        return draw.proof_latex(self, document=document)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, PiecewiseProof) and self.certificate == other.certificate and self.domain == other.domain
        )

    def __hash__(self) -> int:
        return hash(self.certificate)

    def __repr__(self) -> str:
        return f"PiecewiseProof({self.network!r}, {len(self.regions)} regions, one affine form)"
