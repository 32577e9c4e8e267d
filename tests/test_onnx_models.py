"""Models as users export them: skl2onnx, torch.onnx.export with BatchNorm, and the issue's BatchNorm model.

Each model is made here (fixed seeds); expected values are the producing library's own forward pass
(torch, scikit-learn) or onnx.reference.ReferenceEvaluator on the exported file.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import warnings

import numpy as np
import pytest

import symnet
from symnet.cli.main import main

onnx = pytest.importorskip("onnx")
torch = pytest.importorskip("torch")
from onnx.reference import ReferenceEvaluator  # noqa: E402
from sklearn.datasets import load_diabetes  # noqa: E402

X, Y = load_diabetes(return_X_y=True)
Y = (Y - Y.mean()) / Y.std()


def issue_model():
    """The issue's model: Linear(10,12) -> BatchNorm1d -> Dropout -> Linear(12,1), 50 Adam steps, eval mode."""
    torch.manual_seed(0)
    nn = torch.nn
    m = nn.Sequential(nn.Linear(10, 12), nn.BatchNorm1d(12), nn.Dropout(0.2), nn.Linear(12, 1))
    xs, ys = torch.tensor(X, dtype=torch.float32), torch.tensor(Y, dtype=torch.float32).reshape(-1, 1)
    opt = torch.optim.Adam(m.parameters(), lr=0.01)
    m.train()
    for _ in range(50):
        opt.zero_grad()
        ((m(xs) - ys) ** 2).mean().backward()
        opt.step()
    return m.eval()


@pytest.fixture(scope="module")
def trained():
    """The issue's model, trained once for this module."""
    return issue_model()


@pytest.fixture(scope="module")
def trained_proof(trained):
    """Its proof through from_torch with the default (float) batch norm fold."""
    return symnet.prove(symnet.from_torch(trained))


def export(module, width):
    """torch.onnx.export through the TorchScript exporter (dynamo=False: the dynamo one needs onnxscript)."""
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            (torch.randn(1, width),),
            buf,
            dynamo=False,
            input_names=["x"],
            output_names=["y"],
            dynamic_axes={"x": {0: "N"}, "y": {0: "N"}},
        )
    return onnx.load_model_from_string(buf.getvalue())


def reference(m, x):
    name = m.graph.input[0].name
    return np.asarray(ReferenceEvaluator(m).run(None, {name: x.astype(np.float32)})[0], dtype=np.float64)


def collapse_cli(tmp_path, m, name):
    """`symnet collapse` of the saved model: the written model is one Gemm, its certificate checks."""
    src, out, cert = tmp_path / f"{name}.onnx", tmp_path / f"{name}-linear.onnx", tmp_path / f"{name}.json"
    onnx.save(m, src)
    assert main(["collapse", str(src), "-o", str(out), "--certificate", str(cert)]) == 0
    assert main(["check", str(cert)]) == 0
    linear = onnx.load(out)
    assert [n.op_type for n in linear.graph.node] == ["Gemm"]
    return linear


