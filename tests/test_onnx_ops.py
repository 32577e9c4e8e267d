"""ONNX operators as the tools write them, each checked against onnx.reference.ReferenceEvaluator.

Models are built here with onnx.helper; the expected outputs are the reference evaluator's run of
the very same model.  The symnet side is the imported network's exact evaluation (or its proof's W*, b*).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy

import symnet
from symnet.cli.main import main
from symnet.interop._common import _round_float

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from onnx.reference import ReferenceEvaluator  # noqa: E402

RNG = np.random.default_rng(11)


def f32(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def model(nodes, inits, in_shape, opset=17, dtype=TensorProto.FLOAT):
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", dtype, in_shape)],
        [helper.make_tensor_value_info("y", dtype, None)],
        initializer=[numpy_helper.from_array(v, k) for k, v in inits.items()],
    )
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8  # (the output's shape is left open: onnx.checker would want one)
    return m


def agree(m, x, net=None, tol=1e-5):
    """The imported network's exact evaluation matches the reference on every input of the batch x."""
    net = net or symnet.from_onnx(m)
    ref = np.asarray(ReferenceEvaluator(m).run(None, {"x": x})[0], dtype=np.float64)
    batch = x.reshape(len(x), -1) if x.ndim > 1 and x.shape[0] > 1 else x.reshape(1, -1)
    ref = ref.reshape(len(batch), -1)
    for row, want in zip(batch, ref, strict=True):
        got = np.array([float(v) for v in net.evaluate(row.tolist())])
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol)
    return net


def test_input_normalisation_on_a_rank_4_input_folds_into_the_first_layer():
    """[1,1,1,5] input, Sub mean, Div std, Flatten, MatMul, Add, Relu, MatMul (ACAS Xu's shape, real constants)."""
    inits = {
        "mean": f32(1, 1, 1, 5),
        "std": np.abs(f32(5)) + np.float32(0.5),
        "W1": f32(5, 8),
        "b1": f32(8),
        "W2": f32(8, 3),
    }
    nodes = [
        helper.make_node("Sub", ["x", "mean"], ["c"]),
        helper.make_node("Div", ["c", "std"], ["n"]),
        helper.make_node("Flatten", ["n"], ["f"], axis=1),
        helper.make_node("MatMul", ["f", "W1"], ["h"]),
        helper.make_node("Add", ["h", "b1"], ["z"]),
        helper.make_node("Relu", ["z"], ["r"]),
        helper.make_node("MatMul", ["r", "W2"], ["y"]),
    ]
    m = model(nodes, inits, [1, 1, 1, 5])
    net = symnet.from_onnx(m)
    assert (net.p, net.hidden, net.q) == (5, (8,), 3)
    for _ in range(5):
        agree(m, f32(1, 1, 1, 5), net)
    # the fold is exact: W1' = W1^T / std, b1' = b1 - W1^T (mean / std), as rationals
    w1, std = inits["W1"].astype(object), inits["std"]
    k = sympy.Rational(*float(w1[2, 4]).as_integer_ratio()) / sympy.Rational(*float(std[2]).as_integer_ratio())
    assert net.layers[0].weights[4, 2] == k


def test_reversed_and_scaling_element_wise_ops():
    """c - x, x * c, c * x, Neg, Add of a [1, n] row: all element-wise affine maps, before and after a layer."""
    inits = {"c": f32(4), "s": f32(1, 4), "W": f32(4, 4), "t": f32(1, 4), "k": np.array(2.5, dtype=np.float32)}
    nodes = [
        helper.make_node("Sub", ["c", "x"], ["a"]),
        helper.make_node("Mul", ["a", "s"], ["b"]),
        helper.make_node("MatMul", ["b", "W"], ["h"]),
        helper.make_node("Mul", ["k", "h"], ["h2"]),
        helper.make_node("Neg", ["h2"], ["h3"]),
        helper.make_node("Add", ["t", "h3"], ["y"]),
    ]
    m = model(nodes, inits, ["N", 4])
    agree(m, f32(6, 4))
    assert symnet.prove(symnet.from_onnx(m)).check()


