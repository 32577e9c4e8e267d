"""The command line: every exit path, hostile arguments included.

Each test runs twice through the ``run`` fixture: ``main()`` in this process,
and (marked slow, so CI runs it) ``python -m symnet`` in a fresh one, which
also shows that no traceback reaches the terminal.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import symnet
from symnet.certificate.writing import network_fingerprint
from symnet.cli._common import guarded
from symnet.cli.main import COMMANDS, build_parser, main

GOLDEN = Path(__file__).parent / "golden"


Run = Callable[..., "subprocess.CompletedProcess[str]"]


def in_subprocess(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m symnet ARGS`` in a fresh interpreter."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "symnet", *args], capture_output=True, text=True, encoding="utf-8", timeout=120, env=env
    )


@pytest.fixture(params=["in-process", pytest.param("subprocess", marks=pytest.mark.slow)])
def run(request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]) -> Run:
    """The command line: ``main()`` in this process, or ``python -m symnet`` (slow: each call starts Python)."""
    if request.param == "subprocess":
        return in_subprocess

    def in_process(*args: str) -> subprocess.CompletedProcess[str]:
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse: --help, --version and usage errors
            code = exc.code if isinstance(exc.code, int) else 2
        out = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, out.out, out.err)

    return in_process


def assert_usage_error(r: subprocess.CompletedProcess, *words: str) -> None:
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert 1 <= len(lines) <= 4, r.stderr
    for w in words:
        assert w in r.stderr


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "seed.json"
    assert main(["prove", "--inputs", "2", "--hidden", "3", "--format", "json", "-o", str(path)]) == 0
    return path


def test_prove_without_options_is_the_seed_network(run):
    """`symnet prove` proves p = 3, one hidden layer of 3, and prints the text derivation."""
    r = run("prove")
    assert r.returncode == 0 and r.stderr == ""
    assert "Inputs x = (x_1, x_2, x_3)^T (p = 3); one hidden layer of h = 3 nodes" in r.stdout
    assert "β_3 = c_1 b_{1,3} + c_2 b_{2,3} + c_3 b_{3,3}." in r.stdout


def test_prove_text_for_p2_h3_is_the_golden(run):
    """The CLI prints exactly the hand-written golden derivation."""
    r = run("prove", "--inputs", "2", "--hidden", "3")
    assert r.returncode == 0
    golden = (GOLDEN / "seed_p2_h3.txt").read_text(encoding="utf-8")
    body, _, last = r.stdout.rstrip("\n").rpartition("\n\n")
    assert body + "\n" == golden
    # the last paragraph names the network: architecture, formulas and the fingerprint of its section
    fp = network_fingerprint(symnet.dense(2, [3]))
    assert last == (
        "Network: Network(inputs=2, hidden=[3], outputs=1, activation='identity'); architecture 2 -> 3 -> 1; "
        f"activations: layer 1: t -> t; fingerprint {fp}"
    )


@pytest.mark.skipif(shutil.which("symnet") is None, reason="console script not installed")
def test_console_script_runs():
    """The `symnet` console script is installed and runs main()."""
    r = subprocess.run(
        ["symnet", "prove", "--no-hidden"], capture_output=True, text=True, encoding="utf-8", timeout=120
    )
    assert r.returncode == 0 and "β_3 = b_3." in r.stdout


@pytest.mark.parametrize(
    "fmt, marker", [("latex", "\\begin{document}"), ("markdown", "$$"), ("json", '"symnet.linear"')]
)
def test_prove_formats(fmt, marker, run):
    """--format latex gives a complete document, markdown $$ blocks, json the certificate."""
    r = run("prove", "--inputs", "2", "--hidden", "2", "--hidden", "2", "--outputs", "2", "--format", fmt)
    assert r.returncode == 0 and marker in r.stdout


def test_output_file(tmp_path, run):
    """-o writes the derivation to the file and nothing to stdout."""
    out = tmp_path / "d.tex"
    r = run("prove", "--format", "latex", "-o", str(out))
    assert r.returncode == 0 and r.stdout == ""
    assert out.read_text(encoding="utf-8").endswith("\\end{document}\n")


def test_check_and_render_a_saved_certificate(cert, run):
    """check exits 0; render prints the same derivation as prove."""
    r = run("check", str(cert))
    assert r.returncode == 0 and "checked" in r.stdout
    r = run("render", str(cert))
    assert r.returncode == 0
    assert r.stdout == (GOLDEN / "seed_p2_h3.txt").read_text(encoding="utf-8")


def test_tampered_certificate_is_rejected_with_exit_1(cert, tmp_path, run):
    """A well-formed certificate with a wrong claim: exit 1, step and rule named."""
    data = json.loads(cert.read_text())
    row = data["claim"]["matrix"][0]
    row[0], row[1] = row[1], row[0]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    for cmd in ("check", "render"):
        r = run(cmd, str(bad))
        assert r.returncode == 1, r.stderr
        assert "rejected" in r.stderr and "Traceback" not in r.stderr and r.stdout == ""


@pytest.mark.parametrize(
    "content", [b"garbage", b"{}", b'{"format": "symnet-certificate"}', b"\xff\xfe\x00", b"[" * 100_000]
)
def test_garbage_certificate_is_bad_input(tmp_path, content, run):
    """Malformed files: exit 2 with one error line."""
    path = tmp_path / "g.json"
    path.write_bytes(content)
    assert_usage_error(run("check", str(path)), "malformed certificate")


def test_missing_certificate_is_bad_input(tmp_path, run):
    """A file that does not exist: exit 2."""
    assert_usage_error(run("check", str(tmp_path / "nope.json")), "No such file")
    assert_usage_error(run("render", str(tmp_path)), "error")


@pytest.mark.parametrize(
    "args, words",
    [
        (["prove", "--inputs", "__import__('os')"], ["--inputs", "not a positive whole number"]),
        (["prove", "--inputs", "-1"], ["--inputs"]),
        (["prove", "--inputs", "0"], ["--inputs", "out of range"]),
        (["prove", "--inputs", "10**9"], ["--inputs"]),
        (["prove", "--inputs", "1e3"], ["--inputs"]),
        (["prove", "--inputs", "9" * 400], ["--inputs"]),
        (["prove", "--hidden", "99999999"], ["--hidden"]),
        (["prove", "--hidden", "5000", "--hidden", "5000"], ["guard"]),
        (["prove", "--inputs", "10000", "--hidden", "10000"], ["guard"]),
        (["prove", "--outputs", "x"], ["--outputs"]),
        (["prove", "--activation", "__import__('os').system('true')"], ["--activation", "not a known activation"]),
        (["prove", "--format", "pdf"], ["--format", "invalid choice"]),
        (["prove", "--no-hidden", "--hidden", "2"], ["exclude"]),
        (["frobnicate"], ["invalid choice"]),
        ([], ["required"]),
        (["check"], ["required"]),
    ],
)
def test_bad_usage_exits_2_without_traceback(args, words, run):
    """Hostile or wrong arguments are refused, never evaluated: exit 2, short message."""
    assert_usage_error(run(*args), *words)


@pytest.mark.parametrize("activation, fmt", [("square", "text"), ("relu", "latex"), ("tanh", "markdown")])
def test_non_linear_activation_is_refuted(activation, fmt, run):
    """Non-linear activations: exit 1, the counterexample printed in the chosen format."""
    r = run("prove", "--inputs", "1", "--hidden", "1", "--activation", activation, "--format", fmt)
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert r.stdout.strip()


#: One hostile argument per sub-command (``{dir}`` is a scratch folder holding net.json, a 1-output relu network).
HOSTILE = {
    "prove": (["prove", "--hidden", "__import__('os').system('true')"], "--hidden"),
    "prove MODEL": (["prove", "{dir}/evil.exe"], "unknown model format"),
    "check": (["check", "{dir}"], "error"),
    "render": (["render", "{dir}/net.json"], "malformed"),
    "crosscheck": (["crosscheck", "--samples", "10**9"], "--samples"),
    "regions": (["regions", "{dir}/net.json", "--box", "1,-1"], "LO must be smaller than HI"),
    "bound": (["bound", "{dir}/net.json", "--box", "-1,1", "--output", "7", "--at-most", "0"], "out of range"),
    "collapse": (["collapse", "{dir}/net.json", "-o", "{dir}/out.onnx"], "unknown model format"),
    "export": (["export", "--coq", "{dir}/net.json"], "unknown document format"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_every_sub_command_refuses_a_hostile_argument(case, tmp_path, capsys):
    """Each sub-command: exit 2, nothing on stdout, one short line on stderr (plus argparse's usage line)."""
    (tmp_path / "net.json").write_text(json.dumps({"weights": [[[1, -1]], [[1]]], "biases": [[0], [0]]}))
    argv, words = HOSTILE[case]
    try:
        code = main([a.replace("{dir}", str(tmp_path)) for a in argv])
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2 and out == "", err
    *usage, line = err.strip().splitlines()
    assert words in line and line.startswith("symnet") and len(line) <= 400 and "Traceback" not in err
    assert not usage or (usage[0].startswith("usage:") and all(u.startswith(" ") for u in usage[1:])), err


def test_top_level_help_lists_every_sub_command_without_loading_it(capsys):
    """``symnet --help`` lists the COMMANDS table's summaries."""
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    out = "".join(capsys.readouterr().out.split())  # argparse wraps lines, also at hyphens
    assert info.value.code == 0
    for name, (_, summary) in COMMANDS.items():
        assert name + "".join(summary.split()) in out


def test_interrupt_is_exit_130_without_traceback(capsys):
    """Ctrl-C inside a sub-command: one line, exit 130."""

    def interrupted(_: object) -> int:
        raise KeyboardInterrupt

    assert guarded(interrupted, argparse.Namespace()) == 130
    assert capsys.readouterr().err == "symnet: interrupted\n"


def test_summaries_of_the_table_are_the_sub_commands_own():
    """``symnet --help`` (no module loaded) says what the full parser (every module loaded) says."""
    assert build_parser(()).format_help() == build_parser().format_help()
