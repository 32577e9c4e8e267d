"""Natural term order: sums printed the way a person writes them.

sympy orders the terms of a sum by their printed names, so ``c_{10}`` comes
before ``c_{2}``.  Here every weight symbol gets a position from the network
-- (layer counted from the output side, row, column of the blog post's augmented
matrix ``[b | W]``) -- and

* the factors of a product are written from the output layer towards the
  input (``c_1 b_{1,1}``, the order of the matrix product ``C P_L ... P_1``);
* the terms of a sum follow the paths they stand for, bias paths first
  (``c_0 + c_1 b_{1,0} + c_2 b_{2,0}``), indices compared as integers.

Symbols the network does not place (an activation's own coefficients such as
``a`` in ``a*t + d``) come first in a product, by name.  The order depends only
on the expression and the network, so output is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from ..model.exact import is_rational_matrix
from ._numbers import exact

__all__ = ["Term", "TermOrder"]

_Key = tuple[int, int, int, str]


@dataclass(frozen=True)
class Term:
    """One term of a sum: a numeric coefficient times ordered symbol powers."""

    coeff: sympy.Expr
    factors: tuple[sympy.Expr, ...]

    @property
    def size(self) -> int:
        """Number of non-numeric factors."""
        return len(self.factors)


class TermOrder:
    """Orders the terms and factors of weight expressions of one network."""

    def __init__(self, network: object) -> None:
        self._pos: dict[sympy.Symbol, tuple[int, int, int]] = {}
        layers = getattr(network, "layers", ())
        n = len(layers)
        for index, layer in enumerate(layers):
            rank = n - index  # output layer first: rank 1
            if is_rational_matrix(layer.weights) and is_rational_matrix(layer.biases):
                continue  # numbers only (a trained or a sparse layer): no symbol to place
            for k in range(layer.biases.rows):
                self._place(layer.biases[k], (rank, k + 1, 0))
                for j in range(layer.weights.cols):
                    self._place(layer.weights[k, j], (rank, k + 1, j + 1))
        for x_index, x in enumerate(getattr(network, "inputs", ())):
            self._pos.setdefault(x, (n + 1, 0, x_index + 1))

    def _place(self, entry: sympy.Expr, where: tuple[int, int, int]) -> None:
        for s in sorted(entry.free_symbols, key=lambda s: s.name):
            self._pos.setdefault(s, where)

    def factor_key(self, factor: sympy.Expr) -> _Key:
        """Position of one factor (a symbol or a power of one)."""
        base = factor.base if factor.is_Pow else factor
        found = self._pos.get(base) if base.is_Symbol else None
        if found is None:
            return (0, 0, 0, sympy.srepr(base) if not base.is_Symbol else base.name)
        return (*found, "")

    def term(self, expr: sympy.Expr) -> Term:
        """Split a product into its numeric coefficient and ordered factors."""
        coeff, rest = expr.as_coeff_Mul()
        if rest == 1:
            return Term(coeff, ())
        parts = list(rest.args) if rest.is_Mul else [rest]
        numeric = [f for f in parts if f.is_number]
        symbolic = [f for f in parts if not f.is_number]
        if numeric:
            coeff = sympy.Mul(coeff, *numeric)
        symbolic.sort(key=lambda f: (self.factor_key(f), sympy.srepr(f)))
        return Term(coeff, tuple(symbolic))

    def term_key(self, term: Term) -> tuple[tuple[_Key, ...], tuple[str, ...], tuple[str, int, int]]:
        """Sort key of a term: its path through the network, then its coefficient (a number by value, not by text:
        Python's str() refuses integers past 4,300 digits)."""
        c = term.coeff
        coeff = ("", int(c.p), int(c.q)) if c.is_Rational else (sympy.srepr(c), 0, 0)
        return (
            tuple(self.factor_key(f) for f in term.factors),
            tuple(sympy.srepr(f) for f in term.factors),
            coeff,
        )

    def terms(self, expr: sympy.Expr) -> list[Term]:
        """The terms of the expanded ``expr`` in natural order (``[]`` for zero)."""
        expr = sympy.expand(exact(sympy.sympify(expr)))
        if expr == 0:
            return []
        parts = expr.args if expr.is_Add else (expr,)
        terms = [self.term(t) for t in parts]
        terms.sort(key=self.term_key)
        return terms
