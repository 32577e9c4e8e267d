"""The small, independent checker for refutations, degrees and linear regions.

Every check first reads its network through the well-formedness gate
(:mod:`symnet.kernel.gate`): exact numbers, declared symbols, activations
confined to their own variable (a fresh Dummy) and parameters.

This module re-derives every claim of a :class:`~symnet.search.refutation.Counterexample`,
a :class:`~symnet.search.degree.Degree` and a :class:`~symnet.search.regions.Regions` from
plain data.  It imports none of the code that *finds* them (``refutation``,
``degree``, ``regions``, ``engine``); it reads only the network model, sympy
and mpmath's interval arithmetic, and it trusts no value it is handed: it
recomputes each one and compares.

Documents store exact rationals as ``"p/q"`` strings (codec below) and
expressions and networks with :mod:`symnet.certificate`'s node table (text is
never evaluated).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import flint
import sympy
from mpmath import libmp
from mpmath.ctx_iv import MPIntervalContext

from ..errors import CertificateError
from ..model.network import Network
from .gate import MAX_DEGREE, Exact, IllFormed, NetworkForm, exact, gate_network

__all__ = [
    "check_counterexample",
    "check_degree",
    "check_regions",
    "decode_rational",
    "encode_rational",
    "exact_outputs",
    "interval_outputs",
    "interval_sign",
    "pl_pieces",
]

# --------------------------------------------------------------------------- codec
_RATIONAL_RE = re.compile(r"-?[0-9]{1,5000}(?:/[0-9]{1,5000})?")


def _fail(message: str, *, step: int | None = None, rule: str | None = None) -> CertificateError:
    return CertificateError(message, step=step, rule=rule)


def encode_rational(value: Any) -> str:
    """``"p/q"`` (or ``"p"``) for an exact rational number."""
    r = sympy.Rational(value)
    return str(r.p) if r.q == 1 else f"{r.p}/{r.q}"


def decode_rational(text: Any, where: str) -> sympy.Rational:
    """The Rational written ``"p/q"`` or ``"p"``; CertificateError otherwise."""
    if not isinstance(text, str) or _RATIONAL_RE.fullmatch(text) is None:
        raise _fail(f"{where}={text!r} is not a rational number written 'p/q'")
    num, _, den = text.partition("/")
    if den and int(den) == 0:
        raise _fail(f"{where}={text!r} has a zero denominator")
    return sympy.Rational(int(num), int(den) if den else 1)


# ------------------------------------------------------------ exact evaluation
def _exact(e: sympy.Expr) -> sympy.Expr:
    """``e`` validated by the gate, with every binary float replaced by its exact rational value."""
    return exact(e)


def _check_values(net: Network, weights: Mapping[sympy.Symbol, Any], form: NetworkForm | None = None) -> dict[sympy.Symbol, sympy.Rational]:
    params = set(form.parameters) if form is not None else set(net.parameters)
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


def _degree_product(form: NetworkForm) -> int:
    total = 1
    for act in form.activations:
        if act.is_polynomial:
            total *= max(act.degree, 1)
    return total


#: Largest estimated size (bits) of the exact numbers an evaluation builds:
#: the data's bits times the activations' degree product.
MAX_EVALUATION_BITS = 4_000_000


def _bits_guard(form: NetworkForm, numbers: Sequence[Any], rule: str) -> None:
    """Refuse up front an exact evaluation whose numbers would grow past MAX_EVALUATION_BITS."""
    bits = 64
    for r in numbers:
        r = sympy.Rational(r)
        bits = max(bits, int(r.p).bit_length() + int(r.q).bit_length())
    for W, b in zip(form.weights, form.biases):
        for e in (*b, *(w for row in W for w in row)):
            if e.is_Rational:
                bits = max(bits, int(e.p).bit_length() + int(e.q).bit_length())
            elif e.is_Float:
                _, man, exp, _ = e._mpf_
                bits = max(bits, int(man).bit_length() + abs(int(exp)))
    depth = len(form.weights)
    estimate = bits * _degree_product(form) * depth
    if estimate > MAX_EVALUATION_BITS:
        raise _fail(
            f"evaluating the network exactly here would build numbers of about {estimate} bits, above the kernel's "
            f"limit of {MAX_EVALUATION_BITS}",
            rule=rule,
        )


def _substituted(form: NetworkForm, subs: Mapping[sympy.Symbol, sympy.Rational]) -> list[tuple[list[list[sympy.Rational]], list[sympy.Rational], Any]]:
    """Each layer with the parameter values substituted: rational W, b and the activation (coefficients or body)."""
    layers = []
    for l, (W, b, act) in enumerate(zip(form.weights, form.biases, form.activations), start=1):
        Wq = [[_value(w, subs, f"layer {l} weight") for w in row] for row in W]
        bq = [_value(v, subs, f"layer {l} bias") for v in b]
        if act.is_polynomial:
            assert act.coeffs is not None
            how: Any = ("poly", [_value(c, subs, f"layer {l} activation coefficient") for c in act.coeffs])
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


def exact_outputs(net: Network, weights: Mapping[sympy.Symbol, sympy.Rational], x: Sequence[Any]) -> list[sympy.Expr]:
    """The network's outputs at rational ``x`` as exact sympy values (floats read exactly)."""
    form = gate_network(net)
    if _degree_product(form) > MAX_DEGREE:
        raise _fail(f"the activations' degrees multiply to {_degree_product(form)}, above the kernel's limit {MAX_DEGREE}")
    return _outputs(_substituted(form, weights), [sympy.Rational(v) for v in x])


