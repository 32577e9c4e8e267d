"""The interpreter against an independent route: random node tables evaluated by ``kform.run`` in QQ, fmpq_mpoly and
arb (200 bits), against sympy's own evaluation of the same tables (exact, and ``N(...)`` for the balls), and the
COSTS ring's degree bound against sympy's total degree (docs/redesign.md, section 6).  Half the tables are
polynomial (QQ, fmpq_mpoly, COSTS), half may hold functions (arb).  ``--planted`` runs the same tables through
rings with two planted bugs (a cube computed as a square, tanh computed as sinh), to show the comparison can fail.

Run from the repository root:  python benchmarks/stage2/q2_crosscheck.py [count] [--planted]   (default 2000)
"""

import random
import sys
from typing import Any

import _paths  # noqa: F401  (the repository's symnet first on sys.path)
import flint
import kform
import sympy
from flint import arb, fmpq
from kform import Table

FN = {"tanh": sympy.tanh, "exp": sympy.exp, "sin": sympy.sin, "Abs": sympy.Abs, "Max": sympy.Max}
SYMBOLS = sympy.symbols("a b c")


class PlantedExact(kform.Exact):
    """A planted bug: x**3 computed as x**2."""

    def pow(self, x: Any, n: int) -> Any:
        return super().pow(x, 2 if n == 3 else n)


class PlantedBalls(kform.Balls):
    """A planted bug: tanh computed as sinh."""

    def fn(self, name: str, xs: list[arb]) -> arb:
        return super().fn("sinh" if name == "tanh" else name, xs)


def table(rng: random.Random, polynomial: bool) -> tuple[list[list[Any]], list[sympy.Expr]]:
    """A random document node table over a, b, c (and its sympy expressions, node by node)."""
    nodes: list[list[Any]] = []
    exprs: list[Any] = []
    syms = sympy.symbols("a b c")
    for i in range(rng.randint(4, 14)):
        k = rng.random()
        if i < 3 or k < 0.25:
            if rng.random() < 0.5:
                s = rng.randrange(3)
                nodes.append(["sym", "abc"[s]])
                e = syms[s]
                if any(n == ["sym", "abc"[s]] for n in nodes[:-1]):
                    nodes[-1] = ["int", "1"]
                    e = sympy.Integer(1)
            else:
                p, q = rng.randint(-9, 9), rng.choice([1, 2, 3, 7])
                g = sympy.Rational(p, q)
                nodes.append(["int", str(g.p)] if g.q == 1 else ["rat", str(g.p), str(g.q)])
                e = g
        elif k < 0.55:
            refs = rng.sample(range(len(nodes)), min(len(nodes), rng.randint(2, 3)))
            nodes.append(["add", *refs])
            e = sympy.Add(*(exprs[r] for r in refs))
        elif k < 0.85:
            refs = rng.sample(range(len(nodes)), 2)
            nodes.append(["mul", *refs])
            e = sympy.Mul(*(exprs[r] for r in refs))
        elif k < 0.93 or polynomial:
            n = rng.randint(0, 3)
            nodes.append(["int", str(n)])
            exprs.append(sympy.Integer(n))
            r = rng.randrange(len(nodes) - 1)
            nodes.append(["pow", r, len(nodes) - 1])
            e = exprs[r] ** n
        else:
            name = rng.choice(sorted(FN))
            r = rng.randrange(len(nodes))
            args = [r, rng.randrange(len(nodes))] if name == "Max" else [r]
            nodes.append(["fn", name, *args])
            e = FN[name](*(exprs[a] for a in args))
        exprs.append(e)
    return nodes, exprs


def main(count: int, planted: bool) -> None:
    rng = random.Random(7)
    values = [fmpq(3, 2), fmpq(-2), fmpq(5, 7)]
    sv = {s: sympy.Rational(int(v.p), int(v.q)) for s, v in zip(SYMBOLS, values, strict=True)}
    names = {"a": 0, "b": 1, "c": 2}
    ctx = flint.fmpq_mpoly_ctx.get(("g", 3), "lex")
    gens = ctx.gens()
    qq, mpoly, balls = kform.QQ, kform.mpoly_ring(ctx), kform.BALLS
    if planted:
        qq, mpoly, balls = PlantedExact(qq.number, qq.zero), PlantedExact(mpoly.number, mpoly.zero), PlantedBalls()
    bad = 0
    for i in range(count):
        polynomial = i % 2 == 0
        nodes, exprs = table(rng, polynomial)
        t = Table()
        refs = kform.read_table(nodes, t, names)
        root, e = refs[-1], exprs[-1]
        order = kform.program(t, [root])
        if polynomial:
            q = kform.run(t, order, qq, values.__getitem__)[root]
            s = e.xreplace(sv)
            bad += q != fmpq(int(s.p), int(s.q))
            m = kform.run(t, order, mpoly, gens.__getitem__)[root]
            if e.free_symbols:
                terms = sympy.Poly(e, *SYMBOLS).as_dict().items()
                bad += m != ctx.from_dict({k: fmpq(int(c.p), int(c.q)) for k, c in terms})
            else:
                bad += m != ctx.constant(fmpq(int(e.p), int(e.q)))
            cost = kform.run(t, order, kform.COSTS, lambda j: kform.GENERATOR_COST)[root]
            # sympy's flattening makes a different DAG: compare only the degree bound
            bad += cost.degree < sympy.Poly(e, *SYMBOLS).total_degree() if e.free_symbols else 0
        else:
            try:
                with flint.ctx.workprec(200):
                    ball = kform.run(t, order, balls, lambda j: arb(values[j]))[root]
            except (ZeroDivisionError, ValueError):
                continue
            s = sympy.N(e.xreplace(sv), 50)
            if ball.is_finite() and s.is_real and s.is_finite:
                bad += not ball.overlaps(arb(str(sympy.Float(s, 40)), 1e-30))
    print(f"{count} random tables{' (planted bugs)' if planted else ''}: {bad} disagreements with sympy")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--planted"]
    main(int(args[0]) if args else 2000, "--planted" in sys.argv)
