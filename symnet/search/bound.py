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

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy
from flint import fmpq

from ..errors import InvalidArgument
from ..kernel import regions_cert as kernel
from ..model.network import Network
from .regions import Regions, _fq, _sym, regions

__all__ = ["Bound", "BoundVerdict", "PropertyVerdict", "bound", "decide_property"]


@dataclass(frozen=True)
class BoundVerdict:
    """The answer to "output_k <= t on the domain": ``holds``, and either a certificate or an exact witness.

    ``witness`` is an input point with ``f_k(witness) > t`` when the statement
    is false (None otherwise); ``value`` is ``f_k`` there.  ``check()``
    re-verifies a true statement's certificate with the kernel, or the
    witness by an exact forward pass.
    """

    output: int
    threshold: sympy.Rational
    holds: bool
    witness: tuple[sympy.Rational, ...] | None
    value: sympy.Rational | None
    _bound: Bound

    def check(self) -> bool:
        """True when the verdict re-verifies (CertificateError otherwise)."""
        if self.holds:
            return kernel.check_regions(self._bound._parsed([(self.output, "<=", _fq(self.threshold, "t"), None)]))
        layers = kernel.network_pieces(self._bound.network)
        x = [_fq(v, "witness") for v in self.witness or ()]
        got = kernel.forward(layers, x)[self.output]
        if not got > _fq(self.threshold, "t") or any(kernel._value(d, x) < 0 for d in self._bound._drows):
            raise kernel.CertificateError("the witness does not exceed the threshold inside the domain", rule="refute_bound")
        return True

    def to_json(self) -> str:
        """The certificate of a true statement (a regions document with a ``bounds`` claim)."""
        if not self.holds:
            raise InvalidArgument("the statement is false; its refutation is the witness point")
        return self._bound._json([(self.output, "<=", _fq(self.threshold, "t"), None)])


class Bound:
    """Exact ``maximum``/``minimum`` of each output over the domain and points ``argmax``/``argmin`` attaining them."""

    def __init__(self, regs: Regions, best: list[dict[str, Any]]) -> None:
        self.regions = regs
        self.network: Network = regs.network
        self._best = best
        self._drows = kernel.domain_rows(regs.domain, self.network.p)

    @property
    def maximum(self) -> tuple[sympy.Rational, ...]:
        """The exact maximum of each output over the domain."""
        return tuple(_sym(b["max"]) for b in self._best)

    @property
    def minimum(self) -> tuple[sympy.Rational, ...]:
        """The exact minimum of each output over the domain."""
        return tuple(_sym(b["min"]) for b in self._best)

    @property
    def argmax(self) -> tuple[tuple[sympy.Rational, ...], ...]:
        """For each output, an exact input point where its maximum is attained (a vertex of a region)."""
        return tuple(tuple(_sym(v) for v in b["argmax"]) for b in self._best)

    @property
    def argmin(self) -> tuple[tuple[sympy.Rational, ...], ...]:
        """For each output, an exact input point where its minimum is attained."""
        return tuple(tuple(_sym(v) for v in b["argmin"]) for b in self._best)

    @property
    def region_of_max(self) -> tuple[int, ...]:
        """For each output, the index of a region in :attr:`regions` containing its argmax."""
        return tuple(b["argmax_region"] for b in self._best)

    def _claims(self) -> list[tuple[int, str, fmpq, list[fmpq] | None]]:
        out = []
        for k, b in enumerate(self._best):
            out.append((k, "<=", b["max"], b["argmax"]))
            out.append((k, ">=", b["min"], b["argmin"]))
        return out

    def _claim_data(self, claims: Sequence[tuple[int, str, fmpq, list[fmpq] | None]], encode: Any) -> dict[str, Any]:
        bounds = []
        for k, sense, t, point in claims:
            key = "lam_max" if sense == "<=" else "lam_min"
            bounds.append(
                {
                    "output": k,
                    "sense": sense,
                    "value": encode(t),
                    "point": None if point is None else [encode(v) for v in point],
                    "multipliers": [[[j, encode(v)] for j, v in lam] for lam in self._best[k][key]]
                    if encode is kernel.encode_q
                    else self._best[k][key],
                }
            )
        return {"kind": "bounds", "bounds": bounds}

    def _parsed(self, claims: Sequence[tuple[int, str, fmpq, list[fmpq] | None]] | None = None) -> dict[str, Any]:
        return self.regions._parsed(self._claim_data(claims if claims is not None else self._claims(), lambda v: v))

    def _json(self, claims: Sequence[tuple[int, str, fmpq, list[fmpq] | None]]) -> str:
        return json.dumps(self.regions.to_data(self._claim_data(claims, kernel.encode_q)), separators=(",", ":"), ensure_ascii=True)

    def check(self) -> bool:
        """Re-verify the regions and, for each output, ``min <= f_k <= max`` on every region and the attaining points."""
        return kernel.check_regions(self._parsed())

    def to_json(self) -> str:
        """The regions document with the ``bounds`` claim (max and min of every output, attained)."""
        return self._json(self._claims())

    def at_most(self, t: Any, output: int = 0) -> BoundVerdict:
        """Decide "output <= t on the domain" exactly: a certified verdict or an exact witness above t."""
        k = self._output(output)
        tq = _fq(t, "t")
        b = self._best[k]
        if b["max"] <= tq:
            return BoundVerdict(k, _sym(tq), True, None, None, self)
        return BoundVerdict(k, _sym(tq), False, tuple(_sym(v) for v in b["argmax"]), _sym(b["max"]), self)

    def _output(self, output: int) -> int:
        if isinstance(output, bool) or not isinstance(output, int) or not 0 <= output < self.network.q:
            raise InvalidArgument(f"output={output!r} is not an output index of a network with {self.network.q} outputs")
        return output

    def __repr__(self) -> str:
        return f"Bound(maximum={self.maximum}, minimum={self.minimum})"


