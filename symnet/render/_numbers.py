"""How a derivation prints a number: exact when short, else rounded to ``digits`` significant digits.

Every number of a derivation goes through one :class:`NumberFormat`, so a value
prints the same way in every step.  The rule depends only on the value and on
``digits``:

* a value whose decimal expansion ends within ``digits`` significant digits is
  printed exactly, in its shortest form (``3``, ``0.5``, ``-1.25``);
* an integer of up to :data:`MAX_EXACT_INTEGER_DIGITS` digits and a small
  fraction (denominator at most :data:`MAX_SMALL_DENOMINATOR`, numerator at most
  :data:`MAX_SMALL_NUMERATOR` in size) are printed exactly (``1/3``, ``-5/12``);
* any other value is rounded to nearest (ties to even) from its exact rational
  value and printed with all ``digits`` significant digits, trailing zeros
  kept -- so a rounded ``0.100000`` never looks like the exact ``0.1``; very
  small or large magnitudes use a power of ten (``1.23457·10^-7``).

``digits=None`` prints every value exactly (``p/q``).  A sympy ``Float`` is
first replaced by its exact binary value (:func:`exact`), so a float weight
prints as the number the network really holds.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy
from flint import fmpz

from ..conversion import exact_floats, exact_ratio, exact_rational
from ..errors import InvalidArgument, InvalidType
from ._math import Atom

__all__ = ["DEFAULT_DIGITS", "MAX_DIGITS", "NumberFormat", "check_digits", "exact", "round_outward"]

#: Significant digits of a derivation's decimals unless ``digits=`` says otherwise.
DEFAULT_DIGITS = 6
#: Largest ``digits=`` accepted.
MAX_DIGITS = 50
MAX_EXACT_INTEGER_DIGITS = 15
MAX_SMALL_DENOMINATOR = 1000
MAX_SMALL_NUMERATOR = 10_000


def check_digits(digits: object) -> int | None:
    """``digits`` validated: None (exact) or a whole number 1..MAX_DIGITS; InvalidArgument/InvalidType otherwise."""
    if digits is None:
        return None
    if isinstance(digits, bool) or not isinstance(digits, int):
        raise InvalidType(f"digits must be a whole number or None, not {type(digits).__name__}")
    if not 1 <= digits <= MAX_DIGITS:
        raise InvalidArgument(f"digits must be between 1 and {MAX_DIGITS}, not {digits}")
    return digits


def exact(expr: Any) -> Any:
    """``expr`` with every Float at its exact binary value (:func:`symnet.conversion.exact_floats`); non-sympy as is."""
    return exact_floats(expr) if isinstance(expr, sympy.Basic) else expr


def round_outward(r: Any, digits: int, direction: str) -> tuple[int, int]:
    """``(n, e)`` with ``n * 10**e`` the exact rational ``r`` rounded outward (``down`` or ``up``) to ``digits``
    significant digits."""
    q = Fraction(*exact_ratio(r, "a bound"))
    if q == 0:
        return 0, 0
    e = _digits10(abs(q.numerator) // q.denominator) - digits if abs(q) >= 1 else -digits
    while abs(q) < Fraction(10) ** (e + digits - 1):
        e -= 1
    scaled = q / Fraction(10) ** e
    n = scaled.numerator // scaled.denominator if direction == "down" else -((-scaled.numerator) // scaled.denominator)
    return n, e


def _valuation(q: int, f: int) -> tuple[int, int]:
    """``(k, r)`` with ``q = f**k * r`` and ``f`` not dividing ``r`` (by squaring steps: fast for huge powers)."""
    k, powers = 0, [f]
    while q % powers[-1] == 0:
        q //= powers[-1]
        k += 1 << (len(powers) - 1)
        powers.append(powers[-1] * powers[-1])
    for i in range(len(powers) - 2, -1, -1):
        if q % powers[i] == 0:
            q //= powers[i]
            k += 1 << i
    return k, q


def _decimal_shift(q: int) -> int | None:
    """The least k with ``10**k`` a multiple of q (q > 0), or None when p/q has no finite decimal expansion."""
    twos = (q & -q).bit_length() - 1
    fives, rest = _valuation(q >> twos, 5)
    return max(twos, fives) if rest == 1 else None


def _terminating(p: int, q: int) -> bool:
    """True when p/q (in lowest terms) has a finite decimal expansion."""
    return _decimal_shift(q) is not None


def _dec(n: int) -> str:
    """The decimal text of any integer (Python's str() refuses past 4,300 digits; python-flint prints any length)."""
    return str(n) if -(10**18) < n < 10**18 else str(fmpz(n))


def _digits10(n: int) -> int:
    return len(_dec(n))


class NumberFormat:
    """Prints rationals as described in the module docstring; remembers whether it rounded one."""

    def __init__(self, digits: int | None = DEFAULT_DIGITS) -> None:
        self.digits = check_digits(digits)
        self.rounded = False

    # ------------------------------------------------------------- the rule
    def is_exact(self, r: sympy.Rational) -> bool:
        """True when ``r`` is printed exactly (no rounding)."""
        if self.digits is None:
            return True
        p, q = int(r.p), int(r.q)
        if q == 1 and _digits10(abs(p)) <= MAX_EXACT_INTEGER_DIGITS:
            return True
        if q <= MAX_SMALL_DENOMINATOR and abs(p) <= MAX_SMALL_NUMERATOR and not _terminating(p, q):
            return True
        if _terminating(p, q):
            return len(self._decimal_digits(abs(p), q).strip("0")) <= self.digits
        return False

    @staticmethod
    def _decimal_digits(p: int, q: int) -> str:
        """The digits of a terminating p/q with the decimal point removed (for counting)."""
        k = _decimal_shift(q)
        assert k is not None
        return _dec(p * 10**k // q)

    def strings(self, r: sympy.Rational) -> tuple[str, str]:
        """(LaTeX, text) of the rational ``r``."""
        r = exact_rational(r, "a number")
        p, q = int(r.p), int(r.q)
        if q == 1 and self.is_exact(r):
            return _dec(p), _dec(p)
        if self.is_exact(r):
            if self.digits is not None and _terminating(p, q):
                s = _exact_decimal(p, q)
                return s, s
            sign = "-" if p < 0 else ""
            return rf"{sign}\frac{{{_dec(abs(p))}}}{{{_dec(q)}}}", f"{_dec(p)}/{_dec(q)}"
        self.rounded = True
        assert self.digits is not None
        return _rounded(p, q, self.digits)

    def atom(self, r: sympy.Rational) -> Atom:
        tex, txt = self.strings(r)
        return Atom(tex, txt)

    def needs_parentheses(self, r: sympy.Rational) -> bool:
        """True when the printed ``r`` must be parenthesised before a variable in text (``(1/3) x``)."""
        return "/" in self.strings(r)[1]


def _exact_decimal(p: int, q: int) -> str:
    """The exact decimal string of a terminating p/q."""
    sign = "-" if p < 0 else ""
    p = abs(p)
    k = _decimal_shift(q)
    assert k is not None
    n = p * 10**k // q
    s = _dec(n).rjust(k + 1, "0")
    whole, frac = s[: len(s) - k], s[len(s) - k:]
    return sign + whole + ("." + frac if frac else "")


def _rounded(p: int, q: int, digits: int) -> tuple[str, str]:
    """p/q rounded to nearest (ties to even) with ``digits`` significant digits: (LaTeX, text)."""
    sign = "-" if p < 0 else ""
    p = abs(p)
    # e = floor(log10(p/q)), found exactly with integers
    e = _digits10(p) - _digits10(q)
    if p * 10 ** max(0, -e) < q * 10 ** max(0, e):
        e -= 1
    shift = digits - 1 - e  # n = round(p/q * 10^shift) has `digits` digits
    num, den = (p * 10**shift, q) if shift >= 0 else (p, q * 10**-shift)
    n, rem = divmod(num, den)
    if 2 * rem > den or (2 * rem == den and n % 2 == 1):
        n += 1
    if n == 10**digits:  # 9.99… rounded up to 10.0…
        n //= 10
        e += 1
        shift -= 1
    s = _dec(n)
    if -4 <= e < digits:
        if shift <= 0:
            body = s + "0" * (-shift)
        elif shift >= len(s):
            body = "0." + "0" * (shift - len(s)) + s
        else:
            body = s[: len(s) - shift] + "." + s[len(s) - shift:]
        return sign + body, sign + body
    mant = s[0] + ("." + s[1:] if len(s) > 1 else "")
    return rf"{sign}{mant} \cdot 10^{{{e}}}", f"{sign}{mant}·10^{e}"
