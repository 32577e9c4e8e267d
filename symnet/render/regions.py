"""The piecewise regression of a ReLU network: text, Markdown and LaTeX derivations, and a picture for 2 inputs.

One entry per region: its pattern, its form ``W_r x + b_r`` and its facet
inequalities.  Size rule: at most ``max_regions`` regions are written
(default 12); the rest are counted in one closing line (every region is in
``to_json()``).  Numbers follow the derivations' one number rule
(:mod:`symnet.render._numbers`): exact when short, else rounded to ``digits``
significant digits (default 6; ``digits=None`` prints every number exactly).
A form with a rounded coefficient is written ``y ≈ …``; a note, once per
document, says that decimals are rounded and that the exact values are in the
JSON.  The LaTeX is a ``longtable`` whose rows wrap: the form on one line, the
facets below it, broken between inequalities (and, inside a long one, after
its signs), so no region runs off the page however many facets it has.

This module draws plain data only (regions, their forms and inequalities); it
never searches or checks.  matplotlib is imported only by :func:`plot`.
"""

from __future__ import annotations

import hashlib
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy

from ..certificate.numbers import decode_rational
from ..errors import InvalidArgument
from ._latex import PREAMBLE
from ._numbers import DEFAULT_DIGITS, NumberFormat

__all__ = [
    "MAX_REGIONS_SHOWN",
    "REGIONS_PREAMBLE",
    "plot",
    "proof_latex",
    "proof_markdown",
    "proof_text",
    "to_latex",
    "to_markdown",
    "to_text",
]

#: Regions written out before the rest are only counted.
MAX_REGIONS_SHOWN = 12
#: The regions documents' preamble: the derivations' one, with the table packages.
REGIONS_PREAMBLE = PREAMBLE + "\\usepackage{array,longtable}\n"
#: Text lines of a region are wrapped at this width (the derivations' width).
TEXT_WIDTH = 78


class _Writer:
    """Prints one document's numbers, forms and inequalities in one format, remembering whether it rounded."""

    def __init__(self, regs: Any, fmt: str, digits: int | None, slash: bool = False) -> None:
        self.fmt = fmt
        self.slash = slash
        self.numbers = NumberFormat(digits)
        self.names = [sympy.latex(s) if fmt == "latex" else str(s) for s in regs.network.inputs]
        q = regs.network.q
        if fmt == "latex":
            self.outs = [r"\hat{y}"] if q == 1 else [rf"\hat{{y}}_{{{i + 1}}}" for i in range(q)]
        else:
            self.outs = ["y"] if q == 1 else [f"y_{i + 1}" for i in range(q)]

    def num(self, r: sympy.Rational) -> str:
        """A number; with ``slash`` an exact fraction in LaTeX is ``p/q`` (a stacked ``\\frac`` crowds the wrapped
        table rows), breakable after the slash only where it must (a sign is the better break)."""
        tex, txt = self.numbers.strings(r)
        if self.fmt != "latex":
            return txt
        return txt.replace("/", r"/\penalty5000 ") if self.slash and "/" in txt else tex

    def affine(self, coeffs: Sequence[sympy.Rational], const: sympy.Rational) -> tuple[str, bool]:
        """``const + c_1 x_1 + …`` and whether a number in it was rounded."""
        before, self.numbers.rounded = self.numbers.rounded, False
        terms = []
        if const != 0 or not any(coeffs):
            terms.append(self.num(const))
        for c, name in zip(coeffs, self.names, strict=True):
            if c == 0:
                continue
            mag = self.num(abs(c))
            body = name if abs(c) == 1 else (f"{mag} {name}" if self.fmt == "latex" else f"{mag}*{name}")
            sign = "-" if c < 0 else "+"
            terms.append(f"{sign} {body}" if terms else (f"-{body}" if c < 0 else body))
        rounded = self.numbers.rounded
        self.numbers.rounded = before or rounded
        return " ".join(terms), rounded

    def inequality(self, a: Sequence[sympy.Rational], b: sympy.Rational) -> str:
        return self.affine(a, b)[0] + (r" \ge 0" if self.fmt == "latex" else " >= 0")

    def forms(self, matrix: Any, offset: Any) -> list[str]:
        """``y = …`` per output; ``≈`` (``\\approx``) when a coefficient is rounded."""
        out = []
        for i, o in enumerate(self.outs):
            body, rounded = self.affine([matrix[i, j] for j in range(matrix.cols)], offset[i])
            rel = ("\\approx" if self.fmt == "latex" else "≈") if rounded else "="
            out.append(f"{o} {rel} {body}")
        return out

    def note(self) -> str | None:
        """The one rounding note of the document, or None when every number is exact."""
        if not self.numbers.rounded:
            return None
        approx = "$\\approx$" if self.fmt == "latex" else "≈"
        return (f"Decimals are rounded to {self.numbers.digits} significant digits (forms with one are written "
                f"with {approx}); the exact rationals are in to_json().")


