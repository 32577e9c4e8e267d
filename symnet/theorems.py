"""Theorems for every depth, proved once by induction with the generic kernel's rules.

:data:`deep_linear_collapse` states that a dense network of any depth L, any
widths ``n_0 = p, n_1, ..., n_L, n_(L+1) = q`` and affine activations
``sigma_l(t) = a_l t + d_l`` computes ``y_hat = W* x + b*`` with

    W* = a_1 ... a_L  W_(L+1) W_L ... W_1,
    b* = b_(L+1) + W_(L+1) v_L,   v_l = a_l W_l v_(l-1) + a_l b_l + d_l 1,  v_0 = 0,

(for identity activations ``b* = sum_l W_(L+1) ... W_(l+1) b_l``), and
:data:`collapse_rank_bound` that ``rank W* <= min(n_0, ..., n_(L+1))``.

The proof is by induction on the number of layers: base case one affine
layer, step affine after affine is affine.  Every step is an instance of a
rule of :mod:`symnet.kernel.generic` on matrices of symbolic shape (the
induction hypothesis is a pair of matrices ``M_(l-1)``, ``v_(l-1)`` of
symbolic shape), and ``check()`` re-derives each one.

>>> from symnet.theorems import deep_linear_collapse
>>> deep_linear_collapse.check()
True
>>> deep_linear_collapse.instantiate(2).claim_text()
'ŷ = C B^(2) B^(1) x + c_0 + C b^(2)_0 + C B^(2) b^(1)_0'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sympy

from .errors import CertificateError, InvalidArgument
from .kernel import generic as gk
from .model import generic as gm
from .model.generic import Aug, Lin, MatAtom, OutRow
from .model.generic_build import generic_dense
from .model.generic_selftest import self_check
from .render import _latex, _markdown, _text
from .render._atoms import A
from .render._document import Derivation, Line, Section
from .render._math import Atom
from .search.generic import GenericProof, prove_generic

__all__ = ["Theorem", "TheoremStep", "collapse_rank_bound", "deep_linear_collapse"]


@dataclass(frozen=True)
class TheoremStep:
    """One step of a theorem's proof: a rule applied to operands of symbolic shape.

    ``rule`` is a rule of the generic kernel, or ``"normal_form"`` for an
    identity of matrix expressions that holds by distributivity,
    associativity and commuting scalars (``operands["lhs"] == operands["rhs"]``).
    """

    part: str
    rule: str
    operands: Mapping[str, Any]
    stated: Any
    text: str
    tex: str


@dataclass(frozen=True)
class Theorem:
    """A statement for every depth and width, with its proof by induction."""

    name: str
    statement_text: str
    statement_latex: str
    steps: tuple[TheoremStep, ...]
    #: For documents: the statement as prose (``(latex, text)`` pieces, math
    #: marked by ``$``) followed by display lines ``(lhs, rel, rhs)`` in LaTeX.
    statement_intro: tuple[str, ...] = ()
    statement_display: tuple[tuple[str, str, str], ...] = ()
    #: The closing sentence: prose strings and ``(latex, text)`` math pairs; default: by induction on L.
    conclusion: tuple[str | tuple[str, str], ...] = ()

    def check(self) -> bool:
        """Re-derive every step with the generic kernel's rules, each self-checked against its statement first."""
        for index, step in enumerate(self.steps):
            if step.rule == "normal_form":
                if step.operands["lhs"] != step.operands["rhs"] or step.stated != step.operands["rhs"]:
                    raise CertificateError(
                        f"{step.part}: the two sides differ in normal form", step=index, rule=step.rule
                    )
                continue
            rule = gk.RULES.get(step.rule)
            if rule is None:
                raise CertificateError(f"unknown rule {step.rule!r}", step=index, rule=step.rule)
            self_check(rule)
            derived = rule.derive(step.operands)
            if derived != step.stated:
                raise CertificateError(
                    f"{step.part}: the rule gives {derived!r}, not the stated {step.stated!r}",
                    step=index,
                    rule=step.rule,
                )
        return True

    def instantiate(self, depth: int) -> GenericProof:
        """The generic proof for depth ``depth`` with widths ``p, h1, ..., hL`` and one output."""
        if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
            raise InvalidArgument(f"depth={depth!r} must be a non-negative integer")
        widths = ["h"] if depth == 1 else [f"h{l}" for l in range(1, depth + 1)]
        return prove_generic(generic_dense("p", widths))

    def derivation(self, fmt: str = "text") -> Derivation:
        """The statement and its proof as a format-neutral derivation."""
        if fmt == "text" or not self.statement_display:
            sections = [Section("Theorem", None, (Atom(self.statement_latex, self.statement_text),))]
        else:
            intro = tuple(Atom(x[1:-1], x[1:-1]) if x.startswith("$") else x for x in self.statement_intro)
            lines = tuple(Line(Atom(lhs, lhs), rel, Atom(rhs, rhs)) for lhs, rel, rhs in self.statement_display)
            sections = [Section("Theorem", None, intro, lines)]
        if fmt == "text":
            sections += [Section(s.part, s.rule, (Atom(s.tex, s.text),)) for s in self.steps]
        else:
            # one paragraph per part, its steps displayed one per line (a matrix never sits in running text)
            parts: dict[str, list[TheoremStep]] = {}
            for s in self.steps:
                parts.setdefault(s.part, []).append(s)
            for part, steps in parts.items():
                rules = ", ".join(dict.fromkeys(s.rule for s in steps))
                sections.append(Section(part, rules, (), tuple(Line(None, "", Atom(s.tex, s.text)) for s in steps)))
        closing: tuple[Any, ...] = (
            "By induction on ",
            A("L"),
            " the statement holds for every depth, every width and every affine activation. ",
        )
        if self.conclusion:
            closing = tuple(x if isinstance(x, str) else A(*x) for x in self.conclusion)
        sections.append(Section("Conclusion", None, (*closing, A(r"\blacksquare", "∎"))))
        return Derivation(self.name, tuple(sections))

    def to_text(self) -> str:
        return _text.render(self.derivation("text"))

    def to_markdown(self) -> str:
        return _markdown.render(self.derivation("latex"))

    def to_latex(self, *, document: bool = False) -> str:
        return _latex.render(self.derivation("latex"), document=document)

    def _repr_latex_(self) -> str:
        return "$" + self.statement_latex + "$"


