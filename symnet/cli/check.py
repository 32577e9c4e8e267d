"""``symnet check DOCUMENT.json``: re-check any document symnet writes.

The document's ``format`` picks the reader and the kernel checker from
:data:`CHECKERS` (a table, so a new document kind is one entry).  The summary
line states exactly what was checked: the architecture, every activation's
formula, and the fingerprint of the network section (``sha256`` of its
canonical JSON), the same fingerprint ``symnet prove`` prints.

Exit codes: 0 checked, 1 rejected by the kernel, 2 not a readable document.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Callable
from typing import Any

import sympy

from ..certificate import ExpressionReader, check_version, load_json, network_fingerprint, read_network
from ..errors import CertificateError, InvalidArgument
from ..kernel import counterexample as _checker
from ..model.network import Network
from ._files import MAX_DOCUMENT_BYTES, read_document

__all__ = ["CHECKERS", "MAX_DOCUMENT_BYTES", "add_parser", "describe", "fingerprint", "run"]

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


def fingerprint(net: Any) -> str:
    """The network's fingerprint: ``sha256:`` of its canonical network section."""
    if isinstance(net, Network):
        return network_fingerprint(net)
    sizes = [int(s) if s.is_Integer else s.name for s in net.sizes]
    acts = [[a.name, a.variable.name, str(a.expr)] for a in net.activations]
    text = json.dumps({"sizes": sizes, "activations": acts}, separators=(",", ":"), sort_keys=True, ensure_ascii=True)
    return "sha256:" + hashlib.sha256(text.encode("ascii")).hexdigest()


def describe(net: Any) -> str:
    """Architecture, every activation formula and the fingerprint, on one line."""
    if isinstance(net, Network):
        arch = " -> ".join(str(n) for n in (net.p, *net.hidden, net.q))
        acts = [layer.activation for layer in net.layers[:-1]]
    else:
        arch = " -> ".join(str(s) for s in net.sizes)
        acts = list(net.activations)
    formulas = "; ".join(f"layer {l}: {_formula(a)}" for l, a in enumerate(acts, start=1)) or "none (no hidden layer)"
    return f"{net!r}; architecture {arch}; activations: {formulas}; fingerprint {fingerprint(net)}"


def _formula(act: Any) -> str:
    """``t -> body`` with the bound variable shown as ``t`` (or another free name when a parameter is called t)."""
    taken = {s.name for s in act.expr.free_symbols} - {act.variable.name}
    name = next(n for n in ("t", "s", "u", "v", "t_0", "t_1") if n not in taken)
    shown = sympy.Symbol(name)
    return f"{name} -> {act.expr.xreplace({act.variable: shown})}"


# ------------------------------------------------------------- the readers
def _certificate(text: bytes) -> tuple[Any, Callable[[], Any], str]:
    from ..proof import Proof

    proof = Proof.from_json(text)
    return proof.network, proof.check, "certificate checked"


def _generic(text: bytes) -> tuple[Any, Callable[[], Any], str]:
    from ..search.generic import GenericProof

    proof = GenericProof.from_json(text)
    return proof.network, proof.check, "generic certificate checked"


def _counterexample(text: bytes) -> tuple[Any, Callable[[], Any], str]:
    from ..search.refutation import Counterexample

    cx = Counterexample.from_json(text)
    return cx.network, cx.check, "counterexample checked (the output is not affine in x)"


_DEGREE_KEYS = {"format", "version", "expressions", "network", "degrees", "routes", "witnesses", "bounds", "limit"}


def _degree(text: bytes) -> tuple[Any, Callable[[], Any], str]:
    doc = load_json(text, "degree certificate")
    if not isinstance(doc, dict) or not {"format", "version", "expressions", "network", "degrees", "routes", "witnesses"} <= set(doc) or not set(doc) <= _DEGREE_KEYS:
        raise CertificateError(f"malformed degree certificate: expected the keys {sorted(_DEGREE_KEYS)}")
    check_version(doc, 1, "degree certificate")
    limit = doc.get("limit", 1)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise CertificateError(f"malformed degree certificate: limit {str(limit)[:20]!r} is not a positive integer (and the kernel uses its own)")
    bounds = doc.get("bounds", [])
    if not isinstance(bounds, list) or not all(isinstance(row, list) and all(b is None or (_is_count(b)) for b in row) for row in bounds):
        raise CertificateError("malformed degree certificate: bounds must be lists of degrees (non-negative integers or null)")
    net = read_network(ExpressionReader(doc["expressions"]), doc["network"])
    cert = {k: doc[k] for k in ("degrees", "routes", "witnesses")}  # the kernel sets its own limits
    degrees = doc["degrees"]
    return net, lambda: _checker.check_degree(net, cert), f"degree certificate checked (degrees {degrees})"


def _regions(text: bytes) -> tuple[Any, Callable[[], Any], str]:
    from ..kernel import regions_cert

    parsed = regions_cert.read_document(load_json(text, "regions certificate"))
    claim = parsed["claim"]
    what = f"regions certificate checked: {len(parsed['regions'])} regions cover the domain" + ("" if claim is None else f", and its {claim['kind']} claim holds")
    return parsed["network"], lambda: regions_cert.check_regions(parsed), what


def _is_count(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


#: ``format`` -> reader returning (network, check, what).  A new document kind is one entry here.
CHECKERS: dict[str, Callable[[bytes], tuple[Any, Callable[[], Any], str]]] = {
    "symnet-certificate": _certificate,
    "symnet-generic-certificate": _generic,
    "symnet.counterexample": _counterexample,
    "symnet.degree": _degree,
    "symnet.regions": _regions,
}


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``symnet check``."""
    c = subparsers.add_parser("check", help="re-check a saved document (certificate, generic certificate, counterexample, degree, regions)")
    c.add_argument("certificate", metavar="DOCUMENT.json")
    c.set_defaults(func=run)
    return c


def _say(message: str) -> None:
    print(f"symnet: {message}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    """Check the document; print the summary (stdout) or one line (stderr); return the exit code."""
    path = args.certificate
    try:
        text = read_document(path)
    except OSError as exc:
        _say(f"error: {path}: {exc.strerror or exc}")
        return EXIT_USAGE
    except InvalidArgument as exc:
        _say(f"error: {exc}")
        return EXIT_USAGE
    try:
        doc = load_json(text, "certificate")
        kind = doc.get("format") if isinstance(doc, dict) else None
        reader = CHECKERS.get(kind) if isinstance(kind, str) else None
        if reader is None:
            raise CertificateError(f"malformed certificate: unknown document format {str(kind)[:40]!r}; symnet check reads {sorted(CHECKERS)}")
        net, check, what = reader(text)
    except (CertificateError, ValueError, TypeError, RecursionError, MemoryError) as exc:
        _say(f"error: {path}: {_one_line(exc)}")
        return EXIT_USAGE
    try:
        check()
    except (CertificateError, RecursionError, MemoryError) as exc:
        _say(f"certificate rejected: {_one_line(exc)}")
        return EXIT_REJECTED
    from ._common import emit as _emit

    _emit(f"{what}: {describe(net)}; every step re-derived by the kernel", None)
    return EXIT_OK


def _one_line(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return " ".join(text.split())[:2000]
