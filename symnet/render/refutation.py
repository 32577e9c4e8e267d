"""A refutation (a :class:`~symnet.search.refutation.Counterexample`) as a derivation.

It is printed by the same renderers as a proof, so it has the same preamble,
the same number format and the same notation: the network (its inputs, widths,
activation), the weights the refutation gives it, the node outputs with those
weights, the two points and their midpoint, the output's three values and the
defect that no affine function can have.  It reads the counterexample's data
only; ``Counterexample.check()`` is what verifies it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sympy

from . import _latex, _markdown, _text
from ._atoms import NUMBERS, YHAT, A, comma_list, elide, elided_range, index_range, numbers, sym
from ._collapse import _Builder
from ._document import Derivation, Inline, Line, Section, without_rules
from ._math import Atom, Math, Row, latex, parens
from ._numbers import DEFAULT_DIGITS, NumberFormat, check_digits, exact, round_outward
from ._view import View

__all__ = ["build", "outward", "repr_latex", "to_latex", "to_markdown", "to_text"]

#: At most this many weight values are listed (the rest are in the JSON document).
MAX_WEIGHTS = 64


def outward(r: sympy.Rational, direction: str, digits: int = 8) -> str:
    """``r`` rounded outward (``down`` or ``up``) to ``digits`` significant digits, as a short decimal."""
    n, e = round_outward(r, digits, direction)
    return str(Decimal(n).scaleb(e).normalize()) if n else "0"


def _value(e: sympy.Expr) -> Atom:
    """An exact value: a rational in the number format, else sympy's own printing."""
    e = exact(sympy.sympify(e))
    if e.is_Rational:
        return sym(e)
    return Atom(sympy.latex(e), sympy.sstr(e))


def _enclosed(lo: sympy.Rational, hi: sympy.Rational, punct: str) -> Atom:
    """``∈ [lo, hi]`` with the ends rounded outward to short decimals."""
    ends = f"[{outward(lo, 'down')}, {outward(hi, 'up')}]{punct}"
    return Atom(rf"\in {ends}", f"∈ {ends}")


def _stated_line(lhs: Math, value: Any, punct: str) -> Line:
    """``lhs = value`` for an exact value, ``lhs ∈ [lo, hi]`` for one stated by its enclosure."""
    if isinstance(value, tuple):
        return Line(lhs, "", _enclosed(value[0], value[1], punct))
    return Line(lhs, "=", Row(_value(value), A(punct)))


def _point(pt: Any) -> Math:
    return parens(comma_list(elide([_value(c) for c in pt])), punct=True)


def _activation(act: Any) -> Math:
    t = act.variable
    body = exact(act.expr)
    return Atom(sympy.latex(body.subs(t, sympy.Symbol("t"))), sympy.sstr(body.subs(t, sympy.Symbol("t"))))


