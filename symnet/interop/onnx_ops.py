"""The ONNX operators symnet imports, one handler each (the table :data:`OPS`).

A handler takes the import state (:class:`~symnet.interop._onnx_graph.OnnxGraph`)
and the node (:class:`~symnet.interop._onnx_graph.Step`: ``step.at`` is the
index of the data among the node's inputs, -1 when every input is the data),
adds what the node computes to ``g.chain`` and sets the data's new shape
(``g.set_data`` / ``g.reshape``).  Adding an operator is one entry in
:data:`OPS`.  Every weight and constant is its exact binary rational.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import sympy
from sympy.polys.domains import QQ

from ..errors import InvalidArgument, ShapeError
from ..model.activations import activation
from ..model.arrays import exact_matrix, exact_vector
from ..model.domain import from_domain_matrix
from . import _conv
from ._common import batch_norm_fold, exact_number, leaky_relu, require, unsupported
from ._onnx_graph import OnnxGraph, Step, prod_dims

__all__ = ["FOLDABLE", "OPS", "Handler", "fold_constant"]

Handler = Callable[[OnnxGraph, Step], None]

#: ONNX element types a Cast may target (the identity on exact reals).
_FLOAT_TYPES = {1: "float", 10: "float16", 11: "double", 16: "bfloat16"}


def _values(array: Any, where: str) -> list[sympy.Expr]:
    return list(exact_vector(np.asarray(array).reshape(-1), where).args[2].args)


def _scaled(m: sympy.ImmutableMatrix, factor: sympy.Rational) -> sympy.ImmutableMatrix:
    if factor == 1:
        return m
    return from_domain_matrix(m._rep.convert_to(QQ) * QQ(int(factor.p), int(factor.q)), dense=True)


def _other(g: OnnxGraph, step: Step) -> Any:
    """The node's one constant operand (the input that is not the data)."""
    if len(step.node.input) != 2:
        raise unsupported(f"{step.node.op_type} with {len(step.node.input)} inputs", step.where, "onnx")
    return np.asarray(g.const(step.node.input[1 - step.at], step.where))


def _matrix(g: OnnxGraph, step: Step, value: Any) -> Any:
    if value.ndim != 2 or 0 in value.shape:
        raise unsupported(f"{step.node.op_type} with a constant of shape {list(value.shape)}", step.where, "onnx")
    return value


# ------------------------------------------------------------- dense layers
def _matmul(g: OnnxGraph, step: Step) -> None:
    w = _matrix(g, step, _other(g, step))
    rank = len(g.shape)
    shape = list(g.shape)
    if step.at == 0:  # data @ W: the features are the last axis
        g.features_on(rank - 1, step)
        g.chain.linear(w.T, None, step.where)
        shape[-1] = w.shape[1]
        g.set_data(shape, (rank - 1, rank))
    else:  # W @ data: the features are the first axis of a vector, the second-last of a matrix
        axis = 0 if rank == 1 else rank - 2
        g.features_on(axis, step)
        g.chain.linear(w, None, step.where)
        shape[axis] = w.shape[0]
        g.set_data(shape, (axis, axis + 1))


def _gemm(g: OnnxGraph, step: Step) -> None:
    a = step.attrs
    alpha = exact_number(float(a.get("alpha", 1.0)), f"{step.where} alpha")
    beta = exact_number(float(a.get("beta", 1.0)), f"{step.where} beta")
    trans_a, trans_b = int(a.get("transA", 0)), int(a.get("transB", 0))
    inputs = step.node.input
    if len(inputs) < 2 or step.at > 1:
        raise unsupported("Gemm whose bias C is the data", step.where, "onnx")
    other = _matrix(g, step, np.asarray(g.const(inputs[1 - step.at], step.where)))
    if len(g.shape) == 1 and step.at == 0 and not trans_a:
        g.pad(2)  # a vector as one row
    if len(g.shape) != 2:
        raise ShapeError(f"onnx: {step.where} is a Gemm of data of shape {g.describe()}, not a matrix")
    if step.at == 0:  # Y = alpha A' B' + beta C with A' the data (rows): W = alpha B'^T
        g.features_on(0 if trans_a else 1, step)
        weights = (other.T if trans_b else other).T
        batch = g.shape[1 if trans_a else 0]
        new_shape, axis = [batch, weights.shape[0]], 1
    else:  # B' the data (columns): W = alpha A'
        g.features_on(1 if trans_b else 0, step)
        weights = other.T if trans_a else other
        batch = g.shape[0 if trans_b else 1]
        new_shape, axis = [weights.shape[0], batch], 0
    w = _scaled(exact_matrix(weights, f"{step.where} weights"), alpha)
    g.set_data(new_shape, (axis, axis + 1))
    c = g.optional_const(step, 2)
    bias = None
    if c is not None:
        bias = sympy.ImmutableMatrix([beta * v for v in _values(g.per_feature(c, step), f"{step.where} C")])
    g.chain.linear(w, bias, step.where)


