"""Exact linear regions of ReLU-type networks with numeric weights.

A network whose activations are ``relu``, ``leaky_relu`` (more generally
``Max``/``Min`` of two affine pieces, or ``Abs``) or affine, with exact
rational weights, is affine on each cell of its units' on/off patterns.
:func:`regions` enumerates the non-empty, full-dimensional cells exactly:
each :class:`Region` has the affine form ``matrix * x + offset`` that holds
on it, its defining inequalities, ``contains(x)`` and an exact
``interior_point``.

The enumeration splits R^p unit by unit (layer by layer): at each cell it
either proves with Farkas multipliers that the unit keeps one side on the
whole cell, or splits the cell in two.  The polyhedral work is done by
sympy's exact simplex (:func:`sympy.solvers.simplex.linprog`, rational
arithmetic, no floats).  The split tree with its multipliers is a
certificate that the regions cover R^p and agree with the network;
``Regions.check()`` re-verifies it with :mod:`symnet.kernel.counterexample`,
which does not import this module.

>>> import symnet
>>> net = symnet.Network.from_matrices([[[1], [1]], [[1, 1]]], [[0, -1], [0]], activation="relu")
>>> regs = symnet.regions(net)
>>> len(regs), regs.is_affine, regs.check()
(3, False, True)
>>> regs.locate([2])[0].matrix
Matrix([[2]])
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy
from sympy.solvers.simplex import InfeasibleLPError, UnboundedLPError, _simplex, linprog, lpmax, lpmin

from ..errors import ActivationError, InvalidArgument, InvalidType, ShapeError, SizeGuardError, SymnetError
from ..kernel import counterexample as checker
from ..model.coerce import coerce_entry
from ..model.display import Displayable
from ..model.network import Network

__all__ = ["MAX_REGIONS", "MAX_REGION_UNITS", "ExactLPError", "Region", "Regions", "regions"]


class ExactLPError(SymnetError, ArithmeticError):
    """sympy's exact simplex failed on a cell (it can oscillate on degenerate LPs); no answer is given."""

#: regions() refuses networks with more kink units (relu, leaky_relu, ...) than this.
MAX_REGION_UNITS = 24
#: regions() stops with SizeGuardError when it has found more regions than this.
MAX_REGIONS = 2000

Q = sympy.Rational


def _frac(r: Any) -> Fraction:
    r = sympy.Rational(r)
    return Fraction(int(r.p), int(r.q))


def _q(f: Fraction) -> sympy.Rational:
    return Q(f.numerator, f.denominator)


@dataclass(frozen=True, eq=False)
class Region(Displayable, display_key="region"):
    """One full-dimensional cell: ``{x : a_i . x + b_i >= 0 for every inequality}``.

    ``pattern`` gives, for each kink unit in order (layer by layer), 1 when
    its pre-activation is on the upper piece (``z >= t0``, for relu: on) and
    0 otherwise; ``matrix`` (q x p) and ``offset`` (q x 1) give the network
    on the closed cell; ``interior_point`` is strictly inside.
    """

    pattern: tuple[int, ...]
    matrix: sympy.ImmutableMatrix
    offset: sympy.ImmutableMatrix
    inequalities: tuple[tuple[tuple[sympy.Rational, ...], sympy.Rational], ...]
    interior_point: tuple[sympy.Rational, ...]

    def _point(self, x: Sequence[Any]) -> list[sympy.Expr]:
        if isinstance(x, (str, bytes)) or not hasattr(x, "__len__"):
            raise InvalidType(f"x must be a sequence of {self.matrix.cols} numbers, got {type(x).__name__}")
        if len(x) != self.matrix.cols:
            raise ShapeError(f"x has {len(x)} entries but the regions live in R^{self.matrix.cols}")
        pt = [coerce_entry(v, f"x[{j}]") for j, v in enumerate(x)]
        for j, v in enumerate(pt):
            if not v.is_Rational:
                raise InvalidArgument(f"x[{j}]={v} is not an exact rational (use int, Fraction or sympy Rational)")
        return pt

    def contains(self, x: Sequence[Any], *, strict: bool = False) -> bool:
        """True when the exact point ``x`` is in the closed cell (in its interior with ``strict=True``)."""
        pt = self._point(x)
        for a, b in self.inequalities:
            value = sum((ai * xi for ai, xi in zip(a, pt)), b)
            if value < 0 or (strict and value == 0):
                return False
        return True

    def affine(self, x: Sequence[Any]) -> tuple[sympy.Rational, ...]:
        """``matrix * x + offset`` at the exact point ``x``."""
        pt = sympy.Matrix(self._point(x))
        return tuple(self.matrix * pt + self.offset)

    def as_relations(self, inputs: Sequence[sympy.Symbol]) -> list[sympy.Expr]:
        """The defining inequalities as sympy relations in the input symbols."""
        return [sympy.Ge(sum((a_i * s for a_i, s in zip(a, inputs)), b), 0) for a, b in self.inequalities]

    def _data(self) -> dict[str, Any]:
        return {
            "pattern": list(self.pattern),
            "matrix": self.matrix.tolist(),
            "offset": list(self.offset),
            "inequalities": [(list(a), b) for a, b in self.inequalities],
            "interior_point": list(self.interior_point),
        }

    def __repr__(self) -> str:
        return f"Region(pattern={self.pattern}, matrix={self.matrix.tolist()}, offset={list(self.offset)})"


