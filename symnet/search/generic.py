"""Dimension-generic networks and proofs: the theorem for every p and every width.

``symnet.dense("p", [3])`` or ``symnet.dense("p", ["h"])`` build a
:class:`~symnet.kernel.generic.GenericNetwork` whose sizes are symbols;
``symnet.prove`` on it returns a :class:`GenericProof`, valid for every
positive integer value of the sizes.  The proof works with matrices of
symbolic shape (:mod:`symnet.kernel.generic`): the output row ``[c_0 | C]``,
one augmented factor ``[[1, 0 ... 0], [a b_0 + d 1, a B]]`` per hidden layer,
their products, and the conclusion ``y_hat = W* x + b*``; each step cites a
rule of the generic kernel and is what the kernel derives with it
(:func:`~symnet.kernel.generic.derived_steps`), which ``check()`` re-derives.

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
from ..kernel.generic import affine_coefficients, derived_steps
from ..model.generic import GenericCertificate, GenericNetwork, is_size_name
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
    for l, act in enumerate(net.activations, start=1):
        if affine_coefficients(act) is None:
            raise NotLinearError(
                f"layer {l}'s activation {act.label()} is not affine, so the output is not "
                "linear in x for general sizes; instantiate the sizes and call symnet.refute for a counterexample",
                layer=l,
            )
    steps = derived_steps(net)
    matrix, offset = steps[-2].value  # conclude_linear_form: (W*, b*)
    return GenericProof(GenericCertificate(net, tuple(steps), matrix, offset))
