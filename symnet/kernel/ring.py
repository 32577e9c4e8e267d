"""The gate's exact layer: validated numbers and symbols, the cost model's limits, and polynomials over QQ.

:func:`exact` reads a sympy expression with every Float replaced by its exact
binary value (refusing NaN, infinities, non-commutative symbols and foreign
heads); :func:`guard` refuses an expression whose expansion the cost model
(:mod:`symnet.cost`) estimates above :data:`MAX_DEGREE`, :data:`MAX_TERMS`,
:data:`MAX_BITS` or :data:`MAX_SIZE`; :class:`Exact` reads it into python-flint's
``fmpq_mpoly`` in declared generators.  :mod:`symnet.kernel.gate` builds the
activation and network rules on top of these (see its docstring).
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter
from typing import Any

import flint
import sympy

from ..cost import FUNCTION_BITS, MAX_BITS, estimate_cost, number_bits, postorder, show
from ..errors import IllFormed
from ..numbers import exact_rational

__all__ = [
    "FUNCTIONS",
    "MAX_ACTIVATION_DEGREE",
    "MAX_BITS",
    "MAX_DEGREE",
    "MAX_SIZE",
    "MAX_TERMS",
    "Exact",
    "IllFormed",
    "balanced_sum",
    "estimate",
    "exact",
    "guard",
    "is_radical",
    "radicals",
]

#: Largest estimated total degree of any one expression the kernel expands.
MAX_DEGREE = 4096
#: Largest estimated number of terms of any one expression (or of one product's work).
MAX_TERMS = 2_000_000
#: Largest estimated size of an expansion in bits (terms times the bits of a number).
MAX_SIZE = 2**31
#: Largest degree of a polynomial activation in its variable.
MAX_ACTIVATION_DEGREE = 64
#: Functions a non-polynomial activation may use (besides +, *, integer powers).
FUNCTIONS: tuple[type, ...] = (
    sympy.Max,
    sympy.Min,
    sympy.Abs,
    sympy.exp,
    sympy.log,
    sympy.tanh,
    sympy.sinh,
    sympy.cosh,
    sympy.sin,
    sympy.cos,
)
_COMMUTATIVE = attrgetter("is_commutative")


def _float_value(f: sympy.Float, where: str) -> sympy.Rational:
    """The Float's exact binary value (:func:`symnet.numbers.exact_rational`); IllFormed for nan and infinities."""
    if f.is_finite is not True:
        raise IllFormed(f"{where}: {f} is not a finite number")
    return exact_rational(f, where)


def _refuse_atom(e: sympy.Basic, where: str) -> None:
    if e in (sympy.S.NaN, sympy.S.ComplexInfinity, sympy.S.Infinity, sympy.S.NegativeInfinity):
        raise IllFormed(f"{where}: {e} is not a finite number")
    if e is sympy.S.ImaginaryUnit:
        raise IllFormed(f"{where}: {e} is not a real number")


def _plain_symbols(e: sympy.Basic) -> set[sympy.Symbol] | None:
    """The symbols of a sum of monomials (rationals times commutative symbols), or None for anything else."""
    out: set[sympy.Symbol] = set()
    for term in e.args if e.is_Add else (e,):
        for a in term.args if term.is_Mul else (term,):
            if a.is_Symbol:
                if not a.is_commutative:
                    return None
                out.add(a)
            elif not a.is_Rational:
                return None
    return out


def exact(e: Any, where: str = "expression") -> sympy.Expr:
    """``e`` validated, with every Float replaced by its exact binary value.

    Refuses non-expressions, NaN and infinities, non-commutative symbols and
    any head other than +, *, powers, E, pi and :data:`FUNCTIONS`.
    """
    if not isinstance(e, sympy.Expr) or isinstance(e, sympy.MatrixBase):
        raise IllFormed(f"{where}: {e!r} is not a scalar expression")
    if e.is_Symbol:
        if not e.is_commutative:
            raise IllFormed(f"{where}: the symbol {e} is not commutative")
        return e
    if e.is_Rational:
        return e
    if e.is_Float:
        return _float_value(e, where)
    if _plain_symbols(e) is not None:
        return e
    out: dict[int, sympy.Basic] = {}
    for node in postorder(e):
        if node.is_Symbol:
            if not node.is_commutative:
                raise IllFormed(f"{where}: the symbol {node} is not commutative")
            out[id(node)] = node
        elif node.is_Rational:
            out[id(node)] = node
        elif node.is_Float:
            out[id(node)] = _float_value(node, where)
        elif node is sympy.E or node is sympy.pi:
            out[id(node)] = node
        elif node.is_Add or node.is_Mul or node.is_Pow or isinstance(node, FUNCTIONS):
            args = [out[id(a)] for a in node.args]
            if isinstance(node, FUNCTIONS) and any(a.is_Number and sum(number_bits(a)) > FUNCTION_BITS for a in args):
                raise IllFormed(f"{where}: {type(node).__name__} of a number of more than {FUNCTION_BITS} bits")
            changed = any(a is not b for a, b in zip(args, node.args, strict=True))
            out[id(node)] = node.func(*args) if changed else node
        else:
            _refuse_atom(node, where)
            raise IllFormed(f"{where}: {type(node).__name__} ({show(node, 60)}) is not allowed in a symnet document")
        _refuse_atom(out[id(node)], where)
        if not out[id(node)].is_commutative:
            raise IllFormed(f"{where}: {show(node, 60)} is not commutative")
    return out[id(e)]


