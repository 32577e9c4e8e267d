"""``Regions`` and ``Region``: the exact linear regions of a piecewise-affine network over a domain."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property
from typing import Any

import sympy
from flint import fmpq

from ..certificate.documents import domain_rows
from ..certificate.writing import ExpressionWriter, encode_q, write_network
from ..conversion import exact_rational
from ..errors import CertificateError, InvalidArgument, InvalidType, MissingDependency, ShapeError
from ..kernel import regions_cert as kernel
from ..model.display import Displayable
from ..model.network import Network
from ..render import regions as draw
from . import _documents
from ._documents import RegionsData
from ._rationals import fq, value

__all__ = ["Region", "Regions"]


class Region(Displayable, display_key="region"):
    """One full-dimensional cell ``{x in D : a_i . x + b_i >= 0 for each facet i}`` and its affine form.

    ``pattern`` gives, for each kink unit in order (layer by layer), 1 when its
    pre-activation is on the upper piece (``z >= t0``, for relu: on) and 0
    otherwise; ``matrix`` (q x p) and ``offset`` (q x 1) give the network on
    the closed cell; ``inequalities`` are its facets as ``((a_1..a_p), b)``;
    ``interior_point`` is strictly inside.
    """

    def __init__(
        self,
        pattern: tuple[int, ...],
        out: list[list[fmpq]],
        rows: list[list[fmpq]],
        facets: list[tuple[int, int | None, list[fmpq]]],
        implied: list[tuple[int, list[tuple[int, fmpq]]]] | None,
        point: list[fmpq],
        certifier: Any = None,
    ) -> None:
        self.pattern = pattern
        self._out = out
        self._rows = rows
        self.facets = facets
        self._implied = implied
        self._facet_rows = [rows[i] for i, _, _ in facets]
        self._point = point
        self._certifier = certifier
        self._generators: Any = None

    @property
    def implied(self) -> list[tuple[int, list[tuple[int, fmpq]]]]:
        """Farkas multipliers showing each non-facet row is implied by the facet rows (computed on first use)."""
        if self._implied is None:
            self._implied, self._vertices = self._certifier(self._rows, [i for i, _, _ in self.facets])
        return self._implied

    @property
    def vertices(self) -> tuple[list[list[fmpq]], list[list[fmpq]]]:
        """(points, rays) generating the closed cell, exactly (fmpq)."""
        if getattr(self, "_vertices", None) is None:
            if self._certifier is None:
                raise InvalidArgument(
                    "the vertices of a region loaded from JSON are not stored; enumerate the network again"
                )
            self._implied, self._vertices = self._certifier(self._rows, [i for i, _, _ in self.facets])
        vertices: tuple[list[list[fmpq]], list[list[fmpq]]] = self._vertices
        return vertices

    @cached_property
    def matrix(self) -> sympy.ImmutableMatrix:
        """W_r: the coefficients beta_1..beta_p of each output on this region (q x p)."""
        return sympy.ImmutableMatrix([[exact_rational(v) for v in row[1:]] for row in self._out])

    @cached_property
    def offset(self) -> sympy.ImmutableMatrix:
        """b_r: the intercept beta_0 of each output on this region (q x 1)."""
        return sympy.ImmutableMatrix([exact_rational(row[0]) for row in self._out])

    @cached_property
    def interior_point(self) -> tuple[sympy.Rational, ...]:
        """An exact point strictly inside the cell."""
        return tuple(exact_rational(v) for v in self._point)

    @cached_property
    def inequalities(self) -> tuple[tuple[tuple[sympy.Rational, ...], sympy.Rational], ...]:
        """The facets ``((a_1, ..., a_p), b)``, meaning ``a . x + b >= 0`` (domain facets included)."""
        return tuple((tuple(exact_rational(v) for v in row[1:]), exact_rational(row[0])) for row in self._facet_rows)

    def _exact_point(self, x: Sequence[Any]) -> list[fmpq]:
        p = len(self._point)
        if isinstance(x, (str, bytes)) or not hasattr(x, "__len__"):
            raise InvalidType(f"x must be a sequence of {p} numbers, got {type(x).__name__}")
        if len(x) != p:
            raise ShapeError(f"x has {len(x)} entries but the regions live in R^{p}")
        return [fq(v, f"x[{j}]") for j, v in enumerate(x)]

    def contains(self, x: Sequence[Any], *, strict: bool = False) -> bool:
        """True when the exact point ``x`` is in the closed cell (in its interior with ``strict=True``)."""
        pt = self._exact_point(x)
        for row in self._facet_rows:
            v = value(row, pt)
            if v < 0 or (strict and v == 0):
                return False
        return True

    def affine(self, x: Sequence[Any]) -> tuple[sympy.Rational, ...]:
        """``matrix * x + offset`` at the exact point ``x``."""
        pt = self._exact_point(x)
        return tuple(exact_rational(value(row, pt)) for row in self._out)

    def as_relations(self, inputs: Sequence[sympy.Symbol]) -> list[sympy.Expr]:
        """The facet inequalities as sympy relations in the input symbols."""
        return [
            sympy.Ge(sympy.Add(b, *(a_i * s for a_i, s in zip(a, inputs, strict=True))), 0)
            for a, b in self.inequalities
        ]

    def __repr__(self) -> str:
        return f"Region(pattern={self.pattern}, matrix={self.matrix.tolist()}, offset={list(self.offset)})"


class Regions(Displayable, Sequence[Region], display_key="regions"):
    """The linear regions of a network over a domain, with their certificate.

    ``domain`` is ``{"kind": "space"}``, ``{"kind": "box", "box": [[lo, hi], ...]}``
    or ``{"kind": "polytope", "A": ..., "b": ...}`` (rationals as ``"p/q"``).
    ``stats`` reports the work done (regions, polyhedra, LPs).
    """

    def __init__(
        self,
        network: Network,
        domain: dict[str, Any],
        regions: tuple[Region, ...],
        units: int,
        stats: dict[str, int] | None = None,
    ) -> None:
        self.network = network
        self.domain = domain
        self._regions = regions
        self.units = units
        self.stats = stats or {}
        self._search: Any = None
        self._document: Mapping[str, Any] | None = None  # the parsed document this object was read from

    def __len__(self) -> int:
        return len(self._regions)

    def __getitem__(self, index: Any) -> Any:
        return self._regions[index]

    def __iter__(self) -> Iterator[Region]:
        return iter(self._regions)

    @property
    def is_affine(self) -> bool:
        """True exactly when the network is one affine map on the whole domain."""
        first = self._regions[0]._out
        return all(r._out == first for r in self._regions)

    @property
    def affine_form(self) -> tuple[sympy.ImmutableMatrix, sympy.ImmutableMatrix] | None:
        """``(matrix, offset)`` when the network is affine on the domain, else None."""
        return (self._regions[0].matrix, self._regions[0].offset) if self.is_affine else None

    def locate(self, x: Sequence[Any]) -> list[Region]:
        """The regions whose closed cell contains ``x`` (one, or several on a boundary; none outside the domain)."""
        return [r for r in self._regions if r.contains(x)]

    # -------------------------------------------------------- certificate
    def _parsed(self, claim: dict[str, Any] | None = None) -> Mapping[str, Any]:
        """The data the kernel checks (as :func:`regions_cert.read_document` gives it), with ``claim``.

        For regions read from a document that is the document itself, its own
        claim included; for regions found by the search it is built from them.
        """
        if self._document is not None:
            if claim is None:
                return self._document
            return {**self._document, "claim": claim}
        regs = []
        for r in self._regions:
            regs.append(
                {
                    "pattern": r.pattern,
                    "matrix": [row[1:] for row in r._out],
                    "offset": [row[0] for row in r._out],
                    "interior_point": r._point,
                    "inequalities": [list(row) for row in r._facet_rows],
                    "facets": r.facets,
                    "implied": r.implied,
                }
            )
        return {
            "network": self.network,
            "domain": self.domain,
            "domain_rows": domain_rows(self.domain, self.network.p),
            "units": self.units,
            "regions": regs,
            "claim": claim,
        }

    @property
    def certificate(self) -> RegionsData:
        """The regions document as the kernel checks it (a document's own claim included)."""
        return RegionsData(self._parsed())

    def check(self) -> bool:
        """Re-verify independently (no LP) that the regions cover the domain and agree with the network.

        True, or CertificateError naming the rule and the region (as its step).  For regions read
        from a document, a claim the document states is checked too.
        """
        return _documents.check(self.certificate)

    def to_data(self, claim: dict[str, Any] | None = None) -> dict[str, Any]:
        """The regions document as JSON-ready data (format ``symnet.regions``)."""
        enc = ExpressionWriter()
        network = write_network(enc, self.network)
        q = encode_q
        regs = []
        for r in self._regions:
            regs.append(
                {
                    "pattern": "".join(map(str, r.pattern)),
                    "matrix": [[q(v) for v in row[1:]] for row in r._out],
                    "offset": [q(row[0]) for row in r._out],
                    "interior_point": [q(v) for v in r._point],
                    "inequalities": [[q(v) for v in row] for row in r._facet_rows],
                    "facets": [[i, nb, [q(v) for v in w]] for i, nb, w in r.facets],
                    "implied": [[i, [[j, q(v)] for j, v in lam]] for i, lam in r.implied],
                }
            )
        data: dict[str, Any] = {
            "format": "symnet.regions",
            "version": 1,
            "expressions": enc.nodes,
            "network": network,
            "domain": self.domain,
            "units": self.units,
            "regions": regs,
        }
        if claim is not None:
            data["claim"] = claim
        return data

    def to_json(self) -> str:
        """The regions certificate as deterministic JSON text; ``symnet check`` re-verifies it."""
        claim = None if self._document is None else self._document["claim"]
        return json.dumps(self.to_data(_claim_data(claim)), separators=(",", ":"), ensure_ascii=True)

    @classmethod
    def from_json(cls, text: str | bytes | dict[str, Any]) -> Regions:
        """Load a regions document; CertificateError if malformed.  Call ``check()`` to verify it.

        ``check()`` then checks the document itself, its claim (if it states one) included.
        """
        return cls._from_parsed(_documents.read(text, "regions").parsed)

    @classmethod
    def _from_parsed(cls, data: Mapping[str, Any]) -> Regions:
        """The regions of a parsed document; the object keeps the document for ``check()``."""
        net = data["network"]
        units = data["units"]
        drows = data["domain_rows"]
        try:
            pieces = kernel.network_pieces(net)  # gated once: a document may state thousands of regions
        except CertificateError:
            pieces = None
        out = []
        for r, rd in enumerate(data["regions"]):
            try:
                unit_rows = [] if pieces is None else kernel.forms(pieces, net.p, rd["pattern"], r)[0]
            except CertificateError:
                unit_rows = []
            rows = drows + unit_rows
            form = [[rd["offset"][i]] + rd["matrix"][i] for i in range(net.q)]
            reg = Region(rd["pattern"], form, rows, [], rd["implied"], rd["interior_point"])
            reg.facets = rd["facets"]
            reg._facet_rows = rd["inequalities"]
            out.append(reg)
        result = cls(net, data["domain"], tuple(out), units)
        result._document = data
        return result

    # -------------------------------------------------------- renderings
    def to_text(self, **options: Any) -> str:
        """The piecewise regression as plain text (one line per region; elided past the size rule)."""
        return draw.to_text(self, **options)

    def to_markdown(self, **options: Any) -> str:
        """The piecewise regression as Markdown with ``$...$`` math."""
        return draw.to_markdown(self, **options)

    def to_latex(self, *, document: bool = False, **options: Any) -> str:
        """The piecewise regression as LaTeX (a complete document with ``document=True``)."""
        return draw.to_latex(self, document=document, **options)

    def plot(self, path: str | None = None, **options: Any) -> Any:
        """A matplotlib picture of a 2-input network's regions, coloured by pattern (PNG/PDF with ``path``).

        Needs matplotlib (``pip install 'symnet[plot]'``); without it,
        :class:`~symnet.errors.MissingDependency` (an ``ImportError``) says so.
        """
        if importlib.util.find_spec("matplotlib") is None:
            raise MissingDependency(
                "Regions.plot needs matplotlib, which is not installed; install it with: pip install 'symnet[plot]'",
                name="matplotlib",
            )
        return draw.plot(self, path, **options)

    def __repr__(self) -> str:
        return f"Regions({len(self)} regions, is_affine={self.is_affine})"


def _claim_data(claim: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A parsed claim (numbers as fmpq) written back as document data, unchanged."""
    if claim is None:
        return None
    q = encode_q
    if claim["kind"] == "affine":
        return {
            "kind": "affine",
            "matrix": [[q(v) for v in row] for row in claim["matrix"]],
            "offset": [q(v) for v in claim["offset"]],
        }
    bounds = [
        {
            "output": b["output"],
            "sense": b["sense"],
            "value": q(b["value"]),
            "point": None if b["point"] is None else [q(v) for v in b["point"]],
            "multipliers": [[[j, q(v)] for j, v in lam] for lam in b["multipliers"]],
        }
        for b in claim["bounds"]
    ]
    return {"kind": "bounds", "bounds": bounds}
