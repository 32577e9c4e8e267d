"""The Coq exporter's base: shipped libraries, validated terms, identifiers and the term printer."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from importlib import resources
from typing import Any

import flint
import sympy

from ...conversion import exact_ratio
from ...cost import show
from ...errors import CoqExportError, SymnetError
from ...names import coq_comment, coq_identifier

__all__ = [
    "LIBRARIES",
    "MAX_TERM_NODES",
    "CoqExportError",
    "Term",
    "coq_identifiers",
    "coq_ratio",
    "library_path",
    "library_text",
    "to_term",
]

#: The Coq libraries shipped with symnet (``symnet/interop/coq/*.v``).
LIBRARIES = ("SymnetLinear", "SymnetGeneric")

#: Largest number of expression-tree nodes an export may print (a hostile
#: certificate's DAG could otherwise expand to an exponential tree).
MAX_TERM_NODES = 20_000_000
#: Symbolic exports with more parameters than this leave ``Print Assumptions`` to the reader
#: (listing them takes longer than checking the proof).
MAX_LISTED_PARAMETERS = 5_000
#: Largest exponent printed as ``x ^ n``.
MAX_POWER = 1_000


# ---------------------------------------------------------------- libraries
def library_path(name: str = "SymnetLinear") -> str:
    """The file system path of a shipped Coq library (``SymnetLinear`` or ``SymnetGeneric``)."""
    if name not in LIBRARIES:
        raise CoqExportError(f"name={name!r} is not a shipped Coq library (known: {', '.join(LIBRARIES)})")
    return str(resources.files("symnet.interop").joinpath("coq", f"{name}.v"))


def library_text(name: str = "SymnetLinear") -> str:
    """The text of a shipped Coq library."""
    if name not in LIBRARIES:
        raise CoqExportError(f"name={name!r} is not a shipped Coq library (known: {', '.join(LIBRARIES)})")
    return resources.files("symnet.interop").joinpath("coq", f"{name}.v").read_text(encoding="utf-8")


def _prelude(name: str, standalone: bool) -> str:
    if standalone:
        body = library_text(name)
        return (
            f"(* ===== {name}.v (shipped with symnet), inlined so this file checks on its own ===== *)\n{body}\n"
            f"(* ===== end of {name}.v ===== *)\n"
        )
    return f"From Symnet Require Import {name}.\n"


# --------------------------------------------------------------- the terms
@dataclass(frozen=True)
class Term:
    """A validated scalar expression: a rational, a variable, a sum, a product or a power.

    ``kind`` is ``"num"`` (``value`` a Fraction), ``"var"`` (``name`` the
    original symbol name), ``"add"``, ``"mul"`` (``args``) or ``"pow"``
    (``args == (base,)``, ``value`` the natural exponent).
    """

    kind: str
    value: Any = None
    name: str = ""
    args: tuple[Term, ...] = ()


_ZERO = Term("num", Fraction(0))
_ONE = Term("num", Fraction(1))


def coq_ratio(e: Any, where: str) -> tuple[int, int]:
    """:func:`symnet.conversion.exact_ratio` of a number, with CoqExportError for anything else (a symbol, NaN)."""
    try:
        return exact_ratio(e, where)
    except SymnetError:
        raise CoqExportError(f"{where} = {show(e, 60)} is not an exact rational") from None


def to_term(expr: Any, *, budget: list[int] | None = None, allowed: Iterable[str] = ()) -> Term:
    """A :class:`Term` for a sympy expression built from rationals, floats (exact), symbols, +, * and natural powers.

    Anything else (functions, symbolic or negative exponents) raises
    CoqExportError.  ``allowed`` names extra functions to keep as
    ``Term("fn", name=...)`` (``Max``, ``Min``, ``Abs``).  ``budget`` is a
    one-element list of the tree nodes still allowed (shared across calls).
    """
    if budget is None:
        budget = [MAX_TERM_NODES]
    allowed = frozenset(allowed)
    memo: dict[int, Term] = {}
    keep: list[Any] = []
    stack: list[tuple[Any, bool]] = [(expr, False)]
    while stack:
        e, ready = stack.pop()
        if id(e) in memo:
            continue
        if not isinstance(e, sympy.Basic):
            raise CoqExportError(f"cannot export {e!r} of type {type(e).__name__}")
        if e.is_Rational or e.is_Float:
            memo[id(e)] = Term("num", Fraction(*coq_ratio(e, "a number")))
        elif e.is_Symbol:
            memo[id(e)] = Term("var", name=e.name)
        else:
            if e.is_Add or e.is_Mul:
                children = list(e.args)
            elif e.is_Pow:
                if not (e.exp.is_Integer and 0 <= int(e.exp) <= MAX_POWER):
                    raise CoqExportError(f"cannot export the power {e} (only natural exponents up to {MAX_POWER})")
                children = [e.base]
            elif type(e).__name__ in allowed and isinstance(e, (sympy.Max, sympy.Min, sympy.Abs)):
                children = list(e.args)
            else:
                raise CoqExportError(f"cannot export {type(e).__name__} expression {show(e, 60)!r} to Coq")
            if not ready:
                stack.append((e, True))
                stack.extend((c, False) for c in children)
                continue
            args = tuple(memo[id(c)] for c in children)
            if e.is_Add:
                memo[id(e)] = Term("add", args=args)
            elif e.is_Mul:
                memo[id(e)] = Term("mul", args=args)
            elif e.is_Pow:
                memo[id(e)] = Term("pow", value=int(e.exp), args=args)
            else:
                memo[id(e)] = Term("fn", name=type(e).__name__, args=args)
        keep.append(e)
    term = memo[id(expr)]
    budget[0] -= _term_nodes(term, {})  # what it prints as: shared sub-terms are printed every time
    if budget[0] < 0:
        raise CoqExportError(
            f"the certificate's expressions exceed {MAX_TERM_NODES} printed nodes; too large to export"
        )
    return term


def _term_nodes(t: Term, memo: dict[int, int]) -> int:
    """The number of tree nodes ``t`` prints as (shared sub-terms counted each time)."""
    stack = [(t, False)]
    while stack:
        u, ready = stack.pop()
        if id(u) in memo:
            continue
        if not u.args:
            memo[id(u)] = 1
            continue
        if not ready:
            stack.append((u, True))
            stack.extend((a, False) for a in u.args)
            continue
        memo[id(u)] = 1 + sum(memo[id(a)] for a in u.args)
    return memo[id(t)]


def _variables(terms: Iterable[Term]) -> list[str]:
    """Variable names in order of first appearance."""
    seen: dict[str, None] = {}
    done: set[int] = set()
    stack = list(terms)[::-1]
    while stack:
        t = stack.pop()
        if id(t) in done:
            continue
        done.add(id(t))
        if t.kind == "var":
            seen.setdefault(t.name, None)
        stack.extend(reversed(t.args))
    return list(seen)


def _has_fraction(terms: Iterable[Term]) -> bool:
    done: set[int] = set()
    stack = list(terms)
    while stack:
        t = stack.pop()
        if id(t) in done:
            continue
        done.add(id(t))
        if t.kind == "num" and t.value.denominator != 1:
            return True
        stack.extend(t.args)
    return False


# ------------------------------------------------------------ identifiers
_COQ_KEYWORDS = frozenset(
    """_ as at cofix else end exists exists2 fix for forall fun if IF in let match mod return SProp Prop Set
    then Type using where with Definition Lemma Theorem Proof Qed Fixpoint Inductive Record Variable Variables
    Section End Require Import Open Scope Local Let Hypothesis Axiom Parameter Notation Ltac Module""".split()
)
_PRETTY = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _pretty(name: str) -> str:
    """``b_{1,2}`` -> ``b_1_2``, ``b^{(2)}_{1,0}`` -> ``b_2_1_0``: alphanumeric runs joined by ``_``."""
    return "_".join(re.findall(r"[A-Za-z0-9]+", name))


def coq_identifiers(names: Sequence[str], reserved: Iterable[str] = ()) -> dict[str, str]:
    """An injective map from symbol names to Coq identifiers.

    A name gets its readable form (``b_{1,2}`` -> ``b_1_2``) when that form
    is a valid identifier, no other name has the same form, and it is no
    keyword, no name in ``reserved`` (the caller's own definitions) and does
    not start with ``s_``; otherwise it is escaped: ``s_`` + an injective
    encoding.  Readable forms never start with ``s_`` and are unique, escaped
    ones are injective, so the whole map is injective.

    >>> coq_identifiers(["b_{1,2}", "c_0"])
    {'b_{1,2}': 'b_1_2', 'c_0': 'c_0'}
    >>> coq_identifiers(["b_{1,2}", "b_1_2", "fun"])
    {'b_{1,2}': 's_b___7b_1_2c_2_7d_', 'b_1_2': 's_b__1__2', 'fun': 's_fun'}
    """
    names = list(dict.fromkeys(names))
    blocked = set(reserved) | _COQ_KEYWORDS | _COMMON_NAMES
    pretty = {n: _pretty(n) for n in names}
    counts: dict[str, int] = {}
    for v in pretty.values():
        counts[v] = counts.get(v, 0) + 1
    out = {}
    for n, v in pretty.items():
        ok = _PRETTY.fullmatch(v) is not None and v not in blocked and not v.startswith("s_") and counts[v] == 1
        out[n] = v if ok else coq_identifier(n)
    return out


#: Names from Coq's standard library that the generated files use.
_COMMON_NAMES = frozenset(
    "R Q Z nat list bool Prop Type Set true false cons nil length nth map repeat hd tl IZR Q2R pow "
    "Rmax Rmin Rabs Rplus Rmult Ropp Rinv Rdiv Rle_dec Rcase_abs Qmake".split()
)

#: Identifiers SymnetLinear.v and the generated linear files define (symbols must not shadow them).
_LIBRARY_NAMES = frozenset(
    """R Q Z nat list vector matrix dot mv zip_with vadd vscale vm mm bcols layer mk_layer weights biases act eval_layer
    eval affine aug aug_id prod apply_all chain chain_nil chain_step collapse conclude_explicit conclude_product
    midpoint read_output_spec substitute_spec substitute_id_spec entries liftV liftM dotQ vaddQ vscaleQ vmQ mmQ prodQ
    bcolsQ augQ meqb veqb read_output_Q substitute_Q conclude_Q act_id_Q Q2R IZR pow Rmax Rmin Rabs Wstar bstar
    C P x y u v t m k i j n p q h relu sum vec mat ones col Rplus Rmult Ropp Rinv Rdiv length nth map repeat hd tl
    cons nil true false bool Prop Type""".split()
)


# --------------------------------------------------------------- printing
class _Printer:
    """Prints Terms as Coq over R (``3 / 4``, ``x ^ 2``) or over Q (``(3 # 4)``)."""

    def __init__(self, idents: Mapping[str, str], field: str = "R") -> None:
        self.idents = idents
        self.field = field
        self.memo: dict[int, str] = {}
        self.alive: list[Term] = []  # keeps printed Terms alive, so their ids stay unique

    def num(self, f: Fraction) -> str:
        p, q = _decimal(f.numerator), _decimal(f.denominator)
        if self.field == "Q":
            return f"({p} # {q})"
        if f.denominator == 1:
            return p if f.numerator >= 0 else f"({p})"
        return f"({p} / {q})"

    def __call__(self, t: Term) -> str:
        stack = [(t, False)]
        while stack:
            u, ready = stack.pop()
            if id(u) in self.memo:
                continue
            if u.kind == "num":
                self.alive.append(u)
                self.memo[id(u)] = self.num(u.value)
                continue
            if u.kind == "var":
                self.alive.append(u)
                self.memo[id(u)] = self.idents[u.name]
                continue
            if not ready:
                stack.append((u, True))
                stack.extend((a, False) for a in u.args)
                continue
            self.alive.append(u)
            parts = [self.memo[id(a)] for a in u.args]
            if u.kind == "add":
                self.memo[id(u)] = "(" + " + ".join(parts) + ")"
            elif u.kind == "mul":
                self.memo[id(u)] = "(" + " * ".join(parts) + ")"
            elif u.kind == "pow":
                self.memo[id(u)] = f"({parts[0]} ^ {u.value})"
            elif u.kind == "fn":
                self.memo[id(u)] = self.fn(u.name, parts)
            else:  # pragma: no cover - Terms are built by to_term only
                raise CoqExportError(f"unknown term kind {u.kind!r}")
        return self.memo[id(t)]

    @staticmethod
    def fn(name: str, parts: list[str]) -> str:
        if name == "Abs":
            return f"(Rabs {parts[0]})"
        op = "Rmax" if name == "Max" else "Rmin"
        out = parts[-1]
        for a in reversed(parts[:-1]):
            out = f"({op} {a} {out})"
        return out


def _decimal(n: int) -> str:
    """``n`` in decimal, at any length (python-flint's conversion: Python's str() stops at 4300 digits)."""
    return str(flint.fmpz(n))


def _row(items: Sequence[str]) -> str:
    return "[" + "; ".join(items) + "]"


def _matrix_text(rows: Sequence[Sequence[Term]], pr: _Printer, indent: str = "  ") -> str:
    lines = [_row([pr(t) for t in r]) for r in rows]
    if not lines:
        return "[]"
    return "[" + (";\n" + indent + " ").join(lines) + "]"


def _vector_text(items: Sequence[Term], pr: _Printer) -> str:
    return _row([pr(t) for t in items])


def _comment(text: str) -> str:
    """A Coq comment whose body cannot close early or open a string (see :func:`symnet.names.coq_comment`)."""
    return coq_comment(text)
