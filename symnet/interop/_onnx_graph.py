"""The state of an ONNX import: the constants, the data tensor's shape, and where its features are.

The data flowing through the chain is a tensor whose axes split into three
runs: leading batch axes, a block of *feature* axes (``span``, flattened in C
order these are the network's n inputs or the current layer's outputs), and
trailing batch axes.  Every operator acts on the features alone, the same way
for every batch position; an operator that would mix the features with a
batch axis is refused.  The span is kept maximal: unit axes next to it belong
to it, so ``[1, 1, 1, 5]`` is 5 features and ``[N, 5]`` is N rows of 5.

A dimension is an ``int`` or ``None`` (unknown, e.g. the batch size ``N``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidArgument, InvalidType, ShapeError
from ._common import ChainBuilder, require, unsupported

__all__ = ["MAX_ONNX_BYTES", "OnnxGraph", "Step", "inline_external_data", "load_model", "prod_dims", "read_tensor"]

#: Largest ONNX file read (bytes).
MAX_ONNX_BYTES = 512 * 1024 * 1024

Dim = int | None


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


def _external_file(tensor: Any, directory: str | os.PathLike[str] | None, where: str) -> str:
    """The checked path of a tensor's external data file: inside ``directory``, symlinks resolved."""
    info = {e.key: e.value for e in tensor.external_data}
    location = info.get("location", "")
    if directory is None:
        raise InvalidArgument(
            f"onnx: {where} keeps its data in the external file {location[:80]!r}; symnet reads no file you did not "
            "name: pass the model's own directory as from_onnx(..., external_data_dir=DIR) "
            "(on the command line: --external-data-dir DIR) to allow it"
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
        raise InvalidArgument(f"onnx: {where}'s external file {location[:80]!r} is not a file inside external_data_dir")
    for key in ("offset", "length"):
        if key in info and not info[key].isdigit():
            raise InvalidArgument(f"onnx: {where}'s external data has a bad {key} {info[key][:20]!r}")
    end = int(info.get("offset", "0")) + int(info.get("length", "0"))
    if end > MAX_ONNX_BYTES or os.path.getsize(path) > MAX_ONNX_BYTES:
        raise InvalidArgument(f"onnx: {where}'s external data is larger than the {MAX_ONNX_BYTES} bytes read")
    return path


def read_tensor(t: Any, directory: str | os.PathLike[str] | None, where: str) -> Any:
    """A TensorProto as a numpy array; external data only from a checked file inside ``directory``."""
    onnx = require("onnx", "onnx")
    numpy_helper = require("onnx.numpy_helper", "onnx")
    external = t.data_location == onnx.TensorProto.EXTERNAL or len(t.external_data) > 0
    if not external:
        try:
            return numpy_helper.to_array(t)
        except Exception as exc:  # a malformed tensor: onnx's own errors are not SymnetErrors
            raise InvalidArgument(f"onnx: {where} is not a readable tensor ({type(exc).__name__})") from None
    path = _external_file(t, directory, where)
    info = {e.key: e.value for e in t.external_data}
    offset = int(info.get("offset", "0"))
    with open(path, "rb") as f:  # the resolved path: onnx never opens a file itself
        f.seek(offset)
        raw = f.read(int(info["length"])) if "length" in info else f.read()
    inline = onnx.TensorProto()
    inline.CopyFrom(t)
    del inline.external_data[:]
    inline.data_location = onnx.TensorProto.DEFAULT
    inline.raw_data = raw
    try:
        return numpy_helper.to_array(inline)
    except Exception as exc:
        raise InvalidArgument(
            f"onnx: {where}'s external data cannot be read ({type(exc).__name__}: {str(exc)[:100]})"
        ) from None


def inline_external_data(model: Any, directory: str | os.PathLike[str] | None) -> Any:
    """A copy of ``model`` whose initializers hold their external data inline (read by :func:`read_tensor`)."""
    onnx = require("onnx", "onnx")
    numpy_helper = require("onnx.numpy_helper", "onnx")
    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    for t in copy.graph.initializer:
        if t.data_location == onnx.TensorProto.EXTERNAL or len(t.external_data) > 0:
            t.CopyFrom(numpy_helper.from_array(read_tensor(t, directory, f"initializer {t.name[:40]!r}"), t.name))
    return copy


def prod_dims(dims: list[Dim] | tuple[Dim, ...]) -> tuple[int, int]:
    """The product of dimensions as (known part, number of unknown factors)."""
    known, unknown = 1, 0
    for d in dims:
        if d is None:
            unknown += 1
        else:
            known *= d
    return known, unknown


@dataclass(frozen=True)
class Step:
    """One node being imported: the node, which of its inputs is the data, its attributes, and its position."""

    node: Any
    at: int
    attrs: dict[str, Any]
    where: str


class OnnxGraph:
    """Constants, the data's shape and feature span, and the network being built (``chain``)."""

    def __init__(self, model: Any, external_data_dir: str | os.PathLike[str] | None, batchnorm: str) -> None:
        self.onnx = require("onnx", "onnx")
        self.numpy_helper = require("onnx.numpy_helper", "onnx")
        self.external_data_dir = external_data_dir
        self.batchnorm = batchnorm
        self.opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
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
        dims: list[Dim] = [
            d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else None
            for d in inputs[0].type.tensor_type.shape.dim
        ]
        if not 1 <= len(dims) <= 4:
            raise unsupported(
                f"an input of rank {len(dims)}",
                f"input {self.data!r}",
                "onnx",
                "give vectors ([n]), batches of them ([N, n]) or tensors of rank 3 or 4 with a batch axis first",
            )
        self.shape: list[Dim] = dims
        self.span = (0, 1) if len(dims) == 1 else (1, len(dims))
        self.normalise()
        width = self.features
        self.chain = ChainBuilder("onnx", width)
        self.used = {name for node in graph.node for name in node.input} | {o.name for o in graph.output}

    # -------------------------------------------------------------- tensors
    def tensor(self, t: Any, where: str) -> Any:
        """A TensorProto as a numpy array; external data only from inside ``external_data_dir`` (checked first)."""
        return read_tensor(t, self.external_data_dir, where)

    def const(self, name: str, where: str) -> Any:
        """The constant (initializer or Constant output) called ``name`` as a numpy array."""
        if name not in self.consts:
            raise unsupported(
                f"a node whose input {name!r} is neither the data nor a constant",
                where,
                "onnx",
                "symnet imports a chain of layers",
            )
        return self.consts[name]

    def optional_const(self, step: Step, index: int) -> Any:
        """Input ``index`` of the node as a constant, or None when it is absent or empty."""
        inputs = step.node.input
        if index >= len(inputs) or not inputs[index]:
            return None
        return self.const(inputs[index], step.where)

    def attrs(self, node: Any) -> dict[str, Any]:
        """The node's attributes by name, as Python values."""
        return {a.name: self.onnx.helper.get_attribute_value(a) for a in node.attribute}

    # --------------------------------------------------------------- shapes
    @property
    def features(self) -> int | None:
        """The number of features (None while unknown)."""
        known, unknown = prod_dims(self.shape[self.span[0] : self.span[1]])
        return None if unknown else known

    def normalise(self) -> None:
        """Widen the span over the unit axes next to it."""
        fs, fe = self.span
        while fs > 0 and self.shape[fs - 1] == 1:
            fs -= 1
        while fe < len(self.shape) and self.shape[fe] == 1:
            fe += 1
        self.span = (fs, fe)

    def set_data(self, shape: list[Dim], span: tuple[int, int]) -> None:
        """The data's new shape and feature span (widened over neighbouring unit axes)."""
        self.shape, self.span = list(shape), span
        self.normalise()

    def describe(self) -> str:
        """The data's shape as text, e.g. ``[N, 5]``."""
        return "[" + ", ".join("N" if d is None else str(d) for d in self.shape) + "]"

    def features_on(self, axis: int, step: Step) -> None:
        """Check that the features all lie on ``axis`` (the other span axes are units); ShapeError otherwise."""
        rank = len(self.shape)
        axis = axis % rank if rank else 0
        fs, fe = self.span
        others = [self.shape[a] for a in range(fs, fe) if a != axis]
        if not (fs <= axis < fe) or any(d != 1 for d in others):
            raise ShapeError(
                f"onnx: {step.where} acts on axis {axis} of data of shape {self.describe()}, "
                f"whose features lie on axes {fs}..{fe - 1}"
            )

    def pad(self, rank: int) -> None:
        """Prepend unit axes up to ``rank`` (numpy broadcasting)."""
        extra = rank - len(self.shape)
        if extra > 0:
            self.set_data([1] * extra + self.shape, (self.span[0] + extra, self.span[1] + extra))

    def per_feature(self, value: Any, step: Step) -> Any:
        """A constant broadcast against the data, as one value per feature (1-D numpy array, its own dtype).

        The constant may vary along the feature axes only; one that would
        broadcast the data to a larger shape, or vary along a batch axis, is
        refused (ShapeError).
        """
        import numpy as np

        c = np.asarray(value)
        self.pad(c.ndim)
        rank = len(self.shape)
        cs = (1,) * (rank - c.ndim) + tuple(c.shape)
        fs, fe = self.span
        for axis, (d, k) in enumerate(zip(self.shape, cs, strict=True)):
            if k == 1:
                continue
            if not fs <= axis < fe or (d is not None and d != k):
                raise ShapeError(
                    f"onnx: {step.where} combines data of shape {self.describe()} with a constant of shape "
                    f"{list(c.shape)}: it may vary along the feature axes {fs}..{fe - 1} only, not enlarge the data"
                )
            if d is None:  # the constant tells the width
                self.shape[axis] = k
        if any(self.shape[a] is None for a in range(fs, fe)):
            raise ShapeError(f"onnx: {step.where} needs the data's width, which the graph leaves unknown")
        index = tuple(slice(None) if fs <= a < fe else slice(0, 1) for a in range(rank))
        block = c.reshape(cs)[index]
        return np.broadcast_to(block, tuple(1 if not fs <= a < fe else self.shape[a] for a in range(rank))).reshape(-1)

    def reshape(self, target: list[Dim], step: Step) -> None:
        """The data reshaped to ``target`` (resolved dims, ``None`` unknown); the features must stay one block."""
        self.reshape_pairs([(1, 1) if d is None else (d, 0) for d in target], step)

    def reshape_pairs(self, pairs: list[tuple[int, int]], step: Step) -> None:
        """:meth:`reshape` to dims given as (known factor, number of unknown factors)."""
        target: list[Dim] = [k if u == 0 else None for k, u in pairs]
        outer = prod_dims(self.shape[: self.span[0]])
        inner = prod_dims(self.shape[self.span[1] :])
        width = prod_dims(self.shape[self.span[0] : self.span[1]])
        n = len(pairs)
        for fs in range(n + 1):
            if _prod_pairs(pairs[:fs]) != outer:
                continue
            for fe in range(n, fs - 1, -1):
                if _prod_pairs(pairs[fe:]) == inner and _prod_pairs(pairs[fs:fe]) == width:
                    self.set_data(list(target), (fs, fe))
                    return
        raise unsupported(
            f"{step.node.op_type} of data of shape {self.describe()} (features on axes "
            f"{self.span[0]}..{self.span[1] - 1}) to {['N' if d is None else d for d in target]}",
            step.where,
            "onnx",
            "the features must stay one block, apart from the batch axes",
        )

    def resolve(self, shape: list[int], step: Step, allowzero: bool = False) -> list[Dim]:
        """A Reshape target with 0 (copy) and -1 (the rest) resolved against the data's shape."""
        out: list[Dim] = []
        for i, v in enumerate(shape):
            if v == 0 and not allowzero:
                if i >= len(self.shape):
                    raise ShapeError(f"onnx: {step.where} copies axis {i} of a tensor of rank {len(self.shape)}")
                out.append(self.shape[i])
            elif v < -1 or v == 0:
                raise ShapeError(f"onnx: {step.where} reshapes to the dimension {v}")
            else:
                out.append(v)
        if out.count(-1) > 1:
            raise ShapeError(f"onnx: {step.where} has more than one -1 in its shape")
        if -1 in out:
            total, others = prod_dims(self.shape), prod_dims([d for d in out if d != -1])
            if total[0] % others[0] or total[1] < others[1]:
                raise ShapeError(f"onnx: {step.where} cannot reshape {self.describe()} to {shape}")
            rest = (total[0] // others[0], total[1] - others[1])
            out[out.index(-1)] = rest[0] if rest[1] == 0 else None
            if rest[1] > 1 or (rest[1] == 1 and rest[0] != 1):
                raise unsupported(f"Reshape to {shape} of data of shape {self.describe()}", step.where, "onnx")
        return out


def _prod_pairs(pairs: list[tuple[int, int]]) -> tuple[int, int]:
    known, unknown = 1, 0
    for k, u in pairs:
        known *= k
        unknown += u
    return known, unknown