# ------------------------------------------------------- element-wise affine
def _shift(g: OnnxGraph, step: Step, scale: Any, shift: Any) -> None:
    n = g.features
    assert n is not None
    s = _values(np.broadcast_to(scale, (n,)), f"{step.where} constant") if not isinstance(scale, list) else scale
    t = _values(np.broadcast_to(shift, (n,)), f"{step.where} constant") if not isinstance(shift, list) else shift
    g.chain.scale_shift(s, t, step.where)


def _add(g: OnnxGraph, step: Step) -> None:
    c = g.per_feature(_other(g, step), step)
    _shift(g, step, np.ones(len(c)), c)


def _sub(g: OnnxGraph, step: Step) -> None:
    c = g.per_feature(_other(g, step), step)
    if step.at == 0:  # x - c
        _shift(g, step, np.ones(len(c)), [-v for v in _values(c, f"{step.where} constant")])
    else:  # c - x
        _shift(g, step, -np.ones(len(c)), c)


def _mul(g: OnnxGraph, step: Step) -> None:
    if step.at == -1:  # x * x
        g.chain.activation(activation("square"), step.where)
        return
    c = g.per_feature(_other(g, step), step)
    _shift(g, step, c, np.zeros(len(c)))


def _div(g: OnnxGraph, step: Step) -> None:
    if step.at != 0:
        raise unsupported("a division by the data", step.where, "onnx")
    c = _values(g.per_feature(_other(g, step), step), f"{step.where} divisor")
    if any(v == 0 for v in c):
        raise InvalidArgument(f"onnx: {step.where} divides by zero")
    _shift(g, step, [1 / v for v in c], [sympy.Integer(0)] * len(c))


def _neg(g: OnnxGraph, step: Step) -> None:
    n = g.features
    if n is None:
        raise ShapeError(f"onnx: {step.where} needs the data's width, which the graph leaves unknown")
    _shift(g, step, -np.ones(n), np.zeros(n))


def _batch_norm(g: OnnxGraph, step: Step) -> None:
    a, node = step.attrs, step.node
    if int(a.get("training_mode", 0)) or any(name in g.used for name in node.output[1:] if name):
        raise unsupported("BatchNormalization in training mode", step.where, "onnx", "export the model in eval mode")
    if int(a.get("spatial", 1)) != 1:
        raise unsupported("BatchNormalization with spatial=0", step.where, "onnx")
    if len(node.input) != 5 or len(g.shape) < 2:
        raise unsupported(f"BatchNormalization of data of shape {g.describe()}", step.where, "onnx")
    rank = len(g.shape)
    params = []
    for index in range(1, 5):
        p = np.asarray(g.const(node.input[index], step.where))
        params.append(g.per_feature(p.reshape((1, -1) + (1,) * (rank - 2)), step))
    eps = float(a.get("epsilon", 1e-5))
    gamma, beta, mean, var = params
    scale, shift = batch_norm_fold(gamma, beta, mean, var, eps, g.batchnorm, step.where, "onnx")
    g.chain.scale_shift(scale, shift, step.where)


# ---------------------------------------------------------------- activations
def _named(name: str) -> Handler:
    def handler(g: OnnxGraph, step: Step) -> None:
        g.chain.activation(activation(name), step.where)

    return handler


def _leaky_relu(g: OnnxGraph, step: Step) -> None:
    slope = exact_number(float(step.attrs.get("alpha", np.float32(0.01))), f"{step.where} alpha")
    g.chain.activation(leaky_relu(slope), step.where)


def _pow(g: OnnxGraph, step: Step) -> None:
    if step.at != 0:
        raise unsupported("a power with the data as exponent", step.where, "onnx")
    e = _other(g, step)
    names = {1.0: "identity", 2.0: "square", 3.0: "cube"}
    if e.size != 1 or float(e.reshape(-1)[0]) not in names:
        raise unsupported(f"Pow with the exponent {e.reshape(-1)[:3].tolist()}", step.where, "onnx", "exponents 1-3")
    g.chain.activation(activation(names[float(e.reshape(-1)[0])]), step.where)


# ------------------------------------------------------- shapes and no-ops
def _identity(g: OnnxGraph, step: Step) -> None:
    return None


def _cast(g: OnnxGraph, step: Step) -> None:
    to = int(step.attrs.get("to", 0))
    if to not in _FLOAT_TYPES:
        raise unsupported(f"Cast to the element type {to}", step.where, "onnx", "only casts to float types are linear")


def _dropout(g: OnnxGraph, step: Step) -> None:
    node = step.node
    mode = g.optional_const(step, 2)
    training = mode is not None and bool(np.asarray(mode).reshape(-1)[0])
    if training or int(step.attrs.get("is_test", 1)) == 0 or any(n in g.used for n in node.output[1:] if n):
        raise unsupported("Dropout in training mode", step.where, "onnx", "export the model in eval mode")


