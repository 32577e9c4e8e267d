"""Finding a network's parameter by its name, in any of its spellings (:meth:`symnet.Network.parameter`)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

import sympy

from ..errors import InvalidType, UnknownName

__all__ = ["find_symbol"]


def _spelling(name: str) -> str:
    """A name as an identifier: a layer ``^{(l)}`` joins the stem, other runs of non-alphanumerics become ``_``.

    ``b_{1,2}``, ``b_1,2`` and ``b_1_2`` all read ``b_1_2``; ``b^{(2)}_{1,0}`` reads ``b2_1_0``.
    """
    return re.sub(r"[^0-9A-Za-z]+", "_", re.sub(r"\^\{\((\d+)\)\}", r"\1", name)).strip("_")


def find_symbol(name: object, symbols: Sequence[sympy.Symbol], others: Sequence[sympy.Symbol] = ()) -> sympy.Symbol:
    """The parameter of ``symbols`` named ``name`` (also spelled ``b_1,2`` or ``b_1_2``); UnknownName otherwise.

    A spelling two symbols share is refused, naming both; a name of one of
    ``others`` (the inputs) says so; any other name lists the closest names.
    """
    if not isinstance(name, str):
        raise InvalidType(f"name={name!r} of type {type(name).__name__} must be a str such as 'b_{{1,2}}'")
    by_name = {s.name: s for s in symbols}
    if name in by_name:
        return by_name[name]
    matches = [s for s in symbols if _spelling(s.name) == _spelling(name)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UnknownName(f"{name!r} names more than one parameter: {', '.join(s.name for s in matches)}")
    if any(_spelling(s.name) == _spelling(name) for s in others):
        raise UnknownName(f"{name!r} is an input, not a parameter")
    near = difflib.get_close_matches(name, list(by_name), n=5, cutoff=0.5)
    hint = f"; did you mean {', '.join(near)}?" if near else f"; there are {len(by_name)} parameters"
    raise UnknownName(f"no parameter named {name!r}{hint}")
