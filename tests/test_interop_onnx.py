"""from_onnx, to_onnx and `symnet collapse` against onnx.reference.ReferenceEvaluator."""

import io
import json
import warnings

import numpy as np
import pytest
import sympy

import symnet
from symnet.cli.main import main

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from onnx.reference import ReferenceEvaluator  # noqa: E402

RNG = np.random.default_rng(3)


def model(nodes, inits, in_shape, out_name="y", dtype=TensorProto.FLOAT, out_shape=("N", None)):
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", dtype, in_shape)],
        [helper.make_tensor_value_info(out_name, dtype, list(out_shape))],
        initializer=[numpy_helper.from_array(v, k) for k, v in inits.items()],
    )
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def f32(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def run(m, x):
    return ReferenceEvaluator(m).run(None, {"x": x})[0]


def exact_form(proof):
    w = np.array([[float(e) for e in proof.matrix.row(i)] for i in range(proof.matrix.rows)])
    return w, np.array([float(e) for e in proof.offset])


def assert_collapse_matches(m, x, rtol=1e-5):
    """prove(from_onnx(m)) reproduces the reference evaluator's output on a batch of rows."""
    proof = symnet.prove(symnet.from_onnx(m))
    assert proof.check()
    w, b = exact_form(proof)
    expected = np.asarray(run(m, x), dtype=np.float64).reshape(len(x), -1)
    np.testing.assert_allclose(x.astype(np.float64) @ w.T + b, expected, rtol=rtol, atol=1e-5)
    return proof


def test_gemm_chain_with_alpha_beta_and_transposes():
    """Gemm with transB=1/alpha/beta, then transB=0, then MatMul + Add, Identity, Flatten."""
    inits = {"W1": f32(5, 4), "b1": f32(5), "W2": f32(5, 3), "b2": f32(1, 3), "W3": f32(3, 2), "c3": f32(2)}
    nodes = [
        helper.make_node("Gemm", ["x", "W1", "b1"], ["h1"], transB=1, alpha=0.5, beta=2.0),
        helper.make_node("Gemm", ["h1", "W2", "b2"], ["h2"]),
        helper.make_node("Identity", ["h2"], ["h3"]),
        helper.make_node("Flatten", ["h3"], ["h4"], axis=1),
        helper.make_node("MatMul", ["h4", "W3"], ["h5"]),
        helper.make_node("Constant", [], ["k"], value=numpy_helper.from_array(f32(2), "k")),
        helper.make_node("Add", ["h5", "c3"], ["h6"]),
        helper.make_node("Add", ["k", "h6"], ["y"]),
    ]
    m = model(nodes, inits, ["N", 4])
    proof = assert_collapse_matches(m, f32(7, 4))
    assert proof.network.hidden == (5, 3)
    # the exact first layer is alpha * W1, exactly (0.5 is a power of two)
    assert proof.network.layers[0].weights[2, 1] == sympy.Rational(*float(inits["W1"][2, 1]).as_integer_ratio()) / 2


def test_column_layout_gemm_with_trans_a():
    """Data as a column: Reshape [n] -> [n, 1], Gemm(W, x) and Gemm(x^T ...) with transA."""
    inits = {
        "shape": np.array([4, 1], dtype=np.int64),
        "A": f32(3, 4),
        "c": f32(3, 1),
        "B": f32(2, 3),
        "back": np.array([-1], dtype=np.int64),
    }
    nodes = [
        helper.make_node("Reshape", ["x", "shape"], ["col"]),
        helper.make_node("Gemm", ["A", "col", "c"], ["h"]),  # A x + c, a column
        helper.make_node("Gemm", ["h", "B"], ["r"], transA=1, transB=1),  # h^T B^T: a row
        helper.make_node("Reshape", ["r", "back"], ["y"]),
    ]
    m = model(nodes, inits, [4], out_shape=[None])
    net = symnet.from_onnx(m)
    proof = symnet.prove(net)
    w, b = exact_form(proof)
    x = f32(4)
    np.testing.assert_allclose(w @ x + b, run(m, x), rtol=1e-5, atol=1e-6)


def test_activations_import_and_evaluate_like_the_reference():
    """Relu, LeakyRelu(alpha), Tanh, Sigmoid: exact evaluation agrees with ReferenceEvaluator."""
    inits = {f"W{i}": f32(3, 3) for i in range(5)}
    nodes, cur = [], "x"
    for i, (op, kw) in enumerate([("Relu", {}), ("LeakyRelu", {"alpha": 0.1}), ("Tanh", {}), ("Sigmoid", {})]):
        nodes.append(helper.make_node("MatMul", [cur, f"W{i}"], [f"z{i}"]))
        nodes.append(helper.make_node(op, [f"z{i}"], [f"a{i}"], **kw))
        cur = f"a{i}"
    nodes.append(helper.make_node("MatMul", [cur, "W4"], ["y"]))
    m = model(nodes, inits, ["N", 3])
    net = symnet.from_onnx(m)
    assert net.activations[0].name == "relu" and net.activations[2].name == "tanh"
    x = np.array([[0.4, -0.9, 1.3]], dtype=np.float32)
    np.testing.assert_allclose(net.evaluate(x[0].tolist(), exact=False), run(m, x)[0], rtol=1e-5)
    with pytest.raises(symnet.NotLinearError):
        symnet.prove(net)


def test_unsupported_operators_and_graphs_are_named():
    """Softmax, a branch, and a foreign domain: UnsupportedModelError naming the node."""
    inits = {"W": f32(3, 2)}
    m = model(
        [helper.make_node("MatMul", ["x", "W"], ["h"]), helper.make_node("Softmax", ["h"], ["y"], name="sm")],
        inits,
        ["N", 3],
    )
    with pytest.raises(symnet.UnsupportedModelError, match="node 1 \\(Softmax 'sm'\\)") as info:
        symnet.from_onnx(m)
    assert info.value.layer == "the operator Softmax"
    branch = model(
        [helper.make_node("MatMul", ["x", "W"], ["h"]), helper.make_node("Add", ["h", "x"], ["y"])], inits, ["N", 3]
    )
    with pytest.raises(symnet.UnsupportedModelError):
        symnet.from_onnx(branch)
    with pytest.raises(symnet.InvalidArgument):
        symnet.from_onnx(b"not an onnx model")
    with pytest.raises(symnet.ShapeError):
        bad = model(
            [helper.make_node("MatMul", ["x", "W"], ["h"]), helper.make_node("MatMul", ["h", "W"], ["y"])],
            inits,
            ["N", 3],
        )
        symnet.from_onnx(bad)


def test_torch_export_round_trip():
    """A trained torch model exported with torch.onnx.export imports and collapses like the reference."""
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Linear(6, 3), torch.nn.Linear(3, 2)).eval()
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            (torch.randn(1, 4),),
            buf,
            dynamo=False,
            input_names=["x"],
            output_names=["y"],
            dynamic_axes={"x": {0: "N"}},
        )
    m = onnx.load_model_from_string(buf.getvalue())
    assert_collapse_matches(m, f32(9, 4))


