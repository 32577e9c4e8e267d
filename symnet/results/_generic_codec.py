"""The JSON form of a generic certificate (format ``symnet-generic-certificate``): writer and reader."""

from __future__ import annotations

from typing import Any

import sympy

from .. import certificate as _cert
from ..errors import CertificateError, ShapeError
from ..kernel import gate
from ..model import generic as gm
from ..model.activations import Activation
from ..model.generic import Aug, GenericCertificate, GenericNetwork, GenericStep, Lin, OutRow, is_size_name

__all__ = ["GENERIC_FORMAT", "GENERIC_VERSION", "from_data", "to_data"]

GENERIC_FORMAT = "symnet-generic-certificate"
GENERIC_VERSION = 1


def _size_data(s: sympy.Expr) -> int | str:
    return int(s) if s.is_Integer else s.name


def _lin_data(x: Lin, enc: Any) -> dict[str, Any]:
    return {
        "shape": [_size_data(x.rows), _size_data(x.cols)],
        "terms": [[[a.name for a in word], enc.ref(coeff)] for word, coeff in x.terms],
    }


def _value_data(v: Any, enc: Any) -> dict[str, Any]:
    if isinstance(v, Aug):
        return {"aug": [_lin_data(v.v, enc), _lin_data(v.M, enc)]}
    if isinstance(v, OutRow):
        return {"outrow": [_lin_data(v.c, enc), _lin_data(v.C, enc)]}
    if isinstance(v, tuple) and v and isinstance(v[0], Lin):
        return {"pair": [_lin_data(v[0], enc), _lin_data(v[1], enc)]}
    return {"sizes": [_size_data(s) for s in v]}


def to_data(cert: GenericCertificate) -> dict[str, Any]:
    """The certificate as JSON-ready data."""
    enc = _cert.ExpressionWriter()
    net = cert.network
    acts = [{"name": a.name, "variable": a.variable.name, "expr": enc.ref(a.expr)} for a in net.activations]
    steps = [{"rule": s.rule, "layer": s.layer, "value": _value_data(s.value, enc)} for s in cert.steps]
    claim = {"matrix": _lin_data(cert.matrix, enc), "offset": _lin_data(cert.offset, enc)}
    return {
        "format": GENERIC_FORMAT,
        "version": GENERIC_VERSION,
        "expressions": enc.nodes,
        "network": {"sizes": [_size_data(s) for s in net.sizes], "activations": acts},
        "steps": steps,
        "claim": claim,
    }


def _bad(message: str) -> CertificateError:
    return CertificateError(f"malformed generic certificate: {message}")


def _size(v: Any) -> sympy.Expr:
    if isinstance(v, str):
        if not is_size_name(v):
            raise _bad(f"{v[:40]!r} is not a size name")
        return gm.size_symbol(v)
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        raise _bad(f"size {v!r} is not a positive integer")
    return sympy.Integer(v)


def _network(nd: Any, dec: _cert.ExpressionReader) -> GenericNetwork:
    if not isinstance(nd, dict) or set(nd) != {"sizes", "activations"}:
        raise _bad("network must have sizes and activations")
    if not isinstance(nd["sizes"], list) or not isinstance(nd["activations"], list):
        raise _bad("network.sizes and network.activations must be lists")
    sizes = tuple(_size(v) for v in nd["sizes"])
    acts = []
    for i, ad in enumerate(nd["activations"]):
        if not isinstance(ad, dict) or set(ad) != {"name", "variable", "expr"}:
            raise _bad(f"activation {i} must have name, variable, expr")
        if not (ad["name"] is None or isinstance(ad["name"], str)):
            raise _bad(f"activation {i} has a bad name")
        var = sympy.Symbol(_cert.codec._name(ad["variable"], f"activation {i}.variable"))
        acts.append(Activation(ad["name"], sympy.Lambda(var, dec.ref(ad["expr"], f"activation {i}"))))
    try:
        return GenericNetwork(sizes, tuple(acts))
    except ShapeError as exc:
        raise _bad(f"network: {exc}") from None


