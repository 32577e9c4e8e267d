"""Exact linear regions of piecewise-affine networks: a ReLU network as a piecewise multiple linear regression.

A network whose activations are ``relu``, ``leaky_relu``, ``abs`` (more generally
``Max``/``Min`` of two affine pieces) or affine, with numeric weights (floats
taken at their exact binary values), is one affine map ``W_r x + b_r`` on each
cell of its units' on/off patterns.  :func:`regions` lists those cells exactly
over a domain: a box ``box=[(lo, hi), ...]``, a polytope ``polytope=(A, b)``
(``A x <= b``), or -- by default -- all of R^p.

The enumeration is a search across facets: it starts from the region of a
point inside the domain and, for every facet of every region found, steps
across it (the units tight on the facet flip; later layers are recomputed
from the point on the facet) until no new region appears.  Each layer's affine
forms are computed once per distinct pattern prefix with python-flint's exact
``fmpq_mat``; the polyhedral work (facets, vertices) is done exactly over QQ by
the Parma Polyhedra Library (pplpy).  Nothing is rounded.

Each region carries its certificate: facets with a witness point and the
neighbour across them (or the domain boundary), Farkas multipliers for every
other row, an exact interior point.  ``Regions.check()`` re-verifies all of it
with :mod:`symnet.kernel.regions_cert`, which imports no LP solver and none of
this module; the facet-neighbour closure proves that the regions cover the domain.

>>> import symnet
>>> net = symnet.Network.from_matrices([[[1], [1]], [[1, 1]]], [[0, -1], [0]], activation="relu")
>>> regs = symnet.regions(net)
>>> len(regs), regs.is_affine, regs.check()
(3, False, True)
>>> regs.locate([2])[0].matrix
Matrix([[2]])
>>> len(symnet.regions(net, box=[(-1, 1)]))
2
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from flint import fmpq, fmpq_mat, fmpz_mat

from ..certificate.documents import domain_rows
from ..certificate.writing import encode_q
from ..errors import (
    ActivationError,
    CertificateError,
    ExactLPError,
    InvalidArgument,
    InvalidType,
    ShapeError,
    SizeGuardError,
)
from ..kernel import regions_cert as kernel
from ..model.network import Network
from ..results._rationals import fq
from ..results.piecewise import PiecewiseProof
from ..results.regions import Region, Regions
from ._polyhedra import ONE, ZERO, Polyhedra
from ._polyhedra import integer_row as _integer_row

__all__ = [
    "MAX_REGIONS",
    "MAX_REGION_UNITS",
    "ExactLPError",
    "PiecewiseProof",
    "Region",
    "Regions",
    "prove_affine",
    "regions",
]


#: regions() refuses networks with more kink units (relu, leaky_relu, ...) than this.
MAX_REGION_UNITS = 400
#: regions() stops with SizeGuardError when it has found more regions than this (``max_regions=``).
MAX_REGIONS = 50_000


#: A layer's pre-activation forms: the matrix Z, its rows, and the kink units' rows as integers.
_LayerForms = tuple[fmpq_mat, list[list[fmpq]], list[list[int]] | None]


# ------------------------------------------------------------------ domain
def _domain(p: int, box: Any, polytope: Any) -> dict[str, Any]:
    enc = encode_q
    if box is not None and polytope is not None:
        raise InvalidArgument("give box= or polytope=, not both")
    if box is not None:
        if isinstance(box, (str, bytes)) or not hasattr(box, "__len__") or len(box) != p:
            raise ShapeError(f"box must list {p} intervals (lo, hi), one per input; got {box!r}")
        pairs = []
        for j, pair in enumerate(box):
            if isinstance(pair, (str, bytes)) or not hasattr(pair, "__len__") or len(pair) != 2:
                raise InvalidArgument(f"box[{j}]={pair!r} is not a pair (lo, hi)")
            lo, hi = fq(pair[0], f"box[{j}][0]"), fq(pair[1], f"box[{j}][1]")
            if not lo < hi:
                raise InvalidArgument(f"box[{j}]=({lo}, {hi}) is empty or flat: it needs lo < hi")
            pairs.append([enc(lo), enc(hi)])
        return {"kind": "box", "box": pairs}
    if polytope is not None:
        if not isinstance(polytope, (tuple, list)) or len(polytope) != 2:
            raise InvalidArgument("polytope must be a pair (A, b) meaning A x <= b")
        A, b = polytope
        if len(A) != len(b):
            raise ShapeError(f"polytope: A has {len(A)} rows but b has {len(b)} entries")
        rows = []
        for i, row in enumerate(A):
            if len(row) != p:
                raise ShapeError(f"polytope: A[{i}] has {len(row)} entries; the network has {p} inputs")
            rows.append([enc(fq(v, f"A[{i}][{j}]")) for j, v in enumerate(row)])
        return {"kind": "polytope", "A": rows, "b": [enc(fq(v, f"b[{i}]")) for i, v in enumerate(b)]}
    return {"kind": "space"}


# ------------------------------------------------------------------ search
class _Search(Polyhedra):
    """State of one enumeration: the network's layers over QQ, a cache of pattern prefixes, PPL calls."""

    def __init__(
        self, net: Network, domain: dict[str, Any], max_regions: int, progress: Callable[[int, int], None] | None
    ) -> None:
        import ppl  # type: ignore[import-untyped]  # the exact polyhedral library; imported here so `import symnet` stays light

        self.ppl = ppl
        self.net = net
        self.p = net.p
        try:
            self.layers = kernel.network_pieces(net)
        except CertificateError as exc:
            raise ActivationError(f"regions needs numeric weights and relu-type or affine activations: {exc}") from None
        self.kinks = [act[0] == "kink" for _, act in self.layers]
        self.units = sum(W.nrows() - 1 for (W, _), k in zip(self.layers, self.kinks, strict=True) if k)
        self.drows = domain_rows(domain, self.p)
        self.k = len(self.drows)
        self.cache: list[dict[tuple[int, ...], _LayerForms]] = [{} for _ in self.layers]
        self.max_regions = max_regions
        self.progress = progress
        self.polyhedra = 0
        self.lps = 0
        self.vars = [ppl.Variable(j) for j in range(self.p)]
        keyed: dict[tuple[int, ...], int] = {}
        for i, row in enumerate(self.drows):
            keyed.setdefault(tuple(_integer_row(row)), i)
        self.domain_keys = keyed
        self.dints = [_integer_row(row) for row in self.drows]
        self.domain_points: fmpz_mat | None = None  # the vertices of a bounded domain, set by seed_point

    # --- patterns and forms at a point, with lexicographic tie-breaking
    def _layer(self, l: int, prefix: tuple[int, ...], U: fmpq_mat | None) -> _LayerForms:
        """Layer l's pre-activation forms (Z, rows, integer unit rows) after the units of ``prefix``; cached."""
        entry = self.cache[l].get(prefix)
        if entry is None:
            W, act = self.layers[l]
            Z = W * U if U is not None else W
            cols = self.p + 1
            flat = Z.entries()
            zrows = [flat[i * cols : (i + 1) * cols] for i in range(Z.nrows())]
            ints = None
            if act[0] == "kink":
                t0 = act[1]
                if t0 != 0:
                    zrows = [zrows[0]] + [[z[0] - t0] + z[1:] for z in zrows[1:]]
                    Z = fmpq_mat(Z.nrows(), cols, [v for row in zrows for v in row])
                ints = [_integer_row(z) for z in zrows[1:]]
            entry = (Z, zrows, ints)
            self.cache[l][prefix] = entry
        return entry

    def region_at(
        self, x: list[fmpq] | None, directions: list[list[fmpq]], given: tuple[int, ...] | None = None
    ) -> tuple[tuple[int, ...], list[list[fmpq]], list[list[fmpq]], list[list[int]]]:
        """(pattern, unit rows, output forms, integer rows) of the cell of x + eps d_1 + eps^2 d_2 + ... (tiny eps).

        With ``given`` (a pattern), the forms of that pattern instead.
        """
        p = self.p
        xvec = fmpq_mat(p + 1, 1, [ONE, *x]) if x is not None else None
        pattern: tuple[int, ...] = ()
        unit_rows: list[list[fmpq]] = []
        int_rows: list[list[int]] = []
        U: fmpq_mat | None = None  # layer 1 reads x itself: Z = W_1
        last = len(self.layers) - 1
        for l, (_, act) in enumerate(self.layers):
            Z, zrows, ints = self._layer(l, pattern, U)
            n = len(zrows) - 1
            bits: list[int] = []
            if act[0] == "kink":
                vals = (Z * xvec).entries() if xvec is not None else None
                start = len(pattern)
                for k in range(1, n + 1):
                    g = zrows[k]
                    if vals is None:
                        on = given[start + k - 1]  # type: ignore[index]
                    elif (v := vals[k]) > 0:
                        on = 1
                    elif v < 0:
                        on = 0
                    elif not any(g[1:]):
                        on = 1
                    else:
                        on = 1
                        for d in directions:
                            dv = sum((a * b for a, b in zip(g[1:], d, strict=True) if a), ZERO)
                            if dv != 0:
                                on = 1 if dv > 0 else 0
                                break
                    bits.append(on)
                    if on:
                        unit_rows.append(g)
                        int_rows.append(ints[k - 1])  # type: ignore[index]
                    else:
                        unit_rows.append([-v for v in g])
                        int_rows.append([-v for v in ints[k - 1]])  # type: ignore[index]
                pattern = pattern + tuple(bits)
            if l == last:
                out = self._apply(zrows, act, bits)[1:]
                return pattern, unit_rows, out, int_rows
            nxt = self.cache[l + 1].get(pattern)
            if nxt is None:
                new = self._apply(zrows, act, bits)
                U = fmpq_mat(n + 1, p + 1, [v for row in new for v in row])
            else:
                U = None
        raise AssertionError("unreachable")

    def _apply(self, zrows: list[list[fmpq]], act: tuple[Any, ...], bits: list[int]) -> list[list[fmpq]]:
        """The layer's outputs as affine forms: each unit's piece applied to its (shifted) pre-activation."""
        new = [zrows[0]]
        if act[0] == "affine":
            m, c = act[1], act[2]
            return new + [[m * z[0] + c] + [m * v for v in z[1:]] for z in zrows[1:]]
        t0 = act[1]
        for k, z in enumerate(zrows[1:]):
            m, c = act[3] if bits[k] else act[2]
            c = c + m * t0  # z here is z - t0
            if m == 0:
                new.append([c] + [ZERO] * (len(z) - 1))
            elif m == 1:
                new.append([z[0] + c] + z[1:])
            else:
                new.append([m * z[0] + c] + [m * v for v in z[1:]])
        return new

    def _implied_by_domain(self, uints: list[list[int]]) -> set[int] | None:
        """Indices (in the cell's rows) of the unit rows positive at every vertex of a bounded domain.

        Such a row holds strictly on the whole domain: it is no facet and the cell is the same without it,
        so the polyhedral library need not see it (exact integer test; None when the domain is unbounded).
        """
        if self.domain_points is None or not uints:
            return None
        vals = (fmpz_mat(len(uints), self.p + 1, [v for row in uints for v in row]) * self.domain_points).entries()
        cols = self.domain_points.ncols()
        return {
            self.k + u for u in range(len(uints)) if all(v > 0 for v in vals[u * cols : (u + 1) * cols])
        }

    # --- the facet search
    def seed_point(self) -> list[fmpq]:
        ppl = self.ppl
        P = self.polyhedron(self.dints)
        if P.affine_dimension() != self.p:
            raise InvalidArgument("the domain is empty or not full-dimensional")
        points, rays = [], []
        for gen in P.minimized_generators():
            if gen.is_point():
                d = int(gen.divisor())
                points.append([fmpq(int(v), d) for v in gen.coefficients()])
            elif gen.is_ray():
                rays.append([fmpq(int(v)) for v in gen.coefficients()])
        del ppl
        if points and not rays and all(gen.is_point() for gen in P.minimized_generators()):
            # a bounded domain: its vertices (columns [d, v]) let describe() skip the unit rows it implies
            cols = [[int(g.divisor())] + [int(v) for v in g.coefficients()] for g in P.minimized_generators()]
            self.domain_points = fmpz_mat(self.p + 1, len(cols), [c[i] for i in range(self.p + 1) for c in cols])
        return [
            sum((pt[j] for pt in points), ZERO) / len(points) + sum((r[j] for r in rays), ZERO) for j in range(self.p)
        ]

    def run(self) -> tuple[Region, ...]:
        p = self.p
        generic = [[fmpq(1, j + 2) for j in range(p)]] + [[ONE if i == j else ZERO for j in range(p)] for i in range(p)]
        seed = self.seed_point()
        first = self.region_at(seed, generic)
        index: dict[tuple[int, ...], int] = {first[0]: 0}
        pending: list[Any] = [first]
        unit_layer = [
            l
            for l, ((W, _), kink) in enumerate(zip(self.layers, self.kinks, strict=True))
            if kink
            for _ in range(W.nrows() - 1)
        ]
        last_kink = max(unit_layer, default=-1)
        found: list[Region] = []
        head = 0
        while head < len(pending):
            entry = pending[head]
            if isinstance(entry[0], int):
                entry = self.region_at(None, [], entry)
            pattern, urows, out, uints = entry
            pending[head] = None
            head += 1
            rows = self.drows + urows
            desc = self.describe(rows, self.dints + uints, self._implied_by_domain(uints))
            if desc is None:
                raise ExactLPError(f"the cell of pattern {''.join(map(str, pattern))} is not full-dimensional")
            facet_idx, witnesses, interior = desc
            facets: list[tuple[int, int | None, list[fmpq]]] = []
            for i, w in zip(facet_idx, witnesses, strict=True):
                g = rows[i]
                if i < self.k or tuple(_integer_row(g)) in self.domain_keys:
                    facets.append((i, None, w))
                    continue
                key = uints[i - self.k]
                same = [u for u, r in enumerate(uints) if r == key]
                if all(unit_layer[u] == last_kink for u in same):
                    # only last-layer units flip: nothing downstream changes its pattern
                    flipped = list(pattern)
                    for u in same:
                        flipped[u] = 1 - flipped[u]
                    nb = nb_pattern = tuple(flipped)
                else:
                    outward = [-v for v in g[1:]]
                    nb = self.region_at(w, [outward] + generic)
                    nb_pattern = nb[0]
                j = index.get(nb_pattern)
                if j is None:
                    j = len(pending)
                    if j >= self.max_regions:
                        raise SizeGuardError(
                            f"the network has more than {self.max_regions} linear regions on this domain (max_regions)",
                            estimate=j + 1,
                            limit=self.max_regions,
                        )
                    index[nb_pattern] = j
                    pending.append(nb)
                facets.append((i, j, w))
            region = Region(
                pattern,
                out,
                rows,
                facets,
                None,
                interior,
                functools.partial(self.certify, generators=self.last_generators),
            )
            region._generators = self.last_generators
            found.append(region)
            if self.progress is not None and (len(found) % 200 == 0 or head == len(pending)):
                self.progress(len(found), self.polyhedra + self.lps)
        return tuple(found)


