"""How the model's objects display themselves, without the model importing a renderer.

The model is plain data that the kernel trusts, so it imports no presentation
code.  A renderer registers the functions that draw a model object when it is
imported (``import symnet`` imports :mod:`symnet.render`), and the model's
display methods (``Network._repr_latex_``) look them up here by name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["register", "show"]

_DRAWERS: dict[str, Callable[[Any], str]] = {}


def register(name: str, draw: Callable[[Any], str]) -> None:
    """Make ``draw`` the drawer called ``name`` (the renderer does this once, on import)."""
    _DRAWERS[name] = draw


def show(name: str, obj: Any) -> str:
    """Draw ``obj`` with the registered drawer ``name``; its ``repr`` if no renderer is loaded."""
    draw = _DRAWERS.get(name)
    return repr(obj) if draw is None else draw(obj)