class Regions(Displayable, Sequence[Region], display_key="regions"):
    """The linear regions of a network: a sequence of :class:`Region` plus the certificate tree."""

    def __init__(self, network: Network, regions: tuple[Region, ...], tree: dict[str, Any], units: tuple[tuple[int, int], ...]):
        self.network = network
        self._regions = regions
        self.tree = tree
        self.units = units

    def __len__(self) -> int:
        return len(self._regions)

    def __getitem__(self, index: Any) -> Any:
        return self._regions[index]

    def __iter__(self) -> Iterator[Region]:
        return iter(self._regions)

    @property
    def is_affine(self) -> bool:
        """True exactly when the network is one affine map on all of R^p."""
        first = self._regions[0]
        return all(r.matrix == first.matrix and r.offset == first.offset for r in self._regions)

    @property
    def affine_form(self) -> tuple[sympy.ImmutableMatrix, sympy.ImmutableMatrix] | None:
        """``(matrix, offset)`` when the network is affine on R^p, else None."""
        return (self._regions[0].matrix, self._regions[0].offset) if self.is_affine else None

    def locate(self, x: Sequence[Any]) -> list[Region]:
        """The regions whose closed cell contains ``x`` (one, or several on a boundary)."""
        return [r for r in self._regions if r.contains(x)]

    def check(self) -> bool:
        """Re-verify independently that the regions cover R^p and agree with the network."""
        return checker.check_regions(self.network, self.tree, [r._data() for r in self._regions])

    def to_text(self) -> str:
        """A plain-text table of the regions (deterministic)."""
        xs = self.network.inputs
        lines = [f"{len(self)} linear region(s) of {self.network!r}" + (" (affine on R^p)" if self.is_affine else "")]
        for i, r in enumerate(self._regions):
            ineq = ", ".join(str(rel) for rel in r.as_relations(xs)) or "all of R^p"
            form = ", ".join(str(e) for e in (r.matrix * sympy.Matrix(xs) + r.offset))
            lines.append(f"  region {i + 1} pattern {''.join(map(str, r.pattern))}: {ineq}  ->  ({form})")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Regions({len(self)} regions, is_affine={self.is_affine})"


# ------------------------------------------------------------------ search
def _validate(net: Network) -> tuple[list[Any], list[tuple[int, int]]]:
    if not isinstance(net, Network):
        raise InvalidType(f"net must be a symnet.Network, got {type(net).__name__}")
    layers = []
    for l, layer in enumerate(net.layers):
        for name, mat in (("weights", layer.weights), ("biases", layer.biases)):
            for index, entry in enumerate(mat):
                if entry.free_symbols:
                    raise InvalidArgument(
                        f"regions needs numeric weights, but {name}[{l}] entry {index} is {entry}; "
                        "substitute exact values first"
                    )
                if not entry.is_Rational:
                    raise InvalidArgument(
                        f"regions needs exact rational weights, but {name}[{l}] entry {index} is {entry!r} "
                        "(a float or irrational); pass ints, Fractions or sympy Rationals"
                    )
        act = layer.activation
        pieces = checker.pl_pieces(act.expr, act.variable)
        if pieces is None or act.expr.atoms(sympy.Float):
            raise ActivationError(
                f"regions needs relu-type or affine activations with exact coefficients; "
                f"layer {l + 1} has activation={act.label()!r}"
            )
        w = [[_frac(layer.weights[k, j]) for j in range(layer.fan_in)] for k in range(layer.width)]
        b = [_frac(v) for v in layer.biases]
        if pieces[0] == "affine":
            layers.append((w, b, ("affine", _frac(pieces[1]), _frac(pieces[2]))))
        else:
            layers.append((w, b, ("kink", _frac(pieces[1]), tuple(map(_frac, pieces[2])), tuple(map(_frac, pieces[3])))))
    units = [(l, k) for l, (w, _, act) in enumerate(layers) if act[0] == "kink" for k in range(len(w))]
    if len(units) > MAX_REGION_UNITS:
        n, p = len(units), net.p
        estimate = sum(math.comb(n, i) for i in range(p + 1))
        raise SizeGuardError(
            f"net has {n} relu-type units, more than regions' guard of {MAX_REGION_UNITS} "
            f"(a single layer of them alone can have up to {estimate} regions in R^{p})",
            estimate=n,
            limit=MAX_REGION_UNITS,
        )
    return layers, units