# ------------------------------------------------------------- the objects
def _n(name: str) -> sympy.Symbol:
    return sympy.Symbol(name, integer=True, positive=True)


P, Q, N_PREV, N_L, N_LAST, N_K = _n("p"), _n("q"), _n("n_{l-1}"), _n("n_l"), _n("n_L"), _n("n_k")
a_l, d_l = sympy.Symbol("a_l"), sympy.Symbol("d_l")
A_PREV = sympy.Symbol("a_{l-1} \\cdots a_1")

X = MatAtom("x", P, 1, "x", "x")
W1 = MatAtom("W_1", _n("n_1"), P, "W_1", "W_1")
b1 = MatAtom("b_1", _n("n_1"), 1, "b_1", "b_1")
Wl = MatAtom("W_l", N_L, N_PREV, "W_l", "W_l")
bl = MatAtom("b_l", N_L, 1, "b_l", "b_l")
M_prev = MatAtom("M_{l-1}", N_PREV, P, "M_{l-1}", "M_{l-1}")
v_prev = MatAtom("v_{l-1}", N_PREV, 1, "v_{l-1}", "v_{l-1}")
M_L = MatAtom("M_L", N_LAST, P, "M_L", "M_L")
v_L = MatAtom("v_L", N_LAST, 1, "v_L", "v_L")
W_out = MatAtom("W_{L+1}", Q, N_LAST, "W_{L+1}", "W_{L+1}")
b_out = MatAtom("b_{L+1}", Q, 1, "b_{L+1}", "b_{L+1}")
Pi_prev = MatAtom("W_{l-1} ... W_1", N_PREV, P, r"W_{l-1} \cdots W_1", "W_{l-1} ⋯ W_1")
Left = MatAtom("W_{L+1} ... W_{k+1}", Q, N_K, r"W_{L+1} \cdots W_{k+1}", "W_{L+1} ⋯ W_{k+1}")
Right = MatAtom("W_k ... W_1", N_K, P, r"W_k \cdots W_1", "W_k ⋯ W_1")


