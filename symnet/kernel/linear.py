"""The kernel: re-check a certificate, trusting nothing the proof search wrote.

Each rule is one function whose docstring states the rule; it re-derives what
the step states from the network's own layers and raises
:class:`~symnet.CertificateError` (naming the step and the rule) when the
statement differs or the rule does not apply.  ``check`` runs them in order
and finally confirms the claim.  This module imports only sympy and the plain
data modules (certificate, network, errors) -- never the engine.

Floats in a network are taken at their exact binary values, so every
comparison here is exact.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy
from sympy.polys.rings import PolyRing

from ..certificate import Certificate, Step
from ..errors import CertificateError
from ..model.network import Layer, Network

__all__ = ["KERNEL_LIMIT", "check"]

#: The kernel expands (explicit claims, direct route) only networks whose
#: path count is at most this; larger certificates must use the product form.
KERNEL_LIMIT = 100_000
#: ... and whose path count times variable count is at most this (the cost
#: of sparse polynomial arithmetic), so no certificate makes the kernel hang.
KERNEL_COST_LIMIT = 20_000_000


def _exact(e: sympy.Expr) -> sympy.Expr:
    """``e`` with every Float replaced by the Rational of its exact binary value."""
    if e.is_Symbol or e.is_Rational:
        return e
    floats = e.atoms(sympy.Float)
    return e.xreplace({f: sympy.Rational(f) for f in floats}) if floats else e


def _same(a: sympy.Expr, b: sympy.Expr) -> bool:
    """Exact equality of two scalar expressions (structural, else by expansion)."""
    if a == b:
        return True
    return sympy.expand(_exact(a) - _exact(b)) == 0


def _affine(layer: Layer) -> tuple[sympy.Expr, sympy.Expr] | None:
    act = layer.activation
    t, body = act.variable, act.expr
    if body == t:
        return sympy.Integer(1), sympy.Integer(0)
    try:
        poly = sympy.Poly(body, t)
    except sympy.PolynomialError:
        return None
    if poly.degree() > 1:
        return None
    return _exact(poly.coeff_monomial(t)), _exact(poly.coeff_monomial(1))


def _augmented_output(layer: Layer) -> sympy.ImmutableMatrix:
    return sympy.ImmutableMatrix([[layer.biases[i], *layer.weights.row(i)] for i in range(layer.width)])


def _compare(stated: sympy.ImmutableMatrix | None, derived: sympy.ImmutableMatrix, what: str, fail: Callable[[str], CertificateError]) -> None:
    if stated is None:
        raise fail(f"the step states no {what}")
    if stated.shape != derived.shape:
        raise fail(f"{what} has shape {stated.shape}, but the network gives shape {derived.shape}")
    for i in range(derived.rows):
        for j in range(derived.cols):
            if not _same(stated[i, j], derived[i, j]):
                raise fail(f"{what} entry ({i}, {j}) is {stated[i, j]}, but the network gives {derived[i, j]}")


# --------------------------------------------------------------- the rules
def rule_read_output_layer(net: Network, step: Step, fail: Callable[[str], CertificateError]) -> sympy.ImmutableMatrix:
    """read_output_layer:  |-  y_hat = C y**,  C = [b_{L+1} | W_{L+1}].

    The stated matrix must be the output layer's bias column followed by its
    weights, entry for entry.
    """
    if step.layer != net.depth + 1:
        raise fail(f"the output layer is layer {net.depth + 1}, not {step.layer}")
    derived = _augmented_output(net.layers[-1])
    _compare(step.matrix, derived, "the output row C", fail)
    return derived


def rule_substitute_layer(net: Network, step: Step, expected: int, fail: Callable[[str], CertificateError]) -> sympy.ImmutableMatrix:
    """substitute_layer:  sigma_l(t) = a t + d  |-  (1, u_l) = P_l (1, u_{l-1}),
    P_l = [[1, 0], [a b_l + d 1, a W_l]].

    Applies only when layer l's activation is a polynomial of degree <= 1 in
    its variable; the stated slope, intercept and factor P_l must be the ones
    derived from the network's layer l.  Layers are substituted from L down to 1.
    """
    if step.layer != expected:
        raise fail(f"expected the substitution of layer {expected}, found layer {step.layer}")
    layer = net.layers[expected - 1]
    coeffs = _affine(layer)
    if coeffs is None:
        raise fail(f"layer {expected}'s activation {layer.activation.function} is not affine, so the rule does not apply")
    slope, intercept = coeffs
    if step.slope is None or step.intercept is None:
        raise fail("the step states no slope and intercept")
    if not _same(step.slope, slope):
        raise fail(f"the stated slope {step.slope} differs from the activation's slope {slope}")
    if not _same(step.intercept, intercept):
        raise fail(f"the stated intercept {step.intercept} differs from the activation's intercept {intercept}")
    rows = [[sympy.Integer(1)] + [sympy.Integer(0)] * layer.fan_in]
    for k in range(layer.width):
        rows.append(
            [slope * _exact(layer.biases[k]) + intercept]
            + [slope * _exact(layer.weights[k, j]) for j in range(layer.fan_in)]
        )
    derived = sympy.ImmutableMatrix(rows)
    _compare(step.matrix, derived, f"the factor P_{expected}", fail)
    return derived


class _Ring:
    """Exact polynomial arithmetic over QQ; generators are the inputs and every other leaf."""

    def __init__(self, net: Network, exprs: list[sympy.Expr]) -> None:
        leaves: set[sympy.Expr] = set()
        seen: set[int] = set()
        for e in exprs:
            self._leaves(e, leaves, seen)
        others = sorted(leaves - set(net.inputs), key=sympy.default_sort_key)
        self.p = net.p
        self.gens_exprs = list(net.inputs) + others
        self.ring = PolyRing([sympy.Dummy(f"g{i}") for i in range(len(self.gens_exprs))], sympy.QQ)
        self.gen = dict(zip(self.gens_exprs, self.ring.gens))
        self.memo: dict[int, Any] = {}

    def show(self, poly: Any) -> sympy.Expr:
        """A ring element as an expression in the network's own symbols (for messages)."""
        return poly.as_expr(*self.gens_exprs)

    @staticmethod
    def _is_natural_power(e: sympy.Expr) -> bool:
        return e.is_Pow and e.exp.is_Integer and e.exp >= 0

    def _leaves(self, e: sympy.Expr, out: set[sympy.Expr], seen: set[int]) -> None:
        if id(e) in seen:
            return
        seen.add(id(e))
        if e.is_Number:
            return
        if e.is_Add or e.is_Mul:
            for a in e.args:
                self._leaves(a, out, seen)
        elif self._is_natural_power(e):
            self._leaves(e.base, out, seen)
        else:
            out.add(e)

    def element(self, e: sympy.Expr) -> Any:
        key = id(e)
        if key in self.memo:
            return self.memo[key][1]
        if e.is_Rational:
            value = self.ring(sympy.QQ(int(e.p), int(e.q)))
        elif e.is_Float:
            r = sympy.Rational(e)
            value = self.ring(sympy.QQ(int(r.p), int(r.q)))
        elif e.is_Add:
            value = self.ring.zero
            for a in e.args:
                value = value + self.element(a)
        elif e.is_Mul:
            value = self.ring.one
            for a in e.args:
                value = value * self.element(a)
        elif self._is_natural_power(e):
            value = self.element(e.base) ** int(e.exp)
        else:
            value = self.gen[e]
        self.memo[key] = (e, value)  # keep e alive so its id stays unique
        return value


