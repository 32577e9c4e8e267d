"""Importers read no file the user did not name, and refuse a model whose forward pass is NaN or infinite."""

from __future__ import annotations

import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import symnet
from symnet.cli.main import main
from symnet.errors import InvalidArgument, SymnetError

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

W = np.array([[1.5, -2.0], [0.25, 3.0]], dtype=np.float32)
SECRET = W.tobytes()


def _external_model(location: str, offset: int = 0) -> Any:
    """y = x W^T through Gemm(transB=1), W stored in an external file named ``location``."""
    w = TensorProto()
    w.name, w.data_type = "W", TensorProto.FLOAT
    w.dims.extend([2, 2])
    w.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", str(offset)), ("length", str(len(SECRET)))):
        entry = w.external_data.add()
        entry.key, entry.value = key, value
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["x", "W"], ["y"], transB=1)],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 2])],
        initializer=[w],
    )
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    return m


def _save(tmp_path: Path, location: str) -> Path:
    path = tmp_path / "m.onnx"
    path.write_bytes(_external_model(location).SerializeToString())
    return path


def _exact_w(net: symnet.Network) -> list[list[Fraction]]:
    m = net.layers[0].weights
    return [[Fraction(int(m[i, j].p), int(m[i, j].q)) for j in range(2)] for i in range(2)]


@pytest.mark.parametrize("location", ["secret.bin", "./secret.bin", "sub/secret.bin"])
def test_external_data_is_refused_without_a_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, location: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "secret.bin").write_bytes(SECRET)
    (tmp_path / "sub" / "secret.bin").write_bytes(SECRET)
    for source in (_external_model(location), _save(tmp_path, location), _external_model(location).SerializeToString()):
        with pytest.raises(InvalidArgument, match="external_data_dir"):
            symnet.from_onnx(source)


@pytest.mark.parametrize(
    "location", ["/etc/hostname", "../secret.bin", "a/../../secret.bin", "C:\\secret.bin", "", "x\\..\\..\\s"]
)
def test_paths_outside_the_directory_are_refused(tmp_path: Path, location: str) -> None:
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (tmp_path / "secret.bin").write_bytes(SECRET)
    with pytest.raises(InvalidArgument):
        symnet.from_onnx(_external_model(location), external_data_dir=model_dir)


def test_a_symlink_out_of_the_directory_is_refused(tmp_path: Path) -> None:
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (tmp_path / "secret.bin").write_bytes(SECRET)
    os.symlink(tmp_path / "secret.bin", model_dir / "w.bin")
    with pytest.raises(InvalidArgument, match="not a file inside"):
        symnet.from_onnx(_external_model("w.bin"), external_data_dir=model_dir)


def test_external_data_inside_the_named_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / "w.bin").write_bytes(SECRET)
    net = symnet.from_onnx(_save(tmp_path, "w.bin"), external_data_dir=tmp_path)
    assert _exact_w(net) == [[Fraction(1.5), Fraction(-2)], [Fraction(1, 4), Fraction(3)]]


def test_external_data_with_an_offset_past_the_file_is_a_typed_error(tmp_path: Path) -> None:
    (tmp_path / "w.bin").write_bytes(SECRET[:4])
    with pytest.raises(InvalidArgument):
        symnet.from_onnx(_external_model("w.bin"), external_data_dir=tmp_path)


@pytest.mark.parametrize("location", ["secret.bin", "/etc/hostname", "../secret.bin"])
def test_prove_command_refuses_external_data_with_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], location: str
) -> None:
    """The command, run in this process (the test below runs it in an interpreter of its own, in CI)."""
    (tmp_path / "secret.bin").write_bytes(SECRET)
    path = _save(tmp_path, location)
    monkeypatch.chdir(tmp_path)
    assert main(["prove", str(path)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and "error" in lines[0] and "external" in lines[0], lines


@pytest.mark.slow
@pytest.mark.parametrize("location", ["secret.bin", "/etc/hostname", "../secret.bin"])
def test_cli_prove_refuses_external_data_with_exit_2(tmp_path: Path, location: str) -> None:
    (tmp_path / "secret.bin").write_bytes(SECRET)
    path = _save(tmp_path, location)
    r = subprocess.run(
        [sys.executable, "-m", "symnet", "prove", str(path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env={**os.environ},
    )
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.splitlines()  # bad input: one line on standard error, nothing else (no progress in a pipe)
    assert len(lines) == 1 and "error" in lines[0] and "external" in lines[0], r.stderr


# ----------------------------------------------------------------- NaN models
torch = pytest.importorskip("torch")


def _bn_model(var: list[float], eps: float = 1e-5) -> Any:
    m = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.BatchNorm1d(2, eps=eps), torch.nn.Linear(2, 1))
    with torch.no_grad():
        m[1].running_var[:] = torch.tensor(var)
    return m.eval()


@pytest.mark.parametrize(
    ("var", "eps"),
    [([-1.0, 1.0], 1e-5), ([1.0, -0.5], 1e-5), ([0.0, 1.0], 0.0), ([-0.25, 1.0], 0.25)],
    ids=["negative", "second-negative", "zero-no-eps", "var-plus-eps-zero"],
)
def test_batch_norm_whose_forward_pass_is_nan_is_refused(var: list[float], eps: float) -> None:
    m = _bn_model(var, eps)
    with torch.no_grad():  # torch itself: the eval-mode output is not finite
        assert not bool(torch.isfinite(m(torch.zeros(1, 2))).all())
    with pytest.raises(InvalidArgument, match="NaN"):
        symnet.from_torch(m)


def test_a_torch_model_that_overflows_at_the_probe_is_refused() -> None:
    m = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1))
    with torch.no_grad():
        m[0].weight.fill_(3e38)
        m[0].bias.fill_(0.0)
        m[2].weight.fill_(3e38)
    with pytest.raises(InvalidArgument, match="NaN or infinite"):
        symnet.from_torch(m)


def test_a_healthy_batch_norm_still_imports_and_training_mode_is_kept() -> None:
    m = _bn_model([0.5, 2.0]).train()
    m.eval()
    net = symnet.from_torch(m)
    assert net.p == 2 and not m.training


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # 5 iterations: only shapes matter
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_weights_are_refused_by_every_importer(tmp_path: Path, bad: float) -> None:
    lin = torch.nn.Sequential(torch.nn.Linear(2, 1))
    with torch.no_grad():
        lin[0].weight[0, 1] = bad
    with pytest.raises(SymnetError):
        symnet.from_torch(lin)
    w = np.array([[1.0, bad]], dtype=np.float32)
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["x", "W"], ["y"], transB=1)],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 1])],
        initializer=[numpy_helper.from_array(w, "W")],
    )
    with pytest.raises(SymnetError):
        symnet.from_onnx(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]))
    np.savez(tmp_path / "m.npz", W1=w, b1=np.zeros(1, dtype=np.float32))
    with pytest.raises(SymnetError):
        symnet.from_npz(tmp_path / "m.npz")
    sk = pytest.importorskip("sklearn.neural_network")
    mlp = sk.MLPRegressor(hidden_layer_sizes=(2,), max_iter=5).fit(np.zeros((4, 2)), np.zeros(4))
    mlp.coefs_[0][0, 0] = bad
    with pytest.raises(SymnetError):
        symnet.from_sklearn(mlp)
