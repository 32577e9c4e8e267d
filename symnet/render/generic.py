"""The derivation of a :class:`~symnet.search.generic.GenericProof`: the blog post's story at symbolic sizes.

Rows ``b_{k,0} … b_{k,p}``, ``h`` rows, the augmented matrix ``[[1, 0], [b_0, B]]``
per hidden layer, their products and ``ŷ = (b* | W*) x* = b* + W* x`` -- the
same notation as the concrete derivations (:mod:`symnet.render._derivation`),
with W* (q × p) and b* (q × 1).  It reads the proof's data only; the rule
statements and the activations' affine coefficients are handed in by the
caller (renderers never import the kernel).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sympy

from ..model import display
from ..model import generic as gm
from ..model.generic import GenericStep, Lin
from ._atoms import DOTS, VDOTS, A
from ._document import Derivation, Inline, Line, Section
from ._math import Atom, Math, Matrix, Row

__all__ = ["GenericDerivation", "lin_math", "lin_str", "lin_tex_claim", "lin_txt"]

#: ``name -> (statement, LaTeX)`` of the generic kernel's rules.
RuleTexts = Mapping[str, Any]


def _term_key(word: tuple[gm.MatAtom, ...]) -> tuple[int, tuple[str, ...]]:
    return (len(word), tuple(a.name for a in word))


def _coeff(c: sympy.Expr, fmt: str) -> tuple[bool, str]:
    neg = bool(c.is_number and c < 0)
    mag = -c if neg else c
    if mag == 1:
        return neg, ""
    if fmt == "latex":
        s = sympy.latex(mag)
        return neg, (r"\left(" + s + r"\right) " if mag.is_Add else s + " ")
    s = sympy.sstr(mag)
    return neg, ("(" + s + ") " if mag.is_Add or (mag.is_Rational and not mag.is_Integer) else s + " ")


def _lin_str(x: Lin, fmt: str) -> str:
    if not x.terms:
        return "0"
    out = ""
    for i, (word, c) in enumerate(sorted(x.terms, key=lambda t: _term_key(t[0]))):
        neg, cs = _coeff(c, fmt)
        body = cs + " ".join(a.tex if fmt == "latex" else a.txt for a in word)
        out += ("-" if neg else "") + body if i == 0 else (" - " if neg else " + ") + body
    return out


def _lin_txt(x: Lin) -> str:
    return _lin_str(x, "text")


def _lin_math(x: Lin) -> Atom:
    return Atom(_lin_str(x, "latex"), _lin_str(x, "text"))


def _lin_tex_claim(proof: Any) -> str:
    return r"\hat{y} = " + _lin_str(proof.matrix, "latex") + " x + " + _lin_str(proof.offset, "latex")


def _shapes_tex(shapes: str) -> str:
    """``W: q x m, b: q x 1, scalars a, d`` as LaTeX math."""
    tex = shapes.replace("scalars ", r"\text{scalars } ").replace(": ", r" \colon ").replace(" x ", r" \times ")
    return r"\text{for } " + tex


class GenericDerivation:
    """The blog post's story for general sizes: rows b_{k,0} … b_{k,p}, h rows, the augmented matrix."""

    def __init__(self, proof: Any, fmt: str, rules: RuleTexts,
                 coefficients: Callable[[Any], tuple[sympy.Expr, sympy.Expr] | None]) -> None:
        self.proof = proof
        self.rule_texts = rules
        self.coefficients = coefficients
        self.net = proof.network
        self.fmt = fmt
        self.L = self.net.depth
        self.n = 0
        self.by_rule: dict[str, list[GenericStep]] = {}
        for s in proof.steps:
            self.by_rule.setdefault(s.rule, []).append(s)

    # notation ------------------------------------------------------------
    @staticmethod
    def sz(n: sympy.Expr) -> Atom:
        return Atom(sympy.latex(n), sympy.sstr(n))

    def indices(self, n: sympy.Expr, first: int = 1) -> list[Math]:
        """Index labels first .. n: all of them when few, else the first ones, …, n."""
        if n.is_Integer and int(n) - first + 1 <= 4:
            return [A(str(i)) for i in range(first, int(n) + 1)]
        start = [A(str(first)), A(str(first + 1))] + ([A(str(first + 2))] if first == 0 else [])
        return [*start, DOTS, self.sz(n)]

    @staticmethod
    def ix(i: Math) -> tuple[str, str]:
        assert isinstance(i, Atom)
        return i.tex, i.txt

    def entry(self, stem: str, layer: int | None, k: Math | None, j: Math) -> Math:
        """``b_{k,j}`` (or ``b^{(l)}_{k,j}``), with ``…`` standing for a whole index."""
        if j is DOTS or k is DOTS:
            return DOTS
        sup_t = f"^{{({layer})}}" if layer else ""
        sup_x = f"^({layer})" if layer else ""
        jt, jx = self.ix(j)
        if k is None:
            return Atom(
                f"{stem}{sup_t}_{{{jt}}}" if len(jt) > 1 or sup_t else f"{stem}_{jt}",
                f"{stem}{sup_x}_{jx}" if len(jx) == 1 else f"{stem}{sup_x}_{{{jx}}}",
            )
        kt, kx = self.ix(k)
        return Atom(f"{stem}{sup_t}_{{{kt},{jt}}}", f"{stem}{sup_x}_{{{kx},{jx}}}")

    def tag(self, l: int) -> int | None:
        return l if self.L >= 2 else None

    def x(self, j: Math) -> Math:
        return DOTS if j is DOTS else self.entry("x", None, None, j)

    def rows_of(
        self, stem: str, layer: int | None, rows: sympy.Expr, cols: sympy.Expr, single: bool
    ) -> list[list[Math]]:
        ks = self.indices(rows)
        js = self.indices(cols, first=0)
        out: list[list[Math]] = []
        for k in ks:
            if k is DOTS:
                out.append([VDOTS if j is not DOTS else A("") for j in js])
            else:
                out.append([self.entry(stem, layer, None if single else k, j) for j in js])
        return out

    def sum_line(self, stem: str, layer: int | None, k: Math | None, vars_: list[Math], n: sympy.Expr) -> Math:
        """``b_{k,0} + b_{k,1} v_1 + … + b_{k,n} v_n``."""
        parts: list[Math] = [self.entry(stem, layer, k, A("0"))]
        for j, v in zip(self.indices(n), vars_, strict=True):
            parts.append(A(" + "))
            parts.append(DOTS if j is DOTS else Row(self.entry(stem, layer, k, j), A(" "), v))
        return Row(*parts)

    def title(self, what: str) -> str:
        self.n += 1
        return f"Step {self.n} ({what})"

    def sizes_phrase(self) -> str:
        syms: list[str] = [str(s.name) for s in self.net.size_symbols]
        if not syms:
            return "these sizes"
        return "every positive integer " + (syms[0] if len(syms) == 1 else ", ".join(syms[:-1]) + " and " + syms[-1])

    def act(self, l: int) -> tuple[sympy.Expr, sympy.Expr]:
        c = self.coefficients(self.net.activations[l - 1])
        assert c is not None
        return c

    def identity(self) -> bool:
        return all(self.act(l) == (1, 0) for l in range(1, self.L + 1))

    # sections ------------------------------------------------------------
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
        return Derivation(
            f"A network with linear activation is a linear regression, for {self.sizes_phrase()}", tuple(secs)
        )

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
                before += [
                    " with the identity activation (the blog post's ",
                    A(r"f(a_1, \dots, a_m) = \sum_i a_i", "f(a_1, …, a_m) = Σ_i a_i"),
                    ")",
                ]
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

    @staticmethod
    def _commas(items: list[Math]) -> list[Math]:
        out: list[Math] = []
        for i, it in enumerate(items):
            if i:
                out.append(A(", "))
            out.append(it)
        return out

    def single_node(self) -> Section:
        net = self.net
        single = net.q == 1
        xs = [self.x(j) for j in self.indices(net.p)]
        k = None if single else A("i")
        line = Line(
            A(r"\hat{y}", "ŷ") if single else A(r"\hat{y}_i", "ŷ_i"), "=", self.sum_line("b", None, k, xs, net.p)
        )
        before: list[Inline] = ["The single node adds its bias to its weighted inputs (the blog post's first network):"]
        after: list[Inline] = [
            "In matrix form ",
            A(r"\hat{y} = b_0 + B x", "ŷ = b_0 + B x"),
            ", with B of shape ",
            Row(self.sz(net.q), A(r" \times ", " × "), self.sz(net.p)),
            ".",
        ]
        return Section(self.title("the node"), "read_output_layer", tuple(before), (line,), tuple(after))

    def hidden_name(self, l: int) -> tuple[str, str]:
        return ("y", "y") if self.L == 1 else (f"y^{{({l})}}", f"y^({l})")

    def yaug(self, l: int) -> Atom:
        """The augmented output ``(1, y)`` of hidden layer l."""
        return A("y^{**}", "y**") if self.L == 1 else Atom(f"y^{{({l})**}}", f"y^({l})**")

    def hy(self, l: int, k: Math) -> Math:
        """Output k of hidden layer l (``…`` stays ``…``)."""
        if k is DOTS:
            return DOTS
        yt, yx = self.hidden_name(l)
        kt, kx = self.ix(k)
        return Atom(
            f"{yt}_{{{kt}}}" if len(kt) > 1 else f"{yt}_{kt}", f"{yx}_{kx}" if len(kx) == 1 else f"{yx}_{{{kx}}}"
        )

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
                body = Row(self.sigma(l), A(r"\left(", "("), body, A(r"\right)", ")"))
            ks = Row(*self._commas(self.indices(net.sizes[l])))
            lines.append(Line(lhs, "=", Row(body, A(r", \qquad k = ", ",   k = "), ks, A("."))))
        before: list[Inline] = [
            "Each hidden node adds its bias to the weighted outputs of the layer below"
            + (" and applies the activation:" if not self.identity() else ":")
        ]
        return Section(self.title("node outputs"), "define_layer", tuple(before), tuple(lines))

    def sigma(self, l: int) -> Atom:
        return A(r"\sigma", "σ") if self.L == 1 else Atom(rf"\sigma_{{{l}}}", f"σ_{l}")

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
            A("C", "C"),
            " = (",
            cs,
            ") the output weights (",
            shape,
            ")",
        ]
        if self.L == 1:
            after += ["; for one output this is the blog post's ", A(r"\hat{y} = c^T y^{**}", "ŷ = c^T y**")]
        after.append(".")
        return Section(self.title("output node"), "read_output_layer", tuple(before), lines, tuple(after))

    def aug_name(self, l: int) -> Atom:
        return A(r"\widetilde{W}", "W~") if self.L == 1 else Atom(rf"\widetilde{{W}}^{{({l})}}", f"W~^({l})")

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
            + _lin_str(value.v, "latex")
            + " & "
            + _lin_str(value.M, "latex")
            + r" \end{bmatrix}",
            "[[1, 0], [" + _lin_str(value.v, "text") + ", " + _lin_str(value.M, "text") + "]]",
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

    def _affine_cell(self, c: Math, a: sympy.Expr, d: sympy.Expr, bias: bool) -> Math:
        assert isinstance(c, Atom)
        at, ax = sympy.latex(a), sympy.sstr(a)
        if bias:
            dt, dx = sympy.latex(d), sympy.sstr(d)
            return Atom(
                f"{at} {c.tex} + {dt}" if a != 1 else f"{c.tex} + {dt}",
                f"{ax} {c.txt} + {dx}" if a != 1 else f"{c.txt} + {dx}",
            )
        return Atom(f"{at} {c.tex}" if a != 1 else c.tex, f"{ax} {c.txt}" if a != 1 else c.txt)

    def multiply(self, step: GenericStep) -> Section:
        l = step.layer
        names: list[Math] = []
        for k in range(l, 0, -1):
            names += ([A(" ")] if names else []) + [self.aug_name(k)]
        prod = Row(*names)
        v = step.value
        block = Atom(
            r"\begin{bmatrix} 1 & 0 \\ " + _lin_str(v.v, "latex") + " & " + _lin_str(v.M, "latex") + r" \end{bmatrix}",
            "[[1, 0], [" + _lin_str(v.v, "text") + ", " + _lin_str(v.M, "text") + "]]",
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
                        + _lin_str(v.c, "latex")
                        + " & "
                        + _lin_str(v.C, "latex")
                        + r" \end{bmatrix}",
                        "[ " + _lin_str(v.c, "text") + " | " + _lin_str(v.C, "text") + " ]",
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
                    _lin_math(proof.offset),
                    Row(A(r"\quad (", "   ("), self.sz(net.q), A(r" \times 1)", " × 1)")),
                    A(","),
                ),
            ),
            Line(
                A("W^*", "W*"),
                "=",
                Row(
                    _lin_math(proof.matrix),
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
            f", for {self.sizes_phrase()}. ",
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
                "For each hidden layer k, ",
                A("W^*", "W*"),
                " is a product ",
                A("A B", "A B"),
                " whose inner size is the width of layer k (",
                A("B", "B"),
                " maps the inputs into layer k, ",
                A("A", "A"),
                " maps layer k to the output), so its rank is at most that width; ",
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
            eq, _, shapes = rule.statement.partition("   for ")
            lines.append(Line(Atom(r"\text{" + name.replace("_", r"\_") + "}", name), ":", Atom(rule.latex, eq)))
            if shapes:
                lines.append(Line(None, "", Atom(_shapes_tex(shapes), "for " + shapes)))
        before: list[Inline] = [
            "Each step above is an instance of one rule about matrices of symbolic shape; the generic kernel "
            "re-derives every step from the network's matrices and checks every shape symbolically, and each rule "
            "is itself verified on fresh symbols at a spread of concrete sizes:"
        ]
        return Section("Rules", None, tuple(before), tuple(lines))


lin_str = _lin_str
lin_txt = _lin_txt
lin_math = _lin_math
lin_tex_claim = _lin_tex_claim


# ----------------------------------------------------------------- display
def _generic_proof_markdown(proof: Any) -> str:
    return f"`{proof!r}`\n\n$$\n{_lin_tex_claim(proof)}\n$$"


display.register("generic_proof", "latex", _lin_tex_claim)
display.register(
    "generic_proof",
    "pretty",
    lambda proof, unicode=True: proof.claim_text() if unicode else proof.claim_text().replace("ŷ", "y"),
)
display.register("generic_proof", "text", repr)
display.register("generic_proof", "markdown", _generic_proof_markdown)
