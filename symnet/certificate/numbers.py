"""The one rational codec of every symnet document: ``"p/q"`` or ``"p"`` strings.

Numerators and denominators have at most :data:`MAX_DIGITS` decimal digits;
the denominator is positive (a sign belongs to the numerator).  Text is never
evaluated: it is matched against a fixed pattern and parsed as integers.
"""

from __future__ import annotations

import re
from typing import Any

import sympy
from flint import fmpq

from ..errors import CertificateError

__all__ = ["MAX_DIGITS", "decode_q", "decode_rational", "encode_q"]

#: Most decimal digits of a numerator or a denominator in a document.
MAX_DIGITS = 20_000
_Q_RE = re.compile(rf"-?[0-9]{{1,{MAX_DIGITS}}}(?:/[0-9]{{1,{MAX_DIGITS}}})?")


def encode_q(value: Any) -> str:
    """``"p/q"`` (or ``"p"``) for an exact rational (fmpq, int, Fraction, sympy Rational)."""
    if isinstance(value, sympy.Basic):
        r = sympy.Rational(value)
        value = fmpq(int(r.p), int(r.q))
    elif not isinstance(value, (int, fmpq)):
        value = fmpq(int(value.numerator), int(value.denominator))
    return str(fmpq(value))


def decode_q(text: Any, where: str) -> fmpq:
    """The rational written ``"p/q"`` or ``"p"``; CertificateError otherwise."""
    if not isinstance(text, str) or _Q_RE.fullmatch(text) is None:
        raise CertificateError(f"malformed document: {where}={str(text)[:60]!r} is not a rational number written 'p/q'")
    num, _, den = text.partition("/")
    d = int(den) if den else 1
    if d == 0:
        raise CertificateError(f"malformed document: {where}={text[:60]!r} has a zero denominator")
    return fmpq(int(num), d)


def decode_rational(text: Any, where: str) -> sympy.Rational:
    """:func:`decode_q` as a sympy Rational."""
    v = decode_q(text, where)
    return sympy.Rational(int(v.p), int(v.q))
