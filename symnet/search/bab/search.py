"""Branch and bound over input boxes for one subtree: bound in floats, close leaves exactly, split, attack.

:func:`run` takes a box and the disjuncts already proved above it, and works
depth-first in batches: float bounds for a batch of boxes (:mod:`.relax`), a
proof per open disjunct (one row whose lower bound is positive, or multipliers
from a small HiGHS LP over the rows' affine bounds), each proof re-checked
exactly by the kernel's own functions before the leaf is closed, a cheap attack
(centre and the bounds' optimal corners, evaluated exactly when the floats say
"violated"), then a split of the input with the largest width times influence.
It returns the subtree's nodes, a counterexample, or "unknown".
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
from flint import fmpq

try:  # the optional "verify" extra
    from scipy.optimize import linprog  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - exercised only without scipy
    linprog = None

from ...certificate.verification import MAX_NUMBER_BITS
from ...kernel.verification import GRID_BITS, leaf_rows, relax, row_bound
from . import alpha, attack, branching
from .exact_lp import exact_multipliers
from .problem import Prepared, to_fmpq, to_fraction
from .relax import Array, extremes, row_functions
from .relax import hidden_bounds as float_bounds

__all__ = ["ALPHA_STEPS", "BATCH", "BRANCHING", "PGD_STEPS", "Outcome", "Rec", "run"]

#: Boxes bounded together in one numpy batch.
BATCH = 32
#: A float proof whose margin is below this (relative) is re-checked exactly before its leaf closes;
#: the others are left to the final kernel check.
TIGHT = 1e-6
#: Signed-gradient steps of the counterexample search on each box left open (0: none).
PGD_STEPS = 24
#: The input split rule: "strong" (bound both halves of every input) or "smear" (width times influence).
BRANCHING = "strong"
#: Boxes per strong-branching batch (2 p halves each).
STRONG_CHUNK = 8
#: Strong branching splits only inputs at least 1/ANISOTROPY as wide, relative to the root box, as the widest.
ANISOTROPY = 4096.0
#: Deepest split path the search makes.
MAX_DEPTH = 160
_GRID = 1 << GRID_BITS
#: Projected-gradient steps of alpha-CROWN per box that default CROWN leaves open (0: none).
ALPHA_STEPS = 10
Box = tuple[tuple[fmpq, fmpq], ...]
#: A proof's slopes: (hidden layer, neuron, lower slope) of unstable neurons, increasing (empty: the default).
Slopes = list[tuple[int, int, fmpq]]
Proofs = list[tuple[int, list[tuple[int, fmpq]], Slopes]]
#: Progress: (boxes open, boxes closed, the lowest float bound of an open disjunct in the last batch).
Tick = Callable[[int, int, float | None], None]


@dataclass
class Rec:
    """One node: ``kind`` is "leaf", "split" or "open" (handed on); children by index for a split."""

    kind: str
    proofs: Proofs
    dim: int = -1
    value: fmpq | None = None
    children: tuple[int, int] = (-1, -1)
    box: Box = ()
    proved: frozenset[int] = frozenset()
    depth: int = 0
    #: Per open disjunct, the alpha-CROWN slopes found on this box (warm start for its children).
    alphas: dict[int, list[Array]] = field(default_factory=dict)


@dataclass
class Outcome:
    """What a subtree search found: status "holds" / "violated" / "unknown" / "open" (open nodes remain)."""

    status: str
    nodes: list[Rec] = field(default_factory=list)
    counterexample: list[fmpq] | None = None
    output: list[fmpq] | None = None
    reason: str = ""
    leaves: int = 0
    splits: int = 0
    lps: int = 0
    exact_failures: int = 0


def _floats(box: Box) -> tuple[Array, Array]:
    return (
        np.array([float(to_fraction(lo)) for lo, _ in box]),
        np.array([float(to_fraction(hi)) for _, hi in box]),
    )


def _split_value(lo: fmpq, hi: fmpq) -> fmpq:
    """A short dyadic strictly inside (lo, hi), near the midpoint."""
    mid = (lo + hi) / 2
    for k in range(1, 64):
        v = fmpq((mid * (1 << k)).floor(), 1 << k)
        if lo < v < hi:
            return v
    return mid


def _combine(G: Array, lo: Array, hi: Array) -> tuple[list[tuple[int, fmpq]], float] | None:
    """Multipliers lambda >= 0 (summing to 1) with min over the box of lambda . G > 0, from an LP; None if none."""
    if linprog is None:  # pragma: no cover - without scipy only single rows close a box
        return None
    m, p = G.shape[0], lo.size
    c = -np.concatenate([G[:, 0], np.ones(p)])
    A_ub = np.zeros((2 * p, m + p))
    for i in range(p):
        A_ub[2 * i, :m], A_ub[2 * i, m + i] = -lo[i] * G[:, 1 + i], 1.0
        A_ub[2 * i + 1, :m], A_ub[2 * i + 1, m + i] = -hi[i] * G[:, 1 + i], 1.0
    A_eq = np.concatenate([np.ones(m), np.zeros(p)])[None, :]
    bounds = [(0.0, None)] * m + [(None, None)] * p
    res = linprog(c, A_ub=A_ub, b_ub=np.zeros(2 * p), A_eq=A_eq, b_eq=[1.0], bounds=bounds, method="highs")
    if res.status != 0 or -res.fun <= 0:
        return None
    lam = [(k, fmpq(int(round(v * _GRID)), _GRID)) for k, v in enumerate(res.x[:m]) if round(v * _GRID) > 0]
    return (lam, float(-res.fun)) if lam else None


class _Search:
    def __init__(self, prep: Prepared, deadline: float, stop: Callable[[], bool], tick: Tick):
        self.prep, self.deadline, self.stop, self.tick = prep, deadline, stop, tick
        self.low: float | None = None
        self.out = Outcome("holds")
        self.J = len(prep.problem.disjuncts)

    def expired(self) -> bool:
        """True (the outcome then "unknown", reason "timeout" or "stopped") past the deadline or once stopped."""
        if time.time() > self.deadline:
            self.out.status, self.out.reason = "unknown", "timeout"
        elif self.stop():
            self.out.status, self.out.reason = "unknown", "stopped"
        return self.out.status == "unknown"

    def proofs(
        self, F: Array, lo: Array, hi: Array, rec: Rec, slopes: dict[int, Slopes]
    ) -> tuple[Proofs, Proofs, list[Array]]:
        """Float proofs for the open disjuncts of one box (comfortable, tight), and a direction per open disjunct.

        ``F`` holds disjunct j's rows as bounded with ``slopes[j]`` (the default slopes when absent).
        """
        prep, dirs = self.prep, []
        found: Proofs = []
        tight: Proofs = []
        cons = prep.cons
        for j in range(self.J):
            if j in rec.proved:
                continue
            rows = list(prep.rows_of(j))
            G = np.concatenate([F[rows], cons]) if cons.size else F[rows]
            cmins = extremes(G[None], lo[None], hi[None])[0][0]
            best = int(np.argmax(cmins)) if len(cmins) else -1
            scale = TIGHT * (1.0 + float(np.max(np.abs(G[:, 0]) + np.abs(G[:, 1:]) @ (np.abs(lo) + np.abs(hi)))))
            if best >= 0 and cmins[best] > 0:
                (found if cmins[best] > scale else tight).append((j, [(best, fmpq(1))], slopes.get(j, [])))
                continue
            if len(G) > 1 and not self._refuted(G, lo, hi) and not self.expired():
                self.out.lps += 1
                got = _combine(G, lo, hi)
                if got is not None:
                    (found if got[1] > scale else tight).append((j, got[0], slopes.get(j, [])))
                    continue
            dirs.append(G[best, 1:] if best >= 0 else np.zeros(lo.size))
            if best >= 0:
                value = float(cmins[best])
                self.low = value if self.low is None else min(self.low, value)
        return found, tight, dirs

    @staticmethod
    def _refuted(G: Array, lo: Array, hi: Array) -> bool:
        """True when some point makes every function of G <= 0 (then no multipliers exist)."""
        pts = [(lo + hi) / 2] + [np.where(g[1:] > 0, lo, hi) for g in G]
        vals = np.array(pts) @ G[:, 1:].T + G[:, 0]
        return bool(np.any(np.all(vals <= 0, axis=1)))

    def exact(self, rec: Rec, proofs: Proofs) -> Proofs:
        """The proofs the kernel's exact functions accept on the box."""
        if not proofs:
            return proofs
        prep = self.prep
        relaxed = relax(prep.layers[0], rec.box)
        ok: Proofs = []
        for j, mults, sl in proofs:
            if self.expired():  # each exact re-check is bounded; the batch ends at the deadline
                return ok
            rows = prep.exact_rows[j]
            used = sorted({k for k, _ in mults if k < len(rows)})
            g = leaf_rows(prep.layers, rec.box, [rows[k] for k in used], relaxed, tuple(sl))
            f = dict(zip(used, g, strict=True))
            if row_bound([f.get(k, []) for k in range(len(rows))], prep.exact_cons, mults, rec.box) > 0:
                ok.append((j, mults, sl))
                continue
            self.out.exact_failures += 1
            exact = self.exact_lp(rec, j, relaxed, sl)
            if exact is not None:
                ok.append((j, exact, sl))
        return ok

    def exact_lp(self, rec: Rec, j: int, relaxed: Any, sl: Slopes) -> list[tuple[int, fmpq]] | None:
        """Multipliers from an exact LP over all of disjunct j's rows and the input constraints, when the float
        LP's rounded ones fail exactly; None unless the kernel's own bound with them is positive."""
        prep = self.prep
        rows = prep.exact_rows[j]
        full = leaf_rows(prep.layers, rec.box, rows, relaxed, slopes=tuple(sl))
        cons = [[e, *a] for a, e in prep.exact_cons]
        mults = exact_multipliers(list(enumerate(full + cons)), rec.box)
        self.out.lps += 1
        if mults is None or max(max(int(v.p).bit_length(), int(v.q).bit_length()) for _, v in mults) > MAX_NUMBER_BITS:
            return None
        return mults if row_bound(full, prep.exact_cons, mults, rec.box) > 0 else None

    def attack(self, recs: list[Rec], F: Array, lo: Array, hi: Array) -> bool:
        """Try the centre and the bounds' optimal corners of each box; True (and the outcome set) on a violation."""
        prep = self.prep
        pts: list[Array] = []
        codes: list[tuple[int, Any]] = []
        for b, rec in enumerate(recs):
            pts.append((lo[b] + hi[b]) / 2)
            codes.append((b, None))
            for j in range(self.J):
                if j in rec.proved:
                    continue
                for k in prep.rows_of(j):
                    g = F[b, k, 1:] > 0
                    pts.append(np.where(g, lo[b], hi[b]))
                    codes.append((b, g))
        Y = prep.fnet(np.array(pts))
        V = Y @ prep.C.T + prep.d
        for i, (b, g) in enumerate(codes):
            hit = any(np.all(V[i, prep.rows_of(j)] <= 1e-9) for j in range(self.J))
            if not hit:
                continue
            if self.expired():
                return False
            box = recs[b].box
            x = (
                [(lo_ + hi_) / 2 for lo_, hi_ in box]
                if g is None
                else [lo_ if gi else hi_ for gi, (lo_, hi_) in zip(g, box, strict=True)]
            )
            y = prep.violates(x)
            if y is not None:
                self.out.status, self.out.counterexample, self.out.output = "violated", x, y
                return True
        return False

    def descend(self, recs: list[Rec], dirs: list[list[Array]], lo: Array, hi: Array) -> bool:
        """PGD on the violation's margin from each open box's centre and the corner its open bounds point at;
        True (and the outcome set) when the exact forward pass confirms a violating point."""
        prep = self.prep
        corner = np.array([np.where(g[0] > 0, lo[b], hi[b]) if g else lo[b] for b, g in enumerate(dirs)])
        x0 = np.concatenate([(lo + hi) / 2, corner])
        LO, HI = np.concatenate([lo, lo]), np.concatenate([hi, hi])
        groups = [prep.rows_of(j) for j in range(self.J)]
        x, m = attack.pgd(prep.fnet, prep.C, prep.d, groups, x0, LO, HI, steps=PGD_STEPS)
        scale = 1e-9 * (1.0 + np.abs(prep.d).max(initial=0.0))
        for i in np.argsort(m, kind="stable"):
            if m[i] > scale or self.expired():
                return False
            box = recs[i % len(recs)].box
            point = [min(max(to_fmpq(Fraction(float(v))), a), b) for v, (a, b) in zip(x[i], box, strict=True)]
            y = prep.violates(point)
            if y is not None:
                self.out.status, self.out.counterexample, self.out.output = "violated", point, y
                return True
        return False

    def refine(
        self, recs: list[Rec], bounds: list[tuple[Array, Array]], F: Array, lo: Array, hi: Array
    ) -> list[dict[int, Slopes]]:
        """alpha-CROWN on the (box, disjunct) pairs that the default slopes leave open: their rows in ``F``
        replaced by the optimised bounds; per box, the slopes of each replaced disjunct (non-default ones)."""
        prep = self.prep
        out: list[dict[int, Slopes]] = [{} for _ in recs]
        Wo, bo = prep.fnet.out
        for j in range(self.J):
            rows = list(prep.rows_of(j))
            if not rows:
                continue
            mins = extremes(F[:, rows], lo, hi)[0].max(axis=1)
            scale = 1e-3 * (1.0 + np.abs(F[:, rows, 0]).max(axis=1))
            bs = [b for b, rec in enumerate(recs) if j not in rec.proved and mins[b] <= scale[b]]
            if not bs:
                continue
            sub = [(l[bs], u[bs]) for l, u in bounds]
            start = [
                np.array([recs[b].alphas[j][i] if j in recs[b].alphas else d[k] for k, b in enumerate(bs)])
                for i, d in enumerate(alpha.default_slopes(sub))
            ]
            C = prep.C[rows]
            A = np.broadcast_to(C @ Wo, (len(bs), *(C @ Wo).shape))
            const = np.broadcast_to(C @ bo + prep.d[rows], (len(bs), len(rows)))
            best, Fj, _ = alpha.optimise(prep.fnet, sub, A, const, lo[bs], hi[bs], start, steps=ALPHA_STEPS)
            default = alpha.default_slopes(sub)
            for k, b in enumerate(bs):
                F[b, rows] = Fj[k]
                recs[b].alphas[j] = [a[k] for a in best]
                out[b][j] = [
                    (i, int(n), fmpq(int(round(best[i][k, n] * _GRID)), _GRID))
                    for i, (l, u) in enumerate(sub)
                    for n in np.flatnonzero((l[k] < 0) & (u[k] > 0) & (best[i][k] != default[i][k]))
                ]
        return out

    def scores(self, recs: list[Rec], dirs: list[list[Array]], lo: Array, hi: Array, F: Array) -> Array:
        """Per box, a score per input by the rule :data:`BRANCHING` (the highest is split)."""
        if BRANCHING == "strong":
            prep = self.prep
            opened = np.array([[j not in rec.proved for j in range(self.J)] for rec in recs], dtype=np.float64)
            groups = [prep.rows_of(j) for j in range(self.J)]
            parts = []
            for k in range(0, len(recs), STRONG_CHUNK):  # a chunk at a time: the deadline is checked in between
                if self.expired():
                    return np.zeros(lo.shape)
                part = slice(k, k + STRONG_CHUNK)
                parts.append(
                    branching.strong(prep.fnet, prep.C, prep.d, groups, opened[part], lo[part], hi[part], F[part])
                )
            score = np.concatenate(parts)
            # only the inputs at least 1/ANISOTROPY as wide (relative to the root box) as the widest one
            root = np.array([float(b - a) for a, b in prep.problem.box])
            rel = np.where(root > 0, (hi - lo) / np.where(root > 0, root, 1.0), 0.0)
            return np.where(rel * ANISOTROPY >= rel.max(axis=1, keepdims=True), score, -np.inf)
        return np.array([branching.smear(g or [np.ones(lo.shape[1])], lo[b], hi[b]) for b, g in enumerate(dirs)])

    def split(self, rec: Rec, score: Array) -> bool:
        i = int(np.argmax(score))
        if not score[i] > -np.inf or rec.depth >= MAX_DEPTH:
            return False
        lo_i, hi_i = rec.box[i]
        v = _split_value(lo_i, hi_i)
        left, right = list(rec.box), list(rec.box)
        left[i], right[i] = (lo_i, v), (v, hi_i)
        rec.kind, rec.dim, rec.value = "split", i, v
        n = len(self.out.nodes)
        rec.children = (n, n + 1)
        for b in (left, right):
            kid = Rec("open", [], box=tuple(b), proved=rec.proved, depth=rec.depth + 1, alphas=dict(rec.alphas))
            self.out.nodes.append(kid)
        rec.alphas = {}  # the children hold them now
        self.out.splits += 1
        return True

    def batch(self, ids: list[int]) -> list[int]:
        """Process boxes; the ids of the new open children (or [] and the outcome set)."""
        prep, recs = self.prep, [self.out.nodes[i] for i in ids]
        lo, hi = (np.array(a) for a in zip(*(_floats(r.box) for r in recs), strict=True))
        B = len(recs)
        bounds = float_bounds(prep.fnet, lo, hi)
        F = row_functions(prep.fnet, bounds, prep.C, prep.d, B).copy()
        if self.attack(recs, F, lo, hi):
            return []
        slopes = self.refine(recs, bounds, F, lo, hi) if ALPHA_STEPS else [{} for _ in recs]
        todo: list[int] = []
        dirs: list[list[Array]] = []
        for b, rec in enumerate(recs):
            if self.expired():
                return []
            found, tight, g = self.proofs(F[b], lo[b], hi[b], rec, slopes[b])
            found += self.exact(rec, tight)
            if self.expired():
                return []
            rec.proofs = found
            rec.proved = rec.proved | {j for j, _, _ in found}
            if len(rec.proved) == self.J:
                rec.kind, rec.alphas = "leaf", {}
                self.out.leaves += 1
                continue
            todo.append(b)
            dirs.append(g)
        if not todo:
            return []
        if PGD_STEPS and self.descend([recs[b] for b in todo], dirs, lo[todo], hi[todo]):
            return []
        score = self.scores([recs[b] for b in todo], dirs, lo[todo], hi[todo], F[todo])
        if self.expired():
            return []
        new: list[int] = []
        for k, b in enumerate(todo):
            if not self.split(recs[b], score[k]):
                self.out.status, self.out.reason = "unknown", "a box could not be split further"
                return []
            new.extend(recs[b].children)
        return new


