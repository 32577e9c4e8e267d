"""LaTeX output: amsmath ``align*`` and ``bmatrix``, optionally a whole document."""

from __future__ import annotations

from ._derivation import Derivation, Inline, Line, Section
from ._math import Math, latex

latex = latex  # re-exported for the package's hooks

__all__ = ["PREAMBLE", "render"]

#: The document preamble; every package is in Debian's texlive-latex-base.
PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[a4paper,margin=2.2cm]{geometry}
\usepackage{amsmath,amssymb}
\setcounter{MaxMatrixCols}{20}
\allowdisplaybreaks
\renewcommand{\arraystretch}{1.2}
"""


def inline(items: tuple[Inline, ...]) -> str:
    out = []
    for item in items:
        if isinstance(item, Math):
            out.append("$" + latex(item) + "$")
        else:
            out.append(_escape(item))
    return "".join(out)


_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}


def _escape(s: str) -> str:
    """Text for LaTeX's text mode: every special character escaped (a name in prose cannot run a command)."""
    return "".join(_TEXT_ESCAPES.get(ch, ch) for ch in s)


def display(lines: tuple[Line, ...]) -> str:
    body = []
    for line in lines:
        if line.lhs is None:
            body.append(r"  &\quad " + latex(line.rhs))
        else:
            body.append("  " + latex(line.lhs) + " &" + line.rel + " " + latex(line.rhs))
    return "\\begin{align*}\n" + " \\\\\n".join(body) + "\n\\end{align*}"


def section(sec: Section) -> str:
    head = r"\paragraph{" + _escape(sec.title) + ".}"
    if sec.rule is not None:
        head += r" {\small [\texttt{" + _escape(sec.rule) + "}]}"
    parts = [head + (" " + inline(sec.before) if sec.before else "")]
    if sec.display:
        parts.append(display(sec.display))
    if sec.after:
        parts.append(inline(sec.after))
    return "\n".join(parts)


def render(d: Derivation, *, document: bool = False) -> str:
    """The derivation as LaTeX: a fragment, or a complete document."""
    title = inline(d.heading) if d.heading else _escape(d.title)
    body = r"\section*{" + title + "}\n\n" + "\n\n".join(section(s) for s in d.sections) + "\n"
    if not document:
        return body
    return PREAMBLE + "\\begin{document}\n\n" + body + "\n\\end{document}\n"
