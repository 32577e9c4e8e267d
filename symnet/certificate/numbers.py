"""The one rational codec of every symnet document: ``"p/q"`` or ``"p"`` strings, read here
(the writer, ``encode_q``, is in :mod:`symnet.certificate.writing`).

Numerators and denominators have at most :data:`MAX_DIGITS` decimal digits;
the denominator is positive (a sign belongs to the numerator).  Text is never
evaluated: it is matched against a fixed pattern and parsed as integers.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import sympy
from flint import fmpq, fmpz

from ..errors import CertificateError

__all__ = [
    "MAX_DIGITS",
    "MAX_FLOAT_PRECISION",
    "MAX_NODE_DIGITS",
    "decimal",
    "decode_q",
    "decode_qs",
    "decode_rational",
]

#: Most decimal digits of a numerator or a denominator in a document.
MAX_DIGITS = 20_000
#: Most decimal digits of an integer in an expression node (``int``, ``rat``, a float's mantissa).
MAX_NODE_DIGITS = 10_000
#: Most bits of precision of a float node.
MAX_FLOAT_PRECISION = 10_000
#: Python's ``int(text)`` refuses more digits than this (``sys.get_int_max_str_digits()``'s default).
_INT_STR_DIGITS = 4_300
_Q_RE = re.compile(rf"-?[0-9]{{1,{MAX_DIGITS}}}(?:/[0-9]{{1,{MAX_DIGITS}}})?")


def decimal(text: str) -> int:
    """The integer a decimal string (already matched against the document's pattern) writes, of any length:
    python-flint reads past the 4,300 digits Python's ``int(text)`` refuses."""
    return int(text) if len(text) <= _INT_STR_DIGITS else int(fmpz(text))


@functools.lru_cache(maxsize=1024)  # documents repeat their numbers ("0", "1", "1/2"): each text is parsed once
def _parse(text: str) -> fmpq | str:
    """The rational ``text`` writes as ``"p/q"`` or ``"p"``, or why it is not one."""
    if _Q_RE.fullmatch(text) is None:
        return "is not a rational number written 'p/q'"
    num, _, den = text.partition("/")
    d = decimal(den) if den else 1
    return fmpq(decimal(num), d) if d else "has a zero denominator"


def decode_q(text: Any, where: str, bits: int | None = None) -> fmpq:
    """The rational written ``"p/q"`` or ``"p"`` (of at most ``bits`` bits above and below when given);
    CertificateError otherwise."""
    v = _parse(text) if type(text) is str else "is not a rational number written 'p/q'"
    if isinstance(v, str):
        raise CertificateError(f"malformed document: {where}={str(text)[:60]!r} {v}")
    if bits is not None and max(int(v.p).bit_length(), int(v.q).bit_length()) > bits:
        raise CertificateError(f"malformed document: {where} has more than {bits} bits")
    return v


def decode_qs(items: Any, n: int, where: str, bits: int | None = None) -> list[fmpq]:
    """A list of exactly ``n`` rationals (see :func:`decode_q`)."""
    if not isinstance(items, list) or len(items) != n:
        raise CertificateError(f"malformed document: {where} must be a list of {n} rationals")
    try:
        return [decode_q(v, where, bits) for v in items]
    except CertificateError:
        for i, v in enumerate(items):  # again, to name the entry
            decode_q(v, f"{where}[{i}]", bits)
        raise


def decode_rational(text: Any, where: str) -> sympy.Rational:
    """:func:`decode_q` as a sympy Rational."""
    v = decode_q(text, where)
    return sympy.Rational(int(v.p), int(v.q))
