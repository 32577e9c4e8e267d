"""How symnet's objects display themselves, without the model importing a renderer.

The model is plain data that the kernel trusts, so it imports no presentation
code.  A renderer registers the functions that draw an object when it is
imported (``import symnet`` imports :mod:`symnet.render` and its drawers), and
the objects' display methods look them up here.

Every public object inherits :class:`Displayable`, which gives it sympy's
printing protocol and IPython's display hooks, all drawn through the registry:

========================  ============================  ======================
hook                      used by                       drawer format
========================  ============================  ======================
``_latex(printer)``       ``sympy.latex(obj)``          ``"latex"`` (math mode)
``_pretty(printer)``      ``sympy.pretty``, ``pprint``  ``"pretty"`` (2-D text)
``_sympystr(printer)``    ``sympy.sstr(obj)``           ``"text"`` (one line)
``_repr_latex_()``        Jupyter ``text/latex``        ``"latex"`` in ``$...$``
``_repr_markdown_()``     Jupyter ``text/markdown``     ``"markdown"``
``_repr_pretty_(p, c)``   IPython's plain-text display  ``"text"``
========================  ============================  ======================

A class names its drawers with ``class Network(Displayable, display_key="network")``;
a renderer registers ``register("network", "latex", draw)``.  With no drawer
registered, every hook falls back to ``repr(obj)`` (``\\text{...}`` in LaTeX).

The plain data the kernel reads (:class:`~symnet.model.core.Activation`,
:class:`~symnet.model.core.Layer`, :class:`~symnet.model.generic.GenericNetwork`)
imports no presentation code: this module gives those classes the same hooks
when it is imported (:func:`attach`), as every user-facing module does
(:mod:`symnet.model.network`, :mod:`symnet.model.activations`, the results),
and their one-line reprs (:class:`~symnet.model.core.NetworkData`'s too; no
checker prints them).
"""

from __future__ import annotations

from abc import ABCMeta
from collections.abc import Callable
from typing import Any, ClassVar

from sympy.printing.pretty.stringpict import prettyForm

from .core import Activation, Layer, NetworkData
from .generic import GenericNetwork

__all__ = ["FORMATS", "Displayable", "attach", "draw", "register", "show"]

#: The formats a drawer can be registered for.
FORMATS = ("latex", "pretty", "text", "markdown")

_DRAWERS: dict[str, Callable[[Any], str]] = {}
_FORMAT_DRAWERS: dict[tuple[str, str], Callable[..., str]] = {}


def register(name: str, fmt_or_draw: str | Callable[[Any], str], draw: Callable[..., str] | None = None) -> None:
    """Register a drawer: ``register(key, fmt, draw)`` for a :class:`Displayable`'s hooks.

    ``register(name, draw)`` (two arguments) registers a named drawer for
    :func:`show`.  A ``"pretty"`` drawer is called as ``draw(obj, unicode=...)``.
    """
    if draw is None:
        assert callable(fmt_or_draw)
        _DRAWERS[name] = fmt_or_draw
        return
    if fmt_or_draw not in FORMATS:
        raise ValueError(f"fmt={fmt_or_draw!r} is not one of {FORMATS}")
    _FORMAT_DRAWERS[(name, str(fmt_or_draw))] = draw


def show(name: str, obj: Any) -> str:
    """Draw ``obj`` with the registered drawer ``name``; its ``repr`` if no renderer is loaded."""
    drawer = _DRAWERS.get(name)
    return repr(obj) if drawer is None else drawer(obj)


def _latex_text(text: str) -> str:
    escaped = "".join("\\" + ch if ch in "#$%&_{}" else ch for ch in text)
    escaped = escaped.replace("\\\\", r"\textbackslash{}").replace("~", r"\textasciitilde{}").replace("^", r"\^{}")
    return r"\text{" + escaped + "}"


def draw(obj: Any, fmt: str, **options: Any) -> str:
    """``obj`` drawn in ``fmt`` by the drawer registered for its class (``repr`` if none)."""
    for klass in type(obj).__mro__:
        key = klass.__dict__.get("_display_key")
        if key is not None:
            drawer = _FORMAT_DRAWERS.get((key, fmt))
            if drawer is not None:
                return drawer(obj, **options)
            break
    return _latex_text(repr(obj)) if fmt == "latex" else repr(obj)


