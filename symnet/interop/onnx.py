"""Import an ONNX model: ``symnet.from_onnx(path_or_model)``.

The graph must be a chain: one data input, every node taking the previous
node's output (its other inputs are initializers or ``Constant`` nodes), and
the graph's one output at its end.  Supported operators (:data:`OPS`):

- dense layers: ``Gemm`` (``transA``, ``transB``, ``alpha``, ``beta``, any
  bias shape that broadcasts), ``MatMul``;
- element-wise maps by constants: ``Add``, ``Sub``, ``Mul``, ``Div``, ``Neg``
  (input normalisation too, before the first dense layer),
  ``BatchNormalization`` (eval mode; see ``batchnorm``);
- activations: ``Relu``, ``LeakyRelu``, ``Tanh``, ``Sigmoid``, ``Softplus``,
  ``Pow`` by 2 or 3 and ``Mul(x, x)`` (square, cube);
- shapes and no-ops: ``Flatten``, ``Reshape``, ``Squeeze``, ``Unsqueeze`` (the
  features stay one block; leading unit axes such as ACAS Xu's
  ``[1, 1, 1, 5]`` are fine), ``Cast`` to a float type, ``Identity``,
  ``Dropout`` (eval mode), ``Constant``; a node whose inputs are all
  constants (shape arithmetic, a transposed weight) is evaluated.

Any other operator raises :class:`~symnet.UnsupportedModelError` naming it
and its node.  Every weight, and ``alpha``/``beta``, is its exact binary
rational; ``Cast`` is the identity on these exact values.
"""

from __future__ import annotations

import os
from typing import Any

from ..model.network import Network
from ._common import check_batchnorm_mode, unsupported
from ._onnx_graph import MAX_ONNX_BYTES, OnnxGraph, Step, inline_external_data, load_model
from .onnx_ops import OPS, fold_constant

__all__ = ["MAX_ONNX_BYTES", "OPS", "from_onnx", "inline_external_data", "load_model"]


def _position(index: int, node: Any) -> str:
    return f"node {index} ({node.op_type} {node.name!r})" if node.name else f"node {index} ({node.op_type})"


def _constant(g: OnnxGraph, node: Any, where: str) -> None:
    """A Constant node's value (``value``, ``value_float(s)``, ``value_int(s)``) as a constant."""
    import numpy as np

    a = g.attrs(node)
    if "value" in a:
        g.consts[node.output[0]] = g.tensor(a["value"], where)
    elif "value_float" in a or "value_floats" in a:
        g.consts[node.output[0]] = np.asarray(a.get("value_float", a.get("value_floats")), dtype=np.float32)
    elif "value_int" in a or "value_ints" in a:
        g.consts[node.output[0]] = np.asarray(a.get("value_int", a.get("value_ints")), dtype=np.int64)
    else:
        raise unsupported("a Constant without a numeric tensor value", where, "onnx")


def _walk(g: OnnxGraph) -> Network:
    for index, node in enumerate(g.graph.node):
        where = _position(index, node)
        op = node.op_type
        if node.domain not in ("", "ai.onnx"):
            raise unsupported(f"the operator {node.domain}.{op}", where, "onnx")
        if op == "Constant":
            _constant(g, node, where)
            continue
        data_inputs = [i for i, name in enumerate(node.input) if name == g.data]
        if not data_inputs and all(not name or name in g.consts for name in node.input):
            fold_constant(g, node, where)
            continue
        if op not in OPS:
            raise unsupported(f"the operator {op}", where, "onnx")
        if len(data_inputs) == 2 and op == "Mul":
            at = -1
        elif len(data_inputs) == 1:
            at = data_inputs[0]
        else:
            raise unsupported(
                f"{op} on something other than the previous node's output", where, "onnx", "symnet imports a chain"
            )
        OPS[op](g, Step(node, at, g.attrs(node), where))
        if len(node.output) < 1 or not node.output[0]:
            raise unsupported(f"{op} without an output", where, "onnx")
        g.data = node.output[0]
    if g.data != g.graph.output[0].name:
        raise unsupported(
            "a graph whose output is not the end of its chain", f"output {g.graph.output[0].name!r}", "onnx"
        )
    return g.chain.network()


def from_onnx(
    path_or_model: Any, *, external_data_dir: str | os.PathLike[str] | None = None, batchnorm: str = "float"
) -> Network:
    """The exact symnet Network of an ONNX model (a path, bytes or an ``onnx.ModelProto``).

    A tensor whose data lives in an external file is refused
    (:class:`~symnet.InvalidArgument`) unless ``external_data_dir`` names the
    directory to read it from (the model's own directory); even then only a
    relative path inside that directory (symlinks resolved) is read.

    ``batchnorm`` says how an eval-mode ``BatchNormalization`` is folded:
    ``"float"`` (default) takes its scale ``gamma / sqrt(var + eps)`` and
    shift as the runtime computes them in the model's float type, at their
    exact binary values, so the network stays rational (decimals in
    derivations, Coq export and :func:`symnet.crosscheck` work);
    ``"exact"`` keeps ``gamma / sqrt(var + eps)`` as an exact real radical
    (the mathematically exact model; its proofs carry square roots, which
    the Coq export and ``crosscheck`` refuse and derivations print as
    radicals).

    Raises :class:`~symnet.UnsupportedModelError` for an operator or a graph
    shape symnet does not translate, naming the node.
    """
    mode = check_batchnorm_mode(batchnorm)
    return _walk(OnnxGraph(load_model(path_or_model), external_data_dir, mode))