class _Values:
    """Reads matrix expressions and step values over one network's matrices and one expression table."""

    def __init__(self, net: GenericNetwork, dec: _cert.ExpressionReader) -> None:
        self.known = net.atoms()
        self.dec = dec

    def atom(self, name: Any) -> gm.MatAtom:
        if isinstance(name, str) and name in self.known:
            return self.known[name]
        if isinstance(name, str) and name.startswith("1[") and name.endswith("]"):
            return gm.ones(_size(int(name[2:-1]) if name[2:-1].isdigit() else name[2:-1]))
        raise _bad(f"unknown matrix {str(name)[:40]!r}")

    def lin(self, d: Any) -> Lin:
        if not isinstance(d, dict) or set(d) != {"shape", "terms"} or not isinstance(d["terms"], list):
            raise _bad("a matrix expression must have shape and terms")
        rows, cols = (_size(v) for v in d["shape"])
        total = Lin.zero(rows, cols)
        for term in d["terms"]:
            if not isinstance(term, list) or len(term) != 2 or not isinstance(term[0], list) or not term[0]:
                raise _bad("a term is [[matrix names...], coefficient]")
            prod = Lin.of(self.atom(term[0][0]))
            for name in term[0][1:]:
                prod = prod @ Lin.of(self.atom(name))
            coeff = gate.exact(self.dec.ref(term[1], "term coefficient"), "a term coefficient")
            gate.guard(coeff, "a term coefficient")
            total = total + prod.scale(coeff)
        return total

    def value(self, d: Any) -> Any:
        if not isinstance(d, dict) or len(d) != 1:
            raise _bad("a step value is one of aug, outrow, pair, sizes")
        ((kind, body),) = d.items()
        if kind == "sizes":
            return tuple(_size(v) for v in body)
        if not isinstance(body, list) or len(body) != 2:
            raise _bad(f"{kind} takes two matrix expressions")
        a, b = self.lin(body[0]), self.lin(body[1])
        if kind == "aug":
            return Aug(a, b)
        if kind == "outrow":
            return OutRow(a, b)
        if kind == "pair":
            return (a, b)
        raise _bad(f"unknown step value kind {kind!r}")


def from_data(data: Any) -> GenericCertificate:
    """Parse JSON data into a generic certificate; CertificateError if malformed (nothing is checked)."""
    if not isinstance(data, dict) or set(data) != {"format", "version", "expressions", "network", "steps", "claim"}:
        raise _bad("expected an object with format, version, expressions, network, steps, claim")
    _cert.check_version(data, GENERIC_VERSION, "generic certificate")
    if data["format"] != GENERIC_FORMAT:
        raise _bad(
            f"format {data['format']!r} version {data['version']!r} is not {GENERIC_FORMAT!r} version {GENERIC_VERSION}"
        )
    dec = _cert.ExpressionReader(data["expressions"])
    net = _network(data["network"], dec)
    values = _Values(net, dec)
    if not isinstance(data["steps"], list):
        raise _bad("steps must be a list")
    steps = []
    for i, sd in enumerate(data["steps"]):
        if not isinstance(sd, dict) or set(sd) != {"rule", "layer", "value"}:
            raise _bad(f"steps[{i}] must have rule, layer, value")
        if sd["rule"] not in gm.STEP_RULES or isinstance(sd["layer"], bool) or not isinstance(sd["layer"], int):
            raise _bad(f"steps[{i}] cites unknown rule {str(sd['rule'])[:40]!r} or has a bad layer")
        steps.append(GenericStep(sd["rule"], sd["layer"], values.value(sd["value"])))
    cd = data["claim"]
    if not isinstance(cd, dict) or set(cd) != {"matrix", "offset"}:
        raise _bad("claim must have matrix and offset")
    return GenericCertificate(net, tuple(steps), values.lin(cd["matrix"]), values.lin(cd["offset"]))
