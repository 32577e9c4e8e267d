"""A strict reader of VNN-LIB properties as VNN-COMP writes them: input sets and linear output conditions.

VNN-LIB (an SMT-LIB dialect) states the *violation* of a property: the file
asserts an input set and a condition on the outputs; the property holds exactly
when no input in the set meets the condition.  Supported::

    (declare-const X_0 Real) ... (declare-const Y_0 Real) ...
    (assert (<= X_0 0.5))  (assert (>= X_0 0.5))        ; bounds; lo == hi fixes X_0
    (assert (<= (+ X_0 X_1) 1))                          ; a linear input constraint
    (assert (<= Y_0 Y_1))  (assert (>= (+ Y_0 (* 2 Y_1)) 3))  (assert (= Y_0 0))
    (assert (or (and (<= Y_0 Y_1) (<= Y_0 Y_2)) (and ...)))
    (assert (or (and X-bounds...) (and X-bounds...)))   ; a union of input boxes (ACAS Xu property 6)

Terms are numerals (decimal or ``1e-3`` notation, read exactly: ``0.1`` is
1/10), variables, ``(+ t ...)``, ``(- t ...)``, ``(- t)``, ``(* c t ...)`` with
at most one non-constant factor.  Several asserts are conjoined; nested
``and``/``or`` are normalised to disjunctive normal form, refused past
:data:`MAX_DISJUNCTS` conjunctions.  The text is tokenized and parsed without
recursion past :data:`MAX_DEPTH` and nothing is evaluated.  Anything else
(strict ``<``, ``not``, ``=>``, a product of variables, a constraint mixing X
and Y, an input without both bounds) raises :class:`~symnet.InvalidArgument`
naming the construct.

>>> prop = parse_vnnlib('''
... (declare-const X_0 Real) (declare-const X_1 Real) (declare-const Y_0 Real) (declare-const Y_1 Real)
... (assert (>= X_0 -1)) (assert (<= X_0 1)) (assert (<= X_1 0.5)) (assert (>= X_1 0.5))
... (assert (or (and (>= Y_0 2)) (and (<= Y_0 Y_1))))
... ''')
>>> prop.box
[(Fraction(-1, 1), Fraction(1, 1)), (Fraction(1, 2), Fraction(1, 2))]
>>> prop.disjuncts
[[([Fraction(-1, 1), Fraction(0, 1)], Fraction(2, 1))], [([Fraction(1, 1), Fraction(-1, 1)], Fraction(0, 1))]]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from fractions import Fraction

from ..errors import InvalidArgument

__all__ = ["MAX_DEPTH", "MAX_DISJUNCTS", "MAX_VNNLIB_BYTES", "VnnProperty", "parse_vnnlib", "read_vnnlib"]

#: Largest VNN-LIB text read (bytes of the file, characters of a string).
MAX_VNNLIB_BYTES = 16 * 1024 * 1024
#: Deepest nesting of parentheses read.
MAX_DEPTH = 200
#: Most conjunctions the disjunctive normal form of the asserts may have.
MAX_DISJUNCTS = 10_000

_TOKEN = re.compile(r"\s*(?:(;[^\n]*)|(\()|(\))|([^\s();]+))")
_VAR = re.compile(r"([XY])_(0|[1-9][0-9]{0,5})")
_NUMBER = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]{1,4})?")

_Row = tuple[list[Fraction], Fraction]
_Linear = tuple[dict[tuple[str, int], Fraction], Fraction]  # (coefficient by variable, constant)
_Atom = tuple[tuple[tuple[tuple[str, int], Fraction], ...], Fraction]  # a hashable c . v + d <= 0
_Sexp = str | list["_Sexp"]


@dataclass(frozen=True)
class VnnProperty:
    """An input set and the violation condition: a disjunction of conjunctions of ``c . y + d <= 0``.

    * ``box`` -- ``(lo, hi)`` per input, ``lo <= hi`` (``lo == hi`` fixes the input);
    * ``input_constraints`` -- rows ``(a, e)``: the input set is the box cut by every ``a . x + e <= 0``;
    * ``disjuncts[i]`` -- a list of ``(c, d)`` with ``c`` one Fraction per output; an empty
      conjunction is true (every input of the set violates);
    * ``alternatives`` -- further input sets, each with its own condition (a VNN-LIB ``or`` over
      input boxes); the property holds when it holds on this one and on each of them (:meth:`cases`).

    The property holds when no input of the set satisfies any disjunct.
    """

    inputs: int
    outputs: int
    box: list[tuple[Fraction, Fraction]]
    disjuncts: list[list[tuple[list[Fraction], Fraction]]]
    input_constraints: list[tuple[list[Fraction], Fraction]] = field(default_factory=list)
    alternatives: list[VnnProperty] = field(default_factory=list)

    def cases(self) -> list[VnnProperty]:
        """The property as a list of properties over one input set each (itself when it has one)."""
        return [replace(self, alternatives=[]), *self.alternatives] if self.alternatives else [self]

    @property
    def fixed(self) -> list[int]:
        """The inputs the box fixes (``lo == hi``)."""
        return [j for j, (lo, hi) in enumerate(self.box) if lo == hi]


# ------------------------------------------------------------------ text -> nested lists
def _tokens(text: str) -> list[str]:
    out: list[str] = []
    pos, end = 0, len(text)
    match = _TOKEN.match
    while pos < end:
        m = match(text, pos)
        if m is None or m.end() == pos:
            if text[pos:].strip() == "":
                break
            raise InvalidArgument(f"vnnlib: cannot read the text at {text[pos : pos + 30]!r}")
        pos = m.end()
        if m.group(1) is None:
            out.append(m.group(2) or m.group(3) or m.group(4))
    return out


def _parse(tokens: list[str]) -> list[_Sexp]:
    """Nested lists of the tokens, without recursion; nesting past :data:`MAX_DEPTH` is refused."""
    stack: list[list[_Sexp]] = [[]]
    for tok in tokens:
        if tok == "(":
            if len(stack) > MAX_DEPTH:
                raise InvalidArgument(f"vnnlib: expressions nested deeper than {MAX_DEPTH}")
            stack.append([])
        elif tok == ")":
            if len(stack) == 1:
                raise InvalidArgument("vnnlib: unbalanced ')'")
            done = stack.pop()
            stack[-1].append(done)
        else:
            stack[-1].append(tok)
    if len(stack) != 1:
        raise InvalidArgument("vnnlib: unbalanced '(' (the text ends inside an expression)")
    return stack[0]


def _show(t: _Sexp) -> str:
    """A short printout of an expression for an error message."""
    if isinstance(t, str):
        return t[:40]
    text = "(" + " ".join(_show(a) if isinstance(a, str) else "(...)" for a in t[:8]) + (" ...)" if len(t) > 8 else ")")
    return text[:80]


# ------------------------------------------------------------------ terms, atoms, formulas
class _Reader:
    def __init__(self) -> None:
        self.xs: set[int] = set()
        self.ys: set[int] = set()

    def declare(self, form: list[_Sexp]) -> None:
        m = _VAR.fullmatch(form[1]) if len(form) == 3 and isinstance(form[1], str) else None
        if m is None or form[2] != "Real":
            raise InvalidArgument(f"vnnlib: expected (declare-const X_i Real) or Y_i, got {_show(form)}")
        names = self.xs if m.group(1) == "X" else self.ys
        if int(m.group(2)) in names:
            raise InvalidArgument(f"vnnlib: {form[1]} is declared twice")
        names.add(int(m.group(2)))

    def term(self, t: _Sexp) -> _Linear:
        """A linear term."""
        if isinstance(t, str):
            m = _VAR.fullmatch(t)
            if m:
                key = (m.group(1), int(m.group(2)))
                if key[1] not in (self.xs if key[0] == "X" else self.ys):
                    raise InvalidArgument(f"vnnlib: {t} is used before its declare-const")
                return {key: Fraction(1)}, Fraction(0)
            if _NUMBER.fullmatch(t):
                return {}, Fraction(t)
            raise InvalidArgument(f"vnnlib: unknown symbol {t[:40]!r}")
        if not t or not isinstance(t[0], str):
            raise InvalidArgument(f"vnnlib: empty or malformed term {_show(t)}")
        op, args = t[0], [self.term(a) for a in t[1:]]
        if op == "+" and args:
            return _sum(args, [1] * len(args))
        if op == "-" and args:
            return _sum(args, [-1] if len(args) == 1 else [1] + [-1] * (len(args) - 1))
        if op == "*" and args:
            coeffs, const = args[0]
            for c2, d2 in args[1:]:
                if coeffs and c2:
                    raise InvalidArgument(f"vnnlib: a product of variables is not linear: {_show(t)}")
                if c2:
                    coeffs, const, c2, d2 = c2, d2, coeffs, const
                coeffs, const = {k: v * d2 for k, v in coeffs.items()}, const * d2
            return {k: v for k, v in coeffs.items() if v}, const
        raise InvalidArgument(f"vnnlib: unsupported term {_show(t)}")

    def atoms(self, t: list[_Sexp]) -> list[_Atom]:
        """``(<= a b)``, ``(>= a b)``, ``(= a b)`` as rows ``e <= 0`` (``=`` gives two)."""
        if len(t) != 3:
            raise InvalidArgument(f"vnnlib: a comparison takes two terms, got {_show(t)}")
        (ca, a0), (cb, b0) = self.term(t[1]), self.term(t[2])
        diff = dict(ca)
        for k, v in cb.items():
            diff[k] = diff.get(k, Fraction(0)) - v
        le: _Atom = (tuple(sorted((k, v) for k, v in diff.items() if v)), a0 - b0)  # a - b <= 0
        ge: _Atom = (tuple((k, -v) for k, v in le[0]), -le[1])  # b - a <= 0
        return [le] if t[0] == "<=" else [ge] if t[0] == ">=" else [le, ge]

    def dnf(self, root: _Sexp) -> list[list[_Atom]]:
        """A formula of and/or/comparisons as a list of conjunctions of atoms (at most :data:`MAX_DISJUNCTS`)."""
        if not isinstance(root, list) or not root or not isinstance(root[0], str):
            raise InvalidArgument(f"vnnlib: expected a comparison, (and ...) or (or ...), got {_show(root)}")
        op = root[0]
        if op in ("<=", ">=", "="):
            return [self.atoms(root)]
        if op == "and":
            return _conjoin([self.dnf(part) for part in root[1:]])
        if op == "or":
            out: list[list[_Atom]] = []
            for part in root[1:]:
                out += self.dnf(part)
                if len(out) > MAX_DISJUNCTS:
                    raise InvalidArgument(f"vnnlib: the condition has more than {MAX_DISJUNCTS} disjuncts")
            return out
        if op in ("<", ">"):
            raise InvalidArgument(f"vnnlib: strict comparisons are not supported (use <= or >=): {_show(root)}")
        raise InvalidArgument(f"vnnlib: unsupported formula {_show(root)}")


def _sum(args: list[_Linear], signs: list[int]) -> _Linear:
    coeffs: dict[tuple[str, int], Fraction] = {}
    const = Fraction(0)
    for (c, d), s in zip(args, signs, strict=True):
        for k, v in c.items():
            coeffs[k] = coeffs.get(k, Fraction(0)) + s * v
        const += s * d
    return {k: v for k, v in coeffs.items() if v}, const


def _conjoin(parts: list[list[list[_Atom]]]) -> list[list[_Atom]]:
    """The DNF of the conjunction of DNFs, refused before it grows past :data:`MAX_DISJUNCTS`."""
    out: list[list[_Atom]] = [[]]
    for dnf in parts:
        if len(out) * len(dnf) > MAX_DISJUNCTS:
            raise InvalidArgument(f"vnnlib: the condition has more than {MAX_DISJUNCTS} disjuncts in normal form")
        out = [a + b for a in out for b in dnf]
    return out


# ------------------------------------------------------------------ DNF -> properties
def _input_set(p: int, atoms: list[_Atom]) -> tuple[list[tuple[Fraction, Fraction]], list[_Row]]:
    """The box and the other input rows of a conjunction of X atoms."""
    lo: dict[int, Fraction] = {}
    hi: dict[int, Fraction] = {}
    rows: list[_Row] = []
    for coeffs, const in atoms:
        if len(coeffs) == 1:
            ((_, j), c) = coeffs[0]
            bound = -const / c  # c x_j + const <= 0
            if c > 0:
                hi[j] = min(hi.get(j, bound), bound)
            else:
                lo[j] = max(lo.get(j, bound), bound)
            continue
        a = [Fraction(0)] * p
        for (_, j), c in coeffs:
            a[j] = c
        if (a, const) not in rows:
            rows.append((a, const))
    box = []
    for j in range(p):
        if j not in lo or j not in hi:
            raise InvalidArgument(f"vnnlib: X_{j} needs a lower and an upper bound (assert (>= X_{j} lo)) ...")
        if lo[j] > hi[j]:
            raise InvalidArgument(f"vnnlib: the box is empty in X_{j}: {lo[j]} > {hi[j]}")
        box.append((lo[j], hi[j]))
    return box, rows


def _properties(p: int, q: int, conjunctions: list[list[_Atom]]) -> VnnProperty:
    """Group the conjunctions by their input part: one property per distinct input set."""
    groups: dict[tuple[_Atom, ...], tuple[list[_Atom], list[list[_Row]]]] = {}
    for conj in conjunctions:
        xs: list[_Atom] = []
        ys: list[_Row] = []
        false = False
        for coeffs, const in conj:
            kinds = {k[0] for k, _ in coeffs}
            if kinds == {"X", "Y"}:
                raise InvalidArgument("vnnlib: a constraint mixing inputs and outputs is not supported")
            if not kinds:  # a comparison of constants: drop it when true, the conjunction when false
                false = false or const > 0
            elif kinds == {"X"}:
                if (coeffs, const) not in xs:
                    xs.append((coeffs, const))
            else:
                row = ([dict(coeffs).get(("Y", i), Fraction(0)) for i in range(q)], const)
                if row not in ys:
                    ys.append(row)
        if not false:
            _, disjuncts = groups.setdefault(tuple(sorted(xs)), (xs, []))
            if ys not in disjuncts:
                disjuncts.append(ys)
    if not groups:
        raise InvalidArgument("vnnlib: the asserts are contradictory on their face (a false comparison of constants)")
    cases = []
    for xs, disjuncts in groups.values():  # in the order of the text
        box, rows = _input_set(p, xs)
        cases.append(VnnProperty(p, q, box, disjuncts, rows))
    return replace(cases[0], alternatives=cases[1:]) if len(cases) > 1 else cases[0]


def parse_vnnlib(text: str) -> VnnProperty:
    """The property of a VNN-LIB text (see the module docstring for the subset); InvalidArgument otherwise."""
    if not isinstance(text, str):
        raise InvalidArgument(f"vnnlib text must be a str, got {type(text).__name__}")
    if len(text) > MAX_VNNLIB_BYTES:
        raise InvalidArgument(f"vnnlib: the text is longer than {MAX_VNNLIB_BYTES} characters")
    reader = _Reader()
    asserts: list[list[list[_Atom]]] = []
    for form in _parse(_tokens(text)):
        if not isinstance(form, list) or not form:
            raise InvalidArgument(f"vnnlib: unexpected top-level {_show(form)}")
        if form[0] == "declare-const":
            reader.declare(form)
        elif form[0] == "assert" and len(form) == 2:
            asserts.append(reader.dnf(form[1]))
        else:
            raise InvalidArgument(f"vnnlib: unsupported command {_show(form)}")
    p, q = len(reader.xs), len(reader.ys)
    if sorted(reader.xs) != list(range(p)) or sorted(reader.ys) != list(range(q)) or not p or not q:
        raise InvalidArgument("vnnlib: declare X_0..X_{p-1} and Y_0..Y_{q-1} (at least one of each)")
    return _properties(p, q, _conjoin(asserts))


def read_vnnlib(path: str) -> VnnProperty:
    """Read and parse a VNN-LIB file (at most :data:`MAX_VNNLIB_BYTES`)."""
    with open(path, "rb") as f:
        data = f.read(MAX_VNNLIB_BYTES + 1)
    if len(data) > MAX_VNNLIB_BYTES:
        raise InvalidArgument(f"{path}: larger than {MAX_VNNLIB_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidArgument(f"{path}: not UTF-8 text") from None
    return parse_vnnlib(text)
