"""The one reader and the one checker every result object goes through.

``read(text, kind)`` is :func:`symnet.certificate.read` (the one format
table) with a check that the document is of the expected kind;
``check(document)`` is :func:`symnet.kernel.check`.  Every ``from_json`` and
every ``check()`` of :mod:`symnet.results` calls these and nothing else, so a
result object can never check something other than its document.

The regions results keep their document as plain data (``regions_data`` /
``regions_document`` convert, losslessly, between that and the
:class:`~symnet.certificate.documents.RegionsDocument` the kernel checks).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flint import fmpq

from .. import kernel
from ..certificate.documents import Bound, CounterexampleDocument, DegreeDocument, RegionRecord, RegionsDocument
from ..certificate.formats import read as _read
from ..certificate.formats import read_data as _read_data
from ..errors import CertificateError, SymnetError
from ..kernel import regions_cert as _regions
from ..model.network import Network, as_network

__all__ = [
    "BoundWitness",
    "CounterexampleDocument",
    "DegreeDocument",
    "RegionsData",
    "check",
    "read",
    "regions_data",
    "regions_document",
]


@dataclass(frozen=True, eq=False)
class RegionsData:
    """A regions document as the regions results keep it (plain data, claim included)."""

    parsed: Mapping[str, Any]


@dataclass(frozen=True, eq=False)
class BoundWitness:
    """A refutation of "output_k <= t on the domain": a point of the domain (rows ``b + a . x >= 0``) above t."""

    network: Network
    domain_rows: Sequence[Sequence[fmpq]]
    output: int
    threshold: fmpq
    point: Sequence[fmpq]


# ------------------------------------------------------------------ reading
def read(text: str | bytes | Mapping[str, Any], kind: str) -> Any:
    """The document of ``text`` (JSON text, or its parsed data) if it is of ``kind``; CertificateError otherwise.

    ``kind`` is one of the kinds of :data:`symnet.certificate.FORMATS` (``linear``,
    ``generic``, ``counterexample``, ``degree``, ``regions``).  A regions document
    comes back as :class:`RegionsData`.
    """
    doc = _read_data(dict(text)) if isinstance(text, Mapping) else _read(text)
    if hasattr(doc, "network") and not hasattr(doc.network, "sizes"):  # the user-facing view of the same network
        try:
            doc = dataclasses.replace(doc, network=as_network(doc.network))
        except SymnetError as exc:
            raise CertificateError(f"malformed certificate: network: {exc}") from None
    got = "generic" if not hasattr(type(doc), "kind") else type(doc).kind
    if got != kind:
        raise CertificateError(f"malformed certificate: expected a {kind} document, got a {got} document")
    return RegionsData(regions_data(doc)) if isinstance(doc, RegionsDocument) else doc


def regions_data(doc: RegionsDocument) -> dict[str, Any]:
    """A regions document as plain data (what ``Regions`` keeps), claim included."""
    claim: dict[str, Any] | None = None
    if doc.claim is not None and doc.claim[0] == "affine":
        claim = {"kind": "affine", "matrix": doc.claim[1], "offset": doc.claim[2]}
    elif doc.claim is not None:
        claim = {"kind": "bounds", "bounds": [vars(b) for b in doc.claim[1]]}
    return {
        "network": doc.network,
        "domain": doc.domain,
        "domain_rows": doc.domain_rows,
        "units": doc.units,
        "regions": [vars(r) for r in doc.regions],
        "claim": claim,
    }


def regions_document(data: Mapping[str, Any]) -> RegionsDocument:
    """The :class:`RegionsDocument` of plain regions data (the inverse of :func:`regions_data`)."""
    regs = tuple(
        RegionRecord(
            tuple(d["pattern"]),
            d["matrix"],
            d["offset"],
            d["interior_point"],
            d["inequalities"],
            list(d["facets"]),
            list(d["implied"]),
        )
        for d in data["regions"]
    )
    claim: Any = data.get("claim")
    if claim is not None and claim["kind"] == "affine":
        claim = ("affine", claim["matrix"], claim["offset"])
    elif claim is not None:
        claim = (
            "bounds",
            tuple(Bound(b["output"], b["sense"], b["value"], b["point"], b["multipliers"]) for b in claim["bounds"]),
        )
    return RegionsDocument(data["network"], dict(data["domain"]), data["domain_rows"], data["units"], regs, claim)


# ----------------------------------------------------------------- checking
def _check_bound_witness(data: BoundWitness) -> bool:
    x = list(data.point)
    if len(x) != data.network.p or not 0 <= data.output < data.network.q:
        raise CertificateError("the witness is not a point of the input space, or the output does not exist")
    inside = all(
        row[0] + sum((a * v for a, v in zip(row[1:], x, strict=True)), fmpq(0)) >= 0 for row in data.domain_rows
    )
    got = _regions.forward(_regions.network_pieces(data.network), x)[data.output]
    if not (inside and got > data.threshold):
        raise CertificateError("the witness does not exceed the threshold inside the domain", rule="refute_bound")
    return True


def check(document: Any) -> bool:
    """Re-verify a document with :func:`symnet.kernel.check`: True, or CertificateError.

    A :class:`BoundWitness` (a point above a threshold) is checked by the
    kernel's exact forward pass.
    """
    if isinstance(document, BoundWitness):
        return _check_bound_witness(document)
    if isinstance(document, RegionsData):
        document = regions_document(document.parsed)
    return kernel.check(document)
