"""The generic kernel: the rules about matrices of symbolic size, and the check of a dimension-generic certificate.

A *generic* network has sizes that may be symbols (``p``, ``h``): positive
integers that are never fixed.  What it computes is stated with matrices of
symbolic shape in the normal form of :mod:`symnet.model.generic`
(``MatAtom``, ``Lin``, ``Aug``, ``OutRow``): two ``Lin`` equal as data are
equal as matrices for every size.

Every fact about these matrices that a generic proof uses is a rule in
:data:`RULES`: its ``result`` is what a step citing it states.  A generic
certificate is checked by :func:`check` re-deriving each step from the network
and the rule table in the normal form above -- never trusting what the step
states.

What the checker relies on: the rules.  Each rule's statement (``lhs = rhs``,
or ``rank(...) <= r``; elementary block-matrix identities, checked by hand) is
in :mod:`symnet.model.generic_selftest`, whose ``self_check`` verifies the
rule's result against it on fresh symbols at a spread of concrete sizes; the
test suite runs it for every rule on every commit.  No certificate can change
a rule, so the check does not re-run it.

This module imports sympy and symnet's data modules only, never the proof
search (:mod:`symnet.search`) or the self-test.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial, reduce
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
    Size,
    SymbolicOps,
    _same_size,
    _shape_text,
)
from .gate import IllFormed, gate_activation
from .ring import exact

__all__ = ["RULES", "GenericRule", "affine_coefficients", "check", "derived_steps"]

# --------------------------------------------------------------- the rules
#: A rule body: the operations (:class:`~symnet.model.generic.SymbolicOps`) and the operands by name, to a value.
Body = Callable[[Any, Mapping[str, Any]], Any]


@dataclass(frozen=True)
class GenericRule:
    """One rule about matrices of symbolic size.

    ``operands`` name the matrices and their shapes in terms of ``dims``
    (``"1"`` is the size 1); ``result`` builds what a step citing the rule
    states from the operands (and the scalars a step names).  What the
    result means -- the rule's statement -- is in
    :data:`symnet.model.generic_selftest.STATEMENTS`.
    """

    name: str
    operands: tuple[tuple[str, str, str], ...]
    result: Body

    def derive(self, env: Mapping[str, Any]) -> Any:
        """The rule's result for symbolic-shape operands, after unifying their shapes with the rule's dims
        (ShapeError on a mismatch)."""
        dims: dict[str, Size] = {"1": sympy.Integer(1)}
        for name, rdim, cdim in self.operands:
            if name not in env:
                raise ShapeError(f"rule {self.name}: operand {name} is missing")
            shape = env[name].shape
            for dim, got in zip((rdim, cdim), shape, strict=True):
                have = dims.setdefault(dim, got)
                if not _same_size(have, got):
                    raise ShapeError(
                        f"rule {self.name}: operand {name} has shape {_shape_text(shape)}, but {dim} = {have} "
                        f"(the rule needs {name}: {rdim} x {cdim})"
                    )
        for d, size in dims.items():  # a size also given as a scalar (substitute_layer's m) must be the operands'
            if d in env and not _same_size(env[d], size):
                raise ShapeError(f"rule {self.name}: {d} = {env[d]} but the operands give {d} = {size}")
        return self.result(SymbolicOps(), env)


_RULE_LIST = (
    GenericRule(
        name="read_output_layer",
        operands=(("W", "q", "m"), ("b", "q", "1"), ("u", "m", "1")),
        result=lambda o, e: o.outrow(e["b"], e["W"]),
    ),
    GenericRule(
        name="substitute_layer",
        operands=(("W", "m", "n"), ("b", "m", "1"), ("u", "n", "1")),
        result=lambda o, e: o.aug(
            o.add(o.scale(e["a"], e["b"]), o.scale(e["d"], o.ones(e["m"]))), o.scale(e["a"], e["W"])
        ),
    ),
    GenericRule(
        name="multiply_augmented",
        operands=(("V", "k", "m"), ("c", "k", "1"), ("M", "m", "n"), ("v", "m", "1")),
        result=lambda o, e: o.aug(o.add(e["c"], o.mul(e["V"], e["v"])), o.mul(e["V"], e["M"])),
    ),
    GenericRule(
        name="apply_output_row",
        operands=(("C", "q", "m"), ("c", "q", "1"), ("M", "m", "n"), ("v", "m", "1")),
        result=lambda o, e: o.outrow(o.add(e["c"], o.mul(e["C"], e["v"])), o.mul(e["C"], e["M"])),
    ),
    GenericRule(
        name="conclude_linear_form",
        operands=(("C", "q", "n"), ("c", "q", "1"), ("x", "n", "1")),
        result=lambda o, e: o.add(o.mul(e["C"], e["x"]), e["c"]),
    ),
    GenericRule(
        name="factor_rank",
        operands=(("A", "m", "r"), ("B", "r", "n")),
        result=lambda o, e: o.mul(e["A"], e["B"]),
    ),
)

#: The generic rule table, by name.  The same names label the certificate's
#: steps, the derivations and the docs.
RULES: dict[str, GenericRule] = {r.name: r for r in _RULE_LIST}


# ------------------------------------------------------ networks and certs
def affine_coefficients(act: Activation) -> tuple[sympy.Expr, sympy.Expr] | None:
    """``(a, d)`` when the activation is ``t -> a t + d``; None otherwise (read through the gate: exact)."""
    form = gate_activation(act, (), "the activation")
    if not form.is_affine:
        return None
    return form.slope_intercept()


def _layer_operands(net: GenericNetwork, l: int) -> dict[str, Any]:
    """Layer l's weights W and bias b, and a zero column u as wide as its input (it only fixes u's shape)."""
    return {"W": Lin.of(net.weight(l)), "b": Lin.of(net.bias(l)), "u": Lin.zero(net.sizes[l - 1], 1)}


def derived_steps(net: GenericNetwork) -> list[GenericStep]:
    """The steps of the proof about ``net``, each what its rule derives from the network's atoms.

    The output row, one factor per hidden layer (L down to 1), their products
    (layers 2 to L), the output row times them, the conclusion ``(W*, b*)``
    and the widths of the rank bound: W* is one word ``B^(L+1) ... B^(1)`` (or
    0), which ``factor_rank`` splits at every hidden layer k into
    ``A = B^(L+1) ... B^(k+1)`` (q x n_k) times ``B = B^(k) ... B^(1)``
    (n_k x p), so rank W* <= n_k; by p and q it is W*'s shape.  Raises
    CertificateError naming the step when a hidden layer's activation is not
    affine (its rule does not apply).
    """
    read, substitute, multiply, apply, conclude, rank = STEP_RULES
    L = net.depth
    steps = [GenericStep(read, L + 1, RULES[read].derive(_layer_operands(net, L + 1)))]
    for l in range(L, 0, -1):
        coeffs = affine_coefficients(net.activations[l - 1])
        if coeffs is None:
            raise CertificateError(f"layer {l}'s activation is not affine", step=len(steps), rule=substitute)
        env = {**_layer_operands(net, l), "a": coeffs[0], "d": coeffs[1], "m": net.sizes[l]}
        steps.append(GenericStep(substitute, l, RULES[substitute].derive(env)))
    final: OutRow = steps[0].value
    if L:
        factors = steps[:0:-1]  # P_1 ... P_L
        acc: Aug = factors[0].value  # Q_l = P_l ... P_1
        for top in factors[1:]:
            acc = RULES[multiply].derive({"V": top.value.M, "c": top.value.v, "M": acc.M, "v": acc.v})
            steps.append(GenericStep(multiply, top.layer, acc))
        final = RULES[apply].derive({"C": final.C, "c": final.c, "M": acc.M, "v": acc.v})
        steps.append(GenericStep(apply, L + 1, final))
    for word, _ in final.C.terms:  # at most one
        for k in range(1, L + 1):
            A, B = (reduce(operator.matmul, map(Lin.of, part)) for part in (word[: L + 1 - k], word[L + 1 - k :]))
            RULES[rank].derive({"A": A, "B": B, "r": net.sizes[k]})
    return [*steps, GenericStep(conclude, L + 1, (final.C, final.c)), GenericStep(rank, 0, tuple(net.sizes))]


def check(cert: GenericCertificate) -> bool:
    """True if every step of the generic certificate re-derives and they prove its claim.

    Each step is recomputed from the network's atoms with the rule it cites
    (:func:`derived_steps`) and compared, in normal form, with what the step
    states (the conclusion and the rank bound name no layer); then the claim
    is checked against the conclusion, whose rank bound the derivation gave.
    Raises CertificateError naming the step and rule.
    """
    if not isinstance(cert, GenericCertificate):
        raise CertificateError(f"expected a GenericCertificate, got {type(cert).__name__}")
    net = cert.network
    if not isinstance(net, GenericNetwork):
        raise CertificateError(f"the certificate's network is a {type(net).__name__}, not a GenericNetwork")
    _gate_claim(net, cert.matrix, cert.offset)
    derived = derived_steps(net)
    got = [s.rule for s in cert.steps]
    expected = [s.rule for s in derived]
    if got != expected:
        raise CertificateError(f"the steps cite rules {got}; a depth-{net.depth} proof cites {expected}")
    for index, (step, want) in enumerate(zip(cert.steps, derived, strict=True)):
        fail = partial(CertificateError, step=index, rule=want.rule)
        # the conclusion and the rank bound (the last two rules) name no layer the check holds them to
        if want.rule not in STEP_RULES[-2:] and step.layer != want.layer:
            raise fail(f"in a depth-{net.depth} proof this step concerns layer {want.layer}, not {step.layer}")
        if step.value != want.value:
            raise fail(f"the step states {step.value!r}, but the rule gives {want.value!r}")
    _check_claim(cert, derived[-2].value, partial(CertificateError, step=len(derived) - 2, rule=derived[-2].rule))
    return True


def _check_claim(cert: GenericCertificate, final: tuple[Lin, Lin], fail: Callable[[str], CertificateError]) -> None:
    """The claim (W*, b*) is the conclusion (C, c) in normal form, with W* q x p and b* q x 1 (neither holds x, so
    W* x + b* = C x + c for every size exactly when the pairs are equal as data)."""
    net = cert.network
    if cert.matrix.shape != (net.q, net.p) or cert.offset.shape != (net.q, 1):
        raise fail(f"W* has shape {cert.matrix.shape} and b* {cert.offset.shape}; the network needs {(net.q, net.p)}")
    if (cert.matrix, cert.offset) != final:
        raise fail("the claimed W* x + b* differs from the product of the factors")


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
                if not a.name.startswith("1[") and atoms.get(a.name) != a:
                    raise IllFormed(f"the claimed {what} uses the matrix {a.name}, which is not an atom of the network")
            c = exact(coeff, f"a coefficient of the claimed {what}")
            extra = c.free_symbols - allowed_scalars
            if extra:
                raise IllFormed(
                    f"a coefficient of the claimed {what} uses {', '.join(sorted(str(e) for e in extra))}, "
                    "not a parameter of the activations"
                )
