"""The checker of a counterexample: "the output is not affine in x", by an exact midpoint defect.

The network goes through the well-formedness gate (:mod:`symnet.kernel.gate`)
first: exact numbers, declared symbols, activations confined to their own
variable (a fresh Dummy) and parameters.  Every value the document states is
recomputed -- exactly, or by rigorous interval arithmetic for transcendental
activations -- and compared.  This module imports none of the code that
*finds* refutations; it reads only the network model, the document
(:mod:`symnet.certificate`), sympy, python-flint and mpmath's interval arithmetic.

The exact forward pass and the interval rules are shared with the degree
checker (:mod:`symnet.kernel.degree`), and reused by the search's evaluators
(:mod:`symnet.search._exact_eval`), so a candidate is computed the way it is checked.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import sympy
from mpmath import libmp
from mpmath.ctx_iv import MPIntervalContext

from ..certificate.documents import CounterexampleDocument
from ..errors import CertificateError
from ..model.core import NetworkData as Network
from ..numbers import exact_fmpq, fast_rational
from .gate import NetworkForm, gate_network
from .regions_cert import forward, network_pieces, pieces
from .ring import MAX_DEGREE, Exact, balanced_sum, exact

__all__ = [
    "PRECISIONS",
    "bits_guard",
    "check_counterexample",
    "check_document",
    "degree_product",
    "enclose",
    "expand",
    "exact_values",
    "endpoints",
    "interval",
    "interval_sign",
    "iv_rational",
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
    out = {}
    for s, v in weights.items():
        if not (isinstance(v, sympy.Basic) and v.is_Rational):
            raise _fail(f"weights[{s}]={v!r} is not an exact rational")
        out[s] = v
    return out


def degree_product(form: NetworkForm) -> int:
    """The product of the polynomial activations' degrees, each counted as at least 1."""
    return math.prod(max(act.degree, 1) for act in form.activations if act.is_polynomial)


#: Largest estimated size (bits) of the exact numbers an evaluation builds:
#: the data's bits times the activations' degree product.
MAX_EVALUATION_BITS = 4_000_000


