"""``Bound``: the exact maximum and minimum of each output over a bounded domain, with a certificate.

``BoundVerdict`` answers "output_k <= t on the domain" with a certificate or an exact witness.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sympy
from flint import fmpq

from ..certificate.documents import domain_rows
from ..certificate.writing import encode_q
from ..conversion import exact_rational
from ..errors import InvalidArgument
from ..model.display import Displayable
from ..model.network import Network
from ..render import bound as draw
from ..render._numbers import DEFAULT_DIGITS
from . import _documents
from ._documents import BoundWitness, RegionsData
from ._rationals import fq
from .regions import Regions

__all__ = ["Bound", "BoundVerdict"]


@dataclass(frozen=True)
class BoundVerdict:
    """The answer to "output_k <= t on the domain": ``holds``, and either a certificate or an exact witness.

    ``witness`` is an input point with ``f_k(witness) > t`` when the statement
    is false (None otherwise); ``value`` is ``f_k`` there.  ``check()``
    re-verifies a true statement's certificate with the kernel, or the
    witness by an exact forward pass.
    """

    output: int
    threshold: sympy.Rational
    holds: bool
    witness: tuple[sympy.Rational, ...] | None
    value: sympy.Rational | None
    _bound: Bound

    def check(self) -> bool:
        """True when the verdict re-verifies (CertificateError otherwise)."""
        if self.holds:
            return _documents.check(
                RegionsData(self._bound._parsed([(self.output, "<=", fq(self.threshold, "t"), None)]))
            )
        x = [fq(v, "witness") for v in self.witness or ()]
        bound = self._bound
        return _documents.check(BoundWitness(bound.network, bound._drows, self.output, fq(self.threshold, "t"), x))

    def to_json(self) -> str:
        """The certificate of a true statement (a regions document with a ``bounds`` claim)."""
        if not self.holds:
            raise InvalidArgument("the statement is false; its refutation is the witness point")
        return self._bound._json([(self.output, "<=", fq(self.threshold, "t"), None)])


class Bound(Displayable, display_key="bound"):
    """Exact ``maximum``/``minimum`` of each output over the domain and points ``argmax``/``argmin`` attaining them."""

    def __init__(self, regs: Regions, best: list[dict[str, Any]]) -> None:
        self.regions = regs
        self.network: Network = regs.network
        self._best = best
        self._drows = domain_rows(regs.domain, self.network.p)

    @property
    def maximum(self) -> tuple[sympy.Rational, ...]:
        """The exact maximum of each output over the domain."""
        return tuple(exact_rational(b["max"]) for b in self._best)

    @property
    def minimum(self) -> tuple[sympy.Rational, ...]:
        """The exact minimum of each output over the domain."""
        return tuple(exact_rational(b["min"]) for b in self._best)

    @property
    def argmax(self) -> tuple[tuple[sympy.Rational, ...], ...]:
        """For each output, an exact input point where its maximum is attained (a vertex of a region)."""
        return tuple(tuple(exact_rational(v) for v in b["argmax"]) for b in self._best)

    @property
    def argmin(self) -> tuple[tuple[sympy.Rational, ...], ...]:
        """For each output, an exact input point where its minimum is attained."""
        return tuple(tuple(exact_rational(v) for v in b["argmin"]) for b in self._best)

    @property
    def region_of_max(self) -> tuple[int, ...]:
        """For each output, the index of a region in :attr:`regions` containing its argmax."""
        return tuple(b["argmax_region"] for b in self._best)

    def _claims(self) -> list[tuple[int, str, fmpq, list[fmpq] | None]]:
        out = []
        for k, b in enumerate(self._best):
            out.append((k, "<=", b["max"], b["argmax"]))
            out.append((k, ">=", b["min"], b["argmin"]))
        return out

    def _claim_data(self, claims: Sequence[tuple[int, str, fmpq, list[fmpq] | None]], encode: Any) -> dict[str, Any]:
        bounds = []
        for k, sense, t, point in claims:
            key = "lam_max" if sense == "<=" else "lam_min"
            bounds.append(
                {
                    "output": k,
                    "sense": sense,
                    "value": encode(t),
                    "point": None if point is None else [encode(v) for v in point],
                    "multipliers": [[[j, encode(v)] for j, v in lam] for lam in self._best[k][key]]
                    if encode is encode_q
                    else self._best[k][key],
                }
            )
        return {"kind": "bounds", "bounds": bounds}

    def _parsed(self, claims: Sequence[tuple[int, str, fmpq, list[fmpq] | None]] | None = None) -> Mapping[str, Any]:
        return self.regions._parsed(self._claim_data(claims if claims is not None else self._claims(), lambda v: v))

    def _json(self, claims: Sequence[tuple[int, str, fmpq, list[fmpq] | None]]) -> str:
        return json.dumps(
            self.regions.to_data(self._claim_data(claims, encode_q)), separators=(",", ":"), ensure_ascii=True
        )

    @property
    def certificate(self) -> RegionsData:
        """The regions document with the ``bounds`` claim, as the kernel checks it."""
        return RegionsData(self._parsed())

    def check(self) -> bool:
        """Re-verify the regions, ``min <= f_k <= max`` for each output on every region, and the attaining points."""
        return _documents.check(self.certificate)

    def to_json(self) -> str:
        """The regions document with the ``bounds`` claim (max and min of every output, attained)."""
        return self._json(self._claims())

    def at_most(self, t: Any, output: int = 0) -> BoundVerdict:
        """Decide "output <= t on the domain" exactly: a certified verdict or an exact witness above t."""
        k = self._output(output)
        tq = fq(t, "t")
        b = self._best[k]
        if b["max"] <= tq:
            return BoundVerdict(k, exact_rational(tq), True, None, None, self)
        argmax = tuple(exact_rational(v) for v in b["argmax"])
        return BoundVerdict(k, exact_rational(tq), False, argmax, exact_rational(b["max"]), self)

    def _output(self, output: int) -> int:
        if isinstance(output, bool) or not isinstance(output, int) or not 0 <= output < self.network.q:
            raise InvalidArgument(
                f"output={output!r} is not an output index of a network with {self.network.q} outputs"
            )
        return output

    # -------------------------------------------------------- renderings
    def to_text(self, *, digits: int | None = DEFAULT_DIGITS) -> str:
        """The bounds as plain text: each output's maximum and minimum, exact with a decimal beside long values."""
        return draw.to_text(self, digits=digits)

    def to_markdown(self, *, digits: int | None = DEFAULT_DIGITS) -> str:
        """The bounds as Markdown: a sentence and a table with ``$...$`` math."""
        return draw.to_markdown(self, digits=digits)

    def to_latex(self, *, document: bool = False, digits: int | None = DEFAULT_DIGITS) -> str:
        """The bounds as LaTeX (a complete pdflatex document with ``document=True``)."""
        return draw.to_latex(self, document=document, digits=digits)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return f"Bound(maximum={self.maximum}, minimum={self.minimum})"
