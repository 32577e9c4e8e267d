"""``Degree``: the proved exact degree in x of each output of a polynomial network."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..certificate.writing import ExpressionWriter, write_network
from ..errors import CertificateError
from ..model.display import Displayable
from ..model.network import Network, as_network
from . import _documents
from ._documents import DegreeDocument

__all__ = ["DEGREE_FORMAT", "Degree"]

DEGREE_FORMAT = "symnet.degree"

_ROUTES = {
    "bound_degree": "layer-wise bound (product of activation degrees), attained on a witness line",
    "expand_degree": "expansion in a sparse polynomial ring",
}


@dataclass(frozen=True, eq=False)
class Degree(Displayable, display_key="degree"):
    """The proved exact degree in x of each output of a polynomial network.

    ``degrees[i]`` is output i's degree (None when the output is the zero
    polynomial), ``degree`` the largest; ``certificate`` is plain data (JSON
    ready) that :meth:`check` re-verifies independently.
    """

    network: Network
    degrees: tuple[int | None, ...]
    certificate: dict[str, Any] = field(repr=False)

    @property
    def degree(self) -> int | None:
        """The largest degree among the outputs (None if every output is zero)."""
        known = [d for d in self.degrees if d is not None]
        return max(known) if known else None

    @property
    def is_linear(self) -> bool:
        """True when every output has degree at most 1 (affine in x)."""
        return all(d is None or d <= 1 for d in self.degrees)

    def check(self) -> bool:
        """Re-verify the certificate; True, or CertificateError naming the failing output and rule."""
        return _documents.check(self.document)

    @property
    def document(self) -> DegreeDocument:
        """The degree document the kernel checks: this object's network and its certificate's claims."""
        c = self.certificate
        if list(self.degrees) != list(c.get("degrees", ())):
            raise CertificateError("the degrees stated differ from the certificate's degrees", rule="degree")
        return DegreeDocument(
            self.network,
            tuple(c["degrees"]),
            tuple(c["routes"]),
            tuple(c["witnesses"]),
            tuple(tuple(r) for r in c.get("bounds", ())),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Degree:
        """Read a degree document written by :meth:`to_json`; CertificateError if malformed.  Call ``check()``."""
        doc: DegreeDocument = _documents.read(text, "degree")
        certificate: dict[str, Any] = {**doc.certificate, "bounds": [list(r) for r in doc.bounds]}
        return cls(as_network(doc.network), doc.degrees, certificate)

    def to_json(self) -> str:
        """The certificate and the network as a JSON document."""
        table = ExpressionWriter()
        network = write_network(table, self.network)
        doc = {
            "format": DEGREE_FORMAT,
            "version": 1,
            "expressions": table.nodes,
            "network": network,
            **self.certificate,
        }
        return json.dumps(doc, sort_keys=True)

    def to_text(self) -> str:
        """A plain-text statement of the degrees and how each is proved."""
        lines = [f"Degree in x of {self.network!r}: {self.degree}"]
        for i, (d, route) in enumerate(zip(self.degrees, self.certificate["routes"], strict=True)):
            shown = d if d is not None else "-oo (zero polynomial)"
            lines.append(f"  output {i + 1}: degree {shown} by {_ROUTES[route]}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Degree(degree={self.degree}, degrees={self.degrees})"
