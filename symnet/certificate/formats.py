"""The one format table: every JSON document symnet writes, by its ``format`` field.

:func:`read` parses JSON text, looks the ``format`` up in :data:`FORMATS` and
returns the document object of that kind; :func:`symnet.kernel.check` then
picks the kernel checker by the document's ``kind``.  So
``X.from_json(text).check()`` and ``symnet check FILE`` read and check the same
thing.  New documents are written under the dotted names (``symnet.<kind>``);
the names used before (:data:`OLD_NAMES`) are still read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import CertificateError, SymnetError
from ..model.symbols import paused_gc
from . import documents, linear, verification
from .expressions import load_json

__all__ = ["FORMATS", "OLD_NAMES", "Format", "format_name", "read", "read_data"]


@dataclass(frozen=True)
class Format:
    """One row of the table: the ``kind`` the kernel dispatches on, and the reader of the parsed JSON object."""

    kind: str
    reader: Callable[[Any], Any]


#: ``format`` name -> (kind, reader).  A new document kind is one row here and one in ``symnet.kernel.CHECKERS``.
FORMATS: dict[str, Format] = {
    "symnet.linear": Format("linear", linear.from_data),
    "symnet.generic": Format("generic", documents.read_generic),
    "symnet.counterexample": Format("counterexample", documents.read_counterexample),
    "symnet.degree": Format("degree", documents.read_degree),
    "symnet.regions": Format("regions", documents.read_regions),
    "symnet.verification": Format("verification", verification.read_verification),
}
#: Names written before issue 19 -> the current name; still read.
OLD_NAMES = {"symnet-certificate": "symnet.linear", "symnet-generic-certificate": "symnet.generic"}


def format_name(data: Any) -> str:
    """The current name of a parsed document's ``format``; CertificateError if it is not one symnet writes."""
    name = data.get("format") if isinstance(data, dict) else None
    name = OLD_NAMES.get(name, name) if isinstance(name, str) else name
    if not isinstance(name, str) or name not in FORMATS:
        known = sorted([*FORMATS, *OLD_NAMES])
        raise CertificateError(
            f"malformed certificate: unknown document format {str(name)[:40]!r}; symnet reads {known}"
        )
    return name


def read_data(data: Any) -> Any:
    """The document object of already-parsed JSON data (see :func:`read`)."""
    fmt = FORMATS[format_name(data)]
    try:
        return fmt.reader(data)
    except CertificateError:
        raise
    except (SymnetError, ValueError, TypeError, LookupError, AttributeError, RecursionError, OverflowError) as exc:
        raise CertificateError(f"malformed {fmt.kind} document: {type(exc).__name__}: {exc}") from None


def read(text: str | bytes | bytearray) -> Any:
    """Parse any JSON document symnet writes into its document object; CertificateError on anything malformed.

    The result is a :class:`~symnet.certificate.Certificate` (linear), a
    :class:`~symnet.model.generic.GenericCertificate`, or a
    :class:`~symnet.certificate.documents.CounterexampleDocument`,
    :class:`~symnet.certificate.documents.DegreeDocument`,
    :class:`~symnet.certificate.documents.RegionsDocument` or
    :class:`~symnet.certificate.verification.VerificationDocument`; each has a ``kind``
    and carries every claim and the domain of the document.
    """
    with paused_gc():  # the reader's objects are acyclic and stay reachable: a collection would find nothing
        return read_data(load_json(text, "certificate"))
