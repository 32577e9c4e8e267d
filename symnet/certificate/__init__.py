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

from .documents import CounterexampleDocument, DegreeDocument, RegionsDocument
from .expressions import load_json
from .formats import FORMATS, OLD_NAMES, format_name, read
from .linear import FORMAT, RULES, VERSION, Certificate, Claim, Step
from .numbers import decode_q

__all__ = [
    "FORMAT",
    "FORMATS",
    "OLD_NAMES",
    "RULES",
    "VERSION",
    "Certificate",
    "Claim",
    "CounterexampleDocument",
    "DegreeDocument",
    "ExpressionWriter",
    "RegionsDocument",
    "Step",
    "codec",
    "decode_q",
    "dumps",
    "encode_q",
    "format_name",
    "load_json",
    "loads",
    "network_fingerprint",
    "read",
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