def _estimate(net: Network) -> int:
    """Path count of the expanded output (the kernel's own size guard)."""
    counts = [1] * (net.p + 1)
    for layer in net.layers:
        new = [1]
        for k in range(layer.width):
            total = (layer.biases[k] != 0) * counts[0]
            for j in range(layer.fan_in):
                entry = layer.weights[k, j]
                total += len(sympy.Add.make_args(entry)) * (entry != 0) * counts[j + 1]
            new.append(total)
        act = layer.activation
        if act.expr != act.variable:
            try:
                degree = max(sympy.Poly(act.expr, act.variable).degree(), 1)
            except sympy.PolynomialError:
                degree = 1
            new = [1] + [max(c, 1) ** degree * len(sympy.Add.make_args(act.expr)) for c in new[1:]]
        counts = new
    return sum(counts[1:])


def _guard(net: Network, fail: Callable[[str], CertificateError], limit: int) -> None:
    estimate = _estimate(net)
    variables = len(net.inputs) + len(net._weight_symbols() | {s for layer in net.layers for s in layer.activation.parameters})
    if estimate > limit or estimate * variables > KERNEL_COST_LIMIT:
        raise fail(
            f"verifying this step needs an expansion of about {estimate} monomials in {variables} variables, "
            f"above the kernel's limits ({limit} monomials, {KERNEL_COST_LIMIT} monomials x variables)"
        )


