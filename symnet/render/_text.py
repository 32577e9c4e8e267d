"""Plain text output (Unicode): the derivation for a terminal."""

from __future__ import annotations

import re

from ._document import Derivation, Inline, Line, Section
from ._math import Atom, Block, Math, Matrix, Row, block, hcat, text

__all__ = ["render"]

WIDTH = 78


#: Inline math up to this many characters is never broken across lines (``q = 1`` stays whole).
KEEP_WHOLE = 24
NBSP = "\xa0"


def _math_inline(node: Math) -> str:
    s = text(node)
    return s.replace(" ", NBSP) if len(s) <= KEEP_WHOLE else s


def inline(items: tuple[Inline, ...]) -> str:
    """Prose with inline math; short math is kept on one line by no-break spaces (removed by :func:`render`)."""
    return "".join(_math_inline(i) if isinstance(i, Math) else i for i in items)


def wrap(s: str, indent: str = "") -> list[str]:
    words = s.split(" ")
    lines: list[str] = []
    cur = ""
    for w in words:
        if cur and len(indent) + len(cur) + 1 + len(w) > WIDTH:
            lines.append(indent + cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    if cur:
        lines.append(indent + cur)
    return lines


_SEPARATORS = re.compile(r"( \+ | - | = |, )")
_ELLIPSES = {"…", "⋮", "⋱", "⋯", ""}


def split_line(line: Line, lw: int) -> list[Line]:
    """A one-line display line too wide for ``WIDTH``, broken at `` + ``, `` - ``, `` = `` and ``, ``.

    A fallback for displays whose builder did not break them (the generic
    derivations): continuation lines start with the operator, a comma stays at
    the end of its line.  A piece wider than a line is left for :func:`fold`.
    """
    first = 4 + lw + (3 if line.lhs is not None else 4)
    cont = 4 + lw + 4
    parts = _SEPARATORS.split(text(line.rhs))
    rows = [parts[0]]
    for sep, tok in zip(parts[1::2], parts[2::2], strict=True):
        room = WIDTH - (first if len(rows) == 1 else cont) - 1
        if len(rows[-1]) + len(sep) + len(tok) <= room:
            rows[-1] += sep + tok
        elif sep == ", ":
            rows[-1] += ","
            rows.append(tok)
        else:
            rows.append(sep.strip() + " " + tok)
    out = [Line(line.lhs, line.rel, Atom(rows[0], rows[0]))]
    return out + [Line(None, "", Atom(r, r)) for r in rows[1:]]


def _fewer_columns(m: Matrix) -> Matrix | None:
    """The matrix with one shown column fewer before its ellipsis column (None when none can go)."""
    cells = [[text(c) for c in row] for row in m.cells]
    ncols = min(len(r) for r in cells)
    dots = [j for j in range(ncols) if all(r[j] in _ELLIPSES for r in cells) and any(r[j] for r in cells)]
    if dots:
        j = dots[0]
        if j <= 1:
            return None
        return Matrix([row[: j - 1] + row[j:] for row in m.cells])
    if ncols < 3:
        return None
    ell: list[Math] = [Atom(r"\ddots", "⋱") if t[0] == "⋮" else Atom(r"\dots", "…") for t in cells]
    return Matrix([[*row[:-2], e, row[-1]] for row, e in zip(m.cells, ell, strict=True)])


def narrow(line: Line, lw: int) -> list[Line]:
    """``line`` (and continuation lines) fitted into ``WIDTH`` where possible.

    Builders fit the derivations of concrete networks themselves; this is the
    fallback for other displays: a one-line right-hand side is split at its
    operators; after a matrix, the rest of the line moves below it, and the
    matrix drops columns before its ``…`` column.
    """
    start = 4 + lw + (3 if line.lhs is not None else 4)
    rb = block(line.rhs)
    if start + rb.width <= WIDTH:
        return [line]
    if len(rb.lines) == 1:
        return split_line(line, lw)
    items = list(line.rhs.items) if isinstance(line.rhs, Row) else [line.rhs]
    matrices = [(i, x) for i, x in enumerate(items) if isinstance(x, Matrix)]
    if not matrices:
        return [line]
    at, m = matrices[0]
    head, rest = items[:at], items[at + 1:]
    tail: list[Line] = []
    if rest:
        after = text(Row(*rest)).strip()
        tail = narrow(Line(None, "", Atom(after, after)), lw)
    while start + block(Row(*head, m)).width > WIDTH:
        fewer = _fewer_columns(m)
        if fewer is None:
            break
        m = fewer
    return [Line(line.lhs, line.rel, Row(*head, m)), *tail]


def display(lines: tuple[Line, ...]) -> list[str]:
    lhs_blocks = [block(l.lhs) if l.lhs is not None else None for l in lines]
    lw = max((b.width for b in lhs_blocks if b is not None), default=0)
    lines = tuple(piece for line in lines for piece in narrow(line, lw))
    lhs_blocks = [block(l.lhs) if l.lhs is not None else None for l in lines]
    out: list[str] = []
    for line, lb in zip(lines, lhs_blocks, strict=True):
        if lb is None:
            rb = block(line.rhs)
            for s in rb.lines:
                out.append(("    " + " " * lw + "    " + s).rstrip())
            continue
        rel = f" {line.rel} " if line.rel else "   "
        pad = Block(tuple(s.rjust(lw) for s in lb.lines), lb.base)
        whole = hcat([pad, Block((rel,), 0), block(line.rhs)])
        out.extend(("    " + s).rstrip() for s in whole.lines)
    return out


def section(sec: Section) -> list[str]:
    head = sec.title + "."
    if sec.rule is not None:
        head += f"  [{sec.rule}]"
    out = [head]
    if sec.before:
        out += wrap(inline(sec.before))
    if sec.display:
        out += display(sec.display)
    if sec.after:
        out += wrap(inline(sec.after))
    return out


def fold(line: str) -> list[str]:
    """A line cut at ``WIDTH`` with a trailing backslash, as bc prints long numbers.

    The last resort for a single atom (a number with hundreds of digits) wider
    than any line; the pieces continue under the start of the line's content.
    """
    if len(line) <= WIDTH:
        return [line]
    indent = min(len(line) - len(line.lstrip(" ")) + 4, WIDTH // 2)
    out = [line[: WIDTH - 1] + "\\"]
    rest = line[WIDTH - 1:]
    room = WIDTH - indent - 1
    while len(rest) > room + 1:
        out.append(" " * indent + rest[:room] + "\\")
        rest = rest[room:]
    out.append(" " * indent + rest)
    return out


def wrap_title(title: str) -> list[str]:
    """A title on one line, or broken after its last comma that leaves a first line that fits."""
    if len(title) <= WIDTH:
        return [title]
    cut = title.rfind(", ", 0, WIDTH)
    if cut < 0:
        return wrap(title)
    return [title[: cut + 1], *wrap(title[cut + 2:])]


def render(d: Derivation) -> str:
    """The derivation as plain text, no line wider than ``WIDTH``."""
    title = wrap_title(d.title)
    out = [*title, "=" * max(len(s) for s in title), ""]
    for sec in d.sections:
        out += section(sec)
        out.append("")
    return "\n".join(piece for line in out for piece in fold(line)).replace(NBSP, " ")

