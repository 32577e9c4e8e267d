"""``symnet bound``: exact output bounds of a ReLU network over a box, and VNN-LIB properties.

    symnet bound NET.json --box -1,1 [--output K] [--at-most T] [--format text|json] [-o FILE]
    symnet bound NET.json --vnnlib PROP.vnnlib

Prints the exact maximum and minimum of every output and the points where
they are attained.  ``--at-most T`` decides "output K <= T on the box": exit 0
with the certificate (``--format json``), exit 1 with an exact witness above
T.  ``--vnnlib`` reads the box and the violation condition from a VNN-LIB file:
exit 0 when the property holds, 1 with an exact counterexample.  Bad input: exit 2.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..errors import InvalidArgument
from .regions import _number, _write, add_network_options, load_network, parse_box

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``symnet bound``."""
    p = subparsers.add_parser("bound", help="exact maximum/minimum of a ReLU network's outputs over a box")
    add_network_options(p)
    p.add_argument("--output", type=int, default=0, metavar="K", help="the output for --at-most (default 0)")
    p.add_argument("--at-most", type=_number, metavar="T", help="decide 'output K <= T on the box'")
    p.add_argument("--vnnlib", metavar="PROP.vnnlib", help="decide a VNN-LIB property (box and output constraints)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json (the certificate)")
    p.add_argument("-o", metavar="FILE", dest="out", help="write to FILE instead of standard output")
    p.set_defaults(func=run)
    return p


def _fmt(v: Any) -> str:
    text = str(v)
    return text if len(text) <= 40 else f"{text[:18]}...{text[-18:]} (~{float(v):.9g})"


def run(args: argparse.Namespace) -> int:
    """Compute and print; exit code 0 / 1 as the module docstring says."""
    from ..search.bound import bound, decide_property
    from ..search.vnnlib import read_vnnlib

    net = load_network(args)
    kwargs: dict[str, Any] = {} if args.max_regions is None else {"max_regions": args.max_regions}
    if args.vnnlib is not None:
        if args.box:
            raise InvalidArgument("--vnnlib gives the box; do not also pass --box")
        verdict = decide_property(net, read_vnnlib(args.vnnlib), **kwargs)
        if verdict.holds:
            _write(f"property holds: no input in the box meets the violation condition ({len(verdict.regions)} regions, exact LPs)", args.out)
            return 0
        point = ", ".join(_fmt(v) for v in verdict.witness or ())
        outs = ", ".join(_fmt(v) for v in verdict.outputs or ())
        _write(f"property violated at x = ({point}): outputs ({outs})", args.out)
        return 1
    box = parse_box(args, net.p)
    if box is None:
        raise InvalidArgument("bound needs --box LO,HI (or --vnnlib)")
    result = bound(net, box, **kwargs)
    if args.at_most is not None:
        claim = result.at_most(args.at_most, output=args.output)
        if claim.holds:
            text = claim.to_json() if args.format == "json" else f"proved: output {args.output} <= {args.at_most} on the box (maximum {_fmt(result.maximum[args.output])})"
            _write(text, args.out)
            return 0
        point = ", ".join(_fmt(v) for v in claim.witness or ())
        print(f"refuted: output {args.output} = {_fmt(claim.value)} > {args.at_most} at x = ({point})", file=sys.stdout)
        return 1
    if args.format == "json":
        _write(result.to_json(), args.out)
        return 0
    lines = [f"exact bounds of {net!r} on the box ({len(result.regions)} regions):"]
    for k in range(net.q):
        lines.append(f"  output {k}: maximum {_fmt(result.maximum[k])} at ({', '.join(_fmt(v) for v in result.argmax[k])})")
        lines.append(f"  output {k}: minimum {_fmt(result.minimum[k])} at ({', '.join(_fmt(v) for v in result.argmin[k])})")
    _write("\n".join(lines), args.out)
    return 0