def run(
    prep: Prepared,
    box: Box,
    proved: frozenset[int],
    *,
    deadline: float,
    stop: Callable[[], bool] = lambda: False,
    tick: Tick = lambda opened, closed, bound: None,
    max_open: int | None = None,
) -> Outcome:
    """Branch and bound on ``box``; nodes[0] is its root.  ``max_open``: return "open" once that many boxes wait."""
    s = _Search(prep, deadline, stop, tick)
    s.out.nodes.append(Rec("open", [], box=box, proved=proved))
    stack = [0]
    while stack:
        if s.expired():
            return s.out
        if max_open is not None and len(stack) >= max_open:
            s.out.status = "open"
            return s.out
        if max_open is None:
            ids, stack = stack[-BATCH:], stack[:-BATCH]
        else:
            ids, stack = stack[:BATCH], stack[BATCH:]
        new = s.batch(ids)
        if s.out.status != "holds":
            return s.out
        stack.extend(reversed(new))
        tick(len(stack), s.out.leaves, s.low)
        s.low = None
    return s.out


def preorder(nodes: list[Rec], fragments: dict[int, list[Any]] | None = None) -> list[Any]:
    """The tree as the document's preorder node list; an open node is replaced by ``fragments[its index]``."""
    out: list[Any] = []
    stack = [0]
    while stack:
        i = stack.pop()
        rec = nodes[i]
        proofs = [
            [j, [[k, str(v)] for k, v in m], *([[[i, n, str(a)] for i, n, a in sl]] if sl else [])]
            for j, m, sl in rec.proofs
        ]
        if rec.kind == "split":
            assert rec.value is not None
            out.append(["split", rec.dim, str(rec.value), proofs])
            stack.extend(reversed(rec.children))
        elif rec.kind == "leaf":
            out.append(["leaf", proofs])
        else:
            if fragments is None or i not in fragments:
                raise ValueError("an open node has no subtree")
            out.extend(fragments[i])
    return out


def fraction_point(x: list[fmpq]) -> tuple[Fraction, ...]:
    """An exact point as Fractions."""
    return tuple(to_fraction(v) for v in x)


def fmpq_box(box: tuple[tuple[Fraction, Fraction], ...]) -> Box:
    """A Fraction box as fmpq pairs."""
    return tuple((to_fmpq(lo), to_fmpq(hi)) for lo, hi in box)
