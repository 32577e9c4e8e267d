"""The format-neutral derivation: titled sections of prose and aligned displays.

Built by :mod:`symnet.render._derivation` (and the generic, refutation and
theorem builders); printed by one module per format.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._math import Math

__all__ = ["Derivation", "Inline", "Line", "Section", "without_rules"]

#: A piece of prose: words, or inline math.
Inline = str | Math


@dataclass(frozen=True)
class Line:
    """One line of a display: ``lhs rel rhs``; ``lhs`` None continues the line above."""

    lhs: Math | None
    rel: str
    rhs: Math


@dataclass(frozen=True)
class Section:
    """A titled paragraph: prose, an aligned display, more prose."""

    title: str
    rule: str | None
    before: tuple[Inline, ...]
    display: tuple[Line, ...] = ()
    after: tuple[Inline, ...] = ()


@dataclass(frozen=True)
class Derivation:
    """The whole derivation: a title and its sections."""

    title: str
    sections: tuple[Section, ...]
    #: The title with its math set as math (LaTeX, Markdown); empty: the plain ``title``.
    heading: tuple[Inline, ...] = ()


def without_rules(d: Derivation) -> Derivation:
    """The derivation with its rule tags removed (``rules=False``)."""
    return Derivation(
        d.title, tuple(Section(s.title, None, s.before, s.display, s.after) for s in d.sections), d.heading
    )
