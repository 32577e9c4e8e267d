"""``symnet crosscheck``: the numeric cross-check on the command line.

``register(subparsers)`` adds the sub-command to the ``symnet`` parser
(:mod:`symnet.cli` calls it) and sets ``func=run``; ``run(args)`` prints the
report on standard output and returns the exit code: 0 when everything
evaluated agrees, 1 on a disagreement (or a network that is not linear), 2 on
bad input (one line on standard error, no traceback).  Numbers are parsed as
plain decimal digits and activations as known names; nothing is evaluated.

    symnet crosscheck --inputs 3 --hidden 3 --samples 300 --seed 0
    symnet crosscheck --certificate proof.json
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from ..errors import CertificateError, InvalidArgument
from ..model.builders import dense
from ..proof import Proof
from ..testing.crosscheck import MAX_SAMPLES, crosscheck
from ._common import EXIT_OK, EXIT_REJECTED, guarded
from ._files import read_document
from .prove import MAX_WIDTH, activation_name, guard_parameters

__all__ = ["add_parser", "register", "run"]

KIND_NAMES = ("int", "rational", "float")

_DIGITS = re.compile(r"[0-9]{1,10}")


def _number(text: str, low: int, high: int) -> int:
    if not isinstance(text, str) or not _DIGITS.fullmatch(text.strip()):
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number")
    value = int(text.strip())
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"{value} is out of range ({low} to {high})")
    return value


def _width(text: str) -> int:
    return _number(text, 1, MAX_WIDTH)


def _samples(text: str) -> int:
    return _number(text, 1, MAX_SAMPLES)


def _seed(text: str) -> int:
    return _number(text, 0, 2**32 - 1)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``crosscheck`` sub-command to ``subparsers`` (from ``add_subparsers``)."""
    c: argparse.ArgumentParser = subparsers.add_parser(
        "crosscheck",
        help="cross-check W* x + b* against the forward pass on Hypothesis-drawn numbers",
        description="Prove a dense network (or load a saved certificate), then evaluate the network and its "
        "linear form on drawn integer, rational and float instantiations and print the report.",
    )
    c.add_argument("--inputs", type=_width, default=None, metavar="N", help="number of inputs p (default 3)")
    c.add_argument("--hidden", type=_width, action="append", metavar="H",
                   help="width of a hidden layer; repeat for more layers (default: one layer of 3)")
    c.add_argument("--no-hidden", action="store_true", help="no hidden layer: the blog post's single node")
    c.add_argument("--outputs", type=_width, default=None, metavar="Q", help="number of outputs q (default 1)")
    c.add_argument("--activation", type=activation_name, default=None, metavar="NAME",
                   help="activation of the hidden layers (default identity)")
    c.add_argument("--samples", type=_samples, default=300, metavar="N",
                   help="instantiations in total, split over the kinds (default 300)")
    c.add_argument("--seed", type=_seed, default=0, metavar="S", help="seed of the search (default 0)")
    c.add_argument("--kind", choices=KIND_NAMES, action="append", metavar="KIND",
                   help="int, rational or float; repeat for several (default: all three)")
    c.add_argument("--certificate", metavar="CERT.json",
                   help="cross-check the claim of a saved certificate instead of building a network")
    c.set_defaults(func=run)
    return c


#: The name this module's registration had first.
register = add_parser


def _subject(args: argparse.Namespace) -> Any:
    network_options = [args.inputs, args.hidden, args.outputs, args.activation]
    if args.certificate is not None:
        if args.no_hidden or any(v is not None for v in network_options):
            raise InvalidArgument(
                "--certificate cannot be combined with --inputs, --hidden, --no-hidden, --outputs or --activation"
            )
        data = read_document(args.certificate)
        try:
            return Proof.from_json(data)
        except CertificateError as exc:
            raise InvalidArgument(f"{args.certificate}: {exc}") from None
    if args.no_hidden and args.hidden:
        raise InvalidArgument("--no-hidden and --hidden exclude each other")
    p = 3 if args.inputs is None else args.inputs
    hidden = [] if args.no_hidden else (args.hidden or [3])
    q = 1 if args.outputs is None else args.outputs
    guard_parameters([p, *hidden, q])
    return dense(p, hidden, outputs=q, activation=args.activation or "identity")


def run(args: argparse.Namespace) -> int:
    """Run the cross-check for parsed arguments; print the report; return the exit code.

    Bad input is exit 2 and a network that is not linear exit 1, each with one
    line on standard error (:func:`symnet.cli._common.guarded`).
    """
    return guarded(_run, args)


def _run(args: argparse.Namespace) -> int:
    kinds = tuple(dict.fromkeys(args.kind)) if args.kind else KIND_NAMES
    report = crosscheck(_subject(args), samples=args.samples, seed=args.seed, kinds=kinds)
    print(report.to_text())
    return EXIT_OK if report.agree else EXIT_REJECTED
