"""Exact pieces of a piecewise-affine network for the regions oracle: Fraction forward passes, pplpy polyhedra.

:class:`Net` holds a document's network with exact weights and each layer's
pieces (affine, or one kink with two rational affine pieces);
:func:`piece_of` fixes the pieces by a pattern; :func:`cells` enumerates the
full-dimensional activation cells of a domain with exact polyhedra (pplpy).
Nothing here imports symnet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ppl import C_Polyhedron, Linear_Expression, Poly_Con_Relation

from .grammar import Table, Undecided
from .oracle import read_network
from .verification_oracle import numeric_network

__all__ = [
    "Cell",
    "Form",
    "Net",
    "cells",
    "expr",
    "gen_point",
    "inside",
    "interior",
    "network_of",
    "nudged",
    "piece_of",
    "polyhedron",
    "row_value",
    "size",
    "strict",
]

#: Past these sizes the oracle says UNDECIDED.
MAX_CELLS = 3000
MAX_BITS = 20_000

Form = tuple[list[Fraction], Fraction]  # coefficients on x, constant
#: A layer's activation: ("affine", m, c) or ("kink", t0, (m_lo, c_lo), (m_hi, c_hi)) (lo for z <= t0).
Piece = tuple[Any, ...]


# ----------------------------------------------------------------- network
def _affine_in(t: Table, var: str, root: int) -> tuple[Fraction, Fraction] | None:
    """(m, c) when node root is ``m var + c`` (checked at three points), else None."""
    if not t.poly[root] or t.free(root) - {var} or t.degree_in(root, var) not in (0, 1):
        return None
    c = t.evaluate(root, {var: Fraction(0)})
    m = t.evaluate(root, {var: Fraction(1)}) - c
    return (m, c) if t.evaluate(root, {var: Fraction(-3)}) == c - 3 * m else None


def _activation(t: Table, kind: str, var: str, expr: int) -> Piece:
    """The pieces of a hidden activation, read from its formula's tree (not from values at probes);
    Undecided when it is not affine, nor Max/Min of two rational affine pieces, nor Abs of one."""
    if kind == "identity":
        return ("affine", Fraction(1), Fraction(0))
    if (mc := _affine_in(t, var, expr)) is not None:
        return ("affine", *mc)
    node = t.nodes[expr]
    if node[0] == "fn" and node[1] in ("Max", "Min", "Abs"):
        found = [_affine_in(t, var, a) for a in node[2]]
        args = [mc for mc in found if mc is not None]
        if node[1] == "Abs" and len(found) == len(args) == 1:
            args = [args[0], (-args[0][0], -args[0][1])]
        if len(found) == len(args) == 2 or (node[1] == "Abs" and len(args) == 2):
            (m1, c1), (m2, c2) = args
            big = node[1] != "Min"
            if m1 == m2:
                return ("affine", m1, max(c1, c2) if big else min(c1, c2))
            lo, hi = sorted(args, key=lambda mc: mc[0])
            t0 = (hi[1] - lo[1]) / (lo[0] - hi[0])
            return ("kink", t0, lo, hi) if big else ("kink", t0, hi, lo)
    raise Undecided("a hidden activation is not affine or one kink of rational affine pieces")


@dataclass
class Net:
    """Exact weights and each layer's pieces (the output layer: identity)."""

    p: int
    q: int
    layers: list[tuple[list[list[Fraction]], list[Fraction], Piece]]

    @property
    def units(self) -> int:
        return sum(len(b) for _w, b, act in self.layers if act[0] == "kink")

    def forward(self, x: list[Fraction]) -> list[Fraction]:
        """The exact output at x (each unit's piece chosen by its value)."""
        u = list(x)
        for w, b, act in self.layers:
            z = [sum((a * v for a, v in zip(row, u, strict=True)), bk) for row, bk in zip(w, b, strict=True)]
            u = [_apply(act, v, None) for v in z]
        return u


def _apply(act: Piece, z: Any, bit: int | None) -> Any:
    """The activation at z (a Fraction, or a Form when ``bit`` fixes the piece)."""
    if act[0] == "affine":
        m, c = act[1], act[2]
    else:
        if bit is None:
            bit = int(z >= act[1])
        m, c = act[3] if bit else act[2]
    if isinstance(z, tuple):
        return ([m * a for a in z[0]], m * z[1] + c)
    return m * z + c


def network_of(t: Table, data: Any) -> tuple[Net, str]:
    """The document's network with exact weights and activation pieces, and its name mismatch ('' if none)."""
    mismatch = read_network(t, data).mismatch
    num = numeric_network(t, data)
    layers = []
    for i, (w, b, kind, var, expr) in enumerate(num.layers):
        act = _activation(t, kind, var, expr) if i < len(num.layers) - 1 else ("affine", Fraction(1), Fraction(0))
        for v in [*b, *(a for row in w for a in row)]:
            size(v)
        layers.append((w, b, act))
    return Net(len(num.layers[0][0][0]), len(num.layers[-1][1]), layers), mismatch


# ----------------------------------------------------------------- exact polyhedra
def size(v: Fraction) -> Fraction:
    if max(v.numerator.bit_length(), v.denominator.bit_length()) > MAX_BITS:
        raise Undecided("a number past the oracle's size limit")
    return v


