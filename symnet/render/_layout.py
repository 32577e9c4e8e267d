"""Layout: how wide a piece of math is, and how sums, products and matrices are broken into display lines.

Plain text is measured exactly against :data:`TEXT_WIDTH`; LaTeX by a
typeset-width estimate (:func:`print_width`).  See the size rule in
:mod:`symnet.render._derivation`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ._atoms import DDOTS, DOTS, MAX_SHOWN, SP, VDOTS, A, Signed, signed_sum
from ._document import Line
from ._math import Math, Matrix, Row, block, text


def text_width(node: Math) -> float:
    """Width of a node in characters of plain text."""
    return len(text(node))


def print_width(node: Math) -> float:
    """Rough width of a node when typeset: indices count as small glyphs."""
    s = text(node)
    small = 0
    for m in re.finditer(r"[_^](\{[^}]*\}|.)", s):
        small += len(m.group(0)) - 1 - (2 if m.group(0).startswith(("_{", "^{")) else 0)
    plain = len(re.sub(r"[_^](\{[^}]*\}|.)", "", s))
    return plain + 0.6 * small


#: How each format measures a line, and how wide a line may be.
MEASURES = {"text": (text_width, 70.0), "latex": (print_width, 62.0)}

#: Plain text: no line of the output is wider than this (the renderer's wrap width).
TEXT_WIDTH = 78
#: Plain text: a display line is ``INDENT + lhs (right-justified to the display's
#: widest lhs) + " = " + rhs``; a continuation line starts at ``INDENT + lw + 4``.
TEXT_INDENT = 4


def _chunks(widths: Sequence[float], first: float, cont: float, width: float, tail: float,
            sep: float, lead: float) -> list[int]:
    """How many pieces go on each line: greedy, never an empty line, the tail on the last."""
    counts: list[int] = [0]
    used = first
    for w in widths:
        cost = w + (sep if counts[-1] else (lead if len(counts) > 1 else 0.0))
        if counts[-1] and used + cost > width:
            counts.append(0)
            used = cont
            cost = w + lead
        counts[-1] += 1
        used += cost
    if tail and counts[-1] > 1 and used + tail > width:
        counts[-1] -= 1
        counts.append(1)
    return counts


def broken(lhs: Math, pieces: Sequence[Signed], tail: Math | None = None, fmt: str = "text",
           lw: float = 0.0, head: Math | None = None) -> list[Line]:
    """``lhs = head pieces... tail`` broken into lines no wider than the format's line width.

    In text the lines are measured exactly (``lw`` is the width of the display's
    widest left-hand side, see :data:`TEXT_INDENT`) against :data:`TEXT_WIDTH`.
    """
    measure, width = MEASURES[fmt]
    head_w = measure(head) if head is not None else 0.0
    # LaTeX's width estimate is conservative: the tail may run into the margin it leaves
    tail_w = measure(tail) if tail is not None and fmt == "text" else 0.0
    if fmt == "text":
        lw = max(lw, measure(lhs))
        widths = [measure(body) + (1 if neg else 0) for neg, body in pieces]
        counts = _chunks(widths, TEXT_INDENT + lw + 3 + head_w, TEXT_INDENT + lw + 4, TEXT_WIDTH, tail_w,
                         3, 2)
    else:
        widths = [measure(body) + 3 for _, body in pieces]
        counts = _chunks(widths, measure(lhs) + 3 + head_w, 8, width, tail_w, 0, 0)
    lines: list[list[Signed]] = []
    start = 0
    for n in counts:
        lines.append(list(pieces[start:start + n]))
        start += n
    out: list[Line] = []
    for i, chunk in enumerate(lines):
        body: Math = signed_sum(chunk)
        if i:
            neg, first = chunk[0]
            body = Row(A("- " if neg else "+ "), signed_sum([(False, first), *chunk[1:]]))
        elif head is not None:
            body = Row(head, body)
        if i == len(lines) - 1 and tail is not None:
            body = Row(body, tail)
        out.append(Line(lhs if i == 0 else None, "=" if i == 0 else "", body))
    return out


def broken_product(lhs: Math, items: Sequence[Math], tail: Math | None, fmt: str, lw: float = 0.0) -> list[Line]:
    """``lhs = item item ... tail``, juxtaposed factors broken into lines like :func:`broken`."""
    measure, width = MEASURES[fmt]
    tail_w = measure(tail) if tail is not None else 0.0
    widths = [measure(i) for i in items]
    if fmt == "text":
        lw = max(lw, measure(lhs))
        counts = _chunks(widths, TEXT_INDENT + lw + 3, TEXT_INDENT + lw + 4, TEXT_WIDTH, tail_w, 1, 0)
    else:
        counts = _chunks(widths, measure(lhs) + 3, 8, width, tail_w, 1, 0)
    out: list[Line] = []
    start = 0
    for i, n in enumerate(counts):
        chunk: list[Math] = []
        for item in items[start:start + n]:
            if chunk:
                chunk.append(SP)
            chunk.append(item)
        start += n
        if i == len(counts) - 1 and tail is not None:
            chunk.append(tail)
        out.append(Line(lhs if i == 0 else None, "=" if i == 0 else "", Row(*chunk)))
    return out


def elided_matrix(nrows: int, cols: Sequence[int | None], cell: Callable[[int, int], Math],
                  left: bool = True, right: bool = True, limit: int = MAX_SHOWN) -> Matrix:
    """The rows the size rule keeps (all up to ``limit``) and the given columns (``None``: an ellipsis)."""
    keep_r: list[int | None] = list(range(nrows)) if nrows <= limit else [0, 1, None, nrows - 1]
    out = []
    for r in keep_r:
        line: list[Math] = []
        for c in cols:
            if r is None and c is None:
                line.append(DDOTS)
            elif r is None:
                line.append(VDOTS)
            elif c is None:
                line.append(DOTS)
            else:
                line.append(cell(r, c))
        out.append(line)
    return Matrix(out, left, right)


def text_line_width(lw: float, rhs: Math) -> int:
    """Width in text of a display line ``lhs = rhs`` whose lhs column is ``lw`` wide."""
    return int(TEXT_INDENT + lw + 3 + block(rhs).width)


def _wrap_words(s: str, width: int) -> list[str]:
    """``s`` cut at spaces into lines of at most ``width`` characters (a longer word stays whole)."""
    out: list[str] = []
    for word in s.split(" "):
        if out and len(out[-1]) + 1 + len(word) <= width:
            out[-1] += " " + word
        else:
            out.append(word)
    return out