def _outputs(layers: list[Any], u: list[sympy.Expr]) -> list[sympy.Expr]:
    for Wq, bq, how in layers:
        z = [sympy.Add(bq[k], *(w * u[j] for j, w in enumerate(row) if w != 0)) for k, row in enumerate(Wq)]
        if how[0] == "poly":
            coeffs = how[1]
            if coeffs == [0, 1]:
                u = z
                continue
            out = []
            for v in z:
                acc: sympy.Expr = coeffs[-1] if coeffs else sympy.Integer(0)
                for c in reversed(coeffs[:-1]):
                    acc = acc * v + c
                out.append(acc)
            u = out
        else:
            _, var, body = how
            u = [body.xreplace({var: v}) for v in z]
    return u


# ---------------------------------------------------------- interval arithmetic
class _NoBound(Exception):
    """An expression that the interval evaluator cannot enclose."""


def _iv_rational(ctx: MPIntervalContext, r: sympy.Rational) -> Any:
    return ctx.mpf(int(r.p)) / ctx.mpf(int(r.q))


def _endpoints(v: Any) -> tuple[Fraction, Fraction]:
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


def _interval(ctx: MPIntervalContext, e: sympy.Expr, env: Mapping[sympy.Symbol, Any] | None = None) -> Any:
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
        return _iv_rational(ctx, e)
    if e.is_Float:
        return _iv_rational(ctx, sympy.Rational(e))
    if e == sympy.E:
        return ctx.e
    if e == sympy.pi:
        return ctx.pi
    args = [_interval(ctx, a, env) for a in e.args] if not e.is_Pow else None
    if e.is_Add:
        total = args[0]
        for a in args[1:]:
            total = total + a
        return total
    if e.is_Mul:
        prod = args[0]
        for a in args[1:]:
            prod = prod * a
        return prod
    if e.is_Pow:
        base = _interval(ctx, e.base, env)
        if e.exp.is_Integer:
            n = int(e.exp)
            if n < 0:
                lo, hi = _endpoints(base)
                if lo <= 0 <= hi:
                    raise _NoBound("division by an interval containing 0")
                return ctx.mpf(1) / base ** (-n)
            return base**n
        if e.exp == sympy.S.Half:
            return ctx.sqrt(base)
        raise _NoBound(f"power {e}")
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
        ends = [_endpoints(a) for a in args]
        pick = max if isinstance(e, sympy.Max) else min
        lo = _iv_rational(ctx, sympy.Rational(pick(a for a, _ in ends)))
        hi = _iv_rational(ctx, sympy.Rational(pick(b for _, b in ends)))
        return ctx.make_mpf((lo._mpi_[0], hi._mpi_[1]))
    if isinstance(e, sympy.Abs):
        lo, hi = _endpoints(args[0])
        if lo >= 0:
            return args[0]
        if hi <= 0:
            return -args[0]
        top = sympy.Rational(max(-lo, hi).numerator, max(-lo, hi).denominator)
        return ctx.make_mpf((libmp.fzero, _iv_rational(ctx, top)._mpi_[1]))
    raise _NoBound(f"no interval rule for {type(e).__name__}")


