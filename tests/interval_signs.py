"""Rigorous signs and enclosures of real constants by the kernel's interval rules, for the tests of those rules
(the kernel itself decides its claims by balls directly; this reads them as the checkers once did)."""

from __future__ import annotations

import flint
import sympy
from flint import fmpq

from symnet.errors import UndecidedError
from symnet.kernel.counterexample import PRECISIONS, interval


def enclosure(e: sympy.Expr) -> tuple[fmpq, fmpq] | None:
    """A rigorous rational enclosure [lo, hi] of the real constant ``e`` that excludes 0 (a ball's exact ends, at
    the first of :data:`PRECISIONS` that separates ``e`` from 0); None when none does (``e`` may be zero, or need
    more precision, or use a function with no interval rule)."""
    for prec in PRECISIONS:
        with flint.ctx.workprec(prec):
            try:
                ball = interval(e)
            except UndecidedError:
                return None
            lo, hi = ball.lower().fmpq(), ball.upper().fmpq()
        if lo > 0 or hi < 0:
            return lo, hi
    return None


def interval_sign(e: sympy.Expr) -> int:
    """The sign (+1 or -1) of the non-zero real constant ``e``, established rigorously: exact for rationals,
    otherwise by :func:`enclosure`; 0 when it is not established."""
    if e.is_Rational:
        return int(e > 0) - int(e < 0)
    bounds = enclosure(e)
    return 0 if bounds is None else (1 if bounds[0] > 0 else -1)
