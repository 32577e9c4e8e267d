"""The notation of the generic derivations: matrix expressions (Lin) as text and LaTeX, symbolic indices and names.

:class:`_GenericNotation` holds the proof's data and names every entry the
way the concrete derivations do; :mod:`symnet.render.generic` writes the steps.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sympy

from ..model import generic as gm
from ..model.generic import GenericStep, Lin
from ._atoms import DOTS, VDOTS, A
from ._math import Atom, Math, Row

__all__ = ["RuleTexts", "lin_math", "lin_str", "lin_tex_claim", "lin_txt", "shapes_tex"]

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


def lin_str(x: Lin, fmt: str) -> str:
    if not x.terms:
        return "0"
    out = ""
    for i, (word, c) in enumerate(sorted(x.terms, key=lambda t: _term_key(t[0]))):
        neg, cs = _coeff(c, fmt)
        body = cs + " ".join(a.tex if fmt == "latex" else a.txt for a in word)
        out += ("-" if neg else "") + body if i == 0 else (" - " if neg else " + ") + body
    return out


def lin_txt(x: Lin) -> str:
    return lin_str(x, "text")


def lin_math(x: Lin) -> Atom:
    return Atom(lin_str(x, "latex"), lin_str(x, "text"))


def lin_tex_claim(proof: Any) -> str:
    return r"\hat{y} = " + lin_str(proof.matrix, "latex") + " x + " + lin_str(proof.offset, "latex")


def shapes_tex(shapes: str) -> str:
    """``W: q x m, b: q x 1, scalars a, d`` as LaTeX math."""
    tex = shapes.replace("scalars ", r"\text{scalars } ").replace(": ", r" \colon ").replace(" x ", r" \times ")
    return r"\text{for } " + tex



class _GenericNotation:
    """A generic proof's data and the names of its entries, sizes and indices."""

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

    @staticmethod
    def _commas(items: list[Math]) -> list[Math]:
        out: list[Math] = []
        for i, it in enumerate(items):
            if i:
                out.append(A(", "))
            out.append(it)
        return out

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

    def sigma(self, l: int) -> Atom:
        return A(r"\sigma", "σ") if self.L == 1 else Atom(rf"\sigma_{{{l}}}", f"σ_{l}")

    def aug_name(self, l: int) -> Atom:
        return A(r"\widetilde{W}", "W~") if self.L == 1 else Atom(rf"\widetilde{{W}}^{{({l})}}", f"W~^({l})")

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
