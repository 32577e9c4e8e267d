"""``symnet collapse MODEL -o linear.onnx --certificate cert.json``: one Gemm and its proof.

Imports MODEL (``.onnx``, or symnet's ``.npz`` weights format), proves that it
computes one linear form, re-checks the certificate with the kernel, and
writes the single-``Gemm`` ONNX model (W* and b* rounded once to floats) and
the certificate (exact).  Progress goes to standard error; the summary (the
float error of the exported weights, and of its outputs against the
original model on a few inputs, run with ``onnx.reference``) to standard
output.  Exit codes: 0 collapsed, 1 not linear, 2 bad input.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from ..errors import InvalidArgument, NotLinearError
from ..search.engine import prove
from ._common import EXIT_OK, EXIT_REJECTED, progress_line, say
from ._files import add_model_options, load_model_file, model_options

__all__ = ["Progress", "add_parser", "load_model_file", "run"]

#: Inputs drawn (seeded) to compare the exported model with the original.
SAMPLES = 16


class Progress:
    """Timed progress lines on standard error."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    def __call__(self, message: str) -> None:
        progress_line(f"[{time.perf_counter() - self.start:6.2f} s] {message}")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``symnet collapse`` on the ``symnet`` parser."""
    c: argparse.ArgumentParser = subparsers.add_parser(
        "collapse", help="collapse a model (.onnx or .npz) into one Gemm, with its certificate"
    )
    c.add_argument("model", metavar="MODEL", help="the model: an .onnx file or a .npz weights archive")
    c.add_argument(
        "-o", "--output", required=True, metavar="OUT.onnx", help="where to write the single-Gemm ONNX model"
    )
    c.add_argument("--certificate", metavar="CERT.json", help="where to write the proof's certificate (exact)")
    c.add_argument(
        "--dtype", choices=("float32", "float64"), default="float32", help="float type of the exported model"
    )
    add_model_options(c)
    c.set_defaults(func=run)
    return c


def run(args: argparse.Namespace) -> int:
    """Run ``symnet collapse``; returns the exit code (errors become exit codes in ``symnet.cli._common``)."""
    progress = Progress()
    net, original = load_model_file(args.model, progress, **model_options(args))
    progress(f"imported {net!r}; proving")
    try:
        proof = prove(net)
    except NotLinearError as exc:
        say(f"not linear: {exc}")
        return EXIT_REJECTED
    progress("proved; re-checking the certificate with the kernel")
    proof.check()
    progress("checked; exporting")
    try:
        exported: Any = proof.to_onnx(args.dtype)
    except ImportError as exc:
        raise InvalidArgument(str(exc)) from None
    inputs = np.random.default_rng(0).standard_normal((SAMPLES, net.p))
    report = proof.export_report(exported, inputs, original)
    with open(args.output, "wb") as f:
        f.write(exported.SerializeToString())
    progress(f"wrote {args.output}")
    if args.certificate:
        text = proof.to_json()
        with open(args.certificate, "w", encoding="utf-8", newline="\n") as f:
            f.write(text if text.endswith("\n") else text + "\n")
        progress(f"wrote {args.certificate}")
    q, p = proof.matrix.shape
    print(f"collapsed {net!r} into one Gemm: y = W* x + b*, W* {q} x {p} (exact in the certificate)")
    print(report)
    return EXIT_OK
