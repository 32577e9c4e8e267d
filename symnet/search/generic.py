"""Dimension-generic networks and proofs: the theorem for every p and every width.

``symnet.dense("p", [3])`` or ``symnet.dense("p", ["h"])`` build a
:class:`~symnet.kernel.generic.GenericNetwork` whose sizes are symbols;
``symnet.prove`` on it returns a :class:`GenericProof`, valid for every
positive integer value of the sizes.  The proof works with matrices of
symbolic shape (:mod:`symnet.kernel.generic`): the output row ``[c_0 | C]``,
one augmented factor ``[[1, 0 ... 0], [a b_0 + d 1, a B]]`` per hidden layer,
their products, and the conclusion ``y_hat = W* x + b*``; each step cites a
rule of the generic kernel, which re-derives it.

``proof.instantiate(p=5, h=2)`` gives the concrete :class:`~symnet.Proof`
for those sizes, with the same symbol names as ``symnet.dense(5, [2])``.

>>> import symnet
>>> proof = symnet.prove(symnet.dense("p", ["h"]))
>>> proof.claim_text()
'ŷ = C B x + c_0 + C b_0'
>>> proof.check()
True
>>> proof.instantiate(p=2, h=1).matrix
Matrix([[b_{1,1}*c_1, b_{1,2}*c_1]])
"""

from __future__ import annotations

from ..errors import InvalidArgument, InvalidType, NotLinearError
from ..kernel.generic import affine_coefficients
from ..model import generic as gm
from ..model.generic import (
    Aug,
    GenericCertificate,
    GenericNetwork,
    GenericStep,
    Lin,
    OutRow,
    is_size_name,
)
from ..model.generic_build import generic_dense
from ..results.generic import GENERIC_FORMAT, GenericProof, instantiate_network

__all__ = [
    "GENERIC_FORMAT",
    "GenericNetwork",
    "GenericProof",
    "generic_dense",
    "instantiate_network",
    "is_size_name",
    "prove_generic",
]


# ------------------------------------------------------------------ search
def prove_generic(net: GenericNetwork, *, expand: bool | None = None, limit: int | None = None) -> GenericProof:
    """Prove ``output = W* x + b*`` for every value of the network's symbolic sizes.

    ``expand=True`` is refused (a network of symbolic size has no finite
    expansion; instantiate it first).  Raises NotLinearError when a hidden
    activation is not affine.
    """
    if not isinstance(net, GenericNetwork):
        raise InvalidType(f"net={net!r} of type {type(net).__name__} is not a GenericNetwork")
    if expand is True:
        raise InvalidArgument(
            "expand=True: a network of symbolic size cannot be expanded; use net.instantiate(...) first"
        )
    L = net.depth
    coeffs = [affine_coefficients(a) for a in net.activations]
    for l, c in enumerate(coeffs, start=1):
        if c is None:
            raise NotLinearError(
                f"layer {l}'s activation {net.activations[l - 1].label()} is not affine, so the output is not "
                "linear in x for general sizes; instantiate the sizes and call symnet.refute for a counterexample",
                layer=l,
            )
    row = OutRow(Lin.of(net.bias(L + 1)), Lin.of(net.weight(L + 1)))
    steps = [GenericStep("read_output_layer", L + 1, row)]
    factors: dict[int, Aug] = {}
    for l in range(L, 0, -1):
        a, d = coeffs[l - 1]  # type: ignore[misc]
        v = Lin.of(net.bias(l)).scale(a) + Lin.of(gm.ones(net.sizes[l])).scale(d)
        factors[l] = Aug(v, Lin.of(net.weight(l)).scale(a))
        steps.append(GenericStep("substitute_layer", l, factors[l]))
    acc = factors.get(1)
    for l in range(2, L + 1):
        top = factors[l]
        acc = Aug(top.v + top.M @ acc.v, top.M @ acc.M)  # type: ignore[union-attr]
        steps.append(GenericStep("multiply_augmented", l, acc))
    final = row
    if L:
        assert acc is not None
        final = OutRow(row.c + row.C @ acc.v, row.C @ acc.M)
        steps.append(GenericStep("apply_output_row", L + 1, final))
    steps.append(GenericStep("conclude_linear_form", L + 1, (final.C, final.c)))
    steps.append(GenericStep("factor_rank", 0, tuple(net.sizes)))
    return GenericProof(GenericCertificate(net, tuple(steps), final.C, final.c))
