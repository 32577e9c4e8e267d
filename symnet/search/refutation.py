"""Exact refutations: a network whose output is not affine in its inputs x.

``refute(net)`` returns a :class:`Counterexample` -- exact rational values
for the network's weight symbols, two exact rational input points u and v,
and an output k with

    f_k((u + v)/2)  !=  (f_k(u) + f_k(v))/2,

which no affine function can satisfy -- or ``None`` when the network *is*
affine in x (proved, never guessed).  The inequality is established with
exact arithmetic; for transcendental activations (tanh, sigmoid, softplus)
by rigorous interval arithmetic (python-flint balls), and the values are
then stated as rational enclosures.

How it searches (``check()`` trusts none of it):

* **structure** -- if every unit that reaches an output is affine in x
  (affine activations, or a non-affine activation applied to a constant),
  the network is affine: ``None``;
* **polynomial activations** -- along a random line ``a + s*d`` the output
  is a polynomial in s; degree >= 2 gives the two points directly; if no
  line shows it, the output is expanded exactly (sparse ring) to decide;
* **piecewise-linear activations** (relu, leaky_relu, Abs, Max/Min of affine
  pieces) -- the restriction to a line is analysed exactly (its kinks);
  a kink where the slope changes gives u, v; if no line shows one, the exact
  linear regions (:func:`symnet.regions`) decide;
* **other activations** -- random exact points, screened with interval
  arithmetic.

When none of these decides (e.g. a sigmoid network that cancels to an
affine function), :class:`UndecidedError` is raised rather than a guess.

>>> import symnet
>>> cx = symnet.refute(symnet.dense(1, [1], activation="relu"))
>>> cx.check()
True
>>> symnet.refute(symnet.dense(2, [3])) is None
True
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from fractions import Fraction
from functools import partial
from itertools import pairwise
from typing import Any

import flint
import sympy

from ..conversion import exact_floats, exact_fmpq, exact_ratio, exact_rational
from ..errors import CertificateError, InvalidType, SizeGuardError, UndecidedError
from ..kernel import counterexample as checker
from ..kernel.gate import gate_activation
from ..model.exact import qq_dense
from ..model.network import Network
from ..numbers import fast_rational
from ..render._numbers import round_outward
from ..results.counterexample import FORMAT, VERSION, Counterexample, Value
from ._exact_eval import exact_outputs, interval_outputs, pl_pieces, tame
from .degree import degree_bounds, expanded_degrees, line_outputs, non_polynomial_entry, random_values
from .regions import regions

__all__ = ["FORMAT", "VERSION", "Counterexample", "UndecidedError", "refute"]


# -------------------------------------------------------------------- search
_AFFINE, _POLY, _KINK, _OTHER = "affine", "poly", "kink", "other"


def _kind(body: sympy.Expr, var: sympy.Symbol) -> str:
    if body.is_polynomial(var) and not body.atoms(sympy.NumberSymbol):  # pi or E: not polynomial over QQ
        return _AFFINE if sympy.Poly(body, var).degree() <= 1 else _POLY
    if not (body.free_symbols - {var}) and pl_pieces(body, var) is not None:
        return _KINK
    return _OTHER


def _structure(net: Network) -> tuple[bool, int | None]:
    """(affine proved by structure, first hidden layer whose activation is not affine)."""
    affine = [True] * net.p
    constant = [False] * net.p
    first = None
    for l, layer in enumerate(net.layers):
        kind = _kind(exact_floats(layer.activation.expr), layer.activation.variable)
        if kind != _AFFINE and first is None and l < net.depth:
            first = l + 1
        next_aff, next_const = [], []
        qq = qq_dense(layer.stored_weights)  # numeric weights: read from flint, not entry by entry from sympy
        flat = qq.entries() if qq is not None else list(layer.weights)
        for k in range(layer.width):
            row = flat[k * layer.fan_in : (k + 1) * layer.fan_in]
            reads = [j for j, w in enumerate(row) if w != 0]
            z_aff = all(affine[j] for j in reads)
            z_const = all(constant[j] for j in reads)
            next_const.append(z_const)
            next_aff.append(z_const or (z_aff and kind == _AFFINE))
        affine, constant = next_aff, next_const
    return all(affine), first


def _build(
    net: Network,
    values: dict[sympy.Symbol, sympy.Rational],
    u: list[Any],
    v: list[Any],
    layer: int | None,
    evaluate: Callable[[list[sympy.Rational]], list[sympy.Expr]] | None = None,
) -> Counterexample | None:
    """The verified counterexample at (values, u, v), or None if no output shows a non-zero defect.

    ``evaluate`` computes the exact outputs at a point (default: the kernel's exact forward pass) of a network
    whose activations keep rationals rational; any other network is evaluated by balls (:func:`_build_balls`).
    """
    u = [exact_rational(c, "u") for c in u]
    v = [exact_rational(c, "v") for c in v]
    if u == v:
        return None
    m = [(a + b) / 2 for a, b in zip(u, v, strict=True)]
    form = checker.bounded_form(net, "midpoint_defect")
    if not checker.rational_network(form):
        return _build_balls(net, form, values, (u, v, m), layer)
    outs = [exact_outputs(net, values, pt) if evaluate is None else evaluate(pt) for pt in (u, v, m)]
    for k in range(net.q):
        fu, fv, fm = outs[0][k], outs[1][k], outs[2][k]
        defect = fm - (fu + fv) / 2
        if not defect.is_Rational or defect == 0:
            continue
        cx = _checked(Counterexample(net, dict(values), (tuple(u), tuple(v)), k, (fu, fv, fm), (defect, defect), layer))
        if cx is not None:
            return cx
    return None


def _checked(cx: Counterexample) -> Counterexample | None:
    try:
        cx.check()
    except CertificateError:
        return None
    return cx


def _build_balls(
    net: Network, form: Any, values: dict[sympy.Symbol, sympy.Rational], pts: tuple[list[Any], ...], layer: int | None
) -> Counterexample | None:
    """The counterexample at ``pts`` = (u, v, m) with its values stated by rational enclosures of the kernel's balls
    (an exact rational when a ball is one), at the first of the kernel's precisions that separates a defect from 0."""
    u, v, _ = pts
    for prec in checker.PRECISIONS:
        with flint.ctx.workprec(prec):
            try:
                balls = checker.ball_values(form, values, pts)
            except UndecidedError:
                continue
            for k in range(net.q):
                fu, fv, fm = (out[k] for out in balls)
                d = fm - (fu + fv) / 2
                if not all(map(tame, (fu, fv, fm, d))):
                    continue
                enclosure = _enclosure(d.lower().fmpq(), d.upper().fmpq())
                if enclosure is None:
                    continue
                stated = (_stated(fu), _stated(fv), _stated(fm))
                cx = _checked(Counterexample(net, dict(values), (tuple(u), tuple(v)), k, stated, enclosure, layer))
                if cx is not None:
                    return cx
    return None


#: Significant digits of a value's stated enclosure (rounded outward from the ball's exact ends).
VALUE_DIGITS = 16


def _stated(ball: flint.arb) -> Value:
    """What a counterexample states of a value computed as a ball: the exact rational when the ball has radius 0,
    else its ends rounded outward to :data:`VALUE_DIGITS` significant digits."""
    if ball.rad() == 0:
        return exact_rational(ball.mid().fmpq())
    nlo, elo = round_outward(ball.lower().fmpq(), VALUE_DIGITS, "down")
    nhi, ehi = round_outward(ball.upper().fmpq(), VALUE_DIGITS, "up")
    return exact_rational(Fraction(nlo) * Fraction(10) ** elo), exact_rational(Fraction(nhi) * Fraction(10) ** ehi)


def _enclosure(lo: Any, hi: Any) -> tuple[sympy.Rational, sympy.Rational] | None:
    """Short rational bounds around [lo, hi] excluding 0, or None if [lo, hi] holds 0."""
    if not (lo > 0 or hi < 0):
        return None
    for digits in (8, 16, 40, 120, 400):
        nlo, elo = round_outward(lo, digits, "down")
        nhi, ehi = round_outward(hi, digits, "up")
        rlo = Fraction(nlo - 1) * Fraction(10) ** elo
        rhi = Fraction(nhi + 1) * Fraction(10) ** ehi
        if rlo > 0 or rhi < 0:
            return exact_rational(rlo), exact_rational(rhi)
    return None


def _ints(rng: random.Random, n: int, spread: int, nonzero: bool = False) -> list[sympy.Integer]:
    while True:
        out = [sympy.Integer(rng.randint(-spread, spread)) for _ in range(n)]
        if not nonzero or any(out):
            return out


# --- polynomial activations
def _refute_polynomial(net: Network, layer: int | None, seed: int) -> Counterexample | None:
    if all(b is None or b <= 1 for b in degree_bounds(net)[-1]):
        return None
    rng = random.Random(seed)
    for attempt in range(12):
        spread = 2 + attempt // 3
        values = random_values(net, rng, spread)
        a = _ints(rng, net.p, spread)
        d = _ints(rng, net.p, spread, nonzero=True)
        for g in line_outputs(net, values, a, d):
            if g and g.degree() >= 2:
                for s1, s2 in ((-1, 1), (0, 1), (0, 2), (-1, 2), (1, 3), (-2, 1), (0, 3)):
                    u = [ai + s1 * di for ai, di in zip(a, d, strict=True)]
                    v = [ai + s2 * di for ai, di in zip(a, d, strict=True)]
                    cx = _build(net, values, u, v, layer)
                    if cx is not None:
                        return cx
    if all(deg is None or deg <= 1 for deg in expanded_degrees(net)):
        return None
    raise UndecidedError("the expanded output has degree >= 2 but no witness line was found; try another seed")


# --- piecewise-linear activations
#: A layer along a line: (W as an fmpq_mat, b as fmpq, activation pieces in fmpq).
_Layer = tuple[Any, list[Any], tuple[Any, ...]]
#: A piece of the line: (s_lo, s_hi, each unit's (slope, intercept) in s); None for an unbounded end.
_Piece = tuple[Any, Any, list[tuple[Any, Any]]]


def _numeric_layers(net: Network, values: Mapping[sympy.Symbol, Any]) -> list[_Layer]:
    """Each layer as (weights, biases, activation pieces) in python-flint, with ``values`` substituted."""
    layers = []
    for layer in net.layers:
        w = layer.weights.xreplace(values) if values else layer.weights  # a Network holds no Float: exact already
        b = layer.biases.xreplace(values) if values else layer.biases
        pieces = pl_pieces(exact_floats(layer.activation.expr.xreplace(values)), layer.activation.variable)
        if pieces is None:  # pragma: no cover - callers classify first
            raise UndecidedError(f"activation {layer.activation.label()} is not piecewise affine")
        act: tuple[Any, ...]
        if pieces[0] == _AFFINE:
            act = (_AFFINE, exact_fmpq(pieces[1]), exact_fmpq(pieces[2]))
        else:
            act = (_KINK, exact_fmpq(pieces[1]), tuple(map(exact_fmpq, pieces[2])), tuple(map(exact_fmpq, pieces[3])))
        wq, bq = qq_dense(layer.stored_weights), qq_dense(layer.stored_biases)
        if not values and wq is not None and bq is not None:
            layers.append((wq, bq.entries(), act))
            continue
        entries = [exact_fmpq(w[k, j], "a weight") for k in range(layer.width) for j in range(layer.fan_in)]
        wf = flint.fmpq_mat(layer.width, layer.fan_in, entries)
        layers.append((wf, [exact_fmpq(b[k], "a bias") for k in range(layer.width)], act))
    return layers


def _pl_outputs(layers: list[_Layer], x: Sequence[Any]) -> list[sympy.Rational]:
    """The outputs of the numeric piecewise-affine layers at the rational point ``x``, exactly."""
    u = flint.fmpq_mat(len(x), 1, [exact_fmpq(c) for c in x])
    for wf, bf, act in layers:
        z = [zk + bk for zk, bk in zip((wf * u).entries(), bf, strict=True)]
        if act[0] == _AFFINE:
            z = [act[1] * zk + act[2] for zk in z]
        else:
            t0, low, high = act[1], act[2], act[3]
            z = [(high if zk >= t0 else low)[0] * zk + (high if zk >= t0 else low)[1] for zk in z]
        u = flint.fmpq_mat(len(z), 1, z)
    return [fast_rational(int(v.p), int(v.q)) for v in u.entries()]


def _split(layers: list[_Layer], i: int, lo: Any, hi: Any, forms: Any) -> Iterator[_Piece]:
    """The pieces of (lo, hi) after layers i, i+1, ... in increasing s; ``forms`` is an n x 2 fmpq_mat."""
    if i == len(layers):
        flat = forms.entries()
        yield lo, hi, list(zip(flat[0::2], flat[1::2], strict=True))
        return
    wf, bf, act = layers[i]
    flat = (wf * forms).entries()
    z = [(al, be + bk) for al, be, bk in zip(flat[0::2], flat[1::2], bf, strict=True)]
    if act[0] == _AFFINE:
        m, c = act[1], act[2]
        out = [e for al, be in z for e in (m * al, m * be + c)]
        yield from _split(layers, i + 1, lo, hi, flint.fmpq_mat(len(z), 2, out))
        return
    t0, low, high = act[1], act[2], act[3]
    cuts = sorted({(t0 - be) / al for al, be in z if al != 0} - {lo, hi})
    cuts = [c for c in cuts if (lo is None or c > lo) and (hi is None or c < hi)]
    for s_lo, s_hi in pairwise([lo, *cuts, hi]):
        if s_lo is None and s_hi is None:
            rep = flint.fmpq(0)
        elif s_lo is None:
            rep = s_hi - 1
        elif s_hi is None:
            rep = s_lo + 1
        else:
            rep = (s_lo + s_hi) / 2
        out = []
        for al, be in z:
            m, c = high if al * rep + be >= t0 else low
            out += (m * al, m * be + c)
        yield from _split(layers, i + 1, s_lo, s_hi, flint.fmpq_mat(len(z), 2, out))


def line_pieces(layers: list[_Layer], a: Sequence[Any], d: Sequence[Any]) -> Iterator[_Piece]:
    """The network along ``a + s*d``, lazily in increasing s: intervals (lo, hi) with each output's (slope, intercept).

    Exact (python-flint ``fmpq``); a piece is computed only when the caller asks for it,
    so a search that stops at the first kink computes only the pieces up to it.
    """
    rows = [e for aj, dj in zip(a, d, strict=True) for e in (exact_fmpq(dj), exact_fmpq(aj))]
    start = flint.fmpq_mat(len(a), 2, rows)
    return _split(layers, 0, None, None, start)


def _kink_points(pieces: Iterable[_Piece], a: Sequence[Any], d: Sequence[Any]) -> Iterator[tuple[list[Any], list[Any]]]:
    """Pairs (u, v) straddling each kink where some output's slope changes, lazily in increasing s."""
    for (lo1, hi1, f1), (_, hi2, f2) in pairwise(pieces):
        if all(x[0] == y[0] for x, y in zip(f1, f2, strict=True)):
            continue
        s0 = hi1
        gaps = [
            g
            for g in ((s0 - lo1) if lo1 is not None else None, (hi2 - s0) if hi2 is not None else None)
            if g is not None
        ]
        eps = min(gaps) / 2 if gaps else flint.fmpq(1)
        eps = min(eps, flint.fmpq(1))
        u = [ai + (s0 - eps) * di for ai, di in zip(a, d, strict=True)]
        v = [ai + (s0 + eps) * di for ai, di in zip(a, d, strict=True)]
        yield u, v


def _refute_piecewise(net: Network, layer: int | None, seed: int) -> Counterexample | None:
    rng = random.Random(seed)
    symbolic = bool(net.parameters)
    for attempt in range(16):
        spread = 2 + attempt // 4
        values = random_values(net, rng, spread) if symbolic else {}
        layers = _numeric_layers(net, values)
        a = [flint.fmpq(int(c)) for c in _ints(rng, net.p, spread)]
        d = [flint.fmpq(int(c)) for c in _ints(rng, net.p, spread, nonzero=True)]
        for u, v in _kink_points(line_pieces(layers, a, d), a, d):
            cx = _build(net, values, u, v, layer, None if symbolic else partial(_pl_outputs, layers))
            if cx is not None:
                return cx
    if symbolic:
        raise UndecidedError(
            "no exact counterexample was found for random rational weights and the network is not affine "
            "by its structure; symnet cannot decide this symbolic piecewise-linear network"
        )
    regs = regions(net)
    if regs.is_affine:
        return None
    layers = _numeric_layers(net, {})
    items = list(regs)
    for i, r1 in enumerate(items):
        for r2 in items[i + 1 :]:
            if r1.matrix == r2.matrix and r1.offset == r2.offset:
                continue
            p1 = [Fraction(*exact_ratio(c)) for c in r1.interior_point]
            b = [Fraction(*exact_ratio(c)) for c in r2.interior_point]
            for j in range(-1, net.p):
                bb = list(b)
                if j >= 0:
                    step = Fraction(1, 2)
                    while step > Fraction(1, 2**40):
                        bb = list(b)
                        bb[j] += step
                        if r2.contains(bb, strict=True):
                            break
                        step /= 2
                d = [exact_fmpq(y - x) for x, y in zip(p1, bb, strict=True)]
                if not any(d):
                    continue
                fa = [exact_fmpq(x) for x in p1]
                for u, v in _kink_points(line_pieces(layers, fa, d), fa, d):
                    cx = _build(net, {}, u, v, layer, partial(_pl_outputs, layers))
                    if cx is not None:
                        return cx
    raise UndecidedError("the regions differ but no straddling pair was found")  # pragma: no cover


# --- any other activation
def _refute_general(net: Network, layer: int | None, seed: int) -> Counterexample | None:
    rng = random.Random(seed)
    for attempt in range(40):
        spread = 2 + attempt // 10
        values = random_values(net, rng, spread)
        den = (1, 2, 10, 1000)[attempt % 4]
        u = [sympy.Rational(rng.randint(-3 * den, 3 * den), den) for _ in range(net.p)]
        v = [sympy.Rational(rng.randint(-3 * den, 3 * den), den) for _ in range(net.p)]
        if u == v:
            continue
        m = [(x + y) / 2 for x, y in zip(u, v, strict=True)]
        try:
            iv = [interval_outputs(net, values, pt, 96) for pt in (u, v, m)]
        except UndecidedError:
            continue
        for k in range(net.q):
            (ul, uh), (vl, vh), (ml, mh) = iv[0][k], iv[1][k], iv[2][k]
            lo, hi = ml - (uh + vh) / 2, mh - (ul + vl) / 2
            if lo > 0 or hi < 0:
                cx = _build(net, values, u, v, layer)
                if cx is not None:
                    return cx
                break
    if net.size() <= 400:
        exprs = [sympy.expand(exact_floats(e)) for e in net.output]
        if all(e.is_polynomial(*net.inputs) and sympy.Poly(e, *net.inputs).total_degree() <= 1 for e in exprs):
            return None
    raise UndecidedError(
        "no exact counterexample was found at random rational points and symnet cannot prove the network "
        "affine; its activations may cancel"
    )


#: refute refuses networks with more hidden units than this.
MAX_UNITS = 2000
#: ... and networks whose polynomial activations' degrees multiply past this.
MAX_REFUTE_DEGREE = 256


def refute(net: Network, *, seed: int = 0) -> Counterexample | None:
    """An exact counterexample to "the output is affine in x", or None when it is affine.

    ``None`` is returned only when linearity is proved (by the network's
    structure, by exact expansion, or by exact linear regions).  Raises
    :class:`UndecidedError` when neither can be established, InvalidType
    for a non-network and SizeGuardError for networks beyond the guards.
    The search is deterministic for a given ``seed``.
    """
    if not isinstance(net, Network):
        raise InvalidType(f"net must be a symnet.Network, got {type(net).__name__}")
    units = sum(net.hidden)
    if units > MAX_UNITS:
        raise SizeGuardError(
            f"net has {units} hidden units, more than refute's guard of {MAX_UNITS}", estimate=units, limit=MAX_UNITS
        )
    degree_product = 1
    for act in net.activations:
        if not act.is_identity and act.expr.is_polynomial(act.variable):
            degree_product *= max(gate_activation(act, (), "the activation").degree, 1)
    if degree_product > MAX_REFUTE_DEGREE:
        raise SizeGuardError(
            f"the activations' degrees multiply to {degree_product}, above refute's guard of {MAX_REFUTE_DEGREE} "
            "(exact values along a line would have that degree)",
            estimate=degree_product,
            limit=MAX_REFUTE_DEGREE,
        )
    affine, layer = _structure(net)
    if affine:
        return None
    bad = non_polynomial_entry(net)
    if bad is not None:
        raise UndecidedError(f"refute reads exact rational arithmetic, but {bad}")
    kinds = {_kind(exact_floats(act.expr), act.variable) for act in net.activations}
    if kinds <= {_AFFINE, _POLY}:
        return _refute_polynomial(net, layer, seed)
    if kinds <= {_AFFINE, _KINK}:
        return _refute_piecewise(net, layer, seed)
    return _refute_general(net, layer, seed)