def test_to_onnx_is_one_gemm_confirmed_by_the_reference():
    """to_onnx(): one Gemm; ReferenceEvaluator's output matches the exact collapse and the original."""
    inits = {"W1": f32(6, 5), "b1": f32(6), "W2": f32(2, 6), "b2": f32(2)}
    nodes = [
        helper.make_node("Gemm", ["x", "W1", "b1"], ["h"], transB=1),
        helper.make_node("Gemm", ["h", "W2", "b2"], ["y"], transB=1),
    ]
    m = model(nodes, inits, ["N", 5])
    proof = symnet.prove(symnet.from_onnx(m))
    exported = proof.to_onnx()
    assert [n.op_type for n in exported.graph.node] == ["Gemm"]
    x = f32(11, 5)
    report = proof.export_report(exported, x, m)
    assert report.weight_relative_error <= 2.0**-24
    assert report.output_error_exact < 1e-5 and report.output_error_original < 1e-5
    double = proof.to_onnx("float64")
    assert proof.export_report(double, x).output_error_exact < 1e-12


def test_cli_collapse_round_trip(tmp_path, capsys):
    """`symnet collapse` writes one Gemm that onnx.reference runs like the original, and a checkable certificate."""
    inits = {"W1": f32(7, 3), "b1": f32(7), "W2": f32(4, 7), "b2": f32(4)}
    nodes = [
        helper.make_node("Gemm", ["x", "W1", "b1"], ["h"], transB=1),
        helper.make_node("Gemm", ["h", "W2", "b2"], ["y"], transB=1),
    ]
    src, out, cert = tmp_path / "m.onnx", tmp_path / "linear.onnx", tmp_path / "cert.json"
    onnx.save(model(nodes, inits, ["N", 3]), src)
    assert main(["collapse", str(src), "-o", str(out), "--certificate", str(cert)]) == 0
    captured = capsys.readouterr()
    assert "one Gemm" in captured.out and captured.err == ""  # progress lines only on a terminal
    linear = onnx.load(out)
    x = f32(5, 3)
    np.testing.assert_allclose(run(linear, x), run(onnx.load(src), x), rtol=1e-5, atol=1e-6)
    assert json.loads(cert.read_text())["format"] == "symnet.linear"
    assert main(["check", str(cert)]) == 0


def test_cli_prove_model_files(tmp_path, capsys):
    """`symnet prove MODEL.onnx`: 0 when linear, 1 when refuted, 2 with one line for a bad file."""
    inits = {"W1": f32(3, 2), "W2": f32(1, 3)}
    lin = model(
        [
            helper.make_node("Gemm", ["x", "W1"], ["h"], transB=1),
            helper.make_node("Gemm", ["h", "W2"], ["y"], transB=1),
        ],
        inits,
        ["N", 2],
    )
    relu = model(
        [
            helper.make_node("Gemm", ["x", "W1"], ["h"], transB=1),
            helper.make_node("Relu", ["h"], ["r"]),
            helper.make_node("Gemm", ["r", "W2"], ["y"], transB=1),
        ],
        inits,
        ["N", 2],
    )
    onnx.save(lin, tmp_path / "lin.onnx")
    onnx.save(relu, tmp_path / "relu.onnx")
    (tmp_path / "bad.onnx").write_bytes(b"\x00garbage")
    assert main(["prove", str(tmp_path / "lin.onnx"), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["claim"]["form"] == "explicit"
    assert main(["prove", str(tmp_path / "relu.onnx")]) == 1
    capsys.readouterr()
    assert main(["prove", str(tmp_path / "bad.onnx")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("symnet: error:") and "Traceback" not in "".join(err)
    assert main(["prove", str(tmp_path / "model.h5")]) == 2
    assert main(["collapse", str(tmp_path / "relu.onnx"), "-o", str(tmp_path / "o.onnx")]) == 1