def bound(net: Network, box: Sequence[tuple[Any, Any]] | None = None, *, polytope: tuple[Any, Any] | None = None, max_regions: int | None = None) -> Bound:
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


def decide_property(net: Network, prop: Any, *, max_regions: int | None = None) -> PropertyVerdict:
    """Decide a :class:`~symnet.search.vnnlib.VnnProperty` exactly over its box."""
    import ppl

    if prop.inputs != net.p or prop.outputs != net.q:
        raise InvalidArgument(f"the property has {prop.inputs} inputs and {prop.outputs} outputs; the network {net.p} and {net.q}")
    kwargs: dict[str, Any] = {} if max_regions is None else {"max_regions": max_regions}
    regs = regions(net, [(lo, hi) for lo, hi in prop.box], **kwargs)
    layers = kernel.network_pieces(net)
    p = net.p
    from .regions import _integer_row

    for reg in regs:
        for conj in prop.disjuncts:
            rows = [list(r) for r in reg._rows]
            for c, d in conj:  # c . y + d <= 0 with y = form(x)  ->  -(c . form + d) >= 0
                cq = [fmpq(v.numerator, v.denominator) for v in c]
                row = [-(fmpq(d.numerator, d.denominator) + sum((cq[i] * reg._out[i][0] for i in range(net.q)), fmpq(0)))]
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
            ok = all(sum((fmpq(ci.numerator, ci.denominator) * yi for ci, yi in zip(c, y)), fmpq(d.numerator, d.denominator)) <= 0 for c, d in conj)
            inside = all(fmpq(lo.numerator, lo.denominator) <= v <= fmpq(hi.numerator, hi.denominator) for v, (lo, hi) in zip(x, prop.box))
            if not (ok and inside):  # pragma: no cover - the LP point is exact; this guards against a wrong answer
                raise InvalidArgument("the exact LP returned a point that does not violate the property")
            return PropertyVerdict(False, tuple(_sym(v) for v in x), tuple(_sym(v) for v in y), regs)
    return PropertyVerdict(True, None, None, regs)