def enclose(e: sympy.Expr, prec: int) -> tuple[Fraction, Fraction]:
    """A rigorous rational enclosure [lo, hi] of the real constant ``e``; _NoBound if none."""
    ctx = MPIntervalContext()
    ctx.prec = prec
    try:
        value = _interval(ctx, e)
    except (ZeroDivisionError, ValueError, libmp.ComplexResult) as exc:
        raise _NoBound(str(exc)) from None
    return _endpoints(value)


def interval_outputs(net: Network, weights: Mapping[sympy.Symbol, Any], x: Sequence[Any], prec: int = 64) -> list[tuple[Fraction, Fraction]]:
    """Rigorous rational enclosures of the network's outputs at rational ``x``; _NoBound if none."""
    ctx = MPIntervalContext()
    ctx.prec = prec
    layers = _substituted(gate_network(net), dict(weights))
    try:
        u = [_iv_rational(ctx, sympy.Rational(v)) for v in x]
        for Wq, bq, how in layers:
            z = []
            for k, row in enumerate(Wq):
                acc = _iv_rational(ctx, bq[k])
                for j, w in enumerate(row):
                    if w != 0:
                        acc = acc + _iv_rational(ctx, w) * u[j]
                z.append(acc)
            if how[0] == "poly":
                coeffs = how[1]
                if coeffs != [0, 1]:
                    new = []
                    for v in z:
                        acc = _iv_rational(ctx, coeffs[-1] if coeffs else sympy.Integer(0))
                        for c in reversed(coeffs[:-1]):
                            acc = acc * v + _iv_rational(ctx, c)
                        new.append(acc)
                    z = new
            else:
                _, var, body = how
                z = [_interval(ctx, body, {var: v}) for v in z]
            u = z
        return [_endpoints(v) for v in u]
    except (ZeroDivisionError, ValueError, libmp.ComplexResult) as exc:
        raise _NoBound(str(exc)) from None


PRECISIONS = (64, 160, 400, 1200)


def interval_sign(e: sympy.Expr) -> int:
    """The sign (+1 or -1) of the non-zero real constant ``e``, established rigorously.

    Exact for rationals; otherwise by interval arithmetic at growing
    precision.  Returns 0 when no precision separates ``e`` from zero (``e``
    may be zero, or need more precision, or use an unsupported function).
    """
    if e.is_Rational:
        return (e > 0) - (e < 0)
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
    rule = "midpoint_defect"
    if not isinstance(net, Network):
        raise _fail(f"network is a {type(net).__name__}, not a Network", rule=rule)
    form = gate_network(net)
    if _degree_product(form) > MAX_DEGREE:
        raise _fail(f"the activations' degrees multiply to {_degree_product(form)}, above the kernel's limit {MAX_DEGREE}", rule=rule)
    subs = _check_values(net, weights, form)
    if not isinstance(points, (tuple, list)) or len(points) != 2:
        raise _fail("points must be a pair (u, v)", rule=rule)
    pts = []
    for name, pt in zip("uv", points):
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
    m = [(a + b) / 2 for a, b in zip(u, v)]
    _bits_guard(form, [*subs.values(), *u, *v], rule)
    layers = _substituted(form, subs)
    fu, fv, fm = (_outputs(layers, pt)[output] for pt in (u, v, m))
    if not isinstance(values, (tuple, list)) or len(values) != 3:
        raise _fail("values must be the three claimed values f(u), f(v), f((u+v)/2)", rule=rule)
    for label, got, claimed in zip(("f(u)", "f(v)", "f((u+v)/2)"), (fu, fv, fm), values):
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
        return True
    if interval_sign(defect - lo) != 1 or interval_sign(hi - defect) != 1:
        raise _fail(f"cannot establish rigorously that the defect {defect} lies in [{lo}, {hi}]", rule=rule)
    return True


