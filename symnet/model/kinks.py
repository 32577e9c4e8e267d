"""Draws aimed at an activation's breakpoints: pre-activations exactly at a kink, or a hair beside it.

Used by :func:`symnet.testing.assert_forward_matches` and
:func:`symnet.strategies.instantiations` (both re-export :func:`breakpoints`).

Bugs in hand-written forward passes sit at the kinks: a ReLU written
``z > 1e-3``, a hard-tanh clipped at the wrong side of ``1``.  Drawn at
random, a pre-activation almost never lands within ``1e-3`` of a kink, so
the testing tools move some of their draws there: for an *aimed*
instantiation an :class:`Aimer` picks a hidden layer and one of its units,
a target ``t0 + delta`` (``t0`` a breakpoint of the layer's activation,
``delta`` zero, a tiny ``±2**-e`` or a small ``±2**-e``) and changes one
value so that the unit's pre-activation is exactly that target: the unit's
bias, else one of its weights, else (first layer) one input.

>>> import symnet
>>> breakpoints(symnet.activation("relu"))
(Fraction(0, 1),)
>>> import sympy
>>> t = sympy.Symbol("t")
>>> breakpoints(symnet.activation(sympy.Lambda(t, sympy.Max(-1, sympy.Min(1, t)))))  # hard-tanh
(Fraction(-1, 1), Fraction(1, 1))
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Callable, Sequence
from fractions import Fraction
from itertools import combinations
from typing import Any, NamedTuple

import sympy

from ..conversion import exact_ratio
from ..errors import SymnetError
from .activations import Activation
from .network import Network

__all__ = ["AIM_RATE", "Aimer", "ForwardCheck", "Shot", "breakpoints"]

#: Share of the instantiations aimed at a breakpoint, when some hidden activation has one.
AIM_RATE = 0.5

#: Most breakpoints read from one activation.
_MAX_BREAKPOINTS = 16

Scalar = Callable[[Fraction], Fraction]


class ForwardCheck(NamedTuple):
    """What one :func:`~symnet.testing.assert_forward_matches` run drew.

    ``samples`` instantiations were compared; ``aimed`` of them had one unit's
    pre-activation moved to a breakpoint target: ``at_breakpoint`` exactly
    onto a breakpoint, ``near_breakpoint`` beside one (``0 < |delta| <= 2**-10``,
    or one float ulp), the rest a small step (``2**-9 .. 1/2``; 1 for ints) away.
    """

    samples: int
    aimed: int
    at_breakpoint: int
    near_breakpoint: int


# ------------------------------------------------------------- breakpoints
def _linear_root(expr: sympy.Expr, t: sympy.Symbol) -> Fraction | None:
    """The rational root of ``expr`` when it is ``m*t + c`` with rational m != 0, c; else None."""
    try:
        poly = sympy.Poly(expr, t)
    except sympy.PolynomialError:
        return None
    if poly.degree() != 1 or not all(c.is_Rational for c in poly.all_coeffs()):
        return None
    m, c = poly.all_coeffs()
    return Fraction(int((-c / m).p), int((-c / m).q))


def _leaves(node: sympy.Basic) -> list[sympy.Expr]:
    """The arguments of a Max/Min tree, nested Max/Min flattened."""
    out: list[sympy.Expr] = []
    for arg in node.args:
        out.extend(_leaves(arg) if isinstance(arg, (sympy.Max, sympy.Min)) else [arg])
    return out


@functools.lru_cache(maxsize=256)
def breakpoints(act: Activation) -> tuple[Fraction, ...]:
    """The rational points where a piecewise activation may change its piece, sorted (empty for smooth ones).

    Read from the body: where two affine arguments of a ``Max``/``Min`` meet,
    where the affine argument of ``Abs``, ``Heaviside`` or ``sign`` is zero,
    and where a ``Piecewise`` condition's two sides meet.  A superset of the
    kinks is harmless: it only adds targets.
    """
    t, body = act.variable, act.expr
    found: set[Fraction] = set()
    for node in sympy.preorder_traversal(body):
        candidates: list[sympy.Expr] = []
        if isinstance(node, (sympy.Max, sympy.Min)):
            candidates = [a - b for a, b in combinations(_leaves(node), 2)]
        elif isinstance(node, (sympy.Abs, sympy.Heaviside, sympy.sign)):
            candidates = [node.args[0]]
        elif isinstance(node, sympy.Piecewise):
            for _, cond in node.args:
                rels = [cond] if isinstance(cond, sympy.core.relational.Relational) else []
                rels += list(cond.atoms(sympy.core.relational.Relational)) if isinstance(cond, sympy.Basic) else []
                candidates += [r.lhs - r.rhs for r in rels]
        for c in candidates:
            root = _linear_root(c, t)
            if root is not None:
                found.add(root)
    return tuple(sorted(found)[:_MAX_BREAKPOINTS])


# ------------------------------------------------------ exact scalar activation
def _scalar(e: sympy.Basic, t: sympy.Symbol) -> Scalar | None:
    """``e`` as an exact function of ``t`` on Fractions, or None when it is not piecewise-polynomial."""
    if e == t:
        return lambda v: v
    if e.is_Number:
        try:
            c = Fraction(*exact_ratio(e, "an activation's constant"))
        except SymnetError:  # not a real number (I, zoo, nan): no exact evaluation
            return None
        return lambda v: c
    parts = [_scalar(a, t) for a in e.args]
    if any(p is None for p in parts):
        return None
    fs: list[Scalar] = [p for p in parts if p is not None]
    if isinstance(e, sympy.Add):
        return lambda v: sum((f(v) for f in fs), Fraction(0))
    if isinstance(e, sympy.Mul):
        return lambda v: math.prod((f(v) for f in fs), start=Fraction(1))
    if isinstance(e, sympy.Pow) and e.exp.is_Integer and int(e.exp) >= 0:
        base, n = fs[0], int(e.exp)
        return lambda v: base(v) ** n
    if isinstance(e, sympy.Max):
        return lambda v: max(f(v) for f in fs)
    if isinstance(e, sympy.Min):
        return lambda v: min(f(v) for f in fs)
    if isinstance(e, sympy.Abs):
        return lambda v: abs(fs[0](v))
    return None


@functools.lru_cache(maxsize=256)
def _activation_function(act: Activation) -> Scalar | None:
    return _scalar(act.expr, act.variable)


# -------------------------------------------------------------------- aiming
class Shot(NamedTuple):
    """One aimed pre-activation: unit ``unit`` of hidden layer ``layer`` (0-based) moved onto ``target``.

    ``point`` is the breakpoint aimed at.  The value moved is ``moved`` (into
    the parameters, then the inputs): the unit's bias (``source`` None), its
    weight from input ``source``, or with ``through_input`` the first layer's
    input ``source``.
    """

    layer: int
    unit: int
    point: Fraction
    target: Fraction
    moved: int
    source: int | None
    through_input: bool


class Aimer:
    """Moves one unit's pre-activation of an instantiation onto a breakpoint target (see the module docstring).

    ``layers(values)`` gives the numeric weight matrices and bias vectors of
    an instantiation (the harness's own); ``n`` is the number of parameters
    (the values are the parameters, then the inputs).
    """

    def __init__(self, net: Network, kind: str, n: int, layers: Callable[[Sequence[Any]], Any]) -> None:
        self.net, self.kind, self.n, self.layers = net, kind, n, layers
        index = {s: i for i, s in enumerate(net.parameters)}
        self.acts = [_activation_function(a) for a in net.activations]
        self.targets = [breakpoints(a) for a in net.activations]
        # the hidden layers that can be aimed: a breakpoint, and every activation before it evaluable exactly
        self.aimable: list[int] = []
        for l, points in enumerate(self.targets):
            if points and all(f is not None for f in self.acts[:l]):
                self.aimable.append(l)
        self.bias_index = [[index.get(b) for b in layer.biases] for layer in net.layers]
        self.weight_index = [
            [[index.get(w) for w in layer.weights.row(k)] for k in range(layer.weights.rows)] for layer in net.layers
        ]

    @property
    def active(self) -> bool:
        """True when some hidden layer has a breakpoint to aim at."""
        return bool(self.aimable)

    def _delta(self, rng: random.Random, point: Fraction) -> tuple[Fraction, str]:
        roll = rng.random()
        sign = 1 if rng.random() < 0.5 else -1
        if self.kind == "int":
            return (Fraction(0), "at") if roll < 0.5 else (Fraction(sign), "beside")
        if roll < 0.25:
            return Fraction(0), "at"
        if self.kind == "float" and roll < 0.35 and point != 0:
            return Fraction(math.ulp(float(point))) * sign, "near"
        if roll < 0.8:  # floats: beyond 2**-30 a step would hide under the round-off tolerance
            return Fraction(sign, 2 ** rng.randint(10, 30 if self.kind == "float" else 60)), "near"
        return Fraction(sign, 2 ** rng.randint(1, 9)), "beside"

    def _pre_activation(self, values: Sequence[Any], l: int, k: int) -> tuple[Fraction, list[Fraction], Any]:
        """The exact pre-activation of unit k of layer l, the layer's exact input, and the numeric layers."""
        weights, biases = self.layers(values[: self.n])
        u = [Fraction(v) for v in values[self.n :]]
        for i in range(l):
            act = self.acts[i]
            assert act is not None
            rows = zip(weights[i], biases[i], strict=True)
            u = [act(Fraction(b) + sum(map(_times, w, u), Fraction(0))) for w, b in rows]
        z = Fraction(biases[l][k]) + sum(map(_times, weights[l][k], u), Fraction(0))
        return z, u, weights

    def aim(self, values: list[Any], rng: random.Random) -> tuple[list[Any], str | None, Shot | None]:
        """``values`` with one unit aimed, its tag (``"at"``, ``"near"``, ``"beside"``) and the :class:`Shot`.

        Unchanged values, None and None when that unit cannot be moved.
        """
        l = rng.choice(self.aimable)
        k = rng.randrange(self.net.layers[l].width)
        point = rng.choice(self.targets[l])
        delta, tag = self._delta(rng, point)
        z, u, weights = self._pre_activation(values, l, k)
        target = point + delta
        # what to move: the bias, else a weight whose input is not 0, else (first layer) an input whose weight is not 0
        bias = self.bias_index[l][k]
        shots = [] if bias is None else [Shot(l, k, point, target, bias, None, False)]
        row = self.weight_index[l][k]
        shots += [Shot(l, k, point, target, i, j, False) for j, i in enumerate(row) if i is not None]
        if l == 0:
            shots += [Shot(l, k, point, target, self.n + j, j, True) for j in range(len(weights[0][k]))]
        shots = [s for s in shots if self._factor(s, u, weights)]
        if not shots:
            return values, None, None
        shot = shots[0] if bias is not None else rng.choice(shots)
        out = self._shoot(values, shot, z, u, weights)
        return (values, None, None) if out is None else (out, tag, shot)

    def shoot(self, values: list[Any], shot: Shot) -> list[Any] | None:
        """``values`` aimed again as ``shot`` aimed them (after other values changed), or None if it cannot."""
        z, u, weights = self._pre_activation(values, shot.layer, shot.unit)
        return self._shoot(values, shot, z, u, weights)

    @staticmethod
    def _factor(shot: Shot, u: Sequence[Fraction], weights: Any) -> Fraction:
        """How much the pre-activation moves per unit of the moved value."""
        if shot.source is None:
            return Fraction(1)
        return Fraction(weights[0][shot.unit][shot.source]) if shot.through_input else u[shot.source]

    def _shoot(
        self, values: list[Any], shot: Shot, z: Fraction, u: Sequence[Fraction], weights: Any
    ) -> list[Any] | None:
        factor = self._factor(shot, u, weights)
        if not factor:
            return None
        new = Fraction(values[shot.moved]) + (shot.target - z) / factor
        out = list(values)
        if self.kind == "float":
            out[shot.moved] = float(new)
        elif self.kind == "int":
            if new.denominator != 1:
                return None
            out[shot.moved] = int(new)
        else:
            out[shot.moved] = new if new.denominator != 1 else int(new)
        return out


def _times(a: Any, b: Fraction) -> Fraction:
    return Fraction(a) * b if a else Fraction(0)
