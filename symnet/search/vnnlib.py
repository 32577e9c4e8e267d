"""A reader for the VNN-LIB subset of VNN-COMP properties: an input box and linear output constraints.

VNN-LIB (an SMT-LIB dialect) states the *violation* of a property: the file
asserts an input box and a condition on the outputs; the property holds exactly
when no input in the box meets the condition.  Supported::

    (declare-const X_0 Real) ... (declare-const Y_0 Real) ...
    (assert (<= X_0 0.5))  (assert (>= X_0 -0.5))       ; one bound per input and side
    (assert (<= Y_0 Y_1))  (assert (>= (+ Y_0 (* 2 Y_1)) 3))
    (assert (or (and (<= Y_0 Y_1) (<= Y_0 Y_2)) (and ...)))

Terms are numerals (decimal or ``1e-3`` notation, read exactly), variables,
``(+ t ...)``, ``(- t ...)``, ``(- t)``, ``(* c t)``.  The text is tokenized
and parsed by a small recursive reader; nothing is evaluated.  Anything else
raises :class:`~symnet.InvalidArgument` naming the construct.

>>> prop = parse_vnnlib('''
... (declare-const X_0 Real) (declare-const Y_0 Real) (declare-const Y_1 Real)
... (assert (>= X_0 -1)) (assert (<= X_0 1))
... (assert (or (and (>= Y_0 2)) (and (<= Y_0 Y_1))))
... ''')
>>> prop.box, len(prop.disjuncts)
([(Fraction(-1, 1), Fraction(1, 1))], 2)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..errors import InvalidArgument

__all__ = ["MAX_VNNLIB_BYTES", "VnnProperty", "parse_vnnlib", "read_vnnlib"]

#: Largest VNN-LIB file read.
MAX_VNNLIB_BYTES = 16 * 1024 * 1024
_TOKEN = re.compile(r"\s*(?:(;[^\n]*)|(\()|(\))|([^\s()]+))")
_VAR = re.compile(r"([XY])_([0-9]{1,6})")
_NUMBER = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]{1,4})?")


@dataclass(frozen=True)
class VnnProperty:
    """An input box and the violation condition: a disjunction of conjunctions of ``c . y + d <= 0``.

    ``disjuncts[i]`` is a list of ``(c, d)`` with ``c`` one Fraction per output.
    The property holds when no x in ``box`` satisfies any disjunct.
    """

    inputs: int
    outputs: int
    box: list[tuple[Fraction, Fraction]]
    disjuncts: list[list[tuple[list[Fraction], Fraction]]]


def _tokens(text: str) -> list[str]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            if text[pos:].strip() == "":
                break
            raise InvalidArgument(f"vnnlib: cannot read the text at {text[pos : pos + 30]!r}")
        pos = m.end()
        if m.group(1):
            continue
        out.append(m.group(2) or m.group(3) or m.group(4))
    return out


def _parse(tokens: list[str]) -> list[Any]:
    stack: list[list[Any]] = [[]]
    for tok in tokens:
        if tok == "(":
            if len(stack) > 200:
                raise InvalidArgument("vnnlib: expressions nested deeper than 200")
            stack.append([])
        elif tok == ")":
            if len(stack) == 1:
                raise InvalidArgument("vnnlib: unbalanced ')'")
            done = stack.pop()
            stack[-1].append(done)
        else:
            stack[-1].append(tok)
    if len(stack) != 1:
        raise InvalidArgument("vnnlib: unbalanced '('")
    return stack[0]


class _Reader:
    def __init__(self) -> None:
        self.xs: set[int] = set()
        self.ys: set[int] = set()

    def term(self, t: Any) -> tuple[dict[tuple[str, int], Fraction], Fraction]:
        """A linear term as (coefficients by variable, constant)."""
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
            raise InvalidArgument("vnnlib: empty or malformed term")
        op, args = t[0], [self.term(a) for a in t[1:]]
        if op == "+" and args:
            return self._sum(args, [1] * len(args))
        if op == "-" and len(args) == 1:
            return self._sum(args, [-1])
        if op == "-" and len(args) >= 2:
            return self._sum(args, [1] + [-1] * (len(args) - 1))
        if op == "*" and len(args) == 2:
            (ca, a0), (cb, b0) = args
            if not ca:
                return {k: a0 * v for k, v in cb.items()}, a0 * b0
            if not cb:
                return {k: b0 * v for k, v in ca.items()}, a0 * b0
            raise InvalidArgument("vnnlib: a product of two variables is not linear")
        raise InvalidArgument(f"vnnlib: unsupported term operator {op[:20]!r}")

    @staticmethod
    def _sum(args: list[Any], signs: list[int]) -> tuple[dict[tuple[str, int], Fraction], Fraction]:
        coeffs: dict[tuple[str, int], Fraction] = {}
        const = Fraction(0)
        for (c, d), s in zip(args, signs, strict=True):
            for k, v in c.items():
                coeffs[k] = coeffs.get(k, Fraction(0)) + s * v
            const += s * d
        return coeffs, const

    def atom(self, t: Any) -> tuple[dict[tuple[str, int], Fraction], Fraction]:
        """``(<= a b)`` / ``(>= a b)`` as ``e <= 0`` (coefficients, constant)."""
        if not (isinstance(t, list) and len(t) == 3 and t[0] in ("<=", ">=")):
            raise InvalidArgument(f"vnnlib: expected (<= a b) or (>= a b), got {str(t)[:60]}")
        (ca, a0), (cb, b0) = self.term(t[1]), self.term(t[2])
        lhs, rhs = ((ca, a0), (cb, b0)) if t[0] == "<=" else ((cb, b0), (ca, a0))
        coeffs = dict(lhs[0])
        for k, v in rhs[0].items():
            coeffs[k] = coeffs.get(k, Fraction(0)) - v
        return {k: v for k, v in coeffs.items() if v}, lhs[1] - rhs[1]

    def dnf(self, t: Any) -> list[list[Any]]:
        """A formula of and/or/atoms as a list of conjunctions of atoms."""
        if isinstance(t, list) and t and t[0] == "and":
            out: list[list[Any]] = [[]]
            for part in t[1:]:
                out = [a + b for a in out for b in self.dnf(part)]
                if len(out) > 10_000:
                    raise InvalidArgument("vnnlib: the condition has more than 10000 disjuncts")
            return out
        if isinstance(t, list) and t and t[0] == "or":
            return [conj for part in t[1:] for conj in self.dnf(part)]
        return [[self.atom(t)]]


def parse_vnnlib(text: str) -> VnnProperty:
    """The property of a VNN-LIB text (see the module docstring for the subset); InvalidArgument otherwise."""
    if not isinstance(text, str):
        raise InvalidArgument(f"vnnlib text must be a str, got {type(text).__name__}")
    reader = _Reader()
    lo: dict[int, Fraction] = {}
    hi: dict[int, Fraction] = {}
    conditions: list[list[list[Any]]] = []
    for form in _parse(_tokens(text)):
        if not isinstance(form, list) or not form:
            raise InvalidArgument(f"vnnlib: unexpected top-level {str(form)[:40]!r}")
        if form[0] == "declare-const":
            if len(form) != 3 or form[2] != "Real" or not isinstance(form[1], str) or not _VAR.fullmatch(form[1]):
                raise InvalidArgument(
                    f"vnnlib: only (declare-const X_i Real) / (declare-const Y_i Real), got {str(form)[:60]}"
                )
            m = _VAR.fullmatch(form[1])
            (reader.xs if m.group(1) == "X" else reader.ys).add(int(m.group(2)))  # type: ignore[union-attr]
            continue
        if form[0] != "assert" or len(form) != 2:
            raise InvalidArgument(f"vnnlib: unsupported command {str(form[0])[:30]!r}")
        body = form[1]
        if isinstance(body, list) and len(body) == 3 and body[0] in ("<=", ">="):
            coeffs, const = reader.atom(body)
            if coeffs and all(k[0] == "X" for k in coeffs):
                if len(coeffs) != 1:
                    raise InvalidArgument("vnnlib: input constraints must bound one X_i each (a box)")
                (_, j), c = next(iter(coeffs.items()))
                bound = -const / c  # c x + const <= 0
                if c > 0:
                    hi[j] = min(hi.get(j, bound), bound)
                else:
                    lo[j] = max(lo.get(j, bound), bound)
                continue
        conditions.append(reader.dnf(body))
    p = len(reader.xs)
    q = len(reader.ys)
    if sorted(reader.xs) != list(range(p)) or sorted(reader.ys) != list(range(q)) or not p or not q:
        raise InvalidArgument("vnnlib: declare X_0..X_{p-1} and Y_0..Y_{q-1}")
    box = []
    for j in range(p):
        if j not in lo or j not in hi:
            raise InvalidArgument(f"vnnlib: X_{j} needs a lower and an upper bound")
        if not lo[j] < hi[j]:
            raise InvalidArgument(f"vnnlib: the box is empty or flat in X_{j}")
        box.append((lo[j], hi[j]))
    disjuncts: list[list[Any]] = [[]]
    for cond in conditions:
        disjuncts = [a + b for a in disjuncts for b in cond]
    out = []
    for conj in disjuncts:
        rows = []
        for coeffs, const in conj:
            if any(k[0] == "X" for k in coeffs):
                raise InvalidArgument("vnnlib: a constraint mixing inputs and outputs is not supported")
            rows.append(([coeffs.get(("Y", i), Fraction(0)) for i in range(q)], const))
        out.append(rows)
    return VnnProperty(p, q, box, out)


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