# -------------------------------------------------------------------- degrees
#: Largest number of terms the ``expand_degree`` check builds; fixed by the
#: kernel (a certificate cannot set its own limit).
MAX_EXPANSION_TERMS = 200_000


def _polynomial_form(net: Network, rule: str) -> NetworkForm:
    form = gate_network(net)
    for l, act in enumerate(form.activations, start=1):
        if not act.is_polynomial:
            raise _fail(f"layer {l}: activation {act.body} is not a polynomial", rule=rule)
    top = _degree_product(form)
    if top > MAX_DEGREE:
        raise _fail(f"the degree bound {top} (product of the activations' degrees) exceeds the kernel's limit {MAX_DEGREE}", rule=rule)
    return form


def line_polynomials(net: Network, weights: Mapping[sympy.Symbol, Any], point: Sequence[Any], direction: Sequence[Any]) -> list[list[Fraction]]:
    """Coefficient lists in s of each output along the line ``point + s*direction``."""
    form = _polynomial_form(net, "witness_degree")
    return [[Fraction(int(c.p), int(c.q)) for c in g.coeffs()] for g in _line(form, dict(weights), point, direction)]


def _q(r: Any) -> Any:
    r = sympy.Rational(r)
    return flint.fmpq(int(r.p), int(r.q))


def _line(form: NetworkForm, weights: Mapping[sympy.Symbol, Any], point: Sequence[Any], direction: Sequence[Any]) -> list[Any]:
    u = [flint.fmpq_poly([_q(a), _q(d)]) for a, d in zip(point, direction)]
    for Wq, bq, how in _substituted(form, weights):
        coeffs = [_q(c) for c in how[1]]
        nxt = []
        for k, row in enumerate(Wq):
            z = flint.fmpq_poly([_q(bq[k])])
            for j, w in enumerate(row):
                if w != 0:
                    z += _q(w) * u[j]
            acc = flint.fmpq_poly([coeffs[-1]] if coeffs else [])
            for c in reversed(coeffs[:-1]):
                acc = acc * z + c
            nxt.append(acc)
        u = nxt
    return u


def _degree_bounds(net: Network, form: NetworkForm | None = None) -> list[list[int | None]]:
    """Per layer, per unit: an upper bound on the degree in x (None: identically zero)."""
    if form is None:
        form = _polynomial_form(net, "bound_degree")
    bounds: list[int | None] = [1] * len(form.inputs)
    out = []
    for W, b, act in zip(form.weights, form.biases, form.activations):
        assert act.coeffs is not None
        d_act = act.degree if act.degree >= 0 else None
        const_at_zero = act.coeffs[0] != 0 if act.coeffs else False
        layer_bounds: list[int | None] = []
        for k, row in enumerate(W):
            terms = [bounds[j] for j, w in enumerate(row) if w != 0 and bounds[j] is not None]
            zb: int | None = max(terms) if terms else (0 if b[k] != 0 else None)
            if d_act is None:
                ub = None
            elif d_act == 0 or zb is None:
                ub = 0 if (zb is not None or const_at_zero) else None
            else:
                ub = d_act * zb
            layer_bounds.append(ub)
        out.append(layer_bounds)
        bounds = layer_bounds
    return out


