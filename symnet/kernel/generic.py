"""The generic kernel: the check of a dimension-generic certificate (its rules and
their self-checks are in :mod:`symnet.kernel.generic_rules`, re-exported here).

A *generic* network has sizes that may be symbols (``p``, ``h``): positive
integers that are never fixed.  What it computes is stated with matrices of
symbolic shape in the normal form of :mod:`symnet.model.generic`
(``MatAtom``, ``Lin``, ``Aug``, ``OutRow``): two ``Lin`` equal as data are
equal as matrices for every size.

Every fact about these matrices that a generic proof uses is a rule in
:data:`RULES`: a documented statement ``lhs = rhs`` (or ``rank(...) <= r``)
over operands of symbolic shape.  A rule is trusted only after
:func:`self_check` has verified it *on fresh symbols for a spread of concrete
sizes*: every operand becomes an explicit matrix of fresh symbols and both
sides are multiplied out and compared exactly.  A generic certificate is then
checked by :func:`check` re-deriving each step from the network and the rule
table in the normal form above -- never trusting what the step states.

This module imports sympy and symnet's data modules only, never the proof
search (:mod:`symnet.search`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from functools import reduce
from typing import Any

import sympy

from ..errors import CertificateError, ShapeError
from ..model.core import Activation
from ..model.generic import (
    STEP_RULES,
    Aug,
    GenericCertificate,
    GenericNetwork,
    GenericStep,
    Lin,
    OutRow,
    _word_key,
)
from .gate import IllFormed, gate_activation
from .generic_rules import RULES, GenericRule, self_check
from .ring import exact

__all__ = ["RULES", "STEPS", "GenericRule", "affine_coefficients", "check", "self_check"]


# ------------------------------------------------------ networks and certs
def affine_coefficients(act: Activation) -> tuple[sympy.Expr, sympy.Expr] | None:
    """``(a, d)`` when the activation is ``t -> a t + d``; None otherwise (read through the gate: exact)."""
    if act.is_identity:
        return sympy.Integer(1), sympy.Integer(0)
    form = gate_activation(act, (), "the activation")
    if not form.is_affine:
        return None
    return form.slope_intercept()


#: Makes the CertificateError of one step (its index and rule) from a message.
Fail = Callable[[str], CertificateError]


def _fail(index: int, rule: str) -> Fail:
    return lambda message: CertificateError(message, step=index, rule=rule)


def _derive(rule_name: str, env: Mapping[str, Any], fail: Fail) -> Any:
    rule = RULES.get(rule_name)
    if rule is None:
        raise fail(f"unknown generic rule {rule_name!r}")
    self_check(rule)
    try:
        return rule.derive(env)
    except ShapeError as exc:
        raise fail(f"shapes do not fit: {exc}") from None


class _Walk:
    """Where the steps stand: the network, its depth, the factors P_l, the running product and the output row."""

    def __init__(self, cert: GenericCertificate) -> None:
        self.cert, self.net = cert, cert.network
        self.L = cert.network.depth
        self.factors: dict[int, Aug] = {}
        self.row: OutRow | None = None
        self.acc: Aug | None = None
        self.final: OutRow | None = None


def _restated(step: GenericStep, env: Mapping[str, Any], what: str, fail: Fail) -> Any:
    """What the step's rule derives from ``env``, once it is what the step states."""
    derived = _derive(step.rule, env, fail)
    if step.value != derived:
        raise fail(f"{what} is stated as {step.value!r}, but the rule gives {derived!r}")
    return derived


def _read(w: _Walk, step: GenericStep, fail: Fail) -> None:
    net, L = w.net, w.L
    env = {"W": Lin.of(net.weight(L + 1)), "b": Lin.of(net.bias(L + 1)), "u": Lin.zero(net.sizes[L], 1)}
    w.row = w.final = _restated(step, env, "the output row [c_0 | C]", fail)


def _substitute(w: _Walk, step: GenericStep, fail: Fail) -> None:
    net, l = w.net, step.layer
    coeffs = affine_coefficients(net.activations[l - 1])
    if coeffs is None:
        raise fail(f"layer {l}'s activation is not affine, so the rule does not apply")
    env = {
        "W": Lin.of(net.weight(l)),
        "b": Lin.of(net.bias(l)),
        "u": Lin.zero(net.sizes[l - 1], 1),
        "a": coeffs[0],
        "d": coeffs[1],
        "m": net.sizes[l],
    }
    w.factors[l] = _restated(step, env, f"the factor P_{l}", fail)


def _multiply(w: _Walk, step: GenericStep, fail: Fail) -> None:
    l = step.layer  # Q_l = P_l Q_(l-1), l = 2 .. L
    prev = w.factors[1] if l == 2 else w.acc
    assert prev is not None
    top = w.factors[l]
    w.acc = _restated(step, {"V": top.M, "c": top.v, "M": prev.M, "v": prev.v}, f"the product P_{l} ... P_1", fail)


def _apply(w: _Walk, step: GenericStep, fail: Fail) -> None:
    q_l = w.factors[1] if w.L == 1 else w.acc
    assert w.row is not None and q_l is not None
    env = {"C": w.row.C, "c": w.row.c, "M": q_l.M, "v": q_l.v}
    w.final = _restated(step, env, "the product [c_0 | C] P_L ... P_1", fail)


