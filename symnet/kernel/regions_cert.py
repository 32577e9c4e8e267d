"""The checker of a regions certificate: cover, forms, facets and neighbours, exactly, without an LP.

A regions document (``"format": "symnet.regions"``) lists the linear regions of a
network with piecewise-affine activations (relu, leaky_relu, abs, ``Max``/``Min``
of two affine pieces; affine layers) over a domain ``D`` (a box, a polytope
``A x <= b``, or all of R^p).  Every kink unit u (layer by layer) has a
pre-activation z_u and a kink t0_u; a region is named by its *pattern* sigma
(1: z_u >= t0_u, 0: z_u <= t0_u) and is the closed cell

    C_sigma = { x in D : s_u (z_u(x) - t0_u) >= 0 for every unit u },   s_u = +1 or -1,

where each z_u is the affine form obtained by running the network with the
earlier units' pieces fixed by sigma.  On C_sigma the network equals one affine
map ``W x + b``.  A unit whose form is the constant t0_u gets sigma_u = 1
(the canonical pattern), so distinct patterns have disjoint interiors.

The rows of a region are the domain's rows ``d_j(x) >= 0`` followed by the unit
rows, in that order.  What this module checks, for every region r:

* ``region_form`` -- the stated affine form is the one re-derived from the
  pattern and the network's own layers; the pattern is canonical.
* ``interior_point`` -- the stated point makes every row that is not identically
  zero strictly positive, and the network's plain forward pass at it (``Max``,
  ``Min``, ``Abs`` evaluated exactly) equals the form there.
* ``facet`` -- for each listed facet row i with witness w: g_i(w) = 0 and every
  other row h of r has h(w) > 0 or h = c g_i with c >= 0.  So near w the cell is
  the half-space g_i >= 0: row i spans a facet and w is in its relative interior.
* ``neighbour`` / ``domain_boundary`` -- across facet i either g_i is a positive
  multiple of a domain row (the facet lies on the boundary of D), or the named
  region s has, at w, every row h > 0 or h = -c g_i with c >= 0: s contains the
  half-ball beyond w.  (Across the relative interior of a facet the pattern of
  the far side is the same everywhere, so s then covers the whole far side.)
* ``implied_row`` -- every row that is not a listed facet is implied by the
  facet rows: ``h = sum lambda_j g_j + mu`` with lambda_j >= 0 and the constant
  mu >= 0, exactly.  So the facet rows alone define C_r, and every facet of C_r
  is a listed one.
* ``distinct`` -- patterns are pairwise distinct.

Together they prove the regions cover D: a generic segment from inside a region
to a point of D outside their union would leave the union through the relative
interior of a facet in the interior of D, and the region across that facet is
listed.  Optional claims are checked on top: ``affine`` (every region has the
claimed form, so the network is that affine map on D) and ``bounds``
(``output_k <= t`` or ``>= t`` on D, by Farkas multipliers over each region's
rows, with an optional exact point where the value is attained).

Rationals are written ``"p/q"``; the network uses :mod:`symnet.certificate`'s
node table.  This module imports only sympy, python-flint and the plain data
modules; it never calls an LP solver.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import sympy
from flint import fmpq, fmpq_mat

from ..certificate import ExpressionReader, read_network
from ..errors import CertificateError, SymnetError
from ..model.network import Network

__all__ = [
    "FORMAT",
    "VERSION",
    "check_document",
    "check_regions",
    "decode_q",
    "domain_rows",
    "encode_q",
    "network_pieces",
    "pieces",
    "read_document",
]

FORMAT = "symnet.regions"
VERSION = 1
#: The checker refuses documents with more regions than this.
MAX_DOCUMENT_REGIONS = 2_000_000
_Q_RE = re.compile(r"-?[0-9]{1,20000}(?:/[0-9]{1,20000})?")
ZERO = fmpq(0)
ONE = fmpq(1)


def _fail(message: str, rule: str | None = None, region: int | None = None) -> CertificateError:
    return CertificateError(message, step=region, rule=rule)


# ------------------------------------------------------------------ numbers
def encode_q(value: Any) -> str:
    """``"p/q"`` (or ``"p"``) for an exact rational (fmpq, int, sympy Rational)."""
    if isinstance(value, sympy.Basic):
        value = fmpq(int(value.p), int(value.q))
    return str(fmpq(value))


def decode_q(text: Any, where: str) -> fmpq:
    """The rational written ``"p/q"`` or ``"p"``; CertificateError otherwise."""
    if not isinstance(text, str) or _Q_RE.fullmatch(text) is None:
        raise _fail(f"{where}={str(text)[:60]!r} is not a rational number written 'p/q'")
    num, _, den = text.partition("/")
    d = int(den) if den else 1
    if d == 0:
        raise _fail(f"{where}={text[:60]!r} has a zero denominator")
    return fmpq(int(num), d)


def _q(e: sympy.Expr, where: str) -> fmpq:
    """An exact numeric sympy value (floats at their binary value) as fmpq."""
    if e.is_Float:
        e = sympy.Rational(e)
    if not e.is_Rational:
        raise _fail(f"{where}={e} is not an exact number (regions need numeric weights)")
    return fmpq(int(e.p), int(e.q))


# -------------------------------------------------------------- activations
def pieces(body: sympy.Expr, var: sympy.Symbol) -> tuple[Any, ...] | None:
    """``("affine", m, c)`` or ``("kink", t0, (m_lo, c_lo), (m_hi, c_hi))`` in fmpq; None otherwise.

    A kink is ``Max``/``Min`` of two affine pieces with rational coefficients or
    ``Abs`` of one; ``(m_lo, c_lo)`` holds for t <= t0, ``(m_hi, c_hi)`` for t >= t0.
    """
    floats = body.atoms(sympy.Float)
    if floats:
        body = body.xreplace({f: sympy.Rational(f) for f in floats})
    if body.free_symbols - {var}:
        return None

    def affine(e: sympy.Expr) -> tuple[fmpq, fmpq] | None:
        if not e.is_polynomial(var):
            return None
        poly = sympy.Poly(e, var)
        if poly.degree() > 1 or not all(c.is_Rational for c in poly.all_coeffs()):
            return None
        m, c = poly.coeff_monomial(var), poly.coeff_monomial(1)
        return fmpq(int(m.p), int(m.q)), fmpq(int(c.p), int(c.q))

    lin = affine(body)
    if lin is not None:
        return ("affine", *lin)
    if isinstance(body, sympy.Abs):
        inner = affine(body.args[0])
        if inner is None:
            return None
        two = [inner, (-inner[0], -inner[1])]
        kind = "max"
    elif isinstance(body, (sympy.Max, sympy.Min)) and len(body.args) == 2:
        two = [affine(a) for a in body.args]
        if None in two:
            return None
        kind = "max" if isinstance(body, sympy.Max) else "min"
    else:
        return None
    (m1, c1), (m2, c2) = two
    if m1 == m2:
        return None
    t0 = (c2 - c1) / (m1 - m2)
    lo, hi = sorted(two, key=lambda mc: mc[0])
    return ("kink", t0, lo, hi) if kind == "max" else ("kink", t0, hi, lo)


def network_pieces(net: Network) -> list[tuple[fmpq_mat, tuple[Any, ...]]]:
    """Each layer as (augmented weights [[1, 0], [b, W]] over QQ, activation pieces); CertificateError if unfit."""
    if not isinstance(net, Network):
        raise _fail(f"network is a {type(net).__name__}, not a Network")
    out = []
    for l, layer in enumerate(net.layers):
        act = pieces(layer.activation.expr, layer.activation.variable)
        if act is None:
            raise _fail(f"layer {l + 1}: activation {layer.activation.expr} is not piecewise affine with rational pieces")
        n, m = layer.width, layer.fan_in
        entries = [ONE] + [ZERO] * m
        for k in range(n):
            entries.append(_q(layer.biases[k], f"biases[{l}][{k}]"))
            entries.extend(_q(layer.weights[k, j], f"weights[{l}][{k},{j}]") for j in range(m))
        out.append((fmpq_mat(n + 1, m + 1, entries), act))
    return out


def domain_rows(domain: Mapping[str, Any], p: int) -> list[list[fmpq]]:
    """The rows ``[d_0, d_1..d_p]`` (meaning ``d_0 + d.x >= 0``) of a domain description."""
    if not isinstance(domain, Mapping) or "kind" not in domain:
        raise _fail("domain must be an object with a 'kind'")
    kind = domain["kind"]
    rows: list[list[fmpq]] = []
    if kind == "space" and set(domain) == {"kind"}:
        return rows
    if kind == "box" and set(domain) == {"kind", "box"}:
        box = domain["box"]
        if not isinstance(box, list) or len(box) != p:
            raise _fail(f"domain.box must list {p} intervals")
        for j, pair in enumerate(box):
            if not isinstance(pair, list) or len(pair) != 2:
                raise _fail(f"domain.box[{j}] must be [lo, hi]")
            lo, hi = decode_q(pair[0], f"box[{j}].lo"), decode_q(pair[1], f"box[{j}].hi")
            if not lo < hi:
                raise _fail(f"domain.box[{j}] = [{lo}, {hi}] is empty or flat")
            e = [ZERO] * (p + 1)
            e[j + 1] = ONE
            rows.append([-lo] + e[1:])
            rows.append([hi] + [-v for v in e[1:]])
        return rows
    if kind == "polytope" and set(domain) == {"kind", "A", "b"}:
        A, b = domain["A"], domain["b"]
        if not isinstance(A, list) or not isinstance(b, list) or len(A) != len(b):
            raise _fail("domain.A and domain.b must be lists of the same length")
        for i, (row, bi) in enumerate(zip(A, b)):
            if not isinstance(row, list) or len(row) != p:
                raise _fail(f"domain.A[{i}] must have {p} entries")
            rows.append([decode_q(bi, f"b[{i}]")] + [-decode_q(v, f"A[{i}]") for v in row])
        return rows
    raise _fail(f"domain {str(dict(domain))[:80]} is not a box, a polytope or the whole space")


# --------------------------------------------------------------- the forms
def _rows_of(mat: fmpq_mat) -> list[list[fmpq]]:
    cols = mat.ncols()
    flat = mat.entries()
    return [flat[i * cols : (i + 1) * cols] for i in range(mat.nrows())]


def forms(layers: list[tuple[fmpq_mat, tuple[Any, ...]]], p: int, pattern: Sequence[int], where: int) -> tuple[list[list[fmpq]], list[list[fmpq]]]:
    """(unit rows s_u (z_u - t0_u), output forms), each ``[const, coeffs...]``, for a canonical pattern.

    CertificateError (rule ``region_form``) if the pattern has the wrong length
    or is not canonical (a unit with constant pre-activation t0 must be 1).
    """
    U = fmpq_mat(p + 1, p + 1, [ONE if i == j else ZERO for i in range(p + 1) for j in range(p + 1)])
    unit_rows: list[list[fmpq]] = []
    index = 0
    out: list[list[fmpq]] = []
    for l, (W, act) in enumerate(layers):
        Z = W * U
        zrows = _rows_of(Z)
        n = len(zrows) - 1
        new = [zrows[0]]
        for k in range(1, n + 1):
            z = zrows[k]
            if act[0] == "affine":
                m, c = act[1], act[2]
            else:
                if index >= len(pattern):
                    raise _fail("the pattern is shorter than the network's kink units", "region_form", where)
                t0 = act[1]
                on = pattern[index]
                index += 1
                g = [z[0] - t0] + z[1:]
                if not any(g[1:]) and g[0] == 0 and on != 1:
                    raise _fail(f"unit {index}: its pre-activation is constantly the kink; the canonical pattern is 1", "region_form", where)
                unit_rows.append(g if on else [-v for v in g])
                m, c = act[3] if on else act[2]
            new.append([m * z[0] + c] + [m * v for v in z[1:]])
        if l == len(layers) - 1:
            out = new[1:]
        else:
            U = fmpq_mat(n + 1, p + 1, [v for row in new for v in row])
    if index != len(pattern):
        raise _fail("the pattern is longer than the network's kink units", "region_form", where)
    return unit_rows, out


def forward(layers: list[tuple[fmpq_mat, tuple[Any, ...]]], x: Sequence[fmpq]) -> list[fmpq]:
    """The network at the exact point x by a plain forward pass (pieces chosen by value)."""
    u = list(x)
    for W, act in layers:
        vec = fmpq_mat(len(u) + 1, 1, [ONE, *u])
        z = (W * vec).entries()[1:]
        if act[0] == "affine":
            u = [act[1] * v + act[2] for v in z]
        else:
            t0, lo, hi = act[1], act[2], act[3]
            u = [(hi[0] * v + hi[1]) if v >= t0 else (lo[0] * v + lo[1]) for v in z]
    return u


def _value(row: Sequence[fmpq], x: Sequence[fmpq]) -> fmpq:
    total = row[0]
    for a, v in zip(row[1:], x):
        if a:
            total += a * v
    return total


def _ratio(h: Sequence[fmpq], g: Sequence[fmpq]) -> fmpq | None:
    """c with h = c g (whole rows, constants included), or None."""
    j = next((i for i, v in enumerate(g) if v != 0), None)
    if j is None:
        return None
    c = h[j] / g[j]
    if all(hv == c * gv for hv, gv in zip(h, g)):
        return c
    return None


# ------------------------------------------------------------------ parsing
def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _vector(items: Any, n: int, where: str) -> list[fmpq]:
    if not isinstance(items, list) or len(items) != n:
        raise _fail(f"{where} must be a list of {n} rationals")
    return [decode_q(v, where) for v in items]


def _matrix(rows: Any, n: int, m: int, where: str) -> list[list[fmpq]]:
    if not isinstance(rows, list) or len(rows) != n:
        raise _fail(f"{where} must have {n} rows")
    return [_vector(r, m, where) for r in rows]


def _keys(obj: Any, required: set[str], optional: set[str], where: str) -> None:
    if not isinstance(obj, dict):
        raise _fail(f"{where} must be an object")
    missing, extra = required - obj.keys(), obj.keys() - required - optional
    if missing or extra:
        raise _fail(f"{where}: missing {sorted(missing)}, unknown {sorted(extra)}")


def read_document(doc: Any) -> dict[str, Any]:
    """Parse a regions document (text, bytes or JSON data) into plain data; CertificateError if malformed.

    Returns ``{"network", "domain", "domain_rows", "regions": [...], "claim"}``
    with numbers as fmpq.  Nothing is checked mathematically here.
    """
    if isinstance(doc, bytes):
        try:
            doc = doc.decode("utf-8")
        except UnicodeDecodeError:
            raise _fail("not UTF-8 text") from None
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except (ValueError, RecursionError) as exc:
            raise _fail(f"not JSON ({exc})") from None
    try:
        return _read(doc)
    except CertificateError:
        raise
    except (SymnetError, ValueError, TypeError, RecursionError, OverflowError, KeyError) as exc:
        raise _fail(f"malformed regions document: {type(exc).__name__}: {exc}") from None


def _read(doc: Any) -> dict[str, Any]:
    _keys(doc, {"format", "version", "expressions", "network", "domain", "units", "regions"}, {"claim"}, "the document")
    if doc["format"] != FORMAT or doc["version"] != VERSION:
        raise _fail(f"format {doc['format']!r} version {doc['version']!r} is not {FORMAT!r} version {VERSION}")
    net = read_network(ExpressionReader(doc["expressions"]), doc["network"])
    p, q = net.p, net.q
    units = doc["units"]
    if not _is_int(units) or units < 0:
        raise _fail("units must be a count")
    drows = domain_rows(doc["domain"], p)
    regs = doc["regions"]
    if not isinstance(regs, list) or not 0 < len(regs) <= MAX_DOCUMENT_REGIONS:
        raise _fail(f"regions must be a non-empty list of at most {MAX_DOCUMENT_REGIONS}")
    m = len(drows) + units
    out = []
    for r, rd in enumerate(regs):
        where = f"regions[{r}]"
        _keys(rd, {"pattern", "matrix", "offset", "interior_point", "inequalities", "facets", "implied"}, set(), where)
        pat = rd["pattern"]
        if not isinstance(pat, str) or len(pat) != units or set(pat) - {"0", "1"}:
            raise _fail(f"{where}.pattern must be a string of {units} digits 0/1")
        facets = []
        if not isinstance(rd["facets"], list) or not isinstance(rd["implied"], list):
            raise _fail(f"{where}: facets and implied must be lists")
        for f in rd["facets"]:
            if not (isinstance(f, list) and len(f) == 3 and _is_int(f[0]) and 0 <= f[0] < m):
                raise _fail(f"{where}: a facet is [row, neighbour or null, witness]")
            if f[1] is not None and not (_is_int(f[1]) and 0 <= f[1] < len(regs)):
                raise _fail(f"{where}: facet neighbour {f[1]!r} is not a region index or null")
            facets.append((f[0], f[1], _vector(f[2], p, f"{where} facet witness")))
        implied = []
        for item in rd["implied"]:
            if not (isinstance(item, list) and len(item) == 2 and _is_int(item[0]) and 0 <= item[0] < m and isinstance(item[1], list)):
                raise _fail(f"{where}: an implied row is [row, [[facet row, multiplier], ...]]")
            lam = []
            for pair in item[1]:
                if not (isinstance(pair, list) and len(pair) == 2 and _is_int(pair[0]) and 0 <= pair[0] < m):
                    raise _fail(f"{where}: a multiplier is [row, value]")
                lam.append((pair[0], decode_q(pair[1], f"{where} multiplier")))
            implied.append((item[0], lam))
        ineq = rd["inequalities"]
        if not isinstance(ineq, list):
            raise _fail(f"{where}.inequalities must be a list")
        out.append(
            {
                "pattern": tuple(int(c) for c in pat),
                "matrix": _matrix(rd["matrix"], q, p, f"{where}.matrix"),
                "offset": _vector(rd["offset"], q, f"{where}.offset"),
                "interior_point": _vector(rd["interior_point"], p, f"{where}.interior_point"),
                "inequalities": [_vector(v, p + 1, f"{where}.inequalities") for v in ineq],
                "facets": facets,
                "implied": implied,
            }
        )
    claim = doc.get("claim")
    if claim is not None:
        claim = _read_claim(claim, p, q, len(regs), m)
    return {"network": net, "domain": doc["domain"], "domain_rows": drows, "units": units, "regions": out, "claim": claim}


def _read_claim(cd: Any, p: int, q: int, n: int, m: int) -> dict[str, Any]:
    _keys(cd, {"kind"}, {"matrix", "offset", "bounds"}, "claim")
    if cd["kind"] == "affine":
        _keys(cd, {"kind", "matrix", "offset"}, set(), "claim")
        return {"kind": "affine", "matrix": _matrix(cd["matrix"], q, p, "claim.matrix"), "offset": _vector(cd["offset"], q, "claim.offset")}
    if cd["kind"] == "bounds":
        _keys(cd, {"kind", "bounds"}, set(), "claim")
        bounds = []
        if not isinstance(cd["bounds"], list) or not cd["bounds"]:
            raise _fail("claim.bounds must be a non-empty list")
        for b in cd["bounds"]:
            _keys(b, {"output", "sense", "value", "point", "multipliers"}, set(), "a bound")
            if not (_is_int(b["output"]) and 0 <= b["output"] < q) or b["sense"] not in ("<=", ">="):
                raise _fail("a bound needs an output index and sense '<=' or '>='")
            point = None if b["point"] is None else _vector(b["point"], p, "bound point")
            if not isinstance(b["multipliers"], list) or len(b["multipliers"]) != n:
                raise _fail("a bound needs one multiplier list per region")
            mult = []
            for lst in b["multipliers"]:
                if not isinstance(lst, list):
                    raise _fail("bound multipliers must be lists")
                row = []
                for pair in lst:
                    if not (isinstance(pair, list) and len(pair) == 2 and _is_int(pair[0]) and 0 <= pair[0] < m):
                        raise _fail("a bound multiplier is [row, value]")
                    row.append((pair[0], decode_q(pair[1], "bound multiplier")))
                mult.append(row)
            bounds.append({"output": b["output"], "sense": b["sense"], "value": decode_q(b["value"], "bound value"), "point": point, "multipliers": mult})
        return {"kind": "bounds", "bounds": bounds}
    raise _fail(f"claim.kind {cd['kind']!r} is not 'affine' or 'bounds'")


# ------------------------------------------------------------------ checking
def check_regions(data: Mapping[str, Any]) -> bool:
    """Re-verify parsed regions data (see :func:`read_document`): True, or CertificateError naming the rule.

    The region index is reported as the error's ``step``.
    """
    net: Network = data["network"]
    layers = network_pieces(net)
    p = net.p
    drows = data["domain_rows"]
    regs = data["regions"]
    kinks = sum(layer.width for layer, (_, act) in zip(net.layers, layers) if act[0] == "kink")
    if kinks != data["units"]:
        raise _fail(f"the network has {kinks} kink units, the document says {data['units']}", "region_form")
    seen: dict[tuple[int, ...], int] = {}
    all_rows: list[list[list[fmpq]]] = []
    out_forms: list[list[list[fmpq]]] = []
    for r, reg in enumerate(regs):
        if reg["pattern"] in seen:
            raise _fail(f"its pattern repeats region {seen[reg['pattern']]}", "distinct", r)
        seen[reg["pattern"]] = r
        urows, out = forms(layers, p, reg["pattern"], r)
        rows = drows + urows
        all_rows.append(rows)
        out_forms.append(out)
        for i in range(net.q):
            if out[i][0] != reg["offset"][i] or out[i][1:] != reg["matrix"][i]:
                raise _fail(f"output {i}: the stated affine form is not the network's on this pattern", "region_form", r)
        x = reg["interior_point"]
        at_x = (fmpq_mat(len(rows), p + 1, [v for row in rows for v in row]) * fmpq_mat(p + 1, 1, [ONE, *x])).entries() if rows else []
        for i, row in enumerate(rows):
            if not at_x[i] > 0 and (any(row[1:]) or row[0] != 0):
                raise _fail(f"row {i} is not strictly positive at the interior point", "interior_point", r)
        fx = forward(layers, x)
        if any(fx[i] != _value(out[i], x) for i in range(net.q)):
            raise _fail("the network's forward pass at the interior point differs from the form", "interior_point", r)
    p1 = p + 1
    mats = [fmpq_mat(len(rows), p1, [v for row in rows for v in row]) for rows in all_rows]
    for r, reg in enumerate(regs):
        rows = all_rows[r]
        facet_rows: set[int] = set()
        stated = []
        facets = reg["facets"]
        if facets:
            wm = fmpq_mat(p1, len(facets), [ONE if j == 0 else w[j - 1] for j in range(p1) for _, _, w in facets])
            at = (mats[r] * wm).entries()  # row values at every witness
        nf = len(facets)
        for f, (i, nb, w) in enumerate(facets):
            if i in facet_rows:
                raise _fail(f"row {i} is listed as a facet twice", "facet", r)
            facet_rows.add(i)
            g = rows[i]
            stated.append(g)
            if not any(g[1:]):
                raise _fail(f"row {i} is constant; it spans no facet", "facet", r)
            if at[i * nf + f] != 0:
                raise _fail(f"the witness of facet row {i} is not on its hyperplane", "facet", r)
            for j in range(len(rows)):
                if j != i and not at[j * nf + f] > 0:
                    h = rows[j]
                    c = _ratio(h, g) if any(h) else ZERO
                    if c is None or c < 0:
                        raise _fail(f"facet row {i}: row {j} is tight at the witness and not a multiple of it", "facet", r)
            on_boundary = any((c := _ratio(d, g)) is not None and c > 0 for d in drows)
            if nb is None:
                if not on_boundary:
                    raise _fail(f"facet row {i} is not on the boundary of the domain but names no neighbour", "domain_boundary", r)
                continue
            if on_boundary:
                raise _fail(f"facet row {i} lies on the boundary of the domain; it has no neighbour", "neighbour", r)
            there = (mats[nb] * fmpq_mat(p1, 1, [ONE, *w])).entries()
            for j, v in enumerate(there):
                if not v > 0:
                    h = all_rows[nb][j]
                    c = _ratio(h, g) if any(h) else ZERO
                    if c is None or c > 0:
                        raise _fail(f"facet row {i}: region {nb} does not contain the far side of the facet (its row {j})", "neighbour", r)
        if [list(g) for g in stated] != reg["inequalities"]:
            raise _fail("the stated inequalities are not the facet rows", "facet", r)
        implied: set[int] = set()
        m = len(rows)
        lam_rows: list[fmpq] = []
        for i, lam in reg["implied"]:
            if i in facet_rows or i in implied:
                raise _fail(f"row {i} is listed twice", "implied_row", r)
            implied.add(i)
            dense = [ZERO] * m
            for j, v in lam:
                if j not in facet_rows or v < 0:
                    raise _fail(f"row {i}: multipliers must be non-negative and on facet rows", "implied_row", r)
                dense[j] += v
            lam_rows.extend(dense)
        if reg["implied"]:
            combos = (fmpq_mat(len(reg["implied"]), m, lam_rows) * mats[r]).entries()  # sum_j lambda_j g_j, per implied row
            for t, (i, _) in enumerate(reg["implied"]):
                combo, h = combos[t * p1 : (t + 1) * p1], rows[i]
                if combo[1:] != h[1:] or h[0] - combo[0] < 0:
                    raise _fail(f"row {i} is not the stated combination of facet rows plus a non-negative constant", "implied_row", r)
        missing = set(range(len(rows))) - facet_rows - implied
        if missing:
            raise _fail(f"rows {sorted(missing)} are neither facets nor implied by them", "implied_row", r)
    claim = data.get("claim")
    if claim is not None:
        _check_claim(claim, layers, net, regs, all_rows, out_forms, drows)
    return True


def _check_claim(claim: Mapping[str, Any], layers: Any, net: Network, regs: Any, all_rows: Any, out_forms: Any, drows: Any) -> None:
    if claim["kind"] == "affine":
        for r, out in enumerate(out_forms):
            for i in range(net.q):
                if out[i][0] != claim["offset"][i] or out[i][1:] != claim["matrix"][i]:
                    raise _fail(f"output {i}: this region's form differs from the claimed affine map", "affine_on_domain", r)
        return
    for b in claim["bounds"]:
        k, t, sense = b["output"], b["value"], b["sense"]
        for r, lam in enumerate(b["multipliers"]):
            f = out_forms[r][k]
            h = [t - f[0]] + [-v for v in f[1:]] if sense == "<=" else [f[0] - t] + f[1:]
            combo = [ZERO] * (net.p + 1)
            for j, v in lam:
                if v < 0:
                    raise _fail("bound multipliers must be non-negative", "bound_output", r)
                combo = [a + v * c for a, c in zip(combo, all_rows[r][j])]
            if combo[1:] != h[1:] or h[0] - combo[0] < 0:
                raise _fail(f"output {k} {sense} {t} does not follow from the multipliers on this region", "bound_output", r)
        if b["point"] is not None:
            x = b["point"]
            if any(_value(d, x) < 0 for d in drows):
                raise _fail(f"the point attaining output {k} = {t} is outside the domain", "attain_bound")
            if forward(layers, x)[k] != t:
                raise _fail(f"the network at the stated point is not {t}", "attain_bound")


def check_document(doc: Any) -> bool:
    """Parse and re-verify a regions document (JSON text, bytes or data): True, or CertificateError."""
    return check_regions(read_document(doc))
