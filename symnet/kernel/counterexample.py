"""The small, independent checker for refutations, degrees and linear regions.

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

import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import sympy
from mpmath import libmp
from mpmath.ctx_iv import MPIntervalContext
from sympy.polys.rings import ring

from ..errors import CertificateError
from ..model.network import Network

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
    """``e`` with every binary float replaced by its exact rational value."""
    floats = e.atoms(sympy.Float)
    return e.xreplace({f: sympy.Rational(f) for f in floats}) if floats else e


def _check_values(net: Network, weights: Mapping[sympy.Symbol, Any]) -> dict[sympy.Symbol, sympy.Rational]:
    if set(weights) != set(net.parameters):
        missing = sorted(s.name for s in set(net.parameters) - set(weights))
        extra = sorted(str(s) for s in set(weights) - set(net.parameters))
        raise _fail(f"weights must give exactly the network's parameters (missing {missing}, extra {extra})")
    out = {}
    for s, v in weights.items():
        if not (isinstance(v, sympy.Basic) and v.is_Rational):
            raise _fail(f"weights[{s}]={v!r} is not an exact rational")
        out[s] = v
    return out


def exact_outputs(net: Network, weights: Mapping[sympy.Symbol, sympy.Rational], x: Sequence[Any]) -> list[sympy.Expr]:
    """The network's outputs at rational ``x`` as exact sympy values (floats read exactly)."""
    u: list[sympy.Expr] = [sympy.Rational(v) for v in x]
    subs = dict(weights)
    for layer in net.layers:
        w = _exact(layer.weights.xreplace(subs))
        b = _exact(layer.biases.xreplace(subs))
        body = _exact(layer.activation.expr.xreplace(subs))
        var = layer.activation.variable
        z = [sympy.Add(b[k], *(w[k, j] * u[j] for j in range(layer.fan_in))) for k in range(layer.width)]
        u = z if body == var else [body.xreplace({var: v}) for v in z]
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
        return ctx.mpf([0, max(-lo, hi)])
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
    subs = dict(weights)
    try:
        u = [_iv_rational(ctx, sympy.Rational(v)) for v in x]
        for layer in net.layers:
            w = _exact(layer.weights.xreplace(subs))
            b = _exact(layer.biases.xreplace(subs))
            body = _exact(layer.activation.expr.xreplace(subs))
            var = layer.activation.variable
            z = []
            for k in range(layer.width):
                acc = _iv_rational(ctx, b[k])
                for j in range(layer.fan_in):
                    if w[k, j] != 0:
                        acc = acc + _iv_rational(ctx, w[k, j]) * u[j]
                z.append(acc)
            u = z if body == var else [_interval(ctx, body, {var: v}) for v in z]
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
    subs = _check_values(net, weights)
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
    m = [(a + b) / 2 for a, b in zip(u, v)]
    fu, fv, fm = (exact_outputs(net, subs, pt)[output] for pt in (u, v, m))
    if len(values) != 3:
        raise _fail("values must be the three claimed values f(u), f(v), f((u+v)/2)", rule=rule)
    for label, got, claimed in zip(("f(u)", "f(v)", "f((u+v)/2)"), (fu, fv, fm), values):
        if got != claimed and sympy.expand(got - claimed) != 0:
            raise _fail(f"claimed {label} = {claimed} but the network gives {got}", rule=rule)
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
def _poly_coeffs(body: sympy.Expr, var: sympy.Symbol, where: str) -> list[Fraction]:
    """Coefficients c_0..c_d of a polynomial activation with rational coefficients."""
    if not body.is_polynomial(var):
        raise _fail(f"{where}: activation {body} is not a polynomial in {var}", rule="bound_degree")
    poly = sympy.Poly(body, var)
    coeffs = []
    for c in reversed(poly.all_coeffs()):
        if not c.is_Rational:
            raise _fail(f"{where}: coefficient {c} is not rational", rule="bound_degree")
        coeffs.append(Fraction(int(c.p), int(c.q)))
    while coeffs and coeffs[-1] == 0:
        coeffs.pop()
    return coeffs


def _padd(a: list[Fraction], b: list[Fraction]) -> list[Fraction]:
    n = max(len(a), len(b))
    out = [(a[i] if i < len(a) else 0) + (b[i] if i < len(b) else 0) for i in range(n)]
    while out and out[-1] == 0:
        out.pop()
    return out


def _pmul(a: list[Fraction], b: list[Fraction]) -> list[Fraction]:
    if not a or not b:
        return []
    out = [Fraction(0)] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        if x:
            for j, y in enumerate(b):
                out[i + j] += x * y
    while out and out[-1] == 0:
        out.pop()
    return out


