"""The ``symnet`` command: one sub-command per module, loaded only when it runs.

:data:`COMMANDS` names the module of every sub-command; each module has
``add_parser(subparsers)`` (registering its options and ``func``) and imports
nothing from here (what they share is in :mod:`symnet.cli._common`).  So
``symnet --version`` loads no sub-command, and ``symnet check`` loads only
the checker.  Exit codes and the error line: :mod:`symnet.cli._common`.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import re
import sys
from collections.abc import Collection, Sequence
from typing import Any, NoReturn

from .. import __version__
from ._common import EXIT_USAGE, NOTATION, guarded

__all__ = ["COMMANDS", "build_parser", "did_you_mean", "main"]

#: Sub-command -> (its module, the one line ``symnet --help`` shows for it).
COMMANDS: dict[str, tuple[str, str]] = {
    "prove": ("symnet.cli.prove", "prove (or refute) that a dense network (or a MODEL file) is a linear regression"),
    "check": (
        "symnet.cli.check",
        "re-check a saved document (certificate, generic certificate, counterexample, degree, regions, verification)",
    ),
    "render": ("symnet.cli.render", "check a saved certificate and print its derivation"),
    "crosscheck": (
        "symnet.cli.crosscheck",
        "cross-check W* x + b* against the forward pass on Hypothesis-drawn numbers",
    ),
    "regions": ("symnet.cli.regions", "the exact linear regions of a ReLU network (a piecewise linear regression)"),
    "bound": ("symnet.cli.bound", "exact maximum/minimum of a ReLU network's outputs over a box"),
    "collapse": ("symnet.cli.collapse", "collapse a model (.onnx or .npz) into one Gemm, with its certificate"),
    "export": ("symnet.cli.export", "export a checked certificate to Coq, whose kernel re-checks it"),
    "verify": ("symnet.cli.verify", "decide a VNN-LIB property of a ReLU network, with a checked certificate"),
}


_INVALID_CHOICE = re.compile(r"invalid choice: '([^']*)' \(choose from (.*)\)$")


def did_you_mean(word: str, known: Collection[str]) -> str:
    """`` (did you mean X?)`` for the known word closest to a mistyped ``word``, or nothing (difflib)."""
    close = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""


class _Parser(argparse.ArgumentParser):
    """argparse, with the usage line and one error line on stderr, exit 2; a mistyped choice gets a suggestion."""

    def error(self, message: str) -> NoReturn:
        found = _INVALID_CHOICE.search(message)
        if found:
            choices = [c.strip().strip("'") for c in found.group(2).split(",")]
            message += did_you_mean(found.group(1), choices)
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _subparser(parser: argparse.ArgumentParser, name: str | None) -> argparse.ArgumentParser:
    """The parser of sub-command ``name`` (``parser`` itself when there is none)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and name in action.choices:
            chosen: argparse.ArgumentParser = action.choices[name]
            return chosen
    return parser


def _unrecognized(parser: argparse.ArgumentParser, extra: Sequence[str]) -> NoReturn:
    """The error for words no option took, with the closest option of the sub-command (``--hiden`` -> ``--hidden``)."""
    options = [s for action in parser._actions for s in action.option_strings]
    word = next((w for w in extra if w.startswith("-")), extra[0])
    hint = did_you_mean(word.split("=", 1)[0], options) if word.startswith("-") else ""
    rest = f" (and {len(extra) - 1} more)" if len(extra) > 1 else ""
    parser.error(f"unrecognized argument {word}{rest}{hint}")


def build_parser(commands: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser of ``symnet``.

    Sub-commands in ``commands`` (default: all) get their full parsers; the
    others are listed by name and summary without loading their modules.
    """
    parser = _Parser(
        prog="symnet",
        description="Prove with symbolic algebra that linear neural networks are linear regressions.",
        epilog=NOTATION,
    )
    parser.add_argument("--version", action="version", version=f"symnet {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name, (module, summary) in COMMANDS.items():
        if commands is None or name in commands:
            importlib.import_module(module).add_parser(sub)
        else:
            sub.add_parser(name, help=summary, add_help=False)
    return parser


def _command(argv: Sequence[str]) -> str | None:
    """The sub-command ``argv`` names: its first word that is not an option (``symnet`` has no option with a value)."""
    return next((word for word in argv if not word.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    words = list(sys.argv[1:] if argv is None else argv)
    name = _command(words)
    parser = build_parser(() if name is None else (name,))
    args: Any
    args, extra = parser.parse_known_args(words)
    if extra:
        _unrecognized(_subparser(parser, name), extra)
    return guarded(args.func, args)