def is_radical(e: sympy.Basic) -> bool:
    """True for a real radical constant ``r**(m/n)`` (r > 0 rational, m/n not an integer), e.g. ``sqrt(21)``."""
    return bool(e.is_Pow and e.base.is_Rational and e.base.is_positive and e.exp.is_Rational and not e.exp.is_Integer)


def radicals(e: sympy.Basic) -> list[sympy.Basic]:
    """The radical constants of ``e`` (see :func:`is_radical`), in order of first appearance."""
    return list(dict.fromkeys(n for n in postorder(e) if is_radical(n)))


def estimate(e: sympy.Expr, atoms: frozenset[sympy.Basic] = frozenset()) -> tuple[int, int, bool]:
    """(degree, terms, polynomial) estimated over the DAG of an exact expression, before any expansion.

    ``degree`` bounds the total degree, ``terms`` the number of terms of the
    expansion (and the work of each product along the way); both saturate at
    10**15.  ``polynomial`` is False when a node is not a polynomial operation
    (a function, a negative or fractional power) and not one of ``atoms``
    (radical constants that the caller reads as generators of their own).
    The bit size of the numbers is in :func:`symnet.cost.estimate_cost`.
    """
    c = estimate_cost(e, atoms)
    return c.degree, c.terms, c.polynomial


def guard(
    e: sympy.Expr,
    where: str,
    *,
    max_degree: int = MAX_DEGREE,
    max_terms: int = MAX_TERMS,
    atoms: frozenset[sympy.Basic] = frozenset(),
) -> tuple[int, int, bool]:
    """The estimate of ``e``; IllFormed (with the estimate) above the limits of degree, terms and bit size."""
    c = estimate_cost(e, atoms)
    d, t, bits = c.degree, c.terms, c.bits
    if d > max_degree or t > max_terms or bits > MAX_BITS or t * bits > MAX_SIZE:
        raise IllFormed(
            f"{where}: expanding it needs an estimated degree {d}, {t} terms and numbers of {bits} bits, above the "
            f"kernel's limits (degree {max_degree}, {max_terms} terms, {MAX_BITS} bits a number, "
            f"{MAX_SIZE} bits in all)"
        )
    return d, t, c.polynomial


# ---------------------------------------------------------- exact polynomials
def balanced_sum(parts: list[Any], zero: Any) -> Any:
    """The sum of polynomials, added in pairs (a left-to-right sum copies the growing total each time: quadratic)."""
    while len(parts) > 1:
        pairs = [parts[i] + parts[i + 1] for i in range(0, len(parts) - 1, 2)]
        parts = pairs + parts[-1:] if len(parts) % 2 else pairs
    return parts[0] if parts else zero


