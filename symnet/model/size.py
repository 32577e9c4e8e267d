"""Size estimates that decide, before any work, what is cheap enough to do.

The number of monomials in a network's expanded output is estimated by
counting input-to-output paths, weighted by the number of terms of each weight
entry.  For a fully symbolic dense network with p inputs, L hidden layers of
width h and one output this count is exact:
``p*h**L + (h**(L+1) - 1)/(h - 1)``.
"""

from __future__ import annotations

import operator

import sympy

from .exact import qq_matrix
from .network import Network
from .symbols import flat_entries

__all__ = ["EXPAND_COST_LIMIT", "EXPAND_LIMIT", "estimate_monomials", "expansion_cost", "polynomial_degree"]

#: Default guard: networks whose expanded output is estimated to have more
#: monomials than this are not expanded (the layer-wise proof carries them).
EXPAND_LIMIT = 20_000

#: Second guard: monomials times variables (inputs and parameters).  Sparse
#: polynomial arithmetic costs about that much per pass (about 1 s per 10**6
#: here), so wide networks with few monomials but thousands of weights are
#: not expanded either.
EXPAND_COST_LIMIT = 3_000_000


def _terms(e: sympy.Expr) -> int:
    if e.is_Symbol:
        return 1
    if e.is_Rational:
        return 0 if e.p == 0 else 1
    return len(sympy.Add.make_args(e))


def _term_counts(m: sympy.MatrixBase) -> list[int] | None:
    """The number of terms of every entry, row by row (numbers over QQ: 1 when nonzero); None when all are symbols."""
    qq = qq_matrix(m)
    if qq is not None:
        return [1 if a else 0 for a in qq.entries()]
    flat = flat_entries(m)
    if set(map(type, flat)) == {sympy.Symbol}:
        return None  # every entry one term (a fully symbolic layer)
    return [_terms(e) for e in flat]


def polynomial_degree(expr: sympy.Expr, var: sympy.Symbol) -> int | None:
    """Degree of ``expr`` as a polynomial in ``var``, or None if it is not one."""
    if not expr.has(var):
        return 0
    try:
        return int(sympy.Poly(expr, var).degree())
    except sympy.PolynomialError:
        return None


def estimate_monomials(net: Network) -> int:
    """Upper estimate of the monomial count of the expanded output (exact for dense symbolic nets).

    Non-polynomial activations are counted as if they were the identity.
    """
    counts = [1] * (net.p + 1)  # the constant 1 of the augmented input, then x_1..x_p
    for layer in net.layers:
        n = layer.fan_in
        bias, weights = _term_counts(layer.biases), _term_counts(layer.weights)
        inner = counts[1:]
        new = [1]
        every = sum(inner)  # a row of symbols: one term per entry
        for k in range(layer.width):
            through = every if weights is None else sum(map(operator.mul, weights[k * n : (k + 1) * n], inner))
            new.append((1 if bias is None else bias[k]) * counts[0] + through)
        act = layer.activation
        if not act.is_identity:
            degree = polynomial_degree(act.expr, act.variable) or 1
            new = [1] + [(max(c, 1) ** degree) * _terms(act.expr) for c in new[1:]]
        counts = new
    return sum(counts[1:])


def expansion_cost(net: Network, monomials: int | None = None) -> int:
    """Estimated monomials times the number of variables (inputs and parameters)."""
    if monomials is None:
        monomials = estimate_monomials(net)
    return monomials * (net.p + len(net.parameters))
