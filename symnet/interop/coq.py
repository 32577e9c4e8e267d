"""Export symnet certificates to Coq, so that Coq's kernel re-checks them.

``proof.to_coq()`` (this module's :func:`proof_to_coq`) writes a ``.v`` file
that states the network's collapse identity in terms a reader recognises --
the layers as matrices, the claimed W* and b* -- and proves it layer by layer,
following the certificate's own steps: one lemma for ``read_output_layer``,
one per ``substitute_layer``, then ``conclude_linear_form``, which
instantiates the general theorem ``collapse`` of the shipped library
``SymnetLinear.v`` (any depth, any widths, by induction on the depth).  There
is never one flat ``ring`` over the whole expansion: each lemma compares the
entries of one stated matrix (``ring`` on small entries, or one boolean
computation for numeric networks, whose entries are exact rationals).

``GenericProof.to_coq()`` (:func:`generic_to_coq`) states the collapse of a
network of symbolic size for all sizes, with the rules of
``SymnetGeneric.v``; ``Counterexample.to_coq()`` (:func:`counterexample_to_coq`)
states the two points, the exact defect and that no affine map fits.

Only what symnet's kernel accepted is exported: every function calls the
object's ``check()`` first.  Symbol names are mapped to Coq identifiers
injectively (:func:`coq_identifiers`).  The exporter reads the certificate's
data (``proof.certificate``), never rendered text.

The statement is built first as a small intermediate representation
(:class:`Term`, :class:`LinearStatement`), which a Lean printer could also
emit (``Matrix.mulVec`` and ``AffineMap.comp`` in mathlib); this module holds
the Coq printer.

>>> import symnet
>>> text = symnet.prove(symnet.dense(1, [1])).to_coq()
>>> "Theorem net_collapse" in text
True

This module imports sympy and symnet's data modules only; nothing heavy at
import time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from importlib import resources
from typing import Any

import flint
import sympy

from ..cost import show
from ..errors import SymnetError
from ..names import coq_comment, coq_identifier

__all__ = [
    "CoqExportError",
    "LIBRARIES",
    "LinearStatement",
    "Term",
    "coq_identifiers",
    "counterexample_to_coq",
    "generic_to_coq",
    "library_path",
    "library_text",
    "proof_to_coq",
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


class CoqExportError(SymnetError, ValueError):
    """The object cannot be exported to Coq (unsupported expression, route or size)."""


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
        return f"(* ===== {name}.v (shipped with symnet), inlined so this file checks on its own ===== *)\n{body}\n(* ===== end of {name}.v ===== *)\n"
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
        if e.is_Rational:
            memo[id(e)] = Term("num", Fraction(int(e.p), int(e.q)))
        elif e.is_Float:
            r = sympy.Rational(e)
            memo[id(e)] = Term("num", Fraction(int(r.p), int(r.q)))
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
        raise CoqExportError(f"the certificate's expressions exceed {MAX_TERM_NODES} printed nodes; too large to export")
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
_COMMON_NAMES = frozenset("R Q Z nat list bool Prop Type Set true false cons nil length nth map repeat hd tl IZR Q2R pow "
                          "Rmax Rmin Rabs Rplus Rmult Ropp Rinv Rdiv Rle_dec Rcase_abs Qmake".split())

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


# ------------------------------------------------------- the statement IR
@dataclass(frozen=True)
class LayerIR:
    """One layer: weights (rows of Terms), biases, and the activation.

    ``body`` is the activation's formula in its variable (``None`` for the
    identity); ``slope`` and ``intercept`` are the affine coefficients the
    certificate states (hidden layers only).
    """

    weights: tuple[tuple[Term, ...], ...]
    biases: tuple[Term, ...]
    variable: str
    body: Term | None
    label: str
    slope: Term | None = None
    intercept: Term | None = None


@dataclass(frozen=True)
class LinearStatement:
    """A linear certificate as data a printer (Coq now, Lean later) turns into a checked file.

    ``layers`` lists every layer, input side first (the last is the output
    layer); ``output_row`` is the stated C, ``factors`` the stated P_L .. P_1
    in certificate order; ``claim`` is ``(W*, b*)`` for an explicit claim or
    ``None`` for a product claim (W*, b* are the blocks of C P_L ... P_1).
    ``numeric`` is True when every entry is a rational number.
    """

    p: int
    q: int
    layers: tuple[LayerIR, ...]
    output_row: tuple[tuple[Term, ...], ...]
    factors: tuple[tuple[tuple[Term, ...], ...], ...]
    claim: tuple[tuple[tuple[Term, ...], ...], tuple[Term, ...]] | None
    numeric: bool
    description: str


def _rows(m: Any, budget: list[int]) -> tuple[tuple[Term, ...], ...]:
    return tuple(tuple(to_term(m[i, j], budget=budget) for j in range(m.cols)) for i in range(m.rows))


def linear_statement(proof: Any) -> LinearStatement:
    """The :class:`LinearStatement` of a :class:`~symnet.Proof`, after the kernel has re-checked it."""
    from ..proof import Proof

    if not isinstance(proof, Proof):
        raise CoqExportError(f"expected a symnet.Proof, got {type(proof).__name__}")
    proof.check()  # raises CertificateError: only what the kernel accepted is exported
    cert = proof.certificate
    if "layerwise" not in cert.claim.routes:
        raise CoqExportError(
            "the certificate has no layer-wise route (only expand_and_compare); the Coq export follows the "
            "layer-wise steps and never proves the whole expansion with one flat ring"
        )
    net = cert.network
    inputs = {s.name for s in net.inputs}
    budget = [MAX_TERM_NODES]
    chain: list[Any] = []
    started = False
    for step in cert.steps:
        if step.rule == "read_output_layer":
            chain, started = [step], True
        elif step.rule == "substitute_layer" and started:
            chain.append(step)
        elif step.rule == "conclude_linear_form" and started:
            break
    out_step, subs = chain[0], chain[1:]
    slopes = {s.layer: (to_term(s.slope, budget=budget), to_term(s.intercept, budget=budget)) for s in subs}
    layers = []
    for index, layer in enumerate(net.layers, start=1):
        act = layer.activation
        body = None if act.is_identity else to_term(act.expr, budget=budget)
        slope, intercept = slopes.get(index, (None, None))
        layers.append(
            LayerIR(
                _rows(layer.weights, budget),
                tuple(to_term(v, budget=budget) for v in layer.biases),
                act.variable.name,
                body,
                act.label(),
                slope,
                intercept,
            )
        )
    claim = None
    if cert.claim.form == "explicit":
        assert cert.claim.matrix is not None and cert.claim.offset is not None
        claim = (_rows(cert.claim.matrix, budget), tuple(to_term(v, budget=budget) for v in cert.claim.offset))
    output_row = _rows(out_step.matrix, budget)
    factors = tuple(_rows(s.matrix, budget) for s in subs)
    st = LinearStatement(net.p, net.q, tuple(layers), output_row, factors, claim, False, repr(net))
    names = _parameters(st)
    clash = sorted(set(names) & inputs)
    if clash:
        raise CoqExportError(f"the inputs {clash} appear inside the network's parameters")
    return LinearStatement(net.p, net.q, tuple(layers), output_row, factors, claim, not names, repr(net))


def _parameters(st: LinearStatement) -> list[str]:
    """The free symbol names of a statement, in order of first appearance (activation variables are bound)."""
    every: list[Term] = []
    for lay in st.layers:
        every += [t for r in lay.weights for t in r] + list(lay.biases)
        every += [t for t in (lay.slope, lay.intercept) if t is not None]
    every += [t for r in st.output_row for t in r] + [t for f in st.factors for r in f for t in r]
    if st.claim is not None:
        every += [t for r in st.claim[0] for t in r] + list(st.claim[1])
    names = _variables(every)
    for lay in st.layers:
        if lay.body is not None:
            names += [n for n in _variables([lay.body]) if n != lay.variable]
    return list(dict.fromkeys(names))


# ------------------------------------------------------ the linear printer


def proof_to_coq(proof: Any, *, standalone: bool = True) -> str:
    """A Coq file (text) that states and proves the proof's collapse identity, layer by layer.

    The file defines the layers, the claimed ``Wstar`` and ``bstar``, one
    lemma per step of the certificate and the theorem ``net_collapse``::

        forall x, length x = p -> eval net x = affine Wstar bstar x

    ``standalone=True`` inlines the library ``SymnetLinear.v`` so that
    ``coqc Net.v`` checks the file on its own; with ``False`` the file
    starts ``From Symnet Require Import SymnetLinear.`` (compile the shipped
    library with ``coqc -Q DIR Symnet DIR/SymnetLinear.v``).  Symbolic
    networks are stated over R with their parameters as section variables;
    numeric ones over exact rationals (``Q``, read into R by ``Q2R``).
    Raises CertificateError if the kernel rejects the certificate,
    CoqExportError if it cannot be exported.
    """
    st = linear_statement(proof)
    return _print_linear(st, standalone)


def _print_linear(st: LinearStatement, standalone: bool) -> str:
    L = len(st.layers) - 1  # hidden layers
    params = _parameters(st)
    reserved = {f"W_{i}" for i in range(1, L + 2)} | {f"b_{i}" for i in range(1, L + 2)}
    reserved |= {f"layer_{i}" for i in range(1, L + 2)} | {f"act_{i}" for i in range(1, L + 2)}
    reserved |= {f"P_{i}" for i in range(1, L + 2)} | {"net", "substitutions", "product", "read_output_layer"}
    reserved |= {f"substitute_layer_{i}" for i in range(1, L + 2)} | {"net_collapse", "Net", "NetParameters", "Par"}
    idents = coq_identifiers(params, reserved | _LIBRARY_NAMES)
    # the activations' bound variable gets its own name: t, or t<n> if that is taken
    taken = set(idents.values()) | reserved | _COQ_KEYWORDS
    bound = next(v for v in ["t"] + [f"t{i}" for i in range(1, len(taken) + 2)] if v not in taken)
    numeric = st.numeric
    tac = "entries"
    R = _Printer(idents, "R")
    Qp = _Printer(idents, "Q") if numeric else R
    out: list[str] = []
    out.append(_comment(f"Generated by symnet from a kernel-checked certificate: {st.description}."))
    out.append(_comment(
        "The network's collapse identity, proved layer by layer as the certificate states it: "
        "read_output_layer, one substitute_layer per hidden layer, conclude_linear_form. "
        "Check with: coqc THIS_FILE.v"
    ))
    out.append("")
    out.append("From Coq Require Import Reals List Lra QArith Qreals.")
    out.append(_prelude("SymnetLinear", standalone))
    out.append("Import ListNotations.")
    out.append("Open Scope R_scope.")
    out.append("")
    if params:
        out.append(_comment("The network's parameters, arbitrary reals (symnet name -> Coq name): "
                            + ", ".join(f"{n} -> {idents[n]}" for n in params[:50])
                            + (" ..." if len(params) > 50 else "")
                            + ". Net below is a functor over them: its theorem holds for every value of every parameter."))
        out.append("Module Type NetParameters.")
        for i in range(0, len(params), 12):
            out.append("  Parameters " + " ".join(idents[n] for n in params[i : i + 12]) + " : R.")
        out.append("End NetParameters.")
        out.append("")
        out.append("Module Net (Import Par : NetParameters).")
    else:
        out.append("Module Net.")
    out.append("")
    mat_t = "list (list Q)" if numeric else "matrix"
    vec_t = "list Q" if numeric else "vector"
    liftM = (lambda s: f"(liftM {s})") if numeric else (lambda s: s)
    liftV = (lambda s: f"(liftV {s})") if numeric else (lambda s: s)
    if numeric:
        out.append("Open Scope Q_scope.")
    for i, lay in enumerate(st.layers, start=1):
        kind = "the output layer" if i == L + 1 else f"hidden layer {i}"
        out.append(_comment(f"Layer {i} ({kind}): W_{i} is {len(lay.weights)} x {len(lay.weights[0])}, activation {lay.label}."))
        out.append(f"Definition W_{i} : {mat_t} :=\n  {_matrix_text(lay.weights, Qp)}.")
        out.append(f"Definition b_{i} : {vec_t} := {_vector_text(lay.biases, Qp)}.")
    if numeric:
        out.append("Close Scope Q_scope.")
    for i, lay in enumerate(st.layers, start=1):
        if lay.body is None:
            out.append(f"Definition act_{i} ({bound} : R) : R := {bound}.")
        else:
            pr = _Printer({**idents, lay.variable: bound}, "R")
            out.append(f"Definition act_{i} ({bound} : R) : R := {pr(lay.body)}.")
        out.append(f"Definition layer_{i} : layer := mk_layer {liftM(f'W_{i}')} {liftV(f'b_{i}')} act_{i}.")
    out.append("Definition net : list layer := " + _row([f"layer_{i}" for i in range(1, L + 2)]) + ".")
    out.append("")
    # the claim
    if st.claim is not None:
        W, b = st.claim
        if numeric:
            out.append("Open Scope Q_scope.")
        out.append(_comment(f"The claim: the network computes x |-> Wstar x + bstar, Wstar being {st.q} x {st.p}."))
        out.append(f"Definition Wstar : {mat_t} :=\n  {_matrix_text(W, Qp)}.")
        out.append(f"Definition bstar : {vec_t} := {_vector_text(b, Qp)}.")
        if numeric:
            out.append("Close Scope Q_scope.")
    # the steps' data
    if numeric:
        out.append("Open Scope Q_scope.")
    out.append(_comment("read_output_layer: the stated output row C = [b_L+1 | W_L+1]."))
    out.append(f"Definition C : {mat_t} :=\n  {_matrix_text(st.output_row, Qp)}.")
    hidden_order = list(range(L, 0, -1))
    for layer_no, factor in zip(hidden_order, st.factors, strict=True):
        out.append(_comment(f"substitute_layer {layer_no}: the stated factor P_{layer_no} = [[1, 0], [a b_{layer_no} + d, a W_{layer_no}]]."))
        out.append(f"Definition P_{layer_no} : {mat_t} :=\n  {_matrix_text(factor, Qp)}.")
    if numeric:
        out.append("Close Scope Q_scope.")
    factors_list = _row([f"P_{l}" for l in hidden_order])
    lifted_factors = _row([liftM(f"P_{l}") for l in hidden_order])
    if st.claim is None:
        out.append(_comment("The claim in product form: [bstar | Wstar] = C P_L ... P_1, as the certificate states it."))
        out.append(f"Definition Wstar : matrix := map (@tl R) (prod {liftM('C')} {lifted_factors}).")
        out.append(f"Definition bstar : vector := map (hd 0) (prod {liftM('C')} {lifted_factors}).")
    out.append("")
    # step lemmas
    out_i = L + 1
    out.append(_comment(f"Step read_output_layer: the output layer {out_i} reads y_hat = C (1, y)."))
    out.append(f"Lemma read_output_layer : forall y, eval_layer layer_{out_i} y = mv {liftM('C')} (1 :: y).")
    if numeric:
        out.append(f"Proof. apply (read_output_Q W_{out_i} b_{out_i} act_{out_i} C); [intros {bound}; reflexivity | vm_compute; reflexivity]. Qed.")
    else:
        out.append(
            f"Proof. apply (read_output_spec W_{out_i} b_{out_i} act_{out_i} C); [intros {bound}; reflexivity | ].\n"
            f"  cbv beta iota delta [C bcols zip_with W_{out_i} b_{out_i}]. {tac}. Qed."
        )
    for layer_no in hidden_order:
        lay = st.layers[layer_no - 1]
        n = len(lay.weights[0])
        assert lay.slope is not None and lay.intercept is not None
        out.append(_comment(f"Step substitute_layer {layer_no}: its activation is t |-> a t + d, so (1, u_{layer_no}) = P_{layer_no} (1, u_{layer_no - 1})."))
        out.append(f"Lemma substitute_layer_{layer_no} : forall u, 1 :: eval_layer layer_{layer_no} u = mv {liftM(f'P_{layer_no}')} (1 :: u).")
        if numeric:
            a, d = Qp(lay.slope), Qp(lay.intercept)
            if lay.body is None:
                hyp = f"intros {bound}; unfold act_{layer_no}; apply act_id_Q"
            else:
                hyp = f"intros {bound}; unfold act_{layer_no}, Q2R; cbn [Qnum Qden]; field"
            out.append(f"Proof. apply (substitute_Q {a}%Q {d}%Q W_{layer_no} b_{layer_no} {n}%nat act_{layer_no} P_{layer_no}); [{hyp} | vm_compute; reflexivity]. Qed.")
        elif lay.body is None and _is_one(lay.slope) and _is_zero(lay.intercept):
            out.append(
                f"Proof. apply (substitute_id_spec W_{layer_no} b_{layer_no} {n}%nat act_{layer_no} P_{layer_no}); [intros {bound}; reflexivity | ].\n"
                f"  first [reflexivity | cbv beta iota delta [P_{layer_no} aug_id bcols zip_with repeat W_{layer_no} b_{layer_no}]; {tac}]. Qed."
            )
        else:
            a, d = R(lay.slope), R(lay.intercept)
            out.append(
                f"Proof. apply (substitute_spec {a} {d} W_{layer_no} b_{layer_no} {n}%nat act_{layer_no} P_{layer_no}); [intros {bound}; unfold act_{layer_no}; entry | ].\n"
                f"  cbv beta iota delta [P_{layer_no} aug vscale map zip_with repeat W_{layer_no} b_{layer_no}]. {tac}. Qed."
            )
    # the chain lemma
    term = "chain_nil"
    for layer_no in range(1, L + 1):
        term = f"(chain_step _ _ layer_{layer_no} _ {term} substitute_layer_{layer_no})"
    hidden_list = _row([f"layer_{i}" for i in range(1, L + 1)])
    out.append(_comment("The substitutions chain together: (1, u_L) = P_L ... P_1 (1, x)."))
    out.append(f"Lemma substitutions : chain {hidden_list} {lifted_factors}.")
    out.append(f"Proof. exact {term}. Qed.")
    out.append("")
    # conclusion
    wstar = liftM("Wstar") if st.claim is not None else "Wstar"
    bstar = liftV("bstar") if st.claim is not None else "bstar"
    if st.claim is not None:
        out.append(_comment("Step conclude_linear_form: the claim is the product C P_L ... P_1."))
        if numeric:
            out.append(f"Lemma product : meqb (prodQ C {factors_list}) (bcolsQ bstar Wstar) = true.")
            out.append("Proof. vm_compute. reflexivity. Qed.")
        else:
            out.append(f"Lemma product : prod C {factors_list} = bcols bstar Wstar.")
            defs = " ".join(["C", "Wstar", "bstar"] + [f"P_{l}" for l in hidden_order])
            out.append(f"Proof. cbv beta iota delta [prod mm vm vadd vscale map bcols zip_with {defs}]. {tac}. Qed.")
    out.append("")
    out.append(_comment(f"The theorem: for every input x of length {st.p}, the network's output is Wstar x + bstar."))
    out.append(f"Theorem net_collapse : forall x : vector, length x = {st.p}%nat -> eval net x = affine {wstar} {bstar} x.")
    out.append("Proof.")
    out.append(f"  intros x _. change net with ({hidden_list} ++ [layer_{out_i}]).")
    out.append("  rewrite (collapse _ _ _ _ read_output_layer substitutions x).")
    if st.claim is None:
        out.append("  apply conclude_product.")
    elif numeric:
        out.append(f"  exact (conclude_Q C {factors_list} Wstar bstar product x).")
    else:
        out.append("  apply conclude_explicit. exact product.")
    out.append("Qed.")
    out.append("")
    if params:
        out.append(_comment("Only the parameters above and the standard axioms of Coq's reals may be listed here."))
        if len(params) <= MAX_LISTED_PARAMETERS:
            out.append("Print Assumptions net_collapse.")
        else:  # listing tens of thousands of parameters takes longer than the proof
            out.append(_comment(f"{len(params)} parameters: run Print Assumptions net_collapse. here to list them."))
    out.append("End Net.")
    if not params:
        out.append("")
        out.append(_comment("Only the standard axioms of Coq's reals may be listed here."))
        out.append("Print Assumptions Net.net_collapse.")
    return "\n".join(out) + "\n"


def _is_one(t: Term) -> bool:
    return t.kind == "num" and t.value == 1


def _is_zero(t: Term) -> bool:
    return t.kind == "num" and t.value == 0


_GENERIC_LIBRARY_NAMES = frozenset(
    """sum_plus sum_scale sum_zero sum_ext sum_swap mv_vadd mv_vscale mv_madd mv_mscale mv_vzero mv_mzero mv_mm
    rule_read_output_layer rule_substitute_layer rule_multiply_augmented rule_apply_output_row rule_conclude_linear_form
    functional_extensionality x u y""".split()
)
_GENERIC_NAMES = frozenset(
    """vec mat sum mv mm vadd vscale madd mscale ones vzero mzero vmap layer aff output net Wstar bstar lin_push
    lin_solve""".split()
)


class _GenericPrinter:
    """Prints the matrix expressions (Lin) of a generic certificate in SymnetGeneric.v's terms."""

    def __init__(self, idents: Mapping[str, str], budget: list[int]) -> None:
        self.idents = idents
        self.scalar = _Printer(idents, "R")
        self.budget = budget

    def size(self, n: sympy.Expr) -> str:
        if n.is_Integer:
            return f"{int(n)}%nat"
        return self.idents[n.name]

    def atom(self, a: Any) -> str:
        if a.name.startswith("1["):
            return "ones"
        return self.idents[a.name]

    @staticmethod
    def is_leaf(a: Any) -> bool:
        return a.name.startswith(("b_", "1["))

    def word(self, word: Sequence[Any], vector: bool) -> str:
        if vector:
            if not self.is_leaf(word[-1]) or any(self.is_leaf(a) for a in word[:-1]):
                raise CoqExportError(f"the vector term {[a.name for a in word]} is not matrices applied to a bias or 1")
            out = self.atom(word[-1])
            for a in reversed(word[:-1]):
                out = f"(mv {self.size(a.cols)} {self.atom(a)} {out})"
            return out
        if any(self.is_leaf(a) for a in word):
            raise CoqExportError(f"the matrix term {[a.name for a in word]} contains a vector")
        out = self.atom(word[-1])
        for a in reversed(word[:-1]):
            out = f"(mm {self.size(a.cols)} {self.atom(a)} {out})"
        return out

    def lin(self, x: Any, vector: bool) -> str:
        if not x.terms:
            return "vzero" if vector else "mzero"
        parts = []
        for word, coeff in x.terms:
            body = self.word(word, vector)
            t = to_term(coeff, budget=self.budget)
            if not _is_one(t):
                body = f"({'vscale' if vector else 'mscale'} {self.scalar(t)} {body})"
            parts.append(body)
        out = parts[-1]
        for part in reversed(parts[:-1]):
            out = f"({'vadd' if vector else 'madd'} {part} {out})"
        return out


