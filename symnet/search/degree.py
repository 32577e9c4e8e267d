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

Degree 1 (or 0) is the linear case.  The certificate is plain data and
``Degree.check()`` re-verifies it with :mod:`symnet.kernel.counterexample`,
which does not import this module.

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
from sympy.polys.rings import ring

from ..certificate.writing import encode_q
from ..cost import estimate_cost
from ..errors import ActivationError, InvalidType, SizeGuardError
from ..kernel.gate import MAX_ACTIVATION_DEGREE, gate_activation
from ..kernel.ring import exact
from ..model.exact import is_rational_matrix
from ..model.network import Network
from ..numbers import exact_floats, exact_rational
from ..results.degree import Degree

__all__ = ["Degree", "MAX_DEGREE", "MAX_EXPANSION_TERMS", "degree"]

#: Largest degree bound :func:`degree` works with (the product of activation degrees).
MAX_DEGREE = 4096
#: Largest number of terms the ``expand_degree`` route may build.
MAX_EXPANSION_TERMS = 200_000

_T = sympy.Symbol("t")
_S = sympy.Symbol("s")


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


def _act_degree(body: sympy.Expr, var: sympy.Symbol) -> int | None:
    if body == 0:
        return None
    return int(sympy.Poly(body, var).degree())


def degree_bounds(net: Network) -> list[list[int | None]]:
    """Per layer, per unit, an upper bound on the degree in x (None: the zero polynomial)."""
    current: list[int | None] = [1] * net.p
    out = []
    for layer in net.layers:
        var, body = layer.activation.variable, layer.activation.expr
        d_act = _act_degree(body, var)
        row: list[int | None] = []
        for k in range(layer.width):
            reads = [d for j in range(layer.fan_in) if layer.weights[k, j] != 0 and (d := current[j]) is not None]
            z = max(reads) if reads else (0 if layer.biases[k] != 0 else None)
            if d_act is None:
                row.append(None)
            elif z is None:
                row.append(0 if body.xreplace({var: 0}) != 0 else None)
            else:
                row.append(d_act * z if var in body.free_symbols else 0)
        out.append(row)
        current = row
    return out


def line_outputs(net: Network, values: dict[sympy.Symbol, Any], point: list[Any], direction: list[Any]) -> list[Any]:
    """Each output along ``point + s*direction`` as an element of QQ[s] (sparse ring)."""
    R, s = ring("s", sympy.QQ)
    pairs = zip(point, direction, strict=True)
    u = [R(exact_rational(a, "point")) + R(exact_rational(d, "direction")) * s for a, d in pairs]
    for layer in net.layers:
        w = layer.weights.xreplace(values)  # a Network holds no Float: exact already
        b = layer.biases.xreplace(values)
        var = layer.activation.variable
        body = exact_floats(layer.activation.expr.xreplace(values))
        coeffs = [R(c) for c in sympy.Poly(body, var).all_coeffs()] if body != 0 else []
        nxt = []
        for k in range(layer.width):
            z = R(b[k])
            for j in range(layer.fan_in):
                if w[k, j] != 0:
                    z += R(w[k, j]) * u[j]
            acc = R.zero
            for c in coeffs:
                acc = acc * z + c
            nxt.append(acc)
        u = nxt
    return u


def _deg(f: Any) -> int | None:
    return None if not f else f.degree()


def random_values(net: Network, rng: random.Random, spread: int) -> dict[sympy.Symbol, sympy.Rational]:
    """Small non-zero rational values for the network's parameters."""
    choices = [v for v in range(-spread, spread + 1) if v]
    return {s: sympy.Integer(rng.choice(choices)) for s in net.parameters}


