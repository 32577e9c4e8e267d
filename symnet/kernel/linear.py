"""The kernel: re-check a certificate, trusting nothing the proof search wrote.

Each rule is one function whose docstring states the rule; it re-derives what
the step states from the network's own layers and raises
:class:`~symnet.CertificateError` (naming the step and the rule) when the
statement differs or the rule does not apply.  ``check`` first passes the
whole certificate through the well-formedness gate (:mod:`symnet.kernel.gate`:
exact numbers, declared symbols, confined activations, a claim that does not
mention x, bounded work), then runs the rules in order and confirms the claim.
This module imports only sympy, python-flint and the plain data modules
(certificate, network, errors) -- never the engine.

Every comparison is exact: structural equality of gated expressions, else
equality of polynomials over QQ (python-flint ``fmpq_mpoly``).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from functools import cached_property
from itertools import islice, repeat
from typing import Any

import flint
import sympy

from ..certificate.linear import ROUTES, Certificate, Claim, Step
from ..cost import estimate_cost, show
from ..errors import CertificateError
from ..model.core import NetworkData as Network
from ..model.symbols import flat_entries
from . import qq
from .counterexample import expand
from .gate import IllFormed, NetworkForm, gate_claim_entry, gate_network
from .ring import Exact, balanced_sum, exact

__all__ = ["KERNEL_LIMIT", "RULES", "check"]

#: The kernel expands (explicit claims, direct route) only networks whose
#: path count is at most this; larger certificates must use the product form.
KERNEL_LIMIT = 100_000
#: ... and whose path count times variable count is at most this (the cost
#: of sparse polynomial arithmetic), so no certificate makes the kernel hang.
KERNEL_COST_LIMIT = 20_000_000

Fail = Callable[[str], CertificateError]


class _Context:
    """The network (over QQ when every weight is a number, else gated), its exact ring and the gated claim."""

    def __init__(self, cert: Certificate, limit: int) -> None:
        self.net, self.claim, self.limit = cert.network, cert.claim, limit
        self.factors: list[Any] = []  # the layer-wise chain so far: C, then P_L, P_(L-1), ...
        self.expected: int | None = None  # the layer substituted next, while the chain is open
        self.done: set[str] = set()  # the routes concluded
        self.qq = qq.network(self.net) if isinstance(self.net, Network) else None
        if self.qq is None or getattr(self.claim, "routes", None) != ("layerwise",):
            self.form  # the gate reads the network first (the direct route expands the gated network)  # noqa: B018
        self.p, self.q = (self.qq.p, self.qq.q) if self.qq else (len(self.form.inputs), len(self.form.biases[-1]))
        self.depth = len(self.qq.layers if self.qq else self.form.flat_weights) - 1
        self._local: dict[tuple[sympy.Symbol, ...], Exact] = {}
        self.qq_claim: tuple[flint.fmpq_mat, flint.fmpq_mat] | None = None  # an explicit claim, over QQ
        self.matrix: list[list[sympy.Expr]] | None = None
        self.offset: list[sympy.Expr] | None = None
        self.polys: tuple[list[list[Any]], list[Any]] | None = None  # a claim stated as polynomials, in self.ring
        self.estimate: int | None = None  # the path count of the expanded output, once computed

    @cached_property
    def form(self) -> NetworkForm:
        """The gate's reading (identities only: radicals may be generators of their own); the direct route's."""
        return gate_network(self.net, radicals=True)

    @cached_property
    def ring(self) -> Exact:
        """The ring of the whole network (built only for explicit claims, which are size-guarded)."""
        return self.form.ring()

    def row(self, row: list[sympy.Expr], where: str) -> list[Any]:
        """The entries of a row as polynomials."""
        return [self.ring.poly(e, where) for e in row]

    def same(self, a: sympy.Expr, b: sympy.Expr, where: str) -> bool:
        """Exact equality of two gated expressions, as polynomials in their own symbols."""
        declared = set(self.form.inputs) | set(self.form.parameters)  # a symbol besides these: IllFormed in poly
        gens = tuple(sorted((a.free_symbols | b.free_symbols) & declared, key=lambda s: s.name))
        ring = self._local.get(gens) or self._local.setdefault(gens, Exact(gens))
        return bool(ring.poly(a, where) == ring.poly(b, where))


def _equal(ctx: _Context, stated: sympy.Expr, derived: sympy.Expr, where: str) -> bool:
    """Exact equality of a stated entry (gated here) and a derived one."""
    if stated is derived:
        return True
    s = exact(stated, where)
    d = exact(derived, where) if derived.is_Float else derived
    if s == d:
        return True
    if s.is_Rational and d.is_Rational:
        return False
    return ctx.same(s, d, where)


def _compare(ctx: _Context, stated: Any, derived: list[list[sympy.Expr]], what: str, fail: Fail) -> None:
    if stated is None:
        raise fail(f"the step states no {what}")
    if not isinstance(stated, sympy.MatrixBase):
        raise fail(f"{what} is not a matrix")
    shape = (len(derived), len(derived[0]))
    if stated.shape != shape:
        raise fail(f"{what} has shape {stated.shape}, but the network gives shape {shape}")
    flat = flat_entries(stated)
    cols = shape[1]
    if len(flat) != shape[0] * cols:
        raise fail(f"{what} has {len(flat)} entries, not the {shape[0] * cols} of its shape")
    for i, row in enumerate(derived):
        stated_row = flat[i * cols : (i + 1) * cols]
        if all(map(operator.is_, stated_row, row)):  # the very same objects: equal (C-level loop)
            continue
        for j, d in enumerate(row):
            s = stated_row[j]
            if not _equal(ctx, s, d, f"{what} entry ({i}, {j})"):
                raise fail(f"{what} entry ({i}, {j}) is {show(s)}, but the network gives {show(d)}")


# --------------------------------------------------------------- the rules
def rule_read_output_layer(ctx: _Context, step: Step, fail: Fail) -> None:
    """read_output_layer:  |-  y_hat = C y**,  C = [b_{L+1} | W_{L+1}].

    The stated matrix must be the output layer's bias column followed by its
    weights, entry for entry.  It starts the layer-wise chain.
    """
    depth = ctx.depth
    if ctx.expected is not None or "layerwise" in ctx.done:
        raise fail("the layer-wise chain starts twice")
    if step.layer != depth + 1:
        raise fail(f"the output layer is layer {depth + 1}, not {step.layer}")
    if ctx.qq:
        W_, b_, _ = ctx.qq.layers[-1]
        stated = qq.stated_matrix(step.matrix, "the output row C", fail)
        qq.equal(stated, qq.blocks(b_, W_, None, None), "the output row C", fail)
        derived: Any = qq.dense(stated)
    else:
        W, b = ctx.form.weight_rows(depth), ctx.form.biases[-1]
        derived = [[b[k], *W[k]] for k in range(len(W))]
        _compare(ctx, step.matrix, derived, "the output row C", fail)
    ctx.factors, ctx.expected = [derived], depth


def rule_substitute_layer(ctx: _Context, step: Step, fail: Fail) -> None:
    """substitute_layer:  sigma_l(t) = a t + d  |-  (1, u_l) = P_l (1, u_{l-1}),
    P_l = [[1, 0], [a b_l + d 1, a W_l]].

    Applies only when layer l's activation is a polynomial of degree <= 1 in
    its variable; the stated slope, intercept and factor P_l must be the ones
    derived from the network's layer l.  Layers are substituted from L down to 1.
    """
    expected = ctx.expected
    if expected is None:
        raise fail("a layer is substituted before the output layer is read")
    if expected < 1:
        raise fail("every hidden layer is already substituted")
    ctx.factors.append(_factor(ctx, step, expected, fail))
    ctx.expected = expected - 1


def _factor(ctx: _Context, step: Step, expected: int, fail: Fail) -> Any:
    """The factor P_l of substitute_layer, once the stated slope, intercept and P_l are found to be the network's."""
    if step.layer != expected:
        raise fail(f"expected the substitution of layer {expected}, found layer {step.layer}")
    act = ctx.qq.layers[expected - 1][2] if ctx.qq else ctx.form.activations[expected - 1]
    if not act.is_affine:
        raise fail(f"layer {expected}'s activation {act.body} is not affine, so the rule does not apply")
    slope, intercept = act.slope_intercept()
    if ctx.qq:
        return _substitute_qq(ctx.qq.layers[expected - 1], step, expected, (slope, intercept), fail)
    form = ctx.form
    if step.slope is None or step.intercept is None:
        raise fail("the step states no slope and intercept")
    if not _equal(ctx, step.slope, slope, "the stated slope"):
        raise fail(f"the stated slope {show(step.slope)} differs from the activation's slope {show(slope)}")
    if not _equal(ctx, step.intercept, intercept, "the stated intercept"):
        raise fail(
            f"the stated intercept {show(step.intercept)} differs from the activation's intercept {show(intercept)}"
        )
    held = slope == 1 and intercept == 0 and _holds_layer(step.matrix, form, expected - 1)
    if held and ctx.claim.form != "explicit":
        return []  # the very layer's entries; no later rule reads the rows of a product claim's factors
    if slope == 1 and intercept == 0:  # the layer's own entries, so the stated ones compare by identity
        W, b = form.weight_rows(expected - 1), form.biases[expected - 1]
        rows = [[b[k], *W[k]] for k in range(len(W))]
    else:
        W, b = form.exact_weights(expected - 1), form.exact_biases(expected - 1)
        rows = [[slope * b[k] + intercept] + [slope * w for w in W[k]] for k in range(len(W))]
    derived = [[sympy.Integer(1)] + [sympy.Integer(0)] * len(W[0]), *rows]
    _compare(ctx, step.matrix, derived, f"the factor P_{expected}", fail)
    return derived