def generic_to_coq(proof: Any, *, standalone: bool = True) -> str:
    """A Coq file stating a generic proof's collapse for every size, proved step by step from the rules.

    The sizes (``p``, ``h``, ...) are section variables of type ``nat`` and
    the layers' matrices and biases arbitrary functions, so the theorem
    ``net_collapse : forall x, net x = vadd (mv p Wstar x) bstar`` holds,
    after the section closes, for all sizes and all weights.  Each step of
    the certificate is one lemma proved from its rule in ``SymnetGeneric.v``
    (the rank bound, ``factor_rank``, is not exported).  Raises
    CertificateError if symnet's generic kernel rejects the certificate.
    """
    from ..kernel.generic import affine_coefficients
    from ..search.generic import GenericProof

    if not isinstance(proof, GenericProof):
        raise CoqExportError(f"expected a symnet.GenericProof, got {type(proof).__name__}")
    proof.check()
    net = proof.network
    L = net.depth
    budget = [MAX_TERM_NODES]
    coeffs = [affine_coefficients(a) for a in net.activations]
    sizes = [s.name for s in net.size_symbols]
    atoms = [net.weight(l).name for l in range(1, L + 2)] + [net.bias(l).name for l in range(1, L + 2)]
    act_terms = [None if a.is_identity else to_term(a.expr, budget=budget) for a in net.activations]
    params: list[str] = []
    for activation, coeff in zip(net.activations, coeffs, strict=True):
        assert coeff is not None  # the kernel accepted: every activation is affine
        params += [s.name for s in activation.parameters]
    params = list(dict.fromkeys(params))
    reserved = set(_GENERIC_NAMES) | {f"act_{l}" for l in range(1, L + 1)} | {f"layer_{l}" for l in range(1, L + 1)}
    reserved |= {f"step_{r}" for r in ("read_output_layer", "apply_output_row", "conclude_linear_form")}
    idents = coq_identifiers(sizes + atoms + params, reserved | _GENERIC_LIBRARY_NAMES)
    taken = set(idents.values())
    bound = "t" if "t" not in taken else next(f"t{i}" for i in range(1, 10**6) if f"t{i}" not in taken)
    gp = _GenericPrinter(idents, budget)
    sz = gp.size
    out: list[str] = []
    out.append(_comment(f"Generated by symnet from a kernel-checked generic certificate: {net!r}."))
    out.append(_comment(
        "The collapse identity for EVERY value of the sizes, proved step by step from the rules of "
        "SymnetGeneric.v. Check with: coqc THIS_FILE.v"
    ))
    out.append("")
    out.append("From Coq Require Import Reals Lra FunctionalExtensionality.")
    out.append(_prelude("SymnetGeneric", standalone))
    out.append("Open Scope R_scope.")
    out.append("")
    out.append("Section Generic.")
    if sizes:
        out.append(_comment("The symbolic sizes: any natural numbers."))
        out.append("Variables " + " ".join(idents[n] for n in sizes) + " : nat.")
    out.append(_comment("The layers' weights and biases: any matrices and vectors of those sizes."))
    for l in range(1, L + 2):
        out.append(f"Variables ({idents[net.weight(l).name]} : mat) ({idents[net.bias(l).name]} : vec).")
    if params:
        out.append("Variables " + " ".join(idents[n] for n in params) + " : R.")
    for l in range(1, L + 1):
        act_term = act_terms[l - 1]
        var = net.activations[l - 1].variable.name
        body = bound if act_term is None else _Printer({**idents, var: bound}, "R")(act_term)
        out.append(f"Definition act_{l} ({bound} : R) : R := {body}.")
        out.append(
            f"Definition layer_{l} (u : vec) : vec := layer {sz(net.sizes[l - 1])} "
            f"{idents[net.weight(l).name]} {idents[net.bias(l).name]} act_{l} u."
        )
    out.append(
        f"Definition output (y : vec) : vec := vadd (mv {sz(net.sizes[L])} {idents[net.weight(L + 1).name]} y) "
        f"{idents[net.bias(L + 1).name]}."
    )
    inner = "x"
    for l in range(1, L + 1):
        inner = f"(layer_{l} {inner})"
    out.append(f"Definition net (x : vec) : vec := output {inner}.")
    out.append("")
    out.append(_comment(f"The claim: y_hat = Wstar x + bstar with Wstar = {_lin_plain(proof.matrix)}, bstar = {_lin_plain(proof.offset)}."))
    out.append(f"Definition Wstar : mat := {gp.lin(proof.matrix, False)}.")
    out.append(f"Definition bstar : vec := {gp.lin(proof.offset, True)}.")
    out.append("")
    rewrites: list[str] = []
    factors: dict[int, tuple[str, str]] = {}
    acc: tuple[str, str] | None = None  # the (v, M) of layers 1..l so far
    final: tuple[str, str] | None = None
    out_row = ("", "")
    for step in proof.steps:
        rule, l, value = step.rule, step.layer, step.value
        if rule == "read_output_layer":
            out.append(_comment("read_output_layer: W u + b = [b | W] (1, u)."))
            c, C = gp.lin(value.c, True), gp.lin(value.C, False)
            out.append(f"Lemma step_read_output_layer : forall y, output y = aff {sz(net.sizes[L])} {c} {C} y.")
            out.append("Proof. intros y. unfold output. rewrite rule_read_output_layer. lin_solve. Qed.")
            out_row = (c, C)
        elif rule == "substitute_layer":
            a, d = coeffs[l - 1]  # type: ignore[misc]
            at, dt = gp.scalar(to_term(a, budget=budget)), gp.scalar(to_term(d, budget=budget))
            V, M = gp.lin(value.v, True), gp.lin(value.M, False)
            out.append(_comment(f"substitute_layer {l}: (1, a (W u + b) + d 1) = [[1, 0], [a b + d 1, a W]] (1, u)."))
            out.append(f"Lemma step_substitute_layer_{l} : forall u, layer_{l} u = aff {sz(net.sizes[l - 1])} {V} {M} u.")
            out.append(
                f"Proof. intros u. unfold layer_{l}.\n"
                f"  rewrite (rule_substitute_layer {sz(net.sizes[l - 1])} {idents[net.weight(l).name]} "
                f"{idents[net.bias(l).name]} act_{l} {at} {dt} u) by (intros {bound}; unfold act_{l}; ring).\n"
                "  lin_solve. Qed."
            )
            rewrites.append(f"step_substitute_layer_{l}")
            if l == 1:
                acc = (V, M)
            factors[l] = (V, M)
        elif rule == "multiply_augmented":
            assert acc is not None
            V, M = factors[l]
            nv, nm = gp.lin(value.v, True), gp.lin(value.M, False)
            out.append(_comment(f"multiply_augmented {l}: [[1, 0], [c, V]] [[1, 0], [v, M]] = [[1, 0], [c + V v, V M]]."))
            out.append(
                f"Lemma step_multiply_augmented_{l} : forall u, aff {sz(net.sizes[l - 1])} {V} {M} "
                f"(aff {sz(net.p)} {acc[0]} {acc[1]} u) = aff {sz(net.p)} {nv} {nm} u."
            )
            out.append("Proof. intros u. rewrite rule_multiply_augmented. lin_solve. Qed.")
            rewrites.append(f"step_multiply_augmented_{l}")
            acc = (nv, nm)
        elif rule == "apply_output_row":
            assert acc is not None
            c, C = out_row
            nc, nC = gp.lin(value.c, True), gp.lin(value.C, False)
            out.append(_comment("apply_output_row: [c | C] [[1, 0], [v, M]] = [c + C v | C M]."))
            out.append(
                f"Lemma step_apply_output_row : forall u, aff {sz(net.sizes[L])} {c} {C} "
                f"(aff {sz(net.p)} {acc[0]} {acc[1]} u) = aff {sz(net.p)} {nc} {nC} u."
            )
            out.append("Proof. intros u. rewrite rule_apply_output_row. lin_solve. Qed.")
            final = (nc, nC)
        elif rule == "conclude_linear_form":
            c, C = final if final is not None else out_row
            out.append(_comment("conclude_linear_form: [c | C] (1, x) = C x + c."))
            out.append(f"Lemma step_conclude_linear_form : forall x, aff {sz(net.p)} {c} {C} x = vadd (mv {sz(net.p)} Wstar x) bstar.")
            out.append("Proof. intros x. rewrite rule_conclude_linear_form. unfold Wstar, bstar. lin_solve. Qed.")
        elif rule == "factor_rank":
            out.append(_comment("factor_rank (the rank bound of Wstar) is checked by symnet's generic kernel and not exported."))
    out.append("")
    out.append(_comment("The theorem: for all sizes, all weights and every input x, the network computes Wstar x + bstar."))
    out.append(f"Theorem net_collapse : forall x, net x = vadd (mv {sz(net.p)} Wstar x) bstar.")
    steps = rewrites + ["step_read_output_layer"] + (["step_apply_output_row"] if L else [])
    out.append(f"Proof.\n  intros x. unfold net.\n  rewrite {', '.join(steps)}.\n  apply step_conclude_linear_form.\nQed.")
    out.append("")
    out.append("End Generic.")
    out.append("")
    out.append(_comment("Only the standard axioms of Coq's reals (and functional extensionality) may be listed here."))
    out.append("Print Assumptions net_collapse.")
    return "\n".join(out) + "\n"