class _Refutation:
    def __init__(self, cx: Any, fmt: str) -> None:
        self.cx = cx
        self.fmt = fmt
        net = cx.network
        self.net = net
        values = {s: exact(v) for s, v in cx.weights.items()}
        layers = net.layers
        if values:
            concrete = type(net).from_matrices(
                [layer.weights.xreplace(values) for layer in layers],
                [list(layer.biases.xreplace(values)) for layer in layers],
                [layer.activation.function for layer in layers[:-1]] or "identity",
                inputs=list(net.inputs),
            )
        else:
            concrete = net
        self.b = _Builder(View(concrete, (), False, None, None), fmt)
        self.k = cx.output + 1

    def f(self, arg: str) -> Atom:
        k = str(self.k)
        return Atom(
            f"f_{{{k}}}({arg})" if len(k) > 1 else f"f_{k}({arg})",
            f"f_{k}({arg})" if len(k) == 1 else f"f_{{{k}}}({arg})",
        )

    def network(self) -> Section:
        b, net = self.b, self.net
        before: list[Inline] = [
            "Inputs ",
            Row(A("x = (", "x = ("), comma_list(elide([b.x(j) for j in range(1, b.p + 1)])), A(")^T")),
            " (",
            A(f"p = {b.p}"),
            "); ",
        ]
        if b.L == 1:
            before += ["one hidden layer of ", A(f"h = {b.widths[0]}"), f" node{'s' if b.widths[0] > 1 else ''}"]
        else:
            before += [
                f"{b.L} hidden layers of widths ",
                comma_list(elide([A(f"h_{l} = {w}") for l, w in enumerate(b.widths, start=1)])),
            ]
        acts = [layer.activation for layer in net.layers[:-1]]
        if len({a.function for a in acts}) == 1:
            sig = A(r"\sigma", "σ") if b.L == 1 else A(r"\sigma_l", "σ_l")
            name = f" ({acts[0].name})" if acts[0].name else ""
            before += [" with the activation ", Row(sig, A("(t) = "), _activation(acts[0])), name]
            if b.L > 1:
                rt, rx = index_range(1, b.L)
                before += [" for every layer (", A(f"l = {rt}", f"l = {rx}"), ")"]
        else:
            before.append(" with the activations ")
            parts: list[Math] = [
                Row(
                    A(rf"\sigma_{{{l}}}", f"σ_{l}") if l > 9 else A(rf"\sigma_{l}", f"σ_{l}"),
                    A("(t) = "),
                    _activation(a),
                )
                for l, a in enumerate(acts, start=1)
            ]
            before.append(comma_list(elide(parts)))
        outs = "one linear output node" if b.q == 1 else f"{b.q} linear output nodes"
        before += ["; ", outs + " (", A(f"q = {b.q}"), ")."]
        items = [(s, self.cx.weights[s]) for s in net.parameters if s in self.cx.weights]
        if items:
            shown = items if len(items) <= MAX_WEIGHTS else items[: MAX_WEIGHTS - 1]
            before += [" The refutation gives its weights the exact values "]
            for i, (s, v) in enumerate(shown):
                if i:
                    before.append(", ")
                before.append(Row(sym(s), A(" = "), _value(v)))
            if len(shown) < len(items):
                before.append(f", … ({len(items)} weights in all; every one in the JSON document)")
            before.append(".")
        else:
            before.append(" Its weights are the network's own numbers.")
        return Section("Network", None, tuple(before))

    def outputs(self) -> Section:
        b = self.b
        node = b.node_outputs(end=",")[0]  # the output lines follow
        out = b.net.layers[-1]
        ys = [b.y(b.L, k) for k in range(1, b.widths[-1] + 1)]
        lines = list(node.display)
        rows = list(range(b.q))
        for i in elided_range(0, len(rows)):
            if i is None:
                lines.append(Line(A(r"\vdots", "⋮"), "", A("")))
                continue
            pieces = b.entry_sum([out.biases[i], *out.weights.row(i)], ys)
            lines += b.sum_or_sigma(b.yhat(i + 1), pieces, A("." if i == rows[-1] else ","))
        before: list[Inline] = [
            "With these weights each hidden node applies the activation to its bias plus its weighted inputs, "
            "and the output node adds its bias to the weighted hidden outputs:"
        ]
        return Section("The network with these weights", None, tuple(before), tuple(lines))

    def points(self) -> Section:
        u, v = self.cx.points
        b = self.b
        b.lhs_column([A("u"), A("v"), A("m")])
        lines = (
            Line(A("u"), "=", Row(_point(u), A(","))),
            Line(A("v"), "=", Row(_point(v), A(","))),
            Line(A("m"), "=", Row(A(r"\frac{u+v}{2} = ", "(u + v)/2 = "), _point(self.cx.midpoint), A("."))),
        )
        return Section("Two points and their midpoint", None, ("The refutation's input points:",), lines)

    def values(self) -> Section:
        fu, fv, fm = self.cx.values
        k = self.k
        yk = YHAT if self.b.q == 1 else self.b.yhat(k)
        defect = self.f("m")
        half = Atom(
            rf"\frac{{{self.f('u').tex} + {self.f('v').tex}}}{{2}}", f"({self.f('u').txt} + {self.f('v').txt})/2"
        )
        lhs = Row(defect, A(" - "), half)
        self.b.lhs_column([self.f("u"), lhs])
        lo, hi = self.cx.enclosure
        if self.cx.is_exact_rational:
            rhs: Math = Row(_value(self.cx.defect), A(r" \neq 0.", " ≠ 0."))
            relation = "="
        else:
            rhs = _enclosed(lo, hi, ".")
            relation = ""
        lines = (
            *(_stated_line(self.f(name), value, ",") for name, value in zip("uvm", (fu, fv, fm), strict=True)),
            Line(lhs, relation, rhs),
        )
        before: list[Inline] = [
            "Write ",
            Row(self.f("x"), A(" = "), yk),
            " for output ",
            A(str(k)),
            " as a function of the inputs; its values at the three points are",
        ]
        after: list[Inline] = []
        if not self.cx.is_exact_rational:
            after = [
                "The enclosures are established by rigorous interval arithmetic (balls) on the exact weights and "
                "points; the defect's does not contain 0, so ",
                Row(lhs, A(r" \neq 0", " ≠ 0")),
                ".",
            ]
        return Section(f"Output {k} at the three points", None, tuple(before), lines, tuple(after))

    def conclusion(self) -> Section:
        g = A("g")
        return Section(
            "Conclusion",
            None,
            (
                "Every affine ",
                g,
                " has ",
                A(r"g(m) = \tfrac{g(u) + g(v)}{2}", "g(m) = (g(u) + g(v))/2"),
                f", so output {self.k} is not affine in ",
                A("x"),
                ": the network is not a linear regression. ",
                A(r"\blacksquare", "∎"),
            ),
        )

    def build(self) -> Derivation:
        secs = [self.network(), self.outputs(), self.points(), self.values(), self.conclusion()]
        fmt = numbers()
        if fmt.rounded:
            note = (
                f" Numbers shown with {fmt.digits} significant digits are rounded to nearest; shorter numbers "
                "are exact. The exact values are in the JSON document."
            )
            first = secs[0]
            secs[0] = Section(first.title, first.rule, (*first.before, note), first.display, first.after)
        return Derivation("Refutation: the network is not a linear regression", tuple(secs))


