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
from flint import arb, fmpq

from ..certificate.documents import CounterexampleDocument
from ..cost import CAP, postorder, show
from ..errors import CertificateError, UndecidedError
from ..model.core import NetworkData as Network
from ..numbers import exact_fmpq, fast_rational
from .gate import NetworkForm, gate_network
from .regions_cert import forward, network_pieces, pieces
from .ring import FUNCTIONS, MAX_DEGREE, Exact, balanced_sum, exact

__all__ = [
    "PRECISIONS",
    "bits_guard",
    "tree_guard",
    "value_size",
    "VALUE_LIMITS",
    "bounded_form",
    "check_counterexample",
    "check_document",
    "degree_product",
    "enclosure",
    "expand",
    "exact_values",
    "interval",
    "interval_sign",
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
#: Largest estimated size (nodes, as a tree) of an exact value a network with a non-polynomial activation builds
#: in sympy: such a value is a formula over every path through the network, compared and enclosed as a tree.
MAX_VALUE_TREE = 1_000_000
#: Largest work of sympy's numeric evaluation of the functions as it builds the values: over the units of a
#: non-polynomial layer, the pre-activation's tree size times 8 to the functions nested in it (the precision it
#: takes grows with them).  Measured: 3 tanh layers of width 40 (1.7e7) 1.9 s; 4 of width 12 (4.6e7) 19 s.
MAX_VALUE_WORK = 20_000_000
#: Most functions nested in such a value: sympy evaluates every nested argument numerically again as it builds
#: the value, at a precision that grows with the nesting (distinct small weights: 3 tanh layers of width 40
#: 1.9 s; 4 layers of width 6 4.2 s, 5 of width 3 2.8 s, 6 of width 2 2.1 s).
MAX_VALUE_DEPTH = 3


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


def _tree(e: sympy.Expr, var: sympy.Basic) -> tuple[int, int]:
    """(nodes, occurrences of ``var``) of ``e`` as a tree, over its DAG."""
    nodes: dict[int, tuple[int, int]] = {}
    for node in postorder(e):
        parts = [nodes[id(a)] for a in node.args]
        nodes[id(node)] = (min(1 + sum(n for n, _ in parts), CAP), min(sum(u for _, u in parts) + (node == var), CAP))
    return nodes[id(e)]


def value_size(form: NetworkForm) -> tuple[int, int, int]:
    """How deep functions nest in the exact values of a non-polynomial network, the work of sympy's numeric
    evaluations as it builds them, and their size in nodes as trees (all 0 when every activation is polynomial)."""
    if all(act.is_polynomial for act in form.activations):
        return 0, 0, 0
    sizes = [0] * len(form.inputs)  # 0: a rational number
    depth = work = 0  # the most function nodes nested in a value; the work of sympy's numeric evaluations
    for flat, b, act in zip(form.flat_weights, form.biases, form.activations, strict=True):
        cols = len(sizes)
        new = []
        nested = 0 if act.is_polynomial or pieces(act) is not None else sum(
            1 for n in postorder(act.body) if isinstance(n, sympy.Function)
        )
        for k in range(len(b)):
            z = sum(sizes[j] + 2 for j, w in enumerate(flat[k * cols : (k + 1) * cols]) if w != 0 and sizes[j])
            z = min(z + 1 if z else 0, CAP)
            if act.is_polynomial:
                new.append(z if act.coeffs == (0, 1) else min((act.degree + 1) * (z + 2), CAP) if z else 0)
            else:  # a piecewise-affine body (relu) at a number is a number
                body, uses = _tree(act.body, act.variable)
                new.append(min(body + uses * z, CAP) if z or pieces(act) is None else 0)
                work = min(work + z * 8**depth * nested, CAP)
        depth += nested
        sizes = new
    return depth, work, 3 * max(sizes, default=0)


#: The limits of :func:`value_size`'s three estimates, and what each one counts.
VALUE_LIMITS = (
    (MAX_VALUE_DEPTH, "nest {} functions"),
    (MAX_VALUE_WORK, "cost about {} in sympy's numeric evaluations"),
    (MAX_VALUE_TREE, "build formulas of about {} nodes"),
)


def tree_guard(form: NetworkForm, rule: str) -> None:
    """Refuse up front an exact evaluation in sympy whose values would pass a limit of :data:`VALUE_LIMITS`."""
    for estimate, (limit, what) in zip(value_size(form), VALUE_LIMITS, strict=True):
        if estimate > limit:
            message = f"evaluating the network exactly here would {what.format(estimate)}, above the kernel's limit of"
            raise _fail(f"{message} {limit}", rule=rule)


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


def enclosure(e: sympy.Expr) -> tuple[fmpq, fmpq] | None:
    """A rigorous rational enclosure [lo, hi] of the real constant ``e`` that excludes 0 (a ball's exact ends, at
    the first of :data:`PRECISIONS` that separates ``e`` from 0); None when none does (``e`` may be zero, or need
    more precision, or use a function with no interval rule)."""
    for prec in PRECISIONS:
        with flint.ctx.workprec(prec):
            try:
                ball = interval(e)
            except UndecidedError:
                return None
            lo, hi = ball.lower().fmpq(), ball.upper().fmpq()
        if lo > 0 or hi < 0:
            return lo, hi
    return None


def interval_sign(e: sympy.Expr) -> int:
    """The sign (+1 or -1) of the non-zero real constant ``e``, established rigorously: exact for rationals,
    otherwise by :func:`enclosure`; 0 when it is not established."""
    if e.is_Rational:
        return int(e > 0) - int(e < 0)
    bounds = enclosure(e)
    return 0 if bounds is None else (1 if bounds[0] > 0 else -1)


# ------------------------------------------------------------- counterexamples
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

    ``values`` are the claimed exact ``f_k(u), f_k(v), f_k((u+v)/2)``; each
    is recomputed and must be the same expression.  ``layer``, when stated,
    must be the first hidden layer whose activation is not affine (None: there
    is none).  Raises CertificateError on any defect; returns True otherwise.
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
    m = [(a + b) / 2 for a, b in zip(u, v, strict=True)]
    bits_guard(form, [*subs.values(), *u, *v], rule)
    tree_guard(form, rule)
    fu, fv, fm = (out[output] for out in exact_values(net, form, subs, (u, v, m)))
    if not isinstance(values, (tuple, list)) or len(values) != 3:
        raise _fail("values must be the three claimed values f(u), f(v), f((u+v)/2)", rule=rule)
    for label, got, claimed in zip(("f(u)", "f(v)", "f((u+v)/2)"), (fu, fv, fm), values, strict=True):
        stated = exact(claimed, f"the claimed {label}")
        if got != stated:
            raise _fail(f"claimed {label} = {show(claimed)} but the network gives {show(got)}", rule=rule)
    defect = fm - (fu + fv) / 2
    pair = isinstance(enclosure, (tuple, list)) and len(enclosure) == 2
    if not pair or not all(isinstance(c, sympy.Basic) and c.is_Rational for c in enclosure):
        raise _fail("enclosure must be two exact rationals", rule=rule)
    lo, hi = enclosure
    if not (lo <= hi and (lo > 0 or hi < 0)):
        raise _fail(f"enclosure [{lo}, {hi}] does not exclude 0", rule=rule)
    if defect.is_Rational and not lo <= defect <= hi:
        raise _fail(f"the defect {defect} is not in the claimed enclosure [{lo}, {hi}]", rule=rule)
    if not defect.is_Rational and (interval_sign(defect - lo) != 1 or interval_sign(hi - defect) != 1):
        raise _fail(f"cannot establish rigorously that the defect {defect} lies in [{lo}, {hi}]", rule=rule)
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
