"""The oracle's second route at small sizes: sympy expansion of output minus claim.

Only polynomial documents of small degree reach sympy, and only through this
module's own translation of the node table (sympy never sees document text).
"""

from __future__ import annotations

from typing import Any

import sympy

from .grammar import Table

_MAX_DEGREE = 12


def _degrees(t: Table, roots: list[int]) -> bool:
    deg: dict[int, int] = {}
    for root in roots:
        for n in t.reach(root):
            if n in deg:
                continue
            item = t.nodes[n]
            k = item[0]
            if t.const[n] is not None or k == "num":
                deg[n] = 0
            elif k == "sym":
                deg[n] = 1
            elif k == "add":
                deg[n] = max(deg[a] for a in item[1])
            elif k == "mul":
                deg[n] = sum(deg[a] for a in item[1])
            elif k == "pow":
                e = t.const[item[2]]
                if e is None or e.denominator != 1 or e < 0:
                    return False
                deg[n] = deg[item[1]] * int(e)
            else:
                return False
            if deg[n] > _MAX_DEGREE:
                return False
            if deg[n] == 0 and t.const[n] is None and k in ("add", "mul", "pow"):
                return False  # a constant too big for the oracle to fold (a squaring chain): sympy would build it
    return True


def to_sympy(t: Table, root: int, symbols: dict[str, sympy.Symbol]) -> sympy.Expr:
    val: dict[int, sympy.Expr] = {}
    for n in t.reach(root):
        c = t.const[n]
        if c is not None:
            val[n] = sympy.Rational(c.numerator, c.denominator)
            continue
        item = t.nodes[n]
        k = item[0]
        if k == "sym":
            val[n] = symbols.setdefault(item[1], sympy.Symbol(item[1]))
        elif k == "add":
            val[n] = sympy.Add(*(val[a] for a in item[1]))
        elif k == "mul":
            val[n] = sympy.Mul(*(val[a] for a in item[1]))
        elif k == "pow":
            val[n] = sympy.Pow(val[item[1]], val[item[2]])
        else:  # pragma: no cover - filtered by _degrees
            raise AssertionError(item)
    return val[root]


def explicit_difference(t: Table, net: Any, wm: list[list[int]], bo: list[int]) -> sympy.Expr | None:
    """expand(output_i - claim_i) for the first output that is not zero (0 if all are); None if not applicable."""
    roots = [*bo, *(v for row in wm for v in row)]
    for w, b, _n, _var, expr in net.layers:
        roots += [*b, *(v for row in w for v in row), expr]
    if not _degrees(t, roots):
        return None
    symbols: dict[str, sympy.Symbol] = {}
    x = [sympy.Symbol(f"input_{j}") for j in range(net.p)]  # fresh: inputs never occur elsewhere (checked)
    u: list[sympy.Expr] = list(x)
    for w, b, _n, var, expr in net.layers:
        z = [
            to_sympy(t, b[k], symbols) + sum(to_sympy(t, w[k][j], symbols) * u[j] for j in range(len(u)))
            for k in range(len(w))
        ]
        if t.nodes[expr] != ("sym", var):
            bound = sympy.Dummy("bound")
            body = to_sympy(t, expr, {**symbols, var: bound})
            z = [body.xreplace({bound: v}) for v in z]
        u = z
    for i in range(net.q):
        claim = to_sympy(t, bo[i], symbols) + sum(to_sympy(t, wm[i][j], symbols) * x[j] for j in range(net.p))
        diff = sympy.expand(u[i] - claim)
        if diff != 0:
            return diff
    return sympy.Integer(0)
