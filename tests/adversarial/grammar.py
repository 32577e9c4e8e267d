"""A strict, independent reader of symnet's JSON documents and an exact evaluator.

This is the oracle's own view of the grammar (docs/certificate-format.md plus
the well-formedness rules of issue #11), written without symnet's codec:

* JSON: no duplicate keys, no ``NaN``/``Infinity`` literals, integers are
  ``int`` (never ``bool`` or ``float``), versions are the integer 1;
* the expression table: every node of the documented forms, references only
  backwards, a symbol name at most once, floats canonical (odd mantissa whose
  bit count is ``bitcount`` and at most ``precision``; zero is
  ``[0, "0", 0, 0]``), no constant subexpression that divides by zero;
* networks: rectangular layers of matching shapes, inputs that occur only as
  inputs (never in a weight, a bias or an activation), a linear output layer;
* activations: a ``name`` from symnet's list must match the formula (checked
  by evaluation, see :mod:`.oracle`), else ``null``.

Expressions are evaluated exactly with :class:`fractions.Fraction`; when the
numbers grow past :data:`BITS` bits the evaluation is redone modulo the prime
:data:`PRIME` (a mismatch modulo a prime, with every denominator invertible,
is a mismatch of the rationals, so "false" stays exact).
"""

from __future__ import annotations

import json
import math
import re
from fractions import Fraction
from typing import Any

__all__ = ["BITS", "PRIME", "Malformed", "Overflow", "Resample", "Table", "Undecided", "parse_json"]

PRIME = 2**61 - 1
BITS = 4096
_MAX_DIGITS = 4000
_NAME_MAX = 200
_INT_RE = re.compile(r"-?[0-9]+")
FUNCTIONS = {
    "Max": None,
    "Min": None,
    "Abs": 1,
    "exp": 1,
    "log": 1,
    "tanh": 1,
    "sinh": 1,
    "cosh": 1,
    "sin": 1,
    "cos": 1,
}
#: f(0) of the transcendental functions (the only points where they are rational here).
_AT_ZERO = {"exp": 1, "tanh": 0, "sinh": 0, "cosh": 1, "sin": 0, "cos": 1}


class Malformed(Exception):
    """The document breaks the grammar; ``cls`` names the class of the defect."""

    def __init__(self, message: str, cls: str = "grammar") -> None:
        super().__init__(message)
        self.cls = cls


class Undecided(Exception):
    """The oracle cannot decide (transcendental values, its own size limits)."""


class Overflow(Exception):
    """Exact numbers grew past BITS: redo the evaluation modulo PRIME."""


class Resample(Exception):
    """A division by zero at this random point: try another point."""


# -------------------------------------------------------------------- JSON
def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise Malformed(f"duplicate JSON key {k[:40]!r}", "json-duplicate-key")
        out[k] = v
    return out


def _constant(text: str) -> Any:
    raise Malformed(f"non-finite JSON literal {text}", "json-nonfinite")


