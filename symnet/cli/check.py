"""``symnet check DOCUMENT.json``: re-check any document symnet writes.

The document is read by :func:`symnet.certificate.read` (its ``format`` picks
the reader) and checked by :func:`symnet.kernel.check` (its kind picks the
checker) -- the very entry ``X.from_json(text).check()`` uses.  The summary
states exactly what was checked (:data:`SUMMARIES`, one line per document
kind): the claim, the domain (box, polytope or all inputs), the outputs, for
bounds the direction and the threshold, the architecture, every activation's
formula, and the fingerprint of the network section (``sha256`` of its
canonical JSON), the same fingerprint ``symnet prove`` prints.

Exit codes: 0 checked, 1 rejected by the kernel, 2 not a readable document.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

import sympy

from .. import kernel
from ..certificate import (
    FORMATS,
    OLD_NAMES,
    Certificate,
    CounterexampleDocument,
    DegreeDocument,
    RegionsDocument,
    read,
)
from ..certificate.verification import VerificationDocument
from ..certificate.writing import encode_q, network_fingerprint
from ..errors import CertificateError, InvalidArgument
from ..model.core import NetworkData as Network
from ..model.generic import GenericCertificate
from ._common import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, emit, one_line, say
from ._files import MAX_DOCUMENT_BYTES, read_document

__all__ = ["CHECKERS", "MAX_DOCUMENT_BYTES", "SUMMARIES", "add_parser", "describe", "fingerprint", "run", "summary"]


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


# ------------------------------------------------------------- the summaries
def _point(values: Sequence[Any]) -> str:
    return "(" + ", ".join(encode_q(v) for v in values) + ")"


def _outputs(net: Any) -> str:
    q = net.q
    return f"all {q} outputs" if q != 1 else "the output"


def _linear(doc: Certificate) -> str:
    claim = doc.claim
    form = "W* x + b* written out" if claim.form == "explicit" else "W* x + b* = C P_L ... P_1 x* (product form)"
    return (
        f"certificate checked: {_outputs(doc.network)} = {form}, shape {claim.shape[0]} x {claim.shape[1]}, "
        f"for every x in R^{doc.network.p} (domain: all inputs) and every value of the weights; "
        f"routes {', '.join(claim.routes)}"
    )


def _generic(doc: GenericCertificate) -> str:
    return "generic certificate checked: the outputs = W* x + b* for every x (domain: all inputs), size and weight"


def _counterexample(doc: CounterexampleDocument) -> str:
    u, v = doc.points
    lo, hi = doc.enclosure
    return (
        f"counterexample checked (the output is not affine in x): "
        f"output {doc.output} at u = {_point(u)}, v = {_point(v)} "
        f"has f((u+v)/2) - (f(u) + f(v))/2 in [{encode_q(lo)}, {encode_q(hi)}], which excludes 0"
    )


def _degree(doc: DegreeDocument) -> str:
    per = ", ".join(f"output {i}: {d} ({r})" for i, (d, r) in enumerate(zip(doc.degrees, doc.routes, strict=True)))
    return f"degree certificate checked (degrees {list(doc.degrees)}): exact degree in x on all inputs, {per}"


def domain_text(domain: dict[str, Any]) -> str:
    """The domain of a regions document in words: a box, a polytope ``A x <= b`` or all inputs."""
    if domain["kind"] == "box":
        return "the box " + " x ".join(f"[{lo}, {hi}]" for lo, hi in domain["box"])
    if domain["kind"] == "polytope":
        rows = "; ".join(f"{list(a)} . x <= {b}" for a, b in zip(domain["A"], domain["b"], strict=True))
        return f"the polytope {{x : {rows}}}"
    return "all inputs (R^p)"


def _regions(doc: RegionsDocument) -> str:
    text = f"regions certificate checked: {len(doc.regions)} regions cover {domain_text(doc.domain)}"
    if doc.claim is None:
        return text + f"; each region's affine form of {_outputs(doc.network)} is the network's"
    if doc.claim[0] == "affine":
        return text + f", and its affine claim holds: {_outputs(doc.network)} = W x + b on the whole domain"
    parts = []
    for b in doc.claim[1]:
        attained = "" if b.point is None else f", attained at {_point(b.point)}"
        parts.append(f"output {b.output} {b.sense} {encode_q(b.value)}{attained}")
    return text + ", and its bounds claim holds on the domain: " + "; ".join(parts)


def _verification(doc: VerificationDocument) -> str:
    box = " x ".join(f"[{lo}, {hi}]" for lo, hi in doc.box)
    cons = "".join(f" with {[str(c) for c in a]} . x + {e} <= 0" for a, e in doc.input_constraints)
    violation = " or ".join(
        "(" + " and ".join(f"{[str(c) for c in cr]} . y + {d} <= 0" for cr, d in conj) + ")" for conj in doc.disjuncts
    )
    if doc.status == "violated":
        assert doc.counterexample is not None and doc.output is not None
        return (
            f"verification certificate checked: VIOLATED -- the input {_point(doc.counterexample)} in the box {box}"
            f"{cons} has the exact output {_point(doc.output)} (y: {_outputs(doc.network)}), which satisfies "
            f"the violation {violation}"
        )
    leaves = sum(1 for n in doc.tree if n[0] == "leaf")
    return (
        f"verification certificate checked: HOLDS -- no input of the box {box}{cons} has outputs "
        f"y ({_outputs(doc.network)}) satisfying the violation {violation} ({leaves} leaves of a split tree, "
        f"each disjunct refuted on each by exact bound propagation and multipliers)"
    )


#: A document's kind -> the sentence saying what its check established.
SUMMARIES: dict[str, Callable[[Any], str]] = {
    "linear": _linear,
    "generic": _generic,
    "counterexample": _counterexample,
    "degree": _degree,
    "regions": _regions,
    "verification": _verification,
}


def summary(doc: Any) -> str:
    """What checking ``doc`` established, then the network's architecture, activations and fingerprint."""
    return f"{SUMMARIES[type(doc).kind](doc)}: {describe(doc.network)}; every step re-derived by the kernel"


