"""The command line explains itself: --version, the activation names, reserved size letters, the notation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import symnet
from symnet.cli.main import main
from symnet.cli.prove import FREE_SIZE_NAMES, RESERVED_MEANINGS
from symnet.model.generic import RESERVED_SIZE_NAMES, is_size_name

ROOT = Path(__file__).resolve().parent.parent


def _run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse's --help, --version and usage errors
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_version_is_the_package_version(capsys):
    """`symnet --version` prints the version pyproject.toml declares."""
    code, out, _ = _run(capsys, "--version")
    declared = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
    assert code == 0 and out.strip() == f"symnet {declared}" == f"symnet {symnet.__version__}"


def test_activation_help_lists_every_name(capsys):
    """--activation's help names every activation the option accepts."""
    code, out, _ = _run(capsys, "prove", "--help")
    flat = " ".join(out.split())
    assert code == 0
    for name in symnet.NAMED_ACTIVATIONS:
        assert name in flat


def test_help_explains_the_notation_without_saying_the_seed(capsys):
    """The help says the names come from the blog post's notation; it never says "the seed's"."""
    for args in (("--help",), ("prove", "--help")):
        _, out, _ = _run(capsys, *args)
        flat = " ".join(out.split())
        assert "blog post" in flat and "b_{k,0}" in flat and "b^{(l)}_{k,j}" in flat
        assert "seed" not in flat.lower()


@pytest.mark.parametrize("letter", sorted(RESERVED_SIZE_NAMES))
def test_reserved_letter_as_size_says_it_is_reserved(capsys, letter):
    """--hidden k: k is reserved by the notation (with its meaning) and free names are offered."""
    code, out, err = _run(capsys, "prove", "--hidden", letter)
    assert code == 2 and out == ""
    assert f"{letter!r} is reserved by the notation" in err and RESERVED_MEANINGS[letter] in err
    assert "not a positive whole number" not in err
    assert all(name in err for name in FREE_SIZE_NAMES)
    assert len(err.strip().splitlines()) <= 4 and "Traceback" not in err


def test_every_reserved_letter_has_a_meaning_and_the_alternatives_are_free():
    """The table of meanings covers the model's reserved names; the suggested names are usable."""
    assert set(RESERVED_MEANINGS) == set(RESERVED_SIZE_NAMES)
    assert all(is_size_name(name) for name in FREE_SIZE_NAMES)


def test_a_size_name_still_proves_for_every_size(capsys):
    """A free letter is a symbolic size: the generic proof is printed."""
    code, out, _ = _run(capsys, "prove", "--inputs", "p", "--hidden", "h")
    assert code == 0 and "for every" in out
