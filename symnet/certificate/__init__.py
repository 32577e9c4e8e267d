"""The document boundary: every JSON document symnet writes is read and written here.

One rational codec (:mod:`.numbers`), one expression table
(:mod:`.expressions`), and one format table (:data:`FORMATS`, in
:mod:`.formats`): :func:`read` turns any document into a plain-data object
that :func:`symnet.kernel.check` re-checks.  Data only: nothing here searches
for proofs (:mod:`symnet.search`) or checks them (:mod:`symnet.kernel`).
"""

from __future__ import annotations

import importlib
from typing import Any

from .documents import Bound, CounterexampleDocument, DegreeDocument, RegionRecord, RegionsDocument
from .expressions import ExpressionReader, check_version, load_json, read_network
from .formats import FORMATS, OLD_NAMES, Document, Format, format_name, read, read_data
from .linear import FORMAT, ROUTES, RULES, VERSION, Certificate, Claim, Step
from .numbers import decode_q, decode_rational

__all__ = [
    "FORMAT",
    "FORMATS",
    "OLD_NAMES",
    "ROUTES",
    "RULES",
    "VERSION",
    "Bound",
    "Certificate",
    "Claim",
    "CounterexampleDocument",
    "DegreeDocument",
    "Document",
    "ExpressionReader",
    "ExpressionWriter",
    "Format",
    "RegionRecord",
    "RegionsDocument",
    "Step",
    "check_version",
    "codec",
    "decode_q",
    "decode_rational",
    "dumps",
    "encode_q",
    "format_name",
    "load_json",
    "loads",
    "network_fingerprint",
    "read",
    "read_data",
    "read_network",
    "write_network",
    "writing",
]

#: Names served by modules the kernel never needs (writers, the old codec path), imported on first use.
_LAZY = {
    "ExpressionWriter": "writing",
    "encode_q": "writing",
    "dumps": "writing",
    "network_fingerprint": "writing",
    "write_network": "writing",
    "writing": None,
    "codec": None,
    "loads": "codec",
}


def __getattr__(name: str) -> Any:
    """Load the writers (and the old ``codec`` alias) on first use, so checking never loads them."""
    if name not in _LAZY:
        raise AttributeError(f"module 'symnet.certificate' has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_LAZY[name] or name}")
    return module if _LAZY[name] is None else getattr(module, name)
