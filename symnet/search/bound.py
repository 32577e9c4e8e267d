"""Exact output bounds of a piecewise-affine network over a box, with a certificate.

On each linear region the network is affine, so its maximum there is attained
at a vertex of the cell; the maximum over the domain is the largest of those.
:func:`bound` enumerates the regions (:func:`symnet.regions`), evaluates every
output at every vertex exactly, and certifies each region's share with Farkas
multipliers: ``t - f_k(x) = sum_j lambda_j g_j(x) + mu`` with ``lambda, mu >= 0``
on the region's rows ``g_j >= 0``.  The kernel (:mod:`symnet.kernel.regions_cert`,
rule ``bound_output``) checks those identities and the point where the value is
attained (rule ``attain_bound``) without an LP.

>>> import symnet
>>> net = symnet.Network.from_matrices([[[1], [-1]], [[1, 1]]], [[0, 0], [0]], activation="relu")  # |x|
>>> b = symnet.bound(net, [(-1, 2)])
>>> b.maximum, b.argmax, b.minimum, b.argmin
((2,), ((2,),), (0,), ((0,),))
>>> b.check()
True
>>> b.at_most(2).holds, b.at_most(1).holds, b.at_most(1).witness
(True, False, (2,))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy
from flint import fmpq

from ..conversion import exact_rational
from ..errors import InvalidArgument
from ..kernel import regions_cert as kernel
from ..model.network import Network
from ..results.bound import Bound, BoundVerdict
from ..results.regions import Regions
from ._polyhedra import integer_row as _integer_row
from .regions import regions

__all__ = ["Bound", "BoundVerdict", "PropertyVerdict", "bound", "decide_property"]


def bound(
    net: Network,
    box: Sequence[tuple[Any, Any]] | None = None,
    *,
    polytope: tuple[Any, Any] | None = None,
    max_regions: int | None = None,
) -> Bound:
    """The exact maximum and minimum of every output of a piecewise-affine network over a box (or bounded polytope).

    Raises InvalidArgument when no bounded domain is given or the domain is unbounded.
    """
    if box is None and polytope is None:
        raise InvalidArgument("bound needs a bounded domain: box=[(lo, hi), ...] or polytope=(A, b)")
    kwargs: dict[str, Any] = {} if max_regions is None else {"max_regions": max_regions}
    regs = regions(net, box, polytope=polytope, **kwargs)
    search = regs._search
    q = net.q
    best: list[dict[str, Any]] = [{"max": None, "min": None, "lam_max": [], "lam_min": []} for _ in range(q)]
    for r, reg in enumerate(regs):
        facet_idx = [i for i, _, _ in reg.facets]
        targets = [[-v for v in reg._out[k]] for k in range(q)] + [list(reg._out[k]) for k in range(q)]
        results, _ = search.minimize(reg._rows, facet_idx, targets, getattr(reg, "_generators", None))
        for k in range(q):
            (neg_max, at_max, lam_max), (low, at_min, lam_min) = results[k], results[q + k]
            if neg_max is None or low is None:
                raise InvalidArgument("the domain is unbounded: an output has no maximum or minimum on it")
            top = -neg_max
            b = best[k]
            if b["max"] is None or top > b["max"]:
                b.update(max=top, argmax=at_max, argmax_region=r)
            if b["min"] is None or low < b["min"]:
                b.update(min=low, argmin=at_min, argmin_region=r)
            b["lam_max"].append(lam_max)
            b["lam_min"].append(lam_min)
    return Bound(regs, best)


@dataclass(frozen=True)
class PropertyVerdict:
    """The answer to a VNN-LIB property: ``holds`` (no input in the box meets the violation condition) or a witness.

    ``witness`` is an exact input point meeting a violation disjunct (verified by an
    exact forward pass), ``outputs`` the network's exact outputs there.  When the
    property holds, ``regions`` (a checkable cover of the box) were each shown
    free of every disjunct by an exact LP (pplpy's ``MIP_Problem`` over QQ).
    """

    holds: bool
    witness: tuple[sympy.Rational, ...] | None
    outputs: tuple[sympy.Rational, ...] | None
    regions: Regions


def _domain_of(prop: Any) -> dict[str, Any]:
    """The ``box=`` or ``polytope=`` of :func:`regions` for a property's input set (full-dimensional only)."""
    if getattr(prop, "alternatives", None):
        raise InvalidArgument(
            f"decide_property decides one input set; this property is a union of {1 + len(prop.alternatives)}: "
            "decide each of prop.cases(), or use symnet verify"
        )
    fixed = [j for j, (lo, hi) in enumerate(prop.box) if lo == hi]
    if fixed:
        raise InvalidArgument(
            f"decide_property enumerates the regions of a full-dimensional input set, but the box fixes X_{fixed[0]}"
            " (lo == hi): use symnet verify, which handles fixed inputs"
        )
    constraints = getattr(prop, "input_constraints", None) or []
    if not constraints:
        return {"box": [(lo, hi) for lo, hi in prop.box]}
    A: list[list[Any]] = []
    b: list[Any] = []
    for j, (lo, hi) in enumerate(prop.box):  # lo <= x_j <= hi as rows of A x <= b
        unit = [0] * len(prop.box)
        unit[j] = 1
        A += [unit, [-v for v in unit]]
        b += [hi, -lo]
    for a, e in constraints:  # a . x + e <= 0
        A.append(list(a))
        b.append(-e)
    return {"polytope": (A, b)}


def decide_property(net: Network, prop: Any, *, max_regions: int | None = None) -> PropertyVerdict:
    """Decide a :class:`~symnet.search.vnnlib.VnnProperty` exactly over its input set (a full-dimensional box,
    cut by its input constraints); a fixed input or a union of input sets is refused (see :func:`symnet.verify`)."""
    import ppl  # type: ignore[import-untyped]  # pplpy takes ~70 ms to load: only a search that needs it loads it

    if prop.inputs != net.p or prop.outputs != net.q:
        raise InvalidArgument(
            f"the property has {prop.inputs} inputs and {prop.outputs} outputs; the network {net.p} and {net.q}"
        )
    kwargs: dict[str, Any] = {} if max_regions is None else {"max_regions": max_regions}
    regs = regions(net, **_domain_of(prop), **kwargs)
    layers = kernel.network_pieces(net)
    p = net.p
    for reg in regs:
        for conj in prop.disjuncts:
            rows = [list(r) for r in reg._rows]
            for c, d in conj:  # c . y + d <= 0 with y = form(x)  ->  -(c . form + d) >= 0
                cq = [fmpq(v.numerator, v.denominator) for v in c]
                row = [
                    -(fmpq(d.numerator, d.denominator) + sum((cq[i] * reg._out[i][0] for i in range(net.q)), fmpq(0)))
                ]
                row += [-sum((cq[i] * reg._out[i][j] for i in range(net.q)), fmpq(0)) for j in range(1, p + 1)]
                rows.append(row)
            cs = ppl.Constraint_System()
            for r in (_integer_row(r) for r in rows):
                cs.insert(ppl.Linear_Expression(r[1:], r[0]) >= 0)
            prob = ppl.MIP_Problem(p, cs, ppl.Linear_Expression([0] * p, 0))
            if prob.solve()["status"] != "optimized":
                continue
            pt = prob.optimizing_point()
            den = int(pt.divisor())
            x = [fmpq(int(v), den) for v in pt.coefficients()]
            y = kernel.forward(layers, x)
            ok = all(
                sum(
                    (fmpq(ci.numerator, ci.denominator) * yi for ci, yi in zip(c, y, strict=True)),
                    fmpq(d.numerator, d.denominator),
                )
                <= 0
                for c, d in conj
            )
            inside = all(
                fmpq(lo.numerator, lo.denominator) <= v <= fmpq(hi.numerator, hi.denominator)
                for v, (lo, hi) in zip(x, prop.box, strict=True)
            ) and all(
                sum(
                    (fmpq(ai.numerator, ai.denominator) * v for ai, v in zip(a, x, strict=True)),
                    fmpq(e.numerator, e.denominator),
                )
                <= 0
                for a, e in getattr(prop, "input_constraints", None) or []
            )
            if not (ok and inside):  # pragma: no cover - the LP point is exact; this guards against a wrong answer
                raise InvalidArgument("the exact LP returned a point that does not violate the property")
            xs, ys = tuple(exact_rational(v) for v in x), tuple(exact_rational(v) for v in y)
            return PropertyVerdict(False, xs, ys, regs)
    return PropertyVerdict(True, None, None, regs)
