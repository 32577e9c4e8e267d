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

The document is read by :mod:`symnet.certificate` (:class:`RegionsDocument`);
the network goes through the gate (:mod:`symnet.kernel.gate`) first.  This
module imports only sympy, python-flint, the gate and the plain data modules;
it never calls an LP solver.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import chain
from typing import Any

import sympy
from flint import fmpq, fmpq_mat

from ..certificate.documents import Bound, RegionsDocument
from ..errors import CertificateError
from ..model.core import NetworkData as Network
from .gate import ActivationForm, IllFormed, NetworkForm, gate_network
from .qq import augmented
from .ring import Exact

__all__ = [
    "check_regions",
    "combination",
    "forms",
    "forward",
    "network_pieces",
]

ZERO = fmpq(0)
ONE = fmpq(1)
#: A numeric piecewise-affine network's layers: ([[1, 0], [b, W]] over QQ, the activation's pieces) each.
Layers = list[tuple[fmpq_mat, tuple[Any, ...]]]


def _fail(message: str, rule: str | None = None, region: int | None = None) -> CertificateError:
    return CertificateError(message, step=region, rule=rule)


# -------------------------------------------------------------- activations
def _affine(ring: Exact, e: sympy.Expr) -> tuple[fmpq, fmpq]:
    """(m, c) when ``e`` is ``m t + c`` in the ring's one generator, rationals only; IllFormed otherwise."""
    poly = ring.poly(e, "an activation")
    if not poly.is_zero() and poly.degrees()[0] > 1:
        raise IllFormed("an activation piece is not affine")
    terms = dict(poly.terms())
    return terms.get((1,), ZERO), terms.get((0,), ZERO)


def pieces(act: ActivationForm) -> tuple[Any, ...] | None:
    """``("affine", m, c)`` or ``("kink", t0, (m_lo, c_lo), (m_hi, c_hi))`` (fmpq) of a gated activation, or None.

    A kink is ``Max``/``Min`` of two affine pieces or ``Abs`` of one (``Max(e, -e)``), with
    rational coefficients; ``(m_lo, c_lo)`` holds for t <= t0, ``(m_hi, c_hi)`` for t >= t0.
    """
    body, ring = act.body, Exact([act.variable])
    if body.free_symbols - {act.variable}:
        return None
    try:
        if act.is_polynomial:
            return ("affine", *_affine(ring, body))
        if isinstance(body, sympy.Abs):
            args, is_max = (body.args[0], -body.args[0]), True
        elif isinstance(body, (sympy.Max, sympy.Min)) and len(body.args) == 2:
            args, is_max = body.args, isinstance(body, sympy.Max)
        else:
            return None
        lo, hi = sorted((_affine(ring, a) for a in args), key=lambda mc: mc[0])
    except IllFormed:
        return None
    if lo[0] == hi[0]:
        return None
    t0 = (hi[1] - lo[1]) / (lo[0] - hi[0])
    return ("kink", t0, lo, hi) if is_max else ("kink", t0, hi, lo)


def network_pieces(net: Network, form: NetworkForm | None = None) -> Layers:
    """Each layer as (augmented weights [[1, 0], [b, W]] over QQ, activation pieces), through the gate.

    ``form`` is the gate's reading of ``net`` when the caller has it already.
    """
    form = gate_network(net) if form is None else form
    if form.parameters:
        raise _fail(
            "the network has symbolic weights or activation parameters; regions need numeric ones", "region_form"
        )
    out = []
    for l, act in enumerate(form.activations, start=1):
        shape = pieces(act)
        W, b = form.flat_weights[l - 1], form.biases[l - 1]  # as the gate read them: no symbol, no Float
        if shape is None:
            raise _fail(f"layer {l}: activation {act.body} is not piecewise affine with rational pieces", "region_form")
        if not all(e.is_Rational for e in chain(W, b)):
            raise _fail(f"layer {l}: a weight or bias is not an exact number; regions need numeric ones", "region_form")
        cols = len(form.biases[l - 2]) if l > 1 else len(form.inputs)  # a layer may have no unit
        out.append((augmented(_qq(W, len(b), cols), _qq(b, len(b), 1)), shape))
    return out