def _expanded_degrees(net: Network, limit: int = MAX_EXPANSION_TERMS, form: NetworkForm | None = None) -> list[int | None]:
    """Exact degree in x of each output, by expansion over QQ (python-flint), under the kernel's own limit."""
    if form is None:
        form = _polynomial_form(net, "expand_degree")
    limit = min(limit, MAX_EXPANSION_TERMS)
    p = len(form.inputs)
    top = max((d for d in _degree_bounds(net, form)[-1] if d is not None), default=0)
    if math.comb(p + top, p) > limit * 1000:
        raise _fail(f"expanding the output may need {math.comb(p + top, p)} monomials in x, above the kernel's limit", rule="expand_degree")
    ring = form.ring()
    u = list(ring.gen_polys[:p])
    for W, b, act in zip(form.weights, form.biases, form.activations):
        assert act.coeffs is not None
        coeffs = [ring.poly(c, "an activation coefficient") for c in act.coeffs]
        nxt = []
        for k, row in enumerate(W):
            z = ring.poly(b[k], "a bias")
            for j, w in enumerate(row):
                if w != 0:
                    z = z + ring.poly(w, "a weight") * u[j]
                    if len(z) > limit:
                        raise _fail(f"expansion exceeds {limit} terms", rule="expand_degree")
            acc = coeffs[-1] if coeffs else ring.zero
            for c in reversed(coeffs[:-1]):
                if len(acc) * len(z) > limit * 10:
                    raise _fail(f"expansion exceeds {limit} terms", rule="expand_degree")
                acc = acc * z + c
                if len(acc) > limit:
                    raise _fail(f"expansion exceeds {limit} terms", rule="expand_degree")
            nxt.append(acc)
        u = nxt
    return [ring.x_degree(f, p) if not f.is_zero() else None for f in u]