def line_polynomials(net: Network, weights: Mapping[sympy.Symbol, Any], point: Sequence[Any], direction: Sequence[Any]) -> list[list[Fraction]]:
    """Coefficient lists in s of each output along the line ``point + s*direction``."""
    u = [_padd([Fraction(str(a))], [Fraction(0), Fraction(str(d))]) for a, d in zip(point, direction)]
    subs = dict(weights)
    for l, layer in enumerate(net.layers):
        w = _exact(layer.weights.xreplace(subs))
        b = _exact(layer.biases.xreplace(subs))
        coeffs = _poly_coeffs(_exact(layer.activation.expr.xreplace(subs)), layer.activation.variable, f"layer {l + 1}")
        nxt = []
        for k in range(layer.width):
            z = [Fraction(int(b[k].p), int(b[k].q))] if b[k] != 0 else []
            for j in range(layer.fan_in):
                if w[k, j] != 0:
                    z = _padd(z, _pmul([Fraction(int(w[k, j].p), int(w[k, j].q))], u[j]))
            acc: list[Fraction] = []
            for c in reversed(coeffs):  # Horner
                acc = _padd(_pmul(acc, z), [c] if c else [])
            nxt.append(acc)
        u = nxt
    return u


def _degree_bounds(net: Network) -> list[list[int | None]]:
    """Per layer, per unit: an upper bound on the degree in x (None: identically zero)."""
    t = sympy.Symbol("t")
    bounds: list[int | None] = [1] * net.p
    out = []
    for l, layer in enumerate(net.layers):
        body = layer.activation.expr.xreplace({layer.activation.variable: t})
        if not body.is_polynomial(t):
            raise _fail(f"layer {l + 1}: activation {layer.activation.expr} is not a polynomial", rule="bound_degree")
        d_act = int(sympy.degree(body, t)) if body != 0 else None
        const_only = body.free_symbols.isdisjoint({t})
        layer_bounds: list[int | None] = []
        for k in range(layer.width):
            terms = [bounds[j] for j in range(layer.fan_in) if layer.weights[k, j] != 0 and bounds[j] is not None]
            zb: int | None = max(terms) if terms else (0 if layer.biases[k] != 0 else None)
            if d_act is None:
                ub = None
            elif const_only or zb is None:
                ub = 0 if (zb is not None or body.subs(t, 0) != 0) else None
            else:
                ub = d_act * zb
            layer_bounds.append(ub)
        out.append(layer_bounds)
        bounds = layer_bounds
    return out


def _expanded_degrees(net: Network, limit: int) -> list[int | None]:
    """Exact degree in x of each output, by expansion in a sparse polynomial ring."""
    params = list(net.parameters)
    gens = list(net.inputs) + params
    R, *_ = ring(gens, sympy.QQ)
    x_gens = R.gens[: net.p]
    u = list(x_gens)
    for layer in net.layers:
        var = layer.activation.variable
        body = _exact(layer.activation.expr)
        coeffs = [R(_exact(c).as_expr()) for c in reversed(sympy.Poly(body, var).all_coeffs())]
        nxt = []
        for k in range(layer.width):
            z = R(_exact(layer.biases[k]))
            for j in range(layer.fan_in):
                wkj = _exact(layer.weights[k, j])
                if wkj != 0:
                    z += R(wkj) * u[j]
            acc = R.zero
            for c in reversed(coeffs):
                acc = acc * z + c
                if len(acc) > limit:
                    raise _fail(f"expansion exceeds {limit} terms", rule="expand_degree")
            nxt.append(acc)
        u = nxt
    degs = []
    for f in u:
        degs.append(max((sum(m[: net.p]) for m in f.itermonoms()), default=None) if f else None)
    return degs