def _qq(entries: Sequence[Any], rows: int, cols: int) -> fmpq_mat:
    return fmpq_mat(rows, cols, [fmpq(int(e.p), int(e.q)) for e in entries])


# --------------------------------------------------------------- the forms
def _on_pieces(act: tuple[Any, ...], bits: Sequence[int]) -> fmpq_mat:
    """The activation on ``(1, z)`` with unit k on its high piece when ``bits[k]`` (else its low one), as one
    matrix ``[[1, 0], [c, diag(m)]]`` over QQ (an affine activation has one piece)."""
    n = len(bits)
    M = fmpq_mat(n + 1, n + 1)
    M[0, 0] = ONE
    for k, on in enumerate(bits, start=1):
        M[k, k], M[k, 0] = act[1:] if act[0] == "affine" else act[3] if on else act[2]
    return M


def forms(layers: Layers, p: int, pattern: Sequence[int], where: int) -> tuple[list[list[fmpq]], list[list[fmpq]]]:
    """(unit rows s_u (z_u - t0_u), output forms), each ``[const, coeffs...]``, for a canonical pattern.

    CertificateError (rule ``region_form``) if the pattern has the wrong length
    or is not canonical (a unit with constant pre-activation t0 must be 1).
    """
    if len(pattern) != sum(W.nrows() - 1 for W, act in layers if act[0] == "kink"):
        raise _fail("the pattern's length is not the network's number of kink units", "region_form", where)
    U = fmpq_mat(p + 1, p + 1, [ONE if i == j else ZERO for i in range(p + 1) for j in range(p + 1)])
    unit_rows: list[list[fmpq]] = []
    for W, act in layers:
        Z = W * U
        bits = [1] * (W.nrows() - 1)
        if act[0] == "kink":
            bits = list(pattern[len(unit_rows) : len(unit_rows) + len(bits)])
            for on, z in zip(bits, Z.tolist()[1:], strict=True):
                g = [z[0] - act[1], *z[1:]]
                if not any(g) and on != 1:
                    raise _fail(
                        f"unit {len(unit_rows) + 1}: its pre-activation is constantly the kink; the canonical bit is 1",
                        "region_form",
                        where,
                    )
                unit_rows.append(g if on else [-v for v in g])
        U = _on_pieces(act, bits) * Z
    return unit_rows, U.tolist()[1:]


def forward(layers: Layers, x: Sequence[fmpq]) -> list[fmpq]:
    """The network at the exact point x by a plain forward pass (pieces chosen by value)."""
    u = fmpq_mat(len(x) + 1, 1, [ONE, *x])
    for W, act in layers:
        z = W * u
        u = _on_pieces(act, [act[0] == "affine" or v >= act[1] for v in z.entries()[1:]]) * z
    return u.entries()[1:]


def _matrix(rows: Sequence[Sequence[fmpq]], width: int) -> fmpq_mat:
    """The rows (each of ``width`` numbers) as one matrix."""
    return fmpq_mat(len(rows), width, [v for row in rows for v in row])


def _at(rows: fmpq_mat, x: Sequence[fmpq]) -> list[fmpq]:
    """Each row ``[const, coeffs...]`` of the matrix at the exact point x."""
    return (rows * fmpq_mat(len(x) + 1, 1, [ONE, *x])).entries()


def _differing_output(out: Sequence[list[fmpq]], matrix: Sequence[list[fmpq]], offset: Sequence[fmpq]) -> int | None:
    """The first output whose form ``[const, coeffs...]`` is not ``offset[i] + matrix[i] . x``, or None."""
    return next((i for i, f in enumerate(out) if f != [offset[i], *matrix[i]]), None)


def _ratio(h: Sequence[fmpq], g: Sequence[fmpq]) -> fmpq | None:
    """c with h = c g (whole rows, constants included; g is not zero), or None."""
    if h is g:
        return ONE
    j = next(i for i, v in enumerate(g) if v != 0)
    c = h[j] / g[j]
    return c if all(hv == c * gv for hv, gv in zip(h, g, strict=True)) else None


