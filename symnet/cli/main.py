"""The command line: ``symnet prove``, ``symnet check``, ``symnet render``.

Exit codes: 0 proved / checked, 1 refuted / certificate rejected, 2 bad usage
or bad input (argparse's usage line and one error line on stderr, never a
traceback).  Argument values are validated as plain decimal integers and
known names; nothing the user types is evaluated.

``symnet crosscheck`` is registered by :mod:`symnet.cli.crosscheck` when that
module is present (it exposes ``register(subparsers)``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from collections.abc import Sequence
from typing import Any

from .. import render
from ..errors import CertificateError, NotLinearError, SymnetError
from ..model.activations import NAMED_ACTIVATIONS
from ..model.builders import dense
from ..model.generic import is_size_name
from ..proof import Proof
from ..search.engine import ProofNotFound, prove
from . import check as _cli_check

# Hook for `symnet crosscheck`: the module is written by another engineer and
# registered when it exists (it exposes `register(subparsers)`, setting `func`).
if importlib.util.find_spec("symnet.cli.crosscheck") is not None:
    from . import crosscheck as _cli_crosscheck
else:  # pragma: no cover - until the module lands
    _cli_crosscheck = None

__all__ = ["MAX_CLI_PARAMETERS", "MAX_WIDTH", "build_parser", "main"]

#: Largest width accepted for ``--inputs``, ``--hidden`` and ``--outputs``.
MAX_WIDTH = 10_000
#: ``symnet prove`` refuses networks with more weights than this.
MAX_CLI_PARAMETERS = 100_000
FORMATS = ("text", "latex", "markdown", "json")

_DECIMAL = re.compile(r"[0-9]{1,6}")
EXIT_OK, EXIT_REFUTED, EXIT_USAGE = 0, 1, 2


def _width(text: str) -> int | str:
    """A positive decimal integer up to MAX_WIDTH, parsed without evaluating anything.

    A plain identifier such as ``p`` or ``h`` is a symbolic size: it is passed
    through as a string (``symnet.dense`` validates it; see symnet.model.generic).
    """
    if isinstance(text, str) and is_size_name(text.strip()):
        return text.strip()
    if not isinstance(text, str) or not _DECIMAL.fullmatch(text.strip()):
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a positive whole number")
    value = int(text.strip())
    if not 1 <= value <= MAX_WIDTH:
        raise argparse.ArgumentTypeError(f"{value} is out of range (1 to {MAX_WIDTH})")
    return value


def _activation(text: str) -> str:
    key = text.strip().lower()
    if key not in NAMED_ACTIVATIONS:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a known activation (known: {', '.join(sorted(NAMED_ACTIVATIONS))})")
    return key


class _Parser(argparse.ArgumentParser):
    """argparse, with the usage line and one error line on stderr, exit 2."""

    def error(self, message: str) -> Any:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``symnet`` command."""
    parser = _Parser(prog="symnet", description="Prove with symbolic algebra that linear neural networks are linear regressions.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("prove", help="prove (or refute) that a dense network is a linear regression")
    p.add_argument("--inputs", type=_width, default=3, metavar="N", help="number of inputs p (default 3, the seed's)")
    p.add_argument("--hidden", type=_width, action="append", metavar="H",
                   help="width of a hidden layer; repeat for more layers (default: one layer of 3)")
    p.add_argument("--no-hidden", action="store_true", help="no hidden layer: the seed's single node")
    p.add_argument("--outputs", type=_width, default=1, metavar="Q", help="number of outputs q (default 1)")
    p.add_argument("--activation", type=_activation, default="identity", metavar="NAME",
                   help="activation of the hidden layers (default identity)")
    _format_options(p)
    p.set_defaults(func=_cmd_prove)

    _cli_check.add_parser(sub)

    r = sub.add_parser("render", help="check a saved certificate and print its derivation")
    r.add_argument("certificate", metavar="CERT.json")
    _format_options(r)
    r.set_defaults(func=_cmd_render)

    if _cli_crosscheck is not None:
        _cli_crosscheck.register(sub)
    return parser


def _format_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="text (default), latex (a complete document), markdown or json (the certificate)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")