def L_(a: MatAtom) -> Lin:
    return Lin.of(a)


def _aug_tex(v: Aug) -> tuple[str, str]:
    t = r"\begin{bmatrix} 1 & 0 \\ " + _s(v.v, "latex") + " & " + _s(v.M, "latex") + r" \end{bmatrix}"
    x = "[[1, 0], [" + _s(v.v, "text") + ", " + _s(v.M, "text") + "]]"
    return t, x


def _s(x: Lin, fmt: str) -> str:
    out = []
    for word, c in sorted(x.terms, key=lambda t: (len(t[0]), [a.name for a in t[0]])):
        coeff = "" if c == 1 else (sympy.latex(c) if fmt == "latex" else sympy.sstr(c)) + " "
        out.append(coeff + " ".join(a.tex if fmt == "latex" else a.txt for a in word))
    return " + ".join(out) or "0"


def _collapse_steps() -> tuple[TheoremStep, ...]:
    return (*_base_steps(), *_inductive_steps(), *_output_steps(), *_closed_form_steps())


def _base_steps() -> tuple[TheoremStep, ...]:
    """Base case: one affine layer."""
    base_row = OutRow(L_(b1), L_(W1))
    base_form = L_(W1) @ L_(X) + L_(b1)
    P1 = Aug(
        L_(b1).scale(sympy.Symbol("a_1")) + L_(gm.ones(_n("n_1"))).scale(sympy.Symbol("d_1")),
        L_(W1).scale(sympy.Symbol("a_1")),
    )
    p1t, p1x = _aug_tex(P1)
    base = "Base case (one affine layer)"
    return (
        TheoremStep(
            base,
            "read_output_layer",
            {"W": L_(W1), "b": L_(b1), "u": L_(X)},
            base_row,
            "W_1 x + b_1 = [b_1 | W_1] (1, x)",
            r"W_1 x + b_1 = \begin{bmatrix} b_1 & W_1 \end{bmatrix} \begin{bmatrix} 1 \\ x \end{bmatrix}",
        ),
        TheoremStep(
            base,
            "conclude_linear_form",
            {"C": L_(W1), "c": L_(b1), "x": L_(X)},
            base_form,
            "= W_1 x + b_1: with no hidden layer, W* = W_1 and b* = b_1",
            r"= W_1 x + b_1:\ \text{with no hidden layer } W^* = W_1,\ b^* = b_1",
        ),
        TheoremStep(
            base,
            "substitute_layer",
            {"W": L_(W1), "b": L_(b1), "u": L_(X), "a": sympy.Symbol("a_1"), "d": sympy.Symbol("d_1"), "m": _n("n_1")},
            P1,
            f"(1, u_1) = Q_1 (1, x),  Q_1 = {p1x}",
            rf"\begin{{bmatrix}} 1 \\ u_1 \end{{bmatrix}} = Q_1 \begin{{bmatrix}} 1 \\ x \end{{bmatrix}},\ Q_1 = {p1t}",
        ),
    )


