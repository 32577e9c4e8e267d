"""Numeric instantiations drawn by Hypothesis as one byte string each, and their shrinking.

Drawing hundreds of numbers one by one through Hypothesis costs milliseconds
per example; drawing one ``binary`` blob and decoding it costs microseconds,
and Hypothesis still shrinks the blob byte by byte.  Each decoder maps the
zero byte to the simplest value (``0``, denominator ``1``, exponent ``0``), so
shrinking the blob shrinks every weight and input towards zero and every
fraction towards an integer.

A failing instantiation is then shrunk by :func:`shrink`, on the decoded
values: Hypothesis's own shrinker works byte by byte and its cost grows
quickly with the blob (a minute for a few thousand bytes), while the
instantiations here can hold thousands of numbers.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

__all__ = [
    "BYTES_PER_VALUE",
    "KINDS",
    "MAX_DIRECT_BYTES",
    "SHRINK_BUDGET",
    "blob_strategy",
    "decode",
    "expand_blob",
    "shrink",
]

#: The kinds of numbers drawn: machine integers, exact rationals, floats.
KINDS = ("int", "rational", "float")

#: Bytes of the blob consumed by one value of each kind.
BYTES_PER_VALUE = {"int": 1, "rational": 2, "float": 4}

#: Past this many bytes the rest of a blob comes from a PRNG seeded by Hypothesis
#: (Hypothesis refuses examples much larger than 8 KiB).
MAX_DIRECT_BYTES = 4096


def _zigzag(n: int) -> int:
    """0, 1, 2, 3, 4, ... -> 0, 1, -1, 2, -2, ...: small codes are small numbers."""
    return (n + 1) // 2 if n % 2 else -(n // 2)


def _ints(blob: bytes, count: int) -> list[Any]:
    """Integers in [-127, 128], one byte each."""
    return [_zigzag(b) for b in blob[:count]]


def _rationals(blob: bytes, count: int) -> list[Any]:
    """Fractions n/d with n in [-127, 128] and d in 1..16, two bytes each."""
    out: list[Any] = []
    for i in range(count):
        num = _zigzag(blob[2 * i])
        den = 1 + blob[2 * i + 1] % 16
        out.append(Fraction(num, den) if den != 1 else num)
    return out


def _floats(blob: bytes, count: int) -> list[Any]:
    """Floats m * 2**-e with e in 0..23 and |m| <= 2**(e+4), so |value| <= 16; four bytes each.

    Every value is exactly representable; with e = 0 they are the integers -16..16,
    with larger e they carry up to 28 significant bits, so products round.
    """
    out: list[Any] = []
    for i in range(count):
        chunk = blob[4 * i : 4 * i + 4]
        e = chunk[3] % 24
        mantissa = _zigzag(int.from_bytes(chunk[:3], "big") % (2 ** (e + 5) + 1))
        out.append(mantissa * 2.0**-e)
    return out


_DECODERS: dict[str, Callable[[bytes, int], list[Any]]] = {"int": _ints, "rational": _rationals, "float": _floats}


def decode(kind: str, blob: bytes, count: int) -> list[Any]:
    """``count`` numbers of ``kind`` from a blob of at least ``count * BYTES_PER_VALUE[kind]`` bytes."""
    return _DECODERS[kind](blob, count)


def blob_strategy(nbytes: int) -> st.SearchStrategy[tuple[bytes, int]]:
    """A strategy for (direct bytes, PRNG seed) that :func:`expand_blob` turns into ``nbytes`` bytes."""
    direct = min(nbytes, MAX_DIRECT_BYTES)
    seed = st.just(0) if nbytes <= MAX_DIRECT_BYTES else st.integers(0, 2**64 - 1)
    return st.tuples(st.binary(min_size=direct, max_size=direct), seed)


def expand_blob(drawn: tuple[bytes, int], nbytes: int) -> bytes:
    """The full blob: the drawn bytes, then PRNG bytes when more are needed."""
    blob, seed = drawn
    if len(blob) >= nbytes:
        return blob
    return blob + random.Random(seed).randbytes(nbytes - len(blob))


#: Largest number of candidate instantiations :func:`shrink` tries.
SHRINK_BUDGET = 2000


def _simpler(value: Any) -> list[Any]:
    """Candidates simpler than a non-zero ``value``, simplest first; same type as ``value``."""
    make = type(value)
    whole = int(value)  # truncates towards zero; exact for ints, Fractions and floats
    out = [make(c) for c in (1, -1) if c != value]
    if whole != value and whole != 0:
        out.append(make(whole))
    elif abs(whole) > 2:
        out.append(make(whole // 2 if whole > 0 else -(-whole // 2)))
    return [c for c in out if _simplicity(c) < _simplicity(value)]


def _simplicity(value: Any) -> tuple[bool, Any, bool]:
    """Integers before fractions, then smaller magnitude, then positive before negative."""
    return (int(value) != value, abs(value), value < 0)


def shrink(values: list[Any], fails: Callable[[list[Any]], bool], budget: int = SHRINK_BUDGET) -> list[Any]:
    """A simpler list of values on which ``fails`` still holds.

    First whole blocks of values are set to zero (halves, quarters, ...,
    single values), then each remaining non-zero value is replaced by the
    first of 1, -1, its integer part or half of it that still fails,
    repeated until nothing changes or ``budget`` calls are spent.
    Deterministic; ``fails(values)`` must be True on entry.
    """
    best = list(values)
    calls = 0

    def attempt(candidate: list[Any]) -> bool:
        nonlocal best, calls
        if calls >= budget:
            return False
        calls += 1
        if fails(candidate):
            best = candidate
            return True
        return False

    size = len(best)
    block = size
    while block >= 1 and calls < budget:
        for start in range(0, size, block):
            if any(v != 0 for v in best[start : start + block]):
                attempt(best[:start] + [type(v)(0) for v in best[start : start + block]] + best[start + block :])
        block //= 2
    changed = True
    while changed and calls < budget:
        changed = False
        for i in range(size):
            if best[i] == 0:
                continue
            for candidate in _simpler(best[i]):
                if attempt(best[:i] + [candidate] + best[i + 1 :]):
                    changed = True
                    break
    return best
