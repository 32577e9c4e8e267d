"""Symbol names: the one place that says which names symnet accepts and how each output format spells them.

A name is untrusted text (it comes from a document, an imported model or a
user).  The grammar of a symnet name is ASCII only::

    name   := head (("_" | "^") index)*
    head   := letter (letter | digit)*  |  "\\" greek
    index  := (letter | digit)+  |  "{" (letter | digit | "," | "(" | ")" | "+" | "-" | " " | "\\" greek)* "}"

so ``x_1``, ``b_{1,2}``, ``c_k``, ``b^{(2)}_{1,0}``, ``W^{(l)}_{k,j}``,
``\\alpha_1`` and plain identifiers are names; ``\\input{/etc/hostname}``,
``a"b``, ``x%`` and ``x_{\\def}`` are not.  :func:`check_name` validates at a
boundary (the grammar itself is :mod:`symnet.grammar`, which the trusted base
loads without the printers below); every printer spells a name through this module as well, so a
name that slipped past a boundary is refused (LaTeX) or escaped (Coq,
Python/C, Markdown) where it is printed:

* :func:`latex_name` -- the name as LaTeX (safe by the grammar), and
  :func:`check_tex`, which refuses any LaTeX that uses a control word outside
  a fixed list, ``%``, ``#``, ``$``, ``^^``, an HTML tag or unbalanced braces;
* :func:`coq_identifier` and :func:`coq_comment`;
* :func:`python_identifier` and :func:`c_identifier`;
* :func:`markdown_text` and :func:`markdown_code`.

Every identifier map here is injective.
"""

from __future__ import annotations

import keyword
import re

import sympy

from .errors import InvalidArgument
from .grammar import GREEK, MAX_NAME, is_name

__all__ = [
    "GREEK",
    "MAX_NAME",
    "TEX_COMMANDS",
    "c_identifier",
    "check_name",
    "check_tex",
    "coq_comment",
    "coq_identifier",
    "is_name",
    "latex_name",
    "markdown_code",
    "markdown_text",
    "python_identifier",
]

#: Control words :func:`check_tex` lets through: what symnet's renderers and sympy's printer write for
#: symnet's expressions.  None of them reads or writes a file or redefines anything.
TEX_COMMANDS = GREEK | frozenset(
    """left right frac tfrac dfrac cdot cdots ldots dots vdots ddots times sqrt max min operatorname mathrm mathbf
    mathit mathbb text textrm texttt textbf textit quad qquad sum prod underbrace overbrace underset overset hat
    widehat tilde widetilde bar overline vec mid leq geq le ge neq lt gt in notin infty exp log ln sin cos tan
    sinh cosh tanh arcsin arccos arctan begin end bmatrix matrix pmatrix array aligned align cases limits
    displaystyle textstyle scriptstyle small footnotesize big Big bigl bigr Bigl Bigr langle rangle lfloor rfloor
    lceil rceil vert Vert lvert rvert cup cap setminus subset subseteq forall exists mapsto to rightarrow
    leftarrow Rightarrow Leftarrow iff implies pm mp ast star circ bullet prime partial nabla ell emptyset
    blacksquare square checkmark colon approx equiv sim simeq cong propto perp parallel hline hphantom vphantom
    phantom ne neg lnot land lor wedge vee oplus otimes odot boldsymbol bm sign""".split()
)
_CONTROL_WORD = re.compile(r"\\([A-Za-z]+)")
_HTML = re.compile(r"<[A-Za-z/!?]")


def check_name(name: object, where: str = "name") -> str:
    """``name`` itself when it is a symnet name; InvalidArgument otherwise."""
    if not is_name(name):
        shown = repr(name)[:60]
        raise InvalidArgument(
            f"{where}={shown} is not a symnet name (ASCII letters and digits, '_' and '^' indices such as "
            "'x_1', 'b_{1,2}', 'b^{(2)}_{1,0}', Greek letters as '\\alpha')"
        )
    assert isinstance(name, str)
    return name


