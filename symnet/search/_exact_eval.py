"""Evaluators the refutation search uses to *find* counterexamples (untrusted: the kernel re-checks what they find).

They reuse the kernel's exact forward pass and interval rules
(:mod:`symnet.kernel.counterexample`) and its piecewise-affine reading of an
activation (:func:`symnet.kernel.regions_cert.pieces`), so a candidate the
search builds is computed the way the checker will recompute it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import sympy
from mpmath import libmp
from mpmath.ctx_iv import MPIntervalContext

from ..errors import CertificateError
from ..kernel.counterexample import (
    _NoBound,
    degree_product,
    endpoints,
    interval,
    iv_rational,
    layer_outputs,
    substituted,
)
from ..kernel.gate import gate_activation, gate_network
from ..kernel.regions_cert import pieces
from ..kernel.ring import MAX_DEGREE
from ..model.activations import Activation
from ..model.network import Network

__all__ = ["exact_outputs", "interval_outputs", "pl_pieces"]


def exact_outputs(net: Network, weights: Mapping[sympy.Symbol, sympy.Rational], x: Sequence[Any]) -> list[sympy.Expr]:
    """The network's outputs at rational ``x`` as exact sympy values (floats read exactly)."""
    form = gate_network(net)
    if degree_product(form) > MAX_DEGREE:
        raise CertificateError(
            f"the activations' degrees multiply to {degree_product(form)}, above the kernel's limit {MAX_DEGREE}"
        )
    return layer_outputs(substituted(form, weights), [sympy.Rational(v) for v in x])


def interval_outputs(
    net: Network, weights: Mapping[sympy.Symbol, Any], x: Sequence[Any], prec: int = 64
) -> list[tuple[Fraction, Fraction]]:
    """Rigorous rational enclosures of the network's outputs at rational ``x``; _NoBound if none."""
    ctx = MPIntervalContext()
    ctx.prec = prec
    layers = substituted(gate_network(net), dict(weights))
    try:
        u = [iv_rational(ctx, sympy.Rational(v)) for v in x]
        for Wq, bq, how in layers:
            z = []
            for k, row in enumerate(Wq):
                acc = iv_rational(ctx, bq[k])
                for j, w in enumerate(row):
                    if w != 0:
                        acc = acc + iv_rational(ctx, w) * u[j]
                z.append(acc)
            if how[0] == "poly":
                coeffs = how[1]
                if coeffs != [0, 1]:
                    new = []
                    for v in z:
                        acc = iv_rational(ctx, coeffs[-1] if coeffs else sympy.Integer(0))
                        for c in reversed(coeffs[:-1]):
                            acc = acc * v + iv_rational(ctx, c)
                        new.append(acc)
                    z = new
            else:
                _, var, body = how
                z = [interval(ctx, body, {var: v}) for v in z]
            u = z
        return [endpoints(v) for v in u]
    except (ZeroDivisionError, ValueError, libmp.ComplexResult) as exc:
        raise _NoBound(str(exc)) from None


def _rationals(v: Any) -> Any:
    """The pieces' numbers (python-flint) as sympy Rationals, keeping the tuple structure and the tags."""
    if isinstance(v, tuple):
        return tuple(_rationals(w) for w in v)
    return v if isinstance(v, str) else sympy.Rational(int(v.p), int(v.q))


def pl_pieces(body: sympy.Expr, var: sympy.Symbol) -> tuple[Any, ...] | None:
    """``("affine", m, c)`` or ``("kink", t0, (m_lo, c_lo), (m_hi, c_hi))`` in Rationals (see regions_cert.pieces)."""
    try:
        form = gate_activation(Activation(None, sympy.Lambda(var, body)), (), "an activation")
    except CertificateError:
        return None
    found = pieces(form)
    return None if found is None else _rationals(found)
