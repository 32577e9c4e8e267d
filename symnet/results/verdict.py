"""``Verdict``: the answer of :func:`symnet.verify` -- holds, violated or unknown -- with its exact certificate.

A "holds" verdict carries a split tree of the input box with, on its nodes,
multipliers proving every disjunct of the violation infeasible; a "violated"
verdict an exact input and its exact output.  Both are one document (format
``symnet.verification``) that :mod:`symnet.kernel.verification` checks;
:func:`symnet.verify` reports "holds" or "violated" only after the kernel
accepted it.  An "unknown" verdict has no certificate (``reason`` says why).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from flint import fmpq

from ..certificate.verification import VerificationDocument, read_tree
from ..certificate.writing import ExpressionWriter, encode_q, write_network
from ..errors import InvalidArgument
from ..model.network import Network, as_network
from . import _documents

__all__ = ["FORMAT", "VERSION", "Verdict", "VerifyProgress"]

FORMAT = "symnet.verification"
VERSION = 1
FRow = tuple[tuple[Fraction, ...], Fraction]


def _fmpq(v: Fraction) -> fmpq:
    return fmpq(v.numerator, v.denominator)


@dataclass(frozen=True)
class VerifyProgress:
    """A progress report of a running verification (about once a second).

    ``bound`` is the lowest float lower bound of an open disjunct's best row over
    the boxes split last (it rises towards 0 as the search closes boxes); None
    when unknown (before any split, and while subtrees run in worker processes).
    """

    open: int
    closed: int
    bound: float | None
    elapsed: float


@dataclass(frozen=True, eq=False)
class Verdict:
    """The answer to "no input of the set violates the property": ``status`` "holds", "violated" or "unknown".

    ``box``, ``input_constraints`` (rows ``a . x + e <= 0``) and ``disjuncts``
    (the violation: OR over disjuncts of AND over rows ``c . y + d <= 0``) are
    the property as checked.  ``counterexample`` and ``output`` are exact (a
    "violated" verdict); ``tree`` is the split tree in the document's preorder
    form (a "holds" verdict).  ``stats`` counts leaves, splits, LPs and timings.
    """

    status: str
    network: Network
    box: tuple[tuple[Fraction, Fraction], ...]
    input_constraints: tuple[FRow, ...]
    disjuncts: tuple[tuple[FRow, ...], ...]
    counterexample: tuple[Fraction, ...] | None = None
    output: tuple[Fraction, ...] | None = None
    tree: tuple[Any, ...] = ()
    reason: str = ""
    elapsed: float = 0.0
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def certificate(self) -> VerificationDocument:
        """What the verdict states, as the document the kernel checks (InvalidArgument for "unknown")."""
        if self.status not in ("holds", "violated"):
            raise InvalidArgument(f"an {self.status!r} verdict has no certificate ({self.reason})")

        def row(r: FRow) -> Any:
            return tuple(_fmpq(c) for c in r[0]), _fmpq(r[1])

        disjuncts = tuple(tuple(row(r) for r in conj) for conj in self.disjuncts)
        cons = tuple(row(r) for r in self.input_constraints)
        box = tuple((_fmpq(lo), _fmpq(hi)) for lo, hi in self.box)
        x = None if self.counterexample is None else tuple(_fmpq(v) for v in self.counterexample)
        y = None if self.output is None else tuple(_fmpq(v) for v in self.output)
        tree = (
            read_tree(list(self.tree), self.network.p, disjuncts, len(cons), self.network.hidden)
            if self.status == "holds"
            else ()
        )
        return VerificationDocument(self.network, box, cons, disjuncts, self.status, x, y, tree)

    def check(self) -> bool:
        """Re-verify the certificate with the kernel; True, or CertificateError."""
        return _documents.check(self.certificate)

    def to_json(self) -> str:
        """The certificate document (format ``symnet.verification``), deterministic JSON text."""
        self.certificate  # noqa: B018 - refuses an "unknown" verdict
        table = ExpressionWriter()
        network = write_network(table, self.network)
        enc = encode_q

        def row(r: FRow) -> list[Any]:
            return [[enc(c) for c in r[0]], enc(r[1])]

        doc: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "expressions": table.nodes,
            "network": network,
            "property": {
                "box": [[enc(lo), enc(hi)] for lo, hi in self.box],
                "input_constraints": [row(r) for r in self.input_constraints],
                "disjuncts": [[row(r) for r in conj] for conj in self.disjuncts],
            },
            "status": self.status,
        }
        if self.status == "violated":
            assert self.counterexample is not None and self.output is not None
            doc["counterexample"] = [enc(v) for v in self.counterexample]
            doc["output"] = [enc(v) for v in self.output]
        else:
            doc["tree"] = list(self.tree)
        return json.dumps(doc, separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> Verdict:
        """Read a verification document; CertificateError if malformed (check it with :meth:`check`)."""
        doc: VerificationDocument = _documents.read(text, "verification")

        def fr(v: Any) -> Fraction:
            return Fraction(int(v.p), int(v.q))

        def row(r: Any) -> FRow:
            return tuple(fr(c) for c in r[0]), fr(r[1])

        def node(n: Any) -> list[Any]:
            proofs = [
                [j, [[k, str(v)] for k, v in m], *([[[*t[:2], str(t[2])] for t in a]] if a else [])]
                for j, m, a in n[-1]
            ]
            return ["split", n[1], str(n[2]), proofs] if n[0] == "split" else ["leaf", proofs]

        return cls(
            doc.status,
            as_network(doc.network),
            tuple((fr(lo), fr(hi)) for lo, hi in doc.box),
            tuple(row(r) for r in doc.input_constraints),
            tuple(tuple(row(r) for r in conj) for conj in doc.disjuncts),
            None if doc.counterexample is None else tuple(fr(v) for v in doc.counterexample),
            None if doc.output is None else tuple(fr(v) for v in doc.output),
            tuple(node(n) for n in doc.tree),
        )

    def __repr__(self) -> str:
        extra = f", reason={self.reason!r}" if self.reason else ""
        if self.counterexample is not None:
            extra += f", counterexample={tuple(str(v) for v in self.counterexample)}"
        return f"Verdict({self.status!r}{extra}, elapsed={self.elapsed:.3f})"