def check_degree(net: Network, certificate: Mapping[str, Any]) -> bool:
    """Re-verify a degree certificate: an upper bound by a rule, and a witness for the lower bound.

    The kernel uses its own limits (:data:`MAX_DEGREE`,
    :data:`MAX_EXPANSION_TERMS`); a ``limit`` in the certificate is ignored.
    """
    if not isinstance(certificate, Mapping):
        raise _fail("a degree certificate is a mapping")
    try:
        degrees = certificate["degrees"]
        routes = certificate["routes"]
        witnesses = certificate["witnesses"]
    except (KeyError, TypeError):
        raise _fail("a degree certificate needs 'degrees', 'routes' and 'witnesses'") from None
    if not (isinstance(degrees, list) and isinstance(routes, list) and isinstance(witnesses, list)):
        raise _fail("degrees, routes and witnesses must be lists")
    form = _polynomial_form(net, "bound_degree")
    q = len(form.weights[-1])
    if not len(degrees) == len(routes) == len(witnesses) == q:
        raise _fail(f"degrees, routes and witnesses need one entry per output ({q})")
    if q == 0:
        raise _fail("the certificate states no degree")
    bounds = None
    expanded = None
    names = {s.name: s for s in form.parameters}
    for i, (d, route, wit) in enumerate(zip(degrees, routes, witnesses)):
        if d is not None and (isinstance(d, bool) or not isinstance(d, int) or d < 0):
            raise _fail(f"degrees[{i}]={d!r} is not a non-negative integer or null", step=i)
        if route == "bound_degree":
            if bounds is None:
                bounds = _degree_bounds(net, form)
            if bounds[-1][i] != d:
                raise _fail(f"output {i}: the layer-wise degree bound is {bounds[-1][i]}, not {d}", step=i, rule=route)
        elif route == "expand_degree":
            if wit is not None:  # the expansion needs no witness; a document that carries one anyway is malformed
                raise _fail(f"output {i}: the expand_degree route takes no witness (null), got {str(wit)[:40]}", step=i, rule=route)
            if expanded is None:
                expanded = _expanded_degrees(net, MAX_EXPANSION_TERMS, form)
            if expanded[i] != d:
                raise _fail(f"output {i}: the expansion has degree {expanded[i]}, not {d}", step=i, rule=route)
            continue  # the expansion decides the degree exactly
        else:
            raise _fail(f"output {i}: unknown route {route!r}", step=i)
        if d is None:
            continue
        if not isinstance(wit, dict) or set(wit) != {"weights", "point", "direction", "coefficient"}:
            raise _fail(f"output {i}: the witness needs weights, point, direction, coefficient", step=i, rule="witness_degree")
        if not isinstance(wit["weights"], dict) or set(wit["weights"]) != set(names):
            raise _fail(f"output {i}: the witness must give every parameter a value", step=i, rule="witness_degree")
        vals = {names[n]: decode_rational(v, f"witness weights[{n}]") for n, v in wit["weights"].items()}
        if not isinstance(wit["point"], list) or not isinstance(wit["direction"], list) or not len(wit["point"]) == len(wit["direction"]) == len(form.inputs):
            raise _fail(f"output {i}: point and direction need {len(form.inputs)} coordinates", step=i, rule="witness_degree")
        pt = [decode_rational(c, "witness point") for c in wit["point"]]
        dr = [decode_rational(c, "witness direction") for c in wit["direction"]]
        claimed = decode_rational(wit["coefficient"], "witness coefficient")
        _bits_guard(form, [*vals.values(), *pt, *dr], "witness_degree")
        g = _line(form, vals, pt, dr)[i]
        top = g.degree()
        if top > d:
            raise _fail(f"output {i}: along the witness line the degree is {top} > {d}", step=i, rule="witness_degree")
        got = g[d] if d <= top else flint.fmpq(0)
        if got == 0 or got != _q(claimed):
            raise _fail(f"output {i}: the coefficient of s^{d} along the line is {got}, claimed {claimed}", step=i, rule="witness_degree")
    return True


# -------------------------------------------------------------------- regions
def pl_pieces(body: sympy.Expr, var: sympy.Symbol) -> tuple[Any, ...] | None:
    """``("affine", m, c)`` or ``("kink", t0, (m_lo, c_lo), (m_hi, c_hi))`` for a numeric activation.

    A kink activation is ``Max``/``Min`` of two affine pieces or ``Abs`` of an
    affine form, with rational coefficients; the pieces meet at ``t0``.
    None for anything else.
    """
    ring = Exact([var])

    def affine(e: sympy.Expr) -> tuple[sympy.Rational, sympy.Rational] | None:
        if e.free_symbols - {var}:
            return None
        try:
            p = ring.poly(e, "an activation")
        except IllFormed:
            return None
        if not p.is_zero() and p.degrees()[0] > 1:
            return None
        terms = dict(p.terms())
        m = terms.get((1,), flint.fmpq(0))
        c = terms.get((0,), flint.fmpq(0))
        return sympy.Rational(int(m.p), int(m.q)), sympy.Rational(int(c.p), int(c.q))

    try:
        body = _exact(body)
    except IllFormed:
        return None
    lin = affine(body)
    if lin is not None:
        return ("affine", *lin)
    if isinstance(body, sympy.Abs):
        inner = affine(body.args[0])
        pieces = [inner, (-inner[0], -inner[1])] if inner else None
        kind = sympy.Max
    elif isinstance(body, (sympy.Max, sympy.Min)) and len(body.args) == 2:
        pieces = [affine(a) for a in body.args]
        kind = type(body)
    else:
        return None
    if pieces is None or None in pieces:
        return None
    (m1, c1), (m2, c2) = pieces
    if m1 == m2:
        return None
    t0 = (c2 - c1) / (m1 - m2)
    lo, hi = sorted(pieces, key=lambda mc: mc[0])  # smaller slope first
    if kind is sympy.Max:  # Max takes the smaller slope left of t0, the larger right of it
        return ("kink", t0, lo, hi)
    return ("kink", t0, hi, lo)