def _substitute_qq(layer: tuple[qq.Mat, qq.Mat, Any], step: Step, l: int, coeffs: Any, fail: Fail) -> Any:
    """substitute_layer over QQ: the stated slope, intercept and factor P_l are exactly the network's."""
    a, d = (qq.rational(c, "the activation's coefficient", fail) for c in coeffs)
    if qq.rational(step.slope, "the stated slope", fail) != a:
        raise fail(f"the stated slope {show(step.slope)} differs from the activation's slope {qq.text(a)}")
    if qq.rational(step.intercept, "the stated intercept", fail) != d:
        raise fail(f"the stated intercept {show(step.intercept)} differs from the activation's intercept {qq.text(d)}")
    P = qq.blocks(layer[1], layer[0], a, d)
    qq.equal(qq.stated_matrix(step.matrix, f"the factor P_{l}", fail), P, f"the factor P_{l}", fail)
    return P


def _holds_layer(stated: Any, form: NetworkForm, index: int) -> bool:
    """True when ``stated`` holds, object for object, ``[[1, 0 ... 0], [b_l | W_l]]`` of the gated layer ``index``.

    The identity substitution's factor as the engine writes it: the very
    objects of the network's layer, compared by identity in C-level passes
    over the flat entries (no row is copied).  False sends the step to the
    general comparison, which names the differing entry.
    """
    weights, biases = form.flat_weights[index], form.biases[index]
    cols = len(weights) // max(len(biases), 1)
    entries = flat_entries(stated) if isinstance(stated, sympy.MatrixBase) else ()
    if not biases or len(entries) != (len(biases) + 1) * (cols + 1) or stated.shape != (len(biases) + 1, cols + 1):
        return False
    it, flat, zero = iter(entries), iter(weights), sympy.Integer(0)
    if next(it) is not sympy.Integer(1) or not all(map(operator.is_, islice(it, cols), repeat(zero))):
        return False
    return all(next(it) is b and all(map(operator.is_, islice(it, cols), islice(flat, cols))) for b in biases)


