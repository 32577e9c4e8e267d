"""The derivation builder's core: the proof's data, the display layout bound to one format, names and cells.

The steps of the story are written by subclasses: :mod:`symnet.render._steps`
(the network, node outputs, matrix form, output node, substitutions) and
:mod:`symnet.render._collapse` (collapse, conclusion, check).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sympy

from ._atoms import (
    AUG_SHOWN,
    CDOTS,
    MAX_SHOWN,
    SP,
    YHAT,
    A,
    Signed,
    comma_list,
    elide,
    numbers,
    signed_sum,
    sub,
    sym,
    term_math,
)
from ._document import Inline, Line
from ._layout import MEASURES, TEXT_INDENT, TEXT_WIDTH, broken, elided_matrix, print_width, text_line_width
from ._math import TALL, Atom, Math, Matrix, Row, block, latex, text
from ._terms import TermOrder
from ._view import View, _slope_intercept


class _Core:
    """The state of one derivation being built, and the helpers every step uses."""

    def __init__(self, v: View, fmt: str) -> None:
        self.fmt = fmt
        self.numbers = numbers()
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

    def broken(
        self, lhs: Math, pieces: Sequence[Signed], tail: Math | None = None, head: Math | None = None
    ) -> list[Line]:
        return broken(lhs, pieces, tail, self.fmt, self.lw, head)

    def applied(self, lhs: Math, s: Math, pieces: Sequence[Signed], tail: Math | None) -> list[Line]:
        """``lhs = σ(pieces) tail``, broken like a sum (``\\left(`` only when on one line)."""
        punct = tail is not None and latex(tail).lstrip()[:1] in (",", ".")
        close = A(r"\right)" + (r"\!" if punct else ""), ")")
        lines = self.broken(lhs, pieces, close if tail is None else Row(close, tail), Row(s, A(r"\!\left(", "(")))
        if len(lines) > 1 or not any(k in latex(line.rhs) for line in lines for k in TALL[:-1]):
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

    def matrix_line(
        self,
        lhs: Math,
        nrows: int,
        ncols: int,
        cell: Callable[[int, int], Math],
        note: Math | None,
        end: str,
        aug_rows: bool = False,
        aug_cols: bool = True,
    ) -> list[Line]:
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
        below: Math = (
            Row(A(text(note).strip()) if self.fmt == "text" else note, end_atom) if note is not None else end_atom
        )
        if self.fits_rhs(lhs, Row(m, tail)):
            return [Line(lhs, "=", Row(m, tail))]
        if note is not None and self.fits_rhs(lhs, m) and self.fits_rhs(None, below):
            return [Line(lhs, "=", m), Line(None, "", below)]
        groups: list[list[int | None]] = [[]]
        for c in cols:
            trial = groups[-1] + [c]
            first = len(groups) == 1
            if groups[-1] and not self.fits_rhs(
                lhs if first else None, elided_matrix(nrows, trial, get, right=False, limit=lr)
            ):
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

    def tuple_line(
        self, lhs: Math, items: Sequence[Math], before: Math, after: Math, limit: int = MAX_SHOWN
    ) -> list[Line]:
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

    def rows_name(self, l: int) -> str:
        return "h" if self.L == 1 else (f"h_{l}" if l < 10 else f"h_{{{l}}}")

    def cols_name(self, l: int) -> str:
        return "p" if l == 1 else self.rows_name(l - 1)

    def out_name(self) -> Atom:
        stem = "b" if self.L == 0 else "c"
        return A(f"{stem}^T", f"{stem}^T") if self.q == 1 else A(stem.upper(), stem.upper())

    def yhat(self, i: int | None = None) -> Atom:
        if self.q == 1 or i is None:
            return YHAT
        return sub(r"\hat{y}", "ŷ", str(i))

    def yhat_tuple(self) -> Row:
        """``(ŷ_1, …, ŷ_q)^T``: the outputs as one vector."""
        return Row(
            A(r"\left(", "("), comma_list(elide([self.yhat(i) for i in range(1, self.q + 1)])), A(r"\right)^T", ")^T")
        )

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

    # cells and factors -----------------------------------------------------
    def entry_sum(self, coeffs: Sequence[sympy.Expr], variables: Sequence[Math]) -> list[Signed]:
        """``coeffs[0] + Σ coeffs[j] variables[j]`` as signed pieces, in natural order."""
        pieces: list[Signed] = []
        for c, var in zip(coeffs, [None, *variables], strict=True):
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

    def sum_or_sigma(self, lhs: Math, pieces: list[Signed], tail: Math | None) -> list[Line]:
        if len(pieces) <= MAX_SHOWN + 1:
            return self.broken(lhs, pieces, tail)
        shown = pieces[:2] + [(False, CDOTS)] + pieces[-1:]
        return self.broken(lhs, shown, tail)

    def augmented_cell(self, l: int) -> Callable[[int, int], Math]:
        layer = self.net.layers[l - 1]
        return lambda k, j: self.cell(layer.biases[k] if j == 0 else layer.weights[k, j - 1])

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

    def times_ones(self, d: sympy.Expr) -> list[Math]:
        ones = A(r"\mathbf{1}", "𝟏")
        if d == 1:
            return [ones]
        terms = self.order.terms(d)
        if len(terms) == 1:
            return [
                term_math(terms[0])[1] if not term_math(terms[0])[0] else Row(A("-"), term_math(terms[0])[1]),
                SP,
                ones,
            ]
        return [A(r"\left(", "("), self.cell(d), A(r"\right)", ")"), SP, ones]

    def affine_text(self, l: int) -> Math:
        """``a t + d`` for the affine activation of layer l."""
        layer = self.net.layers[l - 1]
        a, d = _slope_intercept(self.sub_steps.get(l), layer)
        t = sympy.Symbol("t")
        expr = a * t + d
        pieces = [term_math(x) for x in TermOrder(None).terms(a * t)] + [term_math(x) for x in self.order.terms(d)]
        return signed_sum(pieces) if expr != 0 else A("0")

    def bw_note(self) -> tuple[Inline, ...]:
        """The sentence naming the two blocks of ``(b* | W*)``."""
        return (
            "Its first column ",
            A("b^*", "b*"),
            " is the intercept (",
            A(rf"q \times 1 = {self.q} \times 1", f"q × 1 = {self.q} × 1"),
            "), the other columns ",
            A("W^*", "W*"),
            " are the weights (",
            A(rf"q \times p = {self.q} \times {self.p}", f"q × p = {self.q} × {self.p}"),
            ").",
        )
