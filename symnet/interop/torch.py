"""Import a PyTorch ``nn.Sequential``: ``symnet.from_torch(module)``.

Supported layers: ``Linear``, ``Identity``, ``Flatten`` (of a batch of
vectors), ``Dropout`` (the identity, as in eval mode), ``BatchNorm1d`` in
eval mode (the affine map ``gamma (u - mean) / sqrt(var + eps) + beta``,
folded exactly into the neighbouring ``Linear``; ``1/sqrt(var + eps)`` is an
exact algebraic number), ``ReLU``, ``LeakyReLU``, ``Tanh`` and ``Sigmoid``;
nested ``Sequential``\\s are walked in order.  Any other layer raises
:class:`~symnet.UnsupportedModelError` naming it and its position.  Every
float32/float64 weight is its exact binary rational.
"""

from __future__ import annotations

import math
from typing import Any

import sympy

from ..errors import InvalidArgument, InvalidType
from ..model.activations import activation
from ..model.exact import exact_vector
from ..model.network import Network
from . import _conv
from ._common import ChainBuilder, exact_number, leaky_relu, require, unsupported

__all__ = ["from_torch"]


def _array(tensor: Any) -> Any:
    torch = require("torch", "torch")
    t = tensor.detach().cpu()
    if t.dtype in (torch.bfloat16, torch.float16):
        t = t.to(torch.float64)  # exact widening
    return t.numpy()


def _walk(module: Any, prefix: str) -> list[tuple[str, Any]]:
    nn = require("torch.nn", "torch")
    if isinstance(module, nn.Sequential):
        items: list[tuple[str, Any]] = []
        for i, child in enumerate(module):
            items += _walk(child, f"{prefix}{i}" if not prefix else f"{prefix}.{i}")
        return items
    return [(prefix or "0", module)]


def from_torch(module: Any, *, input_shape: Any = None) -> Network:
    """The exact symnet Network of an ``nn.Sequential`` (or a single ``nn.Linear``).

    ``Conv1d``, ``Conv2d``, ``AvgPool1d``, ``AvgPool2d`` and ``Flatten``
    become exact sparse affine layers; they need ``input_shape``, the shape of
    one input without the batch axis (``(C, H, W)`` or ``(C, L)``).

    Raises :class:`~symnet.InvalidType` for something that is not a torch
    module and :class:`~symnet.UnsupportedModelError` for a layer symnet does
    not translate (including a ``BatchNorm1d`` in training mode).
    """
    nn = require("torch.nn", "torch")
    if not isinstance(module, nn.Module):
        raise InvalidType(f"module={type(module).__name__} is not a torch.nn.Module")
    if not isinstance(module, (nn.Sequential, nn.Linear)):
        raise unsupported(
            f"a {type(module).__name__} with its own forward()",
            "the top-level module",
            "torch",
            "symnet reads nn.Sequential (or a single nn.Linear), whose computation is its list of layers",
        )
    chain = ChainBuilder("torch")
    shape = first_shape = _conv.input_shape_of(input_shape)
    for position, layer in _walk(module, ""):
        where = f"layer {position} ({type(layer).__name__})"
        handled, shape = _conv.torch_layer(chain, layer, shape, where)  # convolutions, pooling, flatten
        if handled:
            continue
        if isinstance(layer, nn.Linear):
            bias = None if layer.bias is None else _array(layer.bias)
            chain.linear(_array(layer.weight), bias, where)
        elif isinstance(layer, (nn.Identity, nn.Dropout, nn.Flatten)):
            continue  # the identity on a batch of vectors (Dropout as in eval mode)
        elif isinstance(layer, nn.BatchNorm1d):
            if layer.training or layer.running_mean is None or layer.running_var is None:
                raise unsupported(
                    "BatchNorm1d in training mode (or without running statistics)",
                    f"layer {position}",
                    "torch",
                    "call module.eval() first: in eval mode it is an affine map",
                )
            scale, shift = _batch_norm(layer, where)
            chain.scale_shift(scale, shift, where)
        elif isinstance(layer, nn.ReLU):
            chain.activation(activation("relu"), where)
        elif isinstance(layer, nn.LeakyReLU):
            chain.activation(leaky_relu(exact_number(float(layer.negative_slope), f"{where} negative_slope")), where)
        elif isinstance(layer, nn.Tanh):
            chain.activation(activation("tanh"), where)
        elif isinstance(layer, nn.Sigmoid):
            chain.activation(activation("sigmoid"), where)
        else:
            raise unsupported(type(layer).__name__, f"layer {position}", "torch")
    net = chain.network()
    _probe(module, net.p, first_shape)
    return net


def _batch_norm(layer: Any, where: str) -> tuple[list[sympy.Expr], list[sympy.Expr]]:
    """scale = gamma / sqrt(var + eps), shift = beta - mean * scale, exactly."""
    n = layer.num_features
    mean = exact_vector(_array(layer.running_mean), f"{where} running_mean").args[2].args
    var = exact_vector(_array(layer.running_var), f"{where} running_var").args[2].args
    eps = exact_number(float(layer.eps), f"{where} eps")
    if layer.weight is not None:
        gamma = exact_vector(_array(layer.weight), f"{where} weight").args[2].args
        beta = exact_vector(_array(layer.bias), f"{where} bias").args[2].args
    else:
        gamma, beta = (sympy.Integer(1),) * n, (sympy.Integer(0),) * n
    for k, v in enumerate(var):
        if not v + eps > 0:
            raise InvalidArgument(
                f"torch: {where} has running_var[{k}] + eps = {v + eps} <= 0, so its eval-mode forward pass "
                "divides by sqrt(var + eps) and gives NaN"
            )
    scale = [g / sympy.sqrt(v + eps) for g, v in zip(gamma, var, strict=True)]
    shift = [b - m * s for b, m, s in zip(beta, mean, scale, strict=True)]
    return scale, shift


def _probe(module: Any, width: int, shape: tuple[int, ...] | None = None) -> None:
    """The module's own eval-mode forward pass at a few inputs must be finite (InvalidArgument otherwise)."""
    torch = require("torch", "torch")
    first = next((p for p in module.parameters() if p.is_floating_point()), None)
    dtype = first.dtype if first is not None else torch.float32
    probe = torch.stack([torch.zeros(width), torch.ones(width), -torch.ones(width)]).to(dtype)
    if shape is not None and len(shape) > 1:
        if math.prod(shape) != width:
            raise InvalidArgument(f"torch: input_shape={shape} holds {math.prod(shape)} values, the network {width}")
        probe = probe.reshape(3, *shape)
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
