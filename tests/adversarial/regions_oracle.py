"""The oracle of regions documents (format ``symnet.regions``), without symnet's checker.

A regions document states a network, a domain D (the whole space, a box, or a
polytope ``A x <= b``), and a list of regions, each with a pattern (one bit per
kink unit, layer by layer), an affine form ``W x + b``, an interior point and
its inequalities ``g(x) >= 0`` (row ``[g_0, g_1..g_p]``).  Region r is the
polyhedron P_r = {x : every stated inequality of r holds}.  What the document
claims, and what this module decides with exact arithmetic of its own
(``fractions.Fraction`` forward passes, pplpy's exact polyhedra):

* every P_r is full-dimensional and inside D, its stated interior point is
  strictly inside it, and the network equals the stated form on P_r with the
  stated activation pattern (decided by fixing the pattern seen at the
  interior point and checking that every unit keeps its side on all of P_r:
  ``P_r`` is included in each half-space of the pattern, exactly);
* the regions' interiors are pairwise disjoint (P_r meets P_s in a set of
  lower dimension);
* the regions cover D: the activation cells of the network over D are
  enumerated independently (unit by unit, keeping the full-dimensional
  polyhedra), and each cell is some P_r with the cell's pattern;
* a claim ``affine`` (the network is that affine map on D), by comparing the
  map with the network's piece on every cell; a claim ``bounds`` (``output_k <=
  t`` or ``>= t`` on D) by the exact maximum or minimum of the piece on every
  cell (pplpy's ``maximize``/``minimize``), and a stated attaining point by a
  forward pass.

A claim is called false only with a witness: a point where the network (by
the forward pass) differs from a stated form, a point of D in no region, an
exact full-dimensional overlap, an exact extreme past a bound at a vertex the
forward pass confirms.  What the oracle cannot settle (activations that are
not one-kink piecewise affine, too many units or cells, huge numbers) is
UNDECIDED.  The facets, neighbours and multipliers are not read: they are how
the document argues, not what it claims.  Nothing here imports symnet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ppl import C_Polyhedron

from .grammar import Malformed, Table, Undecided, expect, is_int, keys
from .oracle import REGIONS, Verdict, _rational, _version
from .regions_cells import (
    Cell,
    Form,
    Net,
    cells,
    expr,
    gen_point,
    inside,
    interior,
    network_of,
    nudged,
    piece_of,
    polyhedron,
    row_value,
    size,
    strict,
)

__all__ = ["REGIONS", "decide", "judge_regions"]

#: Past these sizes the oracle says UNDECIDED.
MAX_UNITS = 12
MAX_REGIONS = 400
MAX_INPUTS = 6


# ----------------------------------------------------------------- the document
@dataclass
class Region:
    pattern: tuple[int, ...]
    form: list[Form]  # per output: (W row, b)
    point: list[Fraction]
    rows: list[Form]


def _vec(items: Any, n: int, where: str) -> list[Fraction]:
    expect(isinstance(items, list) and len(items) == n, f"{where} is not a list of {n} rationals", "json-type")
    return [size(_rational(v, where)) for v in items]


def _domain(d: Any, p: int) -> list[Form]:
    expect(isinstance(d, dict) and "kind" in d, "domain is not an object with a kind", "json-type")
    unit = [[Fraction(int(i == j)) for j in range(p)] for i in range(p)]
    if d["kind"] == "space" and set(d) == {"kind"}:
        return []
    if d["kind"] == "box" and set(d) == {"kind", "box"}:
        expect(isinstance(d["box"], list) and len(d["box"]) == p, f"domain.box is not {p} intervals", "json-type")
        rows: list[Form] = []
        for j, pair in enumerate(d["box"]):
            lo, hi = _vec(pair, 2, f"domain.box[{j}]")
            expect(lo < hi, f"domain.box[{j}] is empty or flat", "regions-domain")
            rows += [(unit[j], -lo), ([-a for a in unit[j]], hi)]
        return rows
    if d["kind"] == "polytope" and set(d) == {"kind", "A", "b"}:
        A, b = d["A"], d["b"]
        expect(isinstance(A, list) and isinstance(b, list) and len(A) == len(b), "domain.A, b", "json-type")
        return [([-a for a in _vec(row, p, "A")], size(_rational(bi, "b"))) for row, bi in zip(A, b, strict=True)]
    raise Malformed("the domain is not a box, a polytope or the whole space", "regions-domain")


def _region(rd: Any, r: int, units: int, p: int, q: int) -> Region:
    where = f"regions[{r}]"
    keys(rd, {"pattern", "matrix", "offset", "interior_point", "inequalities", "facets", "implied"}, set(), where)
    pat = rd["pattern"]
    expect(isinstance(pat, str) and len(pat) == units and not set(pat) - {"0", "1"}, f"{where}.pattern", "json-type")
    for k in ("facets", "implied", "inequalities", "matrix"):
        expect(isinstance(rd[k], list), f"{where}.{k} is not a list", "json-type")
    expect(len(rd["matrix"]) == q, f"{where}.matrix has not {q} rows", "json-type")
    matrix = [_vec(row, p, f"{where}.matrix") for row in rd["matrix"]]
    offset = _vec(rd["offset"], q, f"{where}.offset")
    rows = [_vec(v, p + 1, f"{where}.inequalities") for v in rd["inequalities"]]
    return Region(
        tuple(int(c) for c in pat),
        list(zip(matrix, offset, strict=True)),
        _vec(rd["interior_point"], p, f"{where}.interior_point"),
        [(v[1:], v[0]) for v in rows],
    )


def _claim(cd: Any, p: int, q: int) -> tuple[Any, ...] | None:
    if cd is None:
        return None
    keys(cd, {"kind"}, {"matrix", "offset", "bounds"}, "claim")
    if cd["kind"] == "affine":
        keys(cd, {"kind", "matrix", "offset"}, set(), "claim")
        expect(isinstance(cd["matrix"], list) and len(cd["matrix"]) == q, "claim.matrix", "json-type")
        forms = zip(
            [_vec(r, p, "claim.matrix") for r in cd["matrix"]], _vec(cd["offset"], q, "claim.offset"), strict=True
        )
        return ("affine", list(forms))
    expect(cd["kind"] == "bounds", "claim.kind is not affine or bounds", "json-type")
    keys(cd, {"kind", "bounds"}, set(), "claim")
    expect(isinstance(cd["bounds"], list) and bool(cd["bounds"]), "claim.bounds is not a non-empty list", "json-type")
    bounds = []
    for b in cd["bounds"]:
        keys(b, {"output", "sense", "value", "point", "multipliers"}, set(), "a bound")
        expect(is_int(b["output"]) and 0 <= b["output"] < q and b["sense"] in ("<=", ">="), "a bound", "json-type")
        point = None if b["point"] is None else _vec(b["point"], p, "bound point")
        bounds.append((b["output"], b["sense"], size(_rational(b["value"], "bound value")), point))
    return ("bounds", bounds)


# ----------------------------------------------------------------- deciding
class _False(Exception):
    """The claim fails, with a witness (the message)."""


def _check_region(net: Net, D: Any, r: int, reg: Region) -> Any:
    """Region r's claims (full-dimensional, in D, interior point, pattern, form); _False if one fails."""
    p = net.p
    P = polyhedron(p, reg.rows)
    if P.affine_dimension() < p:
        raise _False(f"region {r} is empty or flat")
    if not D.contains(P):
        raise _False(f"region {r} is not inside the domain")
    x = reg.point
    if not strict(reg.rows, x):
        raise _False(f"region {r}: the stated interior point is not strictly inside")
    if net.forward(x) != [row_value(f, x) for f in reg.form]:
        raise _False(f"region {r}: the network at its interior point differs from the stated form")
    urows, outs = piece_of(net, reg.pattern)
    for u, g in enumerate(urows):
        if not inside(P, g):  # the earlier units keep their sides: g is unit u's true pre-activation on P
            raise _False(f"region {r}: unit {u} leaves the side its pattern bit states (exact polyhedra)")
        if not any(g[0]) and g[1] == 0 and reg.pattern[u] == 0:
            raise _False(f"region {r}: unit {u} is constantly at its kink; the canonical bit is 1")
    for k, (f, stated) in enumerate(zip(outs, reg.form, strict=True)):
        for i in range(p):
            if f[0][i] != stated[0][i] and (y := nudged(reg.rows, x, i)) is not None:
                if net.forward(y)[k] != row_value(stated, y):
                    raise _False(f"region {r}: output {k} differs from the stated form at {y}")
        if f != stated:
            raise Undecided(f"region {r}: the form differs from the network's piece but no witness was found")
    return P