def _lin_plain(x: Any) -> str:
    """A Lin as plain text for a comment (``c_0 + C b_0``)."""
    if not x.terms:
        return "0"
    parts = []
    for word, coeff in x.terms:
        w = " ".join(a.txt or a.name for a in word)
        parts.append(w if coeff == 1 else f"({sympy.sstr(coeff)}) {w}")
    return " + ".join(parts)


_PL_FUNCTIONS = ("Max", "Min", "Abs")


def _exact_value(e: sympy.Expr, where: str) -> Fraction:
    if isinstance(e, sympy.Basic) and e.is_Float:
        e = sympy.Rational(e)
    if not (isinstance(e, sympy.Basic) and e.is_Rational):
        raise CoqExportError(f"{where} = {show(e, 60)} is not an exact rational")
    return Fraction(int(e.p), int(e.q))


def counterexample_to_coq(cx: Any, *, standalone: bool = True) -> str:
    """A Coq file that states and proves a counterexample: the two points, the exact defect, and non-affinity.

    The network is written with the counterexample's exact weights; the file
    proves, layer by layer, the exact values at u, v and m = (u + v)/2, then

        nth k (eval net m) 0 - (nth k (eval net u) 0 + nth k (eval net v) 0) / 2 = defect

    and ``~ exists W b, forall x, eval net x = affine W b x`` (an affine map
    would send the midpoint to the midpoint).  Activations must be polynomial
    or piecewise linear (max, min, absolute value); others raise
    CoqExportError.  The counterexample is re-checked by symnet first.
    """
    from ..search.refutation import Counterexample

    if not isinstance(cx, Counterexample):
        raise CoqExportError(f"expected a symnet.Counterexample, got {type(cx).__name__}")
    cx.check()  # CertificateError unless symnet's checker accepts it
    net = cx.network
    subs = {s: sympy.Rational(v) for s, v in cx.weights.items()}
    budget = [MAX_TERM_NODES]
    layers = []
    for index, layer in enumerate(net.layers, start=1):
        W = tuple(
            tuple(to_term(_rational_expr(layer.weights[i, j].xreplace(subs), f"layer {index} weight ({i + 1}, {j + 1})"), budget=budget)
                  for j in range(layer.fan_in))
            for i in range(layer.width)
        )
        b = tuple(to_term(_rational_expr(layer.biases[i].xreplace(subs), f"layer {index} bias {i + 1}"), budget=budget)
                  for i in range(layer.width))
        act = layer.activation
        body = act.expr.xreplace({k: v for k, v in subs.items() if k != act.variable})
        free = body.free_symbols - {act.variable}
        if free:
            raise CoqExportError(f"layer {index}'s activation has unassigned parameters {sorted(map(str, free))}")
        layers.append((W, b, act.variable, None if act.is_identity else to_term(body, budget=budget, allowed=_PL_FUNCTIONS), act.label()))
    u, v = ([_exact_value(c, "a coordinate") for c in pt] for pt in cx.points)
    m = [(a + c) / 2 for a, c in zip(u, v, strict=True)]
    traces = {name: _forward(net, subs, pt) for name, pt in (("u", u), ("v", v), ("m", m))}
    k = cx.output
    fu, fv, fm = (traces[n][-1][1][k] for n in ("u", "v", "m"))
    defect = fm - (fu + fv) / 2
    if defect == 0:  # pragma: no cover - cx.check() has excluded this
        raise CoqExportError("the defect is zero")
    pr = _Printer({}, "R")
    num = lambda f: pr.num(f)  # noqa: E731
    vec = lambda xs: _row([num(f) for f in xs])  # noqa: E731
    L = len(layers)
    out: list[str] = []
    out.append(_comment(f"Generated by symnet from a checked counterexample: {net!r} is not affine in x."))
    if cx.weights:
        items = [(s, cx.weights[s]) for s in net.parameters if s in cx.weights]
        out.append(_comment("The weights: " + ", ".join(f"{s.name} = {val}" for s, val in items[:200])
                            + (" ..." if len(items) > 200 else "")))
    out.append(_comment(f"Output {k + 1} breaks the midpoint rule of affine maps at u and v. Check with: coqc THIS_FILE.v"))
    out.append("")
    out.append("From Coq Require Import Reals List Lra QArith Qreals.")
    out.append(_prelude("SymnetLinear", standalone))
    out.append("Import ListNotations.")
    out.append("Open Scope R_scope.")
    out.append("")
    out.append("Module Refutation.")
    for i, (W, b, var, body, label) in enumerate(layers, start=1):
        out.append(_comment(f"Layer {i}: activation {label}."))
        out.append(f"Definition W_{i} : matrix :=\n  {_matrix_text(W, pr)}.")
        out.append(f"Definition b_{i} : vector := {_vector_text(b, pr)}.")
        if body is None:
            out.append(f"Definition act_{i} (t : R) : R := t.")
        else:
            out.append(f"Definition act_{i} (t : R) : R := {_Printer({var.name: 't'}, 'R')(body)}.")
        out.append(f"Definition layer_{i} : layer := mk_layer W_{i} b_{i} act_{i}.")
    out.append("Definition net : list layer := " + _row([f"layer_{i}" for i in range(1, L + 1)]) + ".")
    out.append("")
    out.append(f"Definition u : vector := {vec(u)}.")
    out.append(f"Definition v : vector := {vec(v)}.")
    out.append(f"Definition m : vector := {vec(m)}.")
    out.append("Lemma midpoint_uv : midpoint u v = m.")
    out.append("Proof. cbv beta iota delta [midpoint zip_with u v m]. split_entries; lra. Qed.")
    out.append("Lemma same_length : length u = length v.")
    out.append("Proof. reflexivity. Qed.")
    for name, trace in traces.items():
        out.append("")
        out.append(_comment(f"The network at {name}, layer by layer (pre-activations Z, outputs Y)."))
        prev = name
        for i, (z, y) in enumerate(trace, start=1):
            out.append(f"Definition Z_{name}_{i} : vector := {vec(z)}.")
            out.append(f"Definition Y_{name}_{i} : vector := {vec(y)}.")
            out.append(f"Lemma value_{name}_{i} : eval_layer layer_{i} {prev} = Y_{name}_{i}.")
            out.append(
                f"Proof. unfold layer_{i}. rewrite eval_layer_map. transitivity (map act_{i} Z_{name}_{i}).\n"
                f"  - f_equal. cbv beta iota delta [zip_with dot W_{i} b_{i} {prev} Z_{name}_{i}]. split_entries; lra.\n"
                f"  - cbv beta iota delta [map act_{i} Z_{name}_{i} Y_{name}_{i}]. split_entries; pl_entry.\n"
                "Qed."
            )
            prev = f"Y_{name}_{i}"
        rewrites = ", ".join(f"value_{name}_{i}" for i in range(1, L + 1))
        out.append(f"Lemma eval_{name} : eval net {name} = Y_{name}_{L}.")
        out.append(f"Proof. unfold net. cbn [eval]. rewrite {rewrites}. reflexivity. Qed.")
    out.append("")
    out.append(_comment(f"The exact defect f(m) - (f(u) + f(v))/2 of output {k + 1}: {defect}."))
    ks = f"{k}%nat"
    out.append(f"Lemma defect : nth {ks} (eval net (midpoint u v)) 0 - (nth {ks} (eval net u) 0 + nth {ks} (eval net v) 0) / 2 = {num(defect)}.")
    out.append(f"Proof. rewrite midpoint_uv, eval_m, eval_u, eval_v. cbv beta iota delta [nth Y_m_{L} Y_u_{L} Y_v_{L}]. lra. Qed.")
    out.append("")
    out.append(_comment("The refutation: no affine map x |-> W x + b equals the network."))
    out.append("Theorem not_affine : ~ exists W b, forall x, eval net x = affine W b x.")
    out.append(f"Proof.\n  apply (midpoint_refutes net u v {ks} same_length).\n  intros H. pose proof defect as D. rewrite H in D. lra.\nQed.")
    out.append("End Refutation.")
    out.append("")
    out.append(_comment("Only the standard axioms of Coq's reals may be listed here."))
    out.append("Print Assumptions Refutation.not_affine.")
    return "\n".join(out) + "\n"


