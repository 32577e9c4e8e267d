"""Explicit claims as exact polynomials: :class:`ClaimPolys` (W* and b* in python-flint ``fmpq_mpoly``).

The engine states an explicit claim this way (:meth:`symnet.certificate.Claim.from_polys`);
the kernel reads the polynomials into its own ring by their generators and
checks them, and the sympy matrices are built from them only when asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import flint
import sympy

__all__ = ["ClaimPolys", "claim_context", "parse_terms"]


def claim_context(n: int) -> Any:
    """The python-flint context of a claim's polynomials in ``n`` generators (``g0 .. g{n-1}``, lex)."""
    return flint.fmpq_mpoly_ctx.get(("g", max(n, 1)), "lex")


def parse_terms(text: str, names: dict[str, int]) -> list[tuple[int, int, list[int], list[int] | None]]:
    """The terms ``(p, q, generator indices, exponents or None when all are 1)`` of a python-flint
    polynomial's printed form (``-g0*g4 + 3/2*g1^2 - 7``), strictly: ValueError or KeyError on anything else."""
    if text == "0":
        return []
    tokens = text.split(" ")
    signs = tokens[1::2]
    if len(tokens) % 2 != 1 or any(t != "+" and t != "-" for t in signs):
        raise ValueError(text[:80])
    negatives = [tokens[0].startswith("-")] + [t == "-" for t in signs]
    if negatives[0]:
        tokens[0] = tokens[0][1:]
    out: list[tuple[int, int, list[int], list[int] | None]] = []
    for term, negative in zip(tokens[::2], negatives, strict=True):
        pieces = term.split("*")
        try:  # the common case: coefficient 1, every generator to the first power
            plain = [names[x] for x in pieces]
            if len(set(plain)) == len(plain):
                out.append((-1 if negative else 1, 1, plain, None))
                continue
        except KeyError:
            pass
        p, q = 1, 1
        if pieces[0][:1].isdigit():
            num, _, den = pieces[0].partition("/")
            p, q = int(num), int(den) if den else 1
            pieces = pieces[1:]
        idx: list[int] = []
        powers: list[int] = []
        for piece in pieces:
            name, caret, exp = piece.partition("^")
            idx.append(names[name])
            powers.append(int(exp) if caret else 1)
        if len(set(idx)) != len(idx) or q <= 0 or any(k <= 0 for k in powers):
            raise ValueError(text[:80])
        out.append((-p if negative else p, q, idx, powers if any(k != 1 for k in powers) else None))
    return out


@dataclass(frozen=True, eq=False)
class ClaimPolys:
    """W* (q x p) and b* (q) as exact polynomials over QQ (python-flint ``fmpq_mpoly``).

    Every polynomial lives in :func:`claim_context` of ``len(gens)`` generators,
    generator ``i`` standing for the symbol ``gens[i]``.  The kernel reads them
    into its own ring by that correspondence (and rejects any other context);
    :meth:`expressions` builds the sympy matrices from them.
    """

    gens: tuple[sympy.Symbol, ...]
    matrix: tuple[tuple[Any, ...], ...]
    offset: tuple[Any, ...]

    def expression(self, poly: Any) -> sympy.Expr:
        """One polynomial as a sympy expression in ``gens`` (built with sympy's own Add and Mul)."""
        names = {name: i for i, name in enumerate(poly.context().names())}
        try:
            terms = parse_terms(poly.str(), names)
        except (ValueError, KeyError):
            terms = []
            for monom, c in poly.terms():
                idx = [i for i, k in enumerate(monom) if k]
                terms.append((int(c.p), int(c.q), idx, [int(monom[i]) for i in idx]))
        gens = self.gens
        return sympy.Add(
            *(
                sympy.Mul(sympy.Rational(p, q), *(gens[i] ** k for i, k in zip(idx, ks or [1] * len(idx), strict=True)))
                for p, q, idx, ks in terms
            )
        )

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (and deep-copied) as each polynomial's terms: python-flint polynomials do not pickle."""
        matrix = [[_terms(v) for v in row] for row in self.matrix]
        return _rebuild, (self.gens, matrix, [_terms(v) for v in self.offset])

    def expressions(self) -> tuple[sympy.ImmutableMatrix, sympy.ImmutableMatrix]:
        """(W*, b*) as sympy matrices."""
        matrix = sympy.ImmutableMatrix([[self.expression(v) for v in row] for row in self.matrix])
        return matrix, sympy.ImmutableMatrix([self.expression(v) for v in self.offset])


def _terms(poly: Any) -> dict[tuple[int, ...], tuple[int, int]]:
    return {tuple(int(k) for k in monom): (int(c.p), int(c.q)) for monom, c in poly.to_dict().items()}


def _rebuild(gens: tuple[sympy.Symbol, ...], matrix: list[list[Any]], offset: list[Any]) -> ClaimPolys:
    ctx = claim_context(len(gens))

    def poly(terms: dict[tuple[int, ...], tuple[int, int]]) -> Any:
        return ctx.from_dict({monom: flint.fmpq(p, q) for monom, (p, q) in terms.items()})

    return ClaimPolys(gens, tuple(tuple(poly(t) for t in row) for row in matrix), tuple(poly(t) for t in offset))
