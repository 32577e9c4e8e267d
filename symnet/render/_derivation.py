"""Build the derivation of a proof as format-neutral sections.

The story is the blog post's: node outputs, matrix form with the augmented input
``x* = (1, x_1, ..., x_p)^T``, the output node ``ŷ = c^T y**``, one
substitution per hidden layer through the augmented matrix
``W~ = [[1, 0 ... 0], [W]]``, the collapse into ``(b* | W*) = c^T W~ …`` with
``ŷ = (b* | W*) x* = b* + W* x`` and the conclusion that this is a multiple
linear regression with every coefficient written out.  W* is always the
q × p matrix of weights and b* the q × 1 intercept (``proof.matrix`` and
``proof.offset``); ``(b* | W*)`` is the q × (p+1) block beside each other.
Every symbol is defined before (or in the display where) it is first used.
Each step names the certificate rule that justifies it (``rules=False`` drops
the tags); the narrative definitions are labelled ``define_layer``.

Numbers go through one :class:`~symnet.render._numbers.NumberFormat` (the
context variable :data:`NUMBERS`, set by :func:`build`): exact when short,
else rounded to ``digits`` significant digits from the exact rational, the
same in every step; the Network paragraph says so when a number was rounded.

Size rule (readable at every size, never more than a few pages), the same in
every step and every format:

* a matrix is shown entry by entry when it has at most ``MAX_SHOWN`` (8) rows
  and columns -- an augmented matrix (with the bias column or the row keeping
  the constant 1) at most ``AUG_SHOWN`` (9); a larger one shows its first two
  and last rows and columns, with ``\\vdots``, ``\\dots`` and ``\\ddots``;
* a node's sum is written term by term when it has at most ``MAX_SHOWN``
  terms, otherwise with Σ-notation;
* the coefficients β are written out term by term, in natural order, when
  there are at most ``MAX_COEFFS`` (16) of them and each has at most
  ``MAX_TERMS`` (16) terms (estimated from the widths before anything is
  expanded), always when they are numbers (the first two and last of each
  index beyond 16) or when ``explicit=True``; otherwise each is given in
  Σ-notation over the layers' entries;
* a sum longer than one line is broken across lines.

Width never changes what is shown, only how it is laid out.  Plain text has
no line wider than ``TEXT_WIDTH`` (78) characters: a display line is
``4 spaces + lhs (right-justified to the display's widest lhs, lw) + " = " +
rhs``, continuation lines start at column ``4 + lw + 4``; LaTeX lines are
measured by a typeset-width estimate (:func:`print_width`).  Within that:

* sums (and products of Σ-factors) are broken greedily, with the closing tail
  (``,   k = 1, …, h.``) kept on the last line;
* a matrix too wide for its line continues on the next lines as blocks of
  columns, the first block open on the right and the last open on the left
  (``\\left[ … \\right.`` in LaTeX); its shape note follows the last block
  or goes on a line of its own.  Only the cells shown are computed;
* a tuple such as ``c = (c_0, …)^T`` continues after a comma;
* the collapsed symbolic ``(b* | W*)`` is displayed only if it fits on its
  line, and symbolic coefficients are written out term by term only if every
  term fits on a line (else the Σ-notation is used, in the collapse step and
  in the conclusion alike); numbers are always shown;
* displays built elsewhere (generic derivations, theorems) are fitted by the
  text renderer (``_text.narrow``);
* prose is wrapped at spaces (short inline math is kept whole); a single atom
  wider than a line is cut at column 78 with a trailing ``\\``, as bc does.

The choices depend only on the proof and the options, so the same proof
always gives the same bytes.  The builder reads the proof's data only
(network, steps, claim); it never calls the engine or the kernel (for a
numeric claim kept as a product it multiplies the factors over QQ itself).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from math import prod
from typing import Any, Union

import sympy

from ._math import Atom, Math, Matrix, Row, block, latex, text
from ._numbers import DEFAULT_DIGITS, NumberFormat, check_digits, exact
from ._terms import Term, TermOrder

__all__ = ["Derivation", "Line", "Section", "build", "MAX_SHOWN", "MAX_COEFFS", "MAX_TERMS"]

MAX_SHOWN = 8
#: An augmented matrix (a bias column, or the row keeping the constant 1) shows one more.
AUG_SHOWN = MAX_SHOWN + 1
MAX_COEFFS = 16
MAX_TERMS = 16

Inline = Union[str, Math]


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

#: The number format of the derivation being built (set by :func:`build`; exact by default).
NUMBERS: ContextVar[NumberFormat] = ContextVar("symnet_render_numbers", default=NumberFormat(None))


def text_name(name: str) -> str:
    """A symbol name in the text convention: a subscript of more than one character in braces
    (``c_{10}``, ``b_{10,0}``), a layer superscript in parentheses (``b^(1)_{1,0}``, as ``y^(1)_1``)."""
    name = re.sub(r"\^\{\((\d+)\)\}", r"^(\1)", name)
    return re.sub(r"_([0-9A-Za-z]{2,})$", r"_{\1}", name)


def num(r: sympy.Rational) -> Atom:
    """A rational number in the derivation's number format (:mod:`symnet.render._numbers`)."""
    return NUMBERS.get().atom(r)


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
    return sympy.sstr(e)


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


def _kept(n: int, limit: int = MAX_SHOWN) -> list[int]:
    """Indices that the size rule shows out of n (all, or first two and last)."""
    return list(range(n)) if n <= limit else [0, 1, n - 1]


def matrix(rows: Sequence[Sequence[Math]], limit: int = MAX_SHOWN) -> Matrix:
    """A matrix with the size rule applied (all entries up to ``limit``, else first two and last rows and columns)."""
    nrows, ncols = len(rows), len(rows[0])
    keep_c: list[int | None] = list(range(ncols)) if ncols <= limit else [0, 1, None, ncols - 1]
    return elided_matrix(nrows, keep_c, lambda r, c: rows[r][c], limit=limit)


def times(a: int | str, b: int | str) -> str:
    return f"{a} \\times {b}"


# ------------------------------------------------------------ sums, terms
Signed = tuple[bool, Math]  # (negative, body)


def term_math(term: Term, times_more: bool = False) -> Signed:
    """A term as (negative, |term|); ``times_more``: a variable follows the term."""
    coeff = term.coeff
    negative = bool(coeff.is_number and coeff.is_extended_real and coeff < 0)
    mag = -coeff if negative else coeff
    parts: list[Math] = []
    if mag != 1 or not term.factors:
        if mag.is_Rational and (term.factors or times_more) and NUMBERS.get().needs_parentheses(mag):
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


def text_width(node: Math) -> float:
    """Width of a node in characters of plain text."""
    return len(text(node))


def print_width(node: Math) -> float:
    """Rough width of a node when typeset: indices count as small glyphs."""
    s = text(node)
    small = 0
    for m in re.finditer(r"[_^](\{[^}]*\}|.)", s):
        small += len(m.group(0)) - 1 - (2 if m.group(0).startswith(("_{", "^{")) else 0)
    plain = len(re.sub(r"[_^](\{[^}]*\}|.)", "", s))
    return plain + 0.6 * small


#: How each format measures a line, and how wide a line may be.
MEASURES = {"text": (text_width, 70.0), "latex": (print_width, 62.0)}

#: Plain text: no line of the output is wider than this (the renderer's wrap width).
TEXT_WIDTH = 78
#: Plain text: a display line is ``INDENT + lhs (right-justified to the display's
#: widest lhs) + " = " + rhs``; a continuation line starts at ``INDENT + lw + 4``.
TEXT_INDENT = 4


