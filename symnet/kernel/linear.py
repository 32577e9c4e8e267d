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

A network whose every weight is a number is checked over QQ (:mod:`symnet.kernel.qq`:
its layers and the stated matrices as python-flint matrices); any other one
entry by entry: structural equality of gated expressions, else equality of
polynomials over QQ (python-flint ``fmpq_mpoly``).  An explicit claim is
compared with the network's output expanded as polynomials (over QQ, the
product ``C P_L ... P_1`` of a numeric network's factors).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from functools import cached_property, reduce
from itertools import chain, islice
from typing import Any

import flint
import sympy
from sympy.polys.matrices.sdm import SDM

from ..certificate.linear import ROUTES, Certificate, Claim, Step
from ..cost import estimate_cost, show
from ..errors import CertificateError
from ..model.core import NetworkData as Network
from ..model.core import shape_of
from . import qq
from .counterexample import expand
from .gate import IllFormed, NetworkForm, gate_claim_entry, gate_network, matrix_entries
from .ring import Exact, balanced_sum, exact

__all__ = ["KERNEL_LIMIT", "RULES", "check", "work"]

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
        self.factors: list[Any] = []  # over QQ, for an explicit claim: C, then P_L, P_(L-1), ...
        self.expected: int | None = None  # the layer substituted next, while the chain is open
        self.done: set[str] = set()  # the routes concluded
        self.confirmed = False  # an explicit claim was shown to be the network's output (by either route)
        self.qq = qq.network(self.net) if isinstance(self.net, Network) else None
        if self.qq is None or getattr(self.claim, "routes", None) != ("layerwise",):
            self.form  # the gate reads the network first (the direct route expands the gated network)  # noqa: B018
        self.p, self.depth = len(self.net.inputs), len(self.net.layers) - 1  # as the gate or qq.network read them
        self.q = qq.shape(self.qq[-1][0])[0] if self.qq else len(self.form.biases[-1])
        self.claimed: Any = None  # an explicit claim's rows (b*_i, W*_i1 .. W*_ip): [b* | W*] over QQ, else gated
        self.polys: list[list[Any]] | None = None  # ... as polynomials in self.ring
        self.outputs: list[Any] | None = None  # the network's outputs expanded in self.ring, once guarded

    @cached_property
    def form(self) -> NetworkForm:
        """The gate's reading (identities only: radicals may be generators of their own)."""
        return gate_network(self.net, radicals=True)

    @cached_property
    def ring(self) -> Exact:
        """The ring of the whole network (built only for explicit claims, which are size-guarded)."""
        return self.form.ring()

    @cached_property
    def declared(self) -> set[sympy.Symbol]:
        return set(self.form.inputs) | set(self.form.parameters)


def _equal(ctx: _Context, stated: sympy.Expr, derived: sympy.Expr, where: str) -> bool:
    """Exact equality of a stated entry (gated here) and a derived one, as polynomials in their own symbols."""
    s = exact(stated, where)
    d = exact(derived, where) if derived.is_Float else derived
    if s == d:
        return True
    if s.is_Rational and d.is_Rational:
        return False
    # a symbol besides the declared ones is no generator here: IllFormed in poly
    ring = Exact(sorted((s.free_symbols | d.free_symbols) & ctx.declared, key=lambda g: g.name))
    return bool(ring.poly(s, where) == ring.poly(d, where))


_MATRIX = (sympy.MatrixBase, flint.fmpq_mat, SDM)  # the forms a stated matrix takes


def _compare(
    ctx: _Context, stated: Any, derived: Callable[[], Iterator[Any]], shape: tuple[int, int], what: str, fail: Fail
) -> None:
    """The stated matrix holds the entries ``derived()`` yields (row-major), entry for entry."""
    if not isinstance(stated, _MATRIX):
        raise fail(f"{what} is not a matrix")
    if shape_of(stated) != shape:
        raise fail(f"{what} has shape {shape_of(stated)}, but the network gives shape {shape}")
    flat, cols = matrix_entries(stated, what)[1], shape[1]
    if len(flat) != shape[0] * cols:
        raise fail(f"{what} has {len(flat)} entries, not the {shape[0] * cols} of its shape")
    entries = derived()
    same = sum(map(operator.is_, flat, entries))  # the very same objects (the engine's factors): a C-level pass
    if same == len(flat) and next(entries, None) is None:  # map stops at the shorter: both must end together
        return
    for n, (s, d) in enumerate(zip(flat, derived(), strict=True)):
        if s is not d and not _equal(ctx, s, d, f"{what} entry ({n // cols}, {n % cols})"):
            raise fail(f"{what} entry ({n // cols}, {n % cols}) is {show(s)}, but the network gives {show(d)}")