def build(cx: Any, fmt: str = "text", *, digits: int | None = DEFAULT_DIGITS) -> Derivation:
    """The refutation as a format-neutral derivation."""
    token = NUMBERS.set(NumberFormat(check_digits(digits)))
    try:
        return _Refutation(cx, "latex" if fmt in ("latex", "markdown") else "text").build()
    finally:
        NUMBERS.reset(token)


def to_text(cx: Any, *, digits: int | None = DEFAULT_DIGITS) -> str:
    """The refutation as plain text (no line wider than 78 columns)."""
    return _text.render(without_rules(build(cx, "text", digits=digits)))


def to_markdown(cx: Any, *, digits: int | None = DEFAULT_DIGITS) -> str:
    """The refutation as Markdown."""
    return _markdown.render(build(cx, "markdown", digits=digits))


def to_latex(cx: Any, *, document: bool = False, digits: int | None = DEFAULT_DIGITS) -> str:
    """The refutation as LaTeX; ``document=True`` gives a document with the shared preamble."""
    return _latex.render(build(cx, "latex", digits=digits), document=document)


def repr_latex(cx: Any, *, digits: int | None = DEFAULT_DIGITS) -> str:
    """The defect and the points in one line of math (for Jupyter)."""
    token = NUMBERS.set(NumberFormat(check_digits(digits)))
    try:
        return _repr_latex(cx)
    finally:
        NUMBERS.reset(token)


def _repr_latex(cx: Any) -> str:
    r = _Refutation(cx, "latex")
    k = r.k
    u, v = cx.points
    if cx.is_exact_rational:
        rel = f"= {latex(_value(cx.defect))} \\neq 0"
    else:
        rel = rf"\in [{outward(cx.enclosure[0], 'down')}, {outward(cx.enclosure[1], 'up')}]"
    return (
        f"$f_{{{k}}}(m) - \\tfrac{{f_{{{k}}}(u)+f_{{{k}}}(v)}}{{2}} {rel}$ with "
        f"$u = {latex(_point(u))}$, $v = {latex(_point(v))}$, $m = \\tfrac{{u+v}}{{2}} = {latex(_point(cx.midpoint))}$"
    )
