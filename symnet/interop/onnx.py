"""Import an ONNX model: ``symnet.from_onnx(path_or_model)``.

The graph must be a chain: one data input, every node taking the previous
node's output (its other inputs are initializers or ``Constant`` nodes), and
the graph's one output at its end.  Supported operators: ``Gemm`` (with
``transA``, ``transB``, ``alpha``, ``beta``), ``MatMul``, ``Add``, ``Relu``,
``LeakyRelu``, ``Tanh``, ``Sigmoid``, ``Identity``, ``Flatten`` and ``Reshape``
of a vector (to ``[n]``, ``[1, n]``, ``[-1, n]`` or ``[n, 1]``), and
``Constant``.  Any other operator raises
:class:`~symnet.UnsupportedModelError` naming it and its node.  Every
weight, and ``alpha``/``beta``, is its exact binary rational.

The data is a batch of row vectors (shape ``[N, n]``), one vector (``[n]``)
or a column (``[n, 1]``); the layout is tracked so ``Gemm`` and ``MatMul``
multiply on the correct side.
"""

from __future__ import annotations

import math
import os
from typing import Any

import sympy
from sympy.polys.domains import QQ

from ..errors import InvalidArgument, InvalidType, ShapeError
from ..model.activations import activation
from ..model.domain import from_domain_matrix
from ..model.exact import exact_matrix
from ..model.network import Network
from . import _conv
from ._common import ChainBuilder, exact_number, leaky_relu, require, unsupported

__all__ = ["from_onnx", "load_model"]

#: Largest ONNX file read (bytes).
MAX_ONNX_BYTES = 512 * 1024 * 1024

_ACTIVATIONS = {"Relu": "relu", "Tanh": "tanh", "Sigmoid": "sigmoid"}


def load_model(path_or_model: Any) -> Any:
    """An ``onnx.ModelProto`` from a path, bytes or a ModelProto."""
    onnx = require("onnx", "onnx")
    if isinstance(path_or_model, onnx.ModelProto):
        return path_or_model
    if isinstance(path_or_model, (bytes, bytearray)):
        data = bytes(path_or_model)
    elif isinstance(path_or_model, (str, os.PathLike)):
        size = os.path.getsize(path_or_model)
        if size > MAX_ONNX_BYTES:
            raise InvalidArgument(f"{os.fspath(path_or_model)}: {size} bytes, more than the {MAX_ONNX_BYTES} read")
        with open(path_or_model, "rb") as f:
            data = f.read()
    else:
        raise InvalidType(f"path_or_model={type(path_or_model).__name__} is not a path, bytes or an onnx.ModelProto")
    try:
        return onnx.load_model_from_string(data)
    except Exception as exc:  # protobuf's DecodeError and friends
        raise InvalidArgument(f"not an ONNX model: {type(exc).__name__}: {exc}") from None


def _scaled(m: sympy.ImmutableMatrix, factor: sympy.Rational) -> sympy.ImmutableMatrix:
    if factor == 1:
        return m
    return from_domain_matrix(m._rep.convert_to(QQ) * QQ(int(factor.p), int(factor.q)), dense=True)


def _external_file(tensor: Any, directory: str | os.PathLike[str] | None, where: str) -> str:
    """The checked path of a tensor's external data file: inside ``directory``, symlinks resolved."""
    info = {e.key: e.value for e in tensor.external_data}
    location = info.get("location", "")
    if directory is None:
        raise InvalidArgument(
            f"onnx: {where} keeps its data in the external file {location[:80]!r}; symnet reads no file you did not "
            "name: pass the model's own directory as from_onnx(..., external_data_dir=DIR) to allow it"
        )
    root = os.path.realpath(os.fspath(directory))
    if not os.path.isdir(root):
        raise InvalidArgument(f"onnx: external_data_dir={os.fspath(directory)!r} is not a directory")
    parts = location.replace("\\", "/").split("/")
    absolute = os.path.isabs(location) or location.startswith(("/", "\\")) or ":" in location
    if not location or absolute or ".." in parts or "\0" in location:
        raise InvalidArgument(
            f"onnx: {where} names the external file {location[:80]!r}; only a relative path inside "
            "external_data_dir (no '..', not absolute) is read"
        )
    path = os.path.realpath(os.path.join(root, location))
    if os.path.commonpath([root, path]) != root or not os.path.isfile(path):
        raise InvalidArgument(
            f"onnx: {where}'s external file {location[:80]!r} is not a file inside external_data_dir"
        )
    for key in ("offset", "length"):
        if key in info and not info[key].isdigit():
            raise InvalidArgument(f"onnx: {where}'s external data has a bad {key} {info[key][:20]!r}")
    end = int(info.get("offset", "0")) + int(info.get("length", "0"))
    if end > MAX_ONNX_BYTES or os.path.getsize(path) > MAX_ONNX_BYTES:
        raise InvalidArgument(f"onnx: {where}'s external data is larger than the {MAX_ONNX_BYTES} bytes read")
    return path