def _inductive_steps() -> tuple[TheoremStep, ...]:
    """Inductive step: affine after affine is affine."""
    ones_l = L_(gm.ones(N_L))
    Pl = Aug(L_(bl).scale(a_l) + ones_l.scale(d_l), L_(Wl).scale(a_l))
    Ql = Aug(Pl.v + Pl.M @ L_(v_prev), Pl.M @ L_(M_prev))
    plt, plx = _aug_tex(Pl)
    qlt, qlx = _aug_tex(Ql)
    step = "Inductive step (affine after affine is affine)"
    return (
        TheoremStep(
            step,
            "substitute_layer",
            {"W": L_(Wl), "b": L_(bl), "u": Lin.zero(N_PREV, 1), "a": a_l, "d": d_l, "m": N_L},
            Pl,
            f"(1, u_l) = P_l (1, u_(l-1)),  P_l = {plx}",
            rf"\begin{{bmatrix}} 1 \\ u_l \end{{bmatrix}} = P_l \begin{{bmatrix}} 1 \\ u_{{l-1}} \end{{bmatrix}},\ "
            rf"P_l = {plt}",
        ),
        TheoremStep(
            step,
            "multiply_augmented",
            {"V": Pl.M, "c": Pl.v, "M": L_(M_prev), "v": L_(v_prev)},
            Ql,
            f"if Q_(l-1) = [[1, 0], [v_(l-1), M_(l-1)]] then Q_l = P_l Q_(l-1) = {qlx}",
            rf"Q_{{l-1}} = \begin{{bmatrix}} 1 & 0 \\ v_{{l-1}} & M_{{l-1}} \end{{bmatrix}} \implies Q_l = P_l "
            rf"Q_{{l-1}} = {qlt}",
        ),
    )


def _output_steps() -> tuple[TheoremStep, ...]:
    """The output layer applied to the collapsed hidden layers."""
    out_row = OutRow(L_(b_out), L_(W_out))
    final = OutRow(L_(b_out) + L_(W_out) @ L_(v_L), L_(W_out) @ L_(M_L))
    form = final.C @ L_(X) + final.c
    out = "Output layer"
    return (
        TheoremStep(
            out,
            "read_output_layer",
            {"W": L_(W_out), "b": L_(b_out), "u": Lin.zero(N_LAST, 1)},
            out_row,
            "y_hat = [b_(L+1) | W_(L+1)] (1, u_L) = [b_(L+1) | W_(L+1)] Q_L (1, x)",
            r"\hat{y} = \begin{bmatrix} b_{L+1} & W_{L+1} \end{bmatrix} \begin{bmatrix} 1 \\ u_L \end{bmatrix} = "
            r"\begin{bmatrix} b_{L+1} & W_{L+1} \end{bmatrix} Q_L \begin{bmatrix} 1 \\ x \end{bmatrix}",
        ),
        TheoremStep(
            out,
            "apply_output_row",
            {"C": L_(W_out), "c": L_(b_out), "M": L_(M_L), "v": L_(v_L)},
            final,
            "[b_(L+1) | W_(L+1)] Q_L = [b_(L+1) + W_(L+1) v_L | W_(L+1) M_L]",
            r"\begin{bmatrix} b_{L+1} & W_{L+1} \end{bmatrix} Q_L = \begin{bmatrix} b_{L+1} + W_{L+1} v_L & W_{L+1} "
            r"M_L \end{bmatrix}",
        ),
        TheoremStep(
            out,
            "conclude_linear_form",
            {"C": final.C, "c": final.c, "x": L_(X)},
            form,
            "y_hat = W* x + b*,  W* = W_(L+1) M_L,  b* = b_(L+1) + W_(L+1) v_L",
            r"\hat{y} = W^* x + b^*,\ W^* = W_{L+1} M_L,\ b^* = b_{L+1} + W_{L+1} v_L",
        ),
    )


def _closed_form_steps() -> tuple[TheoremStep, ...]:
    """The closed form of the weights' product, by a second induction."""
    closed_lhs = L_(Wl).scale(a_l) @ L_(Pi_prev).scale(A_PREV)
    closed_rhs = (L_(Wl) @ L_(Pi_prev)).scale(a_l * A_PREV)
    closed = "Closed form of the product (a second induction)"
    return (
        TheoremStep(
            closed,
            "normal_form",
            {"lhs": closed_lhs, "rhs": closed_rhs},
            closed_rhs,
            "M_(l-1) = (a_(l-1) ⋯ a_1) W_(l-1) ⋯ W_1  implies  M_l = a_l W_l M_(l-1) = (a_l ⋯ a_1) W_l ⋯ W_1",
            r"M_{l-1} = (a_{l-1} \cdots a_1) W_{l-1} \cdots W_1 \implies M_l = a_l W_l M_{l-1} = (a_l \cdots a_1) "
            r"W_l \cdots W_1",
        ),
    )


