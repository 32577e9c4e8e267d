"""Plain text output (Unicode): the derivation for a terminal."""

from __future__ import annotations

from ._derivation import Derivation, Inline, Line, Section
from ._math import Block, Math, block, hcat, text

__all__ = ["render"]

WIDTH = 78


def inline(items: tuple[Inline, ...]) -> str:
    return "".join(text(i) if isinstance(i, Math) else i for i in items)


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


def display(lines: tuple[Line, ...]) -> list[str]:
    lhs_blocks = [block(l.lhs) if l.lhs is not None else None for l in lines]
    lw = max((b.width for b in lhs_blocks if b is not None), default=0)
    out: list[str] = []
    for line, lb in zip(lines, lhs_blocks):
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
    return "\n".join(piece for line in out for piece in fold(line))

