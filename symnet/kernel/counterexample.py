"""The checker of a counterexample: "the output is not affine in x", by an exact midpoint defect.

The network goes through the well-formedness gate (:mod:`symnet.kernel.gate`)
first: exact numbers, declared symbols, activations confined to their own
variable (a fresh Dummy) and parameters.  Every value the document states is
recomputed -- exactly, or by rigorous interval arithmetic for transcendental
activations (python-flint's ``arb`` balls, whose exact ends decide) -- and
compared.  This module imports none of the code that *finds* refutations; it
reads only the network model, the document (:mod:`symnet.certificate`), sympy
and python-flint.

The exact forward pass and the interval rules are shared with the degree
checker (:mod:`symnet.kernel.degree`), and reused by the search's evaluators
(:mod:`symnet.search._exact_eval`), so a candidate is computed the way it is checked.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from types import EllipsisType
from typing import Any

import flint
import sympy
from flint import arb

from ..certificate.documents import CounterexampleDocument
from ..cost import postorder, show
from ..errors import CertificateError, UndecidedError
from ..model.core import NetworkData as Network
from ..numbers import exact_fmpq, fast_rational
from .gate import NetworkForm, gate_network
from .regions_cert import forward, network_pieces, pieces
from .ring import FUNCTIONS, MAX_DEGREE, Exact, balanced_sum

__all__ = [
    "PRECISIONS",
    "bits_guard",
    "bounded_form",
    "check_counterexample",
    "check_document",
    "degree_product",
    "expand",
    "exact_values",
    "ball_values",
    "rational_network",
    "interval",
    "layer_outputs",
    "substituted",
]


def _fail(message: str, *, step: int | None = None, rule: str | None = None) -> CertificateError:
    return CertificateError(message, step=step, rule=rule)


# ------------------------------------------------------------ exact evaluation
def _check_values(weights: Mapping[sympy.Symbol, Any], form: NetworkForm) -> dict[sympy.Symbol, sympy.Rational]:
    params = set(form.parameters)
    if not isinstance(weights, Mapping) or set(weights) != params:
        given = set(weights) if isinstance(weights, Mapping) else set()
        missing = sorted(s.name for s in params - given)
        extra = sorted(str(s) for s in given - params)
        raise _fail(f"weights must give exactly the network's parameters (missing {missing}, extra {extra})")
    for s, v in weights.items():
        if not (isinstance(v, sympy.Basic) and v.is_Rational):
            raise _fail(f"weights[{s}]={v!r} is not an exact rational")
    return dict(weights)


def degree_product(form: NetworkForm) -> int:
    """The product of the polynomial activations' degrees, each counted as at least 1."""
    return math.prod(max(act.degree, 1) for act in form.activations if act.is_polynomial)


def bounded_form(net: Network, rule: str) -> NetworkForm:
    """The network through the gate, refused when its activations' degrees multiply past :data:`MAX_DEGREE`."""
    form = gate_network(net)
    if degree_product(form) > MAX_DEGREE:
        message = f"the activations' degrees multiply to {degree_product(form)}, above the kernel's limit {MAX_DEGREE}"
        raise _fail(message, rule=rule)
    return form


#: Largest estimated size (bits) of the exact numbers an evaluation builds:
#: the data's bits times the activations' degree product.
MAX_EVALUATION_BITS = 4_000_000
#: Largest estimated work of one exact evaluation: per layer whose numbers may pass 4,096 bits, its products
#: (nonzero weights, and the activation's Horner steps per unit) times the bits of the numbers they build there;
#: along a witness line (degree certificates) times the number of coefficients too.  Measured: 7.7e6 took
#: 2.3 s (12 square layers of width 3; sympy reduces every product by a gcd), 2.0e6 0.35 s.
MAX_EVALUATION_WORK = 4_000_000
_CHEAP_BITS = 4096