def _reader(text: bytes) -> tuple[Any, Callable[[], bool], str]:
    """(network, check, summary) of a document: the shape tests/adversarial's harness reads from :data:`CHECKERS`."""
    doc = read(text)
    return doc.network, lambda: kernel.check(doc), summary(doc)


#: ``format`` -> reader returning (network, check, summary); every name :func:`symnet.certificate.read` reads.
CHECKERS: dict[str, Callable[[bytes], tuple[Any, Callable[[], bool], str]]] = dict.fromkeys(
    [*FORMATS, *OLD_NAMES], _reader
)


# ------------------------------------------------------------------ the command
def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``symnet check``."""
    c: argparse.ArgumentParser = subparsers.add_parser(
        "check",
        help="re-check a saved document "
        "(certificate, generic certificate, counterexample, degree, regions, verification)",
    )
    c.add_argument("certificate", metavar="DOCUMENT.json")
    c.set_defaults(func=run)
    return c


def run(args: argparse.Namespace) -> int:
    """Check the document; print the summary (stdout) or one line (stderr); return the exit code."""
    path = args.certificate
    try:
        text = read_document(path)
    except OSError as exc:
        say(f"error: {path}: {exc.strerror or exc}")
        return EXIT_USAGE
    except InvalidArgument as exc:
        say(f"error: {exc}")
        return EXIT_USAGE
    try:
        doc = read(text)
    except (CertificateError, ValueError, TypeError, RecursionError, MemoryError) as exc:
        say(f"error: {path}: {one_line(exc)}")
        return EXIT_USAGE
    try:
        kernel.check(doc)
    except (CertificateError, RecursionError, MemoryError) as exc:
        say(f"certificate rejected: {one_line(exc)}")
        return EXIT_REJECTED
    emit(summary(doc), None)
    return EXIT_OK