def row_value(row: Form, x: list[Fraction]) -> Fraction:
    return sum((a * v for a, v in zip(row[0], x, strict=True)), row[1])


def expr(row: Form) -> Any:
    """The row as an integer Linear_Expression (scaled by the positive lcm of its denominators)."""
    scale = math.lcm(*(v.denominator for v in [*row[0], row[1]]))
    return Linear_Expression([int(v * scale) for v in row[0]], int(row[1] * scale))


def polyhedron(p: int, rows: list[Form]) -> Any:
    """{x : g(x) >= 0 for every row g}, exactly."""
    P = C_Polyhedron(p, "universe")
    for row in rows:
        P.add_constraint(expr(row) >= 0)
    return P


def inside(P: Any, row: Form) -> bool:
    """P lies in the half-space row >= 0."""
    return bool(P.relation_with(expr(row) >= 0).implies(Poly_Con_Relation.is_included()))


def interior(P: Any) -> list[Fraction]:
    """A point of P's relative interior: the mean of its points plus the sum of its rays."""
    pts, rays = [], []
    for g in P.minimized_generators():
        coords = [Fraction(int(c)) for c in g.coefficients()]
        if g.is_point():
            pts.append([c / int(g.divisor()) for c in coords])
        elif g.is_ray():
            rays.append(coords)
    x = [sum(col, Fraction(0)) / len(pts) for col in zip(*pts, strict=True)]
    for r in rays:
        x = [a + b for a, b in zip(x, r, strict=True)]
    return x


def strict(rows: list[Form], x: list[Fraction]) -> bool:
    """x is strictly inside every row that is not constant (and satisfies the constant ones)."""
    return all(row_value(g, x) > 0 if any(g[0]) else g[1] >= 0 for g in rows)


def nudged(rows: list[Form], x: list[Fraction], i: int) -> list[Fraction] | None:
    """x + d e_i for the largest d = 2^-k (k < 64) still strictly inside the rows, or None."""
    for k in range(64):
        y = list(x)
        y[i] += Fraction(1, 2**k)
        if strict(rows, y):
            return y
    return None


# ----------------------------------------------------------------- pattern pieces
def _combine(row: list[Fraction], bias: Fraction, forms: list[Form]) -> Form:
    coeffs = [sum((a * f[0][j] for a, f in zip(row, forms, strict=True)), Fraction(0)) for j in range(len(forms[0][0]))]
    return coeffs, sum((a * f[1] for a, f in zip(row, forms, strict=True)), bias)


@dataclass
class Cell:
    """A full-dimensional activation cell of the network over D: pattern, polyhedron, output forms."""

    pattern: tuple[int, ...]
    poly: Any
    outs: list[Form]


def cells(net: Net, domain: list[Form]) -> list[Cell]:
    """Every full-dimensional cell of D (canonical patterns: a unit constantly at its kink is on)."""
    p = net.p
    found: list[Cell] = []
    start: list[Form] = [([Fraction(int(i == j)) for j in range(p)], Fraction(0)) for i in range(p)]

    def rec(layer: int, k: int, prev: list[Form], post: list[Form], P: Any, bits: tuple[int, ...]) -> None:
        if len(found) > MAX_CELLS:
            raise Undecided("too many activation cells for the oracle")
        if layer == len(net.layers):
            found.append(Cell(bits, P, prev))
            return
        w, b, act = net.layers[layer]
        if k == len(b):
            rec(layer + 1, 0, post, [], P, bits)
            return
        f = _combine(w[k], b[k], prev)
        if act[0] == "affine":
            rec(layer, k + 1, prev, [*post, _apply(act, f, None)], P, bits)
            return
        g = (f[0], f[1] - act[1])
        for bit in (1, 0):
            row = g if bit else ([-a for a in g[0]], -g[1])
            if not any(g[0]):
                if (g[1] == 0 and bit == 0) or row[1] < 0:
                    continue
                Q = P
            else:
                Q = C_Polyhedron(P)
                Q.add_constraint(expr(row) >= 0)
                if Q.affine_dimension() < p:
                    continue
            rec(layer, k + 1, prev, [*post, _apply(act, f, bit)], Q, (*bits, bit))

    D = polyhedron(p, domain)
    if D.affine_dimension() == p:
        rec(0, 0, start, [], D, ())
    return found


def gen_point(g: Any) -> list[Fraction]:
    return [Fraction(int(c), int(g.divisor())) for c in g.coefficients()]


def piece_of(net: Net, pattern: tuple[int, ...]) -> tuple[list[Form], list[Form]]:
    """(unit rows s_u (z_u - t0_u), output forms) when every kink unit takes the piece the pattern names."""
    p = net.p
    u: list[Form] = [([Fraction(int(i == j)) for j in range(p)], Fraction(0)) for i in range(p)]
    bits = iter(pattern)
    urows: list[Form] = []
    for w, b, act in net.layers:
        new = []
        for row, bk in zip(w, b, strict=True):
            f = _combine(row, bk, u)
            bit = None
            if act[0] == "kink":
                bit = next(bits)
                g = (f[0], f[1] - act[1])
                urows.append(g if bit else ([-a for a in g[0]], -g[1]))
            new.append(_apply(act, f, bit))
        u = new
    return urows, u
