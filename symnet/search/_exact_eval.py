"""Evaluators the refutation search uses to *find* counterexamples (untrusted: the kernel re-checks what they find).

They reuse the kernel's exact forward pass and interval rules
(:mod:`symnet.kernel.counterexample`) and its piecewise-affine reading of an
activation (:func:`symnet.kernel.regions_cert.pieces`), so a candidate the
search builds is computed the way the checker will recompute it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import flint
import sympy

from ..conversion import exact_fmpq
from ..errors import CertificateError, UndecidedError
from ..kernel.counterexample import bounded_form, interval, layer_outputs, substituted
from ..kernel.gate import gate_activation, gate_network
from ..kernel.regions_cert import pieces
from ..model.activations import Activation
from ..model.network import Network

__all__ = ["MAX_EXPONENT", "exact_outputs", "interval_outputs", "pl_pieces", "tame"]


def exact_outputs(net: Network, weights: Mapping[sympy.Symbol, sympy.Rational], x: Sequence[Any]) -> list[sympy.Expr]:
    """The network's outputs at rational ``x`` as exact sympy values (floats read exactly)."""
    return layer_outputs(substituted(bounded_form(net, "exact_outputs"), weights), [sympy.Rational(v) for v in x])


def interval_outputs(
    net: Network, weights: Mapping[sympy.Symbol, Any], x: Sequence[Any], prec: int = 64
) -> list[tuple[flint.fmpq, flint.fmpq]]:
    """Rigorous rational enclosures of the network's outputs at rational ``x`` (the kernel's forward pass over
    python-flint balls at ``prec`` bits); UndecidedError if none."""
    with flint.ctx.workprec(prec):
        layers = substituted(gate_network(net), dict(weights), _ball)
        outputs = layer_outputs(layers, [_ball(v) for v in x], apply=interval)
        if not all(map(tame, outputs)):
            raise UndecidedError("an output's enclosure has an end too large or too small to write as a rational")
        return [(ball.lower().fmpq(), ball.upper().fmpq()) for ball in outputs]


#: Largest binary exponent (in absolute value) of a ball's end that is written as a rational.
MAX_EXPONENT = 100_000


def tame(ball: flint.arb) -> bool:
    """The ball is finite and its ends are 0 or of binary exponent within :data:`MAX_EXPONENT` (exp(exp(25)) is
    about 2**(1.5e11): its ends as rationals would take gigabytes)."""
    if not ball.is_finite():
        return False
    return all(abs(int(end.mid().man_exp()[1])) + int(end.mid().man_exp()[0]).bit_length() <= MAX_EXPONENT
               for end in (ball.lower(), ball.upper()))


def _ball(v: Any) -> flint.arb:
    return flint.arb(exact_fmpq(v))


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
