"""The gate's cost model: what expanding an expression may cost, estimated over its DAG before any expansion.

For every node the model bounds

* the total **degree** of its expansion,
* the number of **terms** of its expansion (and the work of each product on the way),
* the **bit size** of the numbers the expansion may hold: a coefficient's
  numerator bits plus its denominator's, the denominator split into a power
  of two (floats share it: a sum of floats keeps the largest) and an odd part
  (a sum of fractions may multiply them),

through ``+``, ``*`` and non-negative integer powers.  A coefficient of a
product of sums is a sum of at most ``t`` products (``t`` the smaller term
count), so it gains ``log2 t`` bits; a power ``s**n`` of a sum of ``t``
terms has coefficients below ``(t * max)**n``.  Every figure saturates at
:data:`CAP`.  The model only reads the DAG: it evaluates nothing.
"""

from __future__ import annotations

import functools
import math
from typing import Any, NamedTuple

import sympy

__all__ = [
    "CAP",
    "FUNCTION_BITS",
    "MAX_BITS",
    "Cost",
    "combine",
    "estimate_cost",
    "leaf",
    "number_bits",
    "postorder",
    "show",
]

#: Saturation value of every estimate.
CAP = 10**15
#: Largest estimated bit size (numerator plus denominator) of one number that may be built or expanded.
MAX_BITS = 4_000_000
#: Largest bit size of a number a function (Abs, exp, ...) may be applied to: sympy evaluates a function of a
#: number by asking its assumptions, and is-it-prime of a 600,000-bit integer runs for minutes.
FUNCTION_BITS = 4096


class Cost(NamedTuple):
    """The estimate of one node (see the module docstring)."""

    degree: int
    terms: int
    polynomial: bool
    numerator: int  # bits of a coefficient's numerator
    two: int  # bits of the power of two in a coefficient's denominator
    odd: int  # bits of the odd part of a coefficient's denominator

    @property
    def bits(self) -> int:
        """Bits of one coefficient (numerator plus denominator)."""
        return min(self.numerator + self.two + self.odd, CAP)


def postorder(root: sympy.Basic) -> list[sympy.Basic]:
    """Every node of the expression DAG once, children first (iterative: no recursion limit)."""
    order: list[sympy.Basic] = []
    seen: set[int] = set()
    stack: list[tuple[sympy.Basic, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for a in node.args:
            if id(a) not in seen:
                stack.append((a, False))
    return order


def number_bits(node: sympy.Basic) -> tuple[int, int, int]:
    """(numerator bits, bits of the denominator's power of two, bits of its odd part) of a sympy number."""
    if node.is_Rational:
        q = int(node.q)
        two = (q & -q).bit_length() - 1
        odd = q >> two
        return int(node.p).bit_length() or 1, two, odd.bit_length() if odd > 1 else 0
    if node.is_Float:
        _, man, exp, bc = node._mpf_  # mpmath's exact (sign, mantissa, exponent, bitcount); no rounding involved
        if not man:
            return 1, 0, 0
        return (int(bc) + int(exp), 0, 0) if exp >= 0 else (int(bc), -int(exp), 0)
    return 1, 0, 0


def _add(parts: list[Cost]) -> Cost:
    two = max(p.two for p in parts)
    odd = min(sum(p.odd for p in parts), CAP)
    numerator = min(max(p.numerator for p in parts) + two + odd + len(parts).bit_length(), CAP)
    terms = min(sum(p.terms for p in parts), CAP)
    return Cost(max(p.degree for p in parts), terms, all(p.polynomial for p in parts), numerator, two, odd)


def _mul(parts: list[Cost]) -> Cost:
    terms = 1
    for p in parts:
        terms = min(terms * p.terms, CAP)
    biggest = max(p.terms for p in parts)
    spread = (terms // biggest).bit_length() if terms < CAP else 50
    return Cost(
        min(sum(p.degree for p in parts), CAP),
        terms,
        all(p.polynomial for p in parts),
        min(sum(p.numerator for p in parts) + spread, CAP),
        min(sum(p.two for p in parts), CAP),
        min(sum(p.odd for p in parts), CAP),
    )


def _pow(base: Cost, n: int) -> Cost:
    grow = base.terms.bit_length() if base.terms > 1 else 0
    return Cost(
        min(base.degree * n, CAP),
        min(base.terms**n, CAP) if n * math.log2(base.terms) <= 50 else CAP,  # 2**50 > CAP: never a huge power
        base.polynomial,
        min(n * (base.numerator + grow), CAP) or 1,
        min(n * base.two, CAP),
        min(n * base.odd, CAP),
    )


@functools.lru_cache(maxsize=64)  # a document's shared node is estimated once (equal expressions cost the same)
def estimate_cost(e: sympy.Expr, atoms: frozenset[sympy.Basic] = frozenset()) -> Cost:
    """The :class:`Cost` of an exact expression, over its DAG (``atoms`` count as generators)."""
    info: dict[int, Cost] = {}
    for node in postorder(e):
        info[id(node)] = _node(node, info, atoms)
    return info[id(e)]


def combine(op: str, parts: list[Cost], exponent: int | None = None) -> Cost:
    """The cost of an ``add``, a ``mul``, a ``pow`` to the integer ``exponent``, or any other function of ``parts``."""
    if op == "add":
        return _add(parts)
    if op == "mul":
        return _mul(parts)
    if op == "pow" and exponent is not None:
        return _pow(parts[0], min(exponent, CAP))
    return Cost(*map(max, zip(*parts, strict=True)))._replace(polynomial=False)  # each figure's largest


def leaf(node: sympy.Basic) -> Cost:
    """The cost of a number, a symbol or a constant (``E``, ``pi``)."""
    if node.is_Number:
        return Cost(0, 1, True, *number_bits(node))
    if node.is_Symbol:
        return Cost(1, 1, True, 1, 0, 0)
    return Cost(0, 1, False, 1, 0, 0)


def _node(node: sympy.Basic, info: dict[int, Cost], atoms: frozenset[sympy.Basic]) -> Cost:
    if atoms and node in atoms:
        return Cost(1, 1, True, 1, 0, 0)
    if not node.args:
        return leaf(node)
    parts = [info[id(a)] for a in node.args]
    if node.is_Pow and node.exp.is_Integer and node.exp >= 0:
        return combine("pow", parts, int(node.exp))
    return combine("add" if node.is_Add else "mul" if node.is_Mul else "fn", parts)


#: Numbers of more bits than this are shown by their size in messages (Python refuses to print past 4300 digits).
_SHOWN_BITS = 4000


def show(e: Any, width: int = 80) -> str:
    """At most ``width`` characters of ``e`` for a message; a number too long to print is shown by its size."""
    if isinstance(e, sympy.Basic):
        sizes = {a: max(int(a.p).bit_length(), int(a.q).bit_length()) for a in postorder(e) if a.is_Rational}
        e = e.xreplace({a: sympy.Symbol(f"<a number of {n} bits>") for a, n in sizes.items() if n > _SHOWN_BITS})
    try:
        return str(e)[:width]
    except ValueError:  # Python refuses to print an int of more than 4,300 digits
        return f"<{type(e).__name__} too long to print>"