def _conclude(w: _Walk, step: GenericStep, fail: Fail) -> None:
    cert, net, final = w.cert, w.net, w.final
    assert final is not None
    x = Lin.of(net.input())
    form = _derive(step.rule, {"C": final.C, "c": final.c, "x": x}, fail)
    claimed = _derive(step.rule, {"C": cert.matrix, "c": cert.offset, "x": x}, fail)
    if step.value != (final.C, final.c) or form != claimed:
        raise fail("the claimed W* x + b* differs from the product of the factors")
    if cert.matrix.shape != (net.q, net.p) or cert.offset.shape != (net.q, 1):
        raise fail(f"W* has shape {cert.matrix.shape} and b* {cert.offset.shape}; the network needs {(net.q, net.p)}")


def _rank(w: _Walk, step: GenericStep, fail: Fail) -> None:
    """rank W* <= min(n_0, ..., n_(L+1)): W* = A B through every layer's width.

    The step states the widths ``(p, h_1, ..., h_L, q)``.  The bounds by p and
    q are W*'s shape; for a hidden layer k, the one word of W* splits into
    ``A = B^(L+1) ... B^(k+1)`` (q x n_k) times ``B = B^(k) ... B^(1)``
    (n_k x p), and the rule ``factor_rank`` gives rank <= n_k.
    """
    net, matrix = w.net, w.cert.matrix
    if step.value != tuple(net.sizes):
        raise fail(f"the bound is stated over the widths {step.value}, but the network's widths are {tuple(net.sizes)}")
    if not matrix.terms:
        return  # W* = 0
    if len(matrix.terms) != 1:
        raise fail("W* is not a single product of the layers' matrices")
    word, _ = matrix.terms[0]
    if _word_key(word) != tuple(net.weight(l).name for l in range(net.depth + 1, 0, -1)):
        raise fail(f"W* is the product {[a.name for a in word]}, not B^(L+1) ... B^(1)")
    for k in range(1, net.depth + 1):
        split = net.depth + 1 - k  # A = word[:split], B = word[split:]
        left, right = (reduce(operator.matmul, map(Lin.of, part)) for part in (word[:split], word[split:]))
        _derive("factor_rank", {"A": left, "B": right, "r": net.sizes[k]}, fail)


#: The step table: each rule a generic certificate cites (:data:`~symnet.model.generic.STEP_RULES`, in the order
#: a proof uses them) and the function that re-derives its step.
STEPS: dict[str, Callable[[_Walk, GenericStep, Fail], None]] = dict(
    zip(STEP_RULES, (_read, _substitute, _multiply, _apply, _conclude, _rank), strict=True)
)


def _plan(L: int) -> list[tuple[str, int | None]]:
    """The rule and layer of each step of a depth-L proof (None: the step names no layer)."""
    read, substitute, multiply, apply, conclude, rank = STEP_RULES
    plan = [(read, L + 1), *((substitute, l) for l in range(L, 0, -1)), *((multiply, l) for l in range(2, L + 1))]
    return plan + ([(apply, L + 1)] if L else []) + [(conclude, None), (rank, None)]


def check(cert: GenericCertificate) -> bool:
    """True if every step of the generic certificate re-derives and they prove its claim.

    Each step is recomputed from the network's atoms with the rule it cites
    (after that rule's self-check) and compared, in normal form, with what
    the step states.  Raises CertificateError naming the step and rule.
    """
    if not isinstance(cert, GenericCertificate):
        raise CertificateError(f"expected a GenericCertificate, got {type(cert).__name__}")
    net = cert.network
    if not isinstance(net, GenericNetwork):
        raise CertificateError(f"the certificate's network is a {type(net).__name__}, not a GenericNetwork")
    _gate_claim(net, cert.matrix, cert.offset)
    plan = _plan(net.depth)
    got = [s.rule for s in cert.steps]
    expected = [rule for rule, _ in plan]
    if got != expected:
        raise CertificateError(f"the steps cite rules {got}; a depth-{net.depth} proof cites {expected}")
    walk = _Walk(cert)
    for index, (step, (rule, layer)) in enumerate(zip(cert.steps, plan, strict=True)):
        fail = _fail(index, rule)
        if layer is not None and step.layer != layer:
            raise fail(f"in a depth-{net.depth} proof this step concerns layer {layer}, not {step.layer}")
        STEPS[rule](walk, step, fail)
    return True


def _gate_claim(net: GenericNetwork, matrix: Any, offset: Any) -> None:
    """The claim is affine in x: W* and b* are sums of products of the network's weight and bias
    atoms (never the input atom x) with scalar coefficients in the activations' parameters only."""
    atoms = net.atoms()
    allowed_scalars: set[sympy.Symbol] = set()
    for act in net.activations:
        form = gate_activation(act, (), "an activation")
        allowed_scalars |= form.body.free_symbols - {form.variable}
    for what, value in (("W*", matrix), ("b*", offset)):
        if not isinstance(value, Lin):
            raise IllFormed(f"the claimed {what} is a {type(value).__name__}, not a matrix expression")
        for word, coeff in value.terms:
            for a in word:
                if a.name == "x":
                    raise IllFormed(
                        f"the claimed {what} contains the input x: "
                        "the claim must be affine in x with x-free coefficients"
                    )
                known = atoms.get(a.name)
                if not a.name.startswith("1[") and known != a:
                    raise IllFormed(f"the claimed {what} uses the matrix {a.name}, which is not an atom of the network")
            c = exact(coeff, f"a coefficient of the claimed {what}")
            extra = c.free_symbols - allowed_scalars
            if extra:
                raise IllFormed(
                    f"a coefficient of the claimed {what} uses {', '.join(sorted(str(e) for e in extra))}, "
                    "not a parameter of the activations"
                )
