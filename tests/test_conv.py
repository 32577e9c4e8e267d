"""Convolutions and average pooling as exact sparse layers: the matrices, torch and ONNX import.

Expected values come from torch's own float64 forward pass and from
``onnx.reference.ReferenceEvaluator``, never from symnet.
"""

from __future__ import annotations

import io
import warnings
from typing import Any

import numpy as np
import pytest

import symnet
from symnet.errors import InvalidArgument, InvalidType, UnsupportedModelError
from symnet.interop._conv import avg_pool_layer, conv_layer
from symnet.model.exact import SparseQQMatrix

torch = pytest.importorskip("torch")
nn = torch.nn


def _dense(m: Any) -> np.ndarray:
    return np.array(m._rep.to_dense().to_Matrix().tolist(), dtype=float)


def _cnn(seed: int = 0) -> Any:
    """The issue's example: 1x8x8 input, Conv2d(1, 4, 3, stride 1, padding 1), identity, Flatten, Linear(256, 3)."""
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(1, 4, 3, stride=1, padding=1), nn.Flatten(), nn.Linear(256, 3))


def _two_convs(n: int = 10, seed: int = 0) -> Any:
    """Two convolutions and a Linear: enough paths for the exact numeric (sparse) route."""
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.Conv2d(4, 4, 3), nn.Flatten(), nn.Linear(4 * (n - 4) ** 2, 3))


# ------------------------------------------------------------ the sparse matrices
@pytest.mark.parametrize(
    ("cin", "cout", "kernel", "stride", "padding", "dilation", "groups", "size"),
    [
        (1, 4, 3, 1, 1, 1, 1, (8, 8)),
        (4, 6, (3, 2), (2, 1), (1, 0), (1, 2), 2, (9, 7)),
        (3, 3, 3, 2, 2, 2, 3, (10, 11)),
        (2, 4, 2, 1, "same", 2, 1, (5, 6)),
        (2, 2, 3, 1, "valid", 1, 1, (4, 4)),
    ],
)
def test_conv2d_matrix_is_torchs_forward_pass(
    cin: int, cout: int, kernel: Any, stride: Any, padding: Any, dilation: Any, groups: int, size: tuple[int, int]
) -> None:
    torch.manual_seed(0)
    conv = nn.Conv2d(cin, cout, kernel, stride=stride, padding=padding, dilation=dilation, groups=groups).double()
    net = symnet.from_torch(nn.Sequential(conv), input_shape=(cin, *size))
    w = net.layers[0].weights
    assert isinstance(w, SparseQQMatrix)
    x = torch.randn(3, cin, *size, dtype=torch.float64)
    expected = conv(x).detach().numpy().reshape(3, -1)
    got = x.reshape(3, -1).numpy() @ _dense(w).T + np.array(net.layers[0].biases.tolist(), dtype=float).ravel()
    assert np.abs(got - expected).max() < 1e-12
    assert w.nnz <= w.rows * np.prod(conv.weight.shape[1:])  # only taps inside the input are stored


def test_conv1d_and_pools_are_torchs_forward_pass() -> None:
    torch.manual_seed(3)
    model = nn.Sequential(
        nn.Conv1d(2, 3, 3, stride=2, padding=1, dilation=1),
        nn.AvgPool1d(2),
        nn.Conv1d(3, 3, 2, groups=3, bias=False),
        nn.Flatten(),
        nn.Linear(27, 2),
    ).double()
    net = symnet.from_torch(model, input_shape=(2, 41))
    for k in range(3):
        x = torch.randn(1, 2, 41, dtype=torch.float64)
        got = net.evaluate(x.ravel().tolist(), exact=False)
        assert np.abs(np.array(got) - model(x).detach().numpy().ravel()).max() < 1e-12, k


@pytest.mark.parametrize(
    "pool",
    [
        nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
        nn.AvgPool2d(3, stride=2, padding=1),
        nn.AvgPool2d((2, 3), divisor_override=5),
        nn.AvgPool2d(2),
    ],
)
def test_avg_pool2d_is_torchs(pool: Any) -> None:
    x = torch.randn(2, 2, 7, 6, dtype=torch.float64)
    net = symnet.from_torch(nn.Sequential(pool), input_shape=(2, 7, 6))
    got = x.reshape(2, -1).numpy() @ _dense(net.layers[0].weights).T
    assert np.abs(got - pool(x).numpy().reshape(2, -1)).max() < 1e-12


