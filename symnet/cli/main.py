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

from .. import __version__, render
from . import export as _cli_export
from ..errors import CertificateError, NotLinearError, SymnetError
from ..model.activations import NAMED_ACTIVATIONS
from ..model.builders import dense
from ..model.generic import RESERVED_SIZE_NAMES, is_size_name
from ..proof import Proof
from ..search.engine import ProofNotFound, prove
from . import bound as _cli_bound
from . import regions as _cli_regions
from . import collapse as _cli_collapse
from . import check as _cli_check
from ._files import read_document

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
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9]{0,15}")

#: Why each reserved letter cannot name a size: what it already means in the notation.
RESERVED_MEANINGS = {
    "x": "the inputs x_1, ..., x_p",
    "y": "the outputs",
    "b": "the hidden weights b_{k,j}",
    "c": "the output weights c_k",
    "t": "the activation's variable",
    "i": "an index",
    "j": "the input index",
    "k": "the hidden-node index",
    "l": "the layer index",
    "B": "a hidden weight matrix",
    "C": "the output weight matrix",
    "W": "W*, the collapsed matrix",
    "P": "a layer's factor P_l",
    "L": "the number of hidden layers",
    "Q": "sympy's assumptions object Q",
    "I": "sympy's imaginary unit I",
    "E": "sympy's number E = e",
}
#: Size names that are free, suggested when a reserved one is given.
FREE_SIZE_NAMES = ("p", "h", "n", "m", "q", "h1", "h2")

#: Where the names come from (the CLI's help epilog; docs/index.md says the same).
NOTATION = (
    "Names follow the notation of the blog post symnet grew from (linear regression written as a neural "
    "network): inputs x_1..x_p, hidden node k with bias b_{k,0} and weights b_{k,1}..b_{k,p}, the output "
    "node c_0 + c_1 y_1 + ..., and the collapsed form y-hat = W* x*; layer l of a deeper network adds a "
    "superscript, b^{(l)}_{k,j}. --inputs 3 --hidden 3 is the post's network."
)
EXIT_OK, EXIT_REFUTED, EXIT_USAGE = 0, 1, 2


def _width(text: str) -> int | str:
    """A positive decimal integer up to MAX_WIDTH, parsed without evaluating anything.

    A plain identifier such as ``p`` or ``h`` is a symbolic size: it is passed
    through as a string (``symnet.dense`` validates it; see symnet.model.generic).
    """
    if isinstance(text, str) and is_size_name(text.strip()):
        return text.strip()
    if isinstance(text, str) and text.strip() in RESERVED_SIZE_NAMES:
        name = text.strip()
        meaning = RESERVED_MEANINGS.get(name, "something else")
        raise argparse.ArgumentTypeError(
            f"{name!r} is reserved by the notation ({name} is {meaning}); give a positive whole number "
            f"or another size name, such as {', '.join(FREE_SIZE_NAMES)}"
        )
    if isinstance(text, str) and _IDENTIFIER.fullmatch(text.strip()) is None and not _DECIMAL.fullmatch(text.strip()):
        if any(ch.isalpha() for ch in text):
            raise argparse.ArgumentTypeError(
                f"{text[:40]!r} is not a positive whole number, nor a size name "
                "(a letter, then letters or digits, at most 16)"
            )
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
    parser = _Parser(
        prog="symnet",
        description="Prove with symbolic algebra that linear neural networks are linear regressions.",
        epilog=NOTATION,
    )
    parser.add_argument("--version", action="version", version=f"symnet {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("prove", help="prove (or refute) that a dense network (or a MODEL file) is a linear regression",
                       description="Prove (or refute) that a dense network with symbolic weights, or a trained model, "
                                   "is a linear regression.",
                       usage="%(prog)s [MODEL | --inputs N --hidden H ... --outputs Q --activation NAME] [--format F] [-o FILE]",
                       epilog=NOTATION)
    p.add_argument("model", nargs="?", metavar="MODEL", help="a trained model to import: .onnx or .npz (see symnet.from_npz)")
    size = "a positive whole number, or a size name such as p for every size at once"
    p.add_argument("--inputs", type=_width, default=None, metavar="N",
                   help=f"number of inputs p: {size} (default 3, as in the blog post's network)")
    p.add_argument("--hidden", type=_width, action="append", metavar="H",
                   help="width of a hidden layer, a number or a size name such as h; repeat for more layers "
                        "(default: one layer of 3)")
    p.add_argument("--no-hidden", action="store_true",
                   help="no hidden layer: one linear node b_0 + b_1 x_1 + ... (the blog post's first network)")
    p.add_argument("--outputs", type=_width, default=None, metavar="Q", help="number of outputs q (default 1)")
    names = ", ".join(sorted(NAMED_ACTIVATIONS))
    p.add_argument("--activation", type=_activation, default="identity", metavar="NAME",
                   help=f"activation of the hidden layers, one of: {names} (default identity)")
    _format_options(p)
    _derivation_options(p)
    p.set_defaults(func=_cmd_prove)

    _cli_check.add_parser(sub)

    r = sub.add_parser("render", help="check a saved certificate and print its derivation")
    r.add_argument("certificate", metavar="CERT.json")
    _format_options(r)
    _derivation_options(r)
    r.set_defaults(func=_cmd_render)

    if _cli_crosscheck is not None:
        _cli_crosscheck.register(sub)
    _cli_regions.add_parser(sub)
    _cli_bound.add_parser(sub)
    _cli_collapse.add_parser(sub)
    _cli_export.add_parser(sub)  # symnet export --coq CERT.json -o Net.v
    return parser