def _check_cover(net: Net, domain: list[Form], regions: list[Region], polys: list[Any]) -> list[Cell]:
    """Each cell of D is a stated region with its pattern (then the regions cover D); _False with a point in none."""

    def nowhere(y: list[Fraction]) -> bool:
        return not any(all(row_value(g, y) >= 0 for g in reg.rows) for reg in regions)

    found = cells(net, domain)
    for K in found:
        y = interior(K.poly)
        if nowhere(y):
            raise _False(f"the point {[str(v) for v in y][:4]} of the domain is in no region")
        if any(reg.pattern == K.pattern and P.contains(K.poly) for reg, P in zip(regions, polys, strict=True)):
            continue
        for reg in regions:
            if reg.pattern != K.pattern:
                continue
            for g in reg.rows:
                m = K.poly.minimize(expr(g))
                if m["bounded"] and Fraction(int(m["inf_n"]), int(m["inf_d"])) < 0:
                    v = gen_point(m["generator"])
                    for s in (Fraction(1), Fraction(1, 2), Fraction(1, 8), Fraction(1, 64)):
                        z = [s * a + (1 - s) * b for a, b in zip(v, y, strict=True)]
                        if nowhere(z):
                            raise _False(f"the point {[str(c) for c in z][:4]} of the domain is in no region")
        raise Undecided(f"the cell {K.pattern} is not one stated region, and no uncovered point was found")
    return found


