"""Many plain symbols, made fast (``symnet.dense`` at millions of weights).

``sympy.Symbol(name)`` costs about 4 us (its cache, its assumption
bookkeeping); at 2.5 million weights that is ten seconds before any work.
:func:`plain_symbols` makes Symbols equal (same name, same assumptions, same
hash) to ``sympy.Symbol(name)``, sharing one assumptions record, in about a
third of the time.  Nothing here is trusted: the kernel's gate reads these
symbols like any other.

>>> a, b = plain_symbols(["a", "b_{1,2}"])
>>> a == sympy.Symbol("a") and hash(b) == hash(sympy.Symbol("b_{1,2}"))
True
"""

from __future__ import annotations

from collections.abc import Iterable

import sympy
from sympy.core.expr import Expr

from .symbols import paused_gc

__all__ = ["plain_symbols"]


def plain_symbols(names: Iterable[str]) -> list[sympy.Symbol]:
    """Commutative Symbols with these names and no other assumption, equal to ``sympy.Symbol(name)``.

    They share one assumptions record: facts sympy deduces for a plain
    symbol (``is_real`` is None, ``is_commutative`` is True, ...) depend only
    on its assumptions, never on its name, so sharing them changes nothing.
    Names are not checked here; callers make valid names.
    """
    template = sympy.Symbol.__xnew__(sympy.Symbol, "template")  # uncached: its records are ours alone
    kb, orig, frozen = template._assumptions, template._assumptions_orig, template._assumptions0
    if template._hashable_content() != ("template", *frozen) or not isinstance(frozen, tuple):
        return [sympy.Symbol(name) for name in names]  # a sympy whose Symbol is laid out otherwise: the plain way
    new, cls = Expr.__new__, sympy.Symbol
    out: list[sympy.Symbol] = []
    append = out.append
    with paused_gc():
        for name in names:
            obj = new(cls)
            obj.name = name
            obj._assumptions = kb
            obj._assumptions_orig = orig
            obj._assumptions0 = frozen
            obj._mhash = hash(("Symbol", name, *frozen))  # what Basic.__hash__ computes from _hashable_content
            append(obj)
    return out
