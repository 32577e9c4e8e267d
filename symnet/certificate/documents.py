"""The documents besides the linear certificate: counterexample, degree, generic and regions, as plain data.

Each ``read_*`` function takes the parsed JSON object of one document (its
``format`` already dispatched by :mod:`symnet.certificate.formats`) and returns
a frozen document object carrying *everything* the document states -- every
claim, the domain, every witness -- for :func:`symnet.kernel.check` to check.
Nothing is rebuilt, dropped or checked mathematically here; anything malformed
raises :class:`~symnet.CertificateError`.  Field layouts are in
``docs/certificate-format.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy
from flint import fmpq

from ..errors import CertificateError, ShapeError
from ..model import generic as gm
from ..model.core import Activation
from ..model.core import NetworkData as Network
from .expressions import ExpressionReader, _is_int, _name, check_version, keys, read_network
from .numbers import decode_q, decode_rational

__all__ = [
    "MAX_DOCUMENT_REGIONS",
    "Bound",
    "CounterexampleDocument",
    "DegreeDocument",
    "RegionRecord",
    "RegionsDocument",
    "domain_rows",
    "read_counterexample",
    "read_degree",
    "read_generic",
    "read_regions",
]

#: The reader refuses regions documents with more regions than this.
MAX_DOCUMENT_REGIONS = 2_000_000
ZERO, ONE = fmpq(0), fmpq(1)


def _bad(what: str, message: str) -> CertificateError:
    return CertificateError(f"malformed {what}: {message}")


def _start(data: Any, what: str, required: set[str], optional: set[str] = frozenset()) -> ExpressionReader:  # type: ignore[assignment]
    keys(data, required, set(optional), "the document")
    check_version(data, 1, what)
    return ExpressionReader(data["expressions"])


# ------------------------------------------------------------ counterexample
@dataclass(frozen=True)
class CounterexampleDocument:
    """A refutation of "the output is affine in x": points u, v and output k with a non-zero midpoint defect.

    ``values`` are the claimed exact ``f_k(u), f_k(v), f_k((u+v)/2)``;
    ``enclosure`` two rationals around the defect that exclude 0.
    """

    network: Network
    weights: dict[sympy.Symbol, sympy.Rational]
    points: tuple[tuple[sympy.Rational, ...], tuple[sympy.Rational, ...]]
    output: int
    values: tuple[sympy.Expr, sympy.Expr, sympy.Expr]
    enclosure: tuple[sympy.Rational, sympy.Rational]
    layer: int | None = None
    kind = "counterexample"


def read_counterexample(data: Any) -> CounterexampleDocument:
    """A counterexample document (format ``symnet.counterexample``)."""
    what = "counterexample"
    need = {
        "format",
        "version",
        "expressions",
        "network",
        "weights",
        "points",
        "output",
        "values",
        "enclosure",
        "layer",
    }
    table = _start(data, what, need)
    net = read_network(table, data["network"])
    names = {s.name: s for s in net.parameters}
    if not isinstance(data["weights"], dict) or not set(data["weights"]) <= set(names):
        raise _bad(what, "weights must map parameter names of the network to rationals")
    weights = {names[n]: decode_rational(v, f"weights[{n!r}]") for n, v in data["weights"].items()}
    pts = data["points"]
    if not isinstance(pts, list) or len(pts) != 2 or not all(isinstance(p, list) for p in pts):
        raise _bad(what, "points must be a list of two coordinate lists")
    u, v = (tuple(decode_rational(c, "points") for c in p) for p in pts)
    if not _is_int(data["output"]):
        raise _bad(what, "output must be an integer")
    if not isinstance(data["values"], list) or len(data["values"]) != 3:
        raise _bad(what, "values must be a list of three expressions")
    fu, fv, fm = (table.ref(e, "values") for e in data["values"])
    if not isinstance(data["enclosure"], list) or len(data["enclosure"]) != 2:
        raise _bad(what, "enclosure must be a list of two rationals")
    lo, hi = (decode_rational(c, "enclosure") for c in data["enclosure"])
    layer = data["layer"]
    if layer is not None and not _is_int(layer):
        raise _bad(what, "layer must be an integer or null")
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
    what = "degree certificate"
    table = _start(
        data,
        what,
        {"format", "version", "expressions", "network", "degrees", "routes", "witnesses"},
        {"bounds", "limit"},
    )
    limit = data.get("limit", 1)
    if not _is_int(limit) or limit < 1:
        raise _bad(what, f"limit {str(limit)[:20]!r} is not a positive integer (and the kernel uses its own)")
    bounds = data.get("bounds", [])
    if not isinstance(bounds, list) or not all(
        isinstance(r, list) and all(b is None or (_is_int(b) and b >= 0) for b in r) for r in bounds
    ):
        raise _bad(what, "bounds must be lists of degrees (non-negative integers or null)")
    for name in ("degrees", "routes", "witnesses"):
        if not isinstance(data[name], list):
            raise _bad(what, f"{name} must be a list")
    net = read_network(table, data["network"])
    return DegreeDocument(
        net, tuple(data["degrees"]), tuple(data["routes"]), tuple(data["witnesses"]), tuple(tuple(r) for r in bounds)
    )


# ------------------------------------------------------------------- generic
def _generic_reader(data: Any) -> tuple[ExpressionReader, gm.GenericNetwork, Any, Any]:
    what = "generic certificate"
    table = _start(data, what, {"format", "version", "expressions", "network", "steps", "claim"})
    nd = data["network"]
    keys(nd, {"sizes", "activations"}, set(), "network")
    if not isinstance(nd["sizes"], list) or not isinstance(nd["activations"], list):
        raise _bad(what, "network.sizes and network.activations must be lists")

    def size(v: Any) -> sympy.Expr:
        if isinstance(v, str):
            if not gm.is_size_name(v):
                raise _bad(what, f"{v[:40]!r} is not a size name")
            return gm.size_symbol(v)
        if not _is_int(v) or v < 1:
            raise _bad(what, f"size {v!r} is not a positive integer")
        return sympy.Integer(v)

    acts = []
    for i, ad in enumerate(nd["activations"]):
        keys(ad, {"name", "variable", "expr"}, set(), f"activation {i}")
        if not (ad["name"] is None or isinstance(ad["name"], str)):
            raise _bad(what, f"activation {i} has a bad name")
        var = sympy.Symbol(_name(ad["variable"], f"activation {i}.variable"))
        acts.append(Activation(ad["name"], sympy.Lambda(var, table.ref(ad["expr"], f"activation {i}"))))
    try:
        net = gm.GenericNetwork(tuple(size(v) for v in nd["sizes"]), tuple(acts))
    except ShapeError as exc:
        raise _bad(what, f"network: {exc}") from None
    return table, net, size, what


def read_generic(data: Any) -> gm.GenericCertificate:
    """A generic certificate (format ``symnet.generic``, formerly ``symnet-generic-certificate``)."""
    table, net, size, what = _generic_reader(data)
    known = net.atoms()

    def atom(name: Any) -> gm.MatAtom:
        if isinstance(name, str) and name in known:
            return known[name]
        if isinstance(name, str) and name.startswith("1[") and name.endswith("]"):
            return gm.ones(size(int(name[2:-1]) if name[2:-1].isdigit() else name[2:-1]))
        raise _bad(what, f"unknown matrix {str(name)[:40]!r}")

    def lin(d: Any) -> gm.Lin:
        keys(d, {"shape", "terms"}, set(), "a matrix expression")
        if not isinstance(d["terms"], list) or not isinstance(d["shape"], list) or len(d["shape"]) != 2:
            raise _bad(what, "a matrix expression has a shape [rows, cols] and a list of terms")
        rows, cols = (size(v) for v in d["shape"])
        total = gm.Lin.zero(rows, cols)
        for term in d["terms"]:
            if not isinstance(term, list) or len(term) != 2 or not isinstance(term[0], list) or not term[0]:
                raise _bad(what, "a term is [[matrix names...], coefficient]")
            prod = gm.Lin.of(atom(term[0][0]))
            for name in term[0][1:]:
                prod = prod @ gm.Lin.of(atom(name))
            coeff = table.ref(term[1], "term coefficient")
            total = total + prod.scale(sympy.Rational(coeff) if coeff.is_Float else coeff)  # a float at its exact value
        return total

    def value(d: Any) -> Any:
        if not isinstance(d, dict) or len(d) != 1:
            raise _bad(what, "a step value is one of aug, outrow, pair, sizes")
        ((kind, body),) = d.items()
        if kind == "sizes" and isinstance(body, list):
            return tuple(size(v) for v in body)
        if kind not in ("aug", "outrow", "pair") or not isinstance(body, list) or len(body) != 2:
            raise _bad(
                what, f"step value {str(kind)[:20]!r} is not aug, outrow or pair of two matrix expressions, or sizes"
            )
        a, b = lin(body[0]), lin(body[1])
        return gm.Aug(a, b) if kind == "aug" else gm.OutRow(a, b) if kind == "outrow" else (a, b)

    if not isinstance(data["steps"], list):
        raise _bad(what, "steps must be a list")
    steps = []
    for i, sd in enumerate(data["steps"]):
        keys(sd, {"rule", "layer", "value"}, set(), f"steps[{i}]")
        if sd["rule"] not in gm.STEP_RULES or not _is_int(sd["layer"]):
            raise _bad(what, f"steps[{i}] cites unknown rule {str(sd['rule'])[:40]!r} or has a bad layer")
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
    what = "domain"
    if not isinstance(domain, dict) or "kind" not in domain:
        raise _bad(what, "domain must be an object with a 'kind'")
    kind = domain["kind"]
    rows: list[list[fmpq]] = []
    if kind == "space" and set(domain) == {"kind"}:
        return rows
    if kind == "box" and set(domain) == {"kind", "box"}:
        box = domain["box"]
        if not isinstance(box, list) or len(box) != p:
            raise _bad(what, f"domain.box must list {p} intervals")
        for j, pair in enumerate(box):
            if not isinstance(pair, list) or len(pair) != 2:
                raise _bad(what, f"domain.box[{j}] must be [lo, hi]")
            lo, hi = decode_q(pair[0], f"box[{j}].lo"), decode_q(pair[1], f"box[{j}].hi")
            if not lo < hi:
                raise _bad(what, f"domain.box[{j}] = [{lo}, {hi}] is empty or flat")
            unit = [ONE if i == j else ZERO for i in range(p)]
            rows.append([-lo, *unit])
            rows.append([hi, *(-v for v in unit)])
        return rows
    if kind == "polytope" and set(domain) == {"kind", "A", "b"}:
        A, b = domain["A"], domain["b"]
        if not isinstance(A, list) or not isinstance(b, list) or len(A) != len(b):
            raise _bad(what, "domain.A and domain.b must be lists of the same length")
        for i, (row, bi) in enumerate(zip(A, b, strict=True)):
            rows.append([decode_q(bi, f"b[{i}]"), *(-v for v in _vector(row, p, f"A[{i}]"))])
        return rows
    raise _bad(what, f"{str(domain)[:80]} is not a box, a polytope or the whole space")


def _vector(items: Any, n: int, where: str) -> list[fmpq]:
    if not isinstance(items, list) or len(items) != n:
        raise _bad("regions document", f"{where} must be a list of {n} rationals")
    return [decode_q(v, where) for v in items]


def _row_index(v: Any, m: int, where: str) -> int:
    if not (_is_int(v) and 0 <= v < m):
        raise _bad("regions document", f"{where}: {str(v)[:20]!r} is not a row index below {m}")
    return int(v)


def _multipliers(items: Any, m: int, where: str) -> list[tuple[int, fmpq]]:
    if not isinstance(items, list):
        raise _bad("regions document", f"{where} must be a list of [row, value]")
    out = []
    for pair in items:
        if not (isinstance(pair, list) and len(pair) == 2):
            raise _bad("regions document", f"{where}: a multiplier is [row, value]")
        out.append((_row_index(pair[0], m, where), decode_q(pair[1], where)))
    return out


def _region(rd: Any, where: str, units: int, p: int, q: int, m: int, n: int) -> RegionRecord:
    keys(rd, {"pattern", "matrix", "offset", "interior_point", "inequalities", "facets", "implied"}, set(), where)
    pat = rd["pattern"]
    if not isinstance(pat, str) or len(pat) != units or set(pat) - {"0", "1"}:
        raise _bad("regions document", f"{where}.pattern must be a string of {units} digits 0/1")
    if (
        not isinstance(rd["facets"], list)
        or not isinstance(rd["implied"], list)
        or not isinstance(rd["inequalities"], list)
    ):
        raise _bad("regions document", f"{where}: facets, implied and inequalities must be lists")
    facets = []
    for f in rd["facets"]:
        if not (isinstance(f, list) and len(f) == 3):
            raise _bad("regions document", f"{where}: a facet is [row, neighbour or null, witness]")
        if f[1] is not None and not (_is_int(f[1]) and 0 <= f[1] < n):
            raise _bad("regions document", f"{where}: facet neighbour {str(f[1])[:20]!r} is not a region index or null")
        facets.append((_row_index(f[0], m, where), f[1], _vector(f[2], p, f"{where} facet witness")))
    implied = []
    for item in rd["implied"]:
        if not (isinstance(item, list) and len(item) == 2):
            raise _bad("regions document", f"{where}: an implied row is [row, [[facet row, multiplier], ...]]")
        implied.append((_row_index(item[0], m, where), _multipliers(item[1], m, where)))
    if not isinstance(rd["matrix"], list) or len(rd["matrix"]) != q:
        raise _bad("regions document", f"{where}.matrix must have {q} rows")
    return RegionRecord(
        tuple(int(c) for c in pat),
        [_vector(r, p, f"{where}.matrix") for r in rd["matrix"]],
        _vector(rd["offset"], q, f"{where}.offset"),
        _vector(rd["interior_point"], p, f"{where}.interior_point"),
        [_vector(v, p + 1, f"{where}.inequalities") for v in rd["inequalities"]],
        facets,
        implied,
    )


def _claim(cd: Any, p: int, q: int, n: int, m: int) -> tuple[Any, ...]:
    keys(cd, {"kind"}, {"matrix", "offset", "bounds"}, "claim")
    if cd["kind"] == "affine":
        keys(cd, {"kind", "matrix", "offset"}, set(), "claim")
        if not isinstance(cd["matrix"], list) or len(cd["matrix"]) != q:
            raise _bad("regions document", f"claim.matrix must have {q} rows")
        return (
            "affine",
            [_vector(r, p, "claim.matrix") for r in cd["matrix"]],
            _vector(cd["offset"], q, "claim.offset"),
        )
    if cd["kind"] != "bounds":
        raise _bad("regions document", f"claim.kind {str(cd['kind'])[:20]!r} is not 'affine' or 'bounds'")
    keys(cd, {"kind", "bounds"}, set(), "claim")
    if not isinstance(cd["bounds"], list) or not cd["bounds"]:
        raise _bad("regions document", "claim.bounds must be a non-empty list")
    bounds = []
    for b in cd["bounds"]:
        keys(b, {"output", "sense", "value", "point", "multipliers"}, set(), "a bound")
        if not (_is_int(b["output"]) and 0 <= b["output"] < q) or b["sense"] not in ("<=", ">="):
            raise _bad("regions document", "a bound needs an output index and sense '<=' or '>='")
        if not isinstance(b["multipliers"], list) or len(b["multipliers"]) != n:
            raise _bad("regions document", "a bound needs one multiplier list per region")
        point = None if b["point"] is None else _vector(b["point"], p, "bound point")
        mult = [_multipliers(lst, m, "bound multipliers") for lst in b["multipliers"]]
        bounds.append(Bound(b["output"], b["sense"], decode_q(b["value"], "bound value"), point, mult))
    return ("bounds", tuple(bounds))


def read_regions(data: Any) -> RegionsDocument:
    """A regions document (format ``symnet.regions``), its domain and claim as stated."""
    table = _start(
        data,
        "regions document",
        {"format", "version", "expressions", "network", "domain", "units", "regions"},
        {"claim"},
    )
    net = read_network(table, data["network"])
    p, q, units = net.p, net.q, data["units"]
    if not _is_int(units) or units < 0:
        raise _bad("regions document", "units must be a count")
    drows = domain_rows(data["domain"], p)
    regs = data["regions"]
    if not isinstance(regs, list) or not 0 < len(regs) <= MAX_DOCUMENT_REGIONS:
        raise _bad("regions document", f"regions must be a non-empty list of at most {MAX_DOCUMENT_REGIONS}")
    m, n = len(drows) + units, len(regs)
    records = tuple(_region(rd, f"regions[{r}]", units, p, q, m, n) for r, rd in enumerate(regs))
    claim = None if data.get("claim") is None else _claim(data["claim"], p, q, n, m)
    return RegionsDocument(net, data["domain"], drows, units, records, claim)