# ------------------------------------------------------------------ checking
class _Cells:
    """What the rules share: the network's layers, the domain rows, every region's rows and output forms."""

    def __init__(self, doc: RegionsDocument) -> None:
        self.doc = doc
        self.layers = network_pieces(doc.network)
        self.p = doc.network.p
        self.drows = doc.domain_rows
        self.rows: list[list[list[fmpq]]] = []
        self.outs: list[list[list[fmpq]]] = []
        self.mats: list[fmpq_mat] = []


def _rule_region_form(cells: _Cells) -> None:
    """region_form / distinct / interior_point: stated forms are the patterns', patterns differ, points are inside."""
    doc, p = cells.doc, cells.p
    kinks = sum(W.nrows() - 1 for W, act in cells.layers if act[0] == "kink")
    if kinks != doc.units:
        raise _fail(f"the network has {kinks} kink units, the document says {doc.units}", "region_form")
    seen: dict[tuple[int, ...], int] = {}
    for r, reg in enumerate(doc.regions):
        if reg.pattern in seen:
            raise _fail(f"its pattern repeats region {seen[reg.pattern]}", "distinct", r)
        seen[reg.pattern] = r
        urows, out = forms(cells.layers, p, reg.pattern, r)
        rows = cells.drows + urows
        cells.rows.append(rows)
        cells.outs.append(out)
        cells.mats.append(_matrix(rows, p + 1))
        if (i := _differing_output(out, reg.matrix, reg.offset)) is not None:
            raise _fail(f"output {i}: the stated affine form is not the network's on this pattern", "region_form", r)
        x = reg.interior_point
        for i, (row, v) in enumerate(zip(rows, _at(cells.mats[r], x), strict=True)):
            if not v > 0 and any(row):
                raise _fail(f"row {i} is not strictly positive at the interior point", "interior_point", r)
        if forward(cells.layers, x) != _at(_matrix(out, p + 1), x):
            raise _fail("the network's forward pass at the interior point differs from the form", "interior_point", r)


def _cut_elsewhere(values: Sequence[fmpq], rows: Sequence[Sequence[fmpq]], g: Sequence[fmpq], sign: int) -> int | None:
    """The first row j not positive at a point (``values[j]``) nor ``c g`` with ``sign * c >= 0``, or None.

    None: near the point, the rows cut out exactly the half-space ``sign * g >= 0`` (g is not constant).
    """
    tight = [j for j, v in enumerate(values) if not v > 0]
    return next((j for j in tight if (c := _ratio(rows[j], g)) is None or sign * c < 0), None)


def _rule_facet(cells: _Cells) -> None:
    """facet / neighbour / domain_boundary: each listed facet is one, on D's boundary or naming the region beyond."""
    for r, reg in enumerate(cells.doc.regions):
        rows, facets = cells.rows[r], reg.facets
        listed: set[int] = set()
        for i, nb, w in facets:
            if i in listed:
                raise _fail(f"row {i} is listed as a facet twice", "facet", r)
            listed.add(i)
            g = rows[i]
            if not any(g[1:]):
                raise _fail(f"row {i} is constant; it spans no facet", "facet", r)
            at = _at(cells.mats[r], w)
            if at[i] != 0:
                raise _fail(f"the witness of facet row {i} is not on its hyperplane", "facet", r)
            if (j := _cut_elsewhere(at, rows, g, 1)) is not None:
                raise _fail(f"facet row {i}: row {j} is tight at the witness and not a multiple of it", "facet", r)
            if any((c := _ratio(d, g)) is not None and c > 0 for d in cells.drows) != (nb is None):
                if nb is None:
                    raise _fail(f"facet row {i} is off the domain's boundary, with no neighbour", "domain_boundary", r)
                raise _fail(f"facet row {i} lies on the boundary of the domain; it has no neighbour", "neighbour", r)
            if nb is not None and (j := _cut_elsewhere(_at(cells.mats[nb], w), cells.rows[nb], g, -1)) is not None:
                message = f"facet row {i}: region {nb} does not contain the far side of the facet (its row {j})"
                raise _fail(message, "neighbour", r)
        if [rows[i] for i, _, _ in facets] != reg.inequalities:
            raise _fail("the stated inequalities are not the facet rows", "facet", r)