class _Chain:
    def __init__(self, model: Any, external_data_dir: str | os.PathLike[str] | None = None) -> None:
        self.onnx = require("onnx", "onnx")
        self.numpy_helper = require("onnx.numpy_helper", "onnx")
        self.external_data_dir = external_data_dir
        graph = model.graph
        self.graph = graph
        if len(graph.sparse_initializer):
            raise unsupported("a sparse initializer", "the graph", "onnx")
        self.consts: dict[str, Any] = {
            t.name: self.tensor(t, f"initializer {t.name[:40]!r}") for t in graph.initializer
        }
        inputs = [v for v in graph.input if v.name not in self.consts]
        if len(inputs) != 1 or len(graph.output) != 1:
            raise unsupported(
                f"a graph with {len(inputs)} data inputs and {len(graph.output)} outputs",
                "the graph",
                "onnx",
                "symnet imports a chain with one input and one output",
            )
        self.data = inputs[0].name
        dims = [d.dim_value if d.HasField("dim_value") else None for d in inputs[0].type.tensor_type.shape.dim]
        self.shape: tuple[int, ...] | None = None  # one sample's (C, *spatial) while convolutions run
        width: int | None
        if len(dims) >= 3 and all(dims[1:]):
            self.shape = tuple(int(d) for d in dims[1:] if d is not None)
            self.layout, width = "row", math.prod(self.shape)
        elif len(dims) == 1:
            self.layout, width = "vec", dims[0]
        elif len(dims) == 2:
            self.layout, width = "row", dims[1]
        else:
            raise unsupported(
                f"an input of rank {len(dims)}", f"input {self.data!r}", "onnx", "give vectors: shape [N, n] or [n]"
            )
        self.chain = ChainBuilder("onnx", width or None)

    def tensor(self, t: Any, where: str) -> Any:
        """A TensorProto as a numpy array; external data only from inside ``external_data_dir`` (checked first)."""
        external = t.data_location == self.onnx.TensorProto.EXTERNAL or len(t.external_data) > 0
        if not external:
            try:
                return self.numpy_helper.to_array(t)
            except Exception as exc:  # a malformed tensor: onnx's own errors are not SymnetErrors
                raise InvalidArgument(f"onnx: {where} is not a readable tensor ({type(exc).__name__})") from None
        path = _external_file(t, self.external_data_dir, where)
        info = {e.key: e.value for e in t.external_data}
        offset = int(info.get("offset", "0"))
        with open(path, "rb") as f:  # the resolved path: onnx never opens a file itself
            f.seek(offset)
            raw = f.read(int(info["length"])) if "length" in info else f.read()
        inline = self.onnx.TensorProto()
        inline.CopyFrom(t)
        del inline.external_data[:]
        inline.data_location = self.onnx.TensorProto.DEFAULT
        inline.raw_data = raw
        try:
            return self.numpy_helper.to_array(inline)
        except Exception as exc:
            raise InvalidArgument(
                f"onnx: {where}'s external data cannot be read ({type(exc).__name__}: {str(exc)[:100]})"
            ) from None

    def const(self, name: str, where: str) -> Any:
        if name not in self.consts:
            raise unsupported(
                f"a node whose input {name!r} is neither the data nor a constant",
                where,
                "onnx",
                "symnet imports a chain of layers",
            )
        return self.consts[name]

    def attrs(self, node: Any) -> dict[str, Any]:
        return {a.name: self.onnx.helper.get_attribute_value(a) for a in node.attribute}

    def out_shape(self, m: int) -> tuple[int, ...]:
        return {"row": (1, m), "vec": (m,), "col": (m, 1)}[self.layout]

    def bias(self, c: Any, m: int, where: str) -> Any:
        import numpy as np

        shape = self.out_shape(m)
        try:
            ok = np.broadcast_shapes(np.shape(c), shape) == shape
        except ValueError:
            ok = False
        if not ok:
            raise ShapeError(
                f"onnx: {where} adds a constant of shape {list(np.shape(c))} to data of shape {list(shape)}"
            )
        return np.broadcast_to(c, shape).reshape(m)

    # ----------------------------------------------------------- operators
    def run(self) -> Network:
        import numpy as np

        for index, node in enumerate(self.graph.node):
            where = f"node {index} ({node.op_type} {node.name!r})" if node.name else f"node {index} ({node.op_type})"
            op = node.op_type
            if node.domain not in ("", "ai.onnx"):
                raise unsupported(f"the operator {node.domain}.{op}", where, "onnx")
            if op == "Constant":
                value = self.attrs(node).get("value")
                if value is None:
                    raise unsupported("a Constant without a tensor value", where, "onnx")
                self.consts[node.output[0]] = self.tensor(value, where)
                continue
            data_inputs = [i for i, name in enumerate(node.input) if name == self.data]
            if len(data_inputs) != 1:
                raise unsupported(
                    f"{op} on something other than the previous node's output",
                    where,
                    "onnx",
                    "symnet imports a chain of layers",
                )
            at = data_inputs[0]
            a = self.attrs(node)
            if op in _conv.ONNX_OPS and at == 0 and self.shape is not None:  # convolutions: symnet/interop/_conv.py
                w, b = (self.const(n, where) if n else None for n in [*node.input[1:3], "", ""][:2])
                self.shape = _conv.onnx_layer(self.chain, op, a, w, b, self.shape, where)
            elif op == "Gemm":
                self.gemm(node, at, a, where)
            elif op == "MatMul":
                other = np.asarray(self.const(node.input[1 - at], where))
                if other.ndim != 2:
                    raise unsupported(f"MatMul with a constant of rank {other.ndim}", where, "onnx")
                if at == 0:
                    if self.layout == "col":
                        raise ShapeError(f"onnx: {where} multiplies a column [n, 1] from the left")
                    self.chain.linear(other.T, None, where)
                else:
                    if self.layout == "row":
                        raise ShapeError(f"onnx: {where} multiplies a row [N, n] from the right")
                    self.chain.linear(other, None, where)
            elif op == "Add":
                width = self.chain.width
                c = self.const(node.input[1 - at], where)
                if width is None:
                    width = int(np.size(c))
                shift = self.bias(c, width, where)
                values = exact_matrix(shift.reshape(1, -1), f"{where} constant").args[2].args
                self.chain.scale_shift([sympy.Integer(1)] * width, list(values), where)
            elif op in _ACTIVATIONS:
                self.chain.activation(activation(_ACTIVATIONS[op]), where)
            elif op == "LeakyRelu":
                self.chain.activation(
                    leaky_relu(exact_number(float(a.get("alpha", np.float32(0.01))), f"{where} alpha")), where
                )
            elif op == "Identity":
                pass
            elif op == "Flatten":
                self.flatten(int(a.get("axis", 1)), where)
            elif op == "Reshape":
                self.reshape(np.asarray(self.const(node.input[1], where)).astype(np.int64).tolist(), where)
            else:
                raise unsupported(f"the operator {op}", where, "onnx")
            if len(node.output) != 1:
                raise unsupported(f"{op} with {len(node.output)} outputs", where, "onnx")
            if op not in _conv.ONNX_OPS + ("Relu", "LeakyRelu", "Tanh", "Sigmoid", "Identity"):
                self.shape = None  # the data is a vector from here on
            self.data = node.output[0]
        if self.data != self.graph.output[0].name:
            raise unsupported(
                "a graph whose output is not the end of its chain", f"output {self.graph.output[0].name!r}", "onnx"
            )
        return self.chain.network()

    def gemm(self, node: Any, at: int, a: dict[str, Any], where: str) -> None:
        import numpy as np

        alpha = exact_number(float(a.get("alpha", 1.0)), f"{where} alpha")
        beta = exact_number(float(a.get("beta", 1.0)), f"{where} beta")
        trans_a, trans_b = int(a.get("transA", 0)), int(a.get("transB", 0))
        if len(node.input) < 2 or at > 1:
            raise unsupported("Gemm whose bias C is the data", where, "onnx")
        other = np.asarray(self.const(node.input[1 - at], where))
        if other.ndim != 2:
            raise unsupported(f"Gemm with a constant of rank {other.ndim}", where, "onnx")
        if at == 0:  # Y = alpha * A' B' + beta C, A' = data as a row: W = alpha * B'^T
            want = "col" if trans_a else "row"
            if self.layout not in (want, "vec") or (self.layout == "vec" and trans_a):
                raise ShapeError(f"onnx: {where} has transA={trans_a} but the data is laid out as a {self.layout}")
            b_prime = other.T if trans_b else other
            weights = b_prime.T
            out = "row"
        else:  # Y = alpha * A' B' + beta C, B' = data as a column: W = alpha * A'
            want = "row" if trans_b else "col"
            if self.layout != want:
                raise ShapeError(f"onnx: {where} has transB={trans_b} but the data is laid out as a {self.layout}")
            weights = other.T if trans_a else other
            out = "col"
        self.layout = out
        w = _scaled(exact_matrix(weights, f"{where} weights"), alpha)
        m = w.rows
        if len(node.input) > 2 and node.input[2]:
            c = self.bias(self.const(node.input[2], where), m, where)
            cm = _scaled(exact_matrix(c.reshape(m, 1), f"{where} C"), beta)
        else:
            cm = None
        self.chain.linear(w, cm, where)

    def flatten(self, axis: int, where: str) -> None:
        table = {
            ("row", 1): "row",
            ("vec", 1): "col",
            ("vec", 0): "row",
            ("col", 1): "col",
            ("row", -1): "row",
            ("col", -1): "col",
        }
        new = table.get((self.layout, axis))
        if new is None:
            raise unsupported(f"Flatten with axis={axis} of a {self.layout}", where, "onnx")
        self.layout = new

    def reshape(self, shape: list[int], where: str) -> None:
        n = self.chain.width
        current = {"row": [1, n], "vec": [n], "col": [n, 1]}[self.layout]
        resolved = [current[i] if (v == 0 and i < len(current)) else v for i, v in enumerate(shape)]
        if resolved in ([n], [-1]):
            self.layout = "vec"
        elif len(resolved) == 2 and resolved[1] == n and resolved[0] in (1, -1) or resolved in ([1, -1],):
            self.layout = "row"
        elif len(resolved) == 2 and resolved[0] in (n, -1) and resolved[1] == 1:
            self.layout = "col"
        else:
            raise unsupported(f"Reshape to {shape} (not a reshape of a vector of {n})", where, "onnx")


def from_onnx(path_or_model: Any, *, external_data_dir: str | os.PathLike[str] | None = None) -> Network:
    """The exact symnet Network of an ONNX model (a path, bytes or an ``onnx.ModelProto``).

    A tensor whose data lives in an external file is refused
    (:class:`~symnet.InvalidArgument`) unless ``external_data_dir`` names the
    directory to read it from (the model's own directory); even then only a
    relative path inside that directory (symlinks resolved) is read.
    Raises :class:`~symnet.UnsupportedModelError` for an operator or a graph
    shape symnet does not translate, naming the node.
    """
    return _Chain(load_model(path_or_model), external_data_dir).run()