def check_tex(tex: str, where: str = "LaTeX") -> str:
    """``tex`` itself when it is safe to print inside math mode; InvalidArgument otherwise.

    Safe: every control word is in :data:`TEX_COMMANDS`, braces balance, and
    there is no unescaped ``%``, ``#`` or ``$``, no ``^^`` (TeX's character
    code notation) and nothing that opens an HTML tag.
    """
    for m in _CONTROL_WORD.finditer(tex):
        if m.group(1) not in TEX_COMMANDS and _unescaped(tex, m.start()):
            raise InvalidArgument(f"{where}: refusing to print the LaTeX control word \\{m.group(1)[:40]}")
    depth = 0
    for i, ch in enumerate(tex):
        if ch in "%#$" and _unescaped(tex, i):
            raise InvalidArgument(f"{where}: refusing to print an unescaped {ch!r} in LaTeX")
        if ch in "{}" and _unescaped(tex, i):
            depth += 1 if ch == "{" else -1
            if depth < 0:
                raise InvalidArgument(f"{where}: unbalanced braces in LaTeX")
    if depth:
        raise InvalidArgument(f"{where}: unbalanced braces in LaTeX")
    if "^^" in tex or _HTML.search(tex):
        raise InvalidArgument(f"{where}: refusing to print {'^^' if '^^' in tex else 'an HTML tag'} in LaTeX")
    return tex


def _unescaped(text: str, i: int) -> bool:
    """True when the character at ``i`` is not escaped by an odd run of backslashes before it."""
    k = i
    while k > 0 and text[k - 1] == "\\":
        k -= 1
    return (i - k) % 2 == 0


def latex_name(name: object, where: str = "name") -> str:
    """The LaTeX of a symnet name (``b_{1,2}`` -> ``b_{1,2}``, ``x_12`` -> ``x_{12}``); InvalidArgument otherwise."""
    return check_tex(sympy.latex(sympy.Symbol(check_name(name, where))), where)


# ---------------------------------------------------------------- identifiers
def _escape_identifier(name: str, prefix: str) -> str:
    """``prefix`` + the name with ``_`` written ``__`` and any other non-alphanumeric character ``_<hex>_``.

    Injective: ``__`` and ``_<hex>_`` never decode ambiguously (a hex code is
    followed by ``_`` and never starts with ``_``).
    """
    out = [prefix]
    for ch in name:
        if ch.isascii() and ch.isalnum():
            out.append(ch)
        elif ch == "_":
            out.append("__")
        else:
            out.append(f"_{ord(ch):x}_")
    return "".join(out)


def coq_identifier(name: str) -> str:
    """A Coq identifier for any string: ``s_`` + an injective ASCII encoding (never a keyword)."""
    return _escape_identifier(str(name), "s_")


def python_identifier(name: str) -> str:
    """A Python identifier for any string (``b_{1,2}`` -> ``s_b___7b_1_2c_2_7d_``): injective, never a keyword."""
    ident = _escape_identifier(str(name), "s_")
    assert ident.isidentifier() and not keyword.iskeyword(ident)
    return ident


def c_identifier(name: str) -> str:
    """A C identifier for any string (the encoding of :func:`python_identifier`; no C keyword starts ``s_``)."""
    return _escape_identifier(str(name), "s_")


def coq_comment(text: str) -> str:
    """A Coq comment holding ``text``; no name can close it early or open a string inside it.

    Coq lexes string literals inside comments, so ``"`` becomes ``'``;
    ``(*`` and ``*)`` are broken up; control characters and non-ASCII
    characters become ``?``.
    """
    safe = "".join(ch if (" " <= ch <= "~") else "?" for ch in str(text)).replace('"', "'")
    while "(*" in safe or "*)" in safe:
        safe = safe.replace("(*", "( *").replace("*)", "* )")
    return f"(* {safe} *)"


# ---------------------------------------------------------------- Markdown
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>~$|&])")


def markdown_text(text: str) -> str:
    """``text`` for Markdown prose: on one line, with every character that opens emphasis, code, a link,
    math, a table cell or HTML backslash-escaped."""
    flat = " ".join(str(text).splitlines())
    return _MD_SPECIAL.sub(r"\\\1", flat)


def markdown_code(text: str) -> str:
    """``text`` as an inline code span whose fence is longer than any run of backticks inside it."""
    flat = " ".join(str(text).splitlines())
    runs = [len(r) for r in re.findall(r"`+", flat)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or not flat else ""
    return f"{fence}{pad}{flat}{pad}{fence}"
