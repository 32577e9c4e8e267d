"""``symnet export --coq CERT.json -o Net.v``: a checked certificate as a Coq file.

``add_parser(subparsers)`` adds the sub-command (``symnet.cli.main`` calls
it) and ``run(args)`` does the work.  The certificate may be a linear proof
(``symnet prove --format json``), a generic proof or a counterexample; it is
re-checked by symnet's kernel first and only then exported.  ``--check``
runs ``coqc`` on the written file.  Exit codes: 0 written (and, with
``--check``, accepted by Coq), 1 rejected (by symnet's kernel or by Coq), 2
bad input or usage (one line on standard error, no traceback).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from typing import Any

from ..certificate import FORMATS, format_name, load_json
from ..errors import CertificateError, InvalidArgument, SymnetError
from ..interop.coq import LIBRARIES, library_text
from ..results import Counterexample, GenericProof, Proof
from ._common import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, say
from ._files import read_document

__all__ = ["add_parser", "run"]

#: Seconds ``--check`` lets coqc run.
COQC_TIMEOUT = 3600


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``symnet export`` on the ``symnet`` parser's sub-parsers."""
    e: argparse.ArgumentParser = subparsers.add_parser(
        "export", help="export a checked certificate to Coq, whose kernel re-checks it"
    )
    e.add_argument("certificate", metavar="CERT.json", help="a proof, generic proof or counterexample (JSON)")
    e.add_argument(
        "--coq",
        dest="target",
        action="store_const",
        const="coq",
        help="write a Coq (.v) file (the only target for now)",
    )
    e.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    e.add_argument(
        "--no-inline",
        action="store_true",
        help="require the shipped library (From Symnet Require Import ...) instead of inlining it",
    )
    e.add_argument("--check", action="store_true", help="run coqc on the written file (needs -o)")
    e.set_defaults(func=run)
    return e


def _load(path: str) -> Any:
    data = read_document(path)
    kind = FORMATS[format_name(load_json(data, f"document {path}"))].kind  # the one format table
    readers: dict[str, Any] = {"linear": Proof, "generic": GenericProof, "counterexample": Counterexample}
    if kind not in readers:
        raise CertificateError(
            f"{path}: a {kind} document has no Coq export (exported: linear, generic, counterexample)"
        )
    return readers[kind].from_json(data)


def run(args: argparse.Namespace) -> int:
    """Run ``symnet export``; returns the exit code."""
    if args.target != "coq":
        say("error: choose a target: --coq")
        return EXIT_USAGE
    if args.check and not args.output:
        say("error: --check needs -o FILE")
        return EXIT_USAGE
    try:
        obj = _load(args.certificate)
    except (CertificateError, InvalidArgument) as exc:
        say(f"error: {exc}")
        return EXIT_USAGE
    except OSError as exc:
        say(f"error: {exc.filename or args.certificate}: {exc.strerror or exc}")
        return EXIT_USAGE
    try:
        obj.check()
    except CertificateError as exc:
        say(f"certificate rejected: {exc}")
        return EXIT_REJECTED
    try:
        text = obj.to_coq(standalone=not args.no_inline)
    except SymnetError as exc:
        say(f"error: {exc}")
        return EXIT_USAGE
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        with open(args.output, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    except OSError as exc:
        say(f"error: {exc.filename or args.output}: {exc.strerror or exc}")
        return EXIT_USAGE
    if not args.check:
        return EXIT_OK
    return _coqc(args.output, not args.no_inline)


def _coqc(path: str, standalone: bool) -> int:
    coqc = shutil.which("coqc")
    if coqc is None:
        say("error: --check needs coqc on the PATH (Debian: apt-get install coq)")
        return EXIT_USAGE
    folder = os.path.dirname(os.path.abspath(path)) or "."
    with tempfile.TemporaryDirectory() as lib:
        cmd = [coqc, os.path.basename(path)]
        try:
            if not standalone:  # compile the shipped libraries as Symnet.* in a scratch folder
                for name in LIBRARIES:
                    with open(os.path.join(lib, f"{name}.v"), "w", encoding="utf-8") as f:
                        f.write(library_text(name))
                    subprocess.run(
                        [coqc, "-Q", lib, "Symnet", f"{name}.v"],
                        cwd=lib,
                        capture_output=True,
                        check=True,
                        timeout=COQC_TIMEOUT,
                    )
                cmd = [coqc, "-Q", lib, "Symnet", os.path.basename(path)]
            done = subprocess.run(cmd, cwd=folder, capture_output=True, text=True, timeout=COQC_TIMEOUT)
        except subprocess.TimeoutExpired:
            say(f"rejected: coqc did not finish within {COQC_TIMEOUT} s")
            return EXIT_REJECTED
        except subprocess.CalledProcessError as exc:
            say(f"error: coqc could not compile the shipped library: exit {exc.returncode}")
            return EXIT_USAGE
    if done.returncode != 0:
        lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
        say("rejected by coqc: " + (" ".join(lines[-2:])[:300] if lines else f"exit {done.returncode}"))
        return EXIT_REJECTED
    print(f"checked by coqc: {path}")
    return EXIT_OK
