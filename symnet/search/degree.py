"""The exact degree in x of a network with polynomial activations.

For activations that are polynomials in ``t`` (``square``, ``cube``,
``Lambda(t, a*t**2 + t)``, affine ones, ...) every output is a polynomial in
the inputs x whose coefficients are polynomials in the weights.  Its degree
in x is at most the product of the activations' degrees along the depth;
:func:`degree` proves the exact degree of each output:

* **upper bound** (rule ``bound_degree``): layer by layer, a unit's
  pre-activation has degree at most the largest degree among the units it
  reads with a non-zero weight, and the activation multiplies that by its
  own degree;
* **lower bound** (rule ``witness_degree``): exact rational weights, a point
  a and a direction d such that along the line ``a + s*d`` the output's
  coefficient of ``s**D`` is non-zero — so the degree-D part is not the zero
  polynomial;
* when cancellation makes the bound too high, the output is expanded in a
  sparse polynomial ring (rule ``expand_degree``, under a size guard).

Degree 1 (or 0) is the linear case.  The bounds, the outputs along a line
and the expansion are the kernel's own (:mod:`symnet.kernel.degree`), so the
search finds its certificate the way ``Degree.check()`` re-verifies it.

>>> import symnet
>>> d = symnet.degree(symnet.dense(2, [2, 2], activation="square"))
>>> d.degree
4
>>> d.check()
True
"""

from __future__ import annotations

import math
import random
from typing import Any

import sympy

from ..certificate.writing import encode_q
from ..cost import estimate_cost
from ..errors import ActivationError, CertificateError, InvalidType, SizeGuardError
from ..kernel import degree as kernel_degree
from ..kernel.gate import MAX_ACTIVATION_DEGREE, NetworkForm, gate_activation, gate_network
from ..kernel.ring import exact
from ..model.exact import is_rational_matrix
from ..model.network import Network
from ..results.degree import Degree

__all__ = ["Degree", "MAX_DEGREE", "MAX_EXPANSION_TERMS", "degree"]

#: Largest degree bound :func:`degree` works with (the product of activation degrees).
MAX_DEGREE = 4096
#: Largest number of terms the ``expand_degree`` route may build (the kernel's own limit).
MAX_EXPANSION_TERMS = kernel_degree.MAX_EXPANSION_TERMS


def non_polynomial_entry(net: Network) -> str | None:
    """Where a weight or bias is no polynomial with rational coefficients in the parameters (``sqrt(2)``), or None."""
    for l, layer in enumerate(net.layers, start=1):
        for what, m in (("weights", layer.weights), ("biases", layer.biases)):
            if is_rational_matrix(m):
                continue
            for e in m.flat():
                if e.is_Symbol or e.is_Rational or e.is_Float:
                    continue
                if not estimate_cost(exact(e, f"layer {l} {what}")).polynomial:
                    return (
                        f"layer {l}'s {what} hold {str(e)[:60]}, "
                        "not a polynomial with rational coefficients in the parameters"
                    )
    return None


def _require_polynomial(net: Network) -> None:
    if not isinstance(net, Network):
        raise InvalidType(f"net must be a symnet.Network, got {type(net).__name__}")
    bad = non_polynomial_entry(net)
    if bad is not None:
        raise InvalidType(f"degree needs polynomial weights: {bad}")
    for l, act in enumerate(net.activations, start=1):
        if not act.expr.is_polynomial(act.variable):
            raise ActivationError(
                f"degree needs polynomial activations, but hidden layer {l} has activation={act.label()!r}"
            )
        d = gate_activation(act, (), f"hidden layer {l}'s activation").degree  # exact, bounded
        if d > MAX_ACTIVATION_DEGREE:
            raise SizeGuardError(
                f"hidden layer {l}'s activation has degree {d}, above the guard of {MAX_ACTIVATION_DEGREE}",
                estimate=d,
                limit=MAX_ACTIVATION_DEGREE,
            )


def degree_bounds(net: Network) -> list[list[int | None]]:
    """Per layer, per unit, an upper bound on the degree in x (None: the zero polynomial): the kernel's bound."""
    return kernel_degree.degree_bounds(gate_network(net))


def line_outputs(net: Network, values: dict[sympy.Symbol, Any], point: list[Any], direction: list[Any]) -> list[Any]:
    """Each output along ``point + s*direction`` as a polynomial in s over QQ (python-flint ``fmpq_poly``)."""
    return kernel_degree.along_line(gate_network(net), values, point, direction)


