"""Many plain symbols and matrices of them, made fast (``symnet.dense`` at millions of weights).

``sympy.Symbol(name)`` costs about 4 us (its cache, its assumption
bookkeeping); at 2.5 million weights that is ten seconds before any work.
:func:`plain_symbols` makes Symbols equal (same name, same assumptions, same
hash) to ``sympy.Symbol(name)``, sharing one assumptions record, in about a
third of the time; :func:`symbol_matrix` wraps them in an ``ImmutableMatrix``
without re-reading every entry through ``sympify``.

>>> a, b = plain_symbols(["a", "b_{1,2}"])
>>> a == sympy.Symbol("a") and hash(b) == hash(sympy.Symbol("b_{1,2}"))
True
>>> symbol_matrix([a, b], 1, 2)
Matrix([[a, b_{1,2}]])

Importing this module also teaches sympy's code printers (``sympy.pycode``,
``sympy.ccode``, ``sympy.lambdify`` and every other printer built on
``CodePrinter``) symnet's names: a symbol whose name is LaTeX such as
``b_{1,2}`` or ``b^{(2)}_{1,0}`` and would print as no identifier is written
as :func:`code_identifier` spells it.  The symbols themselves (their names,
``str``, ``sympy.latex``, equality, hashing, pickling) do not change.

>>> sympy.pycode(b * sympy.Symbol("c_1")), sympy.ccode(b + 1), sympy.latex(b)
('b_1_2*c_1', 'b_1_2 + 1', 'b_{1,2}')
"""

from __future__ import annotations

import difflib
import gc
import keyword
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import sympy
from sympy.core.basic import Basic
from sympy.core.containers import Tuple
from sympy.core.expr import Expr
from sympy.polys.domains import EXRAW
from sympy.polys.matrices import DomainMatrix
from sympy.polys.matrices.sdm import SDM
from sympy.printing.codeprinter import CodePrinter

from ..errors import InvalidType, UnknownName

__all__ = [
    "C_KEYWORDS",
    "SymbolMatrix",
    "code_identifier",
    "find_symbol",
    "flat_entries",
    "install_code_printer_names",
    "paused_gc",
    "plain_symbols",
    "symbol_matrix",
]