def _block(form: NetworkForm, index: int, coeffs: tuple[sympy.Expr, sympy.Expr] | None) -> Iterator[sympy.Expr]:
    """The entries, row-major, of ``C = [b | W]`` (``coeffs`` None) or, for the activation's (slope, intercept),
    ``P_l = [[1, 0 ... 0], [slope b + intercept, slope W]]`` of the gated layer ``index`` (the layer's own entries
    when the activation is the identity, so the engine's factors compare by identity; no copy is made)."""
    b, cols = form.biases[index], len(form.biases[index - 1]) if index else len(form.inputs)
    if coeffs is None or coeffs == (1, 0):
        W = iter(form.flat_weights[index])
    else:
        slope, intercept = coeffs
        W = iter([slope * w for row in form.weight_rows(index) for w in row])
        b = [slope * v + intercept for v in form.biases[index]]
    head = () if coeffs is None else (sympy.S.One, *[sympy.S.Zero] * cols)
    rows = (part for k in range(len(b)) for part in ((b[k],), islice(W, cols)))
    return chain.from_iterable(chain((head,), rows))


def _stated_block(ctx: _Context, matrix: Any, index: int, coeffs: Any, what: str, fail: Fail) -> None:
    """The stated block (see :func:`_block`) is the network's; over QQ it is kept for an explicit claim."""
    if ctx.qq:  # the coefficients are over QQ here (see _coefficient)
        W, b, _ = ctx.qq[index]
        derived = qq.blocks(b, W, *(coeffs or (None, None)))
        qq.equal(qq.stated_matrix(matrix, what, fail), derived, what, fail)
        ctx.factors.append(derived if ctx.claim.form == "explicit" else None)
        return
    rows, cols = len(ctx.form.biases[index]), len(ctx.form.biases[index - 1]) if index else ctx.p
    shape = (rows + (coeffs is not None), cols + 1)
    _compare(ctx, matrix, lambda: _block(ctx.form, index, coeffs), shape, what, fail)


def _coefficient(ctx: _Context, stated: Any, value: sympy.Expr, what: str, fail: Fail) -> Any:
    """The activation's slope or intercept (over QQ when the network is), which the step must state."""
    if ctx.qq:
        read = qq.rational(stated, f"the stated {what}", fail)
        same = read == qq.rational(value, f"the activation's {what}", fail)
    elif stated is None:
        raise fail(f"the step states no {what}")
    else:
        read, same = value, _equal(ctx, stated, value, f"the stated {what}")
    if not same:
        raise fail(f"the stated {what} {show(stated)} differs from the activation's {what} {show(value)}")
    return read


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
    _stated_block(ctx, step.matrix, depth, None, "the output row C", fail)
    ctx.expected = depth


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
    if step.layer != expected:
        raise fail(f"expected the substitution of layer {expected}, found layer {step.layer}")
    act = ctx.qq[expected - 1][2] if ctx.qq else ctx.form.activations[expected - 1]
    if not act.is_affine:
        raise fail(f"layer {expected}'s activation {act.body} is not affine, so the rule does not apply")
    slope, intercept = act.slope_intercept()
    slope = _coefficient(ctx, step.slope, slope, "slope", fail)
    intercept = _coefficient(ctx, step.intercept, intercept, "intercept", fail)
    _stated_block(ctx, step.matrix, expected - 1, (slope, intercept), f"the factor P_{expected}", fail)
    ctx.expected = expected - 1


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
            degree = max(int(act.degree), 1)  # an fmpz from the gate: the count stays a Python int
            terms = sum(1 for c in (act.coeffs or ()) if c != 0) or 1
            new = [1] + [min(max(c, 1) ** degree * terms, 10**15) for c in new[1:]]
        counts, peak = new, max(peak, sum(new[1:]))
    return peak


def _work(ctx: _Context) -> int:
    """The estimated work of a check over QQ (see :func:`work`)."""
    assert ctx.qq is not None
    explicit, paths = ctx.claim.form == "explicit", 0
    if explicit and "direct" in ctx.claim.routes and (count := _estimate(ctx.form)) <= ctx.limit:  # else refused
        paths = count
    return qq.estimate(ctx.qq, product=explicit, paths=lambda bits: paths)


