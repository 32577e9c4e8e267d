"""The derivation's last steps -- collapse, conclusion, check -- and the builder that tells the whole story."""

from __future__ import annotations

import re
from math import prod
from typing import Any

import sympy

from ._atoms import (
    AUG_SHOWN,
    BW,
    DOTS,
    EQ,
    MAX_COEFFS,
    MAX_TERMS,
    SP,
    VDOTS,
    YHAT,
    A,
    Signed,
    _kept,
    comma_list,
    elide,
    elided_range,
    index_range,
    latex_of,
    term_math,
)
from ._document import Derivation, Inline, Line, Section
from ._layout import TEXT_INDENT, TEXT_WIDTH, _wrap_words, broken_product, text_width
from ._math import Atom, Math, Matrix, Row, block, text
from ._steps import _LayerSteps
from ._view import _is_numeric, _slope_intercept, augmented, dense_pattern


class _Builder(_LayerSteps):
    """A proof's derivation, step by step (:meth:`build`)."""

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
        if M is None or b is None:
            return []
        return [[b[i]] + [M[i, j] for j in range(self.p)] for i in range(self.q)]

    def collapse(self) -> Section:
        explicit = self.coeff_plan()
        tail = Row(A(" x^* = ", " x* = "), BW, A(" x^* = b^* + W^* x.", " x* = b* + W* x."))
        before: list[Inline] = [
            "Multiplying the factors out gives one matrix of shape ",
            A(rf"q \times (p+1) = {self.q} \times {self.p + 1}", f"q × (p+1) = {self.q} × {self.p + 1}"),
            ":",
        ]
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
            after.append(
                " Its entries are the sums over paths given below "
                "(the network is too large to write them out term by term)."
            )
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
        for i in elided_range(1, self.q + 1):
            if i is None:
                lines.append(Line(VDOTS, "", A("")))
                continue
            pieces: list[Signed] = [(False, self.beta(i, 0))]
            for j in elided_range(1, self.p + 1):
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
        lhss: list[Math] = [*(self.yhat(i) for i in _kept(self.q)), self.yhat(self.q)]
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
        what = (
            "This is a multiple linear regression in "
            if self.q == 1
            else f"These are {self.q} multiple linear regressions (one per output) in "
        )
        after: list[Inline] = [
            what,
            comma_list(elide([self.x(j) for j in range(1, self.p + 1)])),
            ". ",
            A(r"\blacksquare", "∎"),
        ]
        if partial:
            after = [
                "The other coefficients are the entries of ",
                BW,
                " (every one of them, exact, in the certificate). ",
                *after,
            ]
        return Section("Conclusion", "conclude_linear_form", tuple(before), tuple(lines + coeff_lines), tuple(after))

    def sigma_lines(self) -> list[Line]:
        """Σ-notation for the coefficients: sums over paths through the augmented factors."""
        L = self.L
        if L == 1 and self.q == 1 and self.seed_names():
            return self.seed_sigma_lines()
        names = [(f"k_{l}" if l < 10 else f"k_{{{l}}}") if L > 1 else "k" for l in range(1, L + 1)]
        out = augmented(self.net.layers[-1])
        out_pattern = "c" if all(out[0, j] == sympy.Symbol(f"c_{j}") for j in range(out.cols)) else None
        i = "i"

        def entry(l: int, row: str, col: str) -> tuple[str, str]:
            return (
                rf"(\widetilde{{W}}{'' if L == 1 else f'^{{({l})}}'})_{{{row},{col}}}",
                f"(W~{'' if L == 1 else f'^({l})'})_{{{row},{col}}}",
            )

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
        rng: Math = A(rf", \qquad j = {jt}", f",   j = {jx}")
        if self.q > 1:
            it, ix = index_range(1, self.q)
            rng = Row(rng, A(rf"; \; i = {it}", f"; i = {ix}"))
        note = "row and column 0 of each factor belong to the constant 1"
        if self.fmt != "text":
            body = Atom(
                " ".join(sums_tex) + " " + " ".join(factors_tex), " ".join(sums_txt) + " " + " ".join(factors_txt)
            )
            return [
                Line(lhs, "=", Row(body, rng, A(","))),
                Line(None, "", A(r"\text{(indices from 0: " + note + ")}.", f"(indices from 0: {note}).")),
            ]
        items = [Atom(tx, tt) for tx, tt in zip(sums_tex + factors_tex, sums_txt + factors_txt, strict=True)]
        lines = broken_product(lhs, items, Row(rng, A(",")), self.fmt, self.lw)
        room = TEXT_WIDTH - (TEXT_INDENT + max(self.lw, text_width(lhs)) + 4)
        for piece in _wrap_words(f"(indices from 0: {note}).", int(room)):
            lines.append(Line(None, "", A(piece)))
        return lines

    def seed_names(self) -> bool:
        """True for one hidden layer named as in the blog post (``b_{k,j}``, ``c_k``)."""
        out = augmented(self.net.layers[-1])
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
        bj = Row(
            *lead,
            k_sum,
            A(" c_k b_{k,j}"),
            A(rf", \qquad j = {index_range(1, self.p)[0]}.", f",   j = {index_range(1, self.p)[1]}."),
        )
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
