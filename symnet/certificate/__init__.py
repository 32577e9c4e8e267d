"""The document boundary: every JSON document symnet writes is read and written here.

One rational codec (:mod:`.numbers`), one expression table
(:mod:`.expressions`), and one format table (:data:`FORMATS`, in
:mod:`.formats`): :func:`read` turns any document into a plain-data object
that :func:`symnet.kernel.check` re-checks.  The writers are in
:mod:`.writing` (and the old linear-only ``loads`` in :mod:`.codec`), modules
the kernel never loads.  Data only: nothing here searches for proofs
(:mod:`symnet.search`) or checks them (:mod:`symnet.kernel`).
"""

from __future__ import annotations

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
    "RegionsDocument",
    "Step",
    "decode_q",
    "format_name",
    "load_json",
    "read",
]
