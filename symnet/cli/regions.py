"""``symnet regions``: the linear regions of a ReLU network, as a piecewise regression or a certificate.

    symnet regions NET.json [--box LO,HI ...] [--format text|latex|markdown|json|png|pdf] [-o FILE]
    symnet regions --inputs 2 --hidden 8 --seed 0 --box -1,1

``NET.json`` holds ``{"weights": [...], "biases": [...], "activation": "relu"}``
(numbers as JSON numbers -- floats are read at their exact binary value -- or
``"p/q"`` strings); a ``.onnx`` file is read with ``symnet.from_onnx`` when
that importer is installed.  Without a file, ``--inputs/--hidden/--seed``
build a dense relu network with random integer weights in [-5, 5].
``--box LO,HI`` once bounds every input, or once per input; without it the
domain is all of R^p.  Progress (regions found, polyhedra and LPs) goes to
standard error for runs longer than a second.  Exit codes: 0 done, 2 bad input.

A saved regions document is re-checked by ``symnet check`` (:mod:`symnet.cli.check`).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from fractions import Fraction
from itertools import pairwise
from typing import Any

from ..errors import InvalidArgument
from ..model.network import Network
from ..search.regions import regions
from ._common import EXIT_OK, emit, progress_line
from ._files import add_model_options, load_model_file, model_options, read_document

__all__ = [
    "add_network_options",
    "add_parser",
    "count",
    "load_network",
    "number",
    "parse_box",
    "progress_printer",
    "run",
]

_NUMBER = re.compile(
    r"\s*[-+]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][-+]?[0-9]{1,3})?(?:/[0-9]{1,30})?\s*"
)
FORMATS = ("text", "latex", "markdown", "json", "png", "pdf")


def number(text: str) -> Fraction:
    if not isinstance(text, str) or not _NUMBER.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number (decimal or p/q)")
    return Fraction(text.strip())


def _interval(text: str) -> tuple[Fraction, Fraction]:
    parts = text.split(",")
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not an interval LO,HI")
    lo, hi = number(parts[0]), number(parts[1])
    if not lo < hi:
        raise argparse.ArgumentTypeError(f"{text[:40]!r}: LO must be smaller than HI")
    return lo, hi


def count(text: str, low: int, high: int) -> int:
    if not isinstance(text, str) or not re.fullmatch(r"[0-9]{1,9}", text.strip()):
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number")
    value = int(text)
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"{value} is out of range ({low} to {high})")
    return value


def add_network_options(p: argparse.ArgumentParser) -> None:
    """The options that name a network: a file, or --inputs/--hidden/--seed."""
    # let "--box -1,1" read "-1,1" as a value (argparse only knows plain negative numbers); "--box=-1,1" always works
    p._negative_number_matcher = re.compile(r"^-[0-9.]+(?:[eE][-+]?[0-9]+)?(?:/[0-9]+)?(?:,[-+0-9.eE/]+)?$")
    p.add_argument("network", nargs="?", metavar="NET.json",
                   help="the network (JSON weights, or .onnx with the ONNX importer)")
    p.add_argument("--inputs", type=lambda t: count(t, 1, 64), metavar="N",
                   help="inputs of a random dense relu network")
    p.add_argument("--hidden", type=lambda t: count(t, 1, 400), action="append", metavar="H",
                   help="hidden width (repeat)")
    p.add_argument("--seed", type=lambda t: count(t, 0, 2**32 - 1), default=0,
                   help="seed of the random weights (default 0)")
    p.add_argument("--box", type=_interval, action="append", metavar="LO,HI",
                   help="input interval (once for all inputs, or once per input)")
    p.add_argument("--max-regions", type=lambda t: count(t, 1, 10**7), default=None, metavar="N",
                   help="stop past N regions")
    add_model_options(p)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``symnet regions``."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "regions", help="the exact linear regions of a ReLU network (a piecewise linear regression)"
    )
    add_network_options(p)
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="text (default), latex, markdown, json (the certificate), png or pdf (2 inputs)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(func=run)
    return p


def _entries(value: Any, where: str) -> Any:
    if isinstance(value, list):
        return [_entries(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, bool):
        raise InvalidArgument(f"{where}={value!r} is not a number")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        return Fraction(value.strip())
    raise InvalidArgument(f"{where}={str(value)[:40]!r} is not a number (JSON number or 'p/q' string)")


def load_network(args: argparse.Namespace) -> Network:
    """The network the options name (InvalidArgument with one clear message otherwise)."""
    if args.network is not None:
        if args.inputs is not None or args.hidden:
            raise InvalidArgument("give a network file or --inputs/--hidden, not both")
        path = args.network
        if path.endswith(".onnx"):
            return load_model_file(path, None, **model_options(args))[0]
        data = read_document(path)
        try:
            doc = json.loads(data)
        except (ValueError, RecursionError):
            raise InvalidArgument(f"{path}: not JSON") from None
        keys = set(doc) if isinstance(doc, dict) else set()
        if not {"weights", "biases"} <= keys or keys - {"weights", "biases", "activation"}:
            raise InvalidArgument(f"{path}: expected an object with 'weights', 'biases' and optionally 'activation'")
        act = doc.get("activation", "relu")
        if not isinstance(act, str):
            raise InvalidArgument(f"{path}: activation must be a name such as 'relu'")
        weights, biases = _entries(doc["weights"], "weights"), _entries(doc["biases"], "biases")
        return Network.from_matrices(weights, biases, activation=act)
    if args.inputs is None:
        raise InvalidArgument("name a network: NET.json, or --inputs N --hidden H [--hidden H ...]")
    rng = random.Random(args.seed)
    sizes = [args.inputs, *(args.hidden or [8]), 1]
    nonzero = [v for v in range(-5, 6) if v]
    layers = list(pairwise(sizes))
    weights = [[[rng.choice(nonzero) for _ in range(p)] for _ in range(h)] for p, h in layers]
    biases = [[rng.randint(-5, 5) for _ in range(h)] for _, h in layers]
    return Network.from_matrices(weights, biases, activation="relu")


def parse_box(args: argparse.Namespace, p: int) -> list[tuple[Fraction, Fraction]] | None:
    """The --box intervals for p inputs (one repeated for all, or one per input), or None for R^p."""
    box: list[tuple[Fraction, Fraction]] = list(args.box or [])
    if not box:
        return None
    if len(box) == 1:
        return box * p
    if len(box) != p:
        raise InvalidArgument(
            f"--box was given {len(box)} times; give it once (all inputs) or {p} times (one per input)"
        )
    return box


def progress_printer() -> Any:
    """A progress callback writing 'regions, polyhedra/LPs' to stderr once a run has lasted a second."""
    start = time.perf_counter()
    shown = [False]

    def report(found: int, work: int) -> None:
        if time.perf_counter() - start < 1.0:
            return
        shown[0] = True
        progress_line(f"{found} regions found, {work} polyhedra/LPs solved", overwrite=True)

    def finish() -> None:
        if shown[0]:
            print(file=sys.stderr)

    report.finish = finish  # type: ignore[attr-defined]
    return report


def run(args: argparse.Namespace) -> int:
    """Enumerate and print; 0 on success (errors become exit codes in :mod:`symnet.cli._common`)."""
    net = load_network(args)
    box = parse_box(args, net.p)
    report = progress_printer()
    kwargs: dict[str, Any] = {} if args.max_regions is None else {"max_regions": args.max_regions}
    try:
        regs = regions(net, box, progress=report, **kwargs)
    finally:
        report.finish()
    fmt = args.format
    if fmt in ("png", "pdf"):
        if args.output is None:
            raise InvalidArgument(f"--format {fmt} needs -o FILE")
        regs.plot(args.output)
        return EXIT_OK
    if fmt == "json":
        text = regs.to_json()
    elif fmt == "latex":
        text = regs.to_latex(document=True)
    elif fmt == "markdown":
        text = regs.to_markdown()
    else:
        text = regs.to_text()
    emit(text, args.output)
    return EXIT_OK
