"""Q2, option (B): the counterexample check with no exact transcendental values: over QQ (with exact Max/Min/Abs)
when every activation is rational on rationals, else the defect by the BALLS ring at growing precision (the values
would be stated as rational enclosures, each checked by containment the same way).  Against today's
``symnet.kernel.check(text)``; then the enclosure moved off the defect, which must be refused
(docs/redesign.md, section 3).

Run from the repository root:  python benchmarks/stage2/q2_enclosure.py   (best of 5)
"""

import json
from functools import partial
from typing import Any

import _paths  # noqa: F401  (the repository's symnet and benchmarks/ first on sys.path)
import flint
import kform
import knet
from bench_refute import CASES
from flint import arb, fmpq
from q2_counterexample import best, moved_enclosure, q

import symnet
from symnet.kernel import check


class Rational(kform.Exact):
    def fn(self, name: str, xs: list[Any]) -> Any:
        if name == "Max":
            return max(xs)
        if name == "Min":
            return min(xs)
        if name == "Abs":
            return abs(xs[0])
        raise ValueError(name)


QQ = Rational(lambda v: v, fmpq(0))


def proto(text: str) -> Any:
    """True if the prototype accepts the document, else why not."""
    doc = json.loads(text)
    net, refs = knet.read_network(doc)
    weights = [None] * len(net.names)
    for name, v in doc["weights"].items():
        weights[net.names.index(name)] = q(v)
    u, v = ([q(c) for c in pt] for pt in doc["points"])
    m = [(a + b) / 2 for a, b in zip(u, v, strict=True)]
    k = doc["output"]
    lo, hi = (q(c) for c in doc["enclosure"])
    if not (lo <= hi and (lo > 0 or hi < 0)):
        return "enclosure holds 0"
    try:
        fu, fv, fm = (knet.forward(net, QQ, lambda i: weights[i], pt)[k] for pt in (u, v, m))
        return lo <= fm - (fu + fv) / 2 <= hi
    except ValueError:  # a transcendental activation: balls
        pass
    for prec in (64, 160, 400, 1200):
        with flint.ctx.workprec(prec):
            fu, fv, fm = (knet.forward(net, kform.BALLS, lambda i: arb(weights[i]), [arb(c) for c in pt])[k]
                          for pt in (u, v, m))
            d = fm - (fu + fv) / 2
            a, b = d.lower().fmpq(), d.upper().fmpq()
        if a >= lo and b <= hi:
            return True
    return "undecided"


def main() -> None:
    for name, make in CASES:
        text = symnet.refute(make()).to_json()
        t_today, _ = best(partial(check, text))
        t_proto, res = best(partial(proto, text))
        e = json.loads(text)
        e["enclosure"] = moved_enclosure(*e["enclosure"])
        print(f"{name:28s} today check(text) {t_today * 1e3:6.1f} ms | option (B) {t_proto * 1e3:6.1f} ms -> {res}; "
              f"enclosure moved -> {proto(json.dumps(e))}")


if __name__ == "__main__":
    main()
