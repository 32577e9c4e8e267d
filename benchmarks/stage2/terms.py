"""Prototype: the exact-value ring of the counterexample checker, with no sympy: values are refs of a hash-consed
table, built with a few normalizations (flattening, rational folding, like terms and like powers collected, a
rational distributed over a sum, integer powers of products and powers, odd functions of negated arguments,
functions at 0).  Each rewriting keeps the value, so equal refs are equal values (sound); a stated value that
reaches another ref is refused (only ever a rejection).

Option (A) of docs/redesign.md, section 3 (the note recommends option (B), which needs no value ring); a prototype,
not product code.  Used by q2_counterexample.py and q2_compat.py; its size: ``python benchmarks/stage2/count_lines.py``.
"""

from __future__ import annotations

from flint import fmpq
from kform import Table

ODD = {"tanh", "sinh", "sin"}
AT_ZERO = {"tanh": 0, "sinh": 0, "sin": 0, "cosh": 1, "cos": 1, "exp": 1}


class Terms:
    def __init__(self, table: Table) -> None:
        self.t = table
        self.nodes = table.nodes
        self.one, self.zero = table.number(1), table.number(0)

    def number(self, q: fmpq) -> int:
        return self.t.add(("q", q))

    def _split(self, r: int) -> tuple[fmpq, int | None]:
        """(rational coefficient, the rest) of a term."""
        node = self.nodes[r]
        if node[0] == "q":
            return node[1], None
        if node[0] == "mul" and self.nodes[node[1]][0] == "q":
            rest = node[2:]
            return self.nodes[node[1]][1], (rest[0] if len(rest) == 1 else self.t.add(("mul", *rest)))
        return fmpq(1), r

    def add(self, xs: list[int]) -> int:
        coeffs: dict[int, fmpq] = {}
        const = fmpq(0)
        stack = list(xs)
        while stack:
            r = stack.pop()
            if self.nodes[r][0] == "add":
                stack.extend(self.nodes[r][1:])
                continue
            c, rest = self._split(r)
            if rest is None:
                const += c
            else:
                coeffs[rest] = coeffs.get(rest, fmpq(0)) + c
        parts = [self._scaled(c, t) for t, c in sorted(coeffs.items()) if c != 0]
        if const != 0:
            parts.insert(0, self.number(const))
        if not parts:
            return self.zero
        return parts[0] if len(parts) == 1 else self.t.add(("add", *parts))

    def _scaled(self, c: fmpq, r: int) -> int:
        if c == 1:
            return r
        node = self.nodes[r]
        rest = node[1:] if node[0] == "mul" else (r,)
        return self.t.add(("mul", self.number(c), *rest))

    def mul(self, xs: list[int]) -> int:
        coef = fmpq(1)
        powers: dict[int, int] = {}
        stack = list(xs)
        while stack:
            r = stack.pop()
            node = self.nodes[r]
            if node[0] == "mul":
                stack.extend(node[1:])
            elif node[0] == "q":
                coef *= node[1]
            elif node[0] == "pow":
                powers[node[1]] = powers.get(node[1], 0) + node[2]
            else:
                powers[r] = powers.get(r, 0) + 1
        if coef == 0:
            return self.zero
        factors = [b if n == 1 else self.t.add(("pow", b, n)) for b, n in sorted(powers.items()) if n != 0]
        if len(factors) == 1 and self.nodes[factors[0]][0] == "add" and coef != 1:  # 2*(a + b) -> 2*a + 2*b
            return self.add([self._scaled_term(coef, a) for a in self.nodes[factors[0]][1:]])
        if not factors:
            return self.number(coef)
        if coef == 1:
            return factors[0] if len(factors) == 1 else self.t.add(("mul", *factors))
        return self.t.add(("mul", self.number(coef), *factors))

    def _scaled_term(self, coef: fmpq, r: int) -> int:
        c, rest = self._split(r)
        return self.number(coef * c) if rest is None else self._scaled(coef * c, rest)

    def pow(self, x: int, n: int) -> int:
        node = self.nodes[x]
        if n == 0:
            return self.one
        if n == 1:
            return x
        if node[0] == "q":
            return self.number(node[1] ** n)
        if node[0] == "pow":
            return self.pow(node[1], node[2] * n)
        if node[0] == "mul":
            return self.mul([self.pow(f, n) for f in node[1:]])
        return self.t.add(("pow", x, n))

    def fn(self, name: str, xs: list[int]) -> int:
        if name in ("Max", "Min") and all(self.nodes[x][0] == "q" for x in xs):
            values = [self.nodes[x][1] for x in xs]
            return self.number(max(values) if name == "Max" else min(values))
        if name == "Abs" and self.nodes[xs[0]][0] == "q":
            return self.number(abs(self.nodes[xs[0]][1]))
        if len(xs) == 1:
            a = self.nodes[xs[0]]
            if a[0] == "q" and a[1] == 0 and name in AT_ZERO:
                return self.number(AT_ZERO[name])
            if name in ODD:
                lead = a[1] if a[0] == "add" else xs[0]  # a sum's first part: its constant, else the least rest's term
                c, rest = self._split(lead)
                if c < 0:
                    return self.mul([self.number(-1), self.fn(name, [self.mul([self.number(-1), xs[0]])])])
        return self.t.add(("fn", name, *xs))

    def const(self, name: str) -> int:
        return self.t.add(("c", name))


def show(table: Table, r: int) -> str:
    node = table.nodes[r]
    k = node[0]
    if k == "q":
        return str(node[1])
    if k == "g":
        return f"g{node[1]}"
    if k in ("add", "mul"):
        return "(" + (" + " if k == "add" else "*").join(show(table, c) for c in node[1:]) + ")"
    if k == "pow":
        return f"{show(table, node[1])}^{node[2]}"
    if k == "fn":
        return f"{node[1]}(" + ", ".join(show(table, c) for c in node[2:]) + ")"
    return str(node)
