"""``symnet verify NET PROP.vnnlib`` (issue 21): exit codes, the summary, the certificate, VNN-COMP's result file.

The network is y0 = relu(x0 + x1), y1 = relu(x0 - x1); on [-1, 1] x [-1/2, 1/2] the
maximum of y0 is 3/2 (at x = (1, 1/2)), worked out by hand.
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

import symnet
from symnet import kernel
from symnet.certificate import read
from symnet.cli.main import main
from symnet.cli.verify import case_paths, decimal_text, result_text

HEAD = "(declare-const X_0 Real) (declare-const X_1 Real) (declare-const Y_0 Real) (declare-const Y_1 Real)\n"
BOX = "(assert (>= X_0 -1)) (assert (<= X_0 1)) (assert (>= X_1 -0.5)) (assert (<= X_1 0.5))\n"
NET = {"weights": [[[1, 1], [1, -1]], [[1, 0], [0, 1]]], "biases": [[0, 0], [0, 0]], "activation": "relu"}

has_engine = pytest.mark.skipif(not hasattr(symnet, "verify"), reason="symnet.verify is on the verify branch")


def _kernel_accepts(path) -> bool:
    """The certificate file, read and checked by the kernel (what ``symnet check`` does before its summary)."""
    with open(path, "rb") as f:
        kernel.check(read(f.read()))
    return True


def _run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse's usage errors and --help
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def files(tmp_path):
    net = tmp_path / "net.json"
    net.write_text(json.dumps(NET))

    def prop(body: str, head: str = HEAD + BOX) -> str:
        path = tmp_path / f"p{len(list(tmp_path.iterdir()))}.vnnlib"
        path.write_text(head + body)
        return str(path)

    return str(net), prop, tmp_path


# ------------------------------------------------------------------ bad input: exit 2, one line
def _bad(capsys, *args: str) -> str:
    code, out, err = _run(capsys, "verify", *args)
    assert code == 2, (code, out, err)
    assert "Traceback" not in err and err.strip()
    return err


def test_missing_files_are_bad_input(capsys, files):
    net, prop, tmp = files
    err = _bad(capsys, str(tmp / "nope.onnx"), prop("(assert (>= Y_0 2))"))
    assert len(err.strip().splitlines()) == 1
    _bad(capsys, net, str(tmp / "nope.vnnlib"))


def test_an_unsupported_property_is_bad_input(capsys, files):
    net, prop, _ = files
    err = _bad(capsys, net, prop("(assert (< Y_0 2))"))
    assert "strict" in err and len(err.strip().splitlines()) == 1
    assert "nested deeper" in _bad(capsys, net, prop("(assert " + "(" * 100_000 + ")" * 100_000 + ")"))


def test_a_property_of_another_shape_is_bad_input(capsys, files):
    net, prop, _ = files
    one_output = "(declare-const X_0 Real) (declare-const X_1 Real) (declare-const Y_0 Real)\n"
    assert "1 outputs" in _bad(capsys, net, prop("(assert (>= Y_0 2))", one_output + BOX))


def test_a_bad_network_file_is_bad_input(capsys, files):
    _, prop, tmp = files
    bad = tmp / "net.json"
    bad.write_text("{not json")
    assert "not JSON" in _bad(capsys, str(bad), prop("(assert (>= Y_0 2))"))
    onnx = tmp / "garbage.onnx"
    onnx.write_bytes(b"\x00\x01garbage")
    _bad(capsys, str(onnx), prop("(assert (>= Y_0 2))"))


@pytest.mark.parametrize("option", [["--timeout", "0"], ["--timeout", "-3"], ["--timeout", "soon"], ["--workers", "0"]])
def test_bad_options_are_usage_errors(capsys, files, option):
    net, prop, _ = files
    code, _, err = _run(capsys, "verify", net, prop("(assert (>= Y_0 2))"), *option)
    assert code == 2 and "usage:" in err and "Traceback" not in err


def test_help_lists_verify_and_its_exit_codes(capsys):
    code, out, _ = _run(capsys, "--help")
    assert code == 0 and "verify" in out
    code, out, _ = _run(capsys, "verify", "--help")
    flat = " ".join(out.split())
    assert code == 0 and "exit 0 holds, 1 violated, 3 unknown or timeout, 2 bad input" in flat
    for option in ("--timeout", "--certificate", "--workers", "--scheduler", "--result-file"):
        assert option in flat


# ------------------------------------------------------------------ the result file's text
def test_decimals_are_exact_when_they_terminate():
    assert decimal_text(Fraction(3, 2)) == "1.5"
    assert decimal_text(Fraction(-1, 8)) == "-0.125"
    assert decimal_text(0) == "0"
    assert decimal_text(Fraction(1, 3)) == "0.33333333333333333333"  # 20 significant digits
    assert float(decimal_text(Fraction(1, 3 * 10**9))) == pytest.approx(1 / 3e9, rel=1e-15)


def test_result_file_text():
    assert result_text("holds", "vnncomp2021") == "holds\n"
    assert result_text("holds", "vnncomp2022") == "unsat\n"
    assert result_text("timeout", "vnncomp2022") == "timeout\n"
    assert result_text("unknown", "vnncomp2021") == "unknown\n"
    text = result_text("violated", "vnncomp2021", (Fraction(1), Fraction(-1, 4)), (Fraction(3, 4), Fraction(5, 4)))
    assert text == "violated\n((X_0 1)\n (X_1 -0.25)\n (Y_0 0.75)\n (Y_1 1.25))\n"
    assert result_text("violated", "vnncomp2022", (1,), (2,)).splitlines()[0] == "sat"


def test_certificate_paths_of_a_union():
    assert case_paths("out/c.json", 1) == ["out/c.json"]
    assert case_paths("out/c.json", 3) == ["out/c.json", "out/c.2.json", "out/c.3.json"]


# ------------------------------------------------------------------ full runs (with the engine)
def _relu_net(x0: Fraction, x1: Fraction) -> tuple[Fraction, Fraction]:
    return max(x0 + x1, Fraction(0)), max(x0 - x1, Fraction(0))


@has_engine
def test_a_property_that_holds(capsys, files):
    net, prop, tmp = files
    cert, result = tmp / "cert.json", tmp / "result.txt"
    args = ["--certificate", str(cert), "--result-file", str(result), "--timeout", "60"]
    code, out, err = _run(capsys, "verify", net, prop("(assert (>= Y_0 1.6))"), *args)
    assert code == 0 and out.startswith("holds") and err == ""
    assert f"certificate: {cert}" in out
    assert result.read_text() == "holds\n"
    assert _kernel_accepts(cert)


@has_engine
def test_a_violated_property_gives_an_exact_counterexample(capsys, files):
    net, prop, tmp = files
    cert, result = tmp / "cert.json", tmp / "result.txt"
    args = ["--certificate", str(cert), "--result-file", str(result), "--result-style", "vnncomp2022"]
    code, out, _ = _run(capsys, "verify", net, prop("(assert (>= Y_0 1.25))"), *args)
    assert code == 1 and out.startswith("violated") and "counterexample x = (" in out
    lines = result.read_text().splitlines()
    assert lines[0] == "sat"
    values = dict(line.strip(" ()").split() for line in lines[1:])
    x = (Fraction(values["X_0"]), Fraction(values["X_1"]))
    assert -1 <= x[0] <= 1 and Fraction(-1, 2) <= x[1] <= Fraction(1, 2)
    assert _relu_net(*x)[0] >= Fraction(5, 4)  # the violation, by the hand-written forward pass
    assert (Fraction(values["Y_0"]), Fraction(values["Y_1"])) == _relu_net(*x)
    assert _kernel_accepts(cert)


@has_engine
def test_a_fixed_input_is_verified(capsys, files):
    """X_1 = 1/2 fixed: y0 = relu(x0 + 1/2) <= 3/2 on x0 in [-1, 1]."""
    net, prop, _ = files
    fixed = HEAD + "(assert (>= X_0 -1)) (assert (<= X_0 1)) (assert (>= X_1 0.5)) (assert (<= X_1 0.5))\n"
    assert _run(capsys, "verify", net, prop("(assert (>= Y_0 1.51))", fixed))[0] == 0
    code, out, _ = _run(capsys, "verify", net, prop("(assert (>= Y_0 1.49))", fixed))
    assert code == 1 and "counterexample" in out


@has_engine
def test_a_union_of_boxes_is_verified_box_by_box(capsys, files):
    """y1 = relu(x0 - x1) >= 2 needs x0 - x1 >= 2: impossible on the first box, possible on the second."""
    net, prop, tmp = files
    first = "(and (>= X_0 -1) (<= X_0 0) (>= X_1 -0.5) (<= X_1 0.5))"
    second = "(and (>= X_0 2) (<= X_0 3) (>= X_1 -0.5) (<= X_1 0.5))"
    code, out, _ = _run(capsys, "verify", net, prop(f"(assert (or {first} {second})) (assert (>= Y_1 2))", HEAD))
    assert code == 1 and "union of 2 boxes" in out
    cert = tmp / "u.json"
    holds = prop(f"(assert (or {first} {second})) (assert (>= Y_1 4))", HEAD)  # max y1 = 3.5
    code, out, _ = _run(capsys, "verify", net, holds, "--certificate", str(cert))
    assert code == 0 and cert.exists() and (tmp / "u.2.json").exists()
    assert _kernel_accepts(cert) and _kernel_accepts(tmp / "u.2.json")


@has_engine
def test_symnet_check_reads_the_certificate(capsys, files):
    net, prop, tmp = files
    cert = tmp / "cert.json"
    assert _run(capsys, "verify", net, prop("(assert (>= Y_0 1.6))"), "--certificate", str(cert))[0] == 0
    code, out, _ = _run(capsys, "check", str(cert))
    assert code == 0 and out.strip()


def test_progress_is_one_overwritten_line_on_a_terminal_only(capsys, monkeypatch):
    from symnet.cli import verify as cli_verify
    from symnet.results.verdict import VerifyProgress

    report = cli_verify._progress(0.0)
    monkeypatch.setattr("sys.stderr.isatty", lambda: False)
    report(VerifyProgress(open=3, closed=5, bound=-0.25, elapsed=1.0))
    assert capsys.readouterr().err == ""
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    cli_verify._progress(0.0)(VerifyProgress(open=3, closed=5, bound=-0.25, elapsed=1.0))
    err = capsys.readouterr().err
    assert err.startswith("\rsymnet: verify: leaves open 3, closed 5, bound -0.25;") and "\n" not in err