def bits_guard(form: NetworkForm, numbers: Sequence[Any], rule: str) -> None:
    """Refuse up front an exact evaluation whose numbers would grow past MAX_EVALUATION_BITS."""
    sizes = (int(r.p).bit_length() + int(r.q).bit_length() for r in map(sympy.Rational, numbers))
    bits = max(64, form.entry_bits + 1, *sizes)  # +1: the gate counts an integer's or a power of two's q as 0 bits
    estimate = bits * degree_product(form) * len(form.biases)
    if estimate > MAX_EVALUATION_BITS:
        raise _fail(
            f"evaluating the network exactly here would build numbers of about {estimate} bits, above the kernel's "
            f"limit of {MAX_EVALUATION_BITS}",
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
        if act.is_polynomial:
            assert act.coeffs is not None
            how: Any = ("poly", [value(c, f"layer {l} activation coefficient") for c in act.coeffs])
        else:
            how = ("fn", act.variable, act.body)
        layers.append((Wq, bq, how))
    return layers


def _value(e: sympy.Expr, subs: Mapping[sympy.Symbol, sympy.Rational], where: str) -> sympy.Rational:
    if e.is_Rational:
        return e
    if e.is_Float:
        return exact(e, where)
    v = e.xreplace(subs) if e.free_symbols else e
    if not v.is_Rational:
        raise _fail(f"{where} {e} is not a rational number at the given parameter values")
    return v


def layer_outputs(layers: list[Any], u: list[Any], mul: Callable[[Any, Any], Any] = operator.mul) -> list[Any]:
    """The outputs at ``u`` of the layers :func:`substituted` returns: exact sympy values, or in the ring of ``u``.

    Every product is ``mul(a, b)``: a caller bounds the size of what the pass builds there.
    """
    for Wq, bq, how in layers:
        z = [_affine_value(bq[k], [mul(w, u[j]) for j, w in enumerate(row) if w != 0]) for k, row in enumerate(Wq)]
        if how[0] == "poly":
            coeffs = how[1]
            if coeffs == [0, 1]:
                u = z
                continue
            out = []
            for v in z:
                acc = coeffs[-1] if coeffs else v * 0
                for c in reversed(coeffs[:-1]):
                    acc = mul(acc, v) + c
                out.append(acc)
            u = out
        else:
            _, var, body = how
            u = [body.xreplace({var: v}) for v in z]
    return u


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
class _NoBound(Exception):
    """An expression that the interval evaluator cannot enclose."""


def iv_rational(ctx: MPIntervalContext, r: sympy.Rational) -> Any:
    """An mpmath interval enclosing the rational ``r``."""
    return ctx.mpf(int(r.p)) / ctx.mpf(int(r.q))


def endpoints(v: Any) -> tuple[Fraction, Fraction]:
    """The exact rational endpoints of the mpmath interval ``v``; _NoBound when one is infinite or NaN."""
    a, b = v._mpi_
    try:
        (pa, qa), (pb, qb) = libmp.to_rational(a), libmp.to_rational(b)
    except (ValueError, OverflowError, libmp.ComplexResult) as exc:  # infinities / nan
        raise _NoBound(str(exc)) from None
    # mpmath's backend integers may be gmpy2 mpz, which sympy does not take under flint ground types
    return Fraction(int(pa), int(qa)), Fraction(int(pb), int(qb))


def _monotone(ctx: MPIntervalContext, v: Any, f: Any) -> Any:
    """Enclosure of an increasing function f on the interval v (f applied to endpoints)."""
    lo_pt, hi_pt = v._mpi_
    lo = f(ctx.make_mpf((lo_pt, lo_pt)))
    hi = f(ctx.make_mpf((hi_pt, hi_pt)))
    return ctx.make_mpf((lo._mpi_[0], hi._mpi_[1]))


def interval(ctx: MPIntervalContext, e: sympy.Expr, env: Mapping[sympy.Symbol, Any] | None = None) -> Any:
    """An mpmath interval enclosing ``e`` (its symbols from ``env``); _NoBound when no rule applies.

    mpmath's own refusals (NotImplementedError on an operand it cannot convert)
    become _NoBound too, so an unenclosable expression is undecided, never a traceback.
    """
    try:
        return _interval_rule(ctx, e, env)
    except NotImplementedError as exc:
        raise _NoBound(f"no interval rule for {type(e).__name__} ({exc})") from None


def _interval_rule(ctx: MPIntervalContext, e: sympy.Expr, env: Mapping[sympy.Symbol, Any] | None) -> Any:
    if e.is_Symbol and env is not None and e in env:
        return env[e]
    if e.is_Rational:
        return iv_rational(ctx, e)
    if e.is_Float:
        return iv_rational(ctx, sympy.Rational(e))
    if e == sympy.E:
        return ctx.e
    if e == sympy.pi:
        return ctx.pi
    if e.is_Pow:
        base = interval(ctx, e.base, env)
        if e.exp.is_Integer:
            n = int(e.exp)
            if n < 0:
                lo, hi = endpoints(base)
                if lo <= 0 <= hi:
                    raise _NoBound("division by an interval containing 0")
                return ctx.mpf(1) / base ** (-n)
            return base**n
        if e.exp == sympy.S.Half:
            return ctx.sqrt(base)
        raise _NoBound(f"power {e}")
    args = [interval(ctx, a, env) for a in e.args]
    if e.is_Add or e.is_Mul:
        return functools.reduce(operator.add if e.is_Add else operator.mul, args)
    if isinstance(e, sympy.exp):
        return ctx.exp(args[0])
    if isinstance(e, sympy.log):
        return ctx.log(args[0])
    if isinstance(e, sympy.tanh):
        return _monotone(ctx, args[0], lambda t: 1 - 2 / (ctx.exp(2 * t) + 1))
    if isinstance(e, sympy.sinh):
        return _monotone(ctx, args[0], lambda t: (ctx.exp(t) - ctx.exp(-t)) / 2)
    if isinstance(e, sympy.cosh):
        return (ctx.exp(args[0]) + ctx.exp(-args[0])) / 2
    if isinstance(e, sympy.sin):
        return ctx.sin(args[0])
    if isinstance(e, sympy.cos):
        return ctx.cos(args[0])
    if isinstance(e, (sympy.Max, sympy.Min)):
        ends = [endpoints(a) for a in args]
        pick = max if isinstance(e, sympy.Max) else min
        lo = iv_rational(ctx, sympy.Rational(pick(a for a, _ in ends)))
        hi = iv_rational(ctx, sympy.Rational(pick(b for _, b in ends)))
        return ctx.make_mpf((lo._mpi_[0], hi._mpi_[1]))
    if isinstance(e, sympy.Abs):
        lo, hi = endpoints(args[0])
        if lo >= 0:
            return args[0]
        if hi <= 0:
            return -args[0]
        top = sympy.Rational(max(-lo, hi).numerator, max(-lo, hi).denominator)
        return ctx.make_mpf((libmp.fzero, iv_rational(ctx, top)._mpi_[1]))
    raise _NoBound(f"no interval rule for {type(e).__name__}")


def enclose(e: sympy.Expr, prec: int) -> tuple[Fraction, Fraction]:
    """A rigorous rational enclosure [lo, hi] of the real constant ``e``; _NoBound if none."""
    ctx = MPIntervalContext()
    ctx.prec = prec
    try:
        value = interval(ctx, e)
    except (ZeroDivisionError, ValueError, libmp.ComplexResult) as exc:
        raise _NoBound(str(exc)) from None
    return endpoints(value)


PRECISIONS = (64, 160, 400, 1200)


def interval_sign(e: sympy.Expr) -> int:
    """The sign (+1 or -1) of the non-zero real constant ``e``, established rigorously.

    Exact for rationals; otherwise by interval arithmetic at growing
    precision.  Returns 0 when no precision separates ``e`` from zero (``e``
    may be zero, or need more precision, or use an unsupported function).
    """
    if e.is_Rational:
        return int(e > 0) - int(e < 0)
    for prec in PRECISIONS:
        try:
            lo, hi = enclose(e, prec)
        except _NoBound:
            return 0
        if lo > 0:
            return 1
        if hi < 0:
            return -1
    return 0


# ------------------------------------------------------------- counterexamples
def check_counterexample(
    net: Network,
    weights: Mapping[sympy.Symbol, Any],
    points: Sequence[Sequence[Any]],
    output: Any,
    values: Sequence[Any],
    enclosure: Sequence[Any],
) -> bool:
    """Re-verify a refutation: ``f_k((u+v)/2) - (f_k(u) + f_k(v))/2`` lies in ``enclosure``, which excludes 0.

    ``values`` are the claimed exact ``f_k(u), f_k(v), f_k((u+v)/2)``; each
    is recomputed and must be the same expression.  Raises CertificateError
    on any defect; returns True otherwise.
    """
    _check(net, weights, points, output, values, enclosure)
    return True


def _check(
    net: Network,
    weights: Mapping[sympy.Symbol, Any],
    points: Sequence[Sequence[Any]],
    output: Any,
    values: Sequence[Any],
    enclosure: Sequence[Any],
) -> NetworkForm:
    """:func:`check_counterexample`, returning the gated network."""
    rule = "midpoint_defect"
    if not isinstance(net, Network):
        raise _fail(f"network is a {type(net).__name__}, not a Network", rule=rule)
    form = gate_network(net)
    if degree_product(form) > MAX_DEGREE:
        raise _fail(
            f"the activations' degrees multiply to {degree_product(form)}, above the kernel's limit {MAX_DEGREE}",
            rule=rule,
        )
    subs = _check_values(weights, form)
    if not isinstance(points, (tuple, list)) or len(points) != 2:
        raise _fail("points must be a pair (u, v)", rule=rule)
    pts = []
    for name, pt in zip("uv", points, strict=True):
        if not isinstance(pt, (tuple, list)) or len(pt) != net.p:
            raise _fail(f"point {name} must have {net.p} coordinates", rule=rule)
        if not all(isinstance(c, sympy.Basic) and c.is_Rational for c in pt):
            raise _fail(f"point {name}={tuple(pt)} has a coordinate that is not an exact rational", rule=rule)
        pts.append([sympy.Rational(c) for c in pt])
    if isinstance(output, bool) or not isinstance(output, int) or not 0 <= output < net.q:
        raise _fail(f"output={output!r} is not an output index of a network with {net.q} outputs", rule=rule)
    u, v = pts
    if u == v:
        raise _fail("the points u and v are the same point", rule=rule)
    m = [(a + b) / 2 for a, b in zip(u, v, strict=True)]
    bits_guard(form, [*subs.values(), *u, *v], rule)
    fu, fv, fm = (out[output] for out in exact_values(net, form, subs, (u, v, m)))
    if not isinstance(values, (tuple, list)) or len(values) != 3:
        raise _fail("values must be the three claimed values f(u), f(v), f((u+v)/2)", rule=rule)
    for label, got, claimed in zip(("f(u)", "f(v)", "f((u+v)/2)"), (fu, fv, fm), values, strict=True):
        stated = exact(claimed, f"the claimed {label}")
        if got != stated and not (got.is_Rational and stated.is_Rational and got == stated):
            raise _fail(f"claimed {label} = {str(claimed)[:80]} but the network gives {str(got)[:80]}", rule=rule)
    defect = fm - (fu + fv) / 2
    if len(enclosure) != 2 or not all(isinstance(c, sympy.Basic) and c.is_Rational for c in enclosure):
        raise _fail("enclosure must be two exact rationals", rule=rule)
    lo, hi = enclosure
    if not (lo <= hi and (lo > 0 or hi < 0)):
        raise _fail(f"enclosure [{lo}, {hi}] does not exclude 0", rule=rule)
    if defect.is_Rational:
        if not lo <= defect <= hi:
            raise _fail(f"the defect {defect} is not in the claimed enclosure [{lo}, {hi}]", rule=rule)
        return form
    if interval_sign(defect - lo) != 1 or interval_sign(hi - defect) != 1:
        raise _fail(f"cannot establish rigorously that the defect {defect} lies in [{lo}, {hi}]", rule=rule)
    return form


def check_document(doc: CounterexampleDocument) -> bool:
    """Re-verify a counterexample document (see :func:`check_counterexample`)."""
    if not isinstance(doc, CounterexampleDocument):
        raise _fail(f"expected a CounterexampleDocument, got {type(doc).__name__}")
    form = _check(doc.network, doc.weights, doc.points, doc.output, doc.values, doc.enclosure)
    hidden = form.activations[:-1]
    first = next((l for l, act in enumerate(hidden, start=1) if not act.is_affine), None)
    if doc.layer != first:
        message = f"the document names layer {doc.layer} as the first non-affine one; it is {first}"
        raise _fail(message, rule="first_non_affine")
    return True