def check_degree(net: Network, certificate: Mapping[str, Any]) -> bool:
    """Re-verify a degree certificate: an upper bound by a rule, and a witness for the lower bound."""
    try:
        degrees = certificate["degrees"]
        routes = certificate["routes"]
        witnesses = certificate["witnesses"]
    except (KeyError, TypeError):
        raise _fail("a degree certificate needs 'degrees', 'routes' and 'witnesses'") from None
    if not (isinstance(degrees, list) and isinstance(routes, list) and isinstance(witnesses, list)):
        raise _fail("degrees, routes and witnesses must be lists")
    if not len(degrees) == len(routes) == len(witnesses) == net.q:
        raise _fail(f"degrees, routes and witnesses need one entry per output ({net.q})")
    bounds = None
    expanded = None
    for i, (d, route, wit) in enumerate(zip(degrees, routes, witnesses)):
        if d is not None and (isinstance(d, bool) or not isinstance(d, int) or d < 0):
            raise _fail(f"degrees[{i}]={d!r} is not a non-negative integer or null", step=i)
        if route == "bound_degree":
            if bounds is None:
                bounds = _degree_bounds(net)
            if bounds[-1][i] != d:
                raise _fail(f"output {i}: the layer-wise degree bound is {bounds[-1][i]}, not {d}", step=i, rule=route)
        elif route == "expand_degree":
            if expanded is None:
                expanded = _expanded_degrees(net, int(certificate.get("limit", 2_000_000)))
            if expanded[i] != d:
                raise _fail(f"output {i}: the expansion has degree {expanded[i]}, not {d}", step=i, rule=route)
            continue  # the expansion decides the degree exactly
        else:
            raise _fail(f"output {i}: unknown route {route!r}", step=i)
        if d is None:
            continue
        if not isinstance(wit, dict) or set(wit) != {"weights", "point", "direction", "coefficient"}:
            raise _fail(f"output {i}: the witness needs weights, point, direction, coefficient", step=i, rule="witness_degree")
        names = {s.name: s for s in net.parameters}
        if not isinstance(wit["weights"], dict) or set(wit["weights"]) != set(names):
            raise _fail(f"output {i}: the witness must give every parameter a value", step=i, rule="witness_degree")
        vals = {names[n]: decode_rational(v, f"witness weights[{n}]") for n, v in wit["weights"].items()}
        if not isinstance(wit["point"], list) or not isinstance(wit["direction"], list) or not len(wit["point"]) == len(wit["direction"]) == net.p:
            raise _fail(f"output {i}: point and direction need {net.p} coordinates", step=i, rule="witness_degree")
        pt = [decode_rational(c, "witness point") for c in wit["point"]]
        dr = [decode_rational(c, "witness direction") for c in wit["direction"]]
        claimed = decode_rational(wit["coefficient"], "witness coefficient")
        g = line_polynomials(net, vals, pt, dr)[i]
        got = g[d] if d < len(g) else Fraction(0)
        if len(g) - 1 > d:
            raise _fail(f"output {i}: along the witness line the degree is {len(g) - 1} > {d}", step=i, rule="witness_degree")
        if got == 0 or sympy.Rational(got.numerator, got.denominator) != claimed:
            raise _fail(f"output {i}: the coefficient of s^{d} along the line is {got}, claimed {claimed}", step=i, rule="witness_degree")
    return True


# -------------------------------------------------------------------- regions
def pl_pieces(body: sympy.Expr, var: sympy.Symbol) -> tuple[Any, ...] | None:
    """``("affine", m, c)`` or ``("kink", t0, (m_lo, c_lo), (m_hi, c_hi))`` for a numeric activation.

    A kink activation is ``Max``/``Min`` of two affine pieces or ``Abs`` of an
    affine form, with rational coefficients; the pieces meet at ``t0``.
    None for anything else.
    """
    def affine(e: sympy.Expr) -> tuple[sympy.Rational, sympy.Rational] | None:
        if not e.is_polynomial(var):
            return None
        p = sympy.Poly(e, var)
        if p.degree() > 1 or not all(c.is_Rational for c in p.all_coeffs()):
            return None
        return sympy.Rational(p.coeff_monomial(var)), sympy.Rational(p.coeff_monomial(1))

    body = _exact(body)
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


def check_regions(net: Network, tree: Any, regions: Sequence[Mapping[str, Any]]) -> bool:
    """Re-verify a regions certificate: the tree's leaves cover R^p and each leaf's form is the network's.

    ``tree`` is the split tree: each node is ``{"split": [child_off, child_on]}``,
    ``{"implied": s, "multipliers": [...], "child": node}`` (the unit's
    pre-activation z satisfies ``s*z >= 0`` on the cell, by the Farkas
    multipliers) or ``{"leaf": index}``.  Units are visited in order,
    layer by layer; a node belongs to the next kink unit.
    """
    p = net.p
    acts = []
    for l, layer in enumerate(net.layers):
        if layer.weights.free_symbols or layer.biases.free_symbols:
            raise _fail(f"layer {l + 1} has symbolic weights", rule="split_cell")
        pieces = pl_pieces(layer.activation.expr, layer.activation.variable)
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
            layer = net.layers[l]
            W, b = _exact(layer.weights).as_mutable(), _exact(layer.biases).as_mutable()
            M, c = W * M, W * c + b
            if l == upto:
                return M, c
            act = acts[l]
            if act[0] == "affine":
                M, c = act[1] * M, act[1] * c + sympy.ones(M.rows, 1) * act[2]
            else:
                for k in range(layer.width):
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