def bits_guard(form: NetworkForm, numbers: Sequence[Any], rule: str, *, line: bool = False) -> None:
    """Refuse up front an exact evaluation whose numbers would grow past MAX_EVALUATION_BITS or whose work would
    pass MAX_EVALUATION_WORK (``line``: the values are polynomials in one variable of the degree of each layer)."""
    sizes = (int(r.p).bit_length() + int(r.q).bit_length() for r in map(sympy.Rational, numbers))
    bits = max(64, form.entry_bits + 1, *sizes)  # +1: the gate counts an integer's or a power of two's q as 0 bits
    estimate = bits * degree_product(form) * len(form.biases)
    if estimate > MAX_EVALUATION_BITS:
        raise _fail(
            f"evaluating the network exactly here would build numbers of about {estimate} bits, above the kernel's "
            f"limit of {MAX_EVALUATION_BITS}",
            rule=rule,
        )
    work, degree = 0, 1
    for flat, b, act in zip(form.flat_weights, form.biases, form.activations, strict=True):
        d = max(act.degree, 1) if act.is_polynomial else 1
        degree *= d
        size = bits * degree * (degree if line else 1)
        if size > _CHEAP_BITS:  # products of shorter numbers cost the read of the document, whatever their bits
            work += (sum(1 for w in flat if w != 0) + len(b) * d) * size
    if work > MAX_EVALUATION_WORK:
        raise _fail(
            f"evaluating the network exactly here would take work of about {work} (products times bits), above the "
            f"kernel's limit of {MAX_EVALUATION_WORK}",
            rule=rule,
        )


def substituted(
    form: NetworkForm,
    subs: Mapping[sympy.Symbol, sympy.Rational],
    number: Callable[[Any], Any] = lambda v: v,
    *,
    read: Callable[[sympy.Expr, str], Any] | None = None,
) -> list[tuple[list[list[Any]], list[Any], Any]]:
    """Each layer with the parameter values substituted: W, b and the activation (coefficients or body).

    Every number (a sympy Rational) is passed through ``number``: the identity
    for sympy values, or a conversion into the ring the pass runs in.  ``read(entry, where)``,
    when given, reads each entry into that ring instead (parameters stay generators).
    """
    value = read or (lambda e, where: number(_value(e, subs, where)))
    layers = []
    for l, (W, b, act) in enumerate(zip(form.weights, form.biases, form.activations, strict=True), start=1):
        Wq = [[value(w, f"layer {l} weight") for w in row] for row in W]
        bq = [value(v, f"layer {l} bias") for v in b]
        if act.coeffs is not None:  # a polynomial activation
            how: Any = ("poly", [value(c, f"layer {l} activation coefficient") for c in act.coeffs])
        else:
            how = ("fn", act.variable, act.body)
        layers.append((Wq, bq, how))
    return layers


def _value(e: sympy.Expr, subs: Mapping[sympy.Symbol, sympy.Rational], where: str) -> sympy.Rational:
    v = e if e.is_Rational or not e.free_symbols else e.xreplace(subs)
    if not v.is_Rational:
        raise _fail(f"{where} {e} is not a rational number at the given parameter values")
    return v


def layer_outputs(
    layers: list[Any],
    u: list[Any],
    mul: Callable[[Any, Any], Any] = operator.mul,
    apply: Callable[[sympy.Expr, dict[sympy.Symbol, Any]], Any] = sympy.Basic.xreplace,
) -> list[Any]:
    """The outputs at ``u`` of the layers :func:`substituted` returns: exact sympy values, or in the ring of ``u``.

    Every product is ``mul(a, b)``: a caller bounds the size of what the pass builds there.  A non-polynomial
    activation is ``apply(body, {variable: value})``: the exact sympy value, or (:func:`interval`) a ball.
    """
    for Wq, bq, how in layers:
        z = [_affine_value(bq[k], [mul(w, u[j]) for j, w in enumerate(row) if w != 0]) for k, row in enumerate(Wq)]
        if how[0] == "fn":
            u = [apply(how[2], {how[1]: v}) for v in z]
        else:
            u = z if how[1] == [0, 1] else [_horner(how[1], v, mul) for v in z]
    return u


