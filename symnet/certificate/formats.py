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
from ..model.generic import GenericCertificate
from . import documents, linear, verification
from .expressions import load_json
from .linear import Certificate

__all__ = ["FORMATS", "OLD_NAMES", "Document", "Format", "format_name", "read", "read_data"]

#: Any document :func:`read` returns.
Document = (
    Certificate
    | GenericCertificate
    | documents.CounterexampleDocument
    | documents.DegreeDocument
    | documents.RegionsDocument
    | verification.VerificationDocument
)


@dataclass(frozen=True)
class Format:
    """One row of the table: the ``kind`` the kernel dispatches on, and the reader of the parsed JSON object."""

    kind: str
    reader: Callable[[Any], Any]
    what: str


#: ``format`` name -> (kind, reader).  A new document kind is one row here and one in ``symnet.kernel.CHECKERS``.
FORMATS: dict[str, Format] = {
    "symnet.linear": Format("linear", linear.from_data, "linear certificate"),
    "symnet.generic": Format("generic", documents.read_generic, "generic certificate"),
    "symnet.counterexample": Format("counterexample", documents.read_counterexample, "counterexample"),
    "symnet.degree": Format("degree", documents.read_degree, "degree certificate"),
    "symnet.regions": Format("regions", documents.read_regions, "regions certificate"),
    "symnet.verification": Format("verification", verification.read_verification, "verification certificate"),
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
        raise CertificateError(f"malformed {fmt.what}: {type(exc).__name__}: {exc}") from None


def read(text: str | bytes) -> Any:
    """Parse any JSON document symnet writes into its document object; CertificateError on anything malformed.

    The result is a :class:`~symnet.certificate.Certificate` (linear), a
    :class:`~symnet.model.generic.GenericCertificate`, or a
    :class:`~symnet.certificate.documents.CounterexampleDocument`,
    :class:`~symnet.certificate.documents.DegreeDocument` or
    :class:`~symnet.certificate.documents.RegionsDocument`; each has a ``kind``
    and carries every claim and the domain of the document.
    """
    return read_data(load_json(text, "certificate"))
