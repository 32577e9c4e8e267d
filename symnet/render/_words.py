"""A network and a number said in words, for prose (never a Python repr on a rendered page)."""

from __future__ import annotations

from typing import Any

import sympy

from ._numbers import NumberFormat

__all__ = ["MAX_BESIDE", "beside", "network_words"]

#: An exact value printed in text up to this many characters; a longer one is given by its decimal only.
MAX_BESIDE = 40


def _plural(n: Any, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def network_words(net: Any) -> str:
    """``a network with 2 inputs, one hidden layer of 6 relu units and 1 output``."""
    hidden = [layer.width for layer in net.layers[:-1]]
    acts = {layer.activation.label() for layer in net.layers[:-1]}
    act = f" {next(iter(acts))}" if len(acts) == 1 else ""
    if not hidden:
        layers = "no hidden layer"
    elif len(hidden) == 1:
        layers = f"one hidden layer of {_plural(hidden[0], act.strip() + ' unit' if act else 'unit')}"
    else:
        widths = ", ".join(str(w) for w in hidden[:-1]) + f" and {hidden[-1]}"
        layers = f"{len(hidden)} hidden layers of {widths}{act} units"
    return f"a network with {_plural(net.p, 'input')}, {layers} and {_plural(net.q, 'output')}"


def beside(numbers: NumberFormat, r: sympy.Rational) -> tuple[str, str]:
    """(LaTeX, text) of ``r`` by the one number rule: exact when short; else the exact value with its decimal
    beside it (``9768462842596465/36028797018963968 ≈ 0.271127``), or the decimal alone when the exact value
    is longer than :data:`MAX_BESIDE` characters (it stays in the JSON)."""
    if numbers.is_exact(r):
        return numbers.strings(r)
    approx_tex, approx_txt = numbers.strings(r)
    exact = NumberFormat(None)
    tex, txt = exact.strings(r)
    if len(txt) > MAX_BESIDE:
        return rf"\approx {approx_tex}", f"≈ {approx_txt}"
    return rf"{tex} \approx {approx_tex}", f"{txt} ≈ {approx_txt}"
