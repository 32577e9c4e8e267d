"""A mistyped option or sub-command: exit 2, the usage line and one error line that says "did you mean"."""

from __future__ import annotations

import pytest

from symnet.cli.main import did_you_mean, main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    err = capsys.readouterr().err
    return int(info.value.code or 0), [line for line in err.splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("argv", "prog", "suggestion"),
    [
        (["prove", "--hiden", "3"], "symnet prove", "did you mean --hidden?"),
        (["prove", "--inputs", "2", "--hidden", "2", "--formt", "latex"], "symnet prove", "did you mean --format?"),
        (["prove", "--inputs=2", "--hiden=3"], "symnet prove", "did you mean --hidden?"),
        (["regions", "--bx", "-1,1"], "symnet regions", "did you mean --box?"),
        (["prov"], "symnet", "did you mean prove?"),
        (["regoins"], "symnet", "did you mean regions?"),
        (["prove", "--inputs", "2", "--hidden", "2", "--format", "latx"], "symnet prove", "did you mean latex?"),
    ],
)
def test_typos_get_a_suggestion(
    capsys: pytest.CaptureFixture[str], argv: list[str], prog: str, suggestion: str
) -> None:
    code, lines = run(capsys, *argv)
    assert code == 2
    error = [line for line in lines if ": error: " in line]
    assert len(error) == 1 and error[0].startswith(f"{prog}: error: ")
    assert error[0].endswith(suggestion)
    assert lines[0].startswith("usage: ")
    assert not any("Traceback" in line for line in lines)


def test_no_suggestion_for_a_word_like_no_option(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run(capsys, "prove", "--zzzzzz")
    assert code == 2 and lines[-1] == "symnet prove: error: unrecognized argument --zzzzzz"


def test_did_you_mean() -> None:
    assert did_you_mean("--hiden", ["--hidden", "--inputs"]) == "; did you mean --hidden?"
    assert did_you_mean("qqq", ["--hidden"]) == ""
