"""The derivation of a :class:`~symnet.search.generic.GenericProof`: the blog post's story at symbolic sizes.

Rows ``b_{k,0} … b_{k,p}``, ``h`` rows, the augmented matrix ``[[1, 0], [b_0, B]]``
per hidden layer, their products and ``ŷ = (b* | W*) x* = b* + W* x`` -- the
same notation as the concrete derivations (:mod:`symnet.render._derivation`),
with W* (q × p) and b* (q × 1).  It reads the proof's data only; the rule
statements and the activations' affine coefficients are handed in by the
caller (renderers never import the kernel).
"""

from __future__ import annotations

from typing import Any

import sympy

from ..model import display
from ..model.generic import GenericStep
from ._atoms import DOTS, VDOTS, A
from ._document import Derivation, Inline, Line, Section
from ._generic_notation import RuleTexts, _GenericNotation, lin_math, lin_str, lin_tex_claim, lin_txt, shapes_tex
from ._math import Atom, Math, Matrix, Row, parens
from ._reference import cite

__all__ = ["GenericDerivation", "RuleTexts", "lin_math", "lin_str", "lin_tex_claim", "lin_txt"]

#: Each generic rule's statement in LaTeX (:data:`symnet.model.generic_selftest.STATEMENTS` states it in text).
RULE_LATEX: dict[str, str] = {
    "read_output_layer": r"W u + b = \begin{bmatrix} b & W \end{bmatrix} \begin{bmatrix} 1 \\ u \end{bmatrix}",
    "substitute_layer": (
        r"\begin{bmatrix} 1 \\ a (W u + b) + d \mathbf{1}_m \end{bmatrix} = "
        r"\begin{bmatrix} 1 & 0 \\ a b + d \mathbf{1}_m & a W \end{bmatrix} \begin{bmatrix} 1 \\ u \end{bmatrix}"
    ),
    "multiply_augmented": (
        r"\begin{bmatrix} 1 & 0 \\ c & V \end{bmatrix} \begin{bmatrix} 1 & 0 \\ v & M \end{bmatrix} = "
        r"\begin{bmatrix} 1 & 0 \\ c + V v & V M \end{bmatrix}"
    ),
    "apply_output_row": (
        r"\begin{bmatrix} c & C \end{bmatrix} \begin{bmatrix} 1 & 0 \\ v & M \end{bmatrix} = "
        r"\begin{bmatrix} c + C v & C M \end{bmatrix}"
    ),
    "conclude_linear_form": r"\begin{bmatrix} c & C \end{bmatrix} \begin{bmatrix} 1 \\ x \end{bmatrix} = C x + c",
    "factor_rank": r"\operatorname{rank}(A B) \le r",
}


