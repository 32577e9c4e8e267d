"""Prototype of stage 2's kernel form: one immutable node table, one interpreter, many rings (no sympy).

Node kinds (a node is a tuple; children are refs, i.e. indices of earlier nodes of the same table):

* ``("q", fmpq)``                 an exact number (a document's int, rat and float nodes, at their exact values);
* no node for a generator: the ref ``-1 - i`` is declared generator i (the network's inputs first, then its
  parameters), so a layer of plain symbols is an int array of refs and a generator costs no node;
* ``("v",)``                      an activation's bound variable;
* ``("add", r, ...)``, ``("mul", r, ...)``, ``("pow", r, n)`` with n a Python int;
* ``("fn", name, r, ...)``        name in FUNCTIONS; ``("c", "E" | "pi")``.

The table is hash-consed: one structure, one ref, so structural equality is ``==`` of refs.

A prototype for step 1 of docs/redesign.md, not product code (nothing in symnet or the tests imports it); the
scripts of benchmarks/stage2 import it by path.  Its size: ``python benchmarks/stage2/count_lines.py``.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from typing import Any

import _paths  # noqa: F401  (the repository's symnet first on sys.path)
import flint
from flint import arb, fmpq

from symnet.cost import Cost, combine

Node = tuple[Any, ...]


# ------------------------------------------------------------------ the table
class Table:
    """An append-only, hash-consed node table."""

    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.index: dict[Node, int] = {}

    def add(self, node: Node) -> int:
        ref = self.index.get(node)
        if ref is None:
            ref = self.index[node] = len(self.nodes)
            self.nodes.append(node)
        return ref

    def number(self, v: Any) -> int:
        return self.add(("q", fmpq(v)))


_LEAF = {"int", "rat", "float", "sym", "const"}
FUNCTIONS: dict[str, Callable[..., arb]] = {
    "Max": lambda *b: max(a.lower() for a in b).union(max(a.upper() for a in b)),
    "Min": lambda *b: min(a.lower() for a in b).union(min(a.upper() for a in b)),
    "Abs": lambda b: abs(b).nonnegative_part(),
    "exp": arb.exp, "log": arb.log, "tanh": arb.tanh, "sinh": arb.sinh, "cosh": arb.cosh,
    "sin": arb.sin, "cos": arb.cos,
}


def read_table(nodes: list[Any], table: Table, names: dict[str, int], var: Any = ()) -> list[int]:
    """A document's ``expressions`` list read into ``table``: the ref of each node (symbols by ``names``).

    A prototype: the structural checks of certificate/expressions.py (canonical floats, lowest terms, one sym
    node per name, the cost model per node) are left out; they read the same without sympy.
    """
    refs: list[int] = []
    for node in nodes:
        kind, rest = node[0], node[1:]
        if kind == "int":
            ref = table.number(int(rest[0]))
        elif kind == "rat":
            ref = table.number(fmpq(int(rest[0]), int(rest[1])))
        elif kind == "float":
            sign, man, exp = rest[0], int(rest[1]), rest[2]
            ref = table.number(fmpq((-1) ** sign * man * 2 ** max(exp, 0), 2 ** max(-exp, 0)))
        elif kind == "sym":
            ref = table.add(("v",)) if rest[0] in var and rest[0] not in names else -1 - names[rest[0]]
        elif kind == "const":
            ref = table.add(("c", rest[0]))
        elif kind == "pow":
            exponent = table.nodes[refs[rest[1]]]
            assert exponent[0] == "q" and exponent[1].q == 1
            ref = table.add(("pow", refs[rest[0]], int(exponent[1].p)))
        elif kind == "fn":
            ref = table.add(("fn", rest[0], *(refs[r] for r in rest[1:])))
        else:
            ref = table.add((kind, *(refs[r] for r in rest)))
        refs.append(ref)
    return refs


# ------------------------------------------------------------ the interpreter
def program(table: Table, roots: Sequence[int]) -> list[int]:
    """The refs under ``roots``, children first (each once; a generator's negative ref is a leaf)."""
    nodes, seen, order = table.nodes, set(), []
    stack = [(r, False) for r in roots]
    while stack:
        ref, done = stack.pop()
        if done:
            order.append(ref)
            continue
        if ref in seen:
            continue
        seen.add(ref)
        if ref < 0:
            order.append(ref)
            continue
        stack.append((ref, True))
        node = nodes[ref]
        if node[0] in ("add", "mul"):
            stack.extend((c, False) for c in node[1:])
        elif node[0] == "pow":
            stack.append((node[1], False))
        elif node[0] == "fn":
            stack.extend((c, False) for c in node[2:])
    return order


def run(table: Table, order: list[int], ring: Any, env: Callable[[int], Any], var: Any = None) -> dict[int, Any]:
    """The value in ``ring`` of every ref of ``order``; ``env(i)`` is generator i's value, ``var`` the variable's."""
    nodes, val = table.nodes, {}
    for ref in order:
        if ref < 0:
            val[ref] = env(-1 - ref)
            continue
        node = nodes[ref]
        kind = node[0]
        if kind == "q":
            v = ring.number(node[1])
        elif kind == "add":
            v = ring.add([val[c] for c in node[1:]])
        elif kind == "mul":
            v = ring.mul([val[c] for c in node[1:]])
        elif kind == "pow":
            v = ring.pow(val[node[1]], node[2])
        elif kind == "fn":
            v = ring.fn(node[1], [val[c] for c in node[2:]])
        elif kind == "c":
            v = ring.const(node[1])
        else:
            v = var
        val[ref] = v
    return val


def evaluate(table: Table, roots: Sequence[int], ring: Any, env: Callable[[int], Any], var: Any = None) -> list[Any]:
    val = run(table, program(table, roots), ring, env, var)
    return [val[r] for r in roots]


# ------------------------------------------------------------------ the rings
def balanced_sum(parts: list[Any], zero: Any) -> Any:
    while len(parts) > 1:
        pairs = [parts[i] + parts[i + 1] for i in range(0, len(parts) - 1, 2)]
        parts = pairs + parts[-1:] if len(parts) % 2 else pairs
    return parts[0] if parts else zero


class Exact:
    """QQ, fmpq_poly, fmpq_mpoly: a polynomial ring (a fn, constant or negative power is refused)."""

    def __init__(self, number: Callable[[fmpq], Any], zero: Any) -> None:
        self.number, self.zero = number, zero

    def add(self, xs: list[Any]) -> Any:
        return balanced_sum(xs, self.zero)

    def mul(self, xs: list[Any]) -> Any:
        return functools.reduce(operator.mul, xs)

    def pow(self, x: Any, n: int) -> Any:
        if n < 0:
            raise ValueError("not a polynomial")
        return x**n

    def fn(self, name: str, xs: list[Any]) -> Any:
        raise ValueError(f"{name} is not a polynomial")

    const = fn


QQ = Exact(lambda q: q, fmpq(0))


def mpoly_ring(ctx: Any) -> Exact:
    return Exact(ctx.constant, ctx.constant(0))


POLY = Exact(lambda q: flint.fmpq_poly([q]), flint.fmpq_poly([]))


class Balls:
    """arb balls at the working precision; integer powers by squaring; functions by FUNCTIONS."""

    number = staticmethod(arb)

    def add(self, xs: list[arb]) -> arb:
        return functools.reduce(operator.add, xs)

    def mul(self, xs: list[arb]) -> arb:
        return functools.reduce(operator.mul, xs)

    def pow(self, x: arb, n: int) -> arb:
        if n < 0:
            return 1 / self.pow(x, -n)
        out = arb(1)
        for bit in bin(n)[2:]:
            out = out * out
            if bit == "1":
                out = out * x
        return out.nonnegative_part() if n % 2 == 0 else out

    def fn(self, name: str, xs: list[arb]) -> arb:
        return FUNCTIONS[name](*xs)

    def const(self, name: str) -> arb:
        return arb.const_e() if name == "E" else arb.pi()


BALLS = Balls()


def _bits(q: fmpq) -> Cost:
    p, d = int(q.p), int(q.q)
    two = (d & -d).bit_length() - 1
    odd = d >> two
    return Cost(0, 1, True, p.bit_length() or 1, two, odd.bit_length() if odd > 1 else 0)


class Costs:
    """symnet.cost's model as a ring: cost.combine over the same nodes."""

    number = staticmethod(_bits)

    def add(self, xs: list[Cost]) -> Cost:
        return combine("add", xs)

    def mul(self, xs: list[Cost]) -> Cost:
        return combine("mul", xs)

    def pow(self, x: Cost, n: int) -> Cost:
        return combine("pow", [x], n) if n >= 0 else combine("fn", [x])

    def fn(self, name: str, xs: list[Cost]) -> Cost:
        return combine("fn", xs)

    def const(self, name: str) -> Cost:
        return Cost(0, 1, False, 1, 0, 0)


COSTS = Costs()
GENERATOR_COST = Cost(1, 1, True, 1, 0, 0)