def test_torch_export_of_linear_batchnorm_dropout_linear(tmp_path, capsys, trained, trained_proof):
    """Gemm, BatchNormalization, Gemm: imports, proves, and `symnet collapse` writes one Gemm agreeing with it."""
    module = trained
    m = export(module, 10)
    assert "BatchNormalization" in [n.op_type for n in m.graph.node]
    net = symnet.from_onnx(m)
    proof = symnet.prove(net)
    assert proof.check()
    x = X[:40]
    w = np.array([[float(e) for e in proof.matrix.row(0)]])
    b = float(proof.offset[0])
    with torch.no_grad():
        theirs = module(torch.tensor(x, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(x.astype(np.float32) @ w.T + b, theirs, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(x.astype(np.float32) @ w.T + b, reference(m, x), rtol=1e-5, atol=1e-5)
    # the ONNX and the torch import fold the same float32 scale: the very same collapse
    assert trained_proof.matrix == proof.matrix
    linear = collapse_cli(tmp_path, m, "bn")
    capsys.readouterr()
    np.testing.assert_allclose(reference(linear, x), reference(m, x), rtol=1e-5, atol=1e-5)


@pytest.mark.slow  # imports skl2onnx (~1 s) for this test alone
def test_skl2onnx_identity_mlp_imports_proves_and_collapses(tmp_path, capsys):
    """to_onnx(MLPRegressor(activation="identity")): Cast, MatMul, Add, ..., Reshape; collapses like the original."""
    skl2onnx = pytest.importorskip("skl2onnx")
    from sklearn.neural_network import MLPRegressor

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp = MLPRegressor(hidden_layer_sizes=(8, 6), activation="identity", max_iter=200, random_state=0).fit(X, Y)
    m = skl2onnx.to_onnx(mlp, X[:1].astype(np.float32))
    ops = [n.op_type for n in m.graph.node]
    assert ops[0] == "Cast" and ops[-1] == "Reshape" and "MatMul" in ops
    proof = symnet.prove(symnet.from_onnx(m))
    assert proof.check()
    x = X[:30].astype(np.float32).astype(np.float64)
    w = np.array([[float(e) for e in proof.matrix.row(0)]])
    ours = x @ w.T + float(proof.offset[0])
    np.testing.assert_allclose(ours[:, 0], mlp.predict(x), rtol=1e-5, atol=1e-5)  # skl2onnx writes float32 weights
    np.testing.assert_allclose(ours, reference(m, x).reshape(-1, 1), rtol=1e-5, atol=1e-5)
    assert proof.network.hidden == (8, 6)
    linear = collapse_cli(tmp_path, m, "mlp")
    capsys.readouterr()
    np.testing.assert_allclose(reference(linear, x).reshape(-1), reference(m, x).reshape(-1), rtol=1e-5, atol=1e-5)


def test_issue_batch_norm_model_crosschecks_and_exports_to_coq(trained, trained_proof):
    """The default fold keeps the network rational: symnet.crosscheck and proof.to_coq() work."""
    proof = trained_proof
    assert proof.check()
    report = symnet.crosscheck(proof, samples=20)
    assert "disagree" not in str(report)
    coq = proof.to_coq()
    assert "sqrt" not in coq and ("Theorem" in coq or "Lemma" in coq)
    with pytest.raises(symnet.SymnetError):  # the exact radicals: what the default avoids
        symnet.prove(symnet.from_torch(trained, batchnorm="exact")).to_coq()


BETA = re.compile(r"\\beta_\{?(\d+)\}? &= (.*?),?\s*(?:\\\\|$)", re.M)


def test_issue_batch_norm_model_derivation_prints_six_digit_betas(trained_proof):
    """Every beta of the LaTeX derivation (digits=6) is a decimal of 6 significant digits."""
    tex = trained_proof.to_latex(document=True, digits=6)
    betas = dict(BETA.findall(tex))
    assert sorted(map(int, betas)) == list(range(11))
    for value in betas.values():
        digits = re.fullmatch(r"-?(\d+)\.(\d+)", value.strip().rstrip("."))
        assert digits is not None, value
        significant = (digits.group(1) + digits.group(2)).lstrip("0")
        assert len(significant) == 6, value
    assert "sqrt" not in tex


@pytest.mark.slow
def test_issue_batch_norm_model_derivation_compiles_to_at_most_two_pages(tmp_path, trained_proof):
    exe, info = shutil.which("pdflatex"), shutil.which("pdfinfo")
    if exe is None or info is None:
        pytest.skip("pdflatex/pdfinfo are not installed")
    tex = trained_proof.to_latex(document=True, digits=6)
    (tmp_path / "bn.tex").write_text(tex)
    run = subprocess.run(
        [exe, "-halt-on-error", "-interaction=nonstopmode", "bn.tex"], cwd=tmp_path, capture_output=True, timeout=120
    )
    assert run.returncode == 0, run.stdout[-2000:]
    pages = subprocess.run([info, str(tmp_path / "bn.pdf")], capture_output=True, text=True, timeout=60).stdout
    assert int(re.search(r"Pages:\s+(\d+)", pages).group(1)) <= 2


def test_external_data_needs_the_option_on_the_command_line(tmp_path, capsys):
    """A model with external tensor data: exit 2 naming --external-data-dir, then 0 with it."""
    module = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2)).eval()
    m = export(module, 3)
    onnx.save(m, tmp_path / "ext.onnx", save_as_external_data=True, location="ext.bin", size_threshold=0)
    assert main(["prove", str(tmp_path / "ext.onnx")]) == 2
    err = capsys.readouterr().err
    assert "--external-data-dir" in err and len(err.strip().splitlines()) == 1
    assert main(["prove", str(tmp_path / "ext.onnx"), "--external-data-dir", str(tmp_path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["claim"]["form"] == "explicit"
    out = tmp_path / "one.onnx"
    assert main(["collapse", str(tmp_path / "ext.onnx"), "-o", str(out), "--external-data-dir", str(tmp_path)]) == 0
    capsys.readouterr()
    x = np.random.default_rng(0).standard_normal((5, 3))
    with torch.no_grad():
        theirs = module(torch.tensor(x, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(reference(onnx.load(out), x), theirs, rtol=1e-5, atol=1e-5)


def test_relu_batchnorm_export_gets_regions_and_an_exact_bound_on_the_command_line(tmp_path, capsys):
    """Linear -> BatchNorm1d -> ReLU -> Linear through torch.onnx.export: `symnet regions` and `symnet bound`."""
    from fractions import Fraction

    torch.manual_seed(3)
    nn = torch.nn
    module = nn.Sequential(nn.Linear(2, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 1))
    with torch.no_grad():
        module[1].running_mean.copy_(torch.randn(6) * 0.3)
        module[1].running_var.copy_(torch.rand(6) + 0.5)
    module.eval()
    path = tmp_path / "relu.onnx"
    onnx.save(export(module, 2), path)
    assert main(["regions", str(path), "--box", "-1,1"]) == 0
    assert re.match(r"\d+ linear region\(s\)", capsys.readouterr().out)
    assert main(["bound", str(path), "--box", "-1,1"]) == 0
    out = capsys.readouterr().out
    # "maximum ≈ 0.452778 at (-1, -1)", or "maximum p/q ≈ 0.452778 at ..." when the exact value is short
    found = re.search(r"output 0: maximum (?:\S+ )?≈ (\S+) at \((\S+), (\S+)\)", out)
    assert found is not None, out
    top = float(found.group(1))
    argmax = [float(Fraction(found.group(k))) for k in (2, 3)]
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 41), np.linspace(-1, 1, 41)), -1).reshape(-1, 2)
    with torch.no_grad():
        values = module(torch.tensor(np.vstack([grid, [argmax]]), dtype=torch.float32)).numpy()[:, 0]
    assert values[:-1].max() <= top + 1e-5  # torch never exceeds the exact maximum on the box
    assert abs(values[-1] - top) <= 1e-5 * max(1.0, abs(top))  # and reaches it at the reported point
