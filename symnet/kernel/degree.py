"""The checker of a degree certificate: the exact degree in x of each output of a polynomial network.

Each output's degree is proved by one of two routes: ``bound_degree``
(the layer-wise bound, with a witness line along which the top coefficient is
non-zero) or ``expand_degree`` (the expansion over QQ, under the kernel's own
size limit).  The network goes through the gate first; a ``limit`` stated in
the document is never used.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import flint
import sympy

from ..certificate.documents import DegreeDocument
from ..certificate.numbers import decode_rational
from ..model.core import NetworkData as Network
from ..numbers import exact_fmpq
from .counterexample import _fail, bits_guard, bounded_form, expand, layer_outputs, substituted
from .gate import NetworkForm

__all__ = ["MAX_EXPANSION_TERMS", "along_line", "check_degree", "check_document", "degree_bounds", "expanded"]

#: Largest number of terms the ``expand_degree`` check builds; fixed by the
#: kernel (a certificate cannot set its own limit).
MAX_EXPANSION_TERMS = 200_000


def along_line(
    form: NetworkForm, weights: Mapping[sympy.Symbol, Any], point: Sequence[Any], direction: Sequence[Any]
) -> list[Any]:
    """The outputs along the line point + s direction, as polynomials in s over QQ."""
    layers = substituted(form, weights, lambda v: flint.fmpq_poly([exact_fmpq(v)]))
    line = [flint.fmpq_poly([exact_fmpq(a), exact_fmpq(d)]) for a, d in zip(point, direction, strict=True)]
    return layer_outputs(layers, line)


def degree_bounds(form: NetworkForm) -> list[list[int | None]]:
    """Per layer, per unit: an upper bound on the degree in x (None: identically zero)."""
    bounds: list[int | None] = [1] * len(form.inputs)
    out = []
    for W, b, act in zip(form.weights, form.biases, form.activations, strict=True):
        assert act.coeffs is not None
        at_zero = 0 if act.coeffs[0] != 0 else None  # the activation at a pre-activation that is 0 (c_0)
        layer_bounds: list[int | None] = []
        for k, row in enumerate(W):
            terms = [d for j, w in enumerate(row) if w != 0 and (d := bounds[j]) is not None]
            zb: int | None = max(terms) if terms else (0 if b[k] != 0 else None)
            if zb is None or act.degree < 0:  # a pre-activation that is 0, or the zero activation (c_0 = 0)
                layer_bounds.append(at_zero)
            else:
                layer_bounds.append(int(act.degree) * zb)
        out.append(layer_bounds)
        bounds = layer_bounds
    return out


def expanded(form: NetworkForm, bounds: list[int | None]) -> list[int | None]:
    """Exact degree in x of each output (``bounds``: the layer-wise bounds), by expansion over QQ (python-flint),
    under the kernel's own limit."""
    limit = MAX_EXPANSION_TERMS
    p = len(form.inputs)
    top = max((d for d in bounds if d is not None), default=0)
    if math.comb(p + top, p) > limit * 1000:
        raise _fail(
            f"expanding the output may need {math.comb(p + top, p)} monomials in x, above the kernel's limit",
            rule="expand_degree",
        )

    def mul(a: Any, b: Any) -> Any:
        product = a * b if len(a) * len(b) <= limit * 10 else None
        if product is None or len(product) > limit:
            raise _fail(f"expansion exceeds {limit} terms", rule="expand_degree")
        return product

    ring = form.ring()
    u = expand(form, ring, mul)
    return [int(ring.x_degree(f, p)) if not f.is_zero() else None for f in u]