def _estimate(form: NetworkForm) -> int:
    """Path count of the largest layer of the expansion (the kernel's own size guard), from the gated network.

    The largest layer, not the output alone: an output layer of zeros would
    otherwise let the hidden layers' expansion run unbounded.
    """
    counts, peak = [1] * (len(form.inputs) + 1), 0
    for W, b, act in zip(form.weights, form.biases, form.activations, strict=True):
        new = [1]
        for k in range(len(W)):
            total = (type(b[k]) is sympy.Symbol or b[k] != 0) * counts[0]
            for j, entry in enumerate(W[k]):
                if type(entry) is sympy.Symbol:
                    total += counts[j + 1]
                elif entry != 0:
                    total += (1 if entry.is_Number else estimate_cost(entry).terms) * counts[j + 1]
            new.append(min(total, 10**15))
        if not act.is_identity:
            degree = max(act.degree, 1)
            terms = sum(1 for c in (act.coeffs or ()) if c != 0) or 1
            new = [1] + [min(max(c, 1) ** degree * terms, 10**15) if c < 10**15 else c for c in new[1:]]
        counts, peak = new, max(peak, sum(new[1:]))
    return peak


def _guard(ctx: _Context, fail: Fail) -> None:
    form, limit = ctx.form, ctx.limit
    est = ctx.estimate = _estimate(form) if ctx.estimate is None else ctx.estimate
    variables = len(form.inputs) + len(form.parameters)
    if est > limit or est * variables > KERNEL_COST_LIMIT:
        raise fail(
            f"verifying this step needs an expansion of about {est} monomials in {variables} variables, "
            f"above the kernel's limits ({limit} monomials, {KERNEL_COST_LIMIT} monomials x variables)"
        )