def _horner(coeffs: list[Any], v: Any, mul: Callable[[Any, Any], Any]) -> Any:
    """c_0 + c_1 v + ... + c_d v^d (the gate gives at least c_0), every product by ``mul``."""
    acc = coeffs[-1]
    for c in reversed(coeffs[:-1]):
        acc = mul(acc, v) + c
    return acc


def _affine_value(bias: Any, terms: list[Any]) -> Any:
    return sympy.Add(bias, *terms) if isinstance(bias, sympy.Basic) else balanced_sum([bias, *terms], bias)


def expand(form: NetworkForm, ring: Exact, mul: Callable[[Any, Any], Any] = operator.mul) -> list[Any]:
    """The outputs as polynomials over QQ in ``ring`` (inputs first): one forward pass, every product by ``mul``."""
    return layer_outputs(substituted(form, {}, read=ring.poly), list(ring.gen_polys[: len(form.inputs)]), mul)


def exact_values(
    net: Network, form: NetworkForm, subs: Mapping[sympy.Symbol, sympy.Rational], points: Sequence[Sequence[Any]]
) -> list[list[Any]]:
    """The exact outputs at rational ``points``: over QQ (:func:`symnet.kernel.regions_cert.forward`) when the
    network is numeric and piecewise affine, in sympy otherwise."""
    if form.parameters or any(pieces(act) is None for act in form.activations):
        layers = substituted(form, subs)
        return [layer_outputs(layers, list(pt)) for pt in points]
    pieced = network_pieces(net, form)
    return [[fast_rational(int(v.p), int(v.q)) for v in forward(pieced, list(map(exact_fmpq, pt)))] for pt in points]


# ---------------------------------------------------------- interval arithmetic
def interval(e: sympy.Expr, env: Mapping[sympy.Symbol, arb] | None = None) -> arb:
    """A python-flint ball enclosing ``e`` (its symbols from ``env``) at the working precision (``flint.ctx``).

    UndecidedError when no rule applies or the enclosure is not finite (a
    division by a ball holding 0, the logarithm or square root of one reaching
    below 0).
    """
    ball = _interval_rule(e, env)
    if not ball.is_finite():
        raise UndecidedError(f"no finite enclosure of {type(e).__name__}")
    return ball


def _interval_rule(e: sympy.Expr, env: Mapping[sympy.Symbol, arb] | None) -> arb:
    if env and e in env:
        return env[e]
    if e.is_Rational or e.is_Float:
        return arb(exact_fmpq(e))
    if e == sympy.E:
        return arb.const_e()
    if e == sympy.pi:
        return arb.pi()
    if e.is_Pow and e.exp.is_Integer:
        return _power(interval(e.base, env), int(e.exp))
    if e.is_Pow and e.exp == sympy.S.Half:
        return interval(e.base, env).sqrt()
    args = [interval(a, env) for a in e.args]
    if e.is_Add or e.is_Mul:
        return functools.reduce(operator.add if e.is_Add else operator.mul, args)
    if type(e) in FUNCTIONS:
        return FUNCTIONS[type(e)](*args)
    raise UndecidedError(f"no interval rule for {type(e).__name__}")


def _power(ball: arb, n: int) -> arb:
    """``ball**n`` by repeated squaring (python-flint's ``**`` goes through exp and log); an even power is >= 0."""
    if n < 0:
        return 1 / _power(ball, -n)
    out = arb(1)
    for bit in bin(n)[2:]:
        out = out * out
        if bit == "1":
            out = out * ball
    return out.nonnegative_part() if n % 2 == 0 else out


PRECISIONS = (64, 160, 400, 1200)


# ------------------------------------------------------------- counterexamples
#: The heads that take rationals to rationals (with integer powers).
_RATIONAL_HEADS = (sympy.Add, sympy.Mul, sympy.Max, sympy.Min, sympy.Abs)