def _claim_affine(net: Net, found: list[Cell], forms: list[Form]) -> None:
    for K in found:
        if K.outs == forms:
            continue
        y = interior(K.poly)
        rows = [
            ([Fraction(int(a)) for a in c.coefficients()], Fraction(int(c.inhomogeneous_term())))
            for c in K.poly.constraints()
        ]
        points = [y, *(z for i in range(net.p) if (z := nudged(rows, y, i)) is not None)]
        for z in points:
            if net.forward(z) != [row_value(f, z) for f in forms]:
                raise _False(f"the network at {[str(c) for c in z][:4]} is not the claimed affine map")
        raise Undecided("a cell's piece differs from the claimed map but no witness was found")


def _claim_bounds(net: Net, domain: list[Form], found: list[Cell] | None, bounds: list[Any]) -> None:
    for k, sense, t, point in bounds:
        if point is not None:
            if not all(row_value(g, point) >= 0 for g in domain):
                raise _False(f"the point attaining output {k} = {t} is outside the domain")
            if net.forward(point)[k] != t:
                raise _False(f"output {k} at the stated point is not {t}")
        if found is None:
            continue
        for K in found:
            f = K.outs[k]
            e = expr(f)
            scale = Fraction(math.lcm(*(v.denominator for v in [*f[0], f[1]])))
            ext = K.poly.maximize(e) if sense == "<=" else K.poly.minimize(e)
            if not ext["bounded"]:
                raise _False(f"output {k} is unbounded on the domain (exact polyhedra)")
            n, d = (ext["sup_n"], ext["sup_d"]) if sense == "<=" else (ext["inf_n"], ext["inf_d"])
            value = Fraction(int(n), int(d)) / scale
            if (value > t) if sense == "<=" else (value < t):
                z = gen_point(ext["generator"])
                y = net.forward(z)[k]
                if (y > t) if sense == "<=" else (y < t):
                    raise _False(f"output {k} is {y} at {[str(c) for c in z][:4]}, past the bound {t}")
                raise Undecided("an extreme past the bound was not confirmed by the forward pass")


def decide(net: Net, units: int, domain: list[Form], regions: list[Region], claim: tuple[Any, ...] | None) -> None:
    """Return when every claim holds; _False with a witness, or Undecided."""
    if units != net.units:
        raise _False(f"the document says {units} kink units, the network has {net.units}")
    D = polyhedron(net.p, domain)
    polys = [_check_region(net, D, r, reg) for r, reg in enumerate(regions)]
    for r in range(len(polys)):
        for s in range(r + 1, len(polys)):
            both = C_Polyhedron(polys[r])
            both.intersection_assign(polys[s])
            if both.affine_dimension() == net.p:
                raise _False(f"regions {r} and {s} overlap in a full-dimensional set")
    found = None
    if net.units <= MAX_UNITS:
        found = _check_cover(net, domain, regions, polys)
    if claim is not None and claim[0] == "affine" and found is not None:
        _claim_affine(net, found, claim[1])
    if claim is not None and claim[0] == "bounds":
        _claim_bounds(net, domain, found, claim[1])
    if found is None:
        raise Undecided("too many kink units for the oracle to enumerate the cells")


def judge_regions(data: dict[str, Any]) -> Verdict:
    """The oracle's verdict on a regions document (parsed JSON): malformed, false, true or undecided."""
    keys(data, {"format", "version", "expressions", "network", "domain", "units", "regions"}, {"claim"}, "the document")
    _version(data)
    t = Table(data["expressions"])
    net, mismatch = network_of(t, data["network"])
    if net.p > MAX_INPUTS:
        raise Undecided("too many inputs for the oracle")
    units = data["units"]
    expect(is_int(units) and units >= 0, "units is not a count", "json-type")
    domain = _domain(data["domain"], net.p)
    regs = data["regions"]
    expect(isinstance(regs, list) and bool(regs), "regions is not a non-empty list", "json-type")
    if len(regs) > MAX_REGIONS:
        raise Undecided("too many regions for the oracle")
    regions = [_region(rd, r, units, net.p, net.q) for r, rd in enumerate(regs)]
    claim = _claim(data.get("claim"), net.p, net.q)
    try:
        decide(net, units, domain, regions, claim)
    except _False as exc:
        return Verdict("false", REGIONS, "claim", str(exc), name_mismatch=mismatch)
    return Verdict("true", REGIONS, name_mismatch=mismatch)
