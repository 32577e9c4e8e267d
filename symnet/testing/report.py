"""The report of :func:`symnet.crosscheck`: per kind of instantiation, and the shrunk disagreement."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy

from ..model.display import Displayable
from ..model.network import Network

__all__ = ["FLOAT_TOLERANCE_RULE", "CrosscheckReport", "Disagreement", "KindResult"]

#: The float tolerance rule, as stated in every report that uses floats.
FLOAT_TOLERANCE_RULE = (
    "|forward - claim| <= gamma(D_net)*M_net + gamma(D_claim)*M_claim, per output and sample; "
    "gamma(k) = k*u/(1 - k*u), u = 2**-53; D = depth (longest chain of float operations) of each side; "
    "M = the same computation on absolute values (|W||x| + |b| layer by layer), which bounds every partial sum"
)


@dataclass(frozen=True)
class Disagreement:
    """A (shrunk) instantiation at which the network and the claim differ.

    ``weights`` maps each parameter symbol to its value and ``x`` is the
    input, so ``network.evaluate(x, weights)`` reproduces ``network_value``.
    Exact kinds hold sympy Integers and Rationals; the float kind holds
    Python floats, and ``tolerance`` is the per-output bound that was
    exceeded.
    """

    kind: str
    weights: Mapping[sympy.Symbol, Any]
    x: tuple[Any, ...]
    network_value: tuple[Any, ...]
    claim_value: tuple[Any, ...]
    output: int
    tolerance: tuple[float, ...] | None = None

    def to_text(self) -> str:
        """A few readable lines: the non-zero weights, x and both values."""
        nonzero = [f"{s} = {v}" for s, v in self.weights.items() if v != 0]
        zero = len(self.weights) - len(nonzero)
        lines = [f"counterexample ({self.kind} instantiation, shrunk):"]
        if self.weights:
            shown = ", ".join(nonzero) if nonzero else "(none)"
            lines.append(f"  weights: {shown}" + (f"; all {zero} others 0" if nonzero and zero else ""))
            if not nonzero:
                lines[-1] = f"  weights: all {zero} are 0"
        lines.append(f"  x = ({', '.join(str(v) for v in self.x)})")
        lines.append(f"  network output: ({', '.join(str(v) for v in self.network_value)})")
        lines.append(f"  claimed form:   ({', '.join(str(v) for v in self.claim_value)})")
        where = f"  first difference at output {self.output + 1}"
        if self.tolerance is not None:
            where += f" (tolerance {self.tolerance[self.output]:.3g})"
        lines.append(where)
        return "\n".join(lines)


@dataclass(frozen=True)
class KindResult:
    """What one kind of instantiation (``int``, ``rational`` or ``float``) showed.

    ``samples`` is how many instantiations were evaluated before the search
    stopped (all of them, or up to the first disagreement); ``skipped``
    says why a kind was not run.  For floats, ``max_tolerance`` is the
    largest tolerance used and ``max_error`` the largest difference seen.
    """

    kind: str
    samples: int
    agree: bool
    exact: bool
    counterexample: Disagreement | None = None
    max_tolerance: float | None = None
    max_error: float | None = None
    skipped: str | None = None

    def to_text(self) -> str:
        """One line for the report."""
        if self.skipped is not None:
            return f"  {self.kind:<9} skipped: {self.skipped}"
        if not self.agree:
            return f"  {self.kind:<9} {self.samples:>6} samples  DISAGREE (at sample {self.samples})"
        if self.exact:
            return f"  {self.kind:<9} {self.samples:>6} samples  agree exactly"
        return (
            f"  {self.kind:<9} {self.samples:>6} samples  agree within tolerance "
            f"(largest tolerance {self.max_tolerance:.3g}, largest difference {self.max_error:.3g})"
        )


@dataclass(frozen=True)
class CrosscheckReport(Displayable, display_key="crosscheck_report"):
    """The outcome of :func:`crosscheck`; truthy exactly when everything evaluated agrees.

    ``agree`` is True only when at least one instantiation was evaluated and
    every one agreed; ``samples`` counts the instantiations evaluated;
    ``kinds`` has one :class:`KindResult` per kind; ``counterexample`` is
    the first kind's shrunk :class:`Disagreement` (``None`` when all agree).
    """

    agree: bool
    samples: int
    kinds: tuple[KindResult, ...]
    seed: int
    network: Network
    claim_source: str
    counterexample: Disagreement | None = None
    tolerance_rule: str | None = field(default=None)

    def __bool__(self) -> bool:
        return self.agree

    @property
    def samples_per_kind(self) -> dict[str, int]:
        """``{kind: samples evaluated}``."""
        return {k.kind: k.samples for k in self.kinds}

    def to_text(self) -> str:
        """The report as plain text (what ``symnet crosscheck`` prints)."""
        verdict = "AGREE" if self.agree else "DISAGREE"
        lines = [
            f"crosscheck: {verdict} ({self.samples} instantiations evaluated, seed {self.seed})",
            f"network: {self.network!r}",
            f"claim: {self.claim_source}",
        ]
        lines += [k.to_text() for k in self.kinds]
        if self.tolerance_rule is not None:
            lines.append(f"float tolerance: {self.tolerance_rule}")
        if self.counterexample is not None:
            lines.append(self.counterexample.to_text())
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return (
            f"CrosscheckReport(agree={self.agree}, samples={self.samples}, seed={self.seed}, "
            f"samples_per_kind={self.samples_per_kind}, network={self.network!r})"
        )
