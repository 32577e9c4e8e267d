"""The old module path of the linear checker's route over QQ (kept for one release; the kernel does not load it).

Networks whose weights are numbers are checked by :func:`symnet.kernel.linear.check`
itself, over python-flint matrices (:mod:`symnet.kernel.qq`).
"""

from __future__ import annotations

from ..certificate.linear import Certificate
from .gate import IllFormed
from .linear import check
from .qq import network, sparse_times

__all__ = ["applies", "check", "sparse_times"]


def applies(cert: Certificate) -> bool:
    """True when every layer is held over QQ and the steps are the plain layer-wise chain (checked over QQ alone)."""
    steps, layers = cert.steps, getattr(cert.network, "layers", ())
    rules = ["read_output_layer"] + ["substitute_layer"] * (len(layers) - 1) + ["conclude_linear_form"]
    plain = isinstance(steps, tuple) and [getattr(s, "rule", None) for s in steps] == rules
    if not (layers and plain and getattr(cert.claim, "routes", None) == ("layerwise",)):
        return False
    try:
        return network(cert.network) is not None
    except IllFormed:  # linear.check refuses it
        return False