class Displayable(metaclass=ABCMeta):  # noqa: B024  (an ABC for register(), with no abstract method)
    """sympy's printing protocol and IPython's display hooks, drawn through the registry.

    A class given the hooks by :func:`attach` counts as a Displayable too (``isinstance`` holds).
    """

    __slots__ = ()
    _display_key: ClassVar[str | None] = None

    def __init_subclass__(cls, display_key: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if display_key is not None:
            cls._display_key = display_key
            # IPython takes a class's own __repr__ (a dataclass has one) before an inherited
            # _repr_pretty_, so each displayable class carries the hook itself
            if "_repr_pretty_" not in cls.__dict__:
                cls._repr_pretty_ = Displayable._repr_pretty_  # type: ignore[method-assign]

    def _latex(self, printer: Any = None) -> str:
        """Math-mode LaTeX, for ``sympy.latex(obj)``."""
        return draw(self, "latex")

    def _pretty(self, printer: Any = None) -> Any:
        """A 2-D picture, for ``sympy.pretty(obj)`` and ``sympy.pprint(obj)``."""
        unicode = True if printer is None else bool(getattr(printer, "_use_unicode", True))
        lines = draw(self, "pretty", unicode=unicode).splitlines() or [""]
        width = max(len(line) for line in lines)
        return prettyForm("\n".join(line.ljust(width) for line in lines))

    def _sympystr(self, printer: Any = None) -> str:
        """One line of text, for ``sympy.sstr(obj)``."""
        return draw(self, "text")

    def _repr_latex_(self) -> str:
        """Jupyter's ``text/latex``."""
        return "$\\displaystyle " + draw(self, "latex") + "$"

    def _repr_markdown_(self) -> str:
        """Jupyter's ``text/markdown``."""
        return draw(self, "markdown")

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        """IPython's plain-text display: one compact line."""
        p.text(repr(self) if cycle else draw(self, "text"))


_HOOKS = ("_latex", "_pretty", "_sympystr", "_repr_latex_", "_repr_markdown_", "_repr_pretty_")


def attach(cls: type, display_key: str) -> None:
    """Give ``cls`` (a class of plain data, which imports no display code) the hooks of :class:`Displayable`."""
    hooks = {name: Displayable.__dict__[name] for name in _HOOKS}
    for name, value in {"_display_key": display_key, **hooks}.items():
        setattr(cls, name, value)
    Displayable.register(cls)


attach(Activation, "activation")
attach(Layer, "layer")
attach(GenericNetwork, "generic_network")


def _activation_repr(act: Any) -> str:  # an Activation
    return f"Activation({act.name!r}, {act.function})"


def _activations(acts: tuple[Activation, ...]) -> str | list[str]:
    """The hidden layers' activations by label: one label when they share it."""
    labels = [a.label() for a in acts]
    return labels[0] if len(set(labels)) == 1 else labels


def _network_repr(net: Any) -> str:  # a NetworkData
    acts = _activations(net.activations)
    return f"Network(inputs={net.p}, hidden={list(net.hidden)}, outputs={net.q}, activation={acts!r})"


def _size(s: Any) -> int | str:
    """A size as the user wrote it: a whole number or a size name."""
    return int(s) if s.is_Integer else str(s.name)


def _generic_network_repr(net: Any) -> str:  # a GenericNetwork
    acts = _activations(net.activations) or "identity"
    sizes = f"inputs={_size(net.p)!r}, hidden={[_size(h) for h in net.hidden]!r}, outputs={_size(net.q)!r}"
    return f"GenericNetwork({sizes}, activation={acts!r})"


Activation.__repr__ = _activation_repr  # type: ignore[method-assign]
NetworkData.__repr__ = _network_repr  # type: ignore[method-assign]
GenericNetwork.__repr__ = _generic_network_repr  # type: ignore[method-assign]
