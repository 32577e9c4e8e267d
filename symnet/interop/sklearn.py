"""Import a trained scikit-learn MLP: ``symnet.from_sklearn(model)``.

``MLPRegressor`` and ``MLPClassifier`` compute ``x @ coefs_[l] + intercepts_[l]``
(``coefs_[l]`` is fan_in x fan_out, the transpose of symnet's ``W_l``) with the
hidden activation ``activation`` ('identity', 'relu', 'tanh', 'logistic').  A
regressor's output is linear; a classifier applies ``out_activation_``
('logistic' or 'softmax') to its logits: symnet imports the logits (the
network up to, not including, that last activation) and says so with a
:class:`LogitsWarning`.  Weights (float64) are their exact binary rationals.
"""

from __future__ import annotations

import warnings
from typing import Any

from ..errors import InvalidType
from ..model.activations import activation
from ..model.network import Network
from ._common import ChainBuilder, require, unsupported

__all__ = ["LogitsWarning", "from_sklearn"]

_HIDDEN = {"identity": "identity", "relu": "relu", "tanh": "tanh", "logistic": "sigmoid"}


class LogitsWarning(UserWarning):
    """The imported network is a classifier's logits: its output activation is left out."""


def from_sklearn(model: Any) -> Network:
    """The exact symnet Network of a fitted ``MLPRegressor`` or ``MLPClassifier``.

    Raises :class:`~symnet.InvalidType` for other estimators (or unfitted
    ones) and :class:`~symnet.UnsupportedModelError` for an unknown
    activation.  For a classifier the network computes the logits (one per
    class; one for a binary classifier) and a :class:`LogitsWarning` says so.
    """
    nn = require("sklearn.neural_network", "sklearn")
    if not isinstance(model, (nn.MLPRegressor, nn.MLPClassifier)):
        raise InvalidType(f"model={type(model).__name__} is not a scikit-learn MLPRegressor or MLPClassifier")
    if not hasattr(model, "coefs_"):
        raise InvalidType(f"model={type(model).__name__} is not fitted (it has no coefs_)")
    name = str(model.activation)
    if name not in _HIDDEN:
        raise unsupported(f"the activation {name!r}", "the hidden layers", type(model).__name__)
    source = type(model).__name__
    chain = ChainBuilder(source)
    n = len(model.coefs_)
    for l, (coef, intercept) in enumerate(zip(model.coefs_, model.intercepts_, strict=True), start=1):
        chain.linear(coef.T, intercept, f"layer {l} (coefs_[{l - 1}])")
        if l < n:
            chain.activation(activation(_HIDDEN[name]), f"layer {l}")
    out = str(getattr(model, "out_activation_", "identity"))
    if out != "identity":
        warnings.warn(
            f"{source}: the output activation {out!r} is left out; the network computes the logits "
            "(the classifier's prediction is the largest logit's class; with one logit, class 1 when it is > 0)",
            LogitsWarning,
            stacklevel=2,
        )
    return chain.network()