def _forms(layers: list[Any], p: int, pattern: dict[tuple[int, int], int], upto: int) -> tuple[list[list[Fraction]], list[Fraction]]:
    """Pre-activations of layer ``upto`` as affine forms (rows of M, c) given the pattern so far."""
    M = [[Fraction(int(i == j)) for j in range(p)] for i in range(p)]
    c = [Fraction(0)] * p
    for l in range(upto + 1):
        w, b, act = layers[l]
        M = [[sum((w[k][i] * M[i][j] for i in range(len(M))), Fraction(0)) for j in range(p)] for k in range(len(w))]
        c = [b[k] + sum((w[k][i] * c[i] for i in range(len(c))), Fraction(0)) for k in range(len(w))]
        if l == upto:
            return M, c
        for k in range(len(w)):
            if act[0] == "affine":
                m, c0 = act[1], act[2]
            else:
                m, c0 = act[3] if pattern[(l, k)] else act[2]
            M[k] = [m * v for v in M[k]]
            c[k] = m * c[k] + c0
    raise AssertionError("unreachable")


def _implied(rows: list[tuple[list[Fraction], Fraction]], a: list[Fraction], b: Fraction, s: int) -> list[Fraction] | None:
    """Farkas multipliers lam >= 0 showing s*(a.x + b) >= 0 on the cell, or None if it does not hold.

    Solves the primal LP ``min s*a.x`` over the cell (x split into x+ - x-);
    its optimal dual solution is the multiplier vector.  (sympy 1.14's phase
    one can loop on an infeasible dual written out directly, so the primal is used.)
    """
    if not any(a):
        return [Fraction(0)] * len(rows) if s * b >= 0 else None
    if not rows:
        return None
    A = sympy.Matrix([[_q(-v) for v in r] + [_q(v) for v in r] for r, _ in rows])
    B = sympy.Matrix([_q(c) for _, c in rows])
    C = sympy.Matrix([[_q(s * v) for v in a] + [_q(-s * v) for v in a]])
    try:
        opt, _, dual = _simplex(A, B, C)
    except UnboundedLPError:
        return None
    except InfeasibleLPError:  # sympy 1.14 can oscillate here; use its symbolic front end instead
        return _implied_symbolic(rows, a, b, s)
    if s * b + _frac(opt) < 0:
        return None
    lam = [_frac(v) for v in dual]
    if _valid(rows, a, b, s, lam):
        return lam
    return _implied_symbolic(rows, a, b, s)


def _valid(rows: list[tuple[list[Fraction], Fraction]], a: list[Fraction], b: Fraction, s: int, lam: list[Fraction]) -> bool:
    combo = [sum((lam[i] * rows[i][0][j] for i in range(len(rows))), Fraction(0)) for j in range(len(a))]
    slack = s * b - sum((l_ * r[1] for l_, r in zip(lam, rows)), Fraction(0))
    return all(v >= 0 for v in lam) and combo == [s * v for v in a] and slack >= 0


def _implied_symbolic(rows: list[tuple[list[Fraction], Fraction]], a: list[Fraction], b: Fraction, s: int) -> list[Fraction] | None:
    """The same question through :func:`sympy.solvers.simplex.lpmin` (primal value, then the dual)."""
    xs = sympy.symbols(f"x0:{len(a)}")
    cell = [sum((_q(ai) * xi for ai, xi in zip(r, xs)), _q(c)) >= 0 for r, c in rows]
    try:
        opt, _ = lpmin(sum((_q(s * ai) * xi for ai, xi in zip(a, xs)), sympy.S.Zero), cell)
    except UnboundedLPError:
        return None
    if s * b + _frac(opt) < 0:
        return None
    lams = sympy.symbols(f"l0:{len(rows)}")
    equal = [
        sympy.Eq(sum((_q(rows[i][0][j]) * lams[i] for i in range(len(rows))), sympy.S.Zero), _q(s * a[j]))
        for j in range(len(a))
    ]
    _, sol = lpmin(sum((_q(c) * l_ for l_, (_, c) in zip(lams, rows)), sympy.S.Zero), equal + [l_ >= 0 for l_ in lams])
    lam = [_frac(sol.get(l_, 0)) for l_ in lams]
    if not _valid(rows, a, b, s, lam):  # pragma: no cover
        raise ArithmeticError("sympy's exact LP returned no valid Farkas certificate")
    return lam