def rational_network(form: NetworkForm) -> bool:
    """True when every activation takes rationals to rationals (polynomial, or made of +, *, integer powers, Max,
    Min and Abs): the values are then computed exactly, else as python-flint balls (:func:`ball_values`)."""

    def rational(n: sympy.Basic) -> bool:  # one node of an activation's body: its DAG is read without recursion
        return bool(n.is_Symbol or n.is_Rational or isinstance(n, _RATIONAL_HEADS) or (n.is_Pow and n.exp.is_Integer))

    return all(act.is_polynomial or all(map(rational, postorder(act.body))) for act in form.activations)


def ball_values(
    form: NetworkForm, subs: Mapping[sympy.Symbol, sympy.Rational], points: Sequence[Sequence[Any]]
) -> list[list[arb]]:
    """The outputs at rational ``points`` as python-flint balls at the working precision (``flint.ctx``): one
    forward pass by the interval rules (:func:`interval`); UndecidedError when an enclosure is not finite."""
    layers = substituted(form, subs, lambda r: arb(exact_fmpq(r)))
    return [layer_outputs(layers, [arb(exact_fmpq(c)) for c in pt], apply=interval) for pt in points]


def _stated(claimed: Any, label: str, rule: str) -> sympy.Rational | tuple[sympy.Rational, sympy.Rational]:
    """A stated value: an exact rational, or a pair of rationals ``(lo, hi)`` with ``lo <= hi``."""
    if isinstance(claimed, sympy.Basic) and claimed.is_Rational:
        return claimed
    if isinstance(claimed, (tuple, list)) and len(claimed) == 2:
        lo, hi = claimed
        if all(isinstance(c, sympy.Basic) and c.is_Rational for c in (lo, hi)) and lo <= hi:
            return lo, hi
    message = f"the claimed {label} = {show(claimed)} is neither an exact rational nor an enclosure [lo, hi]"
    raise _fail(message, rule=rule)


#: The four values a counterexample states: f(u), f(v), f((u+v)/2), and the defect in its enclosure.
_LABELS = ("f(u)", "f(v)", "f((u+v)/2)", "the defect")


def _values(outputs: list[list[Any]], output: int) -> list[Any]:
    """Output ``output`` at u, v and (u+v)/2, and the defect ``f((u+v)/2) - (f(u) + f(v))/2``."""
    fu, fv, fm = (out[output] for out in outputs)
    return [fu, fv, fm, fm - (fu + fv) / 2]


def _exact_check(values: list[Any], claims: list[Any], rule: str) -> None:
    """Each exact value equal to its claim (a rational), or inside it (a pair)."""
    for label, value, claim in zip(_LABELS, values, claims, strict=True):
        if not (isinstance(value, sympy.Basic) and value.is_Rational):
            raise _fail(f"{label} = {show(value)} is not a finite rational number", rule=rule)
        ok = claim[0] <= value <= claim[1] if isinstance(claim, tuple) else value == claim
        if not ok:
            raise _fail(f"claimed {label} = {show(claim)} but the network gives {show(value)}", rule=rule)


def _inside(ball: arb, claim: Any) -> bool:
    """The ball lies inside the pair ``claim``, or is exactly the rational ``claim`` (radius 0).  Compared as balls
    (certain comparisons of exact ends), never through rationals: a ball's ends may have exponents of 10**11 bits."""
    if isinstance(claim, tuple):
        lo, hi = (arb(exact_fmpq(c)) for c in claim)
        return bool(ball.lower() >= lo.upper() and ball.upper() <= hi.lower())
    q = arb(exact_fmpq(claim))
    return bool(ball.rad() == 0 and q.rad() == 0 and ball.mid() == q)


def _ball_check(balls: Callable[[], list[arb]], claims: list[Any], rule: str) -> None:
    """Each value (:func:`_values` of ``balls()``) established inside its claim, at the first of
    :data:`PRECISIONS` that does."""
    pending = {0, 1, 2, 3}
    for prec in PRECISIONS:
        with flint.ctx.workprec(prec):
            try:
                values = balls()
            except UndecidedError:
                continue
            pending = {i for i in pending if not _inside(values[i], claims[i])}
        if not pending:
            return
    i = min(pending)
    what = "lies in the claimed enclosure" if isinstance(claims[i], tuple) else "is the claimed exact rational"
    raise _fail(f"cannot establish that {_LABELS[i]} {what} {show(claims[i])}", rule=rule)


