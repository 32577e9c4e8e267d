"""Old module path of the linear certificate codec and the node table (kept as an alias for one release).

:func:`loads` reads a linear certificate only; :func:`symnet.certificate.read` reads every document.
"""

from __future__ import annotations

from ..errors import CertificateError, SymnetError
from .expressions import ExpressionReader, _fail, _name, check_version, load_json, read_network
from .formats import OLD_NAMES
from .linear import FORMAT, ROUTES, RULES, VERSION, Certificate, Claim, Step, from_data
from .writing import ExpressionWriter, dumps, network_fingerprint, to_data, write_network

__all__ = [
    "FORMAT",
    "ROUTES",
    "RULES",
    "VERSION",
    "Certificate",
    "Claim",
    "ExpressionReader",
    "ExpressionWriter",
    "Step",
    "_name",
    "check_version",
    "dumps",
    "from_data",
    "load_json",
    "loads",
    "network_fingerprint",
    "read_network",
    "to_data",
    "write_network",
]


def loads(text: str | bytes) -> Certificate:
    """Parse JSON text into a Certificate; CertificateError if malformed."""
    data = load_json(text, "certificate")
    name = data.get("format") if isinstance(data, dict) else None
    if not isinstance(name, str) or OLD_NAMES.get(name, name) != FORMAT:
        raise _fail(f"format is {str(name)[:40]!r}, expected {FORMAT!r}")
    try:
        return from_data(data)
    except CertificateError:
        raise
    except (SymnetError, ValueError, TypeError, RecursionError, OverflowError) as exc:
        raise _fail(f"{type(exc).__name__}: {exc}") from None
