"""The pieces every derivation is written with: the size rule's limits, named atoms, symbols and signed sums.

Numbers go through the context's :class:`~symnet.render._numbers.NumberFormat`
(:data:`NUMBERS`, set by :func:`symnet.render._derivation.build`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextvars import ContextVar

import sympy

from ._math import Atom, Math, Matrix, Row, latex
from ._numbers import NumberFormat, exact
from ._terms import Term

MAX_SHOWN = 8
#: An augmented matrix (a bias column, or the row keeping the constant 1) shows one more.
AUG_SHOWN = MAX_SHOWN + 1
MAX_COEFFS = 16
MAX_TERMS = 16


# ------------------------------------------------------------------ atoms
def A(tex: str, txt: str | None = None) -> Atom:
    return Atom(tex, tex if txt is None else txt)


SP = A(" ", " ")
EQ = A(" = ", " = ")
QUAD = A(r" \qquad ", "    ")
DOTS = A(r"\dots", "…")
VDOTS = A(r"\vdots", "⋮")
DDOTS = A(r"\ddots", "⋱")
CDOTS = A(r"\cdots", "⋯")
YHAT = A(r"\hat{y}", "ŷ")
#: The augmented collapsed matrix: the intercept column b* (q × 1) beside the weights W* (q × p).
BW = A(r"(b^* \mid W^*)", "(b* | W*)")


_PLAIN_NAME = re.compile(r"[A-Za-z](?:\^\{\(\d+\)\})?_(?:\d|\{\d+(?:,\d+)*\})")

#: The number format of the derivation being built (set by :func:`symnet.render._derivation.build`).
NUMBERS: ContextVar[NumberFormat] = ContextVar("symnet_render_numbers")


def numbers() -> NumberFormat:
    """The number format of the derivation being built; exact (a fresh format, never rounding) outside a build."""
    fmt = NUMBERS.get(None)
    return NumberFormat(None) if fmt is None else fmt


def text_name(name: str) -> str:
    """A symbol name in the text convention: a subscript of more than one character in braces
    (``c_{10}``, ``b_{10,0}``), a layer superscript in parentheses (``b^(1)_{1,0}``, as ``y^(1)_1``)."""
    name = re.sub(r"\^\{\((\d+)\)\}", r"^(\1)", name)
    return re.sub(r"_([0-9A-Za-z]{2,})$", r"_{\1}", name)


def num(r: sympy.Rational) -> Atom:
    """A rational number in the derivation's number format (:mod:`symnet.render._numbers`)."""
    return numbers().atom(r)


def sym(s: sympy.Basic) -> Atom:
    """A symbol or number as an atom (``x_1``, ``b_{1,2}`` kept as written; numbers in the number format)."""
    s = exact(s)
    if s.is_Rational:
        return num(s)
    if s.is_Symbol and _PLAIN_NAME.fullmatch(s.name):
        return Atom(s.name, text_name(s.name))
    return Atom(sympy.latex(s), _text_expr(s))


def _text_expr(e: sympy.Basic) -> str:
    if e.is_Symbol:
        return text_name(e.name)
    if e.is_Rational:
        return num(e).txt
    return str(sympy.sstr(e))


def sub(stem_tex: str, stem_txt: str, index: str) -> Atom:
    """``stem_{index}`` (braces whenever the index has more than one character)."""
    tex_index = index if len(index) == 1 else "{" + index + "}"
    txt_index = index if len(index) == 1 else "{" + index + "}"
    return Atom(f"{stem_tex}_{tex_index}", f"{stem_txt}_{txt_index}")


def comma_list(items: Sequence[Math]) -> Row:
    out: list[Math] = []
    for i, item in enumerate(items):
        if i:
            out.append(A(", "))
        out.append(item)
    return Row(*out)


def elide(items: Sequence[Math], limit: int = MAX_SHOWN) -> list[Math]:
    """All items, or the first two, an ellipsis and the last."""
    items = list(items)
    if len(items) <= limit:
        return items
    return [items[0], items[1], DOTS, items[-1]]


def column(items: Sequence[Math]) -> Matrix:
    rows = list(items)
    if len(rows) > MAX_SHOWN:
        rows = [rows[0], rows[1], VDOTS, rows[-1]]
    return Matrix([[r] for r in rows])


def elided_range(start: int, stop: int, limit: int = MAX_SHOWN) -> list[int | None]:
    """``range(start, stop)`` as the size rule shows it: every index, or the first two, None (an ellipsis), the last."""
    items: list[int | None] = list(range(start, stop))
    return items if len(items) <= limit else [*items[:2], None, items[-1]]


def _kept(n: int, limit: int = MAX_SHOWN) -> list[int]:
    """Indices that the size rule shows out of n (all, or first two and last)."""
    return list(range(n)) if n <= limit else [0, 1, n - 1]


# ------------------------------------------------------------ sums, terms
Signed = tuple[bool, Math]  # (negative, body)


def term_math(term: Term, times_more: bool = False) -> Signed:
    """A term as (negative, |term|); ``times_more``: a variable follows the term."""
    coeff = term.coeff
    negative = bool(coeff.is_number and coeff.is_extended_real and coeff < 0)
    mag = -coeff if negative else coeff
    parts: list[Math] = []
    if mag != 1 or not term.factors:
        if mag.is_Rational and (term.factors or times_more) and numbers().needs_parentheses(mag):
            a = num(mag)
            parts.append(Atom(a.tex, f"({a.txt})"))
        else:
            parts.append(sym(mag))
    for f in term.factors:
        if f.is_Pow:
            parts.append(Atom(sympy.latex(f), f"{_text_expr(f.base)}^{_text_expr(f.exp)}"))
        elif f.is_Symbol:
            parts.append(sym(f))
        else:
            parts.append(Atom(r"\left(" + sympy.latex(f) + r"\right)", "(" + sympy.sstr(f) + ")"))
    joined: list[Math] = []
    for i, p in enumerate(parts):
        if i:
            joined.append(SP)
        joined.append(p)
    return negative, Row(*joined)


def signed_sum(pieces: Sequence[Signed]) -> Row:
    """Join signed pieces with ``+`` and ``-`` on one line."""
    out: list[Math] = []
    if not pieces:
        return Row(A("0"))
    for i, (neg, body) in enumerate(pieces):
        if i == 0:
            if neg:
                out.append(A("-"))
        else:
            out.append(A(" - " if neg else " + "))
        out.append(body)
    return Row(*out)


def index_range(first: int, last: int) -> tuple[str, str]:
    """``0, 1, …, last`` or ``1, …, last`` in LaTeX and text; every index when there are at most three."""
    if last - first <= 2:
        items = ", ".join(str(i) for i in range(first, last + 1))
        return items, items
    if first == 1:
        return rf"1, \dots, {last}", f"1, …, {last}"
    return rf"{first}, {first + 1}, \dots, {last}", f"{first}, {first + 1}, …, {last}"


def latex_of(node: Math) -> str:
    return latex(node)