def check_counterexample(
    net: Network,
    weights: Mapping[sympy.Symbol, Any],
    points: Sequence[Sequence[Any]],
    output: Any,
    values: Sequence[Any],
    enclosure: Sequence[Any],
    layer: int | None | EllipsisType = ...,
) -> bool:
    """Re-verify a refutation: ``f_k((u+v)/2) - (f_k(u) + f_k(v))/2`` lies in ``enclosure``, which excludes 0.

    ``values`` are the claimed ``f_k(u), f_k(v), f_k((u+v)/2)``, each an exact
    rational or a pair of rationals ``(lo, hi)`` around it.  A network whose
    activations keep rationals rational (:func:`rational_network`) is evaluated
    exactly; any other by python-flint balls at growing precision, never as
    exact formulas: a pair is accepted when the ball lies inside it, a rational
    only when the ball is exactly that number.  ``layer``, when stated, must be
    the first hidden layer whose activation is not affine (None: there is
    none).  Raises CertificateError on any defect; returns True otherwise.
    """
    rule = "midpoint_defect"
    form = bounded_form(net, rule)
    subs = _check_values(weights, form)
    if not isinstance(points, (tuple, list)) or len(points) != 2:
        raise _fail("points must be a pair (u, v)", rule=rule)
    pts = []
    for name, pt in zip("uv", points, strict=True):
        if not isinstance(pt, (tuple, list)) or len(pt) != net.p:
            raise _fail(f"point {name} must have {net.p} coordinates", rule=rule)
        if not all(isinstance(c, sympy.Basic) and c.is_Rational for c in pt):
            raise _fail(f"point {name}={show(tuple(pt))} has a coordinate that is not an exact rational", rule=rule)
        pts.append([sympy.Rational(c) for c in pt])
    if isinstance(output, bool) or not isinstance(output, int) or not 0 <= output < net.q:
        raise _fail(f"output={output!r} is not an output index of a network with {net.q} outputs", rule=rule)
    u, v = pts
    if u == v:
        raise _fail("the points u and v are the same point", rule=rule)
    pts.append([(a + b) / 2 for a, b in zip(u, v, strict=True)])
    rational = rational_network(form)
    if rational:
        bits_guard(form, [*subs.values(), *u, *v], rule)
    if not isinstance(values, (tuple, list)) or len(values) != 3:
        raise _fail("values must be the three claimed values f(u), f(v), f((u+v)/2)", rule=rule)
    claims = [_stated(c, label, rule) for c, label in zip(values, _LABELS[:3], strict=True)]
    pair = isinstance(enclosure, (tuple, list)) and len(enclosure) == 2
    if not pair or not all(isinstance(c, sympy.Basic) and c.is_Rational for c in enclosure):
        raise _fail("enclosure must be two exact rationals", rule=rule)
    lo, hi = enclosure
    if not (lo <= hi and (lo > 0 or hi < 0)):
        raise _fail(f"enclosure [{lo}, {hi}] does not exclude 0", rule=rule)
    claims.append((lo, hi))
    if rational:
        _exact_check(_values(exact_values(net, form, subs, pts), output), claims, rule)
    else:
        _ball_check(lambda: _values(ball_values(form, subs, pts), output), claims, rule)
    first = next((l for l, act in enumerate(form.activations[:-1], start=1) if not act.is_affine), None)
    if layer is not ... and layer != first:
        message = f"the document names layer {layer} as the first non-affine one; it is {first}"
        raise _fail(message, rule="first_non_affine")
    return True


def check_document(doc: CounterexampleDocument) -> bool:
    """Re-verify a counterexample document (see :func:`check_counterexample`)."""
    if not isinstance(doc, CounterexampleDocument):
        raise _fail(f"expected a CounterexampleDocument, got {type(doc).__name__}")
    return check_counterexample(doc.network, doc.weights, doc.points, doc.output, doc.values, doc.enclosure, doc.layer)