def test_reshape_squeeze_unsqueeze_and_cast():
    """Unsqueeze/Squeeze (axes as input, opset 13+) and Reshape with 0 and -1 around the dense layers; Cast float."""
    inits = {
        "ax0": np.array([0], dtype=np.int64),
        "ax2": np.array([2], dtype=np.int64),
        "W": f32(3, 6),
        "shape": np.array([0, -1], dtype=np.int64),
        "W2": f32(6, 2),
    }
    nodes = [
        helper.make_node("Cast", ["x"], ["c"], to=TensorProto.DOUBLE),
        helper.make_node("Cast", ["c"], ["d"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["d", "ax0"], ["u"]),  # [3] -> [1, 3]
        helper.make_node("Unsqueeze", ["u", "ax2"], ["u2"]),  # [1, 3, 1]
        helper.make_node("Squeeze", ["u2", "ax2"], ["s"]),  # [1, 3]
        helper.make_node("MatMul", ["s", "W"], ["h"]),
        helper.make_node("Reshape", ["h", "shape"], ["r"]),  # [1, 6]
        helper.make_node("Squeeze", ["r"], ["q"]),  # [6]
        helper.make_node("MatMul", ["q", "W2"], ["y"]),
    ]
    m = model(nodes, inits, [3])
    agree(m, f32(3))


def test_shape_ops_that_mix_features_and_batch_are_refused():
    """A Reshape that moves batch rows into the features, and a Cast to an integer type, are refused by name."""
    mixing = model(
        [
            helper.make_node("Reshape", ["x", "shape"], ["r"]),
            helper.make_node("MatMul", ["r", "W"], ["y"]),
        ],
        {"shape": np.array([1, -1], dtype=np.int64), "W": f32(8, 2)},
        [2, 4],
    )
    with pytest.raises(symnet.UnsupportedModelError, match="node 0 \\(Reshape\\)"):
        symnet.from_onnx(mixing)
    cast = model(
        [helper.make_node("MatMul", ["x", "W"], ["h"]), helper.make_node("Cast", ["h"], ["y"], to=TensorProto.INT32)],
        {"W": f32(2, 2)},
        ["N", 2],
    )
    with pytest.raises(symnet.UnsupportedModelError, match="node 1 \\(Cast\\) is Cast to the element type 6"):
        symnet.from_onnx(cast)


@pytest.mark.parametrize(
    ("attrs", "b_shape", "c_shape"),
    [
        ({}, (4, 5), (5,)),
        ({"transB": 1}, (5, 4), (1, 5)),
        ({"alpha": 0.75, "beta": -1.5, "transB": 1}, (5, 4), (1,)),
        ({"alpha": 3.0}, (4, 5), (1, 1)),
        ({"transA": 1}, (4, 5), (5,)),
    ],
)
def test_gemm_in_all_its_forms(attrs, b_shape, c_shape):
    """Gemm with transA/transB/alpha/beta and biases of every broadcastable shape agrees with the reference."""
    trans_a = attrs.get("transA", 0)
    inits = {"B": f32(*b_shape), "C": f32(*c_shape), "W2": f32(5, 2)}
    nodes = [
        helper.make_node("Gemm", ["x", "B", "C"], ["h"], **attrs),
        helper.make_node("Relu", ["h"], ["r"]),
        helper.make_node("Gemm", ["r", "W2"], ["y"]),
    ]
    if trans_a:  # the data as a column [4, 1] (Unsqueeze of a vector)
        nodes.insert(0, helper.make_node("Unsqueeze", ["x", "one"], ["col"]))
        nodes[1].input[0] = "col"
        inits["one"] = np.array([1], dtype=np.int64)
        m = model(nodes, inits, [4])
        x = f32(4)
        ref = ReferenceEvaluator(m).run(None, {"x": x})[0]
        got = symnet.from_onnx(m).evaluate(x.tolist())
        np.testing.assert_allclose([float(v) for v in got], ref.reshape(-1), rtol=1e-5, atol=1e-5)
        return
    agree(symnet_model := model(nodes, inits, ["N", 4]), f32(5, 4))
    assert symnet.from_onnx(symnet_model).hidden == (5,)


def test_a_gemm_bias_that_varies_along_the_batch_is_refused():
    m = model([helper.make_node("Gemm", ["x", "B", "C"], ["y"])], {"B": f32(4, 3), "C": f32(2, 3)}, [2, 4])
    with pytest.raises(symnet.ShapeError, match="node 0 \\(Gemm\\)"):
        symnet.from_onnx(m)


def batch_norm_model(training_mode=None, extra_outputs=False):
    c = 6
    inits = {
        "W": f32(c, 4),
        "b": f32(c),
        "gamma": f32(c),
        "beta": f32(c),
        "mean": f32(c),
        "var": (np.abs(f32(c)) + np.float32(0.3)).astype(np.float32),
        "W2": f32(2, c),
    }
    kw = {"epsilon": 1e-3} if training_mode is None else {"epsilon": 1e-3, "training_mode": training_mode}
    outs = ["n", "rm", "rv"] if extra_outputs else ["n"]
    nodes = [
        helper.make_node("Gemm", ["x", "W", "b"], ["h"], transB=1),
        helper.make_node("BatchNormalization", ["h", "gamma", "beta", "mean", "var"], outs, **kw),
        helper.make_node("Dropout", ["n"], ["d"]),
        helper.make_node("Gemm", ["d", "W2"] + (["rm"] if extra_outputs else []), ["y"], transB=1),
    ]
    return model(nodes, inits, ["N", 4])


def test_batch_normalization_in_eval_mode_float_and_exact():
    """Default: a rational network (the float scale); "exact": radicals. Both agree with the reference."""
    m = batch_norm_model()
    x = f32(8, 4)
    net = agree(m, x)
    assert all(e.is_Rational for layer in net.layers for e in layer.weights)
    proof = symnet.prove(net)
    assert proof.check()
    exact = symnet.from_onnx(m, batchnorm="exact")
    assert any(e.has(sympy.Pow) for e in exact.layers[0].weights)
    ref = ReferenceEvaluator(m).run(None, {"x": x})[0]
    for row, want in zip(x, ref, strict=True):
        got = [float(sympy.N(v, 20)) for v in exact.evaluate(row.tolist())]
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    with pytest.raises(symnet.InvalidArgument, match="batchnorm"):
        symnet.from_onnx(m, batchnorm="float32")


def test_training_mode_batch_norm_and_dropout_are_refused():
    with pytest.raises(symnet.UnsupportedModelError, match="node 1 \\(BatchNormalization\\).*training mode"):
        symnet.from_onnx(batch_norm_model(training_mode=1))
    with pytest.raises(symnet.UnsupportedModelError, match="training mode"):
        symnet.from_onnx(batch_norm_model(extra_outputs=True))
    inits = {"W": f32(2, 2), "ratio": np.array(0.5, dtype=np.float32), "train": np.array(True)}
    for flag, ok in ((True, False), (False, True)):
        inits["train"] = np.array(flag)
        m = model(
            [
                helper.make_node("MatMul", ["x", "W"], ["h"]),
                helper.make_node("Dropout", ["h", "ratio", "train"], ["y"]),
            ],
            inits,
            ["N", 2],
        )
        if ok:
            agree(m, f32(3, 2))
        else:
            with pytest.raises(symnet.UnsupportedModelError, match="node 1 \\(Dropout\\) is Dropout in training mode"):
                symnet.from_onnx(m)


def test_activations_the_command_line_knows():
    """Softplus, LeakyRelu, Pow 2, Mul(x, x), Pow 3: the named activations, evaluated like the reference."""
    inits = {f"W{i}": f32(3, 3) * np.float32(0.5) for i in range(5)}
    inits["two"], inits["three"] = np.array(2.0, dtype=np.float32), np.array([3.0], dtype=np.float32)
    nodes = [
        helper.make_node("MatMul", ["x", "W0"], ["z0"]),
        helper.make_node("Softplus", ["z0"], ["a0"]),
        helper.make_node("MatMul", ["a0", "W1"], ["z1"]),
        helper.make_node("LeakyRelu", ["z1"], ["a1"], alpha=0.2),
        helper.make_node("MatMul", ["a1", "W2"], ["z2"]),
        helper.make_node("Pow", ["z2", "two"], ["a2"]),
        helper.make_node("MatMul", ["a2", "W3"], ["z3"]),
        helper.make_node("Mul", ["z3", "z3"], ["a3"]),
        helper.make_node("MatMul", ["a3", "W4"], ["z4"]),
        helper.make_node("Pow", ["z4", "three"], ["y"]),
    ]
    m = model(nodes, inits, ["N", 3])
    net = symnet.from_onnx(m)
    assert [a.name for a in net.activations] == ["softplus", None, "square", "square", "cube"]
    slope = sympy.Rational(*float(np.float32(0.2)).as_integer_ratio())  # the attribute is a float32
    assert net.activations[1](sympy.Integer(-10)) == -10 * slope
    x = np.array([[0.3, -0.7, 0.2]], dtype=np.float32)
    ref = ReferenceEvaluator(m).run(None, {"x": x})[0][0]
    got = [float(sympy.N(v, 20)) for v in net.evaluate(x[0].tolist())]
    np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-6)


