"""``symnet prove``: prove (or refute) that a dense network, or a trained model, is a linear regression.

Argument values are validated as plain decimal integers and known names;
nothing the user types is evaluated.  Exit codes: 0 proved, 1 refuted, 2 bad
input (see :mod:`symnet.cli._common`).  The output options and the
derivation writer are shared with ``symnet render`` (:mod:`symnet.cli.render`).
"""

from __future__ import annotations

import argparse
import re
from itertools import pairwise
from typing import Any

from .. import render
from ..errors import InvalidArgument, NotLinearError
from ..model.activations import NAMED_ACTIVATIONS
from ..model.builders import dense
from ..model.generic import RESERVED_SIZE_NAMES, is_size_name
from ..proof import Proof
from ..search.engine import prove
from ._common import EXIT_OK, EXIT_REJECTED, NOTATION, emit, say
from ._files import add_model_options, model_options
from .check import describe
from .collapse import Progress, load_model_file

__all__ = [
    "FORMATS",
    "FREE_SIZE_NAMES",
    "MAX_CLI_PARAMETERS",
    "MAX_WIDTH",
    "RESERVED_MEANINGS",
    "activation_name",
    "add_derivation_options",
    "add_parser",
    "derivation",
    "guard_parameters",
    "render_options",
    "run",
]

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


def _width(text: str) -> int | str:
    """A positive decimal integer up to MAX_WIDTH, parsed without evaluating anything.

    A plain identifier such as ``p`` or ``h`` is a symbolic size: it is passed
    through as a string (``symnet.dense`` validates it; see symnet.model.generic).
    """
    name = text.strip()
    if is_size_name(name):
        return name
    if name in RESERVED_SIZE_NAMES:
        meaning = RESERVED_MEANINGS.get(name, "something else")
        raise argparse.ArgumentTypeError(
            f"{name!r} is reserved by the notation ({name} is {meaning}); give a positive whole number "
            f"or another size name, such as {', '.join(FREE_SIZE_NAMES)}"
        )
    if not _DECIMAL.fullmatch(name):
        if _IDENTIFIER.fullmatch(name) is None and any(ch.isalpha() for ch in text):
            raise argparse.ArgumentTypeError(
                f"{text[:40]!r} is not a positive whole number, nor a size name "
                "(a letter, then letters or digits, at most 16)"
            )
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a positive whole number")
    value = int(name)
    if not 1 <= value <= MAX_WIDTH:
        raise argparse.ArgumentTypeError(f"{value} is out of range (1 to {MAX_WIDTH})")
    return value


def activation_name(text: str) -> str:
    """``--activation``: a known activation name (any case), never evaluated."""
    key = text.strip().lower()
    if key not in NAMED_ACTIVATIONS:
        known = ", ".join(sorted(NAMED_ACTIVATIONS))
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a known activation (known: {known})")
    return key


def _digits(text: str) -> int:
    """``--digits``: a whole number 1..50, parsed without evaluating anything."""
    if not re.fullmatch(r"[0-9]{1,2}", text.strip()) or not 1 <= int(text) <= 50:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number of digits from 1 to 50")
    return int(text)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``symnet prove``."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "prove",
        help="prove (or refute) that a dense network (or a MODEL file) is a linear regression",
        description="Prove (or refute) that a dense network with symbolic weights, or a trained model, "
        "is a linear regression.",
        usage="%(prog)s [MODEL | --inputs N --hidden H ... --outputs Q --activation NAME] [--format F] [-o FILE]",
        epilog=NOTATION,
    )
    p.add_argument("model", nargs="?", metavar="MODEL",
                   help="a trained model to import: .onnx or .npz (see symnet.from_npz)")
    add_model_options(p)
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
    p.add_argument("--activation", type=activation_name, default="identity", metavar="NAME",
                   help=f"activation of the hidden layers, one of: {names} (default identity)")
    add_derivation_options(p)
    p.set_defaults(func=run)
    return p