def _interior(rows: list[tuple[list[Fraction], Fraction]], p: int) -> list[Fraction]:
    """An exact point with every a.x + b > 0 (the cell is full-dimensional).

    Maximises t subject to ``a.x + b >= t`` and ``t <= 1`` with sympy's exact
    simplex; the point is verified, and a second formulation is tried if the
    first returns a point that is not interior.
    """
    if not rows:
        return [Fraction(0)] * p

    def interior(point: list[Fraction]) -> bool:
        return all(sum((ai * xi for ai, xi in zip(a, point)), b) > 0 for a, b in rows)

    # x = x_plus - x_minus with both >= 0, maximise t <= 1
    A = sympy.Matrix([[_q(-v) for v in a] + [_q(v) for v in a] + [1] for a, _ in rows] + [[0] * (2 * p) + [1]])
    bvec = sympy.Matrix([_q(b) for _, b in rows] + [1])
    cost = sympy.Matrix([[0] * (2 * p) + [-1]])
    _, raw = linprog(cost, A=A, b=bvec)
    point = [_frac(raw[j] - raw[p + j]) for j in range(p)]
    if interior(point):
        return point
    # sympy 1.14's matrix simplex can return an infeasible point here; its symbolic front end did not
    xs = sympy.symbols(f"x0:{p}")
    t = sympy.Symbol("t")
    constraints = [sum((_q(ai) * xi for ai, xi in zip(a, xs)), _q(b)) >= t for a, b in rows] + [t <= 1]
    _, sol = lpmax(t, constraints)
    point = [_frac(sol.get(x, 0)) for x in xs]
    if interior(point):
        return point
    raise ArithmeticError(f"the exact LP returned no interior point for the cell {rows}")  # pragma: no cover


def regions(net: Network) -> Regions:
    """The exact linear regions of a relu-type network with numeric exact weights.

    Raises InvalidArgument for symbolic or float weights, ActivationError
    for other activations, and SizeGuardError beyond :data:`MAX_REGION_UNITS`
    kink units or :data:`MAX_REGIONS` regions.
    """
    layers, units = _validate(net)
    p = net.p
    found: list[Region] = []

    def walk(depth: int, pattern: dict[tuple[int, int], int], rows: list[tuple[list[Fraction], Fraction]]) -> dict[str, Any]:
        if depth == len(units):
            if len(found) >= MAX_REGIONS:
                raise SizeGuardError(
                    f"net has more than {MAX_REGIONS} linear regions (regions' guard)", estimate=len(found) + 1, limit=MAX_REGIONS
                )
            M, c = _forms(layers, p, pattern, len(layers) - 1)
            found.append(
                Region(
                    pattern=tuple(pattern[u] for u in units),
                    matrix=sympy.ImmutableMatrix([[_q(v) for v in row] for row in M]),
                    offset=sympy.ImmutableMatrix([_q(v) for v in c]),
                    inequalities=tuple((tuple(_q(v) for v in a), _q(b)) for a, b in rows),
                    interior_point=tuple(_q(v) for v in _interior(rows, p)),
                )
            )
            return {"leaf": len(found) - 1}
        l, k = units[depth]
        M, c = _forms(layers, p, pattern, l)
        a, b = M[k], c[k] - layers[l][2][1]
        for s in (1, -1):
            lam = _implied(rows, a, b, s)
            if lam is not None:
                child = walk(depth + 1, {**pattern, (l, k): 1 if s > 0 else 0}, rows)
                return {"implied": s, "multipliers": [_q(v) for v in lam], "child": child}
        low = walk(depth + 1, {**pattern, (l, k): 0}, rows + [([-v for v in a], -b)])
        high = walk(depth + 1, {**pattern, (l, k): 1}, rows + [(list(a), b)])
        return {"split": [low, high]}

    try:
        tree = walk(0, {}, [])
    except (InfeasibleLPError, ArithmeticError) as exc:
        if isinstance(exc, ExactLPError):
            raise
        raise ExactLPError(
            f"sympy's exact LP failed while splitting the cells of {net!r} ({type(exc).__name__}); "
            "symnet gives no regions rather than a possibly wrong answer"
        ) from exc
    return Regions(net, tuple(found), tree, tuple(units))