def test_constants_are_folded_and_constant_nodes_read():
    """A transposed weight (Transpose of an initializer) and a Constant value_floats node feed the chain."""
    inits = {"Wt": f32(3, 4)}
    nodes = [
        helper.make_node("Transpose", ["Wt"], ["W"]),
        helper.make_node("Constant", [], ["c"], value_floats=[0.5, -1.0, 2.0, 0.25]),
        helper.make_node("MatMul", ["x", "W"], ["h"]),
        helper.make_node("Identity", ["c"], ["c2"]),
        helper.make_node("MatMul", ["h", "Wt"], ["h2"]),
        helper.make_node("Add", ["h2", "c2"], ["y"]),
    ]
    m = model(nodes, inits, ["N", 4])
    agree(m, f32(4, 4))


def test_an_unknown_operator_is_refused_with_its_name_and_position(tmp_path, capsys):
    """Erf at node 2: UnsupportedModelError names it; the CLI exits 2 with one line."""
    inits = {"W": f32(3, 3)}
    nodes = [
        helper.make_node("MatMul", ["x", "W"], ["h"]),
        helper.make_node("Relu", ["h"], ["r"]),
        helper.make_node("Erf", ["r"], ["y"], name="erf_1"),
    ]
    m = model(nodes, inits, ["N", 3])
    with pytest.raises(symnet.UnsupportedModelError, match="node 2 \\(Erf 'erf_1'\\) is the operator Erf") as info:
        symnet.from_onnx(m)
    assert info.value.layer == "the operator Erf" and info.value.position == "node 2 (Erf 'erf_1')"
    onnx.save(m, tmp_path / "erf.onnx")

    for command in ("prove", "collapse", "regions", "bound"):
        argv = [command, str(tmp_path / "erf.onnx")] + (
            ["-o", str(tmp_path / "o.onnx")] if command == "collapse" else []
        )
        assert main(argv) == 2, command
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "Erf" in err[0] and "node 2" in err[0], (command, err)


def test_round_float_is_a_single_correct_rounding():
    """_round_float to 53 bits is Python's correctly rounded float(Fraction); to 24 bits numpy's float32 of it."""
    rng = np.random.default_rng(1)
    for _ in range(2000):
        num = int(rng.integers(-(2**62), 2**62)) * int(rng.integers(1, 2**40))
        den = 2 ** int(rng.integers(0, 120))
        r = sympy.Rational(num, den)
        assert _round_float(r, 53) == sympy.Rational(*float(Fraction(num, den)).as_integer_ratio())
        # exactness of the 24-bit rounding: a float32, and no float32 nearer
        got = Fraction(int(_round_float(r, 24).p), int(_round_float(r, 24).q))
        assert float(np.float32(float(got))) == float(got)
        exact = Fraction(num, den)
        for direction in (np.inf, -np.inf):
            neighbour = Fraction(float(np.nextafter(np.float32(float(got)), np.float32(direction))))
            assert abs(got - exact) <= abs(neighbour - exact)
