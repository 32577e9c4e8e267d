"""A :class:`~symnet.results.bound.Bound` as text, Markdown and LaTeX.

For each output: its exact maximum and minimum over the domain and a point
where each is attained.  Numbers follow the one number rule
(:func:`symnet.render._words.beside`): exact when short, else the exact value
with its decimal to ``digits`` significant digits beside it, or the decimal
alone when the exact value is very long (a note, once, says where the exact
values are).  Drawn from the object's data only; nothing is searched or
checked here.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

from ..model import display
from ..names import markdown_text
from ._latex import PREAMBLE
from ._latex import _escape as tex_escape
from ._numbers import DEFAULT_DIGITS, NumberFormat
from ._words import MAX_BESIDE, beside, network_words
from .regions import TEXT_WIDTH, _domain

__all__ = ["bound_latex", "summary", "to_latex", "to_markdown", "to_text"]


class _Rows:
    """The numbers of one rendering: (output, which, value, point) with the strings of one format."""

    def __init__(self, b: Any, digits: int | None) -> None:
        self.numbers = NumberFormat(digits)
        self.digits = digits
        self.shortened = False
        self.b = b

    def value(self, r: Any) -> tuple[str, str]:
        tex, txt = beside(self.numbers, r)
        self.shortened |= txt.startswith("≈")
        return tex, txt

    def point(self, pt: Sequence[Any]) -> tuple[str, str]:
        pairs = [self.value(v) for v in pt]
        tex = "(" + r",\allowbreak\ ".join(p[0] for p in pairs) + ")"
        return tex, "(" + ", ".join(p[1] for p in pairs) + ")"

    def rows(self) -> list[tuple[int, str, tuple[str, str], tuple[str, str]]]:
        out = []
        for k in range(len(self.b.maximum)):
            out.append((k, "maximum", self.value(self.b.maximum[k]), self.point(self.b.argmax[k])))
            out.append((k, "minimum", self.value(self.b.minimum[k]), self.point(self.b.argmin[k])))
        return out

    def note(self) -> str | None:
        if not self.numbers.rounded:
            return None
        long = f"; values longer than {MAX_BESIDE} characters are given by their decimal only" if self.shortened else ""
        return (f"Decimals are rounded to {self.numbers.digits} significant digits{long}; the exact values are "
                "maximum, minimum, argmax and argmin (and to_json()).")


def _head(b: Any, fmt: str) -> str:
    """The opening sentence; ``fmt`` latex escapes the words and sets the domain in math."""
    words = f"Exact bounds of {network_words(b.network)} on "
    rest = f" ({len(b.regions)} linear regions); each value is attained at the point given."
    if fmt == "text":
        return words + _domain(b.regions, "text") + rest
    dom = "$" + _domain(b.regions, "latex") + "$"
    if fmt == "latex":
        return tex_escape(words) + dom + tex_escape(rest)
    return markdown_text(words) + dom + markdown_text(rest)


def _output(k: int, q: int) -> str:
    return "" if q == 1 else f"output {k}: "


def to_text(b: Any, *, digits: int | None = DEFAULT_DIGITS) -> str:
    """Plain text: one line per output and extremum, the value and where it is attained."""
    rows = _Rows(b, digits)
    q = len(b.maximum)
    lines = textwrap.wrap(_head(b, "text"), TEXT_WIDTH, break_on_hyphens=False)
    for k, which, value, point in rows.rows():
        line = f"  {_output(k, q)}{which} {value[1]} at x = {point[1]}"
        lines += textwrap.wrap(line, TEXT_WIDTH, subsequent_indent="      ", break_on_hyphens=False)
    note = rows.note()
    if note:
        lines += textwrap.wrap(note, TEXT_WIDTH, initial_indent="  ", subsequent_indent="  ")
    return "\n".join(lines)


def to_markdown(b: Any, *, digits: int | None = DEFAULT_DIGITS) -> str:
    """Markdown: a sentence and a table (output, extremum, value, attained at)."""
    rows = _Rows(b, digits)
    q = len(b.maximum)
    out = [_head(b, "markdown"), "", "| output | | value | attained at |", "|---|---|---|---|"]
    for k, which, value, point in rows.rows():
        at = point[0].replace(r"\allowbreak", "")
        out.append(f"| {k if q > 1 else ''} | {which} | ${value[0]}$ | $x = {at}$ |")
    note = rows.note()
    if note:
        out += ["", note.replace("to_json()", "`to_json()`")]
    return "\n".join(out)


def to_latex(b: Any, *, document: bool = False, digits: int | None = DEFAULT_DIGITS) -> str:
    """LaTeX: a sentence and a ``tabular`` of the bounds (a complete document with ``document=True``)."""
    rows = _Rows(b, digits)
    q = len(b.maximum)
    body_rows = []
    for k, which, value, point in rows.rows():
        label = which if q == 1 else f"output {k}, {which}"
        body_rows.append(rf"{label} & ${value[0]}$ & $x = {point[0]}$ \\[2pt]")
    table = "\n".join([
        r"\par\noindent\begin{tabular}{@{}l>{\raggedright\arraybackslash}p{0.36\linewidth}"
        r">{\raggedright\arraybackslash}p{\dimexpr0.64\linewidth-8em\relax}@{}}",
        r" & value & attained at \\ \hline", *body_rows, r"\end{tabular}",
    ])
    head = _head(b, "latex")
    note = rows.note()
    text = head + ("\n" + tex_escape(note) if note else "") + "\n\n" + table
    if not document:
        return text
    return (PREAMBLE + "\\usepackage{array}\n\\begin{document}\n\n\\section*{Exact output bounds}\n\n" + text
            + "\n\n\\end{document}\n")


def summary(b: Any) -> str:
    """One line for ``sympy.sstr`` and IPython: every maximum and minimum with its decimal."""
    rows = _Rows(b, DEFAULT_DIGITS)
    parts = [f"{which} {value[1]}" for _, which, value, _ in rows.rows()]
    return f"Bound({', '.join(parts)})"


def bound_latex(b: Any) -> str:
    """Math-mode LaTeX (``sympy.latex(bound)``): ``max ŷ_k = …,  min ŷ_k = …`` for each output."""
    rows = _Rows(b, DEFAULT_DIGITS)
    q = len(b.maximum)
    parts = []
    for k in range(q):
        y = r"\hat{y}" if q == 1 else rf"\hat{{y}}_{{{k + 1}}}"
        parts.append(rf"\max {y} = {rows.value(b.maximum[k])[0]}")
        parts.append(rf"\min {y} = {rows.value(b.minimum[k])[0]}")
    return r",\quad ".join(parts)


display.register("bound", "latex", bound_latex)
display.register("bound", "text", summary)
display.register("bound", "pretty", lambda b, unicode=True: to_text(b))
display.register("bound", "markdown", to_markdown)