def _claim_rows(claim: Any, ring: _Ring) -> list[Any]:
    x = ring.ring.gens[: ring.p]
    rows = []
    for i in range(claim.matrix.rows):
        value = ring.element(claim.offset[i])
        for j in range(claim.matrix.cols):
            value = value + ring.element(claim.matrix[i, j]) * x[j]
        rows.append(value)
    return rows


def _explicit_exprs(net: Network, claim: Any) -> list[sympy.Expr]:
    exprs = list(claim.matrix) + list(claim.offset)
    for layer in net.layers:
        exprs += list(layer.weights) + list(layer.biases)
        act = layer.activation
        if act.expr != act.variable:
            try:
                exprs += [_exact(c) for c in sympy.Poly(act.expr, act.variable).all_coeffs()]
            except sympy.PolynomialError:
                pass
    return exprs


def rule_conclude_linear_form(net: Network, factors: list[sympy.ImmutableMatrix], claim: Any, fail: Callable[[str], CertificateError], limit: int) -> None:
    """conclude_linear_form:  y_hat = C y**, (1, u_l) = P_l (1, u_{l-1}) for l = L..1  |-
    y_hat = (C P_L ... P_1) x*.

    Needs the whole chain: the output row and one factor per hidden layer.
    An explicit claim must equal the product, expanded exactly.
    """
    if len(factors) != net.depth + 1:
        raise fail(f"the chain has {len(factors) - 1} substituted layers, but the network has {net.depth} hidden layers")
    if claim.form != "explicit":
        return
    _guard(net, fail, limit)
    exprs = _explicit_exprs(net, claim) + [e for f in factors for e in f]
    ring = _Ring(net, exprs)
    rows = [[ring.element(v) for v in factors[0].row(i)] for i in range(factors[0].rows)]
    for factor in factors[1:]:
        f = [[ring.element(factor[k, j]) for j in range(factor.cols)] for k in range(factor.rows)]
        rows = [[sum((row[k] * f[k][j] for k in range(factor.rows)), ring.ring.zero) for j in range(factor.cols)] for row in rows]
    x = ring.ring.gens[: ring.p]
    product = [row[0] + sum((row[j + 1] * x[j] for j in range(ring.p)), ring.ring.zero) for row in rows]
    for i, (a, b) in enumerate(zip(product, _claim_rows(claim, ring))):
        if a != b:
            raise fail(f"output {i}: the claimed linear form differs from C P_L ... P_1 x* by {ring.show(b - a)}")


