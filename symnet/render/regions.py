"""The piecewise regression of a ReLU network: text, Markdown and LaTeX derivations, and a picture for 2 inputs.

One line per region: its pattern, its facet inequalities, its coefficients
``beta_0 .. beta_p``.  Size rule: at most ``max_regions`` regions are written
(default 12); the rest are counted in one closing line (every region is in
``to_json()``).  Rationals longer than ``max_digits`` characters (default 24)
are shown as a decimal marked with ``≈``; the exact value is in the JSON.

This module draws plain data only (regions, their forms and inequalities); it
never searches or checks.  matplotlib is imported only by :func:`plot`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import sympy

from ..certificate.numbers import decode_rational
from ..errors import InvalidArgument

__all__ = [
    "MAX_DIGITS",
    "MAX_REGIONS_SHOWN",
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
#: Rationals longer than this are shown as a decimal approximation marked ``≈``.
MAX_DIGITS = 24


def _num(r: sympy.Rational, digits: int, fmt: str) -> str:
    text = str(r)
    if len(text) <= digits:
        return sympy.latex(r) if fmt == "latex" else text
    approx = f"{float(r):.6g}"
    return (r"\approx " if fmt == "latex" else "≈") + approx


def _affine(
    coeffs: Sequence[sympy.Rational], const: sympy.Rational, names: Sequence[str], digits: int, fmt: str
) -> str:
    terms = []
    if const != 0 or not any(coeffs):
        terms.append(_num(const, digits, fmt))
    for c, name in zip(coeffs, names, strict=True):
        if c == 0:
            continue
        mag = _num(abs(c), digits, fmt)
        body = name if abs(c) == 1 else (f"{mag} {name}" if fmt == "latex" else f"{mag}*{name}")
        sign = "-" if c < 0 else "+"
        terms.append(f"{sign} {body}" if terms else (f"-{body}" if c < 0 else body))
    return " ".join(terms)


def _names(regs: Any, fmt: str) -> list[str]:
    return [sympy.latex(s) if fmt == "latex" else str(s) for s in regs.network.inputs]


def _outputs(regs: Any, fmt: str) -> list[str]:
    q = regs.network.q
    if fmt == "latex":
        return [r"\hat{y}"] if q == 1 else [rf"\hat{{y}}_{{{i + 1}}}" for i in range(q)]
    return ["y"] if q == 1 else [f"y_{i + 1}" for i in range(q)]


def _domain(regs: Any, fmt: str) -> str:
    d = regs.domain
    if d["kind"] == "space":
        return rf"\mathbb{{R}}^{{{int(regs.network.p)}}}" if fmt == "latex" else f"R^{regs.network.p}"
    if d["kind"] == "box":
        parts = [f"[{lo}, {hi}]" for lo, hi in d["box"]]
        return (r" \times ".join(parts)) if fmt == "latex" else " x ".join(parts)
    return "the polytope A x <= b" if fmt != "latex" else r"\{x : Ax \le b\}"


def _lines(regs: Any, fmt: str, max_regions: int, digits: int) -> list[tuple[int, str, list[str], list[str]]]:
    names, outs = _names(regs, fmt), _outputs(regs, fmt)
    lines = []
    for index, reg in enumerate(regs):
        if index >= max_regions:
            break
        ineq = [
            _affine(a, b, names, digits, fmt) + (r" \ge 0" if fmt == "latex" else " >= 0") for a, b in reg.inequalities
        ]
        forms = [
            f"{o} = " + _affine([reg.matrix[i, j] for j in range(reg.matrix.cols)], reg.offset[i], names, digits, fmt)
            for i, o in enumerate(outs)
        ]
        pattern = "".join(map(str, reg.pattern)) or "-"
        lines.append((index + 1, pattern, ineq, forms))
    return lines


def _header(regs: Any) -> str:
    affine = " (one affine map on the whole domain)" if regs.is_affine else ""
    return f"{len(regs)} linear region(s) of {regs.network!r} on {_domain(regs, 'text')}{affine}"


def to_text(regs: Any, *, max_regions: int = MAX_REGIONS_SHOWN, max_digits: int = MAX_DIGITS) -> str:
    """Plain text: a header, then one line per region (pattern, inequalities, form)."""
    out = [_header(regs)]
    for index, pattern, ineq, forms in _lines(regs, "text", max_regions, max_digits):
        where = ", ".join(ineq) or "everywhere"
        out.append(f"  region {index} [{pattern}]: {'; '.join(forms)}   where {where}")
    if len(regs) > max_regions:
        out.append(f"  ... and {len(regs) - max_regions} more region(s) (all of them are in to_json())")
    return "\n".join(out)


def to_markdown(regs: Any, *, max_regions: int = MAX_REGIONS_SHOWN, max_digits: int = MAX_DIGITS) -> str:
    """Markdown: a table with one row per region, math in ``$...$``."""
    out = [
        _header(regs).replace(_domain(regs, "text"), f"${_domain(regs, 'latex')}$"),
        "",
        "| region | pattern | piecewise regression | where |",
        "|---|---|---|---|",
    ]
    for index, pattern, ineq, forms in _lines(regs, "latex", max_regions, max_digits):
        where = ", ".join(f"${i}$" for i in ineq) or "everywhere"
        out.append(f"| {index} | `{pattern}` | {', '.join(f'${f}$' for f in forms)} | {where} |")
    if len(regs) > max_regions:
        out.append(f"| ... | | {len(regs) - max_regions} more region(s), all in `to_json()` | |")
    return "\n".join(out)


def to_latex(
    regs: Any, *, document: bool = False, max_regions: int = MAX_REGIONS_SHOWN, max_digits: int = MAX_DIGITS
) -> str:
    """LaTeX: an ``align*`` with one line per region (a complete document with ``document=True``)."""
    rows = []
    for index, pattern, ineq, forms in _lines(regs, "latex", max_regions, max_digits):
        sep = r",\ "
        where = sep.join(ineq) or r"\text{everywhere}"
        form = sep.join(forms)
        rows.append(rf"&\text{{region {index} }}(\texttt{{{pattern}}}):& {form} &&\text{{on }} {where}")
    if len(regs) > max_regions:
        rows.append(rf"&\dots& \text{{and {len(regs) - max_regions} more region(s)}}")
    head = rf"&\text{{{len(regs)} linear region(s) on }} {_domain(regs, 'latex')}\colon"
    body = r"\begin{align*}" + "\n" + " \\\\\n".join([head, *rows]) + "\n" + r"\end{align*}"
    if not document:
        return body
    return (
        "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\usepackage[margin=1in,landscape]{geometry}\n"
        "\\begin{document}\n" + body + "\n\\end{document}\n"
    )


# ------------------------------------------------------------------ proofs
def _claim(proof: Any, fmt: str) -> list[str]:
    names = _names(proof.regions, fmt)
    outs = _outputs(proof.regions, fmt)
    m, b = proof.matrix, proof.offset
    return [
        f"{o} = " + _affine([m[i, j] for j in range(m.cols)], b[i], names, MAX_DIGITS, fmt) for i, o in enumerate(outs)
    ]


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
    body = to_latex(regs) + "\n" + r"\[" + claim + r"\quad\text{on } " + _domain(regs, "latex") + r"\]"
    if not document:
        return body
    return "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\begin{document}\n" + body + "\n\\end{document}\n"


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
