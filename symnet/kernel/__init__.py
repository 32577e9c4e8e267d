"""The trusted base: every checker of every document symnet writes, and one entry, :func:`check`.

Each checker re-derives what a document states from the network's own layers
and accepts it only if everything agrees; every one reads its network through
the well-formedness gate (:mod:`symnet.kernel.gate`) first.  This package
imports the plain data modules (:mod:`symnet.model`, :mod:`symnet.certificate`,
:mod:`symnet.errors`) and sympy / python-flint only -- never the
search code (:mod:`symnet.search`), the renderers or the command line;
import-linter enforces that in CI.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..certificate.formats import read
from ..errors import CertificateError
from ..model.symbols import paused_gc
from . import counterexample, degree, generic, linear, regions_cert, verification
from .linear import KERNEL_LIMIT

__all__ = ["CHECKERS", "KERNEL_LIMIT", "check"]

#: A document's ``kind`` -> its kernel checker.  With :data:`symnet.certificate.FORMATS`
#: (``format`` -> kind and reader) this is the one table ``format -> reader -> checker``.
CHECKERS: dict[str, Callable[[Any], bool]] = {
    "linear": linear.check,
    "generic": generic.check,
    "counterexample": counterexample.check_document,
    "degree": degree.check_document,
    "regions": regions_cert.check_regions,
    "verification": verification.check_document,
}


def check(document: Any, *, limit: int | None = None) -> bool:
    """Re-check any document symnet writes: True, or CertificateError naming the step and the rule.

    ``document`` is what :func:`symnet.certificate.read` returns, or JSON
    text (str or bytes), which is read first.  ``limit`` (linear certificates
    only) lowers the kernel's expansion limit.
    """
    if isinstance(document, (str, bytes, bytearray)):
        document = read(document)
    kind = getattr(type(document), "kind", None)
    checker = CHECKERS.get(kind) if isinstance(kind, str) else None
    if checker is None:
        raise CertificateError(
            f"expected a symnet document (see symnet.certificate.read), got {type(document).__name__}"
        )
    if limit is not None and kind != "linear":
        raise CertificateError(f"limit applies to linear certificates only, not to a {kind} document")
    with paused_gc():  # the documents' objects are long-lived and acyclic: a collection would find nothing
        return linear.check(document, limit=limit) if limit is not None else checker(document)