def plain_symbols(names: Iterable[str]) -> list[sympy.Symbol]:
    """Commutative Symbols with these names and no other assumption, equal to ``sympy.Symbol(name)``.

    They share one assumptions record: facts sympy deduces for a plain
    symbol (``is_real`` is None, ``is_commutative`` is True, ...) depend only
    on its assumptions, never on its name, so sharing them changes nothing.
    Names are not checked here; callers make valid names.
    """
    template = sympy.Symbol.__xnew__(sympy.Symbol, "template")  # uncached: its records are ours alone
    kb, orig, frozen = template._assumptions, template._assumptions_orig, template._assumptions0
    if template._hashable_content() != ("template", *frozen) or not isinstance(frozen, tuple):
        return [sympy.Symbol(name) for name in names]  # a sympy whose Symbol is laid out otherwise: the plain way
    new, cls = Expr.__new__, sympy.Symbol
    out: list[sympy.Symbol] = []
    append = out.append
    with paused_gc():
        for name in names:
            obj = new(cls)
            obj.name = name
            obj._assumptions = kb
            obj._assumptions_orig = orig
            obj._assumptions0 = frozen
            obj._mhash = hash(("Symbol", name, *frozen))  # what Basic.__hash__ computes from _hashable_content
            append(obj)
    return out


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cycle collector while millions of long-lived, acyclic objects are made.

    Every object made stays reachable (symbols, matrices, certificates), so a
    collection would find nothing; at millions of objects each full collection
    rescans all of them (about half of ``dense(500, [500]*10)``'s time).
    Reference counting still frees everything as usual.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


class SymbolMatrix(sympy.ImmutableDenseMatrix):  # type: ignore[misc]
    """An ImmutableMatrix of sympy expressions whose ``DomainMatrix`` is made on first use.

    It is an ordinary ``ImmutableMatrix`` (indexing, equality, arithmetic,
    printing); reading its entries in order (``flat()``, iteration, ``args``)
    uses the tuple it was made from, and only operations that need sympy's
    sparse representation build it.  At ``dense(500, [500]*10)`` that saves
    a dict per row of every layer and factor (about a third of the memory).
    """

    @property
    def _rep(self) -> DomainMatrix:
        rep = self.__dict__.get("_lazy_rep")
        if rep is None:
            rep = self.__dict__["_lazy_rep"] = _sparse(self.args[2].args, self._rows, self._cols)
        return rep

    @_rep.setter
    def _rep(self, value: DomainMatrix) -> None:
        self.__dict__["_lazy_rep"] = value

    def flat(self) -> list[sympy.Expr]:
        return list(self.args[2].args)

    def __iter__(self) -> Iterator[sympy.Expr]:
        return iter(self.args[2].args)

    def __hash__(self) -> int:
        # Basic hashes the class name with the contents: hash as the ImmutableMatrix it equals
        return hash(("ImmutableDenseMatrix",) + self._hashable_content())


def _sparse(flat: Sequence[sympy.Expr], rows: int, cols: int) -> DomainMatrix:
    zero = sympy.S.Zero
    dod = {}
    for i in range(rows):
        row = {j: e for j, e in enumerate(flat[i * cols : (i + 1) * cols]) if e is not zero}
        if row:
            dod[i] = row
    return DomainMatrix.from_rep(SDM(dod, (rows, cols), EXRAW))


def symbol_matrix(flat: Sequence[sympy.Expr], rows: int, cols: int) -> sympy.ImmutableMatrix:
    """The ImmutableMatrix of the row-major sympy expressions ``flat``, without ``sympify`` per entry.

    Entries must already be sympy expressions (zeros are ``S.Zero``, as sympy
    makes every zero); the result equals ``ImmutableMatrix(rows, cols, flat)``
    and makes sympy's own representation only when an operation needs it.
    """
    obj = Basic.__new__(SymbolMatrix, sympy.Integer(rows), sympy.Integer(cols), Tuple(*flat, sympify=False))
    obj._rows = rows
    obj._cols = cols
    return obj


def flat_entries(m: sympy.MatrixBase) -> tuple[sympy.Expr, ...]:
    """The entries of a matrix row by row (an ImmutableMatrix's own tuple, no copy)."""
    if isinstance(m, sympy.ImmutableDenseMatrix):
        return tuple(m.args[2].args)
    return tuple(m.flat())


# ------------------------------------------------------------ code printers
#: The keywords of C99, which no generated identifier may be.
C_KEYWORDS = frozenset(
    "auto break case char const continue default do double else enum extern float for goto if inline int long "
    "register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while "
    "_Bool _Complex _Imaginary".split()
)
_LAYER = re.compile(r"\^\{\(([0-9]+)\)\}")
_INDEX = re.compile(r"_\{([^{}]*)\}")
_ASCII_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def code_identifier(name: str) -> str:
    """An identifier of Python and C for a symbol name: ``b_{1,0}`` -> ``b_1_0``, ``b^{(2)}_{1,2}`` -> ``b2_1_2``.

    A layer superscript ``^{(l)}`` joins the stem, an index ``_{i,j}``
    becomes ``_i_j``, any other character that cannot appear in an identifier
    becomes ``_`` (runs collapsed, trailing ones dropped); a leading digit
    gets a leading ``_``, and ``_`` alone or a Python or C keyword a trailing
    ``_``.  Names that are identifiers already are kept.

    >>> [code_identifier(n) for n in ("b_{1,0}", "b^{(2)}_{1,2}", "c_1", "lambda")]
    ['b_1_0', 'b2_1_2', 'c_1', 'lambda_']
    """
    text = _LAYER.sub(r"\1", name)
    text = _INDEX.sub(lambda m: "_" + m.group(1).replace(",", "_"), text)
    text = re.sub(r"[^0-9A-Za-z_]", "_", text)
    text = re.sub(r"_+", "_", text)
    text = text.rstrip("_") if text.rstrip("_") else text
    text = text or "_"
    if text[0].isdigit():
        text = "_" + text
    if text == "_" or keyword.iskeyword(text) or text in C_KEYWORDS:
        text += "_"
    return text


_SYMPY_PRINT_SYMBOL = CodePrinter._print_Symbol


def _print_symbol(printer: CodePrinter, expr: sympy.Symbol, **kwargs: object) -> str:
    """``CodePrinter._print_Symbol``, spelling a LaTeX-subscripted name that is no identifier by code_identifier."""
    name = str(_SYMPY_PRINT_SYMBOL(printer, expr, **kwargs))
    if "{" not in name or _ASCII_IDENTIFIER.match(name):
        return name
    ident = code_identifier(expr.name)
    if ident in printer.reserved_words:
        ident += printer._settings["reserved_word_suffix"]
    return ident


def install_code_printer_names() -> None:
    """Make sympy's code printers write symnet's LaTeX names as identifiers (done when symnet is imported).

    It replaces ``sympy.printing.codeprinter.CodePrinter._print_Symbol`` by a
    wrapper that changes only what would not be an identifier anyway: a name
    holding ``{`` whose printed form is no ASCII identifier (sympy's Python
    printer writes ``b_{1,2}`` as ``b_1,2``, its C printer as ``b_{1,2}``).
    Every other symbol prints as before.  Idempotent.
    """
    if CodePrinter._print_Symbol is not _print_symbol:
        CodePrinter._print_Symbol = _print_symbol


install_code_printer_names()


# ------------------------------------------------------------ lookup by name
def find_symbol(
    name: object, symbols: Sequence[sympy.Symbol], what: str = "parameter", others: Sequence[sympy.Symbol] = ()
) -> sympy.Symbol:
    """The symbol of ``symbols`` named ``name``, in any of its spellings; :class:`~symnet.errors.UnknownName` else.

    ``name`` is the symbol's own name (``b_{1,2}``), or the same with the
    braces left out (``b_1,2``, as sympy's Python printer used to write it)
    or as an identifier (``b_1_2``, see :func:`code_identifier`); a spelling
    two symbols share is refused, naming both.  ``others`` are symbols that are
    not ``what`` (the inputs): naming one says so.  The error lists the
    closest names there are.
    """
    if not isinstance(name, str):
        raise InvalidType(f"name={name!r} of type {type(name).__name__} must be a str such as 'b_{{1,2}}'")
    by_name = {s.name: s for s in symbols}
    found = by_name.get(name)
    if found is not None:
        return found
    key = code_identifier(name)
    matches = [s for s in symbols if code_identifier(s.name) == key]
    if len(matches) == 1:
        return matches[0]
    if matches:
        listed = ", ".join(s.name for s in matches)
        raise UnknownName(f"{name!r} names more than one {what}: {listed}", name=name)
    if any(s.name == name or code_identifier(s.name) == key for s in others):
        raise UnknownName(f"{name!r} is an input, not a {what}", name=name)
    near = tuple(difflib.get_close_matches(name, list(by_name), n=5, cutoff=0.5))
    hint = f"; did you mean {', '.join(near)}?" if near else f"; there are {len(by_name)} {what}s"
    raise UnknownName(f"no {what} named {name!r}{hint}", name=name, near=near)
