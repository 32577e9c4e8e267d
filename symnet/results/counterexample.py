"""``Counterexample``: an exact, self-checking refutation of "the output is affine in x"."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sympy

from ..certificate.writing import ExpressionWriter, write_network
from ..certificate.writing import encode_q as encode_rational
from ..interop import coq
from ..model.display import Displayable
from ..model.network import Network, as_network
from ..render import refutation as _render
from ..render._numbers import DEFAULT_DIGITS
from . import _documents
from ._documents import CounterexampleDocument

__all__ = ["FORMAT", "VERSION", "Counterexample"]

FORMAT = "symnet.counterexample"
VERSION = 1


@dataclass(frozen=True)
class Counterexample(Displayable, display_key="counterexample"):
    """An exact, self-checking refutation of "the output is affine in x".

    ``weights`` maps each weight symbol of ``network`` to an exact Rational
    (empty for a numeric network); ``points`` is ``(u, v)``, tuples of exact
    Rationals; ``output`` is the 0-based index k of an output with
    ``f_k((u+v)/2) != (f_k(u)+f_k(v))/2``.  ``values`` are the exact
    ``f_k(u), f_k(v), f_k((u+v)/2)`` and ``enclosure`` two rationals
    ``lo <= defect <= hi`` that exclude 0, where ``defect`` is
    ``f_k((u+v)/2) - (f_k(u)+f_k(v))/2``.  ``layer`` is the first hidden
    layer (1-based) whose activation is not affine.
    """

    network: Network
    weights: dict[sympy.Symbol, sympy.Rational]
    points: tuple[tuple[sympy.Rational, ...], tuple[sympy.Rational, ...]]
    output: int
    values: tuple[sympy.Expr, sympy.Expr, sympy.Expr]
    enclosure: tuple[sympy.Rational, sympy.Rational]
    layer: int | None = None

    def __hash__(self) -> int:
        return hash((self.network, self.points, self.output))

    @property
    def certificate(self) -> CounterexampleDocument:
        """What the counterexample states, as the plain data the kernel checks and the exporters read."""
        return CounterexampleDocument(
            self.network, self.weights, self.points, self.output, self.values, self.enclosure, self.layer
        )

    @property
    def midpoint(self) -> tuple[sympy.Rational, ...]:
        """``(u + v)/2``."""
        u, v = self.points
        return tuple((a + b) / 2 for a, b in zip(u, v, strict=True))

    @property
    def defect(self) -> sympy.Expr:
        """The exact ``f_k((u+v)/2) - (f_k(u)+f_k(v))/2`` (non-zero)."""
        fu, fv, fm = self.values
        return fm - (fu + fv) / 2

    @property
    def is_exact_rational(self) -> bool:
        """True when the defect is a rational number (no interval arithmetic needed)."""
        return bool(self.defect.is_Rational)

    def check(self) -> bool:
        """Re-verify independently; True, or CertificateError on any defect."""
        return _documents.check(self.certificate)

    # ------------------------------------------------------------ rendering
    def _weight_items(self) -> list[tuple[sympy.Symbol, sympy.Rational]]:
        return [(s, self.weights[s]) for s in self.network.parameters if s in self.weights]

    def to_text(self, *, digits: int | None = DEFAULT_DIGITS) -> str:
        """A plain-text refutation (deterministic, 78 columns): the network, its weights, the points, the defect."""
        return _render.to_text(self, digits=digits)

    def to_markdown(self, *, digits: int | None = DEFAULT_DIGITS) -> str:
        """A Markdown refutation with ``$...$`` math."""
        return _render.to_markdown(self, digits=digits)

    def to_latex(self, document: bool = False, *, digits: int | None = DEFAULT_DIGITS) -> str:
        """An amsmath refutation; ``document=True`` gives a complete pdflatex document (the derivations' preamble)."""
        return _render.to_latex(self, document=document, digits=digits)

    # ---------------------------------------------------------------- export
    def to_coq(self, *, standalone: bool = True) -> str:
        """A Coq file proving the two points, the exact defect and non-affinity (see :mod:`symnet.interop.coq`)."""
        return coq.counterexample_to_coq(self.certificate, standalone=standalone)

    def to_json(self) -> str:
        """A JSON document; :meth:`from_json` reads it back (and never evaluates text)."""
        enc = encode_rational
        table = ExpressionWriter()
        network = write_network(table, self.network)
        values = [table.ref(e) for e in self.values]
        doc: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "expressions": table.nodes,
            "network": network,
            "weights": {s.name: enc(val) for s, val in self._weight_items()},
            "points": [[enc(c) for c in pt] for pt in self.points],
            "output": self.output,
            "values": values,
            "enclosure": [enc(c) for c in self.enclosure],
            "layer": self.layer,
        }
        return json.dumps(doc, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> Counterexample:
        """Read a counterexample written by :meth:`to_json`; CertificateError if malformed."""
        data: CounterexampleDocument = _documents.read(text, "counterexample")
        net = as_network(data.network)
        return cls(net, dict(data.weights), data.points, data.output, data.values, data.enclosure, data.layer)

    def __repr__(self) -> str:
        return (
            f"Counterexample(output={self.output}, u={_tuple(self.points[0])}, v={_tuple(self.points[1])}, "
            f"defect={self.defect})"
        )


def _tuple(pt: Any) -> str:
    return "(" + ", ".join(str(c) for c in pt) + ")"
