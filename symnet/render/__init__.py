"""Renderers: a proof as a step-by-step derivation in LaTeX, Markdown or text.

The pipeline reads in one line: a Proof (or certificate) is turned into a
format-neutral :class:`~symnet.render._document.Derivation` (sections, prose,
aligned displays of small math trees), which one module per format prints.
Renderers read the proof's data only; they never call the engine or the
kernel.  The same proof always gives the same bytes.

Every renderer takes the same keyword options:

* ``rules`` (default True): tag each step with the certificate rule that
  justifies it; ``rules=False`` leaves the tags out;
* ``explicit`` (default False): ``explicit=True`` writes every coefficient β
  out term by term, whatever the size rule says;
* ``digits`` (default 6): significant digits of numbers that are not short
  enough to print exactly; ``digits=None`` prints every number exactly
  (:mod:`symnet.render._numbers`).

The size rule (what is written out and what is elided) is documented in
:mod:`symnet.render._derivation`; every LaTeX document uses one preamble,
:data:`symnet.render._latex.PREAMBLE`.
"""

from __future__ import annotations

from typing import Any

from ..errors import InvalidType
from ..model import display
from . import (
    _display,  # noqa: F401  (registers the objects' drawers with symnet.model.display)
    _latex,
    _markdown,
    _text,
)
from ._atoms import MAX_COEFFS, MAX_SHOWN, MAX_TERMS, NUMBERS
from ._collapse import _Builder
from ._derivation import build, without_rules
from ._math import latex
from ._numbers import DEFAULT_DIGITS, NumberFormat
from ._view import View

__all__ = [
    "DEFAULT_DIGITS",
    "MAX_COEFFS",
    "MAX_SHOWN",
    "MAX_TERMS",
    "latex_claim",
    "network_latex",
    "repr_latex",
    "to_latex",
    "to_markdown",
    "to_text",
]


def _derive(proof: Any, fmt: str, rules: bool, explicit: bool, digits: int | None) -> Any:
    if not isinstance(rules, bool):
        raise InvalidType(f"rules must be True or False, not {type(rules).__name__}")
    d = build(proof, fmt, explicit=explicit, digits=digits)
    return d if rules else without_rules(d)


def to_latex(proof: Any, *, document: bool = False, rules: bool = True, explicit: bool = False,
             digits: int | None = DEFAULT_DIGITS) -> str:
    """The derivation as LaTeX (amsmath ``align*``, ``bmatrix``).

    With ``document=True`` a complete document that compiles with pdflatex.
    """
    return _latex.render(_derive(proof, "latex", rules, explicit, digits), document=document)


def to_markdown(proof: Any, *, rules: bool = True, explicit: bool = False, digits: int | None = DEFAULT_DIGITS) -> str:
    """The derivation as Markdown with ``$…$`` and ``$$…$$`` math."""
    return _markdown.render(_derive(proof, "markdown", rules, explicit, digits))


def to_text(proof: Any, *, rules: bool = True, explicit: bool = False, digits: int | None = DEFAULT_DIGITS) -> str:
    """The derivation as plain Unicode text."""
    return _text.render(_derive(proof, "text", rules, explicit, digits))


def latex_claim(proof: Any) -> str:
    """The proved linear form as one math-mode LaTeX string (for ``sympy.latex``).

    ``\\hat{y} = \\beta_0 + \\beta_1 x_1 + \\dots`` with every β written out in
    natural order when the size rule allows, else in Σ-notation.
    """
    d = build(proof, "latex")
    conclusion = next(s for s in d.sections if s.title == "Conclusion")
    parts = [
        latex(line.rhs) if line.lhs is None else f"{latex(line.lhs)} {line.rel} {latex(line.rhs)}"
        for line in conclusion.display
    ]
    return " \\quad ".join(parts).rstrip(".")


def repr_latex(proof: Any) -> str:
    """The claim and its coefficients as display math, for Jupyter's ``_repr_latex_``."""
    d = build(proof, "latex")
    conclusion = next(s for s in d.sections if s.title == "Conclusion")
    return "$$\n" + _latex.display(conclusion.display).replace("align*", "aligned") + "\n$$"


def network_latex(net: Any) -> str:
    """A network as display math (its definitions: node outputs and matrices), for ``_repr_latex_``."""
    token = NUMBERS.set(NumberFormat(DEFAULT_DIGITS))
    try:
        return _network_latex(net)
    finally:
        NUMBERS.reset(token)


def _network_latex(net: Any) -> str:
    b = _Builder(View(net, (), False, None, None), "latex")
    sections = b.node_outputs() + b.matrix_form() if b.L else []
    lines = [line for s in sections for line in s.display]
    if b.L == 0:
        layer = net.layers[0]
        xs = [b.x(j) for j in range(1, b.p + 1)]
        for i in range(b.q):
            lines += b.broken(b.yhat(i + 1), b.entry_sum([layer.biases[i], *layer.weights.row(i)], xs))
    return "$$\n" + _latex.display(tuple(lines)).replace("align*", "aligned") + "\n$$"


def proof_markdown(proof: Any) -> str:
    """A proof for Jupyter's ``text/markdown``: its repr, then the claim as display math."""
    return f"`{proof!r}`\n\n" + repr_latex(proof)


display.register("network_latex", network_latex)
display.register("proof", "latex", latex_claim)
display.register("proof", "markdown", proof_markdown)