def _flatten(g: OnnxGraph, step: Step) -> None:
    rank = len(g.shape)
    axis = int(step.attrs.get("axis", 1))
    axis = axis + rank if axis < 0 else axis
    if not 0 <= axis <= rank:
        raise ShapeError(f"onnx: {step.where} flattens at axis {axis} a tensor of rank {rank}")
    g.reshape_pairs([prod_dims(g.shape[:axis]), prod_dims(g.shape[axis:])], step)


def _reshape(g: OnnxGraph, step: Step) -> None:
    target = np.asarray(g.const(step.node.input[1], step.where)).astype(np.int64).reshape(-1).tolist()
    g.reshape(g.resolve(target, step, bool(step.attrs.get("allowzero", 0))), step)


def _axes(g: OnnxGraph, step: Step, grow: bool) -> list[int]:
    """The node's ``axes`` (attribute, or input 1 from opset 13), made non-negative."""
    raw = step.attrs.get("axes")
    if raw is None:
        given = g.optional_const(step, 1)
        raw = [] if given is None else np.asarray(given).reshape(-1).tolist()
    rank = len(g.shape) + (len(raw) if grow else 0)
    out = sorted(int(a) + rank if int(a) < 0 else int(a) for a in raw)
    if len(set(out)) != len(out) or any(not 0 <= a < rank for a in out):
        raise ShapeError(f"onnx: {step.where} has the axes {list(raw)} for a tensor of rank {rank}")
    return out


def _squeeze(g: OnnxGraph, step: Step) -> None:
    axes = _axes(g, step, grow=False) or [a for a, d in enumerate(g.shape) if d == 1]
    if any(g.shape[a] != 1 for a in axes):
        raise ShapeError(f"onnx: {step.where} squeezes an axis of data of shape {g.describe()} that is not 1")
    g.reshape([d for a, d in enumerate(g.shape) if a not in axes], step)


def _unsqueeze(g: OnnxGraph, step: Step) -> None:
    axes = _axes(g, step, grow=True)
    if not axes:
        raise unsupported("Unsqueeze without axes", step.where, "onnx")
    dims = list(g.shape)
    for a in axes:
        dims.insert(a, 1)
    g.reshape(dims, step)


#: Operator name -> handler.  A new operator is one entry here.
OPS: dict[str, Handler] = {
    "Gemm": _gemm,
    "MatMul": _matmul,
    "Add": _add,
    "Sub": _sub,
    "Mul": _mul,
    "Div": _div,
    "Neg": _neg,
    "BatchNormalization": _batch_norm,
    "Relu": _named("relu"),
    "Tanh": _named("tanh"),
    "Sigmoid": _named("sigmoid"),
    "Softplus": _named("softplus"),
    "LeakyRelu": _leaky_relu,
    "Pow": _pow,
    "Identity": _identity,
    "Cast": _cast,
    "Dropout": _dropout,
    "Flatten": _flatten,
    "Reshape": _reshape,
    "Squeeze": _squeeze,
    "Unsqueeze": _unsqueeze,
    "Conv": _conv.onnx_handler,
    "AveragePool": _conv.onnx_handler,
}

#: Operators evaluated (with ``onnx.reference``) when all their inputs are constants.
FOLDABLE = frozenset(
    {"Cast", "Transpose", "Reshape", "Squeeze", "Unsqueeze", "Concat", "Gather", "Slice", "Identity", "Neg"}
    | {"Add", "Sub", "Mul", "Div", "MatMul", "Sqrt", "Reciprocal", "Flatten", "ConstantOfShape", "Shape"}
)


def fold_constant(g: OnnxGraph, node: Any, where: str) -> None:
    """Evaluate a node whose inputs are all constants; its outputs become constants."""
    if node.op_type not in FOLDABLE:
        raise unsupported(f"the operator {node.op_type} on constants", where, "onnx")
    onnx, helper = g.onnx, g.onnx.helper
    reference = require("onnx.reference", "onnx")
    names = [n for n in node.input if n]
    inits = [g.numpy_helper.from_array(np.asarray(g.consts[n]), n) for n in names]
    outs = [helper.make_tensor_value_info(o, onnx.TensorProto.UNDEFINED, None) for o in node.output]
    graph = helper.make_graph([node], "fold", [], outs, initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", max(g.opset, 7))])
    try:
        values = reference.ReferenceEvaluator(model).run(None, {})
    except Exception as exc:  # onnx's evaluator raises many kinds
        raise InvalidArgument(f"onnx: {where} cannot be evaluated on its constants ({type(exc).__name__})") from None
    for name, value in zip(node.output, values, strict=True):
        g.consts[name] = np.asarray(value)