def _claim_polys(ctx: _Context) -> tuple[list[list[Any]], list[Any]]:
    if ctx.polys is not None:
        return ctx.polys
    if ctx.qq_claim is not None:
        flat_W, flat_b = (m.entries() for m in ctx.qq_claim)
        W_ = [[ctx.ring.ctx.constant(v) for v in flat_W[i * ctx.p : (i + 1) * ctx.p]] for i in range(ctx.q)]
        return W_, [ctx.ring.ctx.constant(v) for v in flat_b]
    assert ctx.matrix is not None and ctx.offset is not None
    W = [[ctx.ring.poly(v, "the claimed W*") for v in row] for row in ctx.matrix]
    ctx.polys = W, [ctx.ring.poly(v, "the claimed b*") for v in ctx.offset]  # read once for both routes
    return ctx.polys


def rule_conclude_linear_form(ctx: _Context, step: Step, fail: Fail) -> None:
    """conclude_linear_form:  y_hat = C y**, (1, u_l) = P_l (1, u_{l-1}) for l = L..1  |-
    y_hat = (C P_L ... P_1) x*.

    Needs the whole chain: the output row and one factor per hidden layer.
    An explicit claim must equal the product, computed exactly.
    """
    if ctx.expected is None:
        raise fail("the conclusion comes before the output layer is read")
    derived, depth = ctx.factors, ctx.depth
    ctx.done.add("layerwise")
    ctx.expected = None
    if len(derived) != depth + 1:
        raise fail(f"the chain has {len(derived) - 1} substituted layers, but the network has {depth} hidden layers")
    if ctx.claim.form != "explicit":
        return
    if ctx.qq_claim is not None:
        _conclude_qq(ctx.qq_claim, derived, fail)
        return
    _guard(ctx, fail)
    factors = [[ctx.row(row, "a factor") for row in f] for f in derived]
    zero = ctx.ring.zero
    rows = factors[0]
    for f in factors[1:]:
        columns = list(zip(*f, strict=True))
        rows = [
            [balanced_sum([r * v for r, v in zip(row, column, strict=True) if r and v], zero) for column in columns]
            for row in rows
        ]
    W, b = _claim_polys(ctx)
    x = ctx.ring.gen_polys[: ctx.p]
    for i, row in enumerate(rows):
        if row != [b[i], *W[i]]:
            differs = balanced_sum([b[i] - row[0]] + [(w - r) * v for w, r, v in zip(W[i], row[1:], x, strict=True)], 0)
            gap = show(ctx.ring.show(differs))
            raise fail(f"output {i}: the claimed linear form differs from C P_L ... P_1 x* by {gap}")


def _conclude_qq(claim: tuple[flint.fmpq_mat, flint.fmpq_mat], factors: list[Any], fail: Fail) -> None:
    """conclude_linear_form over QQ: the claim is C P_L ... P_1, an exact (sparse where P_l is) matrix product."""
    product = factors[0]
    for P in factors[1:]:
        product = qq.sparse_times(product, P)
    (W, b), q, p = claim, claim[0].nrows(), claim[0].ncols()
    for i in range(q):
        if b[i, 0] != product[i, 0]:
            raise fail(
                f"output {i}: the claimed intercept {qq.text(b[i, 0])} is not C P_L ... P_1's {qq.text(product[i, 0])}"
            )
        for j in range(p):
            if W[i, j] != product[i, j + 1]:
                raise fail(
                    f"output {i}: the claimed coefficient of x_{j + 1}, {qq.text(W[i, j])}, "
                    f"is not C P_L ... P_1's {qq.text(product[i, j + 1])}"
                )


