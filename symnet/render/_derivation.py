"""Build the derivation of a proof as format-neutral sections.

The story is the blog post's: node outputs, matrix form with the augmented input
``x* = (1, x_1, ..., x_p)^T``, the output node ``ŷ = c^T y**``, one
substitution per hidden layer through the augmented matrix
``W~ = [[1, 0 ... 0], [W]]``, the collapse into ``(b* | W*) = c^T W~ …`` with
``ŷ = (b* | W*) x* = b* + W* x`` and the conclusion that this is a multiple
linear regression with every coefficient written out.  W* is always the
q × p matrix of weights and b* the q × 1 intercept (``proof.matrix`` and
``proof.offset``); ``(b* | W*)`` is the q × (p+1) block beside each other.
Every symbol is defined before (or in the display where) it is first used.
Each step names the certificate rule that justifies it (``rules=False`` drops
the tags); the narrative definitions are labelled ``define_layer``.

Numbers go through one :class:`~symnet.render._numbers.NumberFormat` (the
context variable :data:`NUMBERS`, set by :func:`build`): exact when short,
else rounded to ``digits`` significant digits from the exact rational, the
same in every step; the Network paragraph says so when a number was rounded.

Size rule (readable at every size, never more than a few pages), the same in
every step and every format:

* a matrix is shown entry by entry when it has at most ``MAX_SHOWN`` (8) rows
  and columns -- an augmented matrix (with the bias column or the row keeping
  the constant 1) at most ``AUG_SHOWN`` (9); a larger one shows its first two
  and last rows and columns, with ``\\vdots``, ``\\dots`` and ``\\ddots``;
* a node's sum is written term by term when it has at most ``MAX_SHOWN``
  terms, otherwise with Σ-notation;
* the coefficients β are written out term by term, in natural order, when
  there are at most ``MAX_COEFFS`` (16) of them and each has at most
  ``MAX_TERMS`` (16) terms (estimated from the widths before anything is
  expanded), always when they are numbers (the first two and last of each
  index beyond 16) or when ``explicit=True``; otherwise each is given in
  Σ-notation over the layers' entries;
* a sum longer than one line is broken across lines.

Width never changes what is shown, only how it is laid out.  Plain text has
no line wider than ``TEXT_WIDTH`` (78) characters: a display line is
``4 spaces + lhs (right-justified to the display's widest lhs, lw) + " = " +
rhs``, continuation lines start at column ``4 + lw + 4``; LaTeX lines are
measured by a typeset-width estimate (:func:`print_width`).  Within that:

* sums (and products of Σ-factors) are broken greedily, with the closing tail
  (``,   k = 1, …, h.``) kept on the last line;
* a matrix too wide for its line continues on the next lines as blocks of
  columns, the first block open on the right and the last open on the left
  (``\\left[ … \\right.`` in LaTeX); its shape note follows the last block
  or goes on a line of its own.  Only the cells shown are computed;
* a tuple such as ``c = (c_0, …)^T`` continues after a comma;
* the collapsed symbolic ``(b* | W*)`` is displayed only if it fits on its
  line, and symbolic coefficients are written out term by term only if every
  term fits on a line (else the Σ-notation is used, in the collapse step and
  in the conclusion alike); numbers are always shown;
* displays built elsewhere (generic derivations, theorems) are fitted by the
  text renderer (``_text.narrow``);
* prose is wrapped at spaces (short inline math is kept whole); a single atom
  wider than a line is cut at column 78 with a trailing ``\\``, as bc does.

The choices depend only on the proof and the options, so the same proof
always gives the same bytes.  The builder reads the proof's data only
(network, steps, claim); it never calls the engine or the kernel (for a
numeric claim kept as a product it multiplies the factors over QQ itself).

The builder is spread along the story: :mod:`~symnet.render._document` (the
format-neutral sections), :mod:`~symnet.render._atoms` (the size rule's
limits, named atoms, signed sums), :mod:`~symnet.render._layout` (measuring
and breaking lines), :mod:`~symnet.render._view` (what is read from a proof),
:mod:`~symnet.render._builder` (names and cells), :mod:`~symnet.render._steps`
(network, node outputs, matrix form, output node, substitutions) and
:mod:`~symnet.render._collapse` (collapse, conclusion, check).
"""

from __future__ import annotations

from typing import Any

from ..errors import InvalidType
from ._atoms import MAX_COEFFS, MAX_SHOWN, MAX_TERMS, NUMBERS, text_name
from ._collapse import _Builder
from ._document import Derivation, Inline, Line, Section, without_rules
from ._numbers import DEFAULT_DIGITS, NumberFormat, check_digits
from ._view import view

# The names the printers and other builders have always imported from this module.
__all__ = [
    "MAX_COEFFS",
    "MAX_SHOWN",
    "MAX_TERMS",
    "Derivation",
    "Inline",
    "Line",
    "NumberFormat",
    "Section",
    "build",
    "text_name",
    "without_rules",
]


def build(obj: Any, fmt: str = "text", *, explicit: bool = False, digits: int | None = DEFAULT_DIGITS) -> Derivation:
    """The derivation of a Proof (or certificate); ``fmt`` sets how lines are measured.

    ``explicit=True`` writes every coefficient out term by term whatever the
    size rule says (multiplying the factors out when the certificate keeps a
    product); ``digits`` is the number of significant digits of rounded
    numbers (None: every number exact), see :mod:`symnet.render._numbers`.
    """
    if not isinstance(explicit, bool):
        raise InvalidType(f"explicit must be True or False, not {type(explicit).__name__}")
    numbers = NumberFormat(check_digits(digits))
    token = NUMBERS.set(numbers)
    try:
        return _Builder(view(obj, explicit), "latex" if fmt in ("latex", "markdown") else "text").build()
    finally:
        NUMBERS.reset(token)


