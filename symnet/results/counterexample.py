"""``Counterexample``: an exact, self-checking refutation of "the output is affine in x"."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sympy

from ..certificate.documents import Value
from ..certificate.writing import ExpressionWriter, write_network
from ..certificate.writing import encode_q as encode_rational
from ..interop import coq
from ..kernel.counterexample import exact_values
from ..kernel.gate import gate_network
from ..model.display import Displayable
from ..model.network import Network, as_network
from ..render import refutation as _render
from ..render._numbers import DEFAULT_DIGITS
from . import _documents
from ._documents import CounterexampleDocument

__all__ = ["FORMAT", "VERSION", "Counterexample", "Value"]

FORMAT = "symnet.counterexample"
VERSION = 2


@dataclass(frozen=True)
class Counterexample(Displayable, display_key="counterexample"):
    """An exact, self-checking refutation of "the output is affine in x".

    ``weights`` maps each weight symbol of ``network`` to an exact Rational
    (empty for a numeric network); ``points`` is ``(u, v)``, tuples of exact
    Rationals; ``output`` is the 0-based index k of an output with
    ``f_k((u+v)/2) != (f_k(u)+f_k(v))/2``.  ``values`` are what the document
    states of ``f_k(u), f_k(v), f_k((u+v)/2)``: each an exact Rational, or a
    pair of Rationals ``(lo, hi)`` around a value that is not rational
    (:attr:`exact_values` gives the exact formulas); ``enclosure`` two rationals
    ``lo <= defect <= hi`` that exclude 0, where ``defect`` is
    ``f_k((u+v)/2) - (f_k(u)+f_k(v))/2``.  ``layer`` is the first hidden
    layer (1-based) whose activation is not affine.
    """

    network: Network
    weights: dict[sympy.Symbol, sympy.Rational]
    points: tuple[tuple[sympy.Rational, ...], tuple[sympy.Rational, ...]]
    output: int
    values: tuple[Value, Value, Value]
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
    def exact_values(self) -> tuple[sympy.Expr, sympy.Expr, sympy.Expr]:
        """The exact ``f_k(u), f_k(v), f_k((u+v)/2)`` as sympy values made from the network at the points (for
        display; formulas over every path through the network, slow for deep transcendental networks)."""
        if self.is_exact_rational:
            return self.values
        form = gate_network(self.network)
        u, v = self.points
        outs = exact_values(self.network, form, self.weights, (u, v, self.midpoint))
        fu, fv, fm = (out[self.output] for out in outs)
        return fu, fv, fm

    @property
    def defect(self) -> sympy.Expr:
        """The exact ``f_k((u+v)/2) - (f_k(u)+f_k(v))/2`` (non-zero): a Rational, or a formula made from the
        network (:attr:`exact_values`) when a value is stated by an enclosure."""
        fu, fv, fm = self.exact_values
        return fm - (fu + fv) / 2

    @property
    def is_exact_rational(self) -> bool:
        """True when every value, hence the defect, is stated as an exact rational (no interval arithmetic)."""
        return not any(isinstance(value, tuple) for value in self.values)

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
        values = [[enc(e[0]), enc(e[1])] if isinstance(e, tuple) else table.ref(e) for e in self.values]
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
        lo, hi = self.enclosure
        defect = self.defect if self.is_exact_rational else f"in [{lo}, {hi}]"
        return (
            f"Counterexample(output={self.output}, u={_tuple(self.points[0])}, v={_tuple(self.points[1])}, "
            f"defect={defect})"
        )


def _tuple(pt: Any) -> str:
    return "(" + ", ".join(str(c) for c in pt) + ")"
