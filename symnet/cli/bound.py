"""``symnet bound``: exact output bounds of a ReLU network over a box, and VNN-LIB properties.

    symnet bound NET.json --box -1,1 [--output K] [--at-most T] [--format text|json|latex|markdown] [-o FILE]
    symnet bound NET.json --vnnlib PROP.vnnlib

Prints the exact maximum and minimum of every output and the points where
they are attained.  ``--at-most T`` decides "output K <= T on the box": exit 0
with the certificate (``--format json``), exit 1 with an exact witness above
T.  ``--vnnlib`` reads the box and the violation condition from a VNN-LIB file:
exit 0 when the property holds, 1 with an exact counterexample.  Bad input: exit 2.
"""

from __future__ import annotations

import argparse
from typing import Any

from .. import render
from ..conversion import exact_rational
from ..errors import InvalidArgument
from ..render._numbers import NumberFormat
from ..render._words import beside
from ..search.bound import bound, decide_property
from ..search.vnnlib import read_vnnlib
from ._common import EXIT_OK, EXIT_REJECTED, emit
from .regions import add_network_options, count, load_network, number, parse_box

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``symnet bound``."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "bound", help="exact maximum/minimum of a ReLU network's outputs over a box"
    )
    add_network_options(p)
    p.add_argument("--output", type=_output, default=0, metavar="K", help="the output for --at-most (default 0)")
    p.add_argument("--at-most", type=number, metavar="T", help="decide 'output K <= T on the box'")
    p.add_argument("--vnnlib", metavar="PROP.vnnlib", help="decide a VNN-LIB property (box and output constraints)")
    p.add_argument("--format", choices=("text", "json", "latex", "markdown"), default="text",
                   help="text (default), json (the certificate), latex (a complete document) or markdown")
    p.add_argument("-o", metavar="FILE", dest="out", help="write to FILE instead of standard output")
    p.set_defaults(func=run)
    return p


def _fmt(v: Any) -> str:
    """The one number rule: exact when short, else the exact value with its decimal beside it (or the decimal
    alone past 40 characters; ``--format json`` has every exact value)."""
    return beside(NumberFormat(render.DEFAULT_DIGITS), exact_rational(v))[1]


def _output(text: str) -> int:
    """``--output K``: a whole number (checked against the network's outputs once it is read)."""
    return count(text, 0, 10**6)


def _points(values: Any) -> str:
    return ", ".join(_fmt(v) for v in values or ())


def run(args: argparse.Namespace) -> int:
    """Compute and print; exit code 0 / 1 as the module docstring says."""
    net = load_network(args)
    kwargs: dict[str, Any] = {} if args.max_regions is None else {"max_regions": args.max_regions}
    if args.vnnlib is not None:
        if args.box:
            raise InvalidArgument("--vnnlib gives the box; do not also pass --box")
        verdict = decide_property(net, read_vnnlib(args.vnnlib), **kwargs)
        if verdict.holds:
            emit("property holds: no input in the box meets the violation condition "
                 f"({len(verdict.regions)} regions, exact LPs)", args.out)
            return EXIT_OK
        emit(f"property violated at x = ({_points(verdict.witness)}): outputs ({_points(verdict.outputs)})", args.out)
        return EXIT_REJECTED
    box = parse_box(args, net.p)
    if box is None:
        raise InvalidArgument("bound needs --box LO,HI (or --vnnlib)")
    if not 0 <= args.output < net.q:
        raise InvalidArgument(f"--output {args.output} is out of range: the network's outputs are 0 to {net.q - 1}")
    result = bound(net, box, **kwargs)
    if args.at_most is not None:
        return _at_most(result, args)
    if args.format == "json":
        emit(result.to_json(), args.out)
        return EXIT_OK
    if args.format in ("latex", "markdown"):
        emit(result.to_latex(document=True) if args.format == "latex" else result.to_markdown(), args.out)
        return EXIT_OK
    lines = [f"exact bounds of {net!r} on the box ({len(result.regions)} regions):"]
    for k in range(net.q):
        lines.append(f"  output {k}: maximum {_fmt(result.maximum[k])} at ({_points(result.argmax[k])})")
        lines.append(f"  output {k}: minimum {_fmt(result.minimum[k])} at ({_points(result.argmin[k])})")
    emit("\n".join(lines), args.out)
    return EXIT_OK


def _at_most(result: Any, args: argparse.Namespace) -> int:
    """Decide ``output K <= T``: the certificate or a summary (exit 0), or the witness above T (exit 1)."""
    k, threshold = args.output, args.at_most
    claim = result.at_most(threshold, output=k)
    if claim.holds:
        summary = f"proved: output {k} <= {threshold} on the box (maximum {_fmt(result.maximum[k])})"
        emit(claim.to_json() if args.format == "json" else summary, args.out)  # latex/markdown: the summary
        return EXIT_OK
    emit(f"refuted: output {k} = {_fmt(claim.value)} > {threshold} at x = ({_points(claim.witness)})", None)
    return EXIT_REJECTED