def add_derivation_options(p: argparse.ArgumentParser) -> None:
    """``--format``, ``-o`` and the options of the written derivation (``--digits``, ``--exact``, ...)."""
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="text (default), latex (a complete document), markdown or json (the certificate)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    p.add_argument("--digits", type=_digits, default=render.DEFAULT_DIGITS, metavar="N",
                   help=f"significant digits of rounded numbers (default {render.DEFAULT_DIGITS}; "
                        "short numbers stay exact)")
    p.add_argument("--exact", action="store_true", help="print every number exactly (p/q), never rounded")
    p.add_argument("--no-rules", action="store_true", help="leave out the certificate rule tags of the steps")
    p.add_argument("--explicit", action="store_true",
                   help="write every coefficient out term by term, whatever the size of the network")


def render_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of :mod:`symnet.render` that the derivation options ask for."""
    return {"rules": not args.no_rules, "explicit": args.explicit, "digits": None if args.exact else args.digits}


def derivation(proof: Any, fmt: str, options: dict[str, Any]) -> str:
    """A proof (or a generic proof) as ``fmt``: text, latex (a whole document), markdown or json."""
    if fmt == "json":
        return str(proof.to_json())
    if not isinstance(proof, Proof):  # a GenericProof renders itself (sizes are symbols: only the rule tags apply)
        rules = options.get("rules", True)
        if fmt == "latex":
            return str(proof.to_latex(document=True, rules=rules))
        return str(proof.to_markdown(rules=rules) if fmt == "markdown" else proof.to_text(rules=rules))
    if fmt == "latex":
        return render.to_latex(proof, document=True, **options)
    if fmt == "markdown":
        return render.to_markdown(proof, **options)
    return render.to_text(proof, **options)


def _refutation(counterexample: Any, fmt: str) -> str:
    renderers = {"json": "to_json", "markdown": "to_markdown", "text": "to_text"}
    if fmt == "latex":
        return str(counterexample.to_latex(document=True))
    return str(getattr(counterexample, renderers[fmt])())


def _network(args: argparse.Namespace) -> Any:
    """The network the options (or the MODEL file) describe."""
    if args.model is not None:
        given = args.hidden or args.no_hidden or args.inputs is not None or args.outputs is not None
        if given or args.activation != "identity":
            raise InvalidArgument(
                "MODEL and --inputs/--hidden/--no-hidden/--outputs/--activation exclude each other: "
                "the model gives them"
            )
        return load_model_file(args.model, Progress(), **model_options(args))[0]
    if args.no_hidden and args.hidden:
        raise InvalidArgument("--no-hidden and --hidden exclude each other")
    inputs = 3 if args.inputs is None else args.inputs
    outputs = 1 if args.outputs is None else args.outputs
    hidden = [] if args.no_hidden else (args.hidden if args.hidden is not None else [3])
    sizes = [inputs, *hidden, outputs]
    if all(isinstance(s, int) for s in sizes):
        guard_parameters(sizes)
    return dense(inputs, hidden, outputs=outputs, activation=args.activation)


def guard_parameters(sizes: list[int]) -> None:
    """Refuse a dense network of these layer sizes with more than :data:`MAX_CLI_PARAMETERS` weights and biases."""
    count = sum(width * (fan_in + 1) for fan_in, width in pairwise(sizes))
    if count > MAX_CLI_PARAMETERS:
        raise InvalidArgument(
            f"the network would have {count} weights, more than the command line's guard of {MAX_CLI_PARAMETERS}"
        )


def run(args: argparse.Namespace) -> int:
    """Prove and print the derivation (exit 0), or print the refutation (exit 1)."""
    net = _network(args)
    try:
        proof = prove(net)
    except NotLinearError as exc:
        if exc.counterexample is None:
            say(f"not linear: {exc}")
        else:
            emit(_refutation(exc.counterexample, args.format), args.output)
        return EXIT_REJECTED
    text = derivation(proof, args.format, render_options(args))
    if args.format == "text":
        text = text.rstrip("\n") + f"\n\nNetwork: {describe(proof.network)}\n"
    emit(text, args.output)
    return EXIT_OK