def rule_expand_and_compare(ctx: _Context, step: Step, fail: Fail) -> None:
    """expand_and_compare:  |-  y_hat - (W* x + b*) = 0 as polynomials, and y_hat has
    degree <= 1 in x, with N monomials.

    Applies only with an explicit claim and polynomial activations.  The
    network's output is expanded by a forward pass from its own layers.
    """
    if "direct" in ctx.done:
        raise fail("the direct route appears twice")
    if ctx.expected is not None:
        raise fail("the direct route interrupts the layer-wise chain")
    ctx.done.add("direct")
    if ctx.claim.form != "explicit":
        raise fail("the direct route needs an explicit claim")
    form = ctx.form
    for index, act in enumerate(form.activations, start=1):
        if not act.is_polynomial:
            raise fail(f"layer {index}'s activation {act.body} is not a polynomial; the output cannot be expanded")
    _guard(ctx, fail)
    ring = ctx.ring
    u = expand(form, ring)
    count = sum(len(o) for o in u)
    if step.monomials != count:
        raise fail(f"the step states {step.monomials} monomials, but the expanded output has {count}")
    W_, b_ = _claim_polys(ctx)  # free of x (read through the gate), so an output equal to W* x + b* is affine
    x = ring.gen_polys[: ctx.p]
    for i, o in enumerate(u):
        claimed = balanced_sum([b_[i]] + [w * v for w, v in zip(W_[i], x, strict=True)], ring.zero)
        if o == claimed:
            continue
        if ring.x_degree(o, ctx.p) > 1:
            raise fail(f"output {i} has a monomial of degree {ring.x_degree(o, ctx.p)} in x: it is not linear")
        raise fail(f"output {i}: the expanded output differs from the claimed form by {show(ring.show(o - claimed))}")


# ------------------------------------------------------------------- check
def _gate_claim(ctx: _Context) -> None:
    claim, q, p = ctx.claim, ctx.q, ctx.p
    if not isinstance(claim, Claim):
        raise IllFormed(f"the claim is a {type(claim).__name__}, not a Claim")
    if claim.form not in ("explicit", "product"):
        raise IllFormed(f"the claim's form {claim.form!r} is not 'explicit' or 'product'")
    shape = claim.shape
    if not (isinstance(shape, tuple) and len(shape) == 2 and all(type(n) is int for n in shape)):
        raise IllFormed(f"the claim's shape {str(shape)[:40]} is not a pair of integers")
    if shape != (q, p):
        raise CertificateError(f"the claim has shape {claim.shape}, but the network has {q} outputs and {p} inputs")
    routes = claim.routes
    if not isinstance(routes, tuple) or not routes or len(set(routes)) != len(routes) or not set(routes) <= set(ROUTES):
        raise IllFormed(f"the claim must list at least one route, distinct, from {ROUTES}; it lists {routes!r}")
    if (
        claim.form == "explicit"
        and claim.polys is not None
        and not ctx.qq
        and (ctx.form.parameters or ctx.form.radicals)
    ):
        ctx.polys = _read_polys(ctx, claim.polys, q, p)
    elif claim.form == "explicit":
        if not isinstance(claim.matrix, sympy.MatrixBase) or not isinstance(claim.offset, sympy.MatrixBase):
            raise CertificateError("the explicit claim lacks its matrix or offset")
        if claim.matrix.shape != (q, p) or claim.offset.shape != (q, 1):
            raise CertificateError(
                f"the claimed W* has shape {claim.matrix.shape} and b* {claim.offset.shape}; "
                f"the network needs {(q, p)} and {(q, 1)}"
            )
        if ctx.qq:
            read = [
                qq.stated_matrix(m, f"the claimed {w}", CertificateError)
                for m, w in ((claim.matrix, "W*"), (claim.offset, "b*"))
            ]
            ctx.qq_claim = (qq.dense(read[0]), qq.dense(read[1]))
            return
        form, flat = ctx.form, claim.matrix.flat()
        ctx.matrix = [
            [gate_claim_entry(flat[i * p + j], f"claim W* entry ({i}, {j})", form) for j in range(p)] for i in range(q)
        ]
        ctx.offset = [gate_claim_entry(v, f"claim b* entry {i}", form) for i, v in enumerate(claim.offset.flat())]
    elif claim.matrix is not None or claim.offset is not None:
        raise IllFormed("a product claim states no matrix or offset")