@dataclass(frozen=True)
class _Entry:
    index: int
    pattern: str
    groups: tuple[str, ...]
    forms: tuple[str, ...]
    inequalities: tuple[str, ...]


def _groups(regs: Any, pattern: Sequence[int]) -> tuple[str, ...]:
    """The pattern split by hidden layer (or into blocks of 8 when the layers do not account for it)."""
    widths = [layer.width for layer in regs.network.layers[:-1]]
    if sum(widths) != len(pattern) or not widths:
        widths = [8] * (len(pattern) // 8) + ([len(pattern) % 8] if len(pattern) % 8 else [])
    out, start = [], 0
    for w in widths:
        out.append("".join(map(str, pattern[start:start + w])))
        start += w
    return tuple(g for g in out if g) or ("-",)


def _entries(regs: Any, w: _Writer, max_regions: int) -> list[_Entry]:
    out = []
    for index, reg in enumerate(regs):
        if index >= max_regions:
            break
        ineq = tuple(w.inequality(a, b) for a, b in reg.inequalities)
        forms = tuple(w.forms(reg.matrix, reg.offset))
        out.append(_Entry(index + 1, "".join(map(str, reg.pattern)) or "-", _groups(regs, reg.pattern), forms, ineq))
    return out


def _domain(regs: Any, fmt: str) -> str:
    d = regs.domain
    if d["kind"] == "space":
        return rf"\mathbb{{R}}^{{{int(regs.network.p)}}}" if fmt == "latex" else f"R^{regs.network.p}"
    if d["kind"] == "box":
        parts = [f"[{lo}, {hi}]" for lo, hi in d["box"]]
        return (r" \times ".join(parts)) if fmt == "latex" else " x ".join(parts)
    return "the polytope A x <= b" if fmt != "latex" else r"\{x : Ax \le b\}"


def _header(regs: Any) -> str:
    affine = " (one affine map on the whole domain)" if regs.is_affine else ""
    return f"{len(regs)} linear region(s) of {regs.network!r} on {_domain(regs, 'text')}{affine}"


def _wrap(head: str, items: Sequence[str], indent: int) -> list[str]:
    """``head`` then ``items`` joined by ", ", broken between items at :data:`TEXT_WIDTH` columns."""
    lines, line = [], head
    for k, item in enumerate(items):
        piece = item + ("," if k < len(items) - 1 else "")
        if len(line) + 1 + len(piece) > TEXT_WIDTH and line.strip():
            lines.append(line)
            line = " " * indent + piece
        else:
            line += (" " if line else "") + piece
    lines.append(line)
    return lines


def to_text(regs: Any, *, max_regions: int = MAX_REGIONS_SHOWN, digits: int | None = DEFAULT_DIGITS) -> str:
    """Plain text: a header, then one entry per region (pattern, form, inequalities), wrapped at 78 columns."""
    w = _Writer(regs, "text", digits)
    out = [_header(regs)]
    for e in _entries(regs, w, max_regions):
        where = ", ".join(e.inequalities) or "everywhere"
        line = f"  region {e.index} [{e.pattern}]: {'; '.join(e.forms)}   where {where}"
        if len(line) <= TEXT_WIDTH:
            out.append(line)
            continue
        out += _wrap(f"  region {e.index} [{e.pattern}]:", [f + ";" for f in e.forms[:-1]] + [e.forms[-1]], 6)
        out += _wrap("      where", list(e.inequalities) or ["everywhere"], 8)
    if len(regs) > max_regions:
        out.append(f"  ... and {len(regs) - max_regions} more region(s) (all of them are in to_json())")
    note = w.note()
    if note is not None:
        out += textwrap.wrap(note, TEXT_WIDTH, initial_indent="  ", subsequent_indent="  ")
    return "\n".join(out)


def to_markdown(regs: Any, *, max_regions: int = MAX_REGIONS_SHOWN, digits: int | None = DEFAULT_DIGITS) -> str:
    """Markdown: a table with one row per region, math in ``$...$``."""
    w = _Writer(regs, "latex", digits)
    out = [
        _header(regs).replace(_domain(regs, "text"), f"${_domain(regs, 'latex')}$"),
        "",
        "| region | pattern | piecewise regression | where |",
        "|---|---|---|---|",
    ]
    for e in _entries(regs, w, max_regions):
        where = ", ".join(f"${i}$" for i in e.inequalities) or "everywhere"
        out.append(f"| {e.index} | `{' '.join(e.groups)}` | {', '.join(f'${f}$' for f in e.forms)} | {where} |")
    if len(regs) > max_regions:
        out.append(f"| ... | | {len(regs) - max_regions} more region(s), all in `to_json()` | |")
    note = w.note()
    if note is not None:
        out += ["", note.replace("to_json()", "`to_json()`")]
    return "\n".join(out)


def _latex_rows(regs: Any, w: _Writer, max_regions: int) -> list[str]:
    rows = []
    for e in _entries(regs, w, max_regions):
        chunks = [g[k:k + 8] for g in e.groups for k in range(0, len(g), 8)] if max(map(len, e.groups)) > 12 \
            else list(e.groups)
        pattern = r"\allowbreak\ ".join(r"\texttt{" + g + "}" for g in chunks)
        forms = r"\newline ".join(f"${f}$" for f in e.forms)
        # a line may break after a sign, never between the relation and its 0
        where = ", ".join("$" + i.replace(r"\ge 0", r"\ge\nobreak 0") + "$" for i in e.inequalities) or "everywhere"
        rows.append(rf"{e.index} & {pattern} & {forms}\newline where {where} \\[2pt]")
    return rows


def _table(regs: Any, w: _Writer, max_regions: int) -> str:
    """The regions as a ``longtable``: region, pattern (by layer), form and wrapped facets."""
    rows = _latex_rows(regs, w, max_regions)
    if len(regs) > max_regions:
        rows.append(rf"\multicolumn{{3}}{{@{{}}l}}{{\dots\ and {len(regs) - max_regions} more region(s), "
                    r"all in \texttt{to\_json()}} \\")
    head = r"region & pattern & form, and where it holds \\ \hline"
    return "\n".join([
        r"\begin{longtable}{@{}r>{\raggedright\arraybackslash\small}p{2.4cm}"
        r">{\raggedright\arraybackslash}p{\dimexpr\linewidth-2.4cm-3.6em-4\tabcolsep\relax}@{}}",
        head, r"\endfirsthead", head, r"\endhead",
        *rows,
        r"\end{longtable}",
    ])


def to_latex(
    regs: Any, *, document: bool = False, max_regions: int = MAX_REGIONS_SHOWN, digits: int | None = DEFAULT_DIGITS
) -> str:
    """LaTeX: a sentence, then a ``longtable`` of the regions (needs ``array`` and ``longtable``).

    A complete document with ``document=True`` (:data:`REGIONS_PREAMBLE`).
    """
    w = _Writer(regs, "latex", digits, slash=True)
    table = _table(regs, w, max_regions)
    affine = " The network is one affine map on the whole domain." if regs.is_affine else ""
    head = rf"The network has {len(regs)} linear region(s) on ${_domain(regs, 'latex')}$.{affine}"
    note = w.note()
    body = head + ("\n" + note.replace("to_json()", r"\texttt{to\_json()}") if note else "") + "\n\n" + table
    if not document:
        return body
    return _document("The linear regions of the network", body)


def _document(title: str, body: str) -> str:
    return REGIONS_PREAMBLE + "\\begin{document}\n\n\\section*{" + title + "}\n\n" + body + "\n\n\\end{document}\n"


# ------------------------------------------------------------------ proofs
def _claim(proof: Any, fmt: str) -> list[str]:
    w = _Writer(proof.regions, fmt, DEFAULT_DIGITS)
    return w.forms(proof.matrix, proof.offset)


def proof_text(proof: Any) -> str:
    """The derivation of a piecewise proof: regions cover R^p, every region has one form, so the net is that form."""
    regs = proof.regions
    claim = "; ".join(_claim(proof, "text"))
    return "\n".join(
        [
            f"Claim: {claim} for every x in {_domain(regs, 'text')}.",
            f"Step 1 (cover_by_regions): the {len(regs)} activation region(s) below cover {_domain(regs, 'text')}: "
            "across every facet of every region lies a listed region or the domain boundary "
            "(checked by the kernel, no LP).",
            "Step 2 (affine_on_domain): on every region the network is the same affine map:",
            to_text(regs),
            f"Conclusion: the network is one multiple linear regression, {claim}.",
        ]
    )


def proof_markdown(proof: Any) -> str:
    """The derivation of a piecewise proof as Markdown."""
    regs = proof.regions
    claim = ", ".join(f"${c}$" for c in _claim(proof, "latex"))
    return "\n".join(
        [
            f"**Claim.** {claim} on ${_domain(regs, 'latex')}$.",
            "",
            f"1. *cover_by_regions*: the {len(regs)} activation region(s) cover the domain (facet–neighbour closure).",
            "2. *affine_on_domain*: every region has the same form:",
            "",
            to_markdown(regs),
            "",
            f"**Conclusion.** The network is one multiple linear regression: {claim}.",
        ]
    )


def proof_latex(proof: Any, *, document: bool = False) -> str:
    """The derivation of a piecewise proof as LaTeX."""
    regs = proof.regions
    claim = r",\quad ".join(_claim(proof, "latex"))
    body = (
        r"\paragraph{Claim.} On $" + _domain(regs, "latex") + r"$ the network is one affine map:" + "\n"
        + r"\[" + claim + r"\]" + "\n"
        + r"\paragraph{Regions.} [\texttt{cover\_by\_regions}, \texttt{affine\_on\_domain}] "
        + "The activation regions cover the domain (across every facet of every region lies a listed region or "
        + "the domain boundary), and on every region the network is the same affine map.\n"
        + to_latex(regs)
        + "\n\n" + r"\paragraph{Conclusion.} The network is one multiple linear regression, $" + claim + "$."
    )
    if not document:
        return body
    return _document("A piecewise-linear network that is one affine map", body)


# ------------------------------------------------------------------ picture
def _clip(poly: list[tuple[float, float]], a: Sequence[float], b: float) -> list[tuple[float, float]]:
    """Sutherland-Hodgman: the part of the polygon where a . x + b >= 0 (floats: for drawing only)."""
    out = []
    for i, cur in enumerate(poly):
        prev = poly[i - 1]
        fc, fp = a[0] * cur[0] + a[1] * cur[1] + b, a[0] * prev[0] + a[1] * prev[1] + b
        if fc >= 0:
            if fp < 0:
                t = fp / (fp - fc)
                out.append((prev[0] + t * (cur[0] - prev[0]), prev[1] + t * (cur[1] - prev[1])))
            out.append(cur)
        elif fp >= 0:
            t = fp / (fp - fc)
            out.append((prev[0] + t * (cur[0] - prev[0]), prev[1] + t * (cur[1] - prev[1])))
    return out


def _colour(pattern: Sequence[int]) -> tuple[float, float, float]:
    digest = hashlib.sha256(bytes(pattern)).digest()
    return (0.25 + 0.7 * digest[0] / 255, 0.25 + 0.7 * digest[1] / 255, 0.25 + 0.7 * digest[2] / 255)


def plot(
    regs: Any,
    path: str | None = None,
    *,
    window: Sequence[tuple[Any, Any]] | None = None,
    ax: Any = None,
    label: bool = True,
) -> Any:
    """Draw a 2-input network's regions coloured by pattern; save to ``path`` (PNG, PDF, SVG) when given.

    ``window`` (default: the box domain, else [-5, 5]^2) bounds unbounded regions.
    Returns the matplotlib Figure.  Needs matplotlib (not a core dependency).
    """
    if regs.network.p != 2:
        raise InvalidArgument(f"plot draws networks with 2 inputs; this one has {regs.network.p}")
    import matplotlib

    if path is not None:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.patches import Polygon

    if window is None:
        window = (
            [(float(decode_rational(lo, "box")), float(decode_rational(hi, "box"))) for lo, hi in regs.domain["box"]]
            if regs.domain["kind"] == "box"
            else [(-5, 5), (-5, 5)]
        )
    (x0, x1), (y0, y1) = [(float(lo), float(hi)) for lo, hi in window]
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 5))
    else:
        fig = ax.figure
    for index, reg in enumerate(regs):
        poly = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
        for a, b in reg.inequalities:
            poly = _clip(poly, [float(a[0]), float(a[1])], float(b))
            if not poly:
                break
        if len(poly) < 3:
            continue
        ax.add_patch(Polygon(poly, closed=True, facecolor=_colour(reg.pattern), edgecolor="black", linewidth=0.6))
        if label and len(regs) <= 60:
            cx, cy = sum(p[0] for p in poly) / len(poly), sum(p[1] for p in poly) / len(poly)
            ax.text(cx, cy, str(index + 1), ha="center", va="center", fontsize=7)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    names = [f"${sympy.latex(s)}$" for s in regs.network.inputs]
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.set_title(f"{len(regs)} linear regions")
    if path is not None:
        fig.savefig(path, bbox_inches="tight")
    return fig
