"""The JSON form of a generic certificate (format ``symnet.generic``); the reader is :func:`symnet.certificate.read`."""

from __future__ import annotations

from typing import Any

import sympy

from ..certificate.writing import ExpressionWriter
from ..model.generic import Aug, GenericCertificate, Lin, OutRow

__all__ = ["GENERIC_FORMAT", "GENERIC_VERSION", "to_data"]

GENERIC_FORMAT = "symnet.generic"
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
    enc = ExpressionWriter()
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