def work(cert: Certificate) -> int:
    """The estimated work of the exact products a check of ``cert`` forms over QQ (0 for a network with symbols),
    which :func:`check` refuses up front past :data:`~symnet.kernel.qq.MAX_WORK`: the factors' scaling by their
    slopes and, for an explicit claim, the running product C P_L ... P_1 and the direct route's expansion
    (:func:`~symnet.kernel.qq.direct`)."""
    ctx = _Context(cert, KERNEL_LIMIT)
    _gate_claim(ctx)
    return _work(ctx) if ctx.qq else 0


def _outputs(ctx: _Context, fail: Fail) -> list[Any]:
    """The network's outputs expanded as polynomials in its ring, once, within the kernel's size limits."""
    form, limit = ctx.form, ctx.limit
    if ctx.outputs is None:
        est = _estimate(form)
        variables = len(form.inputs) + len(form.parameters)
        if est > limit or est * variables > KERNEL_COST_LIMIT:
            raise fail(
                f"verifying this step needs an expansion of about {est} monomials in {variables} variables, "
                f"above the kernel's limits ({limit} monomials, {KERNEL_COST_LIMIT} monomials x variables)"
            )
        ctx.outputs = expand(form, ctx.ring)
    return ctx.outputs


def _claim_rows(ctx: _Context) -> list[list[Any]]:
    """The explicit claim's rows ``(b*_i, W*_i1, ..., W*_ip)`` as polynomials in the network's ring."""
    if ctx.polys is None:
        ring, claimed = ctx.ring, ctx.claimed
        if isinstance(claimed, flint.fmpq_mat):
            ctx.polys = [[ring.ctx.constant(v) for v in row] for row in claimed.tolist()]
        else:
            ctx.polys = [[ring.poly(v, f"the claim's row {i}") for v in row] for i, row in enumerate(claimed)]
    return ctx.polys


def _confirm(ctx: _Context, what: str, fail: Fail) -> None:
    """Each expanded output of the network is the claimed ``W* x + b*`` (compared once: both routes conclude the
    same claim about the same network, and each route's own rules are still checked)."""
    if ctx.confirmed:
        return
    ring, x = ctx.ring, ctx.ring.gen_polys[: ctx.p]
    for i, (o, row) in enumerate(zip(_outputs(ctx, fail), _claim_rows(ctx), strict=True)):
        claimed = balanced_sum([row[0]] + [w * v for w, v in zip(row[1:], x, strict=True)], ring.zero)
        if o == claimed:
            continue
        if ring.x_degree(o, ctx.p) > 1:
            raise fail(f"output {i} has a monomial of degree {ring.x_degree(o, ctx.p)} in x: it is not linear")
        raise fail(f"output {i}: the claimed linear form differs from {what} by {show(ring.show(claimed - o))}")
    ctx.confirmed = True