class GenericDerivation(_GenericNotation):
    """The blog post's story for general sizes: rows b_{k,0} … b_{k,p}, h rows, the augmented matrix."""

    def build(self) -> Derivation:
        secs = [self.network_section()]
        if self.L == 0:
            secs.append(self.single_node())
        else:
            secs += [self.node_outputs(), self.matrix_form(), self.output_node()]
            secs += [self.substitute(s) for s in self.by_rule["substitute_layer"]]
            secs += [self.multiply(s) for s in self.by_rule.get("multiply_augmented", [])]
            secs.append(self.collapse(self.by_rule["apply_output_row"][0]))
        secs.append(self.conclusion())
        secs.append(self.rank())
        secs.append(self.rules())
        title = "A network with linear activation is a linear regression, for "
        return Derivation(title + self.sizes_phrase(), tuple(secs), (title, *self.sizes_inline()))

    def network_section(self) -> Section:
        net = self.net
        xs = Row(*self._commas([self.x(j) for j in self.indices(net.p)]))
        pdesc = (
            Row(A("p = "), self.sz(net.p)) if net.p.is_Integer else Row(self.sz(net.p), A(r"\text{ inputs}", " inputs"))
        )
        before: list[Any] = ["Inputs ", Row(A("x = (", "x = ("), xs, A(")^T")), " (", pdesc, "); "]
        if self.L == 0:
            before.append("no hidden layer: a single linear node")
        else:
            ws = Row(*self._commas([self.sz(h) for h in net.hidden]))
            if self.L == 1:
                before += ["one hidden layer of ", ws, " node" + ("" if net.hidden[0] == 1 else "s")]
            else:
                before += [f"{self.L} hidden layers of widths ", ws]
            if self.identity():
                before.append(" with the identity activation")
                if cite():
                    f_sum = A(r"f(a_1, \dots, a_m) = \sum_i a_i", "f(a_1, …, a_m) = Σ_i a_i")
                    before += [" (the blog post's ", f_sum, ")"]
            else:
                labels = sorted({a.label() for a in net.activations})
                before.append(" with the affine activation" + ("s " if len(labels) > 1 else " ") + ", ".join(labels))
        outputs = "one" if net.q == 1 else sympy.sstr(net.q) if net.q.is_Integer else "q"
        before += [
            f"; {outputs} linear output node{'s' if net.q != 1 else ''} (",
            Row(A("q = "), self.sz(net.q))
            if net.q.is_Integer
            else Row(self.sz(net.q), A(r"\text{ outputs}", " outputs")),
            "). ",
        ]
        after: list[Inline] = [
            "Every size written as a letter is an arbitrary positive integer: the derivation below is one proof for "
            "all of them, checked at the level of matrices of symbolic shape, not at a few sizes."
        ]
        return Section("Network", None, tuple(before), (), tuple(after))

    def single_node(self) -> Section:
        net = self.net
        single = net.q == 1
        xs = [self.x(j) for j in self.indices(net.p)]
        k = None if single else A("i")
        line = Line(
            A(r"\hat{y}", "ŷ") if single else A(r"\hat{y}_i", "ŷ_i"), "=", self.sum_line("b", None, k, xs, net.p)
        )
        before: list[Inline] = [
            "The single node adds its bias to its weighted inputs"
            + (" (the blog post's first network):" if cite() else ":")
        ]
        after: list[Inline] = [
            "In matrix form ",
            A(r"\hat{y} = b_0 + B x", "ŷ = b_0 + B x"),
            ", with B of shape ",
            Row(self.sz(net.q), A(r" \times ", " × "), self.sz(net.p)),
            ".",
        ]
        return Section(self.title("the node"), "read_output_layer", tuple(before), (line,), tuple(after))

    def node_outputs(self) -> Section:
        net = self.net
        lines = []
        for l in range(1, self.L + 1):
            a, d = self.act(l)
            prev = [self.x(j) if l == 1 else self.hy(l - 1, j) for j in self.indices(net.sizes[l - 1])]
            yt, yx = self.hidden_name(l)
            lhs = Atom(f"{yt}_k", f"{yx}_k")
            body = self.sum_line("b", self.tag(l), A("k"), prev, net.sizes[l - 1])
            if (a, d) != (1, 0):
                body = Row(self.sigma(l), parens(body, applied=True, punct=True))
            ks = Row(*self._commas(self.indices(net.sizes[l])))
            lines.append(Line(lhs, "=", Row(body, A(r", \qquad k = ", ",   k = "), ks, A("."))))
        before: list[Inline] = [
            "Each hidden node adds its bias to the weighted outputs of the layer below"
            + (" and applies the activation:" if not self.identity() else ":")
        ]
        return Section(self.title("node outputs"), "define_layer", tuple(before), tuple(lines))

    def matrix_form(self) -> Section:
        net = self.net
        p, h = net.p, net.sizes[1]
        ys = self.indices(h)
        yt, yx = self.hidden_name(1)
        col = Matrix([[VDOTS if k is DOTS else self.hy(1, k)] for k in ys])
        W = Matrix(self.rows_of("b", self.tag(1), h, p, single=False))
        Wn = A("W", "W") if self.L == 1 else Atom(r"W^{(1)}", "W^(1)")
        shape = Row(A(r"\quad (", "   ("), self.sz(h), A(r" \times (", " × ("), self.sz(p), A("+1))", "+1))"))
        lines = (
            Line(
                Row(A("y^* = " if self.L == 1 else r"y^{(1)*} = ", "y* = " if self.L == 1 else "y^(1)* = "), col),
                "=",
                Row(Wn, A(" x^*", " x*"), A(",")),
            ),
            Line(Wn, "=", Row(W, shape, A(","))),
            Line(
                None,
                "",
                Row(
                    Wn,
                    A(" = "),
                    A(
                        r"\begin{bmatrix} b_0 & B \end{bmatrix}"
                        if self.L == 1
                        else r"\begin{bmatrix} b^{(1)}_0 & B^{(1)} \end{bmatrix}",
                        "[ b_0  B ]" if self.L == 1 else "[ b^(1)_0  B^(1) ]",
                    ),
                    A("."),
                ),
            ),
        )
        xs = Row(*self._commas([A("1")] + [self.x(j) for j in self.indices(p)]))
        before: list[Inline] = [
            "With the augmented input ",
            Row(A("x^* = (", "x* = ("), xs, A(")^T")),
            " (a constant 1 first, for the biases), the first layer is one matrix product:",
        ]
        after: list[Inline] = [
            "The matrix ",
            Wn,
            " has one row per hidden node: ",
            self.sz(h),
            " rows, not ",
            self.sz(p),
            "; its first column is the bias column ",
            A("b_0" if self.L == 1 else "b^{(1)}_0", "b_0" if self.L == 1 else "b^(1)_0"),
            " and the rest is the weight matrix ",
            A("B" if self.L == 1 else "B^{(1)}", "B" if self.L == 1 else "B^(1)"),
            ".",
        ]
        return Section(self.title("matrix form, augmented input"), "define_layer", tuple(before), lines, tuple(after))

    def output_node(self) -> Section:
        net = self.net
        hL = net.sizes[self.L]
        yt, yx = self.hidden_name(self.L)
        single = net.q == 1
        ks = self.indices(hL)
        ys = [self.hy(self.L, k) for k in ks]
        cs = Row(*self._commas([self.entry("c", None, None if single else A("i"), j) for j in self.indices(hL)]))
        lhs = A(r"\hat{y}", "ŷ") if single else A(r"\hat{y}_i", "ŷ_i")
        lines = (
            Line(self.yaug(self.L), "=", Row(A("(1, "), Row(*self._commas(ys)), A(")^T,"))),
            Line(lhs, "=", Row(self.sum_line("c", None, None if single else A("i"), ys, hL), A(","))),
            Line(
                A(r"\hat{y}", "ŷ"),
                "=",
                Row(A(r"\begin{bmatrix} c_0 & C \end{bmatrix}", "[ c_0  C ]"), A(" "), self.yaug(self.L), A(".")),
            ),
        )
        shape = Row(self.sz(net.q), A(r" \times ", " × "), self.sz(hL))
        before: list[Inline] = ["The output node adds its bias to the weighted outputs of the last hidden layer:"]
        after: list[Inline] = [
            "Here ",
            A("c_0", "c_0"),
            " is the output bias and ",
            Row(A("C = (", "C = ("), cs, A(")", ")")),
            " the output weights (",
            shape,
            ")",
        ]
        if self.L == 1 and cite():
            after += ["; for one output this is the blog post's ", A(r"\hat{y} = c^T y^{**}", "ŷ = c^T y**")]
        after.append(".")
        return Section(self.title("output node"), "read_output_layer", tuple(before), lines, tuple(after))

    def substitute(self, step: GenericStep) -> Section:
        net = self.net
        l = step.layer
        rows, cols = net.sizes[l], net.sizes[l - 1]
        a, d = self.act(l)
        if (a, d) == (1, 0):
            body = self.rows_of("b", self.tag(l), rows, cols, single=False)
        else:
            body = [
                [
                    c
                    if c in (DOTS, VDOTS) or (isinstance(c, Atom) and c.tex == "")
                    else self._affine_cell(c, a, d, j == 0)
                    for j, c in enumerate(r)
                ]
                for r in self.rows_of("b", self.tag(l), rows, cols, single=False)
            ]
        top = [A("1")] + [A("0") if not (isinstance(c, Atom) and c.tex == r"\dots") else DOTS for c in body[0][1:]]
        M = Matrix([top, *body])
        shape = Row(
            A(r"\quad ((", "   (("), self.sz(rows), A(r"+1) \times (", "+1) × ("), self.sz(cols), A("+1))", "+1))")
        )
        value = step.value
        block = Atom(
            r"\begin{bmatrix} 1 & 0 \\ "
            + lin_str(value.v, "latex")
            + " & "
            + lin_str(value.M, "latex")
            + r" \end{bmatrix}",
            "[[1, 0], [" + lin_str(value.v, "text") + ", " + lin_str(value.M, "text") + "]]",
        )
        below = A("x^*", "x*") if l == 1 else self.yaug(l - 1)
        here = self.yaug(l)
        lines: tuple[Line, ...] = (
            Line(self.aug_name(l), "=", Row(M, shape)),
            Line(None, "", Row(A("= "), block, A(","))),
            Line(here, "=", Row(self.aug_name(l), A(" "), below, A("."))),
        )
        if l > 1:
            ys = [self.hy(l - 1, k) for k in self.indices(net.sizes[l - 1])]
            lines = (Line(below, "=", Row(A("(1, "), Row(*self._commas(ys)), A(")^T,"))), *lines)
        first = "the first layer" if l == 1 else f"layer {l}"
        before: list[Inline] = [
            "Since ",
            here,
            " only prepends a constant 1 to the layer's outputs, it is one matrix product with the augmented matrix:",
        ]
        after: list[Inline] = [
            "The first row ",
            A(r"(1, 0, \dots, 0)", "(1, 0, …, 0)"),
            " keeps the constant 1; the other ",
            self.sz(rows),
            " rows are the layer's own. The shape is ",
            Row(A("("), self.sz(rows), A(r"+1) \times (", "+1) × ("), self.sz(cols), A("+1)")),
            " for every size.",
        ]
        return Section(self.title(f"substitute {first}"), "substitute_layer", tuple(before), lines, tuple(after))

    def multiply(self, step: GenericStep) -> Section:
        l = step.layer
        names: list[Math] = []
        for k in range(l, 0, -1):
            names += ([A(" ")] if names else []) + [self.aug_name(k)]
        prod = Row(*names)
        v = step.value
        block = Atom(
            r"\begin{bmatrix} 1 & 0 \\ " + lin_str(v.v, "latex") + " & " + lin_str(v.M, "latex") + r" \end{bmatrix}",
            "[[1, 0], [" + lin_str(v.v, "text") + ", " + lin_str(v.M, "text") + "]]",
        )
        before: list[Inline] = [
            "Two augmented matrices multiply into one of the same form "
            "(the inductive step: affine after affine is affine):"
        ]
        return Section(
            self.title(f"compose layers 1 to {l}"),
            "multiply_augmented",
            tuple(before),
            (Line(prod, "=", Row(block, A("."))),),
        )

    def collapse(self, step: GenericStep) -> Section:
        v = step.value
        prod = Row(*[Row(self.aug_name(k), A(" ")) for k in range(self.L, 0, -1)])
        bw = A(r"(b^* \mid W^*)", "(b* | W*)")
        lines = (
            Line(bw, "=", Row(A(r"\begin{bmatrix} c_0 & C \end{bmatrix} ", "[ c_0  C ] "), prod)),
            Line(
                None,
                "",
                Row(
                    A("= "),
                    Atom(
                        r"\begin{bmatrix} "
                        + lin_str(v.c, "latex")
                        + " & "
                        + lin_str(v.C, "latex")
                        + r" \end{bmatrix}",
                        "[ " + lin_str(v.c, "text") + " | " + lin_str(v.C, "text") + " ]",
                    ),
                    A(","),
                ),
            ),
            Line(
                A(r"\hat{y}", "ŷ"),
                "=",
                Row(
                    A(r"\begin{bmatrix} c_0 & C \end{bmatrix} ", "[ c_0  C ] "),
                    prod,
                    A("x^* = ", "x* = "),
                    bw,
                    A(r" x^* = b^* + W^* x.", " x* = b* + W* x."),
                ),
            ),
        )
        before: list[Inline] = [
            "Multiplying the output row into the augmented matrices gives one row block of shape ",
            Row(self.sz(self.net.q), A(r" \times (", " × ("), self.sz(self.net.p), A("+1)")),
            ":",
        ]
        return Section(self.title("collapse"), "apply_output_row", tuple(before), lines)

    def conclusion(self) -> Section:
        net, proof = self.net, self.proof
        lines = [
            Line(
                A("b^*", "b*"),
                "=",
                Row(
                    lin_math(proof.offset),
                    Row(A(r"\quad (", "   ("), self.sz(net.q), A(r" \times 1)", " × 1)")),
                    A(","),
                ),
            ),
            Line(
                A("W^*", "W*"),
                "=",
                Row(
                    lin_math(proof.matrix),
                    Row(A(r"\quad (", "   ("), self.sz(net.q), A(r" \times ", " × "), self.sz(net.p), A(")")),
                    A(","),
                ),
            ),
            Line(A(r"\hat{y}", "ŷ"), "=", A(r"b^* + W^* x.", "b* + W* x.")),
        ]
        if self.L == 1 and net.q == 1:
            a, d = self.act(1)
            h = net.sizes[1]
            scale_t = "" if a == 1 else sympy.latex(a) + " "
            scale_x = "" if a == 1 else sympy.sstr(a) + " "
            bias_t = r"b_{k,0}" if d == 0 else r"(" + (scale_t or "") + r"b_{k,0} + " + sympy.latex(d) + ")"
            bias_x = "b_{k,0}" if d == 0 else "(" + scale_x + "b_{k,0} + " + sympy.sstr(d) + ")"
            ht, hx = sympy.latex(h), sympy.sstr(h)
            xs = [self.x(j) for j in self.indices(net.p)]
            betas = [
                DOTS if j is DOTS else Row(Atom(rf"\beta_{{{self.ix(j)[0]}}}", f"β_{self.ix(j)[1]}"), A(" "), x)
                for j, x in zip(self.indices(net.p), xs, strict=True)
            ]
            terms: list[Math] = [A(r"\beta_0", "β_0")]
            for b in betas:
                terms += [A(" + "), b]
            lines.append(Line(A(r"\hat{y}", "ŷ"), "=", Row(*terms, A(","))))
            lines.append(
                Line(
                    A(r"\beta_0", "β_0"),
                    "=",
                    Atom(rf"c_0 + \sum_{{k=1}}^{{{ht}}} c_k {bias_t},", f"c_0 + Σ_{{k=1..{hx}}} c_k {bias_x},"),
                )
            )
            lines.append(
                Line(
                    A(r"\beta_j", "β_j"),
                    "=",
                    Atom(
                        rf"{scale_t}\sum_{{k=1}}^{{{ht}}} c_k b_{{k,j}}, \qquad j = 1, \dots, {sympy.latex(net.p)}.",
                        f"{scale_x}Σ_{{k=1..{hx}}} c_k b_{{k,j}},   j = 1, …, {sympy.sstr(net.p)}.",
                    ),
                )
            )
        before: list[Inline] = [
            "Reading off the blocks of ",
            A(r"(b^* \mid W^*)", "(b* | W*)"),
            ", the intercept ",
            A("b^*", "b*"),
            " and the weights ",
            A("W^*", "W*"),
            ", gives",
        ]
        after: list[Inline] = [
            "This is a multiple linear regression in ",
            Row(*self._commas([self.x(j) for j in self.indices(net.p)])),
            ", for ",
            *self.sizes_inline(),
            ". ",
            A(r"\blacksquare", "∎"),
        ]
        return Section("Conclusion", "conclude_linear_form", tuple(before), tuple(lines), tuple(after))

    def rank(self) -> Section:
        net = self.net
        widths = Row(*self._commas([self.sz(s) for s in net.sizes]))
        lines = (
            Line(
                Atom(r"\operatorname{rank} W^*", "rank W*"),
                r"\le" if self.fmt == "latex" else "≤",
                Row(A(r"\min(", "min("), widths, A(").", ").")),
            ),
        )
        before: list[Inline]
        if self.L:
            before = [
                "For each hidden layer ",
                A("k"),
                ", ",
                A("W^*", "W*"),
                " is a product ",
                A("A B", "A B"),
                " whose inner size is the width of layer ",
                A("k"),
                " (",
                A("B", "B"),
                " maps the inputs into layer ",
                A("k"),
                ", ",
                A("A", "A"),
                " maps layer ",
                A("k"),
                " to the output), so its rank is at most that width; ",
                "with the shape of ",
                A("W^*", "W*"),
                " itself:",
            ]
        else:
            before = ["The rank of a matrix is at most its number of rows and of columns:"]
        after: list[Inline] = ["The narrowest layer bounds the rank of the collapsed regression, at every size."]
        return Section("Rank bound", "factor_rank", tuple(before), lines, tuple(after))

    def rules(self) -> Section:
        used = []
        for s in self.proof.steps:
            if s.rule not in used:
                used.append(s.rule)
        lines = []
        for name in used:
            rule = self.rule_texts[name]
            eq, _, shapes = rule.text.partition("   for ")
            lines.append(Line(Atom(r"\text{" + name.replace("_", r"\_") + "}", name), ":", Atom(RULE_LATEX[name], eq)))
            if shapes:
                lines.append(Line(None, "", Atom(shapes_tex(shapes), "for " + shapes)))
        before: list[Inline] = [
            "Each step above is an instance of one rule about matrices of symbolic shape; the generic kernel "
            "re-derives every step from the network's matrices and checks every shape symbolically, and each rule "
            "is itself verified on fresh symbols at a spread of concrete sizes:"
        ]
        return Section("Rules", None, tuple(before), tuple(lines))



# ----------------------------------------------------------------- display
def _generic_proof_markdown(proof: Any) -> str:
    return f"`{proof!r}`\n\n$$\n{lin_tex_claim(proof)}\n$$"


display.register("generic_proof", "latex", lin_tex_claim)
display.register(
    "generic_proof",
    "pretty",
    lambda proof, unicode=True: proof.claim_text() if unicode else proof.claim_text().replace("ŷ", "y"),
)
display.register("generic_proof", "text", repr)
display.register("generic_proof", "markdown", _generic_proof_markdown)

