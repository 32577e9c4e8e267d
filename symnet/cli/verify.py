"""``symnet verify NET PROP.vnnlib``: decide a VNN-LIB property, with a certificate the kernel checks.

    symnet verify NET PROP.vnnlib [--timeout S] [--certificate OUT.json] [--workers N]
                  [--scheduler ADDR] [--result-file OUT.txt] [--result-style vnncomp2021|vnncomp2022]

NET is a model symnet reads (``.onnx``, ``.npz``, or the JSON weights of
``symnet regions``).  Exit codes: 0 the property holds, 1 it is violated (an
exact counterexample), 3 unknown or timeout, 2 bad input (one line on standard
error).  ``--result-file`` writes VNN-COMP's result file: the verdict on the
first line (``holds``/``violated``, or ``unsat``/``sat`` with
``--result-style vnncomp2022``; ``unknown``/``timeout`` otherwise) and, when
violated, the counterexample ``((X_0 v) ... (Y_0 v))`` in decimals.

A property whose input set is a union of boxes (:meth:`~symnet.VnnProperty.cases`)
is verified box by box: it is violated as soon as one box is, and holds when
every box does (then ``--certificate OUT.json`` writes one certificate per box,
``OUT.json``, ``OUT.2.json``, ...).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

from ..conversion import exact_ratio
from ..errors import InvalidArgument
from ..model.network import Network
from ..search.bab.verify import verify
from ..search.vnnlib import VnnProperty, read_vnnlib
from ._common import EXIT_OK, EXIT_REJECTED, emit, progress_line
from ._files import add_model_options, load_model_file, model_options
from .regions import count, load_network

__all__ = ["EXIT_UNKNOWN", "add_parser", "case_paths", "decimal_text", "load_model", "result_text", "run"]

#: Exit code of an unknown answer or a timeout.
EXIT_UNKNOWN = 3
#: The first line of the result file, by style and status.
WORDS = {
    "vnncomp2021": {"holds": "holds", "violated": "violated"},
    "vnncomp2022": {"holds": "unsat", "violated": "sat"},
}


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``symnet verify``."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "verify",
        help="decide a VNN-LIB property of a ReLU network, with a checked certificate",
        description="Decide a VNN-LIB property: exit 0 holds, 1 violated, 3 unknown or timeout, 2 bad input.",
    )
    p.add_argument("network", metavar="NET", help="the network: .onnx, .npz, or JSON weights")
    p.add_argument("property", metavar="PROP.vnnlib", help="the VNN-LIB property (it states the violation)")
    p.add_argument("--timeout", type=_seconds, default=None, metavar="S", help="give up after S seconds (unknown)")
    p.add_argument("--certificate", metavar="OUT.json", help="write the certificate (symnet check re-verifies it)")
    p.add_argument(
        "--workers",
        type=lambda t: count(t, 1, 4096),
        default=None,
        metavar="N",
        help="worker processes (default: all cores)",
    )
    p.add_argument("--scheduler", metavar="ADDR", help="run on a Dask distributed scheduler (tcp://host:port)")
    p.add_argument("--result-file", metavar="OUT.txt", help="write VNN-COMP's result file")
    p.add_argument(
        "--result-style",
        choices=tuple(WORDS),
        default="vnncomp2021",
        help="the result file's words: holds/violated (vnncomp2021, default) or unsat/sat (vnncomp2022)",
    )
    add_model_options(p)
    p.set_defaults(func=run)
    return p


def _seconds(text: str) -> float:
    """``--timeout S``: a positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 10**7:
        raise argparse.ArgumentTypeError(f"{text!r}: the timeout must be positive (at most 10^7 s)")
    return value


def load_model(path: str, args: argparse.Namespace | None = None) -> Network:
    """The exact network of a model file: ``.onnx`` or ``.npz`` (the shared loader), else JSON weights."""
    if os.path.splitext(path)[1].lower() in (".onnx", ".npz"):
        return load_model_file(path, **({} if args is None else model_options(args)))[0]
    return load_network(argparse.Namespace(network=path, inputs=None, hidden=None, seed=0))


def decimal_text(value: Any, digits: int = 20) -> str:
    """A rational as decimal text: exact when it terminates within ``digits`` significant digits, else rounded."""
    p, q = exact_ratio(value)
    with localcontext() as ctx:
        ctx.prec = digits
        d = Decimal(p) / Decimal(q)
    exact = Fraction(d) == Fraction(p, q)
    return format(d, "f") if exact or not d or abs(d) >= Decimal("1e-6") else format(d, "e")


def case_paths(path: str, n: int) -> list[str]:
    """Where the certificates of ``n`` input boxes go: ``path`` itself, then ``stem.2.ext``, ..."""
    stem, ext = os.path.splitext(path)
    return [path] + [f"{stem}.{i}{ext or '.json'}" for i in range(2, n + 1)]