def _chunks(widths: Sequence[float], first: float, cont: float, width: float, tail: float,
            sep: float, lead: float) -> list[int]:
    """How many pieces go on each line: greedy, never an empty line, the tail on the last."""
    counts: list[int] = [0]
    used = first
    for w in widths:
        cost = w + (sep if counts[-1] else (lead if len(counts) > 1 else 0.0))
        if counts[-1] and used + cost > width:
            counts.append(0)
            used = cont
            cost = w + lead
        counts[-1] += 1
        used += cost
    if tail and counts[-1] > 1 and used + tail > width:
        counts[-1] -= 1
        counts.append(1)
    return counts


def broken(lhs: Math, pieces: Sequence[Signed], tail: Math | None = None, fmt: str = "text",
           lw: float = 0.0, head: Math | None = None) -> list[Line]:
    """``lhs = head pieces... tail`` broken into lines no wider than the format's line width.

    In text the lines are measured exactly (``lw`` is the width of the display's
    widest left-hand side, see :data:`TEXT_INDENT`) against :data:`TEXT_WIDTH`.
    """
    measure, width = MEASURES[fmt]
    head_w = measure(head) if head is not None else 0.0
    # LaTeX's width estimate is conservative: the tail may run into the margin it leaves
    tail_w = measure(tail) if tail is not None and fmt == "text" else 0.0
    if fmt == "text":
        lw = max(lw, measure(lhs))
        widths = [measure(body) + (1 if neg else 0) for neg, body in pieces]
        counts = _chunks(widths, TEXT_INDENT + lw + 3 + head_w, TEXT_INDENT + lw + 4, TEXT_WIDTH, tail_w,
                         3, 2)
    else:
        widths = [measure(body) + 3 for _, body in pieces]
        counts = _chunks(widths, measure(lhs) + 3 + head_w, 8, width, tail_w, 0, 0)
    lines: list[list[Signed]] = []
    start = 0
    for n in counts:
        lines.append(list(pieces[start:start + n]))
        start += n
    out: list[Line] = []
    for i, chunk in enumerate(lines):
        body: Math = signed_sum(chunk)
        if i:
            neg, first = chunk[0]
            body = Row(A("- " if neg else "+ "), signed_sum([(False, first), *chunk[1:]]))
        elif head is not None:
            body = Row(head, body)
        if i == len(lines) - 1 and tail is not None:
            body = Row(body, tail)
        out.append(Line(lhs if i == 0 else None, "=" if i == 0 else "", body))
    return out


def broken_product(lhs: Math, items: Sequence[Math], tail: Math | None, fmt: str, lw: float = 0.0) -> list[Line]:
    """``lhs = item item ... tail``, juxtaposed factors broken into lines like :func:`broken`."""
    measure, width = MEASURES[fmt]
    tail_w = measure(tail) if tail is not None else 0.0
    widths = [measure(i) for i in items]
    if fmt == "text":
        lw = max(lw, measure(lhs))
        counts = _chunks(widths, TEXT_INDENT + lw + 3, TEXT_INDENT + lw + 4, TEXT_WIDTH, tail_w, 1, 0)
    else:
        counts = _chunks(widths, measure(lhs) + 3, 8, width, tail_w, 1, 0)
    out: list[Line] = []
    start = 0
    for i, n in enumerate(counts):
        chunk: list[Math] = []
        for item in items[start:start + n]:
            if chunk:
                chunk.append(SP)
            chunk.append(item)
        start += n
        if i == len(counts) - 1 and tail is not None:
            chunk.append(tail)
        out.append(Line(lhs if i == 0 else None, "=" if i == 0 else "", Row(*chunk)))
    return out


def elided_matrix(nrows: int, cols: Sequence[int | None], cell: Callable[[int, int], Math],
                  left: bool = True, right: bool = True, limit: int = MAX_SHOWN) -> Matrix:
    """The rows the size rule keeps (all up to ``limit``) and the given columns (``None``: an ellipsis)."""
    keep_r: list[int | None] = list(range(nrows)) if nrows <= limit else [0, 1, None, nrows - 1]
    out = []
    for r in keep_r:
        line: list[Math] = []
        for c in cols:
            if r is None and c is None:
                line.append(DDOTS)
            elif r is None:
                line.append(VDOTS)
            elif c is None:
                line.append(DOTS)
            else:
                line.append(cell(r, c))
        out.append(line)
    return Matrix(out, left, right)


def text_line_width(lw: float, rhs: Math) -> int:
    """Width in text of a display line ``lhs = rhs`` whose lhs column is ``lw`` wide."""
    return int(TEXT_INDENT + lw + 3 + block(rhs).width)


# ------------------------------------------------------------------ view
@dataclass(frozen=True)
class View:
    """What the renderers read from a Proof (or a Certificate).

    ``matrix`` is W* (q × p) and ``offset`` b* (q × 1) when they are written
    out (an explicit claim, or computed here from the steps' factors when the
    caller forces explicit coefficients or every factor is numeric), else None.
    """

    network: Any
    steps: tuple[Any, ...]
    explicit: bool
    matrix: sympy.ImmutableMatrix | None
    offset: sympy.ImmutableMatrix | None
    forced: bool = False


def _domain(m: Any) -> Any:
    """The ground domain of a sympy matrix's internal DomainMatrix (ZZ/QQ when it holds only numbers), or None."""
    rep = getattr(m, "_rep", None)
    return getattr(rep, "domain", None)


def _is_numeric(m: Any) -> bool:
    if _domain(m) in (sympy.ZZ, sympy.QQ):
        return True
    return all(isinstance(e, (sympy.Rational, sympy.Float)) for e in m)


def _as_qq(f: Any) -> Any:
    """A numeric sympy matrix as a DomainMatrix over QQ (no per-entry sympy objects when it is already one)."""
    from sympy.polys.matrices import DomainMatrix

    if _domain(f) in (sympy.ZZ, sympy.QQ):
        return f._rep.convert_to(sympy.QQ)
    rows = f.tolist()
    return DomainMatrix([[_qq(e) for e in row] for row in rows], f.shape, sympy.QQ)


def _qq(e: sympy.Expr) -> Any:
    """A number as an exact element of QQ (a Float is its exact binary value)."""
    if isinstance(e, sympy.Float):
        if e._prec <= 53:
            p, q = float(e).as_integer_ratio()  # a 53-bit Float is exactly a double
            return sympy.QQ(p, q)
        e = sympy.Rational(e)
    return sympy.QQ(int(e.p), int(e.q))


def _product(steps: Sequence[Any]) -> tuple[sympy.ImmutableMatrix, sympy.ImmutableMatrix] | None:
    """W* and b* multiplied out from the steps' factors ``C P_L … P_1`` (None without factors).

    Numeric factors are multiplied exactly over QQ (sympy's DomainMatrix, flint
    underneath when installed), from the output side so every product has q
    rows; others with sympy and expanded.  Only the renderer's reading: the
    kernel checks the certificate's own claim.
    """
    factors = [s.matrix for s in steps if s.rule in ("read_output_layer", "substitute_layer")]
    if not factors or any(f is None for f in factors):
        return None
    if all(_is_numeric(f) for f in factors):
        dms = [_as_qq(f) for f in factors]
        prod_ = dms[0]
        for f in dms[1:]:
            prod_ = prod_ * f
        full = sympy.ImmutableMatrix(prod_.to_Matrix())
    else:
        out = sympy.ImmutableMatrix(factors[0]).applyfunc(exact)
        for f in factors[1:]:
            out = (out * sympy.ImmutableMatrix(f).applyfunc(exact)).applyfunc(sympy.expand)
        full = sympy.ImmutableMatrix(out)
    return full[:, 1:], full[:, 0]