def _rationals(data: Any, where: str, depth: int = 0) -> None:
    """Nested lists of exact rationals only (sympy Rational, int, Fraction): nothing a Matrix would sympify."""
    if depth > 4:
        raise _fail(f"{where} is nested too deeply", rule="region_form")
    if isinstance(data, (list, tuple, sympy.MatrixBase)):
        for v in (data.flat() if isinstance(data, sympy.MatrixBase) else data):
            _rationals(v, where, depth + 1)
        return
    if isinstance(data, bool) or not isinstance(data, (int, Fraction, sympy.Rational)):
        raise _fail(f"{where} has the entry {str(data)[:40]!r}, which is not an exact rational", rule="region_form")


def check_regions(net: Network, tree: Any, regions: Sequence[Mapping[str, Any]]) -> bool:
    """Re-verify a regions certificate: the tree's leaves cover R^p and each leaf's form is the network's.

    ``tree`` is the split tree: each node is ``{"split": [child_off, child_on]}``,
    ``{"implied": s, "multipliers": [...], "child": node}`` (the unit's
    pre-activation z satisfies ``s*z >= 0`` on the cell, by the Farkas
    multipliers) or ``{"leaf": index}``.  Units are visited in order,
    layer by layer; a node belongs to the next kink unit.
    """
    form = gate_network(net)
    if form.parameters:
        raise _fail("the network has symbolic weights or activation parameters", rule="split_cell")
    p = net.p
    acts = []
    for l, (layer, act) in enumerate(zip(net.layers, form.activations)):
        pieces = pl_pieces(act.body, act.variable)
        if pieces is None:
            raise _fail(f"layer {l + 1}: activation {layer.activation.expr} is not piecewise affine", rule="split_cell")
        acts.append(pieces)
    units = [(l, k) for l, layer in enumerate(net.layers) for k in range(layer.width) if acts[l][0] == "kink"]
    seen_leaves: list[int] = []
    Q = sympy.Rational

    def forms(pattern: dict[tuple[int, int], int], upto: int) -> tuple[Any, Any]:
        """Affine forms (M, c) of layer ``upto``'s pre-activations given the sides fixed so far."""
        M = sympy.eye(p)
        c = sympy.zeros(p, 1)
        for l in range(upto + 1):
            W, b = sympy.Matrix(form.exact_weights(l)), sympy.Matrix(form.exact_biases(l))
            M, c = W * M, W * c + b
            if l == upto:
                return M, c
            act = acts[l]
            if act[0] == "affine":
                M, c = act[1] * M, act[1] * c + sympy.ones(M.rows, 1) * act[2]
            else:
                for k in range(W.rows):
                    m_, c_ = act[3] if pattern[(l, k)] else act[2]
                    M[k, :] = m_ * M[k, :]
                    c[k] = m_ * c[k] + c_
        raise AssertionError  # unreachable

    def walk(node: Any, depth: int, pattern: dict[tuple[int, int], int], rows: list[tuple[Any, Any]]) -> None:
        if depth == len(units):
            if not isinstance(node, dict) or set(node) != {"leaf"} or not isinstance(node["leaf"], int):
                raise _fail("a branch with every unit decided must end in a leaf", rule="split_cell")
            idx = node["leaf"]
            if not 0 <= idx < len(regions) or idx in seen_leaves:
                raise _fail(f"leaf {idx} is out of range or used twice", rule="split_cell")
            seen_leaves.append(idx)
            _check_leaf(idx, pattern, rows)
            return
        l, k = units[depth]
        M, c = forms(pattern, l)
        a, b0 = M[k, :], c[k] - acts[l][1]  # z - t0
        if not isinstance(node, dict):
            raise _fail(f"node for unit {(l + 1, k + 1)} is not an object", rule="split_cell")
        if set(node) == {"split"} and isinstance(node["split"], list) and len(node["split"]) == 2:
            if all(v == 0 for v in a):
                raise _fail(f"unit {(l + 1, k + 1)} is constant on its cell; it cannot split it", rule="split_cell")
            for side, child in enumerate(node["split"]):
                s = 1 if side else -1
                walk(child, depth + 1, {**pattern, (l, k): side}, rows + [(s * a, s * b0)])
            return
        if set(node) == {"implied", "multipliers", "child"} and node["implied"] in (1, -1):
            s = node["implied"]
            lam = node["multipliers"]
            if not isinstance(lam, list) or len(lam) != len(rows):
                raise _fail(f"unit {(l + 1, k + 1)}: need one multiplier per cell inequality", rule="farkas")
            lam = [decode_rational(v, "multiplier") if isinstance(v, str) else v for v in lam]
            if any(not (isinstance(v, sympy.Basic) and v.is_Rational) or v < 0 for v in lam):
                raise _fail(f"unit {(l + 1, k + 1)}: multipliers must be non-negative rationals", rule="farkas")
            combo = sympy.zeros(1, p)
            const = Q(0)
            for v, (ra, rb) in zip(lam, rows):
                combo += v * ra
                const += v * rb
            if combo != s * a or s * b0 - const < 0:
                raise _fail(f"unit {(l + 1, k + 1)}: the multipliers do not show {s}*z >= 0 on the cell", rule="farkas")
            walk(node["child"], depth + 1, {**pattern, (l, k): 1 if s > 0 else 0}, rows)
            return
        raise _fail(f"node for unit {(l + 1, k + 1)} is malformed", rule="split_cell")

    def _check_leaf(idx: int, pattern: dict[tuple[int, int], int], rows: list[tuple[Any, Any]]) -> None:
        reg = regions[idx]
        if not isinstance(reg, Mapping) or set(reg) < {"matrix", "offset", "pattern", "inequalities", "interior_point"}:
            raise _fail(f"region {idx} is not a region record", rule="region_form")
        _rationals(reg["matrix"], f"region {idx} matrix")
        _rationals(reg["offset"], f"region {idx} offset")
        _rationals(reg["interior_point"], f"region {idx} interior point")
        _rationals(reg["inequalities"], f"region {idx} inequalities")
        M, c = forms(pattern, len(net.layers) - 1)
        if sympy.Matrix(reg["matrix"]) != M or sympy.Matrix(reg["offset"]) != c:
            raise _fail(f"region {idx}: its affine form is not the network's on the cell", rule="region_form")
        want = [1 if pattern[u] else 0 for u in units]
        if list(reg["pattern"]) != want:
            raise _fail(f"region {idx}: its pattern {list(reg['pattern'])} is not the branch's {want}", rule="region_form")
        ineq = [(sympy.Matrix(ra).T, rb) for ra, rb in reg["inequalities"]]
        if len(ineq) != len(rows) or any(ra != a or rb != b for (ra, rb), (a, b) in zip(ineq, rows)):
            raise _fail(f"region {idx}: its inequalities are not the branch's", rule="region_form")
        x = sympy.Matrix(reg["interior_point"])
        if x.shape != (p, 1) or not all(v.is_Rational for v in x):
            raise _fail(f"region {idx}: interior point must be {p} rationals", rule="interior_point")
        for a, b in rows:
            if not (a * x)[0] + b > 0:
                raise _fail(f"region {idx}: the interior point is not strictly inside", rule="interior_point")
        fx = exact_outputs(net, {}, list(x))
        if list(M * x + c) != fx:
            raise _fail(f"region {idx}: the network at the interior point is not the region's form", rule="region_form")

    walk(tree, 0, {}, [])
    if len(seen_leaves) != len(regions):
        raise _fail(f"the tree has {len(seen_leaves)} leaves but there are {len(regions)} regions", rule="cover")
    return True
