"""``symnet render CERT.json``: check a saved certificate, then print its derivation.

Exit codes: 0 checked and printed, 1 rejected by the kernel, 2 not a readable
certificate (see :mod:`symnet.cli._common`).
"""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import CertificateError, InvalidArgument
from ..proof import Proof
from ._common import EXIT_OK, EXIT_REJECTED, emit, say
from ._files import read_document
from .prove import add_derivation_options, derivation, render_options

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``symnet render``."""
    help_ = "check a saved certificate and print its derivation"
    r: argparse.ArgumentParser = subparsers.add_parser("render", help=help_)
    r.add_argument("certificate", metavar="CERT.json")
    add_derivation_options(r)
    r.set_defaults(func=run)
    return r


def run(args: argparse.Namespace) -> int:
    """Read and check the certificate, then print the derivation."""
    path = args.certificate
    data = read_document(path)
    try:
        proof = Proof.from_json(data)
    except CertificateError as exc:
        raise InvalidArgument(f"{path}: {exc}") from None
    try:
        proof.check()
    except CertificateError as exc:
        say(f"certificate rejected: {exc}")
        return EXIT_REJECTED
    emit(derivation(proof, args.format, render_options(args)), args.output)
    return EXIT_OK
