"""Q2: the counterexample check (bench_refute's networks) with no sympy: exact values in the Terms ring (option A
of docs/redesign.md, section 3), the defect's enclosure by the Balls ring at growing precision, against today's
``symnet.kernel.check(text)``; then two tampered documents (enclosure moved, stated values swapped) that the
prototype must refuse.  Also the home of ``best`` and ``q``, which the other q2 scripts import.

Run from the repository root:  python benchmarks/stage2/q2_counterexample.py   (best of 5)
"""

import json
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import _paths  # noqa: F401  (the repository's symnet and benchmarks/ first on sys.path)
import flint
import kform
import knet
from bench_refute import CASES
from flint import fmpq
from terms import Terms

import symnet
from symnet.kernel import check


def best(f: Callable[[], Any], n: int = 5) -> tuple[float, Any]:
    """The best wall time of ``n`` calls, and the last call's result."""
    b, r = float("inf"), None
    for _ in range(n):
        t = time.perf_counter()
        r = f()
        b = min(b, time.perf_counter() - t)
    return b, r


def q(s: str) -> fmpq:
    """A document's rational string ("-3/4", "5") as an fmpq."""
    if "/" in s:
        a, b = s.split("/")
        return fmpq(int(a), int(b))
    return fmpq(int(s))


def moved_enclosure(lo: str, hi: str) -> list[str]:
    """An enclosure of the same sign strictly past [lo, hi] (so a false statement about the defect)."""
    if q(hi) > 0:
        return [str(q(hi) * 2), str(q(hi) * 3)]
    return [str(q(lo) * 3), str(q(lo) * 2)]


def proto(text: str) -> Any:
    """True if the prototype accepts the document, else why not."""
    doc = json.loads(text)
    net, refs = knet.read_network(doc)
    table = net.table
    terms = Terms(table)
    weights = {n: q(v) for n, v in doc["weights"].items()}
    gen_value = [None] * len(net.names)
    for name, v in weights.items():
        gen_value[net.names.index(name)] = terms.number(v)
    u, v = ([q(c) for c in pt] for pt in doc["points"])
    m = [(a + b) / 2 for a, b in zip(u, v, strict=True)]

    def env(i: int) -> Any:
        return gen_value[i]

    k = doc["output"]
    got = [knet.forward(net, terms, env, [terms.number(c) for c in pt])[k] for pt in (u, v, m)]
    # the stated values, read through the same normalizations (their own nodes, re-run in the Terms ring)
    stated = kform.evaluate(table, [refs[r] for r in doc["values"]], terms, env)
    if stated != got:
        return f"values differ: {[s == g for s, g in zip(stated, got, strict=False)]}"
    fu, fv, fm = got
    defect = terms.add([fm, terms.mul([terms.number(fmpq(-1, 2)), terms.add([fu, fv])])])
    lo, hi = (q(c) for c in doc["enclosure"])
    if not (lo <= hi and (lo > 0 or hi < 0)):
        return "enclosure holds 0"
    node = table.nodes[defect]
    if node[0] == "q":
        return lo <= node[1] <= hi
    order = kform.program(table, [defect])
    for prec in (64, 160, 400, 1200):
        with flint.ctx.workprec(prec):
            ball = kform.run(table, order, kform.BALLS, lambda i: None)[defect]
            a, b = ball.lower().fmpq(), ball.upper().fmpq()
        if a >= lo and b <= hi:  # the defect's ball lies in [lo, hi] (today: the signs of defect - lo, hi - defect)
            return True
    return "undecided"

def main() -> None:
    for name, make in CASES:
        text = symnet.refute(make()).to_json()
        t_today, _ = best(partial(check, text))
        t_proto, res = best(partial(proto, text))
        print(f"{name:28s} today check(text) {t_today * 1e3:7.1f} ms | prototype {t_proto * 1e3:7.1f} ms -> {res}")
        # tampering: the enclosure moved off the defect; two stated values swapped
        e = json.loads(text)
        e["enclosure"] = moved_enclosure(*e["enclosure"])
        bad = proto(json.dumps(e))
        e = json.loads(text)
        e["values"] = [e["values"][1], e["values"][0], e["values"][2]]
        bad2 = proto(json.dumps(e))
        print(f"{'':28s} tampered enclosure -> {bad}; swapped values -> {bad2}")


if __name__ == "__main__":
    main()