def combination(lam: Sequence[tuple[int, fmpq]], rows: Sequence[Sequence[fmpq]], width: int) -> list[fmpq]:
    """The row ``sum v * rows[j]`` over the multipliers ``(j, v)``."""
    return (fmpq_mat(1, len(lam), [v for _, v in lam]) * _matrix([rows[j] for j, _ in lam], width)).entries()


def _implied(h: Sequence[fmpq], lam: Sequence[tuple[int, fmpq]], rows: Sequence[Sequence[fmpq]]) -> bool:
    """``h >= 0`` follows from ``rows >= 0``: ``h = sum v rows[j] + mu`` with every multiplier v and mu >= 0."""
    if any(v < 0 for _, v in lam):
        return False
    combo = combination(lam, rows, len(h))
    return combo[1:] == list(h[1:]) and h[0] - combo[0] >= 0


def _rule_implied_row(cells: _Cells) -> None:
    """implied_row: every other row is a non-negative combination of facet rows plus a constant >= 0."""
    for r, reg in enumerate(cells.doc.regions):
        rows = cells.rows[r]
        facet_rows = {i for i, _, _ in reg.facets}
        implied: set[int] = set()
        for i, lam in reg.implied:
            if i in facet_rows or i in implied:
                raise _fail(f"row {i} is listed twice", "implied_row", r)
            implied.add(i)
            if any(j not in facet_rows for j, _ in lam) or not _implied(rows[i], lam, rows):
                message = f"row {i} is not the stated non-negative combination of facet rows plus a constant >= 0"
                raise _fail(message, "implied_row", r)
        missing = set(range(len(rows))) - facet_rows - implied
        if missing:
            raise _fail(f"rows {sorted(missing)} are neither facets nor implied by them", "implied_row", r)


def _claim_affine(cells: _Cells, matrix: list[list[fmpq]], offset: list[fmpq]) -> None:
    """affine_on_domain: every region has the claimed form, so the network is that affine map on D."""
    for r, out in enumerate(cells.outs):
        if (i := _differing_output(out, matrix, offset)) is not None:
            raise _fail(f"output {i}: this region's form differs from the claimed affine map", "affine_on_domain", r)


def _claim_bounds(cells: _Cells, bounds: Sequence[Bound]) -> None:
    """bound_output / attain_bound: ``output <= t`` (or >=) per region by Farkas multipliers; a point in D attains t."""
    for b in bounds:
        k, t, sense = b.output, b.value, b.sense
        for r, lam in enumerate(b.multipliers):
            f = cells.outs[r][k]
            h = [t - f[0]] + [-v for v in f[1:]] if sense == "<=" else [f[0] - t] + f[1:]
            if not _implied(h, lam, cells.rows[r]):
                raise _fail(
                    f"output {k} {sense} {t} does not follow from the multipliers on this region", "bound_output", r
                )
        if b.point is not None:
            if any(v < 0 for v in _at(_matrix(cells.drows, cells.p + 1), b.point)):
                raise _fail(f"the point attaining output {k} = {t} is outside the domain", "attain_bound")
            if forward(cells.layers, b.point)[k] != t:
                raise _fail(f"the network at the stated point is not {t}", "attain_bound")


#: The rules every regions document passes, in order (each names the rules it applies in its docstring).
RULES: tuple[Callable[[_Cells], None], ...] = (_rule_region_form, _rule_facet, _rule_implied_row)
#: The claim kinds and their rules.
CLAIMS: dict[str, Callable[..., None]] = {"affine": _claim_affine, "bounds": _claim_bounds}


def check_regions(doc: RegionsDocument) -> bool:
    """Re-verify a regions document: True, or CertificateError naming the rule (the region index as its ``step``)."""
    if not isinstance(doc, RegionsDocument):
        raise CertificateError(f"expected a RegionsDocument, got {type(doc).__name__}")
    cells = _Cells(doc)
    for rule in RULES:
        rule(cells)
    if doc.claim is not None:
        CLAIMS[doc.claim[0]](cells, *doc.claim[1:])
    return True
