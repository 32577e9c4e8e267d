"""Convolutions and average pooling as exact sparse affine maps (for the torch and ONNX importers).

A convolution of an input of shape ``(C, *spatial)`` (one sample, channels
first, flattened row-major as torch and ONNX lay it out) is the affine map
``z = W u + b`` whose matrix ``W`` has one row per output element and, in that
row, one entry per kernel tap that falls inside the (zero-padded) input.
This module does that index arithmetic and returns ``W`` as a
:class:`~symnet.model.exact.SparseQQMatrix` (every float weight at its exact
binary value; zeros are not stored) with its bias column.  Nothing here is
trusted: the kernel checks a proof against the matrices the network states,
not against the convolution they came from.

Spatial dimensions are any number (1 for ``Conv1d``, 2 for ``Conv2d``);
``stride``, ``dilation`` and the padding are per dimension, padding as
``(begin, end)`` pairs (ONNX's ``pads`` may be asymmetric); ``groups``
splits the channels as torch and ONNX define it.

>>> import numpy as np
>>> w, b, shape = conv_layer(np.ones((1, 1, 2)), None, (1, 3))
>>> shape, w.shape, w.nnz
((1, 2), (2, 3), 4)
>>> w
Matrix([
[1, 1, 0],
[0, 1, 1]])
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy
from sympy.polys.domains import QQ
from sympy.polys.matrices import DomainMatrix
from sympy.polys.matrices.sdm import SDM

from ..errors import InvalidArgument, InvalidType, ShapeError
from ..model.arrays import exact_vector
from ..model.domain import from_domain_matrix
from ..model.exact import SparseQQMatrix, sparse_matrix
from ._common import require, unsupported

__all__ = [
    "ONNX_OPS",
    "avg_pool_layer",
    "conv_layer",
    "input_shape_of",
    "onnx_handler",
    "onnx_layer",
    "out_size",
    "torch_handler",
    "torch_layer",
]

Shape = tuple[int, ...]


def out_size(n: int, k: int, stride: int, dilation: int, pad: tuple[int, int], where: str) -> int:
    """The output length of one spatial dimension (floor mode, as torch and ONNX compute it)."""
    span = dilation * (k - 1) + 1
    total = n + pad[0] + pad[1]
    if total < span:
        raise ShapeError(f"{where}: the kernel (extent {span}) is larger than the padded input ({total})")
    return (total - span) // stride + 1


def _ints(values: Any, d: int, name: str, where: str, low: int) -> Shape:
    t = (int(values),) * d if np.ndim(values) == 0 else tuple(int(v) for v in values)
    if len(t) != d or any(v < low for v in t):
        raise InvalidArgument(f"{where}: {name}={list(t)} needs {d} integers >= {low}")
    return t


def _pads(padding: Any, d: int, where: str) -> tuple[tuple[int, int], ...]:
    """Padding as (begin, end) per dimension from an int, d ints (symmetric) or 2d ints (ONNX: begins, then ends)."""
    flat = [int(padding)] * d if np.ndim(padding) == 0 else [int(v) for v in padding]
    if len(flat) == d:
        flat = flat + flat
    if len(flat) != 2 * d or any(v < 0 for v in flat):
        raise InvalidArgument(f"{where}: padding={flat} needs {d} or {2 * d} integers >= 0")
    return tuple((flat[i], flat[i + d]) for i in range(d))


def _fmpq_entries(array: Any, where: str) -> list[Any]:
    """The entries of a float or int array as exact QQ elements, row-major (floats at their binary values)."""
    column = exact_vector(np.asarray(array).reshape(-1), where)
    return [QQ(int(v.p), int(v.q)) for v in column.args[2].args]


def _taps(
    in_spatial: Shape, kernel: Shape, stride: Shape, dilation: Shape, pads: tuple[tuple[int, int], ...], where: str
) -> tuple[Shape, list[tuple[int, list[tuple[int, int]]]]]:
    """The output shape and, per output position, the (kernel tap, input position) pairs inside the input."""
    out = tuple(
        out_size(n, k, s, dl, p, where)
        for n, k, s, dl, p in zip(in_spatial, kernel, stride, dilation, pads, strict=True)
    )
    in_strides = [math.prod(in_spatial[i + 1 :]) for i in range(len(in_spatial))]
    taps = list(itertools.product(*(range(k) for k in kernel)))
    result = []
    for o_flat, pos in enumerate(itertools.product(*(range(n) for n in out))):
        pairs = []
        for t_flat, tap in enumerate(taps):
            i_flat = 0
            for axis, (o, k) in enumerate(zip(pos, tap, strict=True)):
                x = o * stride[axis] - pads[axis][0] + k * dilation[axis]
                if not 0 <= x < in_spatial[axis]:
                    break
                i_flat += x * in_strides[axis]
            else:
                pairs.append((t_flat, i_flat))
        result.append((o_flat, pairs))
    return out, result


def conv_layer(
    weight: Any,
    bias: Any | None,
    in_shape: Shape,
    *,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
    where: str = "conv",
) -> tuple[SparseQQMatrix, sympy.ImmutableMatrix, Shape]:
    """A convolution as ``(W, b, output shape)``: ``W`` sparse over QQ, ``b`` the bias column, exactly.

    ``weight`` has shape ``(C_out, C_in / groups, *kernel)`` and ``in_shape`` is
    ``(C_in, *spatial)``; the output shape is ``(C_out, *out_spatial)``.
    """
    weight = np.asarray(weight)
    d = weight.ndim - 2
    if d < 1 or len(in_shape) != d + 1:
        raise ShapeError(f"{where}: a weight of rank {weight.ndim} does not fit an input of shape {list(in_shape)}")
    c_out, c_per_group, kernel = weight.shape[0], weight.shape[1], tuple(weight.shape[2:])
    c_in, spatial = in_shape[0], tuple(in_shape[1:])
    if groups < 1 or c_in % groups or c_out % groups or c_in // groups != c_per_group:
        raise ShapeError(
            f"{where}: groups={groups} with {c_in} input channels and a weight of shape {list(weight.shape)}"
        )
    stride_, dilation_ = _ints(stride, d, "stride", where, 1), _ints(dilation, d, "dilation", where, 1)
    out, positions = _taps(spatial, kernel, stride_, dilation_, _pads(padding, d, where), where)
    values = _fmpq_entries(weight, f"{where} weight")
    n_in, n_out, n_taps = math.prod(spatial), math.prod(out), math.prod(kernel)
    out_per_group = c_out // groups
    rows: dict[int, dict[int, Any]] = {}
    for o in range(c_out):
        first = (o // out_per_group) * c_per_group
        for o_flat, pairs in positions:
            row = {}
            for ci in range(c_per_group):
                base = (o * c_per_group + ci) * n_taps
                col0 = (first + ci) * n_in
                for t, i in pairs:
                    v = values[base + t]
                    if v:
                        row[col0 + i] = v
            if row:
                rows[o * n_out + o_flat] = row
    w = sparse_matrix(DomainMatrix.from_rep(SDM(rows, (c_out * n_out, c_in * n_in), QQ)))
    channel = _fmpq_entries(np.zeros(c_out) if bias is None else bias, f"{where} bias")
    if len(channel) != c_out:
        raise ShapeError(f"{where}: a bias of {len(channel)} entries for {c_out} output channels")
    b = _column([v for v in channel for _ in range(n_out)])
    return w, b, (c_out, *out)


def avg_pool_layer(
    in_shape: Shape,
    kernel: Any,
    *,
    stride: Any = None,
    padding: Any = 0,
    count_include_pad: bool = True,
    divisor: int | None = None,
    where: str = "average pool",
) -> tuple[SparseQQMatrix, sympy.ImmutableMatrix, Shape]:
    """Average pooling (floor mode) as ``(W, b, output shape)``, exactly; ``b`` is zero.

    Each output is the sum of its window's inputs divided by ``divisor`` when
    given (torch's ``divisor_override``), else by the window size
    (``count_include_pad``) or by the number of its taps inside the input.
    """
    c, spatial = in_shape[0], tuple(in_shape[1:])
    d = len(spatial)
    kernel_ = _ints(kernel, d, "kernel_size", where, 1)
    empty = stride is None or (np.ndim(stride) > 0 and len(stride) == 0)  # torch's default: the kernel size
    stride_ = kernel_ if empty else _ints(stride, d, "stride", where, 1)
    pads = _pads(padding, d, where)
    out, positions = _taps(spatial, kernel_, stride_, (1,) * d, pads, where)
    n_in, n_out = math.prod(spatial), math.prod(out)
    rows: dict[int, dict[int, Any]] = {}
    for ch in range(c):
        for o_flat, pairs in positions:
            if divisor is not None:
                count = divisor
            elif count_include_pad:  # in floor mode every window lies inside the padded input
                count = math.prod(kernel_)
            else:
                count = len(pairs)
            if count <= 0 or not pairs:
                raise InvalidArgument(f"{where}: an output window has no input to average (division by zero)")
            share = QQ(1, count)
            rows[ch * n_out + o_flat] = {ch * n_in + i: share for _, i in pairs}
    w = sparse_matrix(DomainMatrix.from_rep(SDM(rows, (c * n_out, c * n_in), QQ)))
    return w, _column([QQ(0)] * (c * n_out)), (c, *out)


def _column(values: Sequence[Any]) -> sympy.ImmutableMatrix:
    """An exact column over QQ (dense: a bias)."""
    dm = DomainMatrix([[v] for v in values], (len(values), 1), QQ).to_dense()
    return from_domain_matrix(dm, dense=True)


# ------------------------------------------------------------------ importers
def _array(tensor: Any) -> Any:
    """A torch tensor as a numpy array (half precisions widened exactly)."""
    t = tensor.detach().cpu()
    if t.dtype.itemsize < 4:
        t = t.double()  # exact widening of float16 / bfloat16
    return t.numpy()


def _torch_padding(layer: Any, kernel: Shape, where: str) -> Any:
    """torch's ``padding`` (ints, 'valid' or 'same') as ONNX-style begins + ends."""
    padding = layer.padding
    if padding == "valid":
        return 0
    if padding == "same":  # torch pads the extra element at the end
        totals = [dl * (k - 1) for dl, k in zip(layer.dilation, kernel, strict=True)]
        return [t // 2 for t in totals] + [t - t // 2 for t in totals]
    return padding


def torch_layer(chain: Any, layer: Any, shape: Shape | None, where: str) -> tuple[bool, Shape | None]:
    """Translate a torch convolution, average pool or flatten into ``chain``; ``(handled, shape after it)``.

    ``shape`` is the per-sample shape of the data, ``(C, *spatial)``, or
    None when it is unknown; layers this function does not translate report
    the shape after them when it is plain (a Linear gives a vector).
    """
    nn = require("torch.nn", "torch")
    if isinstance(layer, (nn.Conv1d, nn.Conv2d, nn.AvgPool1d, nn.AvgPool2d)):
        d = 1 if isinstance(layer, (nn.Conv1d, nn.AvgPool1d)) else 2
        if shape is None or len(shape) != d + 1:
            raise InvalidArgument(
                f"torch: {where} needs the shape of its input, (C, L) for 1-d or (C, H, W) for 2-d: give "
                f"from_torch(model, input_shape=...) (the input's shape without the batch axis); it has {shape}"
            )
        if isinstance(layer, (nn.Conv1d, nn.Conv2d)):
            if layer.padding_mode != "zeros":
                raise unsupported(f"a convolution with padding_mode={layer.padding_mode!r}", where, "torch")
            kernel = tuple(layer.kernel_size)
            bias = None if layer.bias is None else _array(layer.bias)
            w, b, out = conv_layer(
                _array(layer.weight),
                bias,
                shape,
                stride=layer.stride,
                padding=_torch_padding(layer, kernel, where),
                dilation=layer.dilation,
                groups=layer.groups,
                where=where,
            )
        else:
            if layer.ceil_mode:
                raise unsupported("an average pool with ceil_mode=True", where, "torch", "use the default floor mode")
            w, b, out = avg_pool_layer(
                shape,
                layer.kernel_size,
                stride=layer.stride,
                padding=layer.padding,
                count_include_pad=bool(layer.count_include_pad),
                divisor=getattr(layer, "divisor_override", None),
                where=where,
            )
        chain.linear(w, b, where)
        return True, out
    if isinstance(layer, nn.Flatten):
        if shape is None or len(shape) == 1:
            return True, shape  # the identity on a batch of vectors
        if layer.start_dim != 1 or layer.end_dim != -1:
            raise unsupported(f"Flatten(start_dim={layer.start_dim}, end_dim={layer.end_dim})", where, "torch")
        return True, (math.prod(shape),)
    if isinstance(layer, nn.Linear):
        return False, (int(layer.out_features),)
    return False, shape


def input_shape_of(input_shape: Any) -> Shape | None:
    """A user's ``input_shape`` (None, or positive ints such as (C, H, W)) checked."""
    if input_shape is None:
        return None
    if isinstance(input_shape, (str, bytes)) or not isinstance(input_shape, Sequence) or not input_shape:
        raise InvalidType(f"input_shape={input_shape!r} must be a tuple of positive ints such as (1, 28, 28)")
    if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0 for n in input_shape):
        raise InvalidArgument(f"input_shape={tuple(input_shape)!r} must hold positive ints such as (1, 28, 28)")
    return tuple(int(n) for n in input_shape)


#: The ONNX operators this module translates (the onnx importer's dispatch hands them to :func:`onnx_layer`).
ONNX_OPS = ("Conv", "AveragePool")


def onnx_layer(chain: Any, op: str, attrs: dict[str, Any], weight: Any, bias: Any, shape: Shape, where: str) -> Shape:
    """Translate an ONNX ``Conv`` or ``AveragePool`` into ``chain``; the per-sample shape ``(C, *spatial)`` after it.

    ``attrs`` are the node's attributes, ``weight`` and ``bias`` its constant
    inputs (None when absent; AveragePool has none).
    """
    d = len(shape) - 1
    auto_pad = attrs.get("auto_pad", b"NOTSET")
    auto_pad = auto_pad.decode() if isinstance(auto_pad, bytes) else str(auto_pad)
    if op == "Conv":
        if weight is None:
            raise unsupported("Conv whose weight is not a constant", where, "onnx")
        kernel = tuple(np.shape(weight)[2:])
    else:
        kernel = tuple(int(k) for k in attrs.get("kernel_shape", ()))
        if attrs.get("ceil_mode", 0):
            raise unsupported("AveragePool with ceil_mode=1", where, "onnx")
    if d < 1 or len(kernel) != d:
        raise ShapeError(f"onnx: {where} has a kernel of shape {list(kernel)} for data of shape {list(shape)}")
    strides = attrs.get("strides", [1] * d)  # ONNX: 1 for pools too
    dilations = attrs.get("dilations", [1] * d)
    pads: Any = attrs.get("pads", [0] * (2 * d))
    if auto_pad == "VALID":
        pads = [0] * (2 * d)
    elif auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        pads = _same_pads(shape[1:], kernel, strides, dilations, upper=auto_pad == "SAME_UPPER")
    elif auto_pad != "NOTSET":
        raise unsupported(f"{op} with auto_pad={auto_pad!r}", where, "onnx")
    if op == "Conv":
        w, b, out = conv_layer(
            weight,
            bias,
            shape,
            stride=strides,
            padding=pads,
            dilation=dilations,
            groups=int(attrs.get("group", 1)),
            where=where,
        )
    else:
        if any(int(v) != 1 for v in dilations):
            raise unsupported("AveragePool with dilations", where, "onnx")
        w, b, out = avg_pool_layer(
            shape,
            kernel,
            stride=strides,
            padding=pads,
            count_include_pad=bool(attrs.get("count_include_pad", 0)),
            where=where,
        )
    chain.linear(w, b, where)
    return out


def _same_pads(spatial: Shape, kernel: Shape, strides: Any, dilations: Any, *, upper: bool) -> list[int]:
    """ONNX's SAME_UPPER / SAME_LOWER padding: output = ceil(input / stride), the odd element at the end (upper)."""
    begins, ends = [], []
    for n, k, s, dl in zip(spatial, kernel, strides, dilations, strict=True):
        total = max((-(-n // int(s)) - 1) * int(s) + (k - 1) * int(dl) + 1 - n, 0)
        small, large = total // 2, total - total // 2
        begins.append(small if upper else large)
        ends.append(large if upper else small)
    return begins + ends


# -------------------------------------------------- handlers for table-driven importers
def onnx_handler(g: Any, step: Any) -> None:
    """An ONNX operator handler (``g``: the import's graph state, ``step``: the node) for Conv and AveragePool.

    The data must be ``[N, C, *spatial]`` with the features on axes 1.. (N
    may be unknown); afterwards it is ``[N, C_out, *out_spatial]``.
    """
    shape = list(g.shape)
    if step.at != 0 or len(shape) < 3 or None in shape[1:] or g.span[1] != len(shape) or g.span[0] > 1:
        raise ShapeError(
            f"onnx: {step.where} needs data of shape [N, C, *spatial] with known sizes, not {g.describe()}"
        )
    weight, bias = g.optional_const(step, 1), g.optional_const(step, 2)
    out = onnx_layer(g.chain, step.node.op_type, step.attrs, weight, bias, tuple(shape[1:]), step.where)
    g.set_data([shape[0], *out], (1, len(out) + 1))


def torch_handler(s: Any, layer: Any, where: str) -> None:
    """A torch layer handler for Conv1d, Conv2d, AvgPool1d, AvgPool2d and Flatten; reads and updates ``s.shape``."""
    _, s.shape = torch_layer(s.chain, layer, getattr(s, "shape", None), where)