def test_float32_weights_are_exact() -> None:
    w = np.array([[[[0.1, -0.2]]]], dtype=np.float32)
    m, b, shape = conv_layer(w, np.array([0.3], dtype=np.float32), (1, 1, 3))
    assert shape == (1, 1, 2)
    assert m[0, 0] == symnet.numbers.fast_rational(*float(np.float32(0.1)).as_integer_ratio())
    assert m[0, 2] == 0 and m[1, 0] == 0
    assert b[0] == symnet.numbers.fast_rational(*float(np.float32(0.3)).as_integer_ratio())


def test_zero_weights_are_not_stored() -> None:
    m, _, _ = conv_layer(np.zeros((1, 1, 2, 2)), None, (1, 3, 3))
    assert m.nnz == 0 and m.shape == (4, 9)
    pool, _, _ = avg_pool_layer((1, 4, 4), 2)
    assert pool.nnz == 16 and pool[0, 0] == symnet.numbers.fast_rational(1, 4)


@pytest.mark.slow
def test_a_28x28_cnn_stays_sparse() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.Conv2d(8, 8, 3), nn.Flatten(), nn.Linear(8 * 24 * 24, 10))
    net = symnet.from_torch(model, input_shape=(1, 28, 28))
    first, second = net.layers[0].weights, net.layers[1].weights
    assert (first.shape, second.shape) == ((5408, 784), (4608, 5408))
    assert (first.nnz, second.nnz) == (8 * 26 * 26 * 9, 8 * 24 * 24 * 72)
    assert first._rep.rep.fmt == "sparse" and second._rep.rep.fmt == "sparse"
    x = torch.randn(1, 1, 28, 28)
    got = net.evaluate(x.ravel().tolist(), exact=False)  # sparse rows: no dense 4608 x 5408 matrix is made
    assert np.abs(np.array(got) - model.double()(x.double()).detach().numpy().ravel()).max() < 1e-12


def test_exact_evaluation_of_sparse_layers() -> None:
    model = _two_convs(seed=5).double()
    net = symnet.from_torch(model, input_shape=(1, 10, 10))
    x = torch.randn(1, 1, 10, 10, dtype=torch.float64)
    exact = net.evaluate(x.ravel().tolist())
    assert all(v.is_Rational for v in exact)
    assert np.abs(np.array([float(v) for v in exact]) - model(x).detach().numpy().ravel()).max() < 1e-12


# ------------------------------------------------------------------- bad input
def test_a_convolution_needs_the_input_shape() -> None:
    with pytest.raises(InvalidArgument, match="input_shape"):
        symnet.from_torch(_cnn())
    with pytest.raises(InvalidArgument, match="input_shape"):
        symnet.from_torch(_cnn(), input_shape=(64,))
    with pytest.raises(InvalidType, match="input_shape"):
        symnet.from_torch(_cnn(), input_shape="1x8x8")
    with pytest.raises(InvalidArgument, match="input_shape"):
        symnet.from_torch(_cnn(), input_shape=(1, 0, 8))
    with pytest.raises(InvalidArgument, match="input_shape"):  # a dense first layer: the shape must still fit
        symnet.from_torch(nn.Sequential(nn.Flatten(), nn.Linear(64, 2)), input_shape=(1, 8, 9))


def test_unsupported_convolution_options_are_refused() -> None:
    with pytest.raises(UnsupportedModelError, match="padding_mode"):
        symnet.from_torch(nn.Sequential(nn.Conv2d(1, 1, 3, padding=1, padding_mode="reflect")), input_shape=(1, 4, 4))
    with pytest.raises(UnsupportedModelError, match="ceil_mode"):
        symnet.from_torch(nn.Sequential(nn.AvgPool2d(2, ceil_mode=True)), input_shape=(1, 5, 5))


# --------------------------------------------------------------------- ONNX
def _export(model: Any, shape: tuple[int, ...]) -> Any:
    onnx = pytest.importorskip("onnx")
    f = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model.eval(), (torch.randn(1, *shape),), f, dynamo=False)
    return onnx.load_from_string(f.getvalue())


def _agrees_with_reference(model: Any, shape: tuple[int, ...], tol: float = 1e-6) -> Any:
    reference = pytest.importorskip("onnx.reference")
    net = symnet.from_onnx(model)
    evaluator = reference.ReferenceEvaluator(model)
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = rng.standard_normal((1, *shape)).astype(np.float32)
        y = evaluator.run(None, {model.graph.input[0].name: x})[0].ravel()
        got = np.array(net.evaluate(x.ravel().tolist(), exact=False))
        assert np.abs(got - y).max() <= tol * max(1.0, np.abs(y).max())
    return net