def _emit(text: str, path: str | None) -> None:
    if not text.endswith("\n"):
        text += "\n"
    if path is None:
        stream = sys.stdout
        if hasattr(stream, "buffer") and (stream.encoding or "").lower().replace("-", "") != "utf8":
            stream.flush()
            stream.buffer.write(text.encode("utf-8"))
            stream.buffer.flush()
        else:
            stream.write(text)
    else:
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)


def _render(obj: Any, fmt: str) -> str:
    if fmt == "json":
        return obj.to_json()
    if fmt == "latex":
        return obj.to_latex(document=True) if hasattr(obj, "to_latex") else render.to_latex(obj, document=True)
    if fmt == "markdown":
        return obj.to_markdown() if hasattr(obj, "to_markdown") else render.to_markdown(obj)
    return obj.to_text() if hasattr(obj, "to_text") else render.to_text(obj)


def _derivation(proof: Proof, fmt: str) -> str:
    if not isinstance(proof, Proof):  # a GenericProof renders itself
        return _render(proof, fmt)
    if fmt == "json":
        return proof.to_json()
    if fmt == "latex":
        return render.to_latex(proof, document=True)
    if fmt == "markdown":
        return render.to_markdown(proof)
    return render.to_text(proof)


def _cmd_prove(args: argparse.Namespace) -> int:
    hidden = [] if args.no_hidden else (args.hidden if args.hidden is not None else [3])
    if args.no_hidden and args.hidden:
        raise _Usage("--no-hidden and --hidden exclude each other")
    sizes = [args.inputs, *hidden, args.outputs]
    count = sum(sizes[i + 1] * (sizes[i] + 1) for i in range(len(sizes) - 1)) if all(isinstance(s, int) for s in sizes) else 0
    if count > MAX_CLI_PARAMETERS:
        raise _Usage(f"the network would have {count} weights, more than the command line's guard of {MAX_CLI_PARAMETERS}")
    net = dense(args.inputs, hidden, outputs=args.outputs, activation=args.activation)
    try:
        proof = prove(net)
    except NotLinearError as exc:
        ce = exc.counterexample
        if ce is None:
            _say(f"not linear: {exc}")
            return EXIT_REFUTED
        _emit(_render(ce, args.format), args.output)
        return EXIT_REFUTED
    text = _derivation(proof, args.format)
    if args.format == "text":
        text = text.rstrip("\n") + f"\n\nNetwork: {_cli_check.describe(proof.network)}\n"
    _emit(text, args.output)
    return EXIT_OK


def _load(path: str) -> Proof:
    with open(path, "rb") as f:
        data = f.read(64 * 1024 * 1024 + 1)
    if len(data) > 64 * 1024 * 1024:
        raise _Usage(f"{path}: certificate larger than 64 MiB")
    try:
        return Proof.from_json(data)
    except CertificateError as exc:
        raise _Usage(f"{path}: {exc}") from None


def _cmd_render(args: argparse.Namespace) -> int:
    proof = _load(args.certificate)
    try:
        proof.check()
    except CertificateError as exc:
        _say(f"certificate rejected: {exc}")
        return EXIT_REFUTED
    _emit(_derivation(proof, args.format), args.output)
    return EXIT_OK


class _Usage(Exception):
    """Bad input found after parsing: exit 2 with one line on stderr."""


def _say(message: str) -> None:
    print(f"symnet: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except _Usage as exc:
        _say(f"error: {exc}")
        return EXIT_USAGE
    except NotLinearError as exc:
        _say(f"not linear: {exc}")
        return EXIT_REFUTED
    except ProofNotFound as exc:
        _say(f"not proved: {exc}")
        return EXIT_REFUTED
    except SymnetError as exc:
        _say(f"error: {exc}")
        return EXIT_USAGE
    except OSError as exc:
        _say(f"error: {exc.filename or ''}: {exc.strerror or exc}")
        return EXIT_USAGE
    except (ValueError, TypeError, json.JSONDecodeError, RecursionError, MemoryError) as exc:
        _say(f"error: {type(exc).__name__}: {exc}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