def rule_expand_and_compare(net: Network, step: Step, claim: Any, fail: Callable[[str], CertificateError], limit: int) -> None:
    """expand_and_compare:  |-  y_hat - (W* x + b*) = 0 as polynomials, and y_hat has
    degree <= 1 in x, with N monomials.

    Applies only with an explicit claim and polynomial activations.  The
    network's output is expanded by a forward pass from its own layers.
    """
    if claim.form != "explicit":
        raise fail("the direct route needs an explicit claim")
    _guard(net, fail, limit)
    ring = _Ring(net, _explicit_exprs(net, claim))
    u = list(ring.ring.gens[: ring.p])
    for index, layer in enumerate(net.layers, start=1):
        z = [
            ring.element(_exact(layer.biases[k]))
            + sum((ring.element(_exact(layer.weights[k, j])) * u[j] for j in range(layer.fan_in)), ring.ring.zero)
            for k in range(layer.width)
        ]
        act = layer.activation
        if act.expr != act.variable:
            try:
                coeffs = [ring.element(_exact(c)) for c in sympy.Poly(act.expr, act.variable).all_coeffs()]
            except sympy.PolynomialError:
                raise fail(f"layer {index}'s activation {act.function} is not a polynomial; the output cannot be expanded") from None
            new = []
            for v in z:
                acc = coeffs[0]
                for c in coeffs[1:]:
                    acc = acc * v + c
                new.append(acc)
            z = new
        u = z
    count = sum(len(o) for o in u)
    if step.monomials != count:
        raise fail(f"the step states {step.monomials} monomials, but the expanded output has {count}")
    for i, o in enumerate(u):
        degree = max((sum(m[: ring.p]) for m in o.itermonoms()), default=0)
        if degree > 1:
            raise fail(f"output {i} has a monomial of degree {degree} in x: it is not linear")
    for i, (a, b) in enumerate(zip(u, _claim_rows(claim, ring))):
        if a != b:
            raise fail(f"output {i}: the expanded output differs from the claimed form by {ring.show(a - b)}")


# ------------------------------------------------------------------- check
def check(cert: Certificate, *, limit: int = KERNEL_LIMIT) -> bool:
    """True if every step of the certificate checks and they establish its claim.

    Raises :class:`~symnet.CertificateError` naming the first failing step
    and its rule otherwise; it never returns False.
    """
    if not isinstance(cert, Certificate):
        raise CertificateError(f"expected a Certificate, got {type(cert).__name__}")
    net, claim = cert.network, cert.claim
    if claim.shape != (net.q, net.p):
        raise CertificateError(f"the claim has shape {claim.shape}, but the network has {net.q} outputs and {net.p} inputs")
    if claim.form == "explicit":
        if claim.matrix is None or claim.offset is None:
            raise CertificateError("the explicit claim lacks its matrix or offset")
        if claim.matrix.shape != (net.q, net.p) or claim.offset.shape != (net.q, 1):
            raise CertificateError(
                f"the claimed W* has shape {claim.matrix.shape} and b* {claim.offset.shape}; "
                f"the network needs {(net.q, net.p)} and {(net.q, 1)}"
            )
    elif claim.form != "product" or "layerwise" not in claim.routes:
        raise CertificateError("a product-form claim needs the layer-wise route")
    factors: list[sympy.ImmutableMatrix] = []
    expected = None  # next hidden layer to substitute; None before read_output_layer
    done: set[str] = set()
    for index, step in enumerate(cert.steps):

        def fail(message: str, index: int = index, rule: str = step.rule) -> CertificateError:
            return CertificateError(message, step=index, rule=rule)

        if step.rule == "read_output_layer":
            if expected is not None or "layerwise" in done:
                raise fail("the layer-wise chain starts twice")
            factors = [rule_read_output_layer(net, step, fail)]
            expected = net.depth
        elif step.rule == "substitute_layer":
            if expected is None:
                raise fail("a layer is substituted before the output layer is read")
            if expected < 1:
                raise fail("every hidden layer is already substituted")
            factors.append(rule_substitute_layer(net, step, expected, fail))
            expected -= 1
        elif step.rule == "conclude_linear_form":
            if expected is None:
                raise fail("the conclusion comes before the output layer is read")
            rule_conclude_linear_form(net, factors, claim, fail, limit)
            done.add("layerwise")
            expected = None
        elif step.rule == "expand_and_compare":
            if "direct" in done:
                raise fail("the direct route appears twice")
            rule_expand_and_compare(net, step, claim, fail, limit)
            done.add("direct")
        else:
            raise fail(f"unknown rule {step.rule!r}")
    if expected is not None:
        raise CertificateError("the layer-wise chain is not concluded", step=len(cert.steps) - 1, rule=cert.steps[-1].rule)
    if done != set(claim.routes):
        missing = sorted(set(claim.routes) - done)
        extra = sorted(done - set(claim.routes))
        raise CertificateError(f"the claim lists routes {list(claim.routes)}; missing {missing}, undeclared {extra}")
    return True
