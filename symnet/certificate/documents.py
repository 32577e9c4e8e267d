"""The documents besides the linear certificate: counterexample, degree, generic and regions, as plain data.

Each ``read_*`` function takes the parsed JSON object of one document (its
``format`` already dispatched by :mod:`symnet.certificate.formats`) and returns
a frozen document object carrying *everything* the document states -- every
claim, the domain, every witness -- for :func:`symnet.kernel.check` to check.
Nothing is rebuilt, dropped or checked mathematically here (but for two counts a
regions document states, refused before its regions are decoded: a repeated
pattern, and more regions than the network can have); anything malformed
raises :class:`~symnet.CertificateError`.  Field layouts are in
``docs/certificate-format.md``.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from functools import reduce
from typing import Any, TypeAlias

import sympy
from flint import fmpq

from ..errors import CertificateError
from ..model import generic as gm
from ..model.core import NetworkData as Network
from .expressions import (
    ExpressionReader,
    _expect,
    _fail,
    _is_int,
    index,
    keys,
    pairs,
    read_activation,
    read_network,
    start,
)
from .numbers import decode_q, decode_qs, decode_rational

__all__ = [
    "MAX_DOCUMENT_REGIONS",
    "Bound",
    "CounterexampleDocument",
    "DegreeDocument",
    "RegionRecord",
    "RegionsDocument",
    "domain_rows",
    "most_regions",
    "read_counterexample",
    "read_degree",
    "read_generic",
    "read_regions",
]

#: The reader refuses regions documents with more regions than this.
MAX_DOCUMENT_REGIONS = 2_000_000
ZERO, ONE = fmpq(0), fmpq(1)


# ------------------------------------------------------------ counterexample
#: A stated value of a counterexample: an exact rational, or a pair of rationals ``(lo, hi)`` around the value.
Value: TypeAlias = "sympy.Rational | tuple[sympy.Rational, sympy.Rational]"


@dataclass(frozen=True)
class CounterexampleDocument:
    """A refutation of "the output is affine in x": points u, v and output k with a non-zero midpoint defect.

    ``values`` are the claimed ``f_k(u), f_k(v), f_k((u+v)/2)``, each an exact
    rational or a pair of rationals ``(lo, hi)`` around the value;
    ``enclosure`` two rationals around the defect that exclude 0.
    """

    network: Network
    weights: dict[sympy.Symbol, sympy.Rational]
    points: tuple[tuple[sympy.Rational, ...], tuple[sympy.Rational, ...]]
    output: int
    values: tuple[Value, Value, Value]
    enclosure: tuple[sympy.Rational, sympy.Rational]
    layer: int | None = None
    kind = "counterexample"


def _counterexample_value(table: ExpressionReader, item: Any, version: int) -> Value:
    """A stated value: a REF to an exact rational, or (version 2) a pair ``[lo, hi]`` of rationals."""
    if version == 2 and isinstance(item, list):
        _expect(len(item) == 2, "a value's enclosure must be a list of two rationals")
        return decode_rational(item[0], "values"), decode_rational(item[1], "values")
    value = table.ref(item, "values")
    old = "version 1's exact transcendental values are no longer evaluated; re-run symnet refute (version 2)"
    _expect(value.is_Rational, old if version == 1 else "values must be exact rationals or enclosures [lo, hi]")
    return sympy.Rational(value)


def read_counterexample(data: Any) -> CounterexampleDocument:
    """A counterexample document (format ``symnet.counterexample``, version 1 or 2)."""
    fields = {"network", "weights", "points", "output", "values", "enclosure", "layer", "format", "version"}
    keys(data, fields | {"expressions"}, set(), "the document")
    version = data["version"]  # 1: values as exact expressions (only rationals still accepted); 2: or enclosures
    _expect(_is_int(version) and version in (1, 2), f"counterexample version {str(version)[:20]!r} is not 1 or 2")
    table = ExpressionReader(data["expressions"])
    net = read_network(table, data["network"])
    names = {s.name: s for s in net.parameters}
    _expect(
        isinstance(data["weights"], dict) and set(data["weights"]) <= set(names),
        "weights must map parameter names of the network to rationals",
    )
    weights = {names[n]: decode_rational(v, f"weights[{n!r}]") for n, v in data["weights"].items()}
    pts = data["points"]
    _expect(
        isinstance(pts, list) and len(pts) == 2 and all(isinstance(p, list) for p in pts),
        "points must be a list of two coordinate lists",
    )
    u, v = (tuple(decode_rational(c, "points") for c in p) for p in pts)
    _expect(_is_int(data["output"]), "output must be an integer")
    _expect(isinstance(data["values"], list) and len(data["values"]) == 3, "values must be a list of three values")
    fu, fv, fm = (_counterexample_value(table, e, version) for e in data["values"])
    enc = data["enclosure"]
    _expect(isinstance(enc, list) and len(enc) == 2, "enclosure must be a list of two rationals")
    lo, hi = (decode_rational(c, "enclosure") for c in enc)
    layer = data["layer"]
    _expect(layer is None or _is_int(layer), "layer must be an integer or null")
    return CounterexampleDocument(net, weights, (u, v), data["output"], (fu, fv, fm), (lo, hi), layer)


# -------------------------------------------------------------------- degree
@dataclass(frozen=True)
class DegreeDocument:
    """Exact degrees in x of each output: per output a degree, the route proving it and its witness (plain data).

    ``witnesses[i]`` is None or ``{"weights", "point", "direction", "coefficient"}``
    with rationals still written ``"p/q"`` (the kernel decodes them);
    ``bounds`` is the search's layer-wise table, informational only.
    """

    network: Network
    degrees: tuple[int | None, ...]
    routes: tuple[Any, ...]
    witnesses: tuple[Any, ...]
    bounds: tuple[tuple[int | None, ...], ...] = ()
    kind = "degree"

    @property
    def certificate(self) -> dict[str, Any]:
        """The degree claims as the plain mapping the kernel reads."""
        return {"degrees": list(self.degrees), "routes": list(self.routes), "witnesses": list(self.witnesses)}


def read_degree(data: Any) -> DegreeDocument:
    """A degree document (format ``symnet.degree``); a stated ``limit`` is ignored (the kernel uses its own)."""
    table = start(data, "degree certificate", {"network", "degrees", "routes", "witnesses"}, {"bounds", "limit"})
    limit = data.get("limit", 1)
    _expect(_is_int(limit) and limit >= 1, f"limit {str(limit)[:20]!r} is not a positive integer")
    bounds = data.get("bounds", [])
    _expect(
        isinstance(bounds, list)
        and all(isinstance(r, list) and all(b is None or (_is_int(b) and b >= 0) for b in r) for r in bounds),
        "bounds must be lists of degrees (non-negative integers or null)",
    )
    for name in ("degrees", "routes", "witnesses"):
        _expect(isinstance(data[name], list), f"{name} must be a list")
    net = read_network(table, data["network"])
    return DegreeDocument(
        net, tuple(data["degrees"]), tuple(data["routes"]), tuple(data["witnesses"]), tuple(tuple(r) for r in bounds)
    )


# ------------------------------------------------------------------- generic
def _size(v: Any) -> sympy.Expr:
    """A dimension: a size name (``n``, ``m_1``) or a positive integer."""
    if isinstance(v, str):
        _expect(gm.is_size_name(v), f"{v[:40]!r} is not a size name")
        return gm.size_symbol(v)
    _expect(_is_int(v) and v >= 1, f"size {str(v)[:40]!r} is not a positive integer")
    return sympy.Integer(v)


def _generic_network(table: ExpressionReader, nd: Any) -> gm.GenericNetwork:
    keys(nd, {"sizes", "activations"}, set(), "network")
    _expect(
        isinstance(nd["sizes"], list) and isinstance(nd["activations"], list),
        "network.sizes and network.activations must be lists",
    )
    acts = tuple(read_activation(table, ad, f"activation {i}") for i, ad in enumerate(nd["activations"]))
    return gm.GenericNetwork(tuple(_size(v) for v in nd["sizes"]), acts)  # a ShapeError is made a CertificateError


def read_generic(data: Any) -> gm.GenericCertificate:
    """A generic certificate (format ``symnet.generic``, formerly ``symnet-generic-certificate``)."""
    table = start(data, "generic certificate", {"network", "steps", "claim"})
    net = _generic_network(table, data["network"])
    known = net.atoms()

    def atom(name: Any) -> gm.MatAtom:
        if isinstance(name, str) and name in known:
            return known[name]
        ones = isinstance(name, str) and name.startswith("1[") and name.endswith("]")
        _expect(ones, f"unknown matrix {str(name)[:40]!r}")
        return gm.ones(_size(int(name[2:-1]) if name[2:-1].isdigit() else name[2:-1]))

    def lin(d: Any) -> gm.Lin:
        keys(d, {"shape", "terms"}, set(), "a matrix expression")
        _expect(
            isinstance(d["terms"], list) and isinstance(d["shape"], list) and len(d["shape"]) == 2,
            "a matrix expression has a shape [rows, cols] and a list of terms",
        )
        total = gm.Lin.zero(*(_size(v) for v in d["shape"]))
        for term in d["terms"]:
            _expect(
                isinstance(term, list) and len(term) == 2 and isinstance(term[0], list) and term[0],
                "a term is [[matrix names...], coefficient]",
            )
            prod = reduce(operator.matmul, (gm.Lin.of(atom(name)) for name in term[0]))
            total = total + prod.scale(table.ref(term[1], "term coefficient", exact=True))
        return total

    def value(d: Any) -> Any:
        _expect(isinstance(d, dict) and len(d) == 1, "a step value is one of aug, outrow, pair, sizes")
        ((kind, body),) = d.items()
        if kind == "sizes" and isinstance(body, list):
            return tuple(_size(v) for v in body)
        _expect(
            kind in ("aug", "outrow", "pair") and isinstance(body, list) and len(body) == 2,
            f"step value {str(kind)[:20]!r} is not aug, outrow or pair of two matrix expressions, or sizes",
        )
        a, b = lin(body[0]), lin(body[1])
        return gm.Aug(a, b) if kind == "aug" else gm.OutRow(a, b) if kind == "outrow" else (a, b)

    _expect(isinstance(data["steps"], list), "steps must be a list")
    steps = []
    for i, sd in enumerate(data["steps"]):
        keys(sd, {"rule", "layer", "value"}, set(), f"steps[{i}]")
        _expect(
            sd["rule"] in gm.STEP_RULES and _is_int(sd["layer"]),
            f"steps[{i}] cites unknown rule {str(sd['rule'])[:40]!r} or has a bad layer",
        )
        steps.append(gm.GenericStep(sd["rule"], sd["layer"], value(sd["value"])))
    keys(data["claim"], {"matrix", "offset"}, set(), "claim")
    return gm.GenericCertificate(net, tuple(steps), lin(data["claim"]["matrix"]), lin(data["claim"]["offset"]))


# ------------------------------------------------------------------- regions
@dataclass(frozen=True)
class RegionRecord:
    """One region as stated: pattern, affine form, interior point, facet rows, facets, implied rows (fmpq)."""

    pattern: tuple[int, ...]
    matrix: list[list[fmpq]]
    offset: list[fmpq]
    interior_point: list[fmpq]
    inequalities: list[list[fmpq]]
    facets: list[tuple[int, int | None, list[fmpq]]]
    implied: list[tuple[int, list[tuple[int, fmpq]]]]


@dataclass(frozen=True)
class Bound:
    """A stated bound ``output <= value`` (or ``>=``) on the domain: multipliers per region, a point attaining it."""

    output: int
    sense: str
    value: fmpq
    point: list[fmpq] | None
    multipliers: list[list[tuple[int, fmpq]]]


@dataclass(frozen=True)
class RegionsDocument:
    """A regions document (format ``symnet.regions``): the regions of a piecewise-affine network over a domain.

    ``domain`` is the stated domain (``{"kind": "space" | "box" | "polytope", ...}``,
    rationals as text) and ``domain_rows`` its rows ``[d_0, d_1..d_p]`` meaning
    ``d_0 + d.x >= 0``.  ``claim`` is None, ``("affine", W, b)`` or ``("bounds",
    (Bound, ...))``; the kernel checks it on the domain as stated.
    """

    network: Network
    domain: dict[str, Any]
    domain_rows: list[list[fmpq]]
    units: int
    regions: tuple[RegionRecord, ...]
    claim: tuple[Any, ...] | None = None
    kind = "regions"


def domain_rows(domain: Any, p: int) -> list[list[fmpq]]:
    """The rows ``[d_0, d_1..d_p]`` (meaning ``d_0 + d.x >= 0``) of a domain; CertificateError if malformed."""
    _expect(isinstance(domain, dict) and "kind" in domain, "domain must be an object with a 'kind'")
    kind = domain["kind"]
    rows: list[list[fmpq]] = []
    if kind == "space" and set(domain) == {"kind"}:
        return rows
    if kind == "box" and set(domain) == {"kind", "box"}:
        _expect(isinstance(domain["box"], list) and len(domain["box"]) == p, f"domain.box must list {p} intervals")
        for j, pair in enumerate(domain["box"]):
            lo, hi = decode_qs(pair, 2, f"domain.box[{j}]")
            _expect(lo < hi, f"domain.box[{j}] = [{lo}, {hi}] is empty or flat")
            unit = [ONE if i == j else ZERO for i in range(p)]
            rows.append([-lo, *unit])
            rows.append([hi, *(-v for v in unit)])
        return rows
    if kind == "polytope" and set(domain) == {"kind", "A", "b"}:
        A, b = domain["A"], domain["b"]
        _expect(
            isinstance(A, list) and isinstance(b, list) and len(A) == len(b),
            "domain.A and domain.b must be lists of the same length",
        )
        for i, (row, bi) in enumerate(zip(A, b, strict=True)):
            rows.append([decode_q(bi, f"b[{i}]"), *(-v for v in decode_qs(row, p, f"A[{i}]"))])
        return rows
    raise _fail(f"domain {str(domain)[:80]} is not a box, a polytope or the whole space")


def _region(rd: Any, where: str, units: int, p: int, q: int, m: int, n: int) -> RegionRecord:
    keys(rd, {"pattern", "matrix", "offset", "interior_point", "inequalities", "facets", "implied"}, set(), where)
    pat = rd["pattern"]
    _expect(
        isinstance(pat, str) and len(pat) == units and not set(pat) - {"0", "1"},
        f"{where}.pattern must be a string of {units} digits 0/1",
    )
    _expect(
        all(isinstance(rd[k], list) for k in ("facets", "implied", "inequalities", "matrix")),
        f"{where}: facets, implied, inequalities and matrix must be lists",
    )
    _expect(len(rd["matrix"]) == q, f"{where}.matrix must have {q} rows")
    facets = []
    for f in rd["facets"]:
        _expect(isinstance(f, list) and len(f) == 3, f"{where}: a facet is [row, neighbour or null, witness]")
        neighbour = None if f[1] is None else index(f[1], n, f"{where}: facet neighbour")
        facets.append((index(f[0], m, where), neighbour, decode_qs(f[2], p, f"{where} facet witness")))
    implied = []
    for item in rd["implied"]:
        _expect(isinstance(item, list) and len(item) == 2, f"{where}: an implied row is [row, [[row, value], ...]]")
        implied.append((index(item[0], m, where), pairs(item[1], m, where)))
    return RegionRecord(
        tuple(int(c) for c in pat),
        [decode_qs(r, p, f"{where}.matrix") for r in rd["matrix"]],
        decode_qs(rd["offset"], q, f"{where}.offset"),
        decode_qs(rd["interior_point"], p, f"{where}.interior_point"),
        [decode_qs(v, p + 1, f"{where}.inequalities") for v in rd["inequalities"]],
        facets,
        implied,
    )


def _claim(cd: Any, p: int, q: int, n: int, m: int) -> tuple[Any, ...]:
    _expect(isinstance(cd, dict) and cd.get("kind") in ("affine", "bounds"), "claim.kind must be 'affine' or 'bounds'")
    if cd["kind"] == "affine":
        keys(cd, {"kind", "matrix", "offset"}, set(), "claim")
        _expect(isinstance(cd["matrix"], list) and len(cd["matrix"]) == q, f"claim.matrix must have {q} rows")
        matrix = [decode_qs(r, p, "claim.matrix") for r in cd["matrix"]]
        return "affine", matrix, decode_qs(cd["offset"], q, "claim.offset")
    keys(cd, {"kind", "bounds"}, set(), "claim")
    _expect(isinstance(cd["bounds"], list) and cd["bounds"], "claim.bounds must be a non-empty list")
    bounds = []
    for b in cd["bounds"]:
        keys(b, {"output", "sense", "value", "point", "multipliers"}, set(), "a bound")
        _expect(
            _is_int(b["output"]) and 0 <= b["output"] < q and b["sense"] in ("<=", ">="),
            "a bound needs an output index and sense '<=' or '>='",
        )
        _expect(
            isinstance(b["multipliers"], list) and len(b["multipliers"]) == n,
            "a bound needs one multiplier list per region",
        )
        point = None if b["point"] is None else decode_qs(b["point"], p, "bound point")
        mult = [pairs(lst, m, "bound multipliers") for lst in b["multipliers"]]
        bounds.append(Bound(b["output"], b["sense"], decode_q(b["value"], "bound value"), point, mult))
    return "bounds", tuple(bounds)


def most_regions(widths: list[int], p: int, units: int) -> int:
    """At most how many regions of distinct patterns, each with an interior point, a network of these hidden
    ``widths`` over ``p`` inputs with ``units`` kink units has (capped just past :data:`MAX_DOCUMENT_REGIONS`).

    Distinct patterns of ``units`` bits: ``2**units``.  Per layer: within a cell of the earlier layers' pattern
    each unit of the layer cuts along one hyperplane of R^p, and ``n`` hyperplanes cut R^p into at most
    ``sum(comb(n, j) for j <= p)`` open cells; a region's interior point lies in one of them, which fixes its bits.
    Past 64 terms that sum exceeds ``2**64`` (its first 65 terms for n = 65), beyond the cap already.
    """
    cap, most = MAX_DOCUMENT_REGIONS + 1, 1
    for n in widths:
        most = min(most * sum(math.comb(n, j) for j in range(min(n, p, 64) + 1)), cap)
    return min(most, 1 << min(units, 64), cap)


def _distinct_patterns(regs: list[Any]) -> None:
    """Refuse two regions that state the same pattern (rule ``distinct``), before any region is decoded."""
    seen: dict[str, int] = {}
    for r, rd in enumerate(regs):
        pat = rd.get("pattern") if isinstance(rd, dict) else None
        if isinstance(pat, str) and seen.setdefault(pat, r) != r:
            raise CertificateError(f"its pattern repeats region {seen[pat]}", step=r, rule="distinct")


def read_regions(data: Any) -> RegionsDocument:
    """A regions document (format ``symnet.regions``), its domain and claim as stated."""
    table = start(data, "regions document", {"network", "domain", "units", "regions"}, {"claim"})
    net = read_network(table, data["network"])
    p, q, units = net.p, net.q, data["units"]
    hidden = sum(layer.width for layer in net.layers[:-1])  # the kink units are hidden units (the output is linear)
    _expect(_is_int(units) and 0 <= units <= hidden, f"units must be a count of at most the {hidden} hidden units")
    drows = domain_rows(data["domain"], p)
    regs = data["regions"]
    _expect(
        isinstance(regs, list) and 0 < len(regs) <= MAX_DOCUMENT_REGIONS,
        f"regions must be a non-empty list of at most {MAX_DOCUMENT_REGIONS}",
    )
    _distinct_patterns(regs)  # before anything else of a region is decoded
    most = most_regions([layer.width for layer in net.layers[:-1]], p, units)
    _expect(len(regs) <= most, f"{len(regs)} regions, but this network has at most {most} over {p} inputs")
    m, n = len(drows) + units, len(regs)
    records = tuple(_region(rd, f"regions[{r}]", units, p, q, m, n) for r, rd in enumerate(regs))
    claim = None if data.get("claim") is None else _claim(data["claim"], p, q, n, m)
    return RegionsDocument(net, data["domain"], drows, units, records, claim)