def random_values(net: Network, rng: random.Random, spread: int) -> dict[sympy.Symbol, sympy.Rational]:
    """Small non-zero rational values for the network's parameters."""
    choices = [v for v in range(-spread, spread + 1) if v]
    return {s: sympy.Integer(rng.choice(choices)) for s in net.parameters}


def _line_witnesses(
    net: Network, form: NetworkForm, wanted: list[int | None], tries: int, seed: int
) -> dict[int, dict[str, Any]]:
    """Witnesses, per output i, that along some line the output has degree ``wanted[i]`` in s (its top coefficient
    is not 0)."""
    rng = random.Random(seed)
    found: dict[int, dict[str, Any]] = {}
    for attempt in range(tries):
        spread = 2 + attempt
        values = random_values(net, rng, spread)
        point = [sympy.Integer(rng.randint(-spread, spread)) for _ in range(net.p)]
        direction = [sympy.Integer(rng.choice([v for v in range(-spread, spread + 1) if v])) for _ in range(net.p)]
        outs = kernel_degree.along_line(form, values, point, direction)
        for i, d in enumerate(wanted):
            if i not in found and d is not None and outs[i].degree() == d:
                found[i] = {
                    "weights": {s.name: encode_q(v) for s, v in values.items()},
                    "point": [encode_q(v) for v in point],
                    "direction": [encode_q(v) for v in direction],
                    "coefficient": encode_q(outs[i][d]),
                }
        if all(i in found or d is None for i, d in enumerate(wanted)):
            break
    return found


def _expanded(form: NetworkForm, bounds: list[int | None], limit: int) -> list[int | None]:
    """The kernel's expansion (exact degree in x of each output), refused up front past the guard."""
    p, top = len(form.inputs), max((b for b in bounds if b is not None), default=0)
    estimate = math.comb(p + top, p)
    if estimate > limit:
        raise SizeGuardError(
            f"expanding the output may need up to {estimate} monomials in x (degree <= {top}, "
            f"{p} inputs), more than the guard of {limit}",
            estimate=estimate,
            limit=limit,
        )
    try:
        return kernel_degree.expanded(form, bounds)
    except CertificateError as exc:  # the kernel's limit on the terms it builds
        raise SizeGuardError(f"the expansion is too large: {exc}", estimate=estimate, limit=limit) from None


def expanded_degrees(net: Network, limit: int = MAX_EXPANSION_TERMS) -> list[int | None]:
    """Exact degree in x of each output, by the kernel's expansion over QQ (SizeGuardError past the guard)."""
    form = gate_network(net)
    return _expanded(form, kernel_degree.degree_bounds(form)[-1], limit)


def degree(net: Network, *, seed: int = 0) -> Degree:
    """Prove the exact degree in x of each output of a network with polynomial activations.

    With symbolic weights this is the degree for generic weights (as a
    polynomial whose coefficients are polynomials in the weights), usually the
    product of the activations' degrees along the depth.  Raises
    ActivationError for a non-polynomial activation and SizeGuardError when
    the degree bound exceeds :data:`MAX_DEGREE` or an expansion would be too big.
    """
    _require_polynomial(net)
    form = gate_network(net)
    table = kernel_degree.degree_bounds(form)
    bounds = table[-1]
    top = max((b for b in bounds if b is not None), default=0)
    if top > MAX_DEGREE:
        raise SizeGuardError(
            f"the degree bound {top} exceeds the guard of {MAX_DEGREE}", estimate=top, limit=MAX_DEGREE
        )
    witnesses = _line_witnesses(net, form, list(bounds), tries=8, seed=seed)
    degrees: list[int | None] = []
    routes: list[str] = []
    wit_list: list[Any] = []
    expanded = None
    for i, b in enumerate(bounds):
        if b is None or i in witnesses:
            degrees.append(b)
            routes.append("bound_degree")
            wit_list.append(witnesses.get(i))
            continue
        if expanded is None:
            expanded = _expanded(form, bounds, MAX_EXPANSION_TERMS)
        degrees.append(expanded[i])
        routes.append("expand_degree")
        wit_list.append(None)
    cert = {"degrees": degrees, "routes": routes, "witnesses": wit_list, "bounds": table, "limit": MAX_EXPANSION_TERMS}
    return Degree(net, tuple(degrees), cert)
