"""The exact polyhedral work of the regions search: cells, facets, vertices and Farkas multipliers over QQ.

The Parma Polyhedra Library (pplpy) computes each cell's minimized constraints
and generators exactly; python-flint's ``fmpq_mat`` evaluates rows on them.
Nothing here is trusted: :mod:`symnet.kernel.regions_cert` re-checks what the
search writes, without an LP.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from flint import fmpq, fmpq_mat, fmpz_mat

from ..errors import ExactLPError

__all__ = ["ONE", "ZERO", "Polyhedra", "integer_row"]

ZERO, ONE = fmpq(0), fmpq(1)
#: minimize() looks for each target's minimising vertex in floats when targets x vertices reach this.
FLOAT_MIN_PRODUCTS = 256


def integer_row(row: Sequence[fmpq]) -> list[int]:
    """The row scaled to a primitive integer vector (same direction)."""
    den: int = 1
    for v in row:
        d = int(v.q)
        if d != 1:
            den = den * d // math.gcd(den, d)
    ints = [int(v.p) * (den // int(v.q)) for v in row]
    g = 0
    for n in ints:
        g = math.gcd(g, n)
    return [n // g for n in ints] if g > 1 else ints


def _at(flat: Sequence[fmpq], position: dict[int, int], cols: int, column: int, f: int) -> fmpq:
    """Entry (row of facet f, column) of a flattened facets-times-generators matrix."""
    return flat[position[f] * cols + column]


def _dot(h: Sequence[fmpq], column: Sequence[fmpq]) -> fmpq:
    """The exact value of the affine form h at the generator column [1, v]."""
    acc = h[0] * column[0]
    for a, b in zip(h[1:], column[1:], strict=True):
        if a:
            acc += a * b
    return acc


def _doubles(rows: list[list[fmpq]]) -> Any:
    """The rows as a float64 array, each entry within a relative 2^-52 of its exact value; None if one is not.

    (An entry that overflows, or underflows below 1e-290, makes it None.)
    """
    try:
        arr = np.array([[float(v) for v in row] for row in rows], dtype=np.float64)
    except OverflowError:
        return None
    nonzero = sum(1 for row in rows for v in row if v != 0)
    mags = np.abs(arr[arr != 0])
    if np.count_nonzero(arr) != nonzero or not np.isfinite(arr).all() or (mags.size and mags.min() < 1e-290):
        return None
    return arr


def _float_candidates(targets: list[list[fmpq]], pcols: list[list[fmpq]]) -> list[list[int]] | None:
    """For each target, the vertices whose float value is within a rigorous error bound of the float minimum.

    The exact minimum is attained among them, by all of its vertices (the first one of which the exact
    search picks), so only these need exact values.  None when some number does not fit a double.
    """
    H, V = _doubles(targets), _doubles(pcols)
    if H is None or V is None:
        return None
    V = V.T
    vals, scale = H @ V, np.abs(H) @ np.abs(V)
    if not (np.isfinite(vals).all() and np.isfinite(scale).all()):
        return None
    # each product carries two rounded inputs and the sum n roundings: |error| <= (n + 2) u S (+ underflow);
    # a factor 4 of slack on each side of the comparison
    tol = 8.0 * (H.shape[1] + 2) * 2.0**-53 * scale.max(axis=1) + 1e-280
    low = vals.min(axis=1)
    rows, cols = np.nonzero(vals <= (low + tol)[:, None])
    near: list[list[int]] = [[] for _ in targets]
    for t, c in zip(rows.tolist(), cols.tolist(), strict=True):
        near[t].append(c)
    return near


class Polyhedra:
    """One cell at a time: its PPL polyhedron, facets and witnesses, and the multipliers of its other rows.

    The class using it sets ``ppl`` (the module), ``p`` (the dimension) and
    the counters ``polyhedra`` and ``lps``.
    """

    ppl: Any
    p: int
    polyhedra: int
    lps: int
    last_generators: list[list[int]]

    def polyhedron(self, ints: list[list[int]]) -> Any:
        ppl = self.ppl
        cs = ppl.Constraint_System()
        for r in ints:
            if any(r[1:]):
                cs.insert(ppl.Linear_Expression(r[1:], r[0]) >= 0)
            elif r[0] < 0:
                cs.insert(ppl.Linear_Expression([0] * self.p, -1) >= 0)
        P = ppl.C_Polyhedron(self.p, "universe")
        P.add_constraints(cs)
        self.polyhedra += 1
        return P

    def describe(
        self, rows: list[list[fmpq]], ints: list[list[int]], implied: set[int] | None = None
    ) -> tuple[Any, ...] | None:
        """(facet rows, witnesses, interior point) or None if not full-dimensional.

        ``implied`` names rows the caller has shown to hold strictly on the cell (they are left out of the
        polyhedron, which they do not change, and can be no facet).
        """
        P = self.polyhedron(ints if not implied else [r for i, r in enumerate(ints) if i not in implied])
        if P.affine_dimension() != self.p:
            return None
        p = self.p
        keys: dict[tuple[int, ...], int] = {}
        for i, r in enumerate(ints):  # domain rows come first, so they are preferred
            keys.setdefault(tuple(r), i)
        facet_idx = []
        for c in P.minimized_constraints():
            coeffs = [int(v) for v in c.coefficients()]
            vec = [int(c.inhomogeneous_term())] + coeffs
            g = 0
            for n in vec:
                g = math.gcd(g, n)
            vec = [n // g for n in vec] if g > 1 else vec
            found = keys.get(tuple(vec))
            if found is None or not c.is_inequality():
                raise ExactLPError(f"PPL returned a facet {c} that is no row of the cell")
            facet_idx.append(found)
        facet_idx.sort()
        # generators as integer columns [d, v_1 .. v_p] (points: d > 0, the point is v / d; rays: d = 0)
        gens: list[list[int]] = []
        for gen in P.minimized_generators():
            if gen.is_point():
                gens.append([int(gen.divisor())] + [int(v) for v in gen.coefficients()])
            elif gen.is_ray():
                gens.append([0] + [int(v) for v in gen.coefficients()])
        cols = len(gens)
        Vz = fmpz_mat(p + 1, cols, [g[i] for i in range(p + 1) for g in gens])
        Fz = fmpz_mat(len(facet_idx), p + 1, [v for i in facet_idx for v in ints[i]])
        fvals = (Fz * Vz).entries() if facet_idx else []
        # interior point and facet witnesses: sum(v) / sum(d) over the points of the cell / of the facet, plus
        # its rays over the same sum -- a strictly positive combination of the face's generators, so in its
        # relative interior, computed in integers
        sel = [1] * cols
        for f in range(len(facet_idx)):
            row = fvals[f * cols : (f + 1) * cols]
            column = [1 if v == 0 else 0 for v in row]
            if not any(c and gens[k][0] for k, c in enumerate(column)):
                raise ExactLPError("a facet without a vertex")
            sel.extend(column)
        S = fmpz_mat(len(facet_idx) + 1, cols, sel).transpose()
        sums = (Vz * S).entries()  # (p+1) x (1 + facets): row 0 holds the sums of divisors
        width = len(facet_idx) + 1
        interior = [fmpq(sums[(j + 1) * width], sums[0]) for j in range(p)]
        witnesses = [
            [fmpq(sums[(j + 1) * width + f + 1], sums[f + 1]) for j in range(p)] for f in range(len(facet_idx))
        ]
        self.last_generators = gens
        return facet_idx, witnesses, interior

    @staticmethod
    def rational_generators(gens: list[list[int]]) -> tuple[list[list[fmpq]], list[list[fmpq]]]:
        """Integer generator columns [d, v] as fmpq columns [1, v/d] (points) and [0, r] (rays)."""
        pcols = [[ONE] + [fmpq(v, g[0]) for v in g[1:]] for g in gens if g[0]]
        rcols = [[ZERO] + [fmpq(v) for v in g[1:]] for g in gens if not g[0]]
        return pcols, rcols

    def generators(self, P: Any) -> tuple[list[list[fmpq]], list[list[fmpq]]]:
        """Columns [1, v] of the points and [0, r] of the rays of a PPL polyhedron, over QQ."""
        pcols: list[list[fmpq]] = []
        rcols: list[list[fmpq]] = []
        for gen in P.minimized_generators():
            if gen.is_point():
                d = int(gen.divisor())
                pcols.append([ONE] + [fmpq(int(v), d) for v in gen.coefficients()])
            elif gen.is_ray():
                rcols.append([ZERO] + [fmpq(int(v)) for v in gen.coefficients()])
        return pcols, rcols

    def certify(
        self, rows: list[list[fmpq]], facet_idx: list[int], generators: Any = None
    ) -> tuple[list[Any], tuple[list[list[fmpq]], list[list[fmpq]]]]:
        """Farkas multipliers for every non-facet row (and the cell's points and rays): the lazy half of a region."""
        fset = set(facet_idx)
        todo = [i for i, row in enumerate(rows) if i not in fset and any(row[1:])]
        results, gens = self.minimize(rows, facet_idx, [rows[i] for i in todo], generators)
        lam = dict(zip(todo, (m for _, _, m in results), strict=True))
        implied = [(i, lam.get(i, [])) for i in range(len(rows)) if i not in fset]
        return implied, gens

    def minimize(
        self, rows: list[list[fmpq]], facet_idx: list[int], targets: list[list[fmpq]], generators: Any = None
    ) -> tuple[
        list[tuple[fmpq | None, list[fmpq] | None, list[tuple[int, fmpq]]]], tuple[list[list[fmpq]], list[list[fmpq]]]
    ]:
        """For each affine target h: (min of h on the cell, a vertex attaining it, multipliers lambda >= 0 on facet
        rows with h - sum lambda_f g_f constant).  (None, None, []) when h is unbounded below (a ray)."""
        p = self.p
        if generators is None:
            generators = self.generators(self.polyhedron([integer_row(r) for r in rows]))
        elif generators and isinstance(generators, list):
            generators = self.rational_generators(generators)
        pcols, rcols = generators
        npts = len(pcols)
        cols = npts + len(rcols)
        gens = ([g[1:] for g in pcols], [g[1:] for g in rcols])
        if not targets:
            return [], gens
        Vm = fmpq_mat(p + 1, cols, [g[i] for i in range(p + 1) for g in pcols + rcols])
        fpos = {f: n for n, f in enumerate(facet_idx)}
        F = fmpq_mat(len(facet_idx), p + 1, [v for f in facet_idx for v in rows[f]])
        fflat = (F * Vm).entries() if facet_idx else []
        # floats pay once there are enough products to compare; below that the exact product is cheaper
        large = len(targets) * npts >= FLOAT_MIN_PRODUCTS
        near = _float_candidates(targets, pcols) if large and not rcols else None
        lows: list[tuple[fmpq, int] | None]
        if near is not None:  # exact values only at the vertices floats could not tell from the minimum
            lows = [min((_dot(h, pcols[c]), c) for c in near[t]) for t, h in enumerate(targets)]
        else:
            H = fmpq_mat(len(targets), p + 1, [v for row in targets for v in row])
            hflat = (H * Vm).entries()
            lows = []
            for t in range(len(targets)):
                if any(v < 0 for v in hflat[t * cols + npts : (t + 1) * cols]):
                    lows.append(None)  # unbounded below along a ray
                    continue
                vals = hflat[t * cols : t * cols + npts]
                low = min(vals)
                lows.append((low, vals.index(low)))
        groups: dict[int, list[int]] = {}
        for t, found in enumerate(lows):
            if found is not None and any(targets[t][1:]):
                groups.setdefault(found[1], []).append(t)
        vertex_cache: dict[int, Any] = {}
        lams: dict[int, list[tuple[int, fmpq]]] = {}
        for best, ts in groups.items():
            at = functools.partial(_at, fflat, fpos, cols, best)
            lam = self.batch_multipliers([targets[t] for t in ts], facet_idx, rows, best, at, vertex_cache)
            lams.update(zip(ts, lam, strict=True))
        out: list[tuple[fmpq | None, list[fmpq] | None, list[tuple[int, fmpq]]]] = [
            (None, None, []) if found is None else (found[0], gens[0][found[1]], lams.get(t, []))
            for t, found in enumerate(lows)
        ]
        return out, gens

    def _vertex_system(
        self, facet_idx: list[int], rows: list[list[fmpq]], c: int, at: Callable[[int], fmpq], cache: dict[int, Any]
    ) -> tuple[list[int], Any]:
        """(the facet rows tight at vertex c, the inverse of their p x p matrix or None); cached per vertex."""
        p = self.p
        entry = cache.get(c)
        if entry is None:
            tight = [f for f in facet_idx if at(f) == 0]
            inv = None
            if len(tight) == p:
                A = fmpq_mat(p, p, [rows[f][1 + j] for j in range(p) for f in tight])  # columns = tight rows
                if A.rank() == p:
                    inv = A.inv()
            entry = (tight, inv)
            cache[c] = entry
        return entry

    def batch_multipliers(
        self,
        hs: list[list[fmpq]],
        facet_idx: list[int],
        rows: list[list[fmpq]],
        c: int,
        at: Callable[[int], fmpq],
        cache: dict[int, Any],
    ) -> list[list[tuple[int, fmpq]]]:
        """For targets h minimised at vertex c: lambda >= 0 on the facet rows tight at c with h's linear part
        = sum lambda_f a_f (one product with the inverse of the tight rows; an exact LP where that fails)."""
        p = self.p
        tight, inv = self._vertex_system(facet_idx, rows, c, at, cache)
        if inv is None:
            return [self.lp_multipliers(h, tight, rows) for h in hs]
        n = len(hs)
        flat = (inv * fmpq_mat(p, n, [h[1 + j] for j in range(p) for h in hs])).entries()
        out = []
        for t, h in enumerate(hs):
            lam = flat[t::n]
            if all(v >= 0 for v in lam):
                out.append([(f, v) for f, v in zip(tight, lam, strict=True) if v != 0])
            else:
                out.append(self.lp_multipliers(h, tight, rows))
        return out

    def lp_multipliers(self, h: list[fmpq], tight: list[int], rows: list[list[fmpq]]) -> list[tuple[int, fmpq]]:
        """The same by an exact LP in multiplier space (degenerate vertices)."""
        ppl = self.ppl
        self.lps += 1
        n = len(tight)
        lam = [ppl.Variable(i) for i in range(n)]
        cs = ppl.Constraint_System()
        for v in lam:
            cs.insert(v >= 0)
        for j in range(self.p):
            col = [rows[f][1 + j] for f in tight]
            den = 1
            for v in col + [h[1 + j]]:
                den = den * int(v.q) // math.gcd(den, int(v.q))
            coeffs = [int(v.p) * (den // int(v.q)) for v in col]
            rhs = int(h[1 + j].p) * (den // int(h[1 + j].q))
            cs.insert(ppl.Linear_Expression(coeffs, -rhs) == 0)
        prob = ppl.MIP_Problem(n, cs, ppl.Linear_Expression([0] * n, 0))
        if prob.solve()["status"] != "optimized":
            raise ExactLPError("no non-negative multipliers at the optimal vertex")
        pt = prob.optimizing_point()
        d = int(pt.divisor())
        vals = [fmpq(int(v), d) for v in pt.coefficients()]
        return [(f, v) for f, v in zip(tight, vals, strict=True) if v != 0]