def _route_bound(form: NetworkForm, bounds: list[int | None], i: int, d: int | None, wit: Any) -> None:
    """bound_degree + witness_degree: the layer-wise bound is d; along the witness line the s^d coefficient is not 0."""
    if bounds[i] != d:
        raise _fail(f"output {i}: the layer-wise degree bound is {bounds[i]}, not {d}", step=i, rule="bound_degree")
    if d is None:
        return
    rule, names = "witness_degree", {s.name: s for s in form.parameters}
    if not isinstance(wit, dict) or set(wit) != {"weights", "point", "direction", "coefficient"}:
        raise _fail(f"output {i}: the witness needs weights, point, direction, coefficient", step=i, rule=rule)
    if not isinstance(wit["weights"], dict) or set(wit["weights"]) != set(names):
        raise _fail(f"output {i}: the witness must give every parameter a value", step=i, rule=rule)
    vals = {names[n]: decode_rational(v, f"witness weights[{n}]") for n, v in wit["weights"].items()}
    p = len(form.inputs)
    if not all(isinstance(wit[key], list) and len(wit[key]) == p for key in ("point", "direction")):
        raise _fail(f"output {i}: point and direction need {p} coordinates", step=i, rule=rule)
    pt = [decode_rational(c, "witness point") for c in wit["point"]]
    dr = [decode_rational(c, "witness direction") for c in wit["direction"]]
    claimed = decode_rational(wit["coefficient"], "witness coefficient")
    bits_guard(form, [*vals.values(), *pt, *dr], rule, line=True)
    g = along_line(form, vals, pt, dr)[i]  # of degree d with the claimed top coefficient (so not 0)
    if g.degree() != d or g[d] != exact_fmpq(claimed):
        message = f"along the witness line the degree is {g.degree()} and the coefficient of s^{d} {g[d]}"
        raise _fail(f"output {i}: {message}, claimed {d} and {claimed}", step=i, rule=rule)


def check_degree(net: Network, certificate: Mapping[str, Any], bounds: Sequence[Sequence[int | None]] = ()) -> bool:
    """Re-verify a degree certificate (``degrees``, ``routes``, ``witnesses``, one per output): True or an error.

    Each degree is proved by its route: ``bound_degree`` (the layer-wise bound, with a witness line) or
    ``expand_degree`` (the expansion over QQ).  The kernel uses its own limits (:data:`MAX_DEGREE`,
    :data:`MAX_EXPANSION_TERMS`); a ``limit`` in the certificate is ignored.
    ``bounds``, when stated, must be the network's layer-wise degree bounds.
    """
    if not isinstance(certificate, Mapping):
        raise _fail("a degree certificate is a mapping")
    try:
        degrees, routes, witnesses = certificate["degrees"], certificate["routes"], certificate["witnesses"]
    except (KeyError, TypeError):
        raise _fail("a degree certificate needs 'degrees', 'routes' and 'witnesses'") from None
    if not all(isinstance(entries, (list, tuple)) for entries in (degrees, routes, witnesses)):
        raise _fail("degrees, routes and witnesses must be lists")
    form = bounded_form(net, "bound_degree")
    for l, act in enumerate(form.activations, start=1):
        if not act.is_polynomial:
            raise _fail(f"layer {l}: activation {act.body} is not a polynomial", rule="bound_degree")
    q = len(form.weights[-1])
    if not len(degrees) == len(routes) == len(witnesses) == q:
        raise _fail(f"degrees, routes and witnesses need one entry per output ({q})")
    table = degree_bounds(form)  # per layer, per unit
    exact = functools.cache(lambda: expanded(form, table[-1]))  # expanded once, if a route asks for it
    for i, (d, route, wit) in enumerate(zip(degrees, routes, witnesses, strict=True)):
        if d is not None and (isinstance(d, bool) or not isinstance(d, int) or d < 0):
            raise _fail(f"degrees[{i}]={d!r} is not a non-negative integer or null", step=i)
        if not isinstance(route, str) or route not in ("bound_degree", "expand_degree"):
            raise _fail(f"output {i}: unknown route {str(route)[:40]!r}", step=i)
        if route == "bound_degree":
            _route_bound(form, table[-1], i, d, wit)
        elif wit is not None:  # expand_degree: the expansion decides; a document that carries a witness is malformed
            message = f"output {i}: the expand_degree route takes no witness (null), got {str(wit)[:40]}"
            raise _fail(message, step=i, rule="expand_degree")
        elif exact()[i] != d:
            raise _fail(f"output {i}: the expansion has degree {exact()[i]}, not {d}", step=i, rule="expand_degree")
    if bounds and [list(row) for row in bounds] != table:
        raise _fail("the stated layer-wise degree bounds are not the network's", rule="bound_degree")
    return True


def check_document(doc: DegreeDocument) -> bool:
    """Re-verify a degree document (see :func:`check_degree`)."""
    if not isinstance(doc, DegreeDocument):
        raise _fail(f"expected a DegreeDocument, got {type(doc).__name__}")
    return check_degree(doc.network, doc.certificate, doc.bounds)
