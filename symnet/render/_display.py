"""The drawers behind every public object's ``sympy.latex`` / ``sympy.pretty`` / Jupyter display.

Registered with :mod:`symnet.model.display` on import, one per (object, format):

* ``latex`` -- math-mode LaTeX (no ``$``), what ``sympy.latex(obj)`` returns;
* ``pretty`` -- a 2-D Unicode (or ASCII) picture for ``sympy.pretty``;
* ``text`` -- one compact line (``sympy.sstr``, IPython's plain-text display);
* ``markdown`` -- Jupyter's ``text/markdown``: the repr as code, then the math.

The renderers never search or check, so objects of :mod:`symnet.search` and
:mod:`symnet.testing` are drawn from their data attributes only (the classes
are not imported).  Matrices are written entry by entry up to ``MAX_SHOWN``
rows and columns; larger ones by their shape.  Entries keep sympy's order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import sympy
from sympy.printing.pretty.pretty import PrettyPrinter
from sympy.printing.pretty.stringpict import prettyForm, stringPict

from ..model import display
from ..model.display import _latex_text
from ._atoms import MAX_SHOWN
from ._words import network_words
from .refutation import outward

__all__ = ["MAX_LISTED", "pretty_name"]

#: A counterexample's LaTeX lists at most this many weights (then "… (n more)").
MAX_LISTED = 24


# ------------------------------------------------------------------ helpers
def _small(m: sympy.MatrixBase) -> bool:
    rows: int = m.rows
    cols: int = m.cols
    return rows <= MAX_SHOWN and cols <= MAX_SHOWN


def _tex_matrix(m: sympy.MatrixBase, name: str) -> str:
    if _small(m):
        tex: str = sympy.latex(m, mat_delim="[")
        return tex
    return rf"{name} \in \mathbb{{R}}^{{{m.rows} \times {m.cols}}}"


_SUP = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_NAME = re.compile(
    r"(?P<stem>[A-Za-z]+)(?:\^\{\((?P<layer>[0-9]+)\)\})?_(?:\{(?P<braced>[0-9]+(?:,[0-9]+)*)\}|(?P<plain>[0-9]+))"
)


def pretty_name(name: str, unicode: bool = True) -> str:
    """A symnet symbol name for 2-D text: ``b^{(2)}_{1,0}`` -> ``b⁽²⁾₁,₀`` (ASCII: ``b^(2)_1,0``).

    Names that are not ``stem[^{(l)}]_index`` are returned unchanged.
    """
    m = _NAME.fullmatch(name)
    if m is None:
        return name
    index = m["braced"] or m["plain"]
    layer = m["layer"]
    if not unicode:
        return m["stem"] + (f"^({layer})" if layer else "") + "_" + index
    return m["stem"] + (f"({layer})".translate(_SUP) if layer else "") + index.translate(_SUB)


class _Pretty(PrettyPrinter):  # type: ignore[misc]  # sympy ships no types: PrettyPrinter is Any
    """sympy's pretty printer, with symnet's symbol names drawn as sub- and superscripts."""

    def _print_Symbol(self, e: sympy.Symbol, bold_name: bool = False) -> prettyForm:
        shown = pretty_name(e.name, bool(self._use_unicode))
        return prettyForm(shown) if shown != e.name else super()._print_Symbol(e, bold_name)


def _pretty_of(obj: Any, unicode: bool) -> stringPict:
    return _Pretty({"use_unicode": unicode})._print(obj)


def _pmatrix(m: sympy.MatrixBase, name: str, unicode: bool) -> stringPict:
    if _small(m):
        return _pretty_of(m, unicode)
    return prettyForm(f"{name}({m.rows}×{m.cols})" if unicode else f"{name}({m.rows}x{m.cols})")


def _row(*parts: stringPict | str) -> str:
    pics = [prettyForm(p) if isinstance(p, str) else p for p in parts]
    drawn: str = prettyForm(*stringPict.next(*pics)).render(wrap_line=False)
    return drawn


def _markdown(obj: Any, math: str | None = None, display_math: bool = True) -> str:
    head = f"`{obj!r}`"
    if math is None:
        return head
    return head + ("\n\n$$\n" + math + "\n$$" if display_math else f": ${math}$")


def _act_tex(act: Any) -> str | None:
    if act.is_identity:
        return None
    name: str | None = act.name
    if name is not None:
        return r"\operatorname{" + name.replace("_", r"\_") + "}"
    return r"\sigma"


def _act_txt(act: Any) -> str | None:
    if act.is_identity:
        return None
    return act.name if act.name is not None else "σ"


def _aligned(lines: Sequence[str]) -> str:
    return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"


# --------------------------------------------------------------- activation
def activation_latex(act: Any) -> str:
    body = sympy.latex(act.expr)
    var = sympy.latex(act.variable)
    if act.name is not None:
        name = act.name.replace("_", r"\_")
        return rf"\operatorname{{{name}}}\colon {var} \mapsto {body}"
    return rf"{var} \mapsto {body}"


def activation_pretty(act: Any, unicode: bool = True) -> str:
    arrow = " ↦ " if unicode else " -> "
    head = f"{act.name}: " if act.name is not None else ""
    return _row(head + sympy.pretty(act.variable, use_unicode=unicode) + arrow, _pretty_of(act.expr, unicode))


# -------------------------------------------------------------------- layer
def layer_latex(layer: Any) -> str:
    inner = _tex_matrix(layer.weights, "W") + " u + " + _tex_matrix(layer.biases, "b")
    act = _act_tex(layer.activation)
    return inner if act is None else act + r"\!\left(" + inner + r"\right)"


def layer_text(layer: Any) -> str:
    return f"Layer(width={layer.width}, fan_in={layer.fan_in}, activation={layer.activation.label()!r})"


def layer_pretty(layer: Any, unicode: bool = True) -> str:
    dot = "·" if unicode else "*"
    act = _act_txt(layer.activation)
    parts: list[stringPict | str] = [
        _pmatrix(layer.weights, "W", unicode),
        f"{dot}u + ",
        _pmatrix(layer.biases, "b", unicode),
    ]
    if act is not None:
        parts = [f"{act}(", *parts, ")"]
    return _row(*parts)


# ------------------------------------------------------------------ network
def network_latex(net: Any) -> str:
    """The network layer by layer: ``u^{(l)} = σ(W_l u^{(l-1)} + b_l)``, then ``ŷ``."""
    lines = []
    prev = "x"
    for l, layer in enumerate(net.layers, start=1):
        lhs = r"\hat{y}" if l == len(net.layers) else f"u^{{({l})}}"
        inner = _tex_matrix(layer.weights, f"W_{{{l}}}") + " " + prev + " + " + _tex_matrix(layer.biases, f"b_{{{l}}}")
        act = _act_tex(layer.activation)
        rhs = inner if act is None else act + r"\!\left(" + inner + r"\right)"
        lines.append(f"{lhs} &= {rhs}")
        prev = f"u^{{({l})}}"
    xs = ", ".join(sympy.latex(s) for s in net.inputs[:MAX_SHOWN]) + (r", \dots" if net.p > MAX_SHOWN else "")
    lines.append(rf"x &= ({xs})^{{T}}")
    return _aligned(lines)


def network_pretty(net: Any, unicode: bool = True) -> str:
    dot = "·" if unicode else "*"
    out = [repr(net)]
    prev = "x"
    for l, layer in enumerate(net.layers, start=1):
        lhs = ("ŷ" if unicode else "y") if l == len(net.layers) else f"u{l}"
        act = _act_txt(layer.activation)
        parts: list[stringPict | str] = [
            _pmatrix(layer.weights, f"W{l}", unicode),
            f"{dot}{prev} + ",
            _pmatrix(layer.biases, f"b{l}", unicode),
        ]
        if act is not None:
            parts = [f"{act}(", *parts, ")"]
        out.append(_row(f"{lhs} = ", *parts))
        prev = f"u{l}"
    return "\n".join(out)


# ---------------------------------------------------------- generic network
def generic_network_latex(net: Any) -> str:
    """``ŷ = C σ(B x + b_0) + c_0`` with the shapes of x and every matrix."""
    u = "x"
    for l in range(1, net.depth + 1):
        act = net.activations[l - 1]
        inner = f"{net.weight(l).tex} {u} + {net.bias(l).tex}"
        name = _act_tex(act)
        u = (name + r"\!" if name else "") + r"\left(" + inner + r"\right)"
    L = net.depth + 1
    out = f"{net.weight(L).tex} {u} + {net.bias(L).tex}"
    shapes = [rf"x \in \mathbb{{R}}^{{{sympy.latex(net.p)}}}"]
    for l in range(1, L + 1):
        w = net.weight(l)
        shapes.append(rf"{w.tex} \in \mathbb{{R}}^{{{sympy.latex(w.rows)} \times {sympy.latex(w.cols)}}}")
    return r"\hat{y} = " + out + r",\quad " + r",\ ".join(shapes)


def generic_network_pretty(net: Any, unicode: bool = True) -> str:
    u = "x"
    for l in range(1, net.depth + 1):
        name = _act_txt(net.activations[l - 1])
        inner = f"{net.weight(l).txt}·{u} + {net.bias(l).txt}"
        u = f"{name}({inner})" if name is not None else f"({inner})"
    L = net.depth + 1
    times, real = ("×", "ℝ") if unicode else ("x", "R")
    shapes = [f"x ∈ {real}^{net.p}" if unicode else f"x in {real}^{net.p}"]
    for l in range(1, L + 1):
        w = net.weight(l)
        shapes.append(f"{w.txt}: {w.rows} {times} {w.cols}")
    text = f"{'ŷ' if unicode else 'y'} = {net.weight(L).txt}·{u} + {net.bias(L).txt},  " + ", ".join(shapes)
    return text if unicode else text.replace("·", "*")


# -------------------------------------------------------------------- proof
def proof_pretty(proof: Any, unicode: bool = True) -> str:
    dot = "·" if unicode else "*"
    lhs = "ŷ = " if unicode else "y = "
    if proof.is_explicit and _small(proof.matrix):
        return _row(lhs, _pmatrix(proof.matrix, "W*", unicode), f"{dot}x + ", _pmatrix(proof.offset, "b*", unicode))
    q, p = proof.certificate.claim.shape
    return f"{lhs}W*{dot}x + b*,  W*: {q} × {p}, b*: {q} × 1 (the product of the certificate's factors)"


# ------------------------------------------------------------ counterexample
def _ltuple(pt: Sequence[Any]) -> str:
    inner = ", ".join(sympy.latex(c) for c in pt)
    return r"\left(" + inner + r"\right)" if r"\frac" in inner else "(" + inner + ")"


def _stated_tex(value: Any) -> str:
    """``= value`` for an exact value, ``\\in [lo, hi]`` (rounded outward) for one stated by its enclosure."""
    if isinstance(value, tuple):
        return rf"\in [{outward(value[0], 'down')}, {outward(value[1], 'up')}]"
    return f"= {sympy.latex(value)}"


def _defect_tex(ce: Any) -> str:
    """The defect and why it is not zero: exact, or inside an outward-rounded enclosure."""
    if ce.is_exact_rational:
        return rf"= {sympy.latex(ce.defect)} \neq 0"
    lo, hi = ce.enclosure
    return rf"\in [{outward(lo, 'down')}, {outward(hi, 'up')}] \text{{, so it is}} \neq 0"


def counterexample_latex(ce: Any) -> str:
    """The network, the weights, the points and the exact non-zero defect."""
    k = ce.output + 1
    f = f"f_{{{k}}}"
    lines = [rf"&{f} := " + _latex_text(f"output {k} of {network_words(ce.network)}")]
    items = ce._weight_items()
    if items:
        shown = [f"{sympy.latex(s)} = {sympy.latex(v)}" for s, v in items[:MAX_LISTED]]
        rows = [r",\ ".join(shown[i : i + 6]) for i in range(0, len(shown), 6)]
        if len(items) > MAX_LISTED:
            rows[-1] += r",\ \dots\ " + _latex_text(f"({len(items) - MAX_LISTED} more)")
        lines.append(r"&\text{weights: } " + rows[0])
        lines += ["&\\qquad " + r for r in rows[1:]]
    u, v = ce.points
    lines.append(rf"&u = {_ltuple(u)},\quad v = {_ltuple(v)},\quad m = \frac{{u+v}}{{2}} = {_ltuple(ce.midpoint)}")
    fu, fv, fm = (_stated_tex(e) for e in ce.values)
    lines.append(rf"&{f}(u) {fu},\quad {f}(v) {fv},\quad {f}(m) {fm}")
    lines.append(
        rf"&{f}(m) - \frac{{{f}(u) + {f}(v)}}{{2}} "
        + _defect_tex(ce)
        + r"\quad\text{(not affine in } x\text{)}"
    )
    return _aligned(lines)


def counterexample_markdown(ce: Any) -> str:
    md: str = ce.to_markdown()
    return md


# ------------------------------------------------------------------- degree
def _deg(d: int | None) -> str:
    return r"-\infty" if d is None else str(d)


def degree_latex(d: Any) -> str:
    return r",\quad ".join(rf"\deg_{{x}} \hat{{y}}_{{{i + 1}}} = {_deg(x)}" for i, x in enumerate(d.degrees))


# --------------------------------------------------------------------- rank
def rank_latex(r: Any) -> str:
    widths = ", ".join(str(w) for w in r.widths)
    return rf"\operatorname{{rank}} W^{{*}} = {r.rank} \le \min({widths}) = {r.bound}"


def rank_text(r: Any) -> str:
    return f"RankBound(rank={r.rank}, bound={r.bound}, narrowest={r.narrowest}, widths={r.widths})"


# ------------------------------------------------------------------ regions
def _form_tex(region: Any, xs: Sequence[sympy.Symbol]) -> str:
    exprs = region.matrix * sympy.Matrix(xs) + region.offset
    return sympy.latex(exprs[0]) if len(exprs) == 1 else _ltuple(list(exprs))


def _cell_tex(region: Any, xs: Sequence[sympy.Symbol]) -> str:
    rels = region.as_relations(xs)
    return ",\\ ".join(sympy.latex(r) for r in rels) if rels else r"x \in \mathbb{R}^{" + str(len(xs)) + "}"


def _inputs(region: Any) -> tuple[sympy.Symbol, ...]:
    return tuple(sympy.Symbol(f"x_{j}") for j in range(1, region.matrix.cols + 1))


def region_latex(region: Any) -> str:
    xs = _inputs(region)
    return rf"\hat{{y}} = {_form_tex(region, xs)}\quad\text{{on}}\quad {_cell_tex(region, xs)}"


def region_pretty(region: Any, unicode: bool = True) -> str:
    xs = _inputs(region)
    exprs = list(region.matrix * sympy.Matrix(xs) + region.offset)
    form = sympy.sstr(exprs[0]) if len(exprs) == 1 else "(" + ", ".join(sympy.sstr(e) for e in exprs) + ")"
    rels = region.as_relations(xs)
    cell = ", ".join(sympy.sstr(r) for r in rels) if rels else f"all of R^{len(xs)}"
    return f"{'ŷ' if unicode else 'y'} = {form}  on  {cell}" + (f"  (pattern {''.join(map(str, region.pattern))})")


def regions_latex(rs: Any) -> str:
    xs = rs.network.inputs
    cases = [f"{_form_tex(r, xs)} & \\text{{if }} {_cell_tex(r, xs)}" for r in list(rs)[:MAX_SHOWN]]
    if len(rs) > MAX_SHOWN:
        cases.append(r"\vdots & " + _latex_text(f"({len(rs) - MAX_SHOWN} more regions)"))
    return r"\hat{y} = \begin{cases} " + r" \\ ".join(cases) + r" \end{cases}"


# --------------------------------------------------------------- crosscheck
def _kind_tex(k: Any) -> str:
    if k.skipped is not None:
        return rf"\text{{{k.kind}}} & & {_latex_text('skipped: ' + k.skipped)}"
    if not k.agree:
        verdict = r"\text{DISAGREE}"
    elif k.exact:
        verdict = r"\text{agree exactly}"
    else:
        verdict = rf"\text{{agree within tolerance }} {sympy.latex(sympy.Float(k.max_tolerance, 3))}"
    return rf"\text{{{k.kind}}} & {k.samples} & {verdict}"


def report_latex(rep: Any) -> str:
    head = (
        r"\text{crosscheck: "
        + ("AGREE" if rep.agree else "DISAGREE")
        + f" ({rep.samples} instantiations, seed {rep.seed})}}"
    )
    rows = " \\\\ ".join(_kind_tex(k) for k in rep.kinds)
    return head + r"\quad \begin{array}{lrl} " + rows + r" \end{array}"


def report_markdown(rep: Any) -> str:
    verdict = "AGREE" if rep.agree else "DISAGREE"
    out = [
        f"**crosscheck: {verdict}** ({rep.samples} instantiations evaluated, seed {rep.seed})",
        "",
        f"network: `{rep.network!r}`; claim: {rep.claim_source}",
        "",
        "| kind | samples | result |",
        "|---|---:|---|",
    ]
    for k in rep.kinds:
        result = k.to_text().split(None, 2)[-1] if k.skipped is None else f"skipped: {k.skipped}"
        result = result.split("samples", 1)[-1].strip() if k.skipped is None else result
        out.append(f"| {k.kind} | {k.samples if k.skipped is None else ''} | {result} |")
    if rep.counterexample is not None:
        out += ["", "```", rep.counterexample.to_text(), "```"]
    return "\n".join(out)


def report_summary(rep: Any) -> str:
    verdict = "AGREE" if rep.agree else "DISAGREE"
    kinds = ", ".join(f"{k.kind} {k.samples}" for k in rep.kinds if k.skipped is None)
    return f"CrosscheckReport({verdict}, {rep.samples} instantiations ({kinds}), seed {rep.seed}, {rep.network!r})"


# ------------------------------------------------------------- registration
def _text_pretty(method: str) -> Callable[..., str]:
    def draw(obj: Any, unicode: bool = True) -> str:
        return str(getattr(obj, method)())

    return draw


def _math_markdown(latex: Callable[[Any], str], display_math: bool = True) -> Callable[[Any], str]:
    def draw(obj: Any) -> str:
        return _markdown(obj, latex(obj), display_math)

    return draw


_REGISTRY: dict[str, dict[str, Callable[..., str]]] = {
    "activation": {
        "latex": activation_latex,
        "pretty": activation_pretty,
        "text": repr,
        "markdown": _math_markdown(activation_latex, False),
    },
    "layer": {
        "latex": layer_latex,
        "pretty": layer_pretty,
        "text": layer_text,
        "markdown": _math_markdown(layer_latex),
    },
    "network": {
        "latex": network_latex,
        "pretty": network_pretty,
        "text": repr,
        "markdown": _math_markdown(network_latex),
    },
    "generic_network": {
        "latex": generic_network_latex,
        "pretty": generic_network_pretty,
        "text": repr,
        "markdown": _math_markdown(generic_network_latex),
    },
    "proof": {"pretty": proof_pretty, "text": repr},  # latex and markdown: symnet.render
    "counterexample": {
        "latex": counterexample_latex,
        "pretty": _text_pretty("to_text"),
        "text": repr,
        "markdown": counterexample_markdown,
    },
    "degree": {
        "latex": degree_latex,
        "pretty": _text_pretty("to_text"),
        "text": repr,
        "markdown": _math_markdown(degree_latex, False),
    },
    "rank_bound": {
        "latex": rank_latex,
        "pretty": _text_pretty("to_text"),
        "text": rank_text,
        "markdown": _math_markdown(rank_latex, False),
    },
    "region": {"latex": region_latex, "pretty": region_pretty, "text": repr, "markdown": _math_markdown(region_latex)},
    "regions": {
        "latex": regions_latex,
        "pretty": _text_pretty("to_text"),
        "text": repr,
        "markdown": _math_markdown(regions_latex),
    },
    "crosscheck_report": {
        "latex": report_latex,
        "pretty": _text_pretty("to_text"),
        "text": report_summary,
        "markdown": report_markdown,
    },
}

for _key, _drawers in _REGISTRY.items():
    for _fmt, _draw in _drawers.items():
        display.register(_key, _fmt, _draw)