def view(obj: Any, explicit: bool = False) -> View:
    """The data of a Proof or a certificate, without calling the engine or the kernel.

    ``explicit=True`` makes W* and b* explicit even when the certificate keeps
    them as a product of factors (they are multiplied out here).
    """
    cert = getattr(obj, "certificate", obj)
    claim = getattr(cert, "claim", None)
    if claim is None:
        raise TypeError(f"cannot render {type(obj).__name__}: expected a symnet Proof or Certificate")
    steps = tuple(cert.steps)
    matrix, offset = claim.matrix, claim.offset
    is_explicit = claim.form == "explicit" and matrix is not None
    if not is_explicit:
        factors = [s.matrix for s in steps if s.rule in ("read_output_layer", "substitute_layer")]
        numeric = bool(factors) and all(f is not None and _is_numeric(f) for f in factors)
        if explicit or numeric:
            got = _product(steps)
            if got is not None:
                matrix, offset = got
                is_explicit = True
    elif matrix is not None:
        matrix, offset = matrix.applyfunc(exact), offset.applyfunc(exact)
    return View(cert.network, steps, is_explicit, matrix, offset, explicit)


def _slope_intercept(step: Any, layer: Any) -> tuple[sympy.Expr, sympy.Expr]:
    if step is not None and step.slope is not None and step.intercept is not None:
        return step.slope, step.intercept
    act = layer.activation
    t = act.variable
    expr = act.expr
    return sympy.expand(expr).coeff(t, 1), expr.subs(t, 0)


