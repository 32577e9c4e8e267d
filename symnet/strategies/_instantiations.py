"""Joint draws of a network's weights and input, some aimed at its activations' breakpoints."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import sympy
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ..conversion import exact_ratio
from ..model.kinks import Aimer
from ..model.network import Network
from ._networks import _network_arg, inputs, weights

__all__ = ["instantiations"]


def _entry_function(e: sympy.Expr, index: dict[sympy.Symbol, int]) -> Callable[[Sequence[Any]], Fraction]:
    """One weight or bias entry as a function of the parameter values (exact)."""
    if e in index:
        i = index[e]
        return lambda v: Fraction(v[i])
    if e.is_Number:
        c = Fraction(*exact_ratio(e, "an entry"))
        return lambda v: c
    params = list(index)

    def value(v: Sequence[Any]) -> Fraction:
        subs = {s: sympy.Rational(*exact_ratio(x, s.name)) for s, x in zip(params, v, strict=True)}
        return Fraction(*exact_ratio(e.xreplace(subs), "an entry"))

    return value


def _layers(net: Network) -> Callable[[Sequence[Any]], Any]:
    """The numeric weight matrices and bias vectors of ``net`` at parameter values ``v`` (in parameters order)."""
    index = {s: i for i, s in enumerate(net.parameters)}
    shapes = []
    for layer in net.layers:
        rows = [[_entry_function(w, index) for w in layer.weights.row(k)] for k in range(layer.width)]
        shapes.append((rows, [_entry_function(b, index) for b in layer.biases]))

    def layers(v: Sequence[Any]) -> tuple[list[Any], list[Any]]:
        ws = [[[f(v) for f in row] for row in rows] for rows, _ in shapes]
        bs = [[f(v) for f in bias] for _, bias in shapes]
        return ws, bs

    return layers


def instantiations(
    net: Network,
    *,
    kind: str = "rational",
    min_value: int | Fraction = -10,
    max_value: int | Fraction = 10,
    max_denominator: int = 10,
    aim: float = 0.5,
) -> st.SearchStrategy[tuple[dict[sympy.Symbol, Any], tuple[Any, ...]]]:
    """``(weights, x)``: parameter values for ``net`` (as :func:`weights` draws them) and an input point.

    About ``aim`` of the draws (0 to 1) are moved onto a breakpoint of a
    hidden activation (ReLU's 0, a hard-tanh's -1 and 1, ...): one unit's
    pre-activation is made exactly a breakpoint, or a tiny ``2**-e`` (one
    float ulp for ``kind="float"``) or a small step beside it, by changing
    its bias, one of its weights or (first layer) one input; see
    :mod:`symnet.model.kinks`.  Such values lie outside
    ``[min_value, max_value]`` at times.  Every draw records a Hypothesis
    ``event()`` (``--hypothesis-show-statistics`` shows how often each
    happened).  A network with no piecewise activation is never aimed.

    Shrinks towards un-aimed draws, then as :func:`weights` and
    :func:`inputs` do.
    """
    _network_arg(net)
    if isinstance(aim, bool) or not isinstance(aim, (int, float)) or not 0 <= aim <= 1:
        raise InvalidArgument(f"aim={aim!r} must be a number between 0 and 1")
    w_strategy = weights(net, kind=kind, min_value=min_value, max_value=max_value, max_denominator=max_denominator)
    x_strategy = inputs(net, kind=kind, min_value=min_value, max_value=max_value, max_denominator=max_denominator)
    params = net.parameters
    n = len(params)
    aimer = Aimer(net, kind, n, _layers(net))
    cut = round(100 * (1 - aim))

    @st.composite
    def draw(d: Any) -> tuple[dict[sympy.Symbol, Any], tuple[Any, ...]]:
        w, x = d(w_strategy), d(x_strategy)
        if not aimer.active:
            return w, x
        if d(st.integers(0, 99)) < cut or not aim:
            event("symnet: not aimed at a breakpoint")
            return w, x
        values, tag, _ = aimer.aim([*(w[s] for s in params), *x], d(st.randoms(use_true_random=False)))
        event(
            {
                None: "symnet: aim failed",
                "at": "symnet: exactly at a breakpoint",
                "near": "symnet: within 2**-10 (or an ulp) of a breakpoint",
                "beside": "symnet: a small step beside a breakpoint",
            }[tag]
        )
        return dict(zip(params, values[:n], strict=True)), tuple(values[n:])

    return draw()
