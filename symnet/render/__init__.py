"""Renderers: a proof as a step-by-step derivation in LaTeX, Markdown or text.

The pipeline reads in one line: a Proof (or certificate) is turned into a
format-neutral :class:`~symnet.render._derivation.Derivation` (sections, prose,
aligned displays of small math trees), which one module per format prints.
Renderers read the proof's data only; they never call the engine or the
kernel.  The same proof always gives the same bytes.

The size rule (what is written out and what is elided) is documented in
:mod:`symnet.render._derivation`.
"""

from __future__ import annotations

from typing import Any

from . import _latex, _markdown, _text
from ._derivation import MAX_COEFFS, MAX_SHOWN, MAX_TERMS, build

__all__ = [
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


def to_latex(proof: Any, *, document: bool = False) -> str:
    """The derivation as LaTeX (amsmath ``align*``, ``bmatrix``).

    With ``document=True`` a complete document that compiles with pdflatex.
    """
    return _latex.render(build(proof, "latex"), document=document)


def to_markdown(proof: Any) -> str:
    """The derivation as Markdown with ``$…$`` and ``$$…$$`` math."""
    return _markdown.render(build(proof, "markdown"))


def to_text(proof: Any) -> str:
    """The derivation as plain Unicode text."""
    return _text.render(build(proof))
