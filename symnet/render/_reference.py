"""The one reference of the derivations: the blog post whose notation and story they follow.

A builder that mentions the blog post (``the blog post's f(a_1, …, a_m) = Σ a_i``)
asks :func:`cite` first: with ``reference=False`` the mention is left out,
otherwise it is kept and the derivation says once, right under its title,
what the blog post is (:data:`REFERENCE`).  The blog post has no title,
author or address on record, so it is identified by its subject and its
section headings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from ..errors import InvalidType
from ._document import Derivation, Section
from ._math import Atom, Math

__all__ = ["REFERENCE", "cite", "cited"]

#: What the blog post is, said once per derivation (prose and inline math).
REFERENCE: tuple[str | Math, ...] = (
    "The notation and the story follow a blog post on linear regression written as a neural network "
    "(its sections \u201cA Basic Linear Regression Representated as Neural Network\u201d and "
    "\u201cNeural Network with Multiple Node and One Layer\u201d), which names the weights ",
    Atom("b_{k,j}", "b_{k,j}"),
    " and ",
    Atom("c_k", "c_k"),
    " and sums a node's inputs with ",
    Atom(r"f(a_1, \dots, a_m) = \sum_i a_i", "f(a_1, …, a_m) = Σ_i a_i"),
    ".",
)


@dataclass
class _Citation:
    enabled: bool
    used: bool = False


_CITATION: ContextVar[_Citation | None] = ContextVar("symnet_render_citation", default=None)


def cite() -> bool:
    """True when the derivation being built may mention the blog post (and it then says what the post is)."""
    c = _CITATION.get()
    if c is None:
        return True
    c.used |= c.enabled
    return c.enabled


@contextmanager
def _citing(enabled: bool) -> Iterator[_Citation]:
    c = _Citation(enabled)
    token = _CITATION.set(c)
    try:
        yield c
    finally:
        _CITATION.reset(token)


def cited(reference: bool, build: Callable[[], Derivation]) -> Derivation:
    """``build()`` with blog-post mentions allowed (``reference=True``: the derivation then opens with a
    Reference paragraph saying what the post is) or left out (``reference=False``)."""
    if not isinstance(reference, bool):
        raise InvalidType(f"reference must be True or False, not {type(reference).__name__}")
    with _citing(reference) as c:
        d = build()
    if not c.used:
        return d
    return Derivation(d.title, (Section("Reference", None, REFERENCE), *d.sections), d.heading)
