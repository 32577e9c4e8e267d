"""A tiny math tree that prints both as LaTeX and as plain (Unicode) text.

Every node knows its LaTeX and its text *block*: a list of lines with a
baseline, so a matrix prints over several lines and sits level with the
``=`` beside it.  Unknown node types are refused, never ``str()``-ed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..names import check_tex

__all__ = ["Atom", "Block", "Math", "Matrix", "Row", "block", "hcat", "latex", "text"]


@dataclass(frozen=True)
class Block:
    """Lines of text of equal width; ``base`` is the index of the baseline."""

    lines: tuple[str, ...]
    base: int

    @property
    def width(self) -> int:
        return max((len(s) for s in self.lines), default=0)


class Math:
    """Base class of math nodes."""


@dataclass(frozen=True)
class Atom(Math):
    """A leaf: its LaTeX and its one-line text."""

    tex: str
    txt: str


@dataclass(frozen=True)
class Row(Math):
    """Nodes written one after the other."""

    items: tuple[Math, ...]

    def __init__(self, *items: Math) -> None:
        object.__setattr__(self, "items", tuple(items))


@dataclass(frozen=True)
class Matrix(Math):
    """A bracketed matrix (``bmatrix``); cells are nodes, elisions included.

    ``left``/``right`` False leave that bracket open: a matrix too wide for a
    line is printed as consecutive column blocks, the first open on the right,
    the last open on the left.
    """

    cells: tuple[tuple[Math, ...], ...]
    left: bool
    right: bool

    def __init__(self, cells: Sequence[Sequence[Math]], left: bool = True, right: bool = True) -> None:
        object.__setattr__(self, "cells", tuple(tuple(r) for r in cells))
        object.__setattr__(self, "left", left)
        object.__setattr__(self, "right", right)


def latex(node: Math) -> str:
    """The LaTeX of a node."""
    if isinstance(node, Atom):
        return check_tex(node.tex, "a formula")  # defence in depth: names are checked where they are read
    if isinstance(node, Row):
        out = ""
        for item in node.items:
            piece = latex(item)
            if out and piece and out[-1].isalpha() and piece[0].isalpha():
                out += " "
            out += piece
        return out
    if isinstance(node, Matrix):
        rows = [" & ".join(latex(c) for c in row) for row in node.cells]
        body = " \\\\ ".join(rows)
        if node.left and node.right:
            return "\\begin{bmatrix} " + body + " \\end{bmatrix}"
        left, right = ("\\left[" if node.left else "\\left."), ("\\right]" if node.right else "\\right.")
        return left + "\\begin{matrix} " + body + " \\end{matrix}" + right
    raise TypeError(f"unsupported math node {type(node).__name__}")


def block(node: Math) -> Block:
    """The text block of a node."""
    if isinstance(node, Atom):
        return Block((node.txt,), 0)
    if isinstance(node, Row):
        return hcat([block(i) for i in node.items])
    if isinstance(node, Matrix):
        cells = [[text(c) for c in row] for row in node.cells]
        ncols = max(len(r) for r in cells)
        widths = [max(len(r[j]) if j < len(r) else 0 for r in cells) for j in range(ncols)]
        numeric = [all(_NUMBER.fullmatch(r[j]) or r[j] in _DOTS for r in cells if j < len(r))
                   and any(_NUMBER.fullmatch(r[j]) for r in cells if j < len(r)) for j in range(ncols)]
        body = ["  ".join((_right if numeric[j] and (r[j] if j < len(r) else "") not in _DOTS else _pad)(
            r[j] if j < len(r) else "", widths[j]) for j in range(ncols)) for r in cells]
        n = len(body)
        if n == 1:
            return Block((("[ " if node.left else " ") + body[0] + (" ]" if node.right else ""),), 0)
        lines = []
        for i, line in enumerate(body):
            left, right = ("⎡", "⎤") if i == 0 else ("⎣", "⎦") if i == n - 1 else ("⎢", "⎥")
            # an open left side keeps one space, so a continued block's cells line up under the first block's
            lines.append((f"{left} " if node.left else " ") + line + (f" {right}" if node.right else ""))
        return Block(tuple(lines), (n - 1) // 2)
    raise TypeError(f"unsupported math node {type(node).__name__}")


def text(node: Math) -> str:
    """The text of a node that prints on one line (matrices joined by rows)."""
    b = block(node)
    return b.lines[b.base] if len(b.lines) == 1 else " ".join(s.strip() for s in b.lines)


#: A number as the derivations print it (``-0.125``, ``3/4``, ``1.5·10^-7``): right-aligned in its column.
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:/[0-9]+|·10\^-?[0-9]+)?")
_DOTS = {"…", "⋮", "⋱", "⋯", ""}


def _right(s: str, width: int) -> str:
    return s.rjust(width)


def _pad(s: str, width: int) -> str:
    """Centre ``s`` in ``width`` columns (ties to the left)."""
    extra = width - len(s)
    left = extra // 2
    return " " * left + s + " " * (extra - left)


def hcat(blocks: list[Block]) -> Block:
    """Blocks side by side, baselines level."""
    blocks = [b for b in blocks if b.lines != ("",)]
    if not blocks:
        return Block(("",), 0)
    above = max(b.base for b in blocks)
    below = max(len(b.lines) - b.base - 1 for b in blocks)
    height = above + below + 1
    lines = [""] * height
    for b in blocks:
        w = b.width
        top = above - b.base
        for i in range(height):
            j = i - top
            piece = b.lines[j] if 0 <= j < len(b.lines) else ""
            lines[i] += piece.ljust(w)
    width = max(len(s) for s in lines)
    return Block(tuple(s.ljust(width) for s in lines), above)
