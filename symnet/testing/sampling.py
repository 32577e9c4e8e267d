"""Numeric instantiations drawn in batches, and their shrinking.

Each Hypothesis example is a *batch*: a seed and a style (how many values
are zero, how large they are) from which numpy draws ``B`` instantiations at
once.  Drawing hundreds of numbers one by one through Hypothesis costs
milliseconds per instantiation; a batch costs Hypothesis a few choices, and
numpy's generator fills it in microseconds per instantiation.

Exact kinds come out as integer numerators over per-instantiation common
denominators (what the compiled exact code consumes), floats as a float64
array (what the vectorised float code consumes).

A failing instantiation is then shrunk by :func:`shrink`, on the decoded
values: each value made zero, then as simple as possible (1, -1, its integer
part, half of it), while the check still fails.  Hypothesis's own shrinker
works on its choice sequence, which here is a seed: shrinking values is
what makes the counterexample minimal.
"""

from __future__ import annotations

import contextlib
import importlib
import random
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, currently_in_test_context, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from ..errors import InvalidArgument, InvalidType

try:  # private API: if a future Hypothesis moves it, cross-checks still run (outside @given)
    local_settings: Any = importlib.import_module("hypothesis._settings").local_settings
except (ImportError, AttributeError):  # pragma: no cover - depends on the installed Hypothesis
    local_settings = None

__all__ = [
    "allow_nesting",
    "check_int",
    "BATCH_SIZE",
    "KINDS",
    "SHRINK_BUDGET",
    "Batch",
    "MAX_BATCH_VALUES",
    "batch_size",
    "batch_strategy",
    "search",
    "draw_batch",
    "shrink",
]

#: The kinds of numbers drawn: machine integers, exact rationals, floats.
KINDS = ("int", "rational", "float")

#: Instantiations per Hypothesis example.
BATCH_SIZE = 32

#: Styles a batch can have; index 0 mixes them per instantiation.
_ZERO_RATES = (None, 0.0, 0.1, 0.5, 0.9)
_MAGNITUDES = (None, 1, 4, 16, 128)  # largest |numerator| (ints, rationals) or 2**k scale (floats)
_DENOMINATORS = 16  # rationals: n/d with d in 1..16
_FLOAT_EXPONENTS = 24  # floats: m * 2**-e with e in 0..23 and |m| <= 2**(e+4)