def rule_conclude_linear_form(ctx: _Context, step: Step, fail: Fail) -> None:
    """conclude_linear_form:  y_hat = C y**, (1, u_l) = P_l (1, u_{l-1}) for l = L..1  |-
    y_hat = (C P_L ... P_1) x*.

    Needs the whole chain: the output row and one factor per hidden layer.
    An explicit claim must equal the product, computed exactly: over QQ as
    the matrix product, otherwise as the network's output, which the checked
    factors make equal to it, expanded as polynomials.
    """
    if ctx.expected is None:
        raise fail("the conclusion comes before the output layer is read")
    if ctx.expected != 0:
        done, depth = ctx.depth - ctx.expected, ctx.depth
        raise fail(f"the chain has {done} substituted layers, but the network has {depth} hidden layers")
    ctx.done.add("layerwise")
    ctx.expected = None
    if ctx.claim.form != "explicit" or ctx.confirmed:
        return
    if not ctx.qq:
        _confirm(ctx, "C P_L ... P_1 x*", fail)
        return
    product = reduce(qq.sparse_times, ctx.factors[1:], qq.dense(ctx.factors[0]))
    qq.equal(ctx.claimed, product, "the claimed (b* | W*)", fail)
    ctx.confirmed = True


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
    if ctx.claim.form != "explicit" or "direct" not in ctx.claim.routes:  # else its expansion was not budgeted
        raise fail("the direct route needs an explicit claim that lists it")
    for index, act in enumerate(ctx.form.activations, start=1):
        if not act.is_polynomial:
            raise fail(f"layer {index}'s activation {act.body} is not a polynomial; the output cannot be expanded")
    count = sum(len(o) for o in _outputs(ctx, fail))
    if step.monomials != count:
        raise fail(f"the step states {step.monomials} monomials, but the expanded output has {count}")
    _confirm(ctx, "the expanded output", fail)  # W* and b* are free of x (read through the gate)


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
    if claim.form == "product":
        if claim.matrix is not None or claim.offset is not None:
            raise IllFormed("a product claim states no matrix or offset")
        return
    if claim.polys is not None and not ctx.qq and (ctx.form.parameters or ctx.form.radicals):
        ctx.polys = _read_polys(ctx, claim.polys)
        return
    W, b = claim.matrix, claim.offset
    if not isinstance(W, _MATRIX) or not isinstance(b, _MATRIX):
        raise CertificateError("the explicit claim lacks its matrix or offset")
    if shape_of(W) != (q, p) or shape_of(b) != (q, 1):
        raise CertificateError(
            f"the claimed W* has shape {shape_of(W)} and b* {shape_of(b)}; the network needs {(q, p)} and {(q, 1)}"
        )
    if ctx.qq:
        read = (qq.dense(qq.stated_matrix(m, f"the claimed {w}", CertificateError)) for m, w in ((W, "W*"), (b, "b*")))
        ctx.claimed = qq.augmented(*read, top=False)
        return
    w, v = matrix_entries(W, "the claimed W*")[1], matrix_entries(b, "the claimed b*")[1]
    ctx.claimed = [
        [gate_claim_entry(v[i], f"claim b* entry {i}", ctx.form)]
        + [gate_claim_entry(w[i * p + j], f"claim W* entry ({i}, {j})", ctx.form) for j in range(p)]
        for i in range(q)
    ]


def _read_polys(ctx: _Context, polys: Any) -> list[list[Any]]:
    """A claim stated as polynomials (W* q x p, b* q), read into the kernel's ring as rows (b*_i, W*_i): generator
    i of their context (``g0 .. g{n-1}``, lex) is the symbol ``gens[i]``, an input or parameter of the network;
    W* and b* must not contain x."""
    q, p = ctx.q, ctx.p
    gens, ring = getattr(polys, "gens", None), ctx.ring
    if not isinstance(gens, tuple) or not all(isinstance(g, sympy.Symbol) and g in ring.index for g in gens):
        raise IllFormed("the claim's generators must be inputs or parameters of the network")
    matrix: Any = getattr(polys, "matrix", None)
    offset: Any = getattr(polys, "offset", None)
    tuples = isinstance(matrix, tuple) and isinstance(offset, tuple) and len(matrix) == q == len(offset)
    if not tuples or not all(isinstance(r, tuple) and len(r) == p for r in matrix):
        raise CertificateError(f"the claimed W* and b* must have shapes {(q, p)} and {(q,)}")
    if len(set(gens)) < len(gens):
        raise IllFormed(f"the claim's {len(gens)} generators are not distinct")
    home = flint.fmpq_mpoly_ctx.get(("g", max(len(gens), 1)), "lex")
    images = None if list(gens) == ring.gens and home == ring.ctx else [ring.gen_polys[ring.index[g]] for g in gens]
    out = []
    for i, row in enumerate((b, *w) for b, w in zip(offset, matrix, strict=True)):
        if not all(type(v) is flint.fmpq_mpoly and v.context() == home for v in row):
            raise IllFormed(f"claim row {i} is not polynomials over the claim's {len(gens)} distinct generators")
        read = list(row) if images is None else [v.compose(*images, ctx=ring.ctx) for v in row]
        if any(d > 0 for v in read for d in v.degrees()[:p]):
            raise IllFormed(f"claim row {i}: a claimed coefficient contains an input")
        out.append(read)
    return out


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
    if ctx.qq:
        qq.budget(_work(ctx), "checking this certificate over QQ")
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
        raise _failing(len(cert.steps) - 1, cert.steps[-1].rule)("the layer-wise chain is not concluded")
    if ctx.done != set(cert.claim.routes):
        raise CertificateError(f"the claim lists routes {list(cert.claim.routes)}; the steps give {sorted(ctx.done)}")
    return True