def parse_json(text: str | bytes) -> Any:
    """Strict JSON: duplicate keys and NaN/Infinity literals are Malformed."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise Malformed("not UTF-8", "json") from None
    try:
        return json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant)
    except Malformed:
        raise
    except (ValueError, RecursionError) as exc:
        raise Malformed(f"not JSON: {str(exc)[:80]}", "json") from None


def is_int(v: Any) -> bool:
    return type(v) is int


def expect(cond: bool, message: str, cls: str = "grammar") -> None:
    if not cond:
        raise Malformed(message, cls)


def keys(obj: Any, required: set[str], optional: set[str], where: str) -> dict[str, Any]:
    expect(isinstance(obj, dict), f"{where} is not an object", "json-type")
    missing = required - obj.keys()
    extra = obj.keys() - required - optional
    expect(not missing, f"{where} lacks {sorted(missing)}", "json-keys")
    expect(not extra, f"{where} has unknown keys {sorted(extra)[:3]}", "json-keys")
    return obj


def name(v: Any, where: str) -> str:
    expect(isinstance(v, str) and 0 < len(v) <= _NAME_MAX and v.isprintable(), f"{where} is not a name", "json-type")
    return v


def int_text(v: Any, where: str) -> int:
    expect(isinstance(v, str) and _INT_RE.fullmatch(v) is not None, f"{where} is not a decimal string", "number")
    if len(v) > _MAX_DIGITS:
        raise Undecided(f"{where}: integer of {len(v)} digits is past the oracle's limit")
    return int(v)


# ------------------------------------------------------ the expression table
def _check_bits(v: Fraction) -> Fraction:
    if v.numerator.bit_length() > BITS or v.denominator.bit_length() > BITS:
        raise Overflow
    return v


class Table:
    """The ``expressions`` node table, validated; nodes are evaluated on demand.

    ``free(i)`` is the set of symbol names node i mentions; ``poly[i]`` says
    node i is a polynomial over QQ (numbers, symbols, sums, products, powers
    with constant natural exponents, and constants that are exact rationals);
    ``const[i]`` is the exact value of a constant node (None if it is not a
    constant or its value is not a cheap exact rational).
    """

    def __init__(self, nodes: Any) -> None:
        expect(isinstance(nodes, list), "'expressions' is not a list", "json-type")
        self.nodes: list[tuple[Any, ...]] = []
        self._free: dict[int, frozenset[str]] = {}
        self.poly: list[bool] = []
        #: polynomial once radical constants r**(m/n) (r > 0 rational) count as atoms, as the kernel reads them
        self.poly_radical: list[bool] = []
        self.const: list[Fraction | None] = []
        self.symbols: dict[str, int] = {}
        self._reach: dict[int, list[int]] = {}
        for i, node in enumerate(nodes):
            self._add(i, node)

    def __len__(self) -> int:
        return len(self.nodes)

    def ref(self, r: Any, where: str) -> int:
        expect(is_int(r) and 0 <= r < len(self.nodes), f"{where} refers to {str(r)[:20]}, not a node", "ref")
        return r

    def _arg(self, i: int, r: Any) -> int:
        expect(is_int(r) and 0 <= r < i, f"expression {i} refers to {str(r)[:20]}, not an earlier node", "ref")
        return r

    def _add(self, i: int, node: Any) -> None:
        where = f"expression {i}"
        expect(isinstance(node, list) and node and isinstance(node[0], str), f"{where} is not a node", "node")
        kind, rest = node[0], node[1:]
        poly = True
        radical: bool | None = None  # None: the same as poly
        const: Fraction | None = None
        if kind == "int":
            expect(len(rest) == 1, f"{where}: int takes one value", "node")
            const = Fraction(int_text(rest[0], where))
            item: tuple[Any, ...] = ("num", const)
        elif kind == "rat":
            expect(len(rest) == 2, f"{where}: rat takes two values", "node")
            p, q = int_text(rest[0], where), int_text(rest[1], where)
            expect(q > 1 and math.gcd(p, q) == 1, f"{where}: {p}/{q} is not in lowest terms", "number")
            const = Fraction(p, q)
            item = ("num", const)
        elif kind == "float":
            expect(len(rest) == 5, f"{where}: float takes five values", "node")
            sign, man, exp, bc, prec = rest
            expect(
                all(is_int(v) for v in (sign, exp, bc, prec)) and sign in (0, 1), f"{where}: bad float fields", "number"
            )
            m = int_text(man, where)
            expect(1 <= prec, f"{where}: precision {prec} < 1", "number")
            if m == 0:
                expect((sign, exp, bc) == (0, 0, 0), f"{where}: a non-canonical zero float", "number")
                const = Fraction(0)
            else:
                expect(
                    m > 0 and m % 2 == 1 and m.bit_length() == bc, f"{where}: non-canonical float mantissa", "number"
                )
                expect(bc <= prec, f"{where}: {bc} mantissa bits exceed the precision {prec}", "number")
                if abs(exp) > 100_000:
                    raise Undecided(f"{where}: float exponent {exp} past the oracle's limit")
                v = Fraction(m) * (Fraction(2) ** exp)
                const = -v if sign else v
            item = ("num", const)
        elif kind == "sym":
            expect(len(rest) == 1, f"{where}: sym takes one name", "node")
            n = name(rest[0], where)
            expect(n not in self.symbols, f"{where}: symbol {n[:40]!r} appears twice in the table", "symbol-table")
            self.symbols[n] = i
            item = ("sym", n)
        elif kind == "const":
            expect(len(rest) == 1 and rest[0] in ("E", "pi"), f"{where}: unknown constant", "node")
            poly = False
            item = ("const", rest[0])
        elif kind in ("add", "mul"):
            expect(len(rest) >= 2, f"{where}: {kind} needs two arguments", "node")
            args = tuple(self._arg(i, r) for r in rest)
            poly = all(self.poly[a] for a in args)
            radical = all(self.poly_radical[a] for a in args)
            item = (kind, args)
            if all(self.const[a] is not None for a in args):
                const = self._fold(kind, [self.const[a] for a in args])  # type: ignore[misc]
        elif kind == "pow":
            expect(len(rest) == 2, f"{where}: pow takes two arguments", "node")
            b, e = (self._arg(i, r) for r in rest)
            ev = self.const[e]
            integral = ev is not None and ev.denominator == 1
            item = ("pow", b, e)
            bv = self.const[b]
            if bv is not None and ev is not None:
                if bv == 0 and ev < 0:
                    raise Malformed(f"{where}: 0 to a negative power (not finite)", "number-nonfinite")
                const = self._fold("pow", [bv, ev]) if integral else None
                poly = const is not None
                radical = poly or bv > 0
            else:
                poly = self.poly[b] and integral and ev >= 0  # type: ignore[operator]
                radical = self.poly_radical[b] and integral and ev >= 0  # type: ignore[operator]
        elif kind == "fn":
            expect(
                len(rest) >= 2 and isinstance(rest[0], str) and rest[0] in FUNCTIONS,
                f"{where}: unknown function",
                "node",
            )
            fname = rest[0]
            args = tuple(self._arg(i, r) for r in rest[1:])
            arity = FUNCTIONS[fname]
            expect(arity is None or len(args) == arity, f"{where}: {fname} takes {arity} argument", "node")
            item = ("fn", fname, args)
            if all(self.const[a] is not None for a in args):
                vals = [self.const[a] for a in args]
                if fname == "log" and vals[0] is not None and vals[0] <= 0:
                    raise Malformed(f"{where}: log of {vals[0]} (not finite/real)", "number-nonfinite")
                try:
                    const = self._fn(fname, vals)  # type: ignore[arg-type]
                except Undecided:
                    const = None
            poly = const is not None
        else:
            raise Malformed(f"{where} has unknown kind {kind[:20]!r}", "node")
        self.nodes.append(item)
        self.poly.append(poly)
        self.poly_radical.append(poly if radical is None else radical)
        self.const.append(const)

    @staticmethod
    def _fold(kind: str, vals: list[Fraction]) -> Fraction | None:
        try:
            if kind == "add":
                return _check_bits(sum(vals, Fraction(0)))
            if kind == "mul":
                out = Fraction(1)
                for v in vals:
                    out = _check_bits(out * v)
                return out
            b, e = vals
            n = int(e)
            if abs(n) * max(b.numerator.bit_length(), b.denominator.bit_length()) > BITS:
                return None
            return b**n
        except Overflow:
            return None

    @staticmethod
    def _fn(fname: str, vals: list[Fraction]) -> Fraction:
        if fname == "Max":
            return max(vals)
        if fname == "Min":
            return min(vals)
        if fname == "Abs":
            return abs(vals[0])
        if fname == "log" and vals[0] == 1:
            return Fraction(0)
        if fname in _AT_ZERO and vals[0] == 0:
            return Fraction(_AT_ZERO[fname])
        raise Undecided(f"{fname}({vals[0]}) is not rational")

    # ------------------------------------------------------------ analysis
    def reach(self, root: int) -> list[int]:
        """Nodes reachable from root, in table (topological) order."""
        got = self._reach.get(root)
        if got is not None:
            return got
        seen = {root}
        stack = [root]
        while stack:
            n = stack.pop()
            item = self.nodes[n]
            kids: tuple[int, ...] = ()
            if item[0] in ("add", "mul"):
                kids = item[1]
            elif item[0] == "pow":
                kids = (item[1], item[2])
            elif item[0] == "fn":
                kids = item[2]
            for k in kids:
                if k not in seen:
                    seen.add(k)
                    stack.append(k)
        out = sorted(seen)
        self._reach[root] = out
        return out

    def free(self, root: int) -> frozenset[str]:
        """The symbol names node root mentions."""
        got = self._free.get(root)
        if got is None:
            got = frozenset(self.nodes[n][1] for n in self.reach(root) if self.nodes[n][0] == "sym")
            self._free[root] = got
        return got

    def degree_in(self, root: int, var: str) -> int | None:
        """Degree of root as a polynomial in ``var`` (None if it is not one in var)."""
        deg: dict[int, int | None] = {}
        for n in self.reach(root):
            item = self.nodes[n]
            k = item[0]
            if self.const[n] is not None or (k == "sym" and item[1] != var) or k in ("num", "const"):
                deg[n] = 0
            elif k == "sym":
                deg[n] = 1
            elif k == "add":
                ds = [deg[a] for a in item[1]]
                deg[n] = None if None in ds else max(ds)  # type: ignore[type-var]
            elif k == "mul":
                ds = [deg[a] for a in item[1]]
                deg[n] = None if None in ds else sum(ds)  # type: ignore[arg-type]
            elif k == "pow":
                ev = self.const[item[2]]
                db = deg[item[1]]
                ok = db is not None and ev is not None and ev.denominator == 1 and ev >= 0
                deg[n] = db * int(ev) if ok else None  # type: ignore[operator]
            else:  # a function: a constant in var unless it mentions var
                deg[n] = 0 if var not in self.free(n) else None
        return deg[root]

    # ---------------------------------------------------------- evaluation
    def evaluate(self, root: int, env: dict[str, Any], mod: bool = False) -> Any:
        """Value of node root with symbols from env: a Fraction, or an int modulo PRIME.

        Raises Overflow (exact numbers too big), Resample (division by zero),
        Undecided (a transcendental value, a non-integer power) or KeyError
        (a symbol without a value, a caller bug).
        """
        val: dict[int, Any] = {}
        for n in self.reach(root):
            c = self.const[n]
            if c is not None:
                val[n] = self._modq(c) if mod else c
                continue
            item = self.nodes[n]
            k = item[0]
            if k == "sym":
                val[n] = env[item[1]]
            elif k == "add":
                if mod:
                    val[n] = sum(val[a] for a in item[1]) % PRIME
                else:
                    val[n] = _check_bits(sum((val[a] for a in item[1]), Fraction(0)))
            elif k == "mul":
                out: Any = 1 if mod else Fraction(1)
                for a in item[1]:
                    out = out * val[a] % PRIME if mod else _check_bits(out * val[a])
                val[n] = out
            elif k == "pow":
                e = self.const[item[2]]
                if e is None or e.denominator != 1:
                    raise Undecided("a power with a non-constant or non-integer exponent")
                b = val[item[1]]
                ne = int(e)
                if mod:
                    if ne < 0:
                        if b % PRIME == 0:
                            raise Resample
                        b, ne = pow(b, -1, PRIME), -ne
                    val[n] = pow(b, ne, PRIME)
                else:
                    if ne < 0 and b == 0:
                        raise Resample
                    size = max(b.numerator.bit_length(), b.denominator.bit_length())
                    if abs(ne) * size > BITS:
                        raise Overflow
                    val[n] = b**ne
            elif k == "fn":
                if mod:
                    raise Undecided(f"{item[1]} of a non-constant cannot be evaluated modulo a prime")
                vals = [val[a] for a in item[2]]
                if item[1] == "log" and vals[0] <= 0:
                    raise Resample
                val[n] = self._fn(item[1], vals)
            elif k == "const":
                raise Undecided(f"the constant {item[1]} is irrational")
            else:  # pragma: no cover
                raise AssertionError(item)
        return val[root]

    @staticmethod
    def _modq(c: Fraction) -> int:
        d = c.denominator % PRIME
        if d == 0:
            raise Undecided("a denominator divisible by the oracle's prime")
        return c.numerator * pow(d, -1, PRIME) % PRIME


# ------------------------------------------------------ interval arithmetic
def interval_evaluate(t: Table, root: int, env: dict[str, Any], prec: int = 200) -> Any:
    """An mpmath interval that encloses node root's real value (env: Fractions or intervals).

    Only used to prove a stated value *wrong* (disjoint enclosures); tanh,
    sinh and cosh are composed from exp, Max/Min/Abs act on the endpoints.
    Raises Undecided where an enclosure is not available (log of an interval
    reaching 0, a power with a non-integer exponent).
    """
    from mpmath import iv

    iv.prec = prec

    def num(v: Any) -> Any:
        if isinstance(v, Fraction):
            return iv.mpf(v.numerator) / iv.mpf(v.denominator)
        return v

    val: dict[int, Any] = {}
    for n in t.reach(root):
        c = t.const[n]
        if c is not None:
            val[n] = num(c)
            continue
        item = t.nodes[n]
        k = item[0]
        if k == "sym":
            val[n] = num(env[item[1]])
        elif k == "const":
            val[n] = iv.e if item[1] == "E" else iv.pi
        elif k == "add":
            out = iv.mpf(0)
            for a in item[1]:
                out = out + val[a]
            val[n] = out
        elif k == "mul":
            out = iv.mpf(1)
            for a in item[1]:
                out = out * val[a]
            val[n] = out
        elif k == "pow":
            e = t.const[item[2]]
            if e is None or e.denominator != 1:
                raise Undecided("an interval power with a non-integer exponent")
            b = val[item[1]]
            ne = int(e)
            if ne < 0 and b.a <= 0 <= b.b:
                raise Undecided("an interval reciprocal of an interval containing 0")
            if abs(ne) > 10_000:
                raise Undecided("an interval power past the oracle's limit")
            val[n] = b**ne
        else:
            name, args = item[1], [val[a] for a in item[2]]
            x = args[0]
            if name in ("Max", "Min"):
                pick = max if name == "Max" else min
                val[n] = iv.mpf([pick(a.a for a in args), pick(a.b for a in args)])
            elif name == "Abs":
                lo = 0 if x.a <= 0 <= x.b else min(abs(x.a), abs(x.b))
                val[n] = iv.mpf([lo, max(abs(x.a), abs(x.b))])
            elif name == "exp":
                val[n] = iv.exp(x)
            elif name == "log":
                if x.a <= 0:
                    raise Undecided("log of an interval reaching 0")
                val[n] = iv.log(x)
            elif name == "tanh":
                val[n] = 1 - 2 / (iv.exp(2 * x) + 1)
            elif name == "sinh":
                val[n] = (iv.exp(x) - iv.exp(-x)) / 2
            elif name == "cosh":
                val[n] = (iv.exp(x) + iv.exp(-x)) / 2
            elif name == "sin":
                val[n] = iv.sin(x)
            else:
                val[n] = iv.cos(x)
    return val[root]
