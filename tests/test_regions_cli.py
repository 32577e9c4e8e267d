"""symnet regions / symnet bound / symnet check on regions documents: outputs and exit codes."""

import json

import pytest

from symnet.cli import main

NET = {"weights": [[[1, 0], [0, 1], [1, 1]], [[1, 1, 1]]], "biases": [[0, 0, -1], [0]], "activation": "relu"}


@pytest.fixture
def net_file(tmp_path):
    path = tmp_path / "net.json"
    path.write_text(json.dumps(NET))
    return str(path)


def test_regions_text_and_box(net_file, capsys):
    assert main(["regions", net_file]) == 0
    assert capsys.readouterr().out.startswith("7 linear region(s)")
    assert main(["regions", net_file, "--box", "-1,1"]) == 0
    assert capsys.readouterr().out.startswith("5 linear region(s)")
    assert main(["regions", net_file, "--box=-1,1", "--box", "-1/2,1/2", "--format", "markdown"]) == 0
    assert "| region | pattern |" in capsys.readouterr().out


def test_regions_json_is_checked_by_symnet_check(net_file, tmp_path, capsys):
    out = tmp_path / "regions.json"
    assert main(["regions", net_file, "--format", "json", "-o", str(out)]) == 0
    assert main(["check", str(out)]) == 0
    assert "regions certificate checked: 7 regions" in capsys.readouterr().out
    doc = json.loads(out.read_text())
    doc["regions"][0]["offset"] = ["9"]
    out.write_text(json.dumps(doc))
    assert main(["check", str(out)]) == 1
    err = capsys.readouterr().err
    assert "rejected" in err and "Traceback" not in err


def test_random_dense_network(capsys):
    assert main(["regions", "--inputs", "2", "--hidden", "4", "--seed", "3", "--box", "-1,1", "--format", "latex"]) == 0
    assert capsys.readouterr().out.startswith("\\documentclass")


def test_picture(net_file, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "regions.png"
    assert main(["regions", net_file, "--box", "-2,2", "--format", "png", "-o", str(out)]) == 0
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_bound_commands(net_file, tmp_path, capsys):
    assert main(["bound", net_file, "--box", "-2,2"]) == 0
    out = capsys.readouterr().out
    assert "maximum 7 at (2, 2)" in out and "minimum 0 at (0, 0)" in out
    assert main(["bound", net_file, "--box", "-2,2", "--at-most", "7"]) == 0
    assert main(["bound", net_file, "--box", "-2,2", "--at-most", "6.5"]) == 1
    assert "refuted" in capsys.readouterr().out
    cert = tmp_path / "bound.json"
    assert main(["bound", net_file, "--box", "-2,2", "--at-most", "7", "--format", "json", "-o", str(cert)]) == 0
    assert main(["check", str(cert)]) == 0


def test_vnnlib_command(tmp_path, capsys):
    net = tmp_path / "net.json"
    net.write_text(json.dumps({"weights": [[[1], [-1]], [[1, 1]]], "biases": [[0, 0], [0]]}))
    prop = tmp_path / "p.vnnlib"
    text = "(declare-const X_0 Real)(declare-const Y_0 Real)(assert (>= X_0 -1))(assert (<= X_0 2))(assert (>= Y_0 T))"
    prop.write_text(text.replace("T", "2.5"))
    assert main(["bound", str(net), "--vnnlib", str(prop)]) == 0
    prop.write_text(text.replace("T", "1.5"))
    assert main(["bound", str(net), "--vnnlib", str(prop)]) == 1
    out = capsys.readouterr().out.splitlines()[-1]
    assert out.startswith("property violated at x = (")
    assert eval_fraction(out.split("outputs (")[1].rstrip(")")) >= 1.5


@pytest.mark.parametrize(
    "argv",
    [
        ["regions"],
        ["regions", "missing.json"],
        ["regions", "--inputs", "2", "--box", "1,0"],
        ["regions", "--inputs", "2", "--box", "0,1", "--box", "0,1", "--box", "0,1"],
        ["regions", "--inputs", "2", "--box", "a,b"],
        ["regions", "--inputs", "2", "--format", "png"],
        ["bound", "--inputs", "2"],
        ["bound", "--inputs", "1", "--box", "0,1", "--at-most", "1e999999"],
    ],
)
def test_bad_input_exits_2_with_one_line(argv, capsys):
    raises = argv[-2:] in (["--box", "1,0"], ["--box", "a,b"], ["--at-most", "1e999999"])
    with pytest.raises(SystemExit) if raises else _nothing():
        code = main(argv)
        assert code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip()


def test_bad_network_files_exit_2(tmp_path, capsys):
    for content in ("not json", json.dumps({"weights": [[["x"]]], "biases": [[0]]}), json.dumps([1, 2]),
                    json.dumps({"weights": [[[1]], [[1]]], "biases": [[0], [0]], "activation": "tanh"})):
        path = tmp_path / "bad.json"
        path.write_text(content)
        assert main(["regions", str(path)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err


def eval_fraction(text):
    from fractions import Fraction

    return Fraction(text)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_check_accepts_a_piecewise_proof(tmp_path, capsys):
    """decide's proof for an affine relu network is a regions document with an affine claim; symnet check takes it."""
    import symnet

    net = symnet.Network.from_matrices([[[1], [-1]], [[1, -1]]], [[0, 0], [0]], activation="relu")
    path = tmp_path / "proof.json"
    path.write_text(symnet.decide(net).to_json())
    assert main(["check", str(path)]) == 0
    assert "affine claim" in capsys.readouterr().out