def test_onnx_export_of_a_cnn_agrees_with_onnx_reference() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(2, 4, 3, stride=2, padding=1),
        nn.ReLU(),
        nn.AvgPool2d(2),
        nn.Conv2d(4, 4, (2, 3), groups=2, dilation=(1, 2), padding=(1, 2)),
        nn.Flatten(),
        nn.Linear(48, 3),
    )
    onnx_model = _export(model, (2, 13, 11))
    assert [n.op_type for n in onnx_model.graph.node][:4] == ["Conv", "Relu", "AveragePool", "Conv"]
    net = _agrees_with_reference(onnx_model, (2, 13, 11))
    assert isinstance(net.layers[0].weights, SparseQQMatrix)


def test_onnx_conv1d_agrees_with_onnx_reference() -> None:
    torch.manual_seed(2)
    model = nn.Sequential(nn.Conv1d(3, 2, 4, stride=3, padding=2), nn.Flatten(), nn.Linear(26, 2))
    _agrees_with_reference(_export(model, (3, 37)), (3, 37))


@pytest.mark.parametrize("auto_pad", ["SAME_UPPER", "SAME_LOWER", "VALID"])
@pytest.mark.parametrize("count_include_pad", [0, 1])
def test_onnx_auto_pad_and_average_pool(auto_pad: str, count_include_pad: int) -> None:
    onnx = pytest.importorskip("onnx")
    helper, numpy_helper = onnx.helper, onnx.numpy_helper
    rng = np.random.default_rng(1)
    w = numpy_helper.from_array(rng.standard_normal((2, 1, 2, 3)).astype(np.float32), "w")
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], auto_pad=auto_pad, strides=[2, 1]),
        helper.make_node(
            "AveragePool", ["c"], ["y"], kernel_shape=[2, 2], pads=[1, 0, 1, 1], count_include_pad=count_include_pad
        ),
    ]
    x = helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 1, 5, 6])
    y = helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, None)
    graph = helper.make_graph(nodes, "g", [x], [y], initializer=[w])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    _agrees_with_reference(model, (1, 5, 6))


def test_collapse_of_an_onnx_cnn_is_checked() -> None:
    model = _two_convs(seed=4)
    onnx_model = _export(model, (1, 10, 10))
    net = _agrees_with_reference(onnx_model, (1, 10, 10))
    proof = symnet.prove(net)
    assert proof.check() and symnet.Proof.from_json(proof.to_json()).check()
    W = np.array(proof.certificate.claim.matrix.tolist(), dtype=float)
    b = np.array(proof.certificate.claim.offset.tolist(), dtype=float).ravel()
    x = torch.randn(4, 1, 10, 10, dtype=torch.float64)
    assert np.abs(x.reshape(4, -1).numpy() @ W.T + b - model.double()(x).detach().numpy()).max() < 1e-9


def test_element_wise_affine_maps_fold_into_a_convolution_sparsely() -> None:
    """Input normalisation before a convolution and a scale after it (ONNX Sub/Div/Mul) keep it sparse."""
    import sympy

    from symnet.interop._common import ChainBuilder

    rng = np.random.default_rng(0)
    w, b = rng.standard_normal((3, 2, 2, 2)), rng.standard_normal(3)
    W, B, _ = conv_layer(w, b, (2, 4, 5))
    chain = ChainBuilder("test")
    chain.scale_shift([sympy.Rational(1, 3)] * 20 + [sympy.Rational(2, 7)] * 20, [sympy.Rational(-1, 5)] * 40, "norm")
    chain.linear(W, B, "conv")
    chain.scale_shift([sympy.Rational(3, 2)] * W.rows, [sympy.Integer(1)] * W.rows, "scale")
    net = chain.network()
    assert isinstance(net.layers[0].weights, SparseQQMatrix)
    x = rng.standard_normal((1, 2, 4, 5))
    u = x.copy()
    u[0, 0], u[0, 1] = u[0, 0] / 3 - 0.2, u[0, 1] * 2 / 7 - 0.2
    expected = torch.nn.functional.conv2d(torch.tensor(u), torch.tensor(w), torch.tensor(b)).numpy().ravel() * 1.5 + 1
    assert np.abs(np.array(net.evaluate(x.ravel().tolist(), exact=False)) - expected).max() < 1e-12
