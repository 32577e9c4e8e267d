"""The gate's exact layer: validated expressions, the cost model's limits, and polynomials over QQ.

:func:`exact` reads a sympy expression with every Float replaced by its exact
binary value (refusing NaN, infinities, non-commutative symbols and foreign
heads); :func:`guard` refuses an expression whose expansion the cost model
(:mod:`symnet.cost`) estimates above :data:`MAX_DEGREE`, :data:`MAX_TERMS`,
:data:`MAX_BITS` or :data:`MAX_SIZE`; :class:`Exact` reads it into python-flint's
``fmpq_mpoly`` in declared generators, the ring the checkers compute in.
:mod:`symnet.kernel.gate` applies these to a document's activations, layers
and claims.  Nothing here calls ``sympy.Poly``, ``expand``, ``simplify`` or
``sympify``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from functools import reduce
from typing import Any

import flint
import sympy
from flint import arb

from ..cost import FUNCTION_BITS, MAX_BITS, estimate_cost, number_bits, postorder, show
from ..errors import IllFormed
from ..numbers import exact_rational

__all__ = [
    "FUNCTIONS",
    "MAX_BITS",
    "MAX_DEGREE",
    "MAX_SIZE",
    "MAX_TERMS",
    "Exact",
    "balanced_sum",
    "exact",
    "guard",
    "monomials",
    "radicals",
]

#: Largest estimated total degree of any one expression the kernel expands.
MAX_DEGREE = 4096
#: Largest estimated number of terms of any one expression (or of one product's work).
MAX_TERMS = 2_000_000
#: Largest estimated size of an expansion in bits (terms times the bits of a number).
MAX_SIZE = 2**31
#: The functions a non-polynomial activation may use (besides +, *, integer powers), each with its python-flint ball
#: enclosure (the kernel's interval arithmetic): Max and Min by their arguments' exact ends, Abs starting at 0.
FUNCTIONS: dict[type, Callable[..., arb]] = {
    sympy.Max: lambda *balls: max(a.lower() for a in balls).union(max(a.upper() for a in balls)),
    sympy.Min: lambda *balls: min(a.lower() for a in balls).union(min(a.upper() for a in balls)),
    sympy.Abs: lambda ball: abs(ball).nonnegative_part(),
    sympy.exp: arb.exp,
    sympy.log: arb.log,
    sympy.tanh: arb.tanh,
    sympy.sinh: arb.sinh,
    sympy.cosh: arb.cosh,
    sympy.sin: arb.sin,
    sympy.cos: arb.cos,
}
_HEADS = tuple(FUNCTIONS)
#: The classes of nan, zoo, oo and -oo: singletons, so an expression equals one exactly when it is of its class.
_NOT_FINITE = {type(sympy.S.NaN), type(sympy.S.ComplexInfinity), type(sympy.S.Infinity), type(sympy.S.NegativeInfinity)}


def _float_value(f: sympy.Float, where: str) -> sympy.Rational:
    """The Float's exact binary value (:func:`symnet.numbers.exact_rational`); IllFormed for nan and infinities, and
    above :data:`MAX_BITS` (told from the Float's exponent, before the value is made)."""
    if f.is_finite is not True:
        raise IllFormed(f"{where}: {f} is not a finite number")
    bits = sum(number_bits(f))
    if bits > MAX_BITS:
        raise IllFormed(f"{where}: the float {show(f, 40)} has {bits} bits, above the kernel's limit of {MAX_BITS}")
    return exact_rational(f, where)


def _refuse_atom(e: sympy.Basic, where: str) -> None:
    if type(e) in _NOT_FINITE:
        raise IllFormed(f"{where}: {e} is not a finite number")
    if e is sympy.S.ImaginaryUnit:
        raise IllFormed(f"{where}: {e} is not a real number")


def exact(e: Any, where: str = "expression") -> sympy.Expr:
    """``e`` validated, with every Float replaced by its exact binary value.

    Refuses non-expressions, NaN and infinities, non-commutative symbols and
    any head other than +, *, powers, E, pi and :data:`FUNCTIONS`.
    """
    if not isinstance(e, sympy.Expr) or isinstance(e, sympy.MatrixBase):
        raise IllFormed(f"{where}: {e!r} is not a scalar expression")
    if (e.is_Symbol and e.is_commutative) or monomials(e) is not None:  # exact as it stands: no walk
        return e
    out: dict[int, sympy.Basic] = {}
    for node in postorder(e):
        if node.is_Float:
            value = _float_value(node, where)
        elif node.is_Symbol or node.is_Rational or node is sympy.E or node is sympy.pi:
            value = node
        elif node.is_Add or node.is_Mul or node.is_Pow or isinstance(node, _HEADS):
            args = [out[id(a)] for a in node.args]
            if isinstance(node, _HEADS) and any(a.is_Number and sum(number_bits(a)) > FUNCTION_BITS for a in args):
                raise IllFormed(f"{where}: {type(node).__name__} of a number of more than {FUNCTION_BITS} bits")
            changed = any(a is not b for a, b in zip(args, node.args, strict=True))
            value = node.func(*args) if changed else node
        else:
            _refuse_atom(node, where)
            raise IllFormed(f"{where}: {type(node).__name__} ({show(node, 60)}) is not allowed in a symnet document")
        _refuse_atom(value, where)
        if not value.is_commutative:
            raise IllFormed(f"{where}: {show(node, 60)} is not commutative")
        out[id(node)] = value
    return out[id(e)]


def monomials(e: sympy.Basic) -> list[tuple[sympy.Basic, ...]] | None:
    """The factors of each term of a sum of monomials (rationals times commutative symbols), or None for anything
    else.  Such a sum is exact already and its expansion costs its size: the gate reads it without the cost model
    (a claim's coefficients are such sums; the model's walk over them costs several times the read)."""
    terms = [t.args if t.is_Mul else (t,) for t in (e.args if e.is_Add else (e,))]
    if all(a.is_Rational or (a.is_Symbol and a.is_commutative) for t in terms for a in t):
        return terms
    return None


def radicals(e: sympy.Basic) -> list[sympy.Basic]:
    """The real radical constants ``r**(m/n)`` of ``e`` (r > 0 rational, m/n not an integer, e.g. ``sqrt(21)``),
    in order of first appearance."""
    found = (n for n in postorder(e) if n.is_Pow and n.base.is_Rational and n.base.is_positive and n.exp.is_Rational)
    return list(dict.fromkeys(n for n in found if not n.exp.is_Integer))


def guard(e: sympy.Expr, where: str, atoms: frozenset[sympy.Basic] = frozenset()) -> bool:
    """Whether ``e`` is a polynomial (``atoms`` read as generators); IllFormed (with the cost model's estimate) when
    its expansion is above the limits of degree, terms and bit size."""
    c = estimate_cost(e, atoms)
    d, t, bits = c.degree, c.terms, c.bits
    if d > MAX_DEGREE or t > MAX_TERMS or bits > MAX_BITS or t * bits > MAX_SIZE:
        raise IllFormed(
            f"{where}: expanding it needs an estimated degree {d}, {t} terms and numbers of {bits} bits, above the "
            f"kernel's limits (degree {MAX_DEGREE}, {MAX_TERMS} terms, {MAX_BITS} bits a number, "
            f"{MAX_SIZE} bits in all)"
        )
    return c.polynomial


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
    that is not a generator, or a node that is not polynomial over QQ (a Float
    included), is refused.  A
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

    def _read(self, a: sympy.Basic, where: str) -> Any:
        """A rational, or a generator (a symbol or a radical constant), as a polynomial; IllFormed if ``a`` is not
        declared."""
        if a.is_Rational:
            return self.ctx.constant(flint.fmpq(int(a.p), int(a.q)))
        i = self.index.get(a)
        if i is None:
            raise IllFormed(f"{where}: the symbol {a} is not declared here (an input or a parameter of the network)")
        return self.gen_polys[i]

    def poly(self, e: sympy.Expr, where: str) -> Any:
        """``e`` as an fmpq_mpoly; IllFormed if it is not a polynomial in the generators or too big."""
        if e.is_Symbol or e.is_Rational:
            return self._read(e, where)
        terms = monomials(e) if len(e.args) <= MAX_TERMS else None
        if terms is not None and all(len(t) <= 64 for t in terms):  # a sum of monomials of degree <= 64: no estimate
            return balanced_sum([reduce(operator.mul, (self._read(a, where) for a in t)) for t in terms], self.zero)
        if not guard(e, where, self.atoms):
            raise IllFormed(f"{where}: {show(e, 80)} is not a polynomial with rational coefficients")
        values: dict[int, Any] = {}
        for node in postorder(e):
            if node.is_Symbol or node.is_Rational or node in self.atoms:
                v = self._read(node, where)
            elif node.is_Add:
                v = balanced_sum([values[id(a)] for a in node.args], self.zero)
            elif node.is_Mul:
                v = values[id(node.args[0])]
                for a in node.args[1:]:
                    v = v * values[id(a)]
            elif node.is_Pow and node.exp.is_Integer and node.exp >= 0:
                v = values[id(node.base)] ** int(node.exp)
            else:
                raise IllFormed(f"{where}: {show(node, 80)} is not a polynomial with rational coefficients")
            values[id(node)] = v
        return values[id(e)]

    def show(self, poly: Any) -> sympy.Expr:
        """An fmpq_mpoly as a sympy expression in the generators (for messages)."""
        terms = ((tuple(map(int, m))[: len(self.gens)], sympy.Rational(int(c.p), int(c.q))) for m, c in poly.terms())
        return sympy.Add(*(c * sympy.Mul(*(g**k for g, k in zip(self.gens, m, strict=True) if k)) for m, c in terms))

    def x_degree(self, poly: Any, p: int) -> int:
        """Total degree of ``poly`` in the first ``p`` generators."""
        return max((sum(m[:p]) for m in poly.monoms()), default=0)
