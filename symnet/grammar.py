"""The grammar of a symnet name: which names documents, models and users may use.

This is the part of :mod:`symnet.names` the trusted base needs (the document
reader refuses any other name); the user-facing check with its message
(``check_name``) and the printers that spell a name in each output format stay
in :mod:`symnet.names`, which re-exports these.  The grammar is
ASCII only::

    name   := head (("_" | "^") index)*
    head   := letter (letter | digit)*  |  "\\" greek
    index  := (letter | digit)+  |  "{" (letter | digit | "," | "(" | ")" | "+" | "-" | " " | "\\" greek)* "}"
"""

from __future__ import annotations

import re

__all__ = ["GREEK", "MAX_NAME", "is_name"]

#: Longest name accepted.
MAX_NAME = 200
#: Greek letters a name may use as ``\alpha``.
GREEK = frozenset(
    """alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi varpi rho
    varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi
    Psi Omega""".split()
)
_GREEK = "|".join(sorted(GREEK, key=len, reverse=True))
_INNER = rf"(?:[A-Za-z0-9,()+\- ]|\\(?:{_GREEK})(?![A-Za-z]))*"
_INDEX = rf"(?:[A-Za-z0-9]+|\{{{_INNER}\}})"
_NAME_RE = re.compile(rf"(?:[A-Za-z][A-Za-z0-9]*|\\(?:{_GREEK})(?![A-Za-z]))(?:[_^]{_INDEX})*")


def is_name(name: object) -> bool:
    """True when ``name`` is a symnet name (see the module docstring)."""
    return isinstance(name, str) and 0 < len(name) <= MAX_NAME and _NAME_RE.fullmatch(name) is not None