def find_line_witness(net: Network, wanted: list[int | None], tries: int, seed: int) -> dict[int, dict[str, Any]]:
    """Witnesses, per output i, that the coefficient of ``s**wanted[i]`` along some line is non-zero."""
    rng = random.Random(seed)
    found: dict[int, dict[str, Any]] = {}
    for attempt in range(tries):
        spread = 2 + attempt
        values = random_values(net, rng, spread)
        point = [sympy.Integer(rng.randint(-spread, spread)) for _ in range(net.p)]
        direction = [sympy.Integer(rng.choice([v for v in range(-spread, spread + 1) if v])) for _ in range(net.p)]
        outs = line_outputs(net, values, point, direction)
        for i, d in enumerate(wanted):
            if i in found or d is None:
                continue
            coeff = outs[i].coeff(outs[i].ring.gens[0] ** d) if d > 0 else outs[i].coeff(1)
            if coeff != 0 and _deg(outs[i]) == d:
                found[i] = {
                    "weights": {s.name: encode_q(v) for s, v in values.items()},
                    "point": [encode_q(v) for v in point],
                    "direction": [encode_q(v) for v in direction],
                    "coefficient": encode_q(sympy.Rational(coeff)),
                }
        if all(i in found or d is None for i, d in enumerate(wanted)):
            break
    return found


def expanded_degrees(net: Network, limit: int = MAX_EXPANSION_TERMS) -> list[int | None]:
    """Exact degree in x of each output, by expansion in a sparse ring over the weights."""
    bound = max((b for b in degree_bounds(net)[-1] if b is not None), default=0)
    estimate = math.comb(net.p + bound, net.p)
    if estimate > limit:
        raise SizeGuardError(
            f"expanding the output may need up to {estimate} monomials in x (degree <= {bound}, "
            f"{net.p} inputs), more than the guard of {limit}",
            estimate=estimate,
            limit=limit,
        )
    R, *gens = ring(list(net.inputs) + list(net.parameters), sympy.QQ)
    u = gens[: net.p]
    for layer in net.layers:
        var = layer.activation.variable
        body = exact_floats(layer.activation.expr)
        coeffs = [R(c) for c in sympy.Poly(body, var).all_coeffs()] if body != 0 else []
        nxt = []
        for k in range(layer.width):
            z = R(layer.biases[k])
            for j in range(layer.fan_in):
                if layer.weights[k, j] != 0:
                    z += R(layer.weights[k, j]) * u[j]
            acc = R.zero
            for c in coeffs:
                acc = acc * z + c
                if len(acc) > limit:
                    raise SizeGuardError(f"the expansion grew past {limit} terms", estimate=len(acc), limit=limit)
            nxt.append(acc)
        u = nxt
    return [max((sum(m[: net.p]) for m in f.itermonoms()), default=None) if f else None for f in u]


def degree(net: Network, *, seed: int = 0) -> Degree:
    """Prove the exact degree in x of each output of a network with polynomial activations.

    With symbolic weights this is the degree for generic weights (as a
    polynomial whose coefficients are polynomials in the weights), usually the
    product of the activations' degrees along the depth.  Raises
    ActivationError for a non-polynomial activation and SizeGuardError when
    the degree bound exceeds :data:`MAX_DEGREE` or an expansion would be too big.
    """
    _require_polynomial(net)
    bounds = degree_bounds(net)[-1]
    top = max((b for b in bounds if b is not None), default=0)
    if top > MAX_DEGREE:
        raise SizeGuardError(
            f"the degree bound {top} exceeds the guard of {MAX_DEGREE}", estimate=top, limit=MAX_DEGREE
        )
    witnesses = find_line_witness(net, list(bounds), tries=8, seed=seed)
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
            expanded = expanded_degrees(net)
        degrees.append(expanded[i])
        routes.append("expand_degree")
        wit_list.append(None)
    cert = {
        "degrees": degrees,
        "routes": routes,
        "witnesses": wit_list,
        "bounds": [list(row) for row in degree_bounds(net)],
        "limit": MAX_EXPANSION_TERMS,
    }
    return Degree(net, tuple(degrees), cert)