def _read_polys(ctx: _Context, polys: Any, q: int, p: int) -> tuple[list[list[Any]], list[Any]]:
    """A claim stated as polynomials (W* q x p, b* q), read into the kernel's ring: generator i of their
    context (``g0 .. g{n-1}``, lex) is the symbol ``gens[i]``, an input or parameter of the network;
    W* and b* must not contain x."""
    gens, ring = getattr(polys, "gens", None), ctx.ring
    if not isinstance(gens, tuple) or not all(isinstance(g, sympy.Symbol) and g in ring.index for g in gens):
        raise IllFormed("the claim's generators must be inputs or parameters of the network")
    matrix, offset = getattr(polys, "matrix", None), getattr(polys, "offset", None)
    rows: list[Any] = [*matrix, offset] if isinstance(matrix, tuple) and isinstance(offset, tuple) else []
    if len(rows) != q + 1 or not all(isinstance(r, tuple) and len(r) == p for r in rows[:-1]) or len(rows[-1]) != q:
        raise CertificateError(f"the claimed W* and b* must have shapes {(q, p)} and {(q,)}")
    home = flint.fmpq_mpoly_ctx.get(("g", max(len(gens), 1)), "lex")
    images = None if list(gens) == ring.gens and home == ring.ctx else [ring.gen_polys[ring.index[g]] for g in gens]
    out = []
    for i, row in enumerate(rows):
        if not all(type(v) is flint.fmpq_mpoly and v.context() == home for v in row) or len(set(gens)) < len(gens):
            raise IllFormed(f"claim row {i} is not polynomials over the claim's {len(gens)} distinct generators")
        read = list(row) if images is None else [v.compose(*images, ctx=ring.ctx) for v in row]
        if any(d > 0 for v in read for d in v.degrees()[: ctx.p]):
            raise IllFormed(f"claim row {i}: a claimed coefficient contains an input")
        out.append(read)
    return out[:-1], out[-1]


#: The rule table: each rule name of :data:`symnet.certificate.RULES` and the function that applies it.
RULES: dict[str, Callable[[_Context, Step, Fail], None]] = {
    "read_output_layer": rule_read_output_layer,
    "substitute_layer": rule_substitute_layer,
    "conclude_linear_form": rule_conclude_linear_form,
    "expand_and_compare": rule_expand_and_compare,
}


def _failing(index: int, rule: str) -> Fail:
    return lambda message: CertificateError(message, step=index, rule=rule)


def check(cert: Certificate, *, limit: int = KERNEL_LIMIT) -> bool:
    """True if every step of the certificate checks and they establish its claim.

    Raises :class:`~symnet.CertificateError` naming the first failing step
    and its rule otherwise (:class:`~symnet.kernel.gate.IllFormed` when the
    certificate breaks a rule of the well-formedness gate); it never returns
    False.
    """
    if not isinstance(cert, Certificate):
        raise CertificateError(f"expected a Certificate, got {type(cert).__name__}")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise CertificateError(f"limit={limit!r} is not a count")
    ctx = _Context(cert, limit)
    _gate_claim(ctx)
    if not isinstance(cert.steps, tuple) or not cert.steps:
        raise IllFormed("the certificate has no steps: at least one complete route is needed")
    for index, step in enumerate(cert.steps):
        if not isinstance(step, Step):
            raise IllFormed(f"step {index} is a {type(step).__name__}, not a Step")
        apply = RULES.get(step.rule) if isinstance(step.rule, str) else None
        if apply is None:
            raise _failing(index, str(step.rule))(f"unknown rule {str(step.rule)[:40]!r}")
        apply(ctx, step, _failing(index, step.rule))
    if ctx.expected is not None:
        raise CertificateError(
            "the layer-wise chain is not concluded", step=len(cert.steps) - 1, rule=cert.steps[-1].rule
        )
    if ctx.done != set(cert.claim.routes):
        missing = sorted(set(cert.claim.routes) - ctx.done)
        extra = sorted(ctx.done - set(cert.claim.routes))
        raise CertificateError(
            f"the claim lists routes {list(cert.claim.routes)}; missing {missing}, undeclared {extra}"
        )
    return True
