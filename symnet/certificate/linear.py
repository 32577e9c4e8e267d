"""The linear certificate (format ``symnet.linear``, formerly ``symnet-certificate``): steps and claim.

A linear certificate is one JSON object::

    {"format": "symnet.linear", "version": 1, "expressions": [NODE, ...],
     "network": NETWORK, "steps": [STEP, ...], "claim": CLAIM}

with the node table and the network section of :mod:`symnet.certificate.expressions`.

Text is never evaluated: names become symbols, numbers are parsed as integers.

Steps (``STEP``), in the order a layer-by-layer proof uses them (``layer``
counts from the input side, the output layer being ``L + 1``):

* ``{"rule": "read_output_layer", "layer": L+1, "matrix": M}`` — the output is
  ``C y**`` with ``C = [b_{L+1} | W_{L+1}]`` (q x (n_L + 1)).
* ``{"rule": "substitute_layer", "layer": l, "slope": REF, "intercept": REF,
  "matrix": M}`` — the activation of layer l is the affine map
  ``t -> slope*t + intercept``, so substituting layer l gives the factor
  ``P_l = [[1, 0 ... 0], [slope*b_l + intercept, slope*W_l]]``
  ((n_l + 1) x (n_{l-1} + 1)); for the identity it is the blog post's augmented
  matrix.  One step per hidden layer, from l = L down to 1.
* ``{"rule": "conclude_linear_form"}`` — the output is ``(b* | W*) x*`` with
  ``(b* | W*) = C P_L ... P_1``.
* ``{"rule": "expand_and_compare", "monomials": N}`` — the direct route: the
  expanded output has N monomials, each of degree <= 1 in x, and the output
  minus ``W* x + b*`` expands to zero.

``M`` is a matrix: a list of rows, each a list of REFs.

The claim (``CLAIM``) is ``{"form": "explicit", "matrix": M, "offset": [REF,
...], "routes": [...]}`` with W* (q x p) and b* (q) written out, or — for
networks whose expanded W* would be too large to write — ``{"form":
"product", "shape": [q, p], "routes": [...]}``, meaning ``(b* | W*) = C P_L
... P_1`` with the factors stated in the steps.  ``routes`` lists the routes
the certificate contains: ``"layerwise"`` (read_output_layer,
substitute_layer ..., conclude_linear_form) and/or ``"direct"``
(expand_and_compare); every listed route must be present and complete.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy

from ..model.core import NetworkData as Network
from .expressions import _expect, _is_int, keys, read_network, start

__all__ = [
    "FORMAT",
    "ROUTES",
    "RULES",
    "VERSION",
    "Certificate",
    "Claim",
    "Step",
    "from_data",
]

FORMAT = "symnet.linear"
VERSION = 1

#: Rule names, shared by the engine, the kernel, the renderers and the docs.
RULES = ("read_output_layer", "substitute_layer", "conclude_linear_form", "expand_and_compare")
ROUTES = ("layerwise", "direct")


@dataclass(frozen=True)
class Step:
    """One step: the rule that justifies it and the data the rule states."""

    rule: str
    layer: int | None = None
    matrix: sympy.ImmutableMatrix | None = None
    slope: sympy.Expr | None = None
    intercept: sympy.Expr | None = None
    monomials: int | None = None


class _Stated:
    """A claim's ``matrix`` or ``offset``: as given, or built from the claim's polynomials on first use."""

    def __init__(self, slot: str) -> None:
        self.slot = slot

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return None  # the field's default
        if obj.__dict__.get(self.slot) is None and obj.__dict__.get("polys") is not None:
            obj.__dict__["_matrix"], obj.__dict__["_offset"] = obj.polys.expressions()
        return obj.__dict__.get(self.slot)

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.slot] = value


@dataclass(frozen=True)
class Claim:
    """What the certificate proves: ``output == matrix * x + offset``.

    ``form`` is ``"explicit"`` (``matrix`` and ``offset`` written out) or
    ``"product"`` (they are the product of the steps' factors; ``shape``
    gives (q, p)).  An explicit claim made by :meth:`from_polys` holds W* and
    b* as exact polynomials (``polys``, a :class:`symnet.certificate.polys.ClaimPolys`,
    which the kernel checks); ``matrix`` and ``offset`` are then built from them on
    first use.  ``dataclasses.replace`` of such a claim gives a plain claim (its
    ``polys`` is not carried over).
    """

    form: str
    shape: tuple[int, int]
    routes: tuple[str, ...]
    matrix: sympy.ImmutableMatrix | None = _Stated("_matrix")
    offset: sympy.ImmutableMatrix | None = _Stated("_offset")
    polys: Any = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def from_polys(cls, shape: tuple[int, int], routes: tuple[str, ...], polys: Any) -> Claim:
        """An explicit claim whose W* and b* are ``polys``."""
        claim = cls("explicit", shape, routes)
        object.__setattr__(claim, "polys", polys)
        return claim


@dataclass(frozen=True)
class Certificate:
    """A network, ordered steps and a claim: plain data, checked by the kernel."""

    network: Network
    steps: tuple[Step, ...]
    claim: Claim
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    kind = "linear"


def from_data(data: Any) -> Certificate:
    """A Certificate from JSON data (its ``format`` already dispatched by :mod:`.formats`); CertificateError if it is
    malformed."""
    dec = start(data, "certificate", {"network", "steps", "claim"})
    network = read_network(dec, data["network"])
    _expect(isinstance(data["steps"], list), "steps must be a list")
    steps = []
    for k, sd in enumerate(data["steps"]):
        where = f"steps[{k}]"
        keys(sd, {"rule"}, {"layer", "matrix", "slope", "intercept", "monomials"}, where)
        _expect(sd["rule"] in RULES, f"{where} cites unknown rule {sd['rule']!r}")
        layer = sd.get("layer")
        _expect(layer is None or _is_int(layer), f"{where}.layer must be an integer")
        monomials = sd.get("monomials")
        _expect(monomials is None or (_is_int(monomials) and monomials >= 0), f"{where}.monomials must be a count")
        matrix = dec.matrix(sd["matrix"], f"{where}.matrix") if "matrix" in sd else None
        slope, intercept = (dec.ref(sd[k], f"{where}.{k}") if k in sd else None for k in ("slope", "intercept"))
        steps.append(Step(sd["rule"], layer, matrix, slope, intercept, monomials))
    cd = data["claim"]
    keys(cd, {"form", "shape", "routes"}, {"matrix", "offset"}, "claim")
    _expect(cd["form"] in ("explicit", "product"), f"claim.form {cd['form']!r} is not 'explicit' or 'product'")
    shape = cd["shape"]
    _expect(
        isinstance(shape, list) and len(shape) == 2 and all(_is_int(s) and s > 0 for s in shape),
        "claim.shape must be [q, p]",
    )
    routes = cd["routes"]
    _expect(
        isinstance(routes, list) and routes and all(r in ROUTES for r in routes) and len(set(routes)) == len(routes),
        f"claim.routes must list distinct routes from {ROUTES}",
    )
    matrix = offset = None
    if cd["form"] == "explicit":
        _expect("matrix" in cd and "offset" in cd, "an explicit claim needs 'matrix' and 'offset'")
        matrix = dec.matrix(cd["matrix"], "claim.matrix")
        offset = dec.vector(cd["offset"], "claim.offset")
        refs = [r for row in cd["matrix"] for r in row] + list(cd["offset"])
        inside = dec.names_under(refs) & {s.name for s in network.inputs}
        _expect(not inside, f"the claim refers to the input(s) {sorted(inside)}; W* and b* must not contain x")
    else:
        _expect("matrix" not in cd and "offset" not in cd, "a product claim has no 'matrix' or 'offset'")
    claim = Claim(cd["form"], (shape[0], shape[1]), tuple(routes), matrix, offset)
    return Certificate(network, tuple(steps), claim)
