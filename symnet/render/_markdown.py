"""Markdown output: prose with ``$…$`` inline math and ``$$`` display blocks."""

from __future__ import annotations

from ..names import markdown_code, markdown_text
from ._derivation import Derivation, Inline, Line, Section
from ._math import Math, latex

__all__ = ["render"]


def inline(items: tuple[Inline, ...]) -> str:
    return "".join("$" + latex(i) + "$" if isinstance(i, Math) else _escape(i) for i in items)


def _escape(s: str) -> str:
    return markdown_text(s)


def display(lines: tuple[Line, ...]) -> str:
    body = []
    for line in lines:
        if line.lhs is None:
            body.append(r"&\quad " + latex(line.rhs))
        else:
            body.append(latex(line.lhs) + " &" + line.rel + " " + latex(line.rhs))
    return "$$\n\\begin{aligned}\n" + " \\\\\n".join(body) + "\n\\end{aligned}\n$$"


def section(sec: Section) -> str:
    head = f"**{_escape(sec.title)}.**"
    if sec.rule is not None:
        head += f" (rule {markdown_code(sec.rule)})"
    parts = [head + (" " + inline(sec.before) if sec.before else "")]
    if sec.display:
        parts.append(display(sec.display))
    if sec.after:
        parts.append(inline(sec.after))
    return "\n\n".join(parts)


def render(d: Derivation) -> str:
    """The derivation as Markdown."""
    return f"## {inline(d.heading) if d.heading else d.title}\n\n" + "\n\n".join(section(s) for s in d.sections) + "\n"
