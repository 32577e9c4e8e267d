"""Size estimates that decide, before any work, what is cheap enough to do.

The number of monomials in a network's expanded output is estimated by
counting input-to-output paths, weighted by the number of terms of each weight
entry.  For a fully symbolic dense network with p inputs, L hidden layers of
width h and one output this count is exact:
``p*h**L + (h**(L+1) - 1)/(h - 1)``.
"""

from __future__ import annotations

import sympy

from .network import Network

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
    if e == 0:
        return 0
    return len(sympy.Add.make_args(e))


def polynomial_degree(expr: sympy.Expr, var: sympy.Symbol) -> int | None:
    """Degree of ``expr`` as a polynomial in ``var``, or None if it is not one."""
    if not expr.has(var):
        return 0
    try:
        return sympy.Poly(expr, var).degree()
    except sympy.PolynomialError:
        return None


def estimate_monomials(net: Network) -> int:
    """Upper estimate of the monomial count of the expanded output (exact for dense symbolic nets).

    Non-polynomial activations are counted as if they were the identity.
    """
    counts = [1] * (net.p + 1)  # the constant 1 of the augmented input, then x_1..x_p
    for layer in net.layers:
        new = [1]
        for k in range(layer.width):
            total = _terms(layer.biases[k]) * counts[0]
            for j in range(layer.fan_in):
                total += _terms(layer.weights[k, j]) * counts[j + 1]
            new.append(total)
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