# -------------------------------------------------------------- builder
class _Builder:
    def __init__(self, v: View, fmt: str) -> None:
        self.fmt = fmt
        self.numbers = NUMBERS.get()
        self.v = v
        net = v.network
        self.net = net
        self.order = TermOrder(net)
        self.L = len(net.layers) - 1
        self.p = len(net.inputs)
        self.q = net.layers[-1].weights.rows
        self.widths = [layer.weights.rows for layer in net.layers[:-1]]
        self.by_rule: dict[str, list[Any]] = {}
        for step in v.steps:
            self.by_rule.setdefault(step.rule, []).append(step)
        self.sub_steps = {s.layer: s for s in self.by_rule.get("substitute_layer", [])}
        self.n = 0
        self.lw = 0.0
        self._plan: bool | None = None
        self._numeric: bool | None = None

    def broken(self, lhs: Math, pieces: Sequence[Signed], tail: Math | None = None, head: Math | None = None) -> list[Line]:
        return broken(lhs, pieces, tail, self.fmt, self.lw, head)

    def applied(self, lhs: Math, s: Math, pieces: Sequence[Signed], tail: Math | None) -> list[Line]:
        """``lhs = σ(pieces) tail``, broken like a sum (``\\left(`` only when on one line)."""
        close = A(r"\right)", ")")
        lines = self.broken(lhs, pieces, close if tail is None else Row(close, tail), Row(s, A(r"\left(", "(")))
        if len(lines) > 1:
            close = A(")")
            lines = self.broken(lhs, pieces, close if tail is None else Row(close, tail), Row(s, A("(")))
        return lines

    def lhs_column(self, lhss: Sequence[Math]) -> float:
        """Set (and return) the width in text of a display's lhs column: its widest lhs."""
        self.lw = float(max((block(x).width for x in lhss), default=0))
        return self.lw

    def fits(self, rhs: Math) -> bool:
        """True when ``lhs = rhs`` fits in the text width (always in LaTeX)."""
        return self.fmt != "text" or text_line_width(self.lw, rhs) <= TEXT_WIDTH

    def measure(self, node: Math) -> float:
        """Width of ``node``: exact in text, a typeset estimate in LaTeX (matrices column by column)."""
        if self.fmt == "text":
            return float(block(node).width)
        if isinstance(node, Matrix):
            ncols = max(len(r) for r in node.cells)
            widths = [max(print_width(r[j]) for r in node.cells if j < len(r)) for j in range(ncols)]
            # a typeset digit is about 0.75 of the estimate's character; \\arraycolsep adds about 1.4 per column
            return 0.75 * sum(widths) + 1.4 * ncols + 1.0
        if isinstance(node, Row):
            return sum(self.measure(i) for i in node.items)
        return print_width(node)

    def fits_rhs(self, lhs: Math | None, rhs: Math) -> bool:
        """True when a display line with this rhs fits: the first line (``lhs`` given) or a continuation."""
        if self.fmt == "text":
            start = TEXT_INDENT + self.lw + (3 if lhs is not None else 4)
            return start + self.measure(rhs) <= TEXT_WIDTH
        width = MEASURES["latex"][1]
        start = print_width(lhs) + 3 if lhs is not None else 8.0
        return start + self.measure(rhs) <= width

    def matrix_line(self, lhs: Math, nrows: int, ncols: int, cell: Callable[[int, int], Math],
                    note: Math | None, end: str, aug_rows: bool = False, aug_cols: bool = True) -> list[Line]:
        """``lhs = [matrix] note end`` with the size rule, in every format alike.

        The size rule alone decides what is shown: every entry of a matrix of at
        most ``MAX_SHOWN`` rows and columns, else the first two and the last rows
        and columns.  A matrix too wide for a line is continued on the next
        lines as column blocks (the first open on the right, the last open on the
        left); the note goes on the matrix's last line, or below it.  Only the
        cells shown are computed.
        """
        cache: dict[tuple[int, int], Math] = {}

        def get(r: int, c: int) -> Math:
            if (r, c) not in cache:
                cache[(r, c)] = cell(r, c)
            return cache[(r, c)]

        end_atom = A(end)
        lr = AUG_SHOWN if aug_rows else MAX_SHOWN
        lc = AUG_SHOWN if aug_cols else MAX_SHOWN
        cols: list[int | None] = list(range(ncols)) if ncols <= lc else [0, 1, None, ncols - 1]
        m = elided_matrix(nrows, cols, get, limit=lr)
        tail: Math = Row(note, end_atom) if note is not None else end_atom
        below: Math = Row(A(text(note).strip()) if self.fmt == "text" else note, end_atom) if note is not None else end_atom
        if self.fits_rhs(lhs, Row(m, tail)):
            return [Line(lhs, "=", Row(m, tail))]
        if note is not None and self.fits_rhs(lhs, m) and self.fits_rhs(None, below):
            return [Line(lhs, "=", m), Line(None, "", below)]
        groups: list[list[int | None]] = [[]]
        for c in cols:
            trial = groups[-1] + [c]
            first = len(groups) == 1
            if groups[-1] and not self.fits_rhs(lhs if first else None, elided_matrix(nrows, trial, get, right=False, limit=lr)):
                groups.append([c])
            else:
                groups[-1] = trial
        lines: list[Line] = []
        for i, g in enumerate(groups):
            mm = elided_matrix(nrows, g, get, left=i == 0, right=i == len(groups) - 1, limit=lr)
            lines.append(Line(lhs if i == 0 else None, "=" if i == 0 else "", mm))
        last = lines[-1]
        if self.fits_rhs(last.lhs, Row(last.rhs, tail)):
            lines[-1] = Line(last.lhs, last.rel, Row(last.rhs, tail))
        else:
            lines.append(Line(None, "", below))
        return lines

    def tuple_line(self, lhs: Math, items: Sequence[Math], before: Math, after: Math, limit: int = MAX_SHOWN) -> list[Line]:
        """``lhs = before items after``: the size rule's items, continued after a comma when too wide."""
        shown = elide(list(items), limit)
        line = Line(lhs, "=", Row(before, comma_list(shown), after))
        if self.fits_rhs(lhs, line.rhs):
            return [line]
        rows: list[list[Math]] = [[]]
        for it in shown:
            trial = rows[-1] + [it]
            first = len(rows) == 1
            body = Row(before, comma_list(trial), after) if first else Row(comma_list(trial), after)
            if rows[-1] and not self.fits_rhs(lhs if first else None, body):
                rows.append([it])
            else:
                rows[-1] = trial
        out: list[Line] = []
        for i, r in enumerate(rows):
            parts: list[Math] = ([before] if i == 0 else []) + [comma_list(r), after if i == len(rows) - 1 else A(",")]
            out.append(Line(lhs if i == 0 else None, "=" if i == 0 else "", Row(*parts)))
        return out

    # names ---------------------------------------------------------------
    def x(self, j: int) -> Atom:
        return sym(self.net.inputs[j - 1])

    def y(self, l: int, k: int | str) -> Atom:
        """Output k of hidden layer l (layer 0 is the input)."""
        if l == 0:
            return self.x(k) if isinstance(k, int) else sub("x", "x", k)
        if self.L == 1:
            return sub("y", "y", str(k))
        return sub(f"y^{{({l})}}", f"y^({l})", str(k))

    def aug(self, l: int) -> Atom:
        """The augmented vector of layer l: x* for l = 0, y** above."""
        if l == 0:
            return A("x^*", "x*")
        if self.L == 1:
            return A("y^{**}", "y**")
        return A(f"y^{{({l})**}}", f"y^({l})**")

    def vec(self, l: int) -> Atom:
        if self.L == 1:
            return A("y^*", "y*")
        return A(f"y^{{({l})*}}", f"y^({l})*")

    def W(self, l: int) -> Atom:
        return A("W", "W") if self.L == 1 else A(f"W^{{({l})}}", f"W^({l})")

    def Wt(self, l: int) -> Atom:
        return A(r"\widetilde{W}", "W~") if self.L == 1 else A(rf"\widetilde{{W}}^{{({l})}}", f"W~^({l})")

    def out_name(self) -> Atom:
        stem = "b" if self.L == 0 else "c"
        return A(f"{stem}^T", f"{stem}^T") if self.q == 1 else A(stem.upper(), stem.upper())

    def yhat(self, i: int | None = None) -> Atom:
        if self.q == 1 or i is None:
            return YHAT
        return sub(r"\hat{y}", "ŷ", str(i))

    def yhat_tuple(self) -> Row:
        """``(ŷ_1, …, ŷ_q)^T``: the outputs as one vector."""
        return Row(A(r"\left(", "("), comma_list(elide([self.yhat(i) for i in range(1, self.q + 1)])), A(r"\right)^T", ")^T"))

    def beta(self, i: int, j: int | str) -> Atom:
        if self.q == 1:
            return sub(r"\beta", "β", str(j))
        return sub(r"\beta", "β", f"{i},{j}")

    def next_title(self, what: str) -> str:
        self.n += 1
        return f"Step {self.n} ({what})"

    def sigma(self, l: int) -> tuple[bool, Math]:
        """(is identity, σ_l as an atom)."""
        act = self.net.layers[l - 1].activation
        if act.is_identity:
            return True, A("")
        return False, (A(r"\sigma", "σ") if self.L == 1 else sub(r"\sigma", "σ", str(l)))

    def entry_sum(self, coeffs: Sequence[sympy.Expr], variables: Sequence[Math]) -> list[Signed]:
        """``coeffs[0] + Σ coeffs[j] variables[j]`` as signed pieces, in natural order."""
        pieces: list[Signed] = []
        for c, var in zip(coeffs, [None, *variables]):
            for t in self.order.terms(c):
                neg, body = term_math(t, times_more=var is not None)
                if var is not None:
                    if t.factors or t.coeff != 1 and t.coeff != -1:
                        body = Row(body, SP, var)
                    else:
                        body = var
                pieces.append((neg, body))
        return pieces

    def cell(self, e: sympy.Expr) -> Math:
        return signed_sum([term_math(t) for t in self.order.terms(e)])

    # sections ------------------------------------------------------------
    def build(self) -> Derivation:
        sections = [self.network_section()]  # built again below, once it is known whether a number was rounded
        if self.L == 0:
            sections += self.single_node()
        else:
            sections += self.node_outputs()
            sections += self.matrix_form()
            sections += self.output_node()
            for l in range(self.L, 0, -1):
                sections.append(self.substitute(l))
            sections.append(self.collapse())
        sections.append(self.conclusion())
        direct = self.by_rule.get("expand_and_compare")
        if direct:
            sections.append(self.checked(direct[0]))
        sections[0] = self.network_section()
        return Derivation("A network with linear activation is a linear regression", tuple(sections))

    def network_section(self) -> Section:
        xs = comma_list(elide([self.x(j) for j in range(1, self.p + 1)]))
        before: list[Inline] = ["Inputs ", Row(A("x = (", "x = ("), xs, A(")^T")), " (", A(f"p = {self.p}"), "); "]
        if self.L == 0:
            before.append("no hidden layer: ")
        else:
            if self.L == 1:
                h = self.widths[0]
                before += ["one hidden layer of ", A(f"h = {h}"), f" node{'s' if h > 1 else ''}"]
            else:
                names = [A(f"{self.rows_name(l)} = {w}") for l, w in enumerate(self.widths, start=1)]
                before += [f"{self.L} hidden layers of widths ", comma_list(elide(names))]
            acts = [self.net.layers[l - 1].activation for l in range(1, self.L + 1)]
            if all(a.is_identity for a in acts):
                before += [" with the identity activation (the blog post's ",
                           A(r"f(a_1, \dots, a_m) = \sum_i a_i", "f(a_1, …, a_m) = Σ_i a_i"), ")"]
            elif len({(a.name, a.function) for a in acts}) == 1 and all(
                    _slope_intercept(self.sub_steps.get(l), self.net.layers[l - 1]) == _slope_intercept(self.sub_steps.get(1), self.net.layers[0])
                    for l in range(1, self.L + 1)):
                sig = A(r"\sigma", "σ") if self.L == 1 else A(r"\sigma_l", "σ_l")
                before += [" with the activation ", Row(sig, A("(t) = "), self.affine_text(1))]
                if self.L > 1:
                    rt, rx = index_range(1, self.L)
                    before += [" (", A(f"l = {rt}", f"l = {rx}"), ")"]
            else:
                before.append(" with the activations ")
                parts: list[Math] = []
                for l in range(1, self.L + 1):
                    ident, s = self.sigma(l)
                    s = s if not ident else (A(r"\sigma", "σ") if self.L == 1 else sub(r"\sigma", "σ", str(l)))
                    parts.append(Row(s, A("(t) = "), self.affine_text(l)))
                before.append(comma_list(elide(parts)))
            before.append("; ")
        outs = "one linear output node" if self.q == 1 else f"{self.q} linear output nodes"
        before += [outs + " (", A(f"q = {self.q}"), ")."]
        after: list[Inline] = []
        if self.numbers.rounded:
            d = self.numbers.digits
            after = [f"Numbers shown with {d} significant digits are rounded to nearest; shorter numbers are exact. "
                     "The exact values are in the certificate (and in proof.matrix and proof.offset)."]
        return Section("Network", None, tuple(before), (), tuple(after))

    def single_node(self) -> list[Section]:
        layer = self.net.layers[0]
        C = layer.augmented() if hasattr(layer, "augmented") else None
        step = (self.by_rule.get("read_output_layer") or [None])[0]
        if step is not None and step.matrix is not None:
            C = step.matrix
        xs = [self.x(j) for j in range(1, self.p + 1)]
        lines: list[Line] = []
        name = self.out_name()
        self.lhs_column([self.yhat(i + 1) for i in range(self.q)] + [A("b"), A("B")])
        if self.q == 1:
            lines += self.tuple_line(A("b"), [self.cell(C[0, j]) for j in range(C.cols)], A("("), A(")^T,", ")^T,"), AUG_SHOWN)
        else:
            lines += self.matrix_line(A("B"), self.q, C.cols, lambda i, j: self.cell(C[i, j]),
                                      A(rf"\quad (q \times (p+1) = {self.q} \times {self.p + 1})",
                                        f"   (q × (p+1) = {self.q} × {self.p + 1})"), ",")
        for i in range(self.q):
            pieces = self.entry_sum(list(C.row(i)), xs)
            last = i == self.q - 1
            tail = Row(A(" = "), name, A(" x^*.", " x*.")) if self.q == 1 else A("." if last else ",")
            lines += self.sum_or_sigma(self.yhat(i + 1), pieces, tail)
        if self.q > 1:
            lines.append(Line(YHAT, "=", Row(self.yhat_tuple(), A(" = "), name, A(" x^*.", " x*."))))
        xstar = Row(A("x^* = (1, ", "x* = (1, "), comma_list(elide(xs)), A(")^T", ")^T"))
        what = "its bias and weights" if self.q == 1 else "row i of B holds output i's bias and weights"
        before: list[Inline] = ["The single node adds its bias to the weighted inputs; with the augmented input ", xstar,
                                f" and {what}:" if self.q == 1 else f" ({what}):"]
        sec = Section(self.next_title("node output"), "read_output_layer", tuple(before), tuple(lines))
        self.lhs_column([BW, YHAT])
        conc = Section(
            self.next_title("collapse"),
            "conclude_linear_form",
            ("The weights are already the linear form:",),
            (Line(BW, "=", Row(name, A(",", ","))),
             Line(YHAT, "=", Row(name, A(" x^* = ", " x* = "), BW, A(" x^* = b^* + W^* x.", " x* = b* + W* x.")))),
            self.bw_note(),
        )
        return [sec, conc]

    def bw_note(self) -> tuple[Inline, ...]:
        """The sentence naming the two blocks of ``(b* | W*)``."""
        return ("Its first column ", A("b^*", "b*"), " is the intercept (", A(rf"q \times 1 = {self.q} \times 1", f"q × 1 = {self.q} × 1"),
                "), the other columns ", A("W^*", "W*"), " are the weights (",
                A(rf"q \times p = {self.q} \times {self.p}", f"q × p = {self.q} × {self.p}"), ").")

    def sum_or_sigma(self, lhs: Math, pieces: list[Signed], tail: Math | None) -> list[Line]:
        if len(pieces) <= MAX_SHOWN + 1:
            return self.broken(lhs, pieces, tail)
        shown = pieces[:2] + [(False, CDOTS)] + pieces[-1:]
        return self.broken(lhs, shown, tail)

    def node_outputs(self, end: str = ".") -> list[Section]:
        """Step 1: every hidden node's output; ``end`` closes the last line (``,`` when more lines follow)."""
        lines: list[Line] = []
        self.lhs_column([A("⋮")] + [self.y(l, k) for l in range(1, self.L + 1)
                                    for k in ("k", *_kept(self.net.layers[l - 1].weights.rows))] +
                        [self.y(l, k + 1) for l in range(1, self.L + 1) for k in _kept(self.net.layers[l - 1].weights.rows)])
        for l in range(1, self.L + 1):
            layer = self.net.layers[l - 1]
            ident, s = self.sigma(l)
            prev = self.p if l == 1 else self.widths[l - 2]
            variables = [self.y(l - 1, j) for j in range(1, prev + 1)]
            pattern = dense_pattern(layer)
            if pattern is not None and layer.weights.rows > 1:
                coeffs = [sympy.Symbol(pattern.format(k="k", j=j)) for j in range(prev + 1)]
                pieces = self.entry_sum(coeffs, variables) if prev + 1 <= MAX_SHOWN else [
                    (False, sym(coeffs[0])),
                    (False, Atom(rf"\sum_{{j=1}}^{{{prev}}} {sympy.latex(sympy.Symbol(pattern.format(k='k', j='j')))} "
                                 + sympy.latex(sympy.Symbol(text(self.y(l - 1, 'j')))),
                                 f"Σ_{{j=1..{prev}}} {text_name(pattern.format(k='k', j='j'))} {text(self.y(l - 1, 'j'))}")),
                ]
                h = layer.weights.rows
                ks = "1, 2" if h == 2 else ("1, 2, 3" if h == 3 else rf"1, \dots, {h}")
                kt = "1, 2" if h == 2 else ("1, 2, 3" if h == 3 else f"1, …, {h}")
                tail = A(r", \qquad k = " + ks + ".", ",   k = " + kt + ".")
                if not ident:
                    lines += self.applied(self.y(l, "k"), s, pieces, tail)
                else:
                    lines += self.broken(self.y(l, "k"), pieces, tail)
                continue
            rows = list(range(layer.weights.rows))
            shown = rows if len(rows) <= MAX_SHOWN else rows[:2] + [None] + rows[-1:]
            for k in shown:
                if k is None:
                    lines.append(Line(A(r"\vdots", "⋮"), "", A("")))
                    continue
                coeffs = [layer.biases[k]] + list(layer.weights.row(k))
                pieces = self.entry_sum(coeffs, variables)
                if not ident:
                    shown_pieces = pieces if len(pieces) <= MAX_SHOWN + 1 else pieces[:2] + [(False, CDOTS)] + pieces[-1:]
                    lines += self.applied(self.y(l, k + 1), s, shown_pieces, A(end if k == rows[-1] and l == self.L else ","))
                else:
                    lines += self.sum_or_sigma(self.y(l, k + 1), pieces, A(end if k == rows[-1] and l == self.L else ","))
        before: list[Inline] = ["Each hidden node adds its bias to the weighted outputs of the layer below"]
        if any(not self.sigma(l)[0] for l in range(1, self.L + 1)):
            before.append(" and applies its activation")
        before.append(":")
        return [Section(self.next_title("node outputs"), "define_layer", tuple(before), tuple(lines))]

    def augmented_cell(self, l: int) -> Callable[[int, int], Math]:
        layer = self.net.layers[l - 1]
        return lambda k, j: self.cell(layer.biases[k] if j == 0 else layer.weights[k, j - 1])

    def matrix_form(self) -> list[Section]:
        lines: list[Line] = []
        self.lhs_column([self.vec(l) for l in range(1, self.L + 1)] + [self.W(l) for l in range(1, self.L + 1)]
                        + [self.aug(l) for l in range(1, self.L)])
        for l in range(1, self.L + 1):
            layer = self.net.layers[l - 1]
            ident, s = self.sigma(l)
            h = layer.weights.rows
            prev = layer.weights.cols
            if l > 1:
                ys_prev = [self.y(l - 1, k) for k in range(1, prev + 1)]
                lines += self.tuple_line(self.aug(l - 1), ys_prev, A("(1, "), A(")^T,", ")^T,"))
            ys = column([self.y(l, k) for k in range(1, h + 1)])
            prod_ = Row(self.W(l), SP, self.aug(l - 1))
            rhs = prod_ if ident else Row(s, A(r"\left(", "("), prod_, A(r"\right)", ")"))
            lines.append(Line(self.vec(l), "=", Row(ys, A(" = "), rhs, A(","))))
            shape = A(rf"\quad ({self.rows_name(l)} \times ({self.cols_name(l)}+1) = {h} \times {prev + 1})",
                      f"   ({self.rows_name(l)} × ({self.cols_name(l)}+1) = {h} × {prev + 1})")
            lines += self.matrix_line(self.W(l), h, prev + 1, self.augmented_cell(l), shape, ".")
        xs = elide([self.x(j) for j in range(1, self.p + 1)])
        before: list[Inline] = ["With the augmented input ", Row(A("x^* = (1, ", "x* = (1, "), comma_list(xs), A(")^T", ")^T")),
                                " (a constant 1 first, for the biases)"]
        if self.L > 1:
            before.append(" and each hidden layer's outputs augmented the same way")
        before.append(", each layer is one matrix product")
        before.append(" followed by the activation, entry by entry:" if any(not self.sigma(l)[0] for l in range(1, self.L + 1)) else ":")
        after: list[Inline] = []
        if self.L == 1:
            after = ["The matrix ", A("W"), " has one row per hidden node: ", A("h"), " rows, not ", A("p"), "."]
        return [Section(self.next_title("matrix form, augmented input"), "define_layer", tuple(before), tuple(lines), tuple(after))]

    def rows_name(self, l: int) -> str:
        return "h" if self.L == 1 else (f"h_{l}" if l < 10 else f"h_{{{l}}}")

    def cols_name(self, l: int) -> str:
        return "p" if l == 1 else self.rows_name(l - 1)

    def output_node(self) -> list[Section]:
        L = self.L
        h = self.widths[-1]
        step = (self.by_rule.get("read_output_layer") or [None])[0]
        C = step.matrix if step is not None and step.matrix is not None else self.net.layers[-1].augmented()
        ys = [self.y(L, k) for k in range(1, h + 1)]
        self.lhs_column([self.aug(L), YHAT, A("c") if self.q == 1 else A("C")])
        lines: list[Line] = self.tuple_line(self.aug(L), ys, A("(1, "), A(")^T,", ")^T,"))  # 1 + h entries
        if self.q == 1:
            before: list[Inline] = ["The output node adds its bias to the weighted hidden outputs; with the hidden outputs "
                                    "augmented by a constant 1 and the output node's bias and weights,"]
            cs = [self.cell(C[0, k]) for k in range(h + 1)]
            lines += self.tuple_line(A("c"), cs, A("("), A(")^T,", ")^T,"), AUG_SHOWN)
            pieces = self.entry_sum(list(C.row(0)), ys)
            lines += self.sum_or_sigma(YHAT, pieces, Row(A(" = "), self.out_name(), SP, self.aug(L), A(".")))
        else:
            before = ["Each output node adds its bias to the weighted hidden outputs; with the hidden outputs augmented "
                      "by a constant 1 and one row of bias and weights per output,"]
            lines += self.matrix_line(A("C"), self.q, C.cols, lambda i, j: self.cell(C[i, j]),
                                      A(rf"\quad (q \times ({self.rows_name(L)}+1) = {self.q} \times {h + 1})",
                                        f"   (q × ({self.rows_name(L)}+1) = {self.q} × {h + 1})"), ",")
            lines.append(Line(YHAT, "=", Row(self.yhat_tuple(), A(" = C "), self.aug(L), A("."))))
        return [Section(self.next_title("output node"), "read_output_layer", tuple(before), tuple(lines))]

    def factor(self, l: int) -> sympy.ImmutableMatrix:
        step = self.sub_steps.get(l)
        if step is not None and step.matrix is not None:
            return step.matrix
        layer = self.net.layers[l - 1]
        a, d = _slope_intercept(step, layer)
        rows = [[sympy.Integer(1)] + [sympy.Integer(0)] * layer.weights.cols]
        for k in range(layer.weights.rows):
            rows.append([a * layer.biases[k] + d] + [a * w for w in layer.weights.row(k)])
        return sympy.ImmutableMatrix(rows)

    def chain(self, down_to: int) -> Row:
        """``c^T W~^{(L)} ... W~^{(down_to)}``."""
        items: list[Math] = [self.out_name()]
        ls = list(range(self.L, down_to - 1, -1))
        if len(ls) > 4:
            ls_shown: list[int | None] = [ls[0], None, ls[-1]]
        else:
            ls_shown = list(ls)
        for l in ls_shown:
            items.append(SP)
            items.append(CDOTS if l is None else self.Wt(l))
        return Row(*items)

    def substitute(self, l: int) -> Section:
        step = self.sub_steps.get(l)
        layer = self.net.layers[l - 1]
        ident, s = self.sigma(l)
        a, d = _slope_intercept(step, layer)
        P = self.factor(l)
        h, prev = P.rows - 1, P.cols - 1
        first = "the first layer" if self.L == 1 else f"layer {l}"
        before: list[Inline] = []
        affine: list[Line] = []
        if ident:
            before += ["Since ", self.aug(l), " only prepends a constant 1 to ", Row(self.vec(l), A(" = "), self.W(l), SP, self.aug(l - 1)), ","]
        else:
            st = Row(s, A("(t) = "), self.affine_text(l))
            before += ["Since ", st, " is affine, ", self.vec(l), " is an affine function of ", self.aug(l - 1),
                       " (", A(r"\mathbf{1}", "𝟏"), " is the vector of ones), and ", self.aug(l), " prepends a constant 1 to it:"]
            affine = [Line(self.vec(l), "=", Row(self.cell(a), SP, self.W(l), SP, self.aug(l - 1), A(r" + ", " + "),
                                                 *self.times_ones(d), A(",")))]
        shape = A(rf"\quad (({self.rows_name(l)}+1) \times ({self.cols_name(l)}+1) = {h + 1} \times {prev + 1})",
                  f"   (({self.rows_name(l)}+1) × ({self.cols_name(l)}+1) = {h + 1} × {prev + 1})")
        self.lhs_column([self.aug(l), self.Wt(l), YHAT] + [x.lhs for x in affine if x.lhs is not None])
        lines = [
            *affine,
            *self.matrix_line(self.Wt(l), P.rows, P.cols, lambda r, c: self.cell(P[r, c]), shape, ",", aug_rows=True),
            Line(self.aug(l), "=", Row(self.Wt(l), SP, self.aug(l - 1), A(",", ","))),
            Line(YHAT, "=", Row(self.chain(l), SP, self.aug(l - 1), A("."))),
        ]
        after: list[Inline] = []
        if ident:
            after = ["The first row ", A("(1, 0, \\dots, 0)", "(1, 0, …, 0)"), " keeps the constant 1; the other rows are ", self.W(l), "."]
        else:
            after = ["The first row keeps the constant 1; row ", A("k+1"), " is ", self.cell(a), " times row ", A("k"), " of ", self.W(l),
                     ", plus ", self.cell(d), " in the first column."]
        if l > 1:
            after += [" The form is again a matrix times an augmented vector, one layer closer to the input."]
        return Section(self.next_title(f"substitute {first}"), "substitute_layer", tuple(before), tuple(lines), tuple(after))

    def times_ones(self, d: sympy.Expr) -> list[Math]:
        ones = A(r"\mathbf{1}", "𝟏")
        if d == 1:
            return [ones]
        terms = self.order.terms(d)
        if len(terms) == 1:
            return [term_math(terms[0])[1] if not term_math(terms[0])[0] else Row(A("-"), term_math(terms[0])[1]), SP, ones]
        return [A(r"\left(", "("), self.cell(d), A(r"\right)", ")"), SP, ones]

    def affine_text(self, l: int) -> Math:
        """``a t + d`` for the affine activation of layer l."""
        layer = self.net.layers[l - 1]
        a, d = _slope_intercept(self.sub_steps.get(l), layer)
        t = sympy.Symbol("t")
        expr = a * t + d
        pieces = [term_math(x) for x in TermOrder(None).terms(a * t)] + [term_math(x) for x in self.order.terms(d)]
        return signed_sum(pieces) if expr != 0 else A("0")

    def coeff_plan(self) -> bool:
        """True when the coefficients are written out term by term (the size rule), always for numbers."""
        if not self.v.explicit or self.v.matrix is None:
            return False
        if self.v.forced or self.numeric_claim():
            return True
        n = self.q * (self.p + 1)
        est = prod(w + 1 for w in self.widths)
        if n > MAX_COEFFS or est > MAX_TERMS:
            return False
        if self.fmt == "text" and self.L:
            if self._plan is None:
                lw = max(block(x).width for x in (self.beta(self.q, self.p), self.yhat(self.q)))
                room = TEXT_WIDTH - TEXT_INDENT - lw - 4 - 2
                self._plan = all(text_width(term_math(t)[1]) + 1 <= room
                                 for row in self.coeff_exprs() for e in row for t in self.order.terms(e))
            return self._plan
        return True

    def numeric_claim(self) -> bool:
        """True when every entry of W* and b* is a number."""
        if self._numeric is None:
            self._numeric = self.v.matrix is not None and _is_numeric(self.v.matrix) and _is_numeric(self.v.offset)
        return self._numeric

    def coeff_exprs(self) -> list[list[sympy.Expr]]:
        M, b = self.v.matrix, self.v.offset
        return [[b[i]] + [M[i, j] for j in range(self.p)] for i in range(self.q)]

    def collapse(self) -> Section:
        explicit = self.coeff_plan()
        tail = Row(A(" x^* = ", " x* = "), BW, A(" x^* = b^* + W^* x.", " x* = b* + W* x."))
        before: list[Inline] = ["Multiplying the factors out gives one matrix of shape ",
                                A(rf"q \times (p+1) = {self.q} \times {self.p + 1}", f"q × (p+1) = {self.q} × {self.p + 1}"), ":"]
        first = Line(BW, "=", Row(self.chain(1), A(",")))
        bwt = A(r"(b^* \mid W^*)^T", "(b* | W*)^T")
        self.lhs_column([BW, YHAT] + ([bwt] if self.q == 1 else []))
        shown: list[Line] = []
        after: list[Inline] = list(self.bw_note())
        if explicit:
            rows = self.coeff_exprs()
            numeric = self.numeric_claim()
            # numbers are one term each: only the cells the size rule shows are printed
            short = numeric or all(len(self.order.terms(e)) <= 4 for row in rows for e in row)
            if short and self.q == 1:
                js = _kept(self.p + 1, AUG_SHOWN)
                items: list[Math] = [self.cell(rows[0][j]) for j in js]
                if len(js) < self.p + 1:
                    items.insert(2, VDOTS)
                line = Line(bwt, "=", Row(self.chain_transposed(), EQ, Matrix([[x] for x in items]), A(",")))
                if numeric or self.fits(line.rhs):
                    shown = [line]
            elif short:
                got = self.matrix_line(BW, self.q, self.p + 1, lambda i, j: self.cell(rows[i][j]), None, ",")
                if numeric or len(got) == 1:
                    shown = got
            if not shown:
                after.append(" Its entries are the coefficients written out below.")
        else:
            after.append(" Its entries are the sums over paths given below (the network is too large to write them out term by term).")
        lines = [first, *shown, Line(YHAT, "=", Row(self.chain(1), tail))]
        return Section(self.next_title("collapse"), "conclude_linear_form", tuple(before), tuple(lines), tuple(after))

    def chain_transposed(self) -> Row:
        items: list[Math] = []
        for l in range(1, self.L + 1):
            if self.L == 1:
                items += [A(f"{latex_of(self.Wt(l))}^T", f"{text(self.Wt(l))}^T"), SP]
            else:  # a superscript already: (W~^(l))^T
                items += [A(f"({latex_of(self.Wt(l))})^T", f"({text(self.Wt(l))})^T"), SP]
        items.append(A("c", "c"))
        return Row(*items)

    def regression_lines(self) -> list[Line]:
        lines = []
        outs = list(range(1, self.q + 1))
        for i in (outs if len(outs) <= MAX_SHOWN else outs[:2] + [None] + outs[-1:]):
            if i is None:
                lines.append(Line(VDOTS, "", A("")))
                continue
            pieces: list[Signed] = [(False, self.beta(i, 0))]
            js = list(range(1, self.p + 1))
            shown = js if len(js) <= MAX_SHOWN else js[:2] + [None] + js[-1:]
            for j in shown:
                pieces.append((False, DOTS if j is None else Row(self.beta(i, j), SP, self.x(j))))
            lines += self.broken(self.yhat(i), pieces, A(","))
        return lines

    def conclusion(self) -> Section:
        explicit = self.L == 0 or self.coeff_plan()
        n = self.q * (self.p + 1)
        # numbers beyond the size rule: the first two and last outputs and coefficients, like the matrices
        partial = explicit and not self.v.forced and n > MAX_COEFFS and self.numeric_claim()
        rows_i = _kept(self.q) if partial else list(range(self.q))
        cols_j = _kept(self.p + 1, AUG_SHOWN) if partial else list(range(self.p + 1))
        lhss: list[Math] = [self.yhat(i) for i in _kept(self.q)] + [self.yhat(self.q)]
        if explicit and self.v.matrix is not None:
            lhss += [self.beta(i + 1, j) for i in rows_i for j in cols_j]
        elif self.q > 1:
            lhss.append(Atom(r"\beta_{i,j}", "β_{i,j}"))
        else:
            lhss += [self.beta(1, 0), self.beta(1, "j")]
        self.lhs_column(lhss)
        lines = self.regression_lines()
        before: list[Inline] = ["Reading off the entries of ", BW, " gives"]
        coeff_lines: list[Line] = []
        if explicit:
            exprs = self.coeff_exprs() if self.v.matrix is not None else []
            last = (rows_i[-1], cols_j[-1])
            for a, i in enumerate(rows_i):
                if a and i != rows_i[a - 1] + 1:
                    coeff_lines.append(Line(VDOTS, "", A("")))
                for b, j in enumerate(cols_j):
                    if b and j != cols_j[b - 1] + 1:
                        coeff_lines.append(Line(None, "", A(r"\dots,", "…,")))
                    pieces = [term_math(t) for t in self.order.terms(exprs[i][j])] or [(False, A("0"))]
                    coeff_lines += self.broken(self.beta(i + 1, j), pieces, A(",") if (i, j) != last else A("."))
        else:
            coeff_lines = self.sigma_lines()
        what = "This is a multiple linear regression in " if self.q == 1 else f"These are {self.q} multiple linear regressions (one per output) in "
        after: list[Inline] = [what, comma_list(elide([self.x(j) for j in range(1, self.p + 1)])), ". ", A(r"\blacksquare", "∎")]
        if partial:
            after = ["The other coefficients are the entries of ", BW, " (every one of them, exact, in the certificate). ", *after]
        return Section("Conclusion", "conclude_linear_form", tuple(before), tuple(lines + coeff_lines), tuple(after))

    def sigma_lines(self) -> list[Line]:
        """Σ-notation for the coefficients: sums over paths through the augmented factors."""
        L = self.L
        if L == 1 and self.q == 1 and self.seed_names():
            return self.seed_sigma_lines()
        names = [(f"k_{l}" if l < 10 else f"k_{{{l}}}") if L > 1 else "k" for l in range(1, L + 1)]
        out = self.net.layers[-1].augmented()
        out_pattern = "c" if all(out[0, j] == sympy.Symbol(f"c_{j}") for j in range(out.cols)) else None
        i = "i"

        def entry(l: int, row: str, col: str) -> tuple[str, str]:
            return (rf"(\widetilde{{W}}{'' if L == 1 else f'^{{({l})}}'})_{{{row},{col}}}",
                    f"(W~{'' if L == 1 else f'^({l})'})_{{{row},{col}}}")

        if self.q == 1 and out_pattern == "c":
            c_tex, c_txt = rf"c_{{{names[-1]}}}", f"c_{{{names[-1]}}}"
        elif self.q == 1:
            c_tex, c_txt = rf"C_{{1,{names[-1]}}}", f"C_{{1,{names[-1]}}}"
        else:
            c_tex, c_txt = rf"C_{{{i},{names[-1]}}}", f"C_{{{i},{names[-1]}}}"
        sums_tex, sums_txt = [], []
        for l in range(L, 0, -1):
            top = str(self.widths[l - 1])
            sums_tex.append(rf"\sum_{{{names[l - 1]}=0}}^{{{top}}}")
            sums_txt.append(f"Σ_{{{names[l - 1]}=0..{top}}}")
        if L > 3:
            sums_tex = [sums_tex[0], r"\cdots", sums_tex[-1]]
            sums_txt = [sums_txt[0], "⋯", sums_txt[-1]]
        factors_tex, factors_txt = [c_tex], [c_txt]
        ls = list(range(L, 0, -1))
        for l in ls:
            row = names[l - 1]
            col = names[l - 2] if l > 1 else "j"
            t, x = entry(l, row, col)
            factors_tex.append(t)
            factors_txt.append(x)
        # k_10 is k_{10} in LaTeX
        sums_tex = [re.sub(r"k_(\d{2,})", r"k_{\1}", x) for x in sums_tex]
        factors_tex = [re.sub(r"k_(\d{2,})", r"k_{\1}", x) for x in factors_tex]
        if L > 3:
            factors_tex = factors_tex[:2] + [r"\cdots"] + factors_tex[-1:]
            factors_txt = factors_txt[:2] + ["⋯"] + factors_txt[-1:]
        lhs = self.beta(1, "j") if self.q == 1 else Atom(r"\beta_{i,j}", "β_{i,j}")
        jt, jx = index_range(0, self.p)
        rng = A(rf", \qquad j = {jt}", f",   j = {jx}")
        if self.q > 1:
            it, ix = index_range(1, self.q)
            rng = Row(rng, A(rf"; \; i = {it}", f"; i = {ix}"))
        note = "row and column 0 of each factor belong to the constant 1"
        if self.fmt != "text":
            body = Atom(" ".join(sums_tex) + " " + " ".join(factors_tex), " ".join(sums_txt) + " " + " ".join(factors_txt))
            return [Line(lhs, "=", Row(body, rng, A(","))),
                    Line(None, "", A(r"\text{(indices from 0: " + note + ")}.", f"(indices from 0: {note})."))]
        items = [Atom(tx, tt) for tx, tt in zip(sums_tex + factors_tex, sums_txt + factors_txt)]
        lines = broken_product(lhs, items, Row(rng, A(",")), self.fmt, self.lw)
        room = TEXT_WIDTH - (TEXT_INDENT + max(self.lw, text_width(lhs)) + 4)
        for piece in _wrap_words(f"(indices from 0: {note}).", int(room)):
            lines.append(Line(None, "", A(piece)))
        return lines

    def seed_names(self) -> bool:
        """True for one hidden layer named as in the blog post (``b_{k,j}``, ``c_k``)."""
        out = self.net.layers[-1].augmented()
        return dense_pattern(self.net.layers[0]) == "b_{{{k},{j}}}" and all(
            out[0, j] == sympy.Symbol(f"c_{j}") for j in range(out.cols)
        )

    def seed_sigma_lines(self) -> list[Line]:
        """The blog post's coefficients in Σ-notation, with the activation's slope and intercept."""
        layer = self.net.layers[0]
        a, d = _slope_intercept(self.sub_steps.get(1), layer)
        h = self.widths[0]
        k_sum = Atom(rf"\sum_{{k=1}}^{{{h}}}", f"Σ_{{k=1..{h}}}")
        lead = [] if a == 1 else [self.cell(a), SP]
        b0 = Row(A("c_0 + "), *lead, k_sum, A(" c_k b_{k,0}"))
        if d != 0:
            b0 = Row(b0, A(" + "), *self.times_ones_sum(d, k_sum))
        bj = Row(*lead, k_sum, A(" c_k b_{k,j}"), A(rf", \qquad j = {index_range(1, self.p)[0]}.", f",   j = {index_range(1, self.p)[1]}."))
        return [Line(self.beta(1, 0), "=", Row(b0, A(","))), Line(self.beta(1, "j"), "=", bj)]

    def times_ones_sum(self, d: sympy.Expr, k_sum: Math) -> list[Math]:
        if d == 1:
            return [k_sum, A(" c_k")]
        return [A(r"\left(", "("), self.cell(d), A(r"\right)", ")"), SP, k_sum, A(" c_k")]

    def checked(self, step: Any) -> Section:
        n = step.monomials
        lead = "Expanding the network's output directly and subtracting the linear form gives the zero polynomial"
        before: list[Inline] = [lead + "."]
        if n is not None:
            before = [lead + f" ({n} monomial{'s' if n != 1 else ''}, each of degree at most 1 in ", A("x"), ")."]
        return Section("Checked", "expand_and_compare", tuple(before))


