"""Features that need an optional library say which extra installs it, before doing any work."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

import symnet
from symnet.cli import collapse
from symnet.cli.main import main
from symnet.errors import MissingDependency

ROOT = Path(__file__).resolve().parents[1]


def test_plot_extra_is_declared() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    extras = text[text.index("[project.optional-dependencies]") :]
    assert re.search(r'^plot = \["matplotlib>=3\.7"\]$', extras.split("\n[", 1)[0], re.M)


def test_plot_without_matplotlib_is_a_typed_error_with_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    net = symnet.Network.from_matrices([[[1, -1], [1, 1]], [[1, 1]]], [[0, 0], [0]], "relu")
    regs = symnet.regions(net, box=[(-1, 1), (-1, 1)])
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if it were not installed
    with pytest.raises(MissingDependency, match=r"pip install 'symnet\[plot\]'") as info:
        regs.plot()
    assert isinstance(info.value, ImportError) and info.value.name == "matplotlib"


def test_collapse_without_onnx_fails_before_the_proof(monkeypatch: pytest.MonkeyPatch, capsys, tmp_path) -> None:
    monkeypatch.setitem(sys.modules, "onnx", None)

    def no_proof(*args: object, **kwargs: object) -> None:
        raise AssertionError("the proof ran before the export's requirements were checked")

    monkeypatch.setattr(collapse, "prove", no_proof)
    monkeypatch.setattr(collapse, "load_model_file", no_proof)
    code = main(["collapse", str(tmp_path / "x.npz"), "-o", str(tmp_path / "y.onnx")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert "needs onnx" in err[0] and "symnet[onnx]" in err[0]
    assert not (tmp_path / "y.onnx").exists()
