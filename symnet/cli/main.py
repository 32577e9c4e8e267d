"""The ``symnet`` command: one sub-command per module, loaded only when it runs.

:data:`COMMANDS` names the module of every sub-command; each module has
``add_parser(subparsers)`` (registering its options and ``func``) and imports
nothing from here (what they share is in :mod:`symnet.cli._common`).  So
``symnet --version`` loads no sub-command, and ``symnet check`` loads only
the checker.  Exit codes and the error line: :mod:`symnet.cli._common`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Collection, Sequence
from typing import Any, NoReturn

from .. import __version__
from ._common import EXIT_USAGE, NOTATION, guarded

__all__ = ["COMMANDS", "build_parser", "main"]

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


class _Parser(argparse.ArgumentParser):
    """argparse, with the usage line and one error line on stderr, exit 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


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
    args: Any = parser.parse_args(words)
    return guarded(args.func, args)