def result_text(status: str, style: str, x: Any = None, y: Any = None) -> str:
    """VNN-COMP's result file: the verdict, and the counterexample when violated."""
    word = WORDS[style].get(status, status)
    if status != "violated" or x is None:
        return word + "\n"
    pairs = [f"(X_{j} {decimal_text(v)})" for j, v in enumerate(x)]
    pairs += [f"(Y_{i} {decimal_text(v)})" for i, v in enumerate(y)]
    return word + "\n(" + "\n ".join(pairs) + ")\n"


def _progress(start: float) -> Any:
    """A progress callback writing one overwritten line on a terminal (nothing elsewhere)."""
    last = [0.0]

    def report(info: Any) -> None:
        now = time.monotonic()
        if now - last[0] < 0.5:
            return
        last[0] = now
        bound = getattr(info, "bound", None)
        shown = f"leaves open {getattr(info, 'open', '?')}, closed {getattr(info, 'closed', '?')}"
        shown += "" if bound is None else f", bound {bound:.3g}"
        progress_line(f"verify: {shown}; {now - start:.1f} s", overwrite=True)

    return report


def _verify_cases(
    net: Network, prop: VnnProperty, args: argparse.Namespace, start: float
) -> tuple[str, list[Any], Any]:
    """Verify each box, all within ``--timeout`` of ``start``: (status, the verdicts computed, the deciding one)."""
    progress = _progress(start) if sys.stderr.isatty() else None
    verdicts: list[Any] = []
    for case in prop.cases():
        left = None if args.timeout is None else args.timeout - (time.monotonic() - start)
        if left is not None and left <= 0:
            return "timeout", verdicts, None
        verdict = verify(net, case, timeout=left, workers=args.workers, scheduler=args.scheduler, progress=progress)
        verdicts.append(verdict)
        if verdict.status == "violated":
            return "violated", verdicts, verdict
        if verdict.status != "holds":
            timed_out = verdict.reason == "timeout" or (
                args.timeout is not None and time.monotonic() - start >= args.timeout
            )
            return ("timeout" if timed_out else "unknown"), verdicts, verdict
    return "holds", verdicts, None


def run(args: argparse.Namespace) -> int:
    """Verify, print the summary, write the certificate and the result file; the exit code of the verdict.

    ``--timeout`` is the budget of the whole command from here on: reading the files
    and every input box of the property share it.
    """
    start = time.monotonic()
    prop = read_vnnlib(args.property)
    net = load_model(args.network, args)
    if (prop.inputs, prop.outputs) != (net.p, net.q):
        raise InvalidArgument(
            f"{args.property} has {prop.inputs} inputs and {prop.outputs} outputs;"
            f" {args.network} has {net.p} and {net.q}"
        )
    status, verdicts, deciding = _verify_cases(net, prop, args, start)
    elapsed = time.monotonic() - start
    if sys.stderr.isatty():
        progress_line("", overwrite=True)
        print(file=sys.stderr)
    # the result file first: writing a large certificate must not delay the answer
    x = getattr(deciding, "counterexample", None) if status == "violated" else None
    y = getattr(deciding, "output", None) if status == "violated" else None
    if args.result_file:
        with open(args.result_file, "w", encoding="utf-8", newline="\n") as f:
            f.write(result_text(status, args.result_style, x, y))
    written: list[str] = []
    if args.certificate and status in ("holds", "violated"):
        chosen = [deciding] if status == "violated" else verdicts
        for path, verdict in zip(case_paths(args.certificate, len(chosen)), chosen, strict=True):
            emit(verdict.to_json(), path)
            written.append(path)
    leaves = sum(int((getattr(v, "stats", None) or {}).get("leaves", 0)) for v in verdicts)
    lines = [f"{status}: {args.property} on {args.network}", f"  time {elapsed:.2f} s, {leaves} leaves"]
    if len(prop.cases()) > 1:
        lines.append(f"  input set: a union of {len(prop.cases())} boxes, {len(verdicts)} verified")
    if status in ("unknown", "timeout") and deciding is not None and getattr(deciding, "reason", None):
        lines.append(f"  reason: {deciding.reason}")
    if x is not None:
        lines.append("  counterexample x = (" + ", ".join(decimal_text(v) for v in x) + ")")
        lines.append("  outputs        y = (" + ", ".join(decimal_text(v) for v in y or ()) + ")")
    lines += [f"  certificate: {path}" for path in written]
    emit("\n".join(lines), None)
    return {"holds": EXIT_OK, "violated": EXIT_REJECTED}.get(status, EXIT_UNKNOWN)