class Exact:
    """Polynomials over QQ (python-flint ``fmpq_mpoly``) in a fixed list of declared generators.

    :meth:`poly` reads an (already :func:`exact`) sympy expression; a symbol
    that is not a generator, or a non-polynomial node, is refused.  A
    generator may also be a radical constant (``sqrt(21)``, from an exactly
    folded batch norm): it is read as a variable of its own, so an identity
    the ring proves holds for every value of it, its real value included
    (sound; an identity that needs ``sqrt(3)**2 = 3`` is not found, which only
    rejects).
    """

    def __init__(self, gens: Sequence[sympy.Basic]) -> None:
        self.gens = list(gens)
        self.index = {g: i for i, g in enumerate(self.gens)}
        self.atoms = frozenset(g for g in self.gens if not g.is_Symbol)
        self.ctx = flint.fmpq_mpoly_ctx.get(("g", max(len(self.gens), 1)), "lex")
        self.gen_polys = list(self.ctx.gens())[: len(self.gens)]
        self.zero = self.ctx.constant(0)
        self.one = self.ctx.constant(1)
        self.memo: dict[int, tuple[sympy.Basic, Any]] = {}

    def constant(self, r: sympy.Rational) -> Any:
        return self.ctx.constant(flint.fmpq(int(r.p), int(r.q)))

    def _generator(self, s: sympy.Basic, where: str) -> Any:
        """The generator of the symbol ``s``; IllFormed if it is not declared."""
        i = self.index.get(s)
        if i is None:
            raise IllFormed(f"{where}: the symbol {s} is not declared here (an input or a parameter of the network)")
        return self.gen_polys[i]

    def poly(self, e: sympy.Expr, where: str) -> Any:
        """``e`` as an fmpq_mpoly; IllFormed if it is not a polynomial in the generators or too big."""
        if e.is_Symbol:
            return self._generator(e, where)
        if e.is_Rational:
            return self.constant(e)
        hit = self.memo.get(id(e))
        if hit is not None:
            return hit[1]
        fast = self._monomial_sum(e, where)
        if fast is not None:
            self.memo[id(e)] = (e, fast)
            return fast
        _, _, polynomial = guard(e, where, atoms=self.atoms)
        if not polynomial:
            raise IllFormed(f"{where}: {show(e, 80)} is not a polynomial with rational coefficients")
        values: dict[int, Any] = {}
        for node in postorder(e):
            key = id(node)
            if key in self.memo:
                values[key] = self.memo[key][1]
                continue
            if node.is_Symbol:
                v = self._generator(node, where)
            elif node.is_Rational:
                v = self.constant(node)
            elif node.is_Float:
                v = self.constant(_float_value(node, where))
            elif node.is_Add:
                v = balanced_sum([values[id(a)] for a in node.args], self.zero)
            elif node.is_Mul:
                v = self.one
                for a in node.args:
                    v = v * values[id(a)]
            elif node in self.atoms:
                v = self.gen_polys[self.index[node]]
            elif node.is_Pow and node.exp.is_Integer and node.exp >= 0:
                v = values[id(node.base)] ** int(node.exp)
            else:
                raise IllFormed(f"{where}: {show(node, 80)} is not a polynomial with rational coefficients")
            values[key] = v
            self.memo[key] = (node, v)  # keep node alive so its id stays unique
        return values[id(e)]

    def _monomial(self, e: sympy.Basic, where: str) -> Any:
        if e.is_Symbol:
            return self._generator(e, where)
        if e.is_Rational:
            return self.constant(e)
        if e.is_Mul and len(e.args) <= 64:
            v = None
            for a in e.args:
                if a.is_Symbol:
                    f = self._generator(a, where)
                elif a.is_Rational:
                    f = self.constant(a)
                else:
                    return None
                v = f if v is None else v * f
            return v
        return None

    def _monomial_sum(self, e: sympy.Basic, where: str) -> Any:
        """Fast path: a monomial, or a sum of monomials (rationals times distinct symbols), summed pairwise."""
        if not e.is_Add:
            return self._monomial(e, where)
        if len(e.args) > MAX_TERMS:
            return None
        parts = []
        for a in e.args:
            m = self._monomial(a, where)
            if m is None:
                return None
            parts.append(m)
        return balanced_sum(parts, self.zero)

    def show(self, poly: Any) -> sympy.Expr:
        """An fmpq_mpoly as a sympy expression in the generators (for messages)."""
        terms = []
        for monom, c in poly.terms():
            factor = sympy.Rational(int(c.p), int(c.q))
            for g, k in zip(self.gens, monom[: len(self.gens)], strict=True):
                if k:
                    factor *= g**k
            terms.append(factor)
        return sympy.Add(*terms)

    def x_degree(self, poly: Any, p: int) -> int:
        """Total degree of ``poly`` in the first ``p`` generators."""
        return max((sum(m[:p]) for m in poly.monoms()), default=0)

    def x_affine(self, poly: Any, p: int) -> bool:
        """True when ``poly`` has degree at most 1 in the first ``p`` generators.

        Exactly when every first derivative in an x_j is free of x (python-flint's
        derivative and degrees, no iteration over the terms).
        """
        degrees = poly.degrees()
        if all(d <= 0 for d in degrees[:p]):
            return True
        for j in range(p):
            if degrees[j] > 1:
                return False
            if degrees[j] == 1 and any(d > 0 for d in poly.derivative(j).degrees()[:p]):
                return False
        return True
