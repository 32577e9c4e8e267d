"""The one reader and the one checker every result object goes through.

``read(text, expected_format)`` parses a document of one format into its
certificate data; ``check(certificate)`` hands certificate data to the kernel
checker of its kind.  Every ``from_json`` and every ``check()`` of
:mod:`symnet.results` calls these two functions and nothing else, so a result
object can never check something other than its document.  (They call
today's readers and checkers; the format table of :mod:`symnet.certificate`
and the entry :func:`symnet.kernel.check` replace them behind this interface.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sympy
from flint import fmpq

from .. import certificate as _cert
from .. import kernel
from ..certificate import Certificate, ExpressionReader, check_version, load_json, read_network
from ..errors import CertificateError
from ..kernel import counterexample as _counterexample
from ..kernel import generic as _generic
from ..kernel import regions_cert as _regions
from ..model.generic import GenericCertificate
from ..model.network import Network
from ._generic_codec import GENERIC_FORMAT, from_data

__all__ = [
    "COUNTEREXAMPLE_FORMAT",
    "BoundWitness",
    "GENERIC_FORMAT",
    "LINEAR_FORMAT",
    "REGIONS_FORMAT",
    "CounterexampleData",
    "DegreeData",
    "RegionsData",
    "check",
    "read",
]

LINEAR_FORMAT = _cert.FORMAT
COUNTEREXAMPLE_FORMAT = "symnet.counterexample"
COUNTEREXAMPLE_VERSION = 1
REGIONS_FORMAT = _regions.FORMAT


@dataclass(frozen=True)
class CounterexampleData:
    """What a counterexample states: weights, two points u and v, an output k, the values and the enclosure."""

    network: Network
    weights: Mapping[sympy.Symbol, sympy.Rational]
    points: tuple[tuple[sympy.Rational, ...], tuple[sympy.Rational, ...]]
    output: int
    values: tuple[sympy.Expr, sympy.Expr, sympy.Expr]
    enclosure: tuple[sympy.Rational, sympy.Rational]
    layer: int | None = None


@dataclass(frozen=True, eq=False)
class RegionsData:
    """A parsed regions document (the dict :func:`symnet.kernel.regions_cert.read_document` gives), claim included."""

    parsed: Mapping[str, Any]


@dataclass(frozen=True, eq=False)
class BoundWitness:
    """A refutation of "output_k <= t on the domain": a point of the domain (rows ``b + a . x >= 0``) above t."""

    network: Network
    domain_rows: Sequence[Sequence[fmpq]]
    output: int
    threshold: fmpq
    point: Sequence[fmpq]


@dataclass(frozen=True, eq=False)
class DegreeData:
    """A degree certificate: the network and its ``degrees``/``routes``/``witnesses`` data."""

    network: Network
    certificate: Mapping[str, Any]


# ------------------------------------------------------------------ reading
def _read_linear(text: str | bytes) -> Certificate:
    return _cert.loads(text)


def _read_generic(text: str | bytes) -> GenericCertificate:
    data = load_json(text, "generic certificate")
    try:
        return from_data(data)
    except CertificateError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
        raise CertificateError(f"malformed generic certificate: {type(exc).__name__}: {exc}") from None


_COUNTEREXAMPLE_KEYS = {
    "format",
    "version",
    "expressions",
    "network",
    "weights",
    "points",
    "output",
    "values",
    "enclosure",
    "layer",
}


def _read_counterexample(text: str | bytes) -> CounterexampleData:
    doc = load_json(text, "counterexample")
    if not isinstance(doc, dict) or set(doc) != _COUNTEREXAMPLE_KEYS:
        raise CertificateError(f"a counterexample document has exactly the keys {sorted(_COUNTEREXAMPLE_KEYS)}")
    check_version(doc, COUNTEREXAMPLE_VERSION, "counterexample")
    if doc["format"] != COUNTEREXAMPLE_FORMAT:
        raise CertificateError(f"unknown format {doc['format']!r} version {doc['version']!r}")
    decode = _counterexample.decode_rational
    table = ExpressionReader(doc["expressions"])
    net = read_network(table, doc["network"])
    names = {s.name: s for s in net.parameters}
    if not isinstance(doc["weights"], dict) or not set(doc["weights"]) <= set(names):
        raise CertificateError("weights must map parameter names of the network to rationals")
    weights = {names[n]: decode(v, f"weights[{n!r}]") for n, v in doc["weights"].items()}
    pts = doc["points"]
    if not isinstance(pts, list) or len(pts) != 2 or not all(isinstance(p, list) for p in pts):
        raise CertificateError("points must be a list of two coordinate lists")
    u, v = (tuple(decode(c, "points") for c in p) for p in pts)
    if isinstance(doc["output"], bool) or not isinstance(doc["output"], int):
        raise CertificateError("output must be an integer")
    if not isinstance(doc["values"], list) or len(doc["values"]) != 3:
        raise CertificateError("values must be a list of three expressions")
    fu, fv, fm = (table.ref(e, "values") for e in doc["values"])
    if not isinstance(doc["enclosure"], list) or len(doc["enclosure"]) != 2:
        raise CertificateError("enclosure must be a list of two rationals")
    lo, hi = (decode(c, "enclosure") for c in doc["enclosure"])
    layer = doc["layer"]
    if layer is not None and (isinstance(layer, bool) or not isinstance(layer, int)):
        raise CertificateError("layer must be an integer or null")
    return CounterexampleData(net, weights, (u, v), doc["output"], (fu, fv, fm), (lo, hi), layer)


def _read_regions(text: str | bytes | dict[str, Any]) -> RegionsData:
    return RegionsData(_regions.read_document(text))


_READERS: dict[str, Callable[[Any], Any]] = {
    LINEAR_FORMAT: _read_linear,
    GENERIC_FORMAT: _read_generic,
    COUNTEREXAMPLE_FORMAT: _read_counterexample,
    REGIONS_FORMAT: _read_regions,
}


def read(text: str | bytes | dict[str, Any], expected_format: str) -> Any:
    """The certificate data of a document of ``expected_format``; CertificateError if malformed or of another format.

    ``text`` is the JSON text (a regions document may also be given as its parsed JSON data).
    """
    reader = _READERS.get(expected_format)
    if reader is None:
        raise CertificateError(f"no reader for the document format {expected_format!r}")
    return reader(text)


# ----------------------------------------------------------------- checking
def _check_counterexample(data: CounterexampleData) -> bool:
    return _counterexample.check_counterexample(
        data.network, data.weights, data.points, data.output, data.values, data.enclosure
    )


def _check_degree(data: DegreeData) -> bool:
    return _counterexample.check_degree(data.network, data.certificate)


def _check_regions(data: RegionsData) -> bool:
    return _regions.check_regions(data.parsed)


def _check_bound_witness(data: BoundWitness) -> bool:
    x = list(data.point)
    if len(x) != data.network.p or not 0 <= data.output < data.network.q:
        raise CertificateError("the witness is not a point of the input space, or the output does not exist")
    inside = all(
        row[0] + sum((a * v for a, v in zip(row[1:], x, strict=True)), fmpq(0)) >= 0 for row in data.domain_rows
    )
    got = _regions.forward(_regions.network_pieces(data.network), x)[data.output]
    if not (inside and got > data.threshold):
        raise CertificateError("the witness does not exceed the threshold inside the domain", rule="refute_bound")
    return True


_CHECKERS: dict[type, Callable[[Any], bool]] = {
    Certificate: kernel.check,
    GenericCertificate: _generic.check,
    CounterexampleData: _check_counterexample,
    DegreeData: _check_degree,
    BoundWitness: _check_bound_witness,
    RegionsData: _check_regions,
}


def check(certificate: Any) -> bool:
    """Re-verify certificate data with the kernel checker of its kind: True, or CertificateError."""
    checker = _CHECKERS.get(type(certificate))
    if checker is None:
        raise CertificateError(f"no kernel checker for {type(certificate).__name__}")
    return checker(certificate)