def index_range(first: int, last: int) -> tuple[str, str]:
    """``0, 1, …, last`` or ``1, …, last`` in LaTeX and text; every index when there are at most three."""
    if last - first <= 2:
        items = ", ".join(str(i) for i in range(first, last + 1))
        return items, items
    if first == 1:
        return rf"1, \dots, {last}", f"1, …, {last}"
    return rf"{first}, {first + 1}, \dots, {last}", f"{first}, {first + 1}, …, {last}"


def _wrap_words(s: str, width: int) -> list[str]:
    """``s`` cut at spaces into lines of at most ``width`` characters (a longer word stays whole)."""
    out: list[str] = []
    for word in s.split(" "):
        if out and len(out[-1]) + 1 + len(word) <= width:
            out[-1] += " " + word
        else:
            out.append(word)
    return out


def latex_of(node: Math) -> str:
    return latex(node)


_DENSE = re.compile(r"^(?P<stem>[A-Za-z]+(?:\^\{\(\d+\)\})?)_(?:\{(?P<k>\d+),(?P<j>\d+)\}|(?P<one>\d+)|\{(?P<onb>\d+)\})$")


def dense_pattern(layer: Any) -> str | None:
    """``"b_{{{k},{j}}}"`` when every entry of ``[b | W]`` is the dense builder's symbol, else None."""
    first = layer.biases[0]
    if not first.is_Symbol:
        return None
    m = _DENSE.match(first.name)
    if m is None or m.group("k") is None:
        return None
    stem = m.group("stem")
    pattern = stem.replace("{", "{{").replace("}", "}}") + "_{{{k},{j}}}"
    for k in range(layer.weights.rows):
        if layer.biases[k] != sympy.Symbol(pattern.format(k=k + 1, j=0)):
            return None
        for j in range(layer.weights.cols):
            if layer.weights[k, j] != sympy.Symbol(pattern.format(k=k + 1, j=j + 1)):
                return None
    return pattern


def build(obj: Any, fmt: str = "text", *, explicit: bool = False, digits: int | None = DEFAULT_DIGITS) -> Derivation:
    """The derivation of a Proof (or certificate); ``fmt`` sets how lines are measured.

    ``explicit=True`` writes every coefficient out term by term whatever the
    size rule says (multiplying the factors out when the certificate keeps a
    product); ``digits`` is the number of significant digits of rounded
    numbers (None: every number exact), see :mod:`symnet.render._numbers`.
    """
    if not isinstance(explicit, bool):
        from ..errors import InvalidType

        raise InvalidType(f"explicit must be True or False, not {type(explicit).__name__}")
    numbers = NumberFormat(check_digits(digits))
    token = NUMBERS.set(numbers)
    try:
        return _Builder(view(obj, explicit), "latex" if fmt in ("latex", "markdown") else "text").build()
    finally:
        NUMBERS.reset(token)


def without_rules(d: Derivation) -> Derivation:
    """The derivation with its rule tags removed (``rules=False``)."""
    return Derivation(d.title, tuple(Section(s.title, None, s.before, s.display, s.after) for s in d.sections))