class Batch(NamedTuple):
    """A batch of instantiations of ``count`` values each.

    ``num`` and ``den`` are int64 arrays of shape (B, count): value ``[s][i]`` is
    ``num/den`` (``den`` is all ones for ints).  ``common`` is each row's
    least common denominator.  For floats, ``floats`` holds the values
    (shape (B, count)) and ``num``/``den`` are ``None``.
    """

    kind: str
    num: Any
    den: Any
    common: Any
    floats: Any

    @property
    def size(self) -> int:
        """The number of instantiations."""
        return int((self.floats if self.kind == "float" else self.num).shape[0])

    def values(self, s: int) -> list[Any]:
        """Instantiation ``s`` as Python numbers: ints, Fractions (rationals) or floats."""
        if self.kind == "float":
            return [float(v) for v in self.floats[s].tolist()]
        if self.kind == "int":
            return [int(v) for v in self.num[s].tolist()]
        pairs = zip(self.num[s].tolist(), self.den[s].tolist(), strict=True)
        return [n if d == 1 else Fraction(n, d) for n, d in pairs]

    def scaled(self, s: int) -> tuple[list[int], int]:
        """Exact kinds: instantiation ``s`` as integer numerators over its common denominator."""
        common = int(self.common[s])
        if common == 1:
            return self.num[s].tolist(), 1
        return (self.num[s] * (common // self.den[s])).tolist(), common


#: Largest number of values one batch holds (bounds the memory of very large networks).
MAX_BATCH_VALUES = 2**18


def batch_size(count: int) -> int:
    """Instantiations per batch for ``count`` values each: :data:`BATCH_SIZE`, fewer for huge networks."""
    return max(1, min(BATCH_SIZE, MAX_BATCH_VALUES // max(count, 1)))


def search(predicate: Callable[[Any], bool], done: Callable[[], bool], batches: int, rng: random.Random) -> None:
    """Run Hypothesis over :func:`batch_strategy` until ``predicate`` holds or ``done()``.

    ``find`` is asked for ``batches`` examples; if it stops short (it skips
    examples it has already seen), it is asked again, at most twice.
    ``predicate`` records what it found; Hypothesis's own shrinking is off.
    """
    config = settings(
        max_examples=max(batches, 1),
        database=None,
        deadline=None,
        derandomize=False,
        phases=(Phase.generate,),
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        report_multiple_bugs=False,
    )
    for _ in range(3):
        try:
            find(batch_strategy(), predicate, settings=config, random=rng)
            return
        except NoSuchExample:
            if done():
                return


def batch_strategy() -> st.SearchStrategy[tuple[int, int, int]]:
    """(seed, zero-rate style, magnitude style) for :func:`draw_batch`; styles 0 mix per instantiation."""
    return st.tuples(
        st.integers(0, 2**64 - 1),
        st.integers(0, len(_ZERO_RATES) - 1),
        st.integers(0, len(_MAGNITUDES) - 1),
    )


def _styles(rng: np.random.Generator, table: tuple[Any, ...], pick: int, size: int) -> Any:
    if pick:
        return np.full(size, table[pick])
    return np.asarray(table[1:])[rng.integers(0, len(table) - 1, size)]


def draw_batch(kind: str, drawn: tuple[int, int, int], size: int, count: int) -> Batch:
    """``size`` instantiations of ``count`` values of ``kind`` from a drawn (seed, style, style).

    ints lie in [-128, 128]; rationals are n/d with |n| <= 128 and d in 1..16;
    floats are m * 2**-e with e in 0..23 and |m| <= 2**(e+4), so |value| <= 16
    and every value is exactly representable (with e = 0 they are the
    integers -16..16; with larger e they carry up to 28 significant bits, so
    products round).  In every kind a style sets some values to zero and
    caps the magnitudes, so small and sparse instantiations are common.
    """
    seed, zero_pick, size_pick = drawn
    rng = np.random.Generator(np.random.PCG64(seed))
    shape = (size, count)
    zero_rate = _styles(rng, _ZERO_RATES, zero_pick, size)[:, None]
    cap = _styles(rng, _MAGNITUDES, size_pick, size)[:, None]
    keep = rng.random(shape) >= zero_rate
    if kind == "float":
        exponent = rng.integers(0, _FLOAT_EXPONENTS, shape)
        scale = np.minimum(cap, 16)  # |value| <= min(cap, 16)
        limit = np.ldexp(scale.astype(float), exponent).astype(np.int64)
        mantissa = rng.integers(-limit, limit, endpoint=True)
        values = np.ldexp(mantissa.astype(float), -exponent) * keep
        return Batch(kind, None, None, None, values + 0.0)  # + 0.0 turns -0.0 into 0.0
    num = rng.integers(-cap, cap, size=shape, endpoint=True) * keep
    if kind == "int":
        ones = np.ones(shape, dtype=np.int64)
        return Batch(kind, num, ones, np.ones(size, dtype=np.int64), None)
    den = rng.integers(1, _DENOMINATORS, size=shape, endpoint=True)
    den = np.where(num == 0, 1, den)
    g = np.gcd(num, den)
    num, den = num // g, den // g
    common = np.lcm.reduce(den, axis=1) if count else np.ones(size, dtype=np.int64)
    return Batch(kind, num, den, common, None)


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


def shrink(
    values: list[Any],
    fails: Callable[[list[Any]], bool],
    budget: int = SHRINK_BUDGET,
    repair: Callable[[list[Any]], list[Any] | None] | None = None,
) -> list[Any]:
    """A simpler list of values on which ``fails`` still holds.

    First whole blocks of values are set to zero (halves, quarters, ...,
    single values), then each remaining non-zero value is replaced by the
    first of 1, -1, its integer part or half of it that still fails,
    repeated until nothing changes or ``budget`` calls are spent.
    ``repair`` (when given) turns each candidate into the one tried (None:
    the candidate as it is): an aimed draw re-aims its unit, so the kink it
    found stays found while the other values shrink.
    Deterministic; ``fails(values)`` must be True on entry.
    """
    best = list(values)
    calls = 0

    def attempt(candidate: list[Any]) -> bool:
        nonlocal best, calls
        if calls >= budget:
            return False
        if repair is not None:
            candidate = repair(candidate) or candidate
            if candidate == best:
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


def check_int(value: Any, name: str, low: int, high: int | None = None) -> int:
    """``value`` if it is an int (not a bool) in ``[low, high]``; a typed error naming ``name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidType(f"{name}={value!r} must be an integer")
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise InvalidArgument(f"{name}={value!r} must be {bound}")
    return value


@contextlib.contextmanager
def allow_nesting() -> Iterator[None]:
    """Let a cross-check run inside a user's ``@given`` test.

    Hypothesis fails a health check when a search starts inside another
    test, judged by the settings in force; a cross-check is a bounded inner
    search by design, so that one check is suppressed for its duration.
    """
    nested = getattr(HealthCheck, "nested_given", None)
    outer = settings.default
    if not currently_in_test_context() or local_settings is None or nested is None or outer is None:
        yield
        return
    checks = [*outer.suppress_health_check, nested]
    with local_settings(settings(outer, suppress_health_check=checks)):
        yield