def _rational_expr(e: sympy.Expr, where: str) -> sympy.Expr:
    """A weight after substitution: it must be a number (a float is its exact rational)."""
    return sympy.Rational(_exact_value(e, where).numerator, _exact_value(e, where).denominator)


def _forward(net: Any, subs: Mapping[sympy.Symbol, sympy.Expr], x: Sequence[Fraction]) -> list[tuple[list[Fraction], list[Fraction]]]:
    """Exact pre-activations and outputs of every layer at the rational point x."""
    y = [sympy.Rational(f.numerator, f.denominator) for f in x]
    trace = []
    for index, layer in enumerate(net.layers, start=1):
        W = [[sympy.Rational(_rational_expr(layer.weights[i, j].xreplace(subs), "weight")) for j in range(layer.fan_in)] for i in range(layer.width)]
        b = [_rational_expr(layer.biases[i].xreplace(subs), "bias") for i in range(layer.width)]
        z = [b[i] + sum((W[i][j] * y[j] for j in range(layer.fan_in)), sympy.Integer(0)) for i in range(layer.width)]
        act = layer.activation
        body = act.expr.xreplace({k: v for k, v in subs.items() if k != act.variable})
        new = [zk if act.is_identity else body.xreplace({act.variable: zk}) for zk in z]
        zs = [_exact_value(e, f"layer {index} pre-activation") for e in z]
        ys = [_exact_value(e, f"layer {index} output") for e in new]
        trace.append((zs, ys))
        y = [sympy.Rational(f.numerator, f.denominator) for f in ys]
    return trace