def _format_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="text (default), latex (a complete document), markdown or json (the certificate)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")


def _digits(text: str) -> int:
    """``--digits``: a whole number 1..50, parsed without evaluating anything."""
    if not isinstance(text, str) or not re.fullmatch(r"[0-9]{1,2}", text.strip()) or not 1 <= int(text) <= 50:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number of digits from 1 to 50")
    return int(text)


def _derivation_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--digits", type=_digits, default=render.DEFAULT_DIGITS, metavar="N",
                   help=f"significant digits of rounded numbers (default {render.DEFAULT_DIGITS}; short numbers stay exact)")
    p.add_argument("--exact", action="store_true", help="print every number exactly (p/q), never rounded")
    p.add_argument("--no-rules", action="store_true", help="leave out the certificate rule tags of the steps")
    p.add_argument("--explicit", action="store_true",
                   help="write every coefficient out term by term, whatever the size of the network")


def _render_options(args: argparse.Namespace) -> dict[str, Any]:
    if not hasattr(args, "digits"):
        return {}
    return {"rules": not args.no_rules, "explicit": args.explicit, "digits": None if args.exact else args.digits}


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


def _derivation(proof: Proof, fmt: str, options: dict[str, Any] | None = None) -> str:
    options = options or {}
    if not isinstance(proof, Proof):  # a GenericProof renders itself (sizes are symbols: only the rule tags are optional)
        if fmt == "json":
            return proof.to_json()
        rules = options.get("rules", True)
        if fmt == "latex":
            return proof.to_latex(document=True, rules=rules)
        return proof.to_markdown(rules=rules) if fmt == "markdown" else proof.to_text(rules=rules)
    if fmt == "json":
        return proof.to_json()
    if fmt == "latex":
        return render.to_latex(proof, document=True, **options)
    if fmt == "markdown":
        return render.to_markdown(proof, **options)
    return render.to_text(proof, **options)


def _cmd_prove(args: argparse.Namespace) -> int:
    if args.model is not None:
        if args.hidden or args.no_hidden or args.inputs is not None or args.outputs is not None or args.activation != "identity":
            raise _Usage("MODEL and --inputs/--hidden/--no-hidden/--outputs/--activation exclude each other: the model gives them")
        net, _ = _cli_collapse.load_model_file(args.model, _cli_collapse._Progress())
        return _prove_and_emit(net, args)
    args.inputs = 3 if args.inputs is None else args.inputs
    args.outputs = 1 if args.outputs is None else args.outputs
    hidden = [] if args.no_hidden else (args.hidden if args.hidden is not None else [3])
    if args.no_hidden and args.hidden:
        raise _Usage("--no-hidden and --hidden exclude each other")
    sizes = [args.inputs, *hidden, args.outputs]
    count = sum(sizes[i + 1] * (sizes[i] + 1) for i in range(len(sizes) - 1)) if all(isinstance(s, int) for s in sizes) else 0
    if count > MAX_CLI_PARAMETERS:
        raise _Usage(f"the network would have {count} weights, more than the command line's guard of {MAX_CLI_PARAMETERS}")
    net = dense(args.inputs, hidden, outputs=args.outputs, activation=args.activation)
    return _prove_and_emit(net, args)


def _prove_and_emit(net: Any, args: argparse.Namespace) -> int:
    try:
        proof = prove(net)
    except NotLinearError as exc:
        ce = exc.counterexample
        if ce is None:
            _say(f"not linear: {exc}")
            return EXIT_REFUTED
        _emit(_render(ce, args.format), args.output)
        return EXIT_REFUTED
    text = _derivation(proof, args.format, _render_options(args))
    if args.format == "text":
        text = text.rstrip("\n") + f"\n\nNetwork: {_cli_check.describe(proof.network)}\n"
    _emit(text, args.output)
    return EXIT_OK


def _load(path: str) -> Proof:
    data = read_document(path)
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
    _emit(_derivation(proof, args.format, _render_options(args)), args.output)
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