def _rank_steps() -> tuple[TheoremStep, ...]:
    ab = Lin.of(Left) @ Lin.of(Right)
    return (
        TheoremStep(
            "Factor through layer k",
            "factor_rank",
            {"A": Lin.of(Left), "B": Lin.of(Right), "r": N_K},
            ab,
            "W* = (a_1 ⋯ a_L) (W_(L+1) ⋯ W_(k+1)) (W_k ⋯ W_1), an (q x n_k) times (n_k x p) product, so rank W* <= n_k",
            r"W^* = (a_1 \cdots a_L) (W_{L+1} \cdots W_{k+1}) (W_k \cdots W_1),\ \operatorname{rank} W^* \le n_k",
        ),
    )


deep_linear_collapse = Theorem(
    name="Deep linear collapse: every depth, every width",
    statement_text=(
        "For every depth L >= 0, widths n_0 = p, n_1, ..., n_L, n_(L+1) = q and affine activations "
        "sigma_l(t) = a_l t + d_l: y_hat = W* x + b* with W* = (a_1 ⋯ a_L) W_(L+1) W_L ⋯ W_1 and "
        "b* = b_(L+1) + W_(L+1) v_L, where v_0 = 0 and v_l = a_l W_l v_(l-1) + a_l b_l + d_l 1 "
        "(for the identity, b* = sum_(l=1..L+1) W_(L+1) ⋯ W_(l+1) b_l)."
    ),
    statement_latex=(
        r"\forall L \ge 0,\ n_0 = p, n_1, \dots, n_{L+1} = q:\quad \hat{y} = W^* x + b^*,\ "
        r"W^* = (a_1 \cdots a_L)\, W_{L+1} W_L \cdots W_1,\ b^* = b_{L+1} + W_{L+1} v_L,\ "
        r"v_l = a_l W_l v_{l-1} + a_l b_l + d_l \mathbf{1}_{n_l},\ v_0 = 0"
    ),
    steps=_collapse_steps(),
    statement_intro=(
        "For every depth ",
        r"$L \ge 0$",
        ", widths ",
        r"$n_0 = p, n_1, \dots, n_L, n_{L+1} = q$",
        " and affine activations ",
        r"$\sigma_l(t) = a_l t + d_l$",
        ":",
    ),
    statement_display=(
        (r"\hat{y}", "=", r"W^* x + b^*, \qquad \text{where}"),
        ("W^*", "=", r"(a_1 \cdots a_L)\, W_{L+1} W_L \cdots W_1,"),
        ("b^*", "=", r"b_{L+1} + W_{L+1} v_L,"),
        ("v_l", "=", r"a_l W_l v_{l-1} + a_l b_l + d_l \mathbf{1}_{n_l} \quad (l = 1, \dots, L), \qquad v_0 = 0."),
    ),
)

collapse_rank_bound = Theorem(
    name="Rank bound of the collapsed regression",
    statement_text="For every depth and widths n_0 = p, ..., n_(L+1) = q: rank W* <= min(n_0, n_1, ..., n_(L+1)).",
    statement_latex=r"\operatorname{rank} W^* \le \min(n_0, n_1, \dots, n_{L+1})",
    steps=_rank_steps(),
    statement_intro=("For every depth ", r"$L \ge 0$", " and widths ", r"$n_0 = p, n_1, \dots, n_{L+1} = q$", ":"),
    statement_display=((r"\operatorname{rank} W^*", r"\le", r"\min(n_0, n_1, \dots, n_{L+1})."),),
    conclusion=(
        "The factorisation holds for every layer ",
        (r"k = 0, 1, \dots, L+1", "k = 0, 1, …, L+1"),
        " (for ",
        ("k = 0", "k = 0"),
        " the right factor is the identity, for ",
        ("k = L+1", "k = L+1"),
        " the left one), so the rank is at most the smallest width. ",
    ),
)
