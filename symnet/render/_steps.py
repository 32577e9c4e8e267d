"""The derivation's first steps: the network, node outputs, matrix form, output node and one substitution per layer."""

from __future__ import annotations

import sympy

from ._atoms import (
    AUG_SHOWN,
    BW,
    CDOTS,
    MAX_SHOWN,
    SP,
    YHAT,
    A,
    _kept,
    column,
    comma_list,
    elide,
    elided_range,
    index_range,
    sub,
    sym,
    text_name,
)
from ._builder import _Core
from ._document import Inline, Line, Section
from ._math import Atom, Math, Row, parens, text
from ._reference import cite
from ._view import _slope_intercept, augmented, dense_pattern


class _LayerSteps(_Core):
    """Steps that define the network and substitute its layers into the output, from the output down."""

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
                before.append(" with the identity activation")
                if cite():
                    before += [" (the blog post's ", A(r"f(a_1, \dots, a_m) = \sum_i a_i", "f(a_1, …, a_m) = Σ_i a_i"),
                               ")"]
            elif len({(a.name, a.function) for a in acts}) == 1 and all(
                _slope_intercept(self.sub_steps.get(l), self.net.layers[l - 1])
                == _slope_intercept(self.sub_steps.get(1), self.net.layers[0])
                for l in range(1, self.L + 1)
            ):
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
            after = [
                f"Numbers shown with {d} significant digits are rounded to nearest; shorter numbers are exact. "
                "The exact values are in the certificate (and in proof.matrix and proof.offset)."
            ]
        return Section("Network", None, tuple(before), (), tuple(after))

    def single_node(self) -> list[Section]:
        step = (self.by_rule.get("read_output_layer") or [None])[0]
        C = step.matrix if step is not None and step.matrix is not None else augmented(self.net.layers[0])
        xs = [self.x(j) for j in range(1, self.p + 1)]
        lines: list[Line] = []
        name = self.out_name()
        self.lhs_column([self.yhat(i + 1) for i in range(self.q)] + [A("b"), A("B")])
        if self.q == 1:
            lines += self.tuple_line(
                A("b"), [self.cell(C[0, j]) for j in range(C.cols)], A("("), A(")^T,", ")^T,"), AUG_SHOWN
            )
        else:
            lines += self.matrix_line(
                A("B"),
                self.q,
                C.cols,
                lambda i, j: self.cell(C[i, j]),
                A(
                    rf"\quad (q \times (p+1) = {self.q} \times {self.p + 1})",
                    f"   (q × (p+1) = {self.q} × {self.p + 1})",
                ),
                ",",
            )
        for i in range(self.q):
            pieces = self.entry_sum(list(C.row(i)), xs)
            last = i == self.q - 1
            tail = Row(A(" = "), name, A(" x^*.", " x*.")) if self.q == 1 else A("." if last else ",")
            lines += self.sum_or_sigma(self.yhat(i + 1), pieces, tail)
        if self.q > 1:
            lines.append(Line(YHAT, "=", Row(self.yhat_tuple(), A(" = "), name, A(" x^*.", " x*."))))
        xstar = Row(A("x^* = (1, ", "x* = (1, "), comma_list(elide(xs)), A(")^T", ")^T"))
        what = "its bias and weights" if self.q == 1 else "row i of B holds output i's bias and weights"
        before: list[Inline] = [
            "The single node adds its bias to the weighted inputs; with the augmented input ",
            xstar,
            f" and {what}:" if self.q == 1 else f" ({what}):",
        ]
        sec = Section(self.next_title("node output"), "read_output_layer", tuple(before), tuple(lines))
        self.lhs_column([BW, YHAT])
        conc = Section(
            self.next_title("collapse"),
            "conclude_linear_form",
            ("The weights are already the linear form:",),
            (
                Line(BW, "=", Row(name, A(",", ","))),
                Line(YHAT, "=", Row(name, A(" x^* = ", " x* = "), BW, A(" x^* = b^* + W^* x.", " x* = b* + W* x."))),
            ),
            self.bw_note(),
        )
        return [sec, conc]

    def node_outputs(self, end: str = ".") -> list[Section]:
        """Step 1: every hidden node's output; ``end`` closes the last line (``,`` when more lines follow)."""
        lines: list[Line] = []
        kept = {l: _kept(self.net.layers[l - 1].weights.rows) for l in range(1, self.L + 1)}
        names: list[tuple[int, int | str]] = [(l, "k") for l in kept]
        names += [(l, k + d) for l in kept for d in (0, 1) for k in kept[l]]
        self.lhs_column([A("⋮")] + [self.y(l, k) for l, k in names])
        for l in range(1, self.L + 1):
            layer = self.net.layers[l - 1]
            ident, s = self.sigma(l)
            prev = self.p if l == 1 else self.widths[l - 2]
            variables = [self.y(l - 1, j) for j in range(1, prev + 1)]
            pattern = dense_pattern(layer)
            if pattern is not None and layer.weights.rows > 1:
                coeffs = [sympy.Symbol(pattern.format(k="k", j=j)) for j in range(prev + 1)]
                pieces = (
                    self.entry_sum(coeffs, variables)
                    if prev + 1 <= MAX_SHOWN
                    else [
                        (False, sym(coeffs[0])),
                        (
                            False,
                            Atom(
                                rf"\sum_{{j=1}}^{{{prev}}} {sympy.latex(sympy.Symbol(pattern.format(k='k', j='j')))} "
                                + sympy.latex(sympy.Symbol(text(self.y(l - 1, "j")))),
                                f"Σ_{{j=1..{prev}}} {text_name(pattern.format(k='k', j='j'))} "
                                f"{text(self.y(l - 1, 'j'))}",
                            ),
                        ),
                    ]
                )
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
            for k in elided_range(0, len(rows)):
                if k is None:
                    lines.append(Line(A(r"\vdots", "⋮"), "", A("")))
                    continue
                coeffs = [layer.biases[k]] + list(layer.weights.row(k))
                pieces = self.entry_sum(coeffs, variables)
                if not ident:
                    shown_pieces = (
                        pieces if len(pieces) <= MAX_SHOWN + 1 else pieces[:2] + [(False, CDOTS)] + pieces[-1:]
                    )
                    lines += self.applied(
                        self.y(l, k + 1), s, shown_pieces, A(end if k == rows[-1] and l == self.L else ",")
                    )
                else:
                    lines += self.sum_or_sigma(
                        self.y(l, k + 1), pieces, A(end if k == rows[-1] and l == self.L else ",")
                    )
        before: list[Inline] = ["Each hidden node adds its bias to the weighted outputs of the layer below"]
        if any(not self.sigma(l)[0] for l in range(1, self.L + 1)):
            before.append(" and applies its activation")
        before.append(":")
        return [Section(self.next_title("node outputs"), "define_layer", tuple(before), tuple(lines))]

    def matrix_form(self) -> list[Section]:
        lines: list[Line] = []
        self.lhs_column(
            [self.vec(l) for l in range(1, self.L + 1)]
            + [self.W(l) for l in range(1, self.L + 1)]
            + [self.aug(l) for l in range(1, self.L)]
        )
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
            rhs = prod_ if ident else Row(s, parens(prod_, applied=True, punct=True))
            lines.append(Line(self.vec(l), "=", Row(ys, A(" = "), rhs, A(","))))
            shape = A(
                rf"\quad ({self.rows_name(l)} \times ({self.cols_name(l)}+1) = {h} \times {prev + 1})",
                f"   ({self.rows_name(l)} × ({self.cols_name(l)}+1) = {h} × {prev + 1})",
            )
            lines += self.matrix_line(self.W(l), h, prev + 1, self.augmented_cell(l), shape, ".")
        xs = elide([self.x(j) for j in range(1, self.p + 1)])
        before: list[Inline] = [
            "With the augmented input ",
            Row(A("x^* = (1, ", "x* = (1, "), comma_list(xs), A(")^T", ")^T")),
            " (a constant 1 first, for the biases)",
        ]
        if self.L > 1:
            before.append(" and each hidden layer's outputs augmented the same way")
        before.append(", each layer is one matrix product")
        before.append(
            " followed by the activation, entry by entry:"
            if any(not self.sigma(l)[0] for l in range(1, self.L + 1))
            else ":"
        )
        after: list[Inline] = []
        if self.L == 1:
            after = ["The matrix ", A("W"), " has one row per hidden node: ", A("h"), " rows, not ", A("p"), "."]
        return [
            Section(
                self.next_title("matrix form, augmented input"),
                "define_layer",
                tuple(before),
                tuple(lines),
                tuple(after),
            )
        ]

    def output_node(self) -> list[Section]:
        L = self.L
        h = self.widths[-1]
        step = (self.by_rule.get("read_output_layer") or [None])[0]
        C = step.matrix if step is not None and step.matrix is not None else augmented(self.net.layers[-1])
        ys = [self.y(L, k) for k in range(1, h + 1)]
        self.lhs_column([self.aug(L), YHAT, A("c") if self.q == 1 else A("C")])
        lines: list[Line] = self.tuple_line(self.aug(L), ys, A("(1, "), A(")^T,", ")^T,"))  # 1 + h entries
        if self.q == 1:
            before: list[Inline] = [
                "The output node adds its bias to the weighted hidden outputs; with the hidden outputs "
                "augmented by a constant 1 and the output node's bias and weights,"
            ]
            cs = [self.cell(C[0, k]) for k in range(h + 1)]
            lines += self.tuple_line(A("c"), cs, A("("), A(")^T,", ")^T,"), AUG_SHOWN)
            pieces = self.entry_sum(list(C.row(0)), ys)
            lines += self.sum_or_sigma(YHAT, pieces, Row(A(" = "), self.out_name(), SP, self.aug(L), A(".")))
        else:
            before = [
                "Each output node adds its bias to the weighted hidden outputs; with the hidden outputs augmented "
                "by a constant 1 and one row of bias and weights per output,"
            ]
            lines += self.matrix_line(
                A("C"),
                self.q,
                C.cols,
                lambda i, j: self.cell(C[i, j]),
                A(
                    rf"\quad (q \times ({self.rows_name(L)}+1) = {self.q} \times {h + 1})",
                    f"   (q × ({self.rows_name(L)}+1) = {self.q} × {h + 1})",
                ),
                ",",
            )
            lines.append(Line(YHAT, "=", Row(self.yhat_tuple(), A(" = C "), self.aug(L), A("."))))
        return [Section(self.next_title("output node"), "read_output_layer", tuple(before), tuple(lines))]

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
            before += ["Since ", self.aug(l), " only prepends a constant 1 to ",
                       Row(self.vec(l), A(" = "), self.W(l), SP, self.aug(l - 1)), ","]
        else:
            st = Row(s, A("(t) = "), self.affine_text(l))
            before += ["Since ", st, " is affine, ", self.vec(l), " is an affine function of ", self.aug(l - 1),
                       " (", A(r"\mathbf{1}", "𝟏"), " is the vector of ones), and ", self.aug(l),
                       " prepends a constant 1 to it:"]
            rhs = Row(self.cell(a), SP, self.W(l), SP, self.aug(l - 1), A(r" + ", " + "), *self.times_ones(d), A(","))
            affine = [Line(self.vec(l), "=", rhs)]
        shape = A(
            rf"\quad (({self.rows_name(l)}+1) \times ({self.cols_name(l)}+1) = {h + 1} \times {prev + 1})",
            f"   (({self.rows_name(l)}+1) × ({self.cols_name(l)}+1) = {h + 1} × {prev + 1})",
        )
        self.lhs_column([self.aug(l), self.Wt(l), YHAT] + [x.lhs for x in affine if x.lhs is not None])
        lines = [
            *affine,
            *self.matrix_line(self.Wt(l), P.rows, P.cols, lambda r, c: self.cell(P[r, c]), shape, ",", aug_rows=True),
            Line(self.aug(l), "=", Row(self.Wt(l), SP, self.aug(l - 1), A(",", ","))),
            Line(YHAT, "=", Row(self.chain(l), SP, self.aug(l - 1), A("."))),
        ]
        after: list[Inline] = []
        if ident:
            after = ["The first row ", A("(1, 0, \\dots, 0)", "(1, 0, …, 0)"),
                     " keeps the constant 1; the other rows are ", self.W(l), "."]
        else:
            after = ["The first row keeps the constant 1; row ", A("k+1"), " is ", self.cell(a), " times row ", A("k"),
                     " of ", self.W(l), ", plus ", self.cell(d), " in the first column."]
        if l > 1:
            after += [" The form is again a matrix times an augmented vector, one layer closer to the input."]
        title = self.next_title(f"substitute {first}")
        return Section(title, "substitute_layer", tuple(before), tuple(lines), tuple(after))
