"""Import a PyTorch ``nn.Sequential``: ``symnet.from_torch(module)``.

Supported layers (:data:`LAYERS`): ``Linear``, ``Identity``, ``Flatten`` (of a
batch of vectors), ``Dropout`` in eval mode (the identity), ``BatchNorm1d`` in
eval mode (the affine map ``gamma (u - mean) / sqrt(var + eps) + beta``, folded
into the neighbouring ``Linear``; see ``batchnorm``), ``ReLU``, ``LeakyReLU``,
``Tanh``, ``Sigmoid`` and ``Softplus`` (``beta=1``; torch's ``threshold``
shortcut, ``x`` instead of ``log(1 + e^x)`` for ``x > 20``, is a float
approximation the exact model does not copy); nested ``Sequential``\\s are
walked in order.  Any other layer, and a ``Dropout`` or ``BatchNorm1d`` in
training mode, raises :class:`~symnet.UnsupportedModelError` naming it and
its position.  Every float32/float64 weight is its exact binary rational.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidArgument, InvalidType
from ..model.activations import activation
from ..model.network import Network
from ._common import ChainBuilder, batch_norm_fold, check_batchnorm_mode, exact_number, leaky_relu, require, unsupported

__all__ = ["LAYERS", "TorchImport", "from_torch"]


def _array(tensor: Any) -> Any:
    torch = require("torch", "torch")
    t = tensor.detach().cpu()
    if t.dtype in (torch.bfloat16, torch.float16):
        t = t.to(torch.float32)  # exact widening (and torch's own compute type for them)
    return t.numpy()


def _walk(module: Any, prefix: str) -> list[tuple[str, Any]]:
    nn = require("torch.nn", "torch")
    if isinstance(module, nn.Sequential):
        items: list[tuple[str, Any]] = []
        for i, child in enumerate(module):
            items += _walk(child, f"{prefix}{i}" if not prefix else f"{prefix}.{i}")
        return items
    return [(prefix or "0", module)]


@dataclass
class TorchImport:
    """The state of one import: the network being built and the options."""

    chain: ChainBuilder
    batchnorm: str


#: A layer handler: (state, layer, its position "layer 3 (Linear)") -> None.
Handler = Callable[[TorchImport, Any, str], None]


def _linear(s: TorchImport, layer: Any, where: str) -> None:
    bias = None if layer.bias is None else _array(layer.bias)
    s.chain.linear(_array(layer.weight), bias, where)


def _identity(s: TorchImport, layer: Any, where: str) -> None:
    return None  # Identity, and Flatten of a batch of vectors


def _dropout(s: TorchImport, layer: Any, where: str) -> None:
    if layer.training:
        raise unsupported(
            f"{type(layer).__name__} in training mode",
            where,
            "torch",
            "call module.eval() first: then it is the identity",
        )


def _batch_norm(s: TorchImport, layer: Any, where: str) -> None:
    if layer.training or layer.running_mean is None or layer.running_var is None:
        raise unsupported(
            "BatchNorm1d in training mode (or without running statistics)",
            where,
            "torch",
            "call module.eval() first: in eval mode it is an affine map",
        )
    mean, var = _array(layer.running_mean), _array(layer.running_var)
    if layer.weight is not None:
        gamma, beta = _array(layer.weight), _array(layer.bias)
    else:
        gamma, beta = mean * 0 + 1, mean * 0
    scale, shift = batch_norm_fold(gamma, beta, mean, var, float(layer.eps), s.batchnorm, where, "torch")
    s.chain.scale_shift(scale, shift, where)


def _named(name: str) -> Handler:
    def handler(s: TorchImport, layer: Any, where: str) -> None:
        s.chain.activation(activation(name), where)

    return handler


def _leaky_relu(s: TorchImport, layer: Any, where: str) -> None:
    s.chain.activation(leaky_relu(exact_number(float(layer.negative_slope), f"{where} negative_slope")), where)


def _softplus(s: TorchImport, layer: Any, where: str) -> None:
    if float(layer.beta) != 1.0:
        raise unsupported(f"Softplus with beta={layer.beta}", where, "torch", "symnet's softplus is log(1 + e^t)")
    s.chain.activation(activation("softplus"), where)


#: torch.nn class name -> handler (a subclass is handled like its base).  A new layer is one entry here.
LAYERS: dict[str, Handler] = {
    "Linear": _linear,
    "Identity": _identity,
    "Flatten": _identity,
    "Dropout": _dropout,
    "BatchNorm1d": _batch_norm,
    "ReLU": _named("relu"),
    "Tanh": _named("tanh"),
    "Sigmoid": _named("sigmoid"),
    "LeakyReLU": _leaky_relu,
    "Softplus": _softplus,
}


def _handler(nn: Any, layer: Any) -> Handler | None:
    for name, handler in LAYERS.items():
        cls = getattr(nn, name, None)
        if cls is not None and isinstance(layer, cls):
            return handler
    return None


def from_torch(module: Any, *, batchnorm: str = "float") -> Network:
    """The exact symnet Network of an ``nn.Sequential`` (or a single ``nn.Linear``).

    ``batchnorm`` says how an eval-mode ``BatchNorm1d`` is folded:
    ``"float"`` (default) takes the scale ``gamma / sqrt(var + eps)`` and the
    shift as torch's eval mode computes them in the parameters' float type
    (``invstd = 1/sqrt(var + eps)``, ``scale = invstd * gamma``,
    ``shift = beta - mean * scale``, each rounded), at their exact binary
    values: the network stays rational, so derivations print decimals and
    the Coq export and :func:`symnet.crosscheck` work.  ``"exact"`` keeps
    ``gamma / sqrt(var + eps)`` as an exact real radical: the mathematically
    exact model, whose proofs carry square roots (long derivations; the Coq
    export and ``crosscheck`` refuse them).

    Raises :class:`~symnet.InvalidType` for something that is not a torch
    module and :class:`~symnet.UnsupportedModelError` for a layer symnet does
    not translate (including a ``Dropout`` or ``BatchNorm1d`` in training mode).
    """
    nn = require("torch.nn", "torch")
    mode = check_batchnorm_mode(batchnorm)
    if not isinstance(module, nn.Module):
        raise InvalidType(f"module={type(module).__name__} is not a torch.nn.Module")
    if not isinstance(module, (nn.Sequential, nn.Linear)):
        raise unsupported(
            f"a {type(module).__name__} with its own forward()",
            "the top-level module",
            "torch",
            "symnet reads nn.Sequential (or a single nn.Linear), whose computation is its list of layers",
        )
    state = TorchImport(ChainBuilder("torch"), mode)
    for position, layer in _walk(module, ""):
        handler = _handler(nn, layer)
        if handler is None:
            raise unsupported(type(layer).__name__, f"layer {position}", "torch")
        handler(state, layer, f"layer {position} ({type(layer).__name__})")
    net = state.chain.network()
    _probe(module, net.p)
    return net


def _probe(module: Any, width: int) -> None:
    """The module's own eval-mode forward pass at a few inputs must be finite (InvalidArgument otherwise)."""
    torch = require("torch", "torch")
    first = next((p for p in module.parameters() if p.is_floating_point()), None)
    dtype = first.dtype if first is not None else torch.float32
    probe = torch.stack([torch.zeros(width), torch.ones(width), -torch.ones(width)]).to(dtype)
    was = module.training
    module.eval()
    try:
        with torch.no_grad():
            out = module(probe)
    except Exception as exc:  # the module cannot run on vectors of this width
        raise InvalidArgument(
            f"torch: the model's forward pass fails on a vector of {width} inputs ({type(exc).__name__})"
        ) from None
    finally:
        module.train(was)
    if not bool(torch.isfinite(out).all()):
        raise InvalidArgument("torch: the model's eval-mode forward pass is NaN or infinite (at 0 or at +-1)")