def regions(
    net: Network,
    box: Sequence[tuple[Any, Any]] | None = None,
    *,
    polytope: tuple[Any, Any] | None = None,
    max_regions: int = MAX_REGIONS,
    progress: Callable[[int, int], None] | None = None,
) -> Regions:
    """The exact linear regions of a piecewise-affine network with numeric weights over a domain.

    The domain is ``box=[(lo, hi), ...]`` (one interval per input),
    ``polytope=(A, b)`` (``A x <= b``), or all of R^p when neither is given.
    ``progress(regions_found, polyhedra_and_lps)`` is called now and then.
    Raises InvalidType for a non-network, ActivationError for symbolic weights
    or other activations, SizeGuardError beyond :data:`MAX_REGION_UNITS` kink
    units or ``max_regions`` regions.
    """
    if not isinstance(net, Network):
        raise InvalidType(f"net must be a symnet.Network, got {type(net).__name__}")
    if isinstance(max_regions, bool) or not isinstance(max_regions, int) or max_regions < 1:
        raise InvalidArgument(f"max_regions={max_regions!r} must be a positive integer")
    for l, layer in enumerate(net.layers):
        free = layer.weights.free_symbols | layer.biases.free_symbols
        if free:
            name = sorted(s.name for s in free)[0]
            raise InvalidArgument(
                f"regions needs numeric weights, but layer {l + 1} uses the symbol {name}; "
                "substitute exact values first"
            )
    domain = _domain(net.p, box, polytope)
    search = _Search(net, domain, max_regions, progress)
    if search.units > MAX_REGION_UNITS:
        raise SizeGuardError(
            f"net has {search.units} relu-type units, more than regions' guard of {MAX_REGION_UNITS}",
            estimate=search.units,
            limit=MAX_REGION_UNITS,
        )
    found = search.run()
    search.cache = []  # the pattern-prefix forms are not needed any more
    stats = {"regions": len(found), "polyhedra": search.polyhedra, "lps": search.lps}
    result = Regions(net, domain, found, search.units, stats)
    result._search = search
    return result


# ------------------------------------------------------- piecewise proofs
def prove_affine(net: Network) -> PiecewiseProof | None:
    """A checked-on-demand :class:`~symnet.Proof` that a piecewise-affine network is one affine map on all of R^p.

    Its certificate is the regions document of ``net`` over R^p with the claim
    ``affine``: every region has the same form ``W x + b`` (rule
    ``affine_on_domain``) and the regions cover R^p (facet-neighbour closure).
    Returns None when the network is not affine on R^p.
    """
    regs = regions(net)
    if not regs.is_affine:
        return None
    return PiecewiseProof.from_regions(regs)
