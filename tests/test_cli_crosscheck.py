"""symnet crosscheck: the report on stdout, exit codes 0 / 1 / 2, one-line errors."""

import argparse
import subprocess
import sys

import pytest

import symnet
from symnet.cli import crosscheck as cli_crosscheck


def run(argv, capsys):
    """Parse with a bare argparse parser holding only our sub-command, then run it."""
    parser = argparse.ArgumentParser(prog="symnet")
    cli_crosscheck.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    code = args.func(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_agreement_exits_0_and_prints_the_report(capsys):
    code, out, err = run(["crosscheck", "--inputs", "2", "--hidden", "2", "--hidden", "2", "--samples", "30"], capsys)
    assert code == 0 and err == ""
    assert out.startswith("crosscheck: AGREE (30 instantiations evaluated, seed 0)")
    assert "Network(inputs=2, hidden=[2, 2], outputs=1" in out


def test_kinds_and_seed(capsys):
    code, out, _ = run(["crosscheck", "--kind", "int", "--kind", "float", "--samples", "10", "--seed", "5"], capsys)
    assert code == 0 and "seed 5" in out and "rational" not in out


def test_non_linear_network_exits_1(capsys):
    code, out, err = run(["crosscheck", "--activation", "relu", "--samples", "10"], capsys)
    assert code == 1 and out == "" and "not linear" in err and len(err.strip().splitlines()) == 1


def test_certificate_round_trip(tmp_path, capsys):
    path = tmp_path / "proof.json"
    path.write_text(symnet.prove(symnet.dense(2, [2])).to_json())
    code, out, _ = run(["crosscheck", "--certificate", str(path), "--samples", "12"], capsys)
    assert code == 0 and "W*, b* of the given proof" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["crosscheck", "--certificate", "/nonexistent/proof.json"],
        ["crosscheck", "--no-hidden", "--hidden", "2"],
        ["crosscheck", "--inputs", "400", "--hidden", "400", "--hidden", "400"],
    ],
)
def test_bad_input_exits_2_with_one_line(argv, capsys):
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_malformed_certificate_exits_2(tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text('{"format": "symnet-certificate"}')
    code, _, err = run(["crosscheck", "--certificate", str(path)], capsys)
    assert code == 2 and "bad.json" in err


@pytest.mark.parametrize("value", ["abc", "-3", "0", "1e3", "__import__('os')"])
def test_bad_numbers_are_usage_errors(value, capsys):
    with pytest.raises(SystemExit) as info:
        run(["crosscheck", "--samples", value], capsys)
    assert info.value.code == 2


@pytest.mark.slow
def test_through_the_symnet_command():
    """python -m symnet crosscheck: the real entry point, exit codes and no traceback."""
    command = [sys.executable, "-m", "symnet", "crosscheck"]
    ok = subprocess.run([*command, "--samples", "9"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "crosscheck: AGREE" in ok.stdout
    bad = subprocess.run([*command, "--activation", "nope"], capture_output=True, text=True)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
