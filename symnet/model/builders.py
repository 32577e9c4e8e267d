"""``dense``: fully connected networks whose every weight is its own symbol.

Naming scheme (it is the blog post's for one hidden layer):

* inputs ``x_1 .. x_p``;
* no hidden layer (``hidden=[]``): one output node ``b_0 + b_1 x_1 + ...``;
  with ``q > 1`` outputs, output i has ``b_{i,0}, b_{i,j}``;
* one hidden layer: node k has bias ``b_{k,0}`` and weights ``b_{k,j}``;
* several hidden layers: layer l's node k has ``b^{(l)}_{k,0}`` and
  ``b^{(l)}_{k,j}`` (the superscript is the layer, counted from the input);
* the output node has bias ``c_0`` and weights ``c_k``; with ``q > 1``
  outputs, output i has ``c_{i,0}`` and ``c_{i,k}``.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import sympy

from ..errors import InvalidArgument, InvalidType
from .activations import Activation, ActivationSpec
from .activations import activation as activation_of
from .generic import GenericNetwork
from .generic_build import generic_dense
from .network import Layer, Network, _hidden_activations, input_symbols
from .plain import plain_symbols
from .symbol_matrix import symbol_matrix
from .symbols import paused_gc, recorded

__all__ = ["dense", "MAX_DENSE_PARAMETERS"]

#: ``dense`` refuses networks with more weights than this (memory guard).
MAX_DENSE_PARAMETERS = 5_000_000


def _width(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidType(f"{where}={value!r} must be a positive integer")
    if int(value) < 1:
        raise InvalidArgument(f"{where}={value!r} must be a positive integer")
    return int(value)


def _names(stem: str, rows: int, cols: int, layer: int | None, single: bool) -> list[str]:
    """Row-major names of one layer's augmented matrix ``[b | W]`` (bias first in every row)."""
    sup = f"^{{({layer})}}" if layer is not None else ""
    if single:
        return [f"{stem}{sup}_{j}" if not sup else f"{stem}{sup}_{{{j}}}" for j in range(cols + 1)] * rows
    return [f"{stem}{sup}_{{{k},{j}}}" for k in range(1, rows + 1) for j in range(cols + 1)]


def _layer(
    stem: str, rows: int, cols: int, layer: int | None, single: bool, act: Activation
) -> tuple[Layer, list[sympy.Symbol]]:
    """One layer of distinct symbols, and its symbols in the documented parameter order."""
    augmented = plain_symbols(_names(stem, rows, cols, layer, single))
    weights = [s for k in range(rows) for s in augmented[k * (cols + 1) + 1 : (k + 1) * (cols + 1)]]
    biases = augmented[:: cols + 1]
    return Layer(recorded(symbol_matrix(weights, rows, cols)), recorded(symbol_matrix(biases, rows, 1)), act), augmented


def dense(
    inputs: int,
    hidden: Sequence[int] | int,
    outputs: int = 1,
    activation: ActivationSpec | Sequence[ActivationSpec] = "identity",
) -> Network | GenericNetwork:
    """A fully connected network with every weight and bias a distinct symbol.

    ``inputs`` is p, ``hidden`` the widths of the hidden layers (``[]`` for
    the blog post's single node), ``outputs`` q.  The activation applies to every
    hidden layer (or pass a list with one per hidden layer); the output layer
    is linear.  Symbol names follow the module docstring.

    >>> import symnet
    >>> net = symnet.dense(2, [2])
    >>> net.parameters[:3]
    (b_{1,0}, b_{1,1}, b_{1,2})
    >>> net.output[0]
    c_0 + c_1*(b_{1,0} + b_{1,1}*x_1 + b_{1,2}*x_2) + c_2*(b_{2,0} + b_{2,1}*x_1 + b_{2,2}*x_2)
    """
    if isinstance(inputs, str) or isinstance(outputs, str) or (
        isinstance(hidden, Sequence) and not isinstance(hidden, str) and any(isinstance(h, str) for h in hidden)
    ):
        return generic_dense(inputs, hidden, outputs, activation)  # sizes named by symbols: symnet.model.generic
    p = _width(inputs, "inputs")
    if isinstance(hidden, numbers.Integral) and not isinstance(hidden, bool):
        hidden = [int(hidden)]
    if isinstance(hidden, (str, bytes)) or not isinstance(hidden, Sequence):
        raise InvalidType(f"hidden={hidden!r} must be a list of positive integer widths")
    widths = [_width(h, f"hidden[{i}]") for i, h in enumerate(hidden)]
    q = _width(outputs, "outputs")
    sizes = [p, *widths, q]
    count = sum(sizes[i + 1] * (sizes[i] + 1) for i in range(len(sizes) - 1))
    if count > MAX_DENSE_PARAMETERS:
        raise InvalidArgument(
            f"dense(inputs={p}, hidden={widths}, outputs={q}) would have {count} weights, "
            f"more than the guard of {MAX_DENSE_PARAMETERS}"
        )
    with paused_gc():
        return _dense(p, widths, q, activation)


def _dense(p: int, widths: list[int], q: int, activation: ActivationSpec | Sequence[ActivationSpec]) -> Network:
    sizes = [p, *widths, q]
    acts = _hidden_activations(activation, len(widths)) + (activation_of("identity"),)
    layers: list[Layer] = []
    parameters: list[sympy.Symbol] = []
    depth = len(widths)
    for l, (rows, cols) in enumerate(zip(sizes[1:], sizes[:-1], strict=True), start=1):
        is_output = l == depth + 1
        if is_output and depth > 0:
            stem, tag = "c", None
        else:
            stem, tag = "b", (l if depth >= 2 else None)
        layer, symbols = _layer(stem, rows, cols, tag, is_output and q == 1, acts[l - 1])
        layers.append(layer)
        parameters.extend(symbols)
    extra = {s for a in acts for s in a.parameters}
    if extra:  # activations with coefficients of their own: the checked constructor sorts and checks them
        return Network(input_symbols(p), tuple(layers))
    return Network._built(input_symbols(p), tuple(layers), tuple(parameters))
