"""Q2: the cost model as a ring of the interpreter (symnet.cost.combine over the node table): its time over a
document's whole table, and the refusal of number-size attacks before anything is evaluated (docs/redesign.md,
section 2).  The refusal test is the prototype's: bits over MAX_BITS, over 2,000,000 terms or degree over 4,096.

Run from the repository root:  python benchmarks/stage2/q2_cost.py
"""

import json
import time

import _paths  # noqa: F401  (the repository's symnet first on sys.path)
import kform
from kform import Table

import symnet
from symnet.cost import MAX_BITS

ATTACKS = {
    "pow(pow(10, 10000), 10000)": [["int", "10"], ["int", "10000"], ["pow", 0, 1], ["pow", 2, 1]],
    "squaring chain x 40": [["int", "3"], ["int", "2"]] + [["pow", 0 if i == 0 else i + 1, 1] for i in range(40)],
    "(1 + x)^4000 with x a symbol": [["sym", "x"], ["int", "1"], ["add", 0, 1], ["int", "4000"], ["pow", 2, 3]],
}


def main() -> None:
    net = symnet.dense(3, [10] * 3)
    doc = json.loads(symnet.prove(net).to_json())
    names: dict[str, int] = {}
    for n in doc["expressions"]:
        if n[0] == "sym":
            names[n[1]] = len(names)
    t = Table()
    t0 = time.perf_counter()
    refs = kform.read_table(doc["expressions"], t, names)
    t1 = time.perf_counter()
    costs = kform.run(t, kform.program(t, refs), kform.COSTS, lambda i: kform.GENERATOR_COST)
    t2 = time.perf_counter()
    print(f"(3,10,3) proof document: {len(doc['expressions'])} nodes read in {1e3 * (t1 - t0):.1f} ms, costed in "
          f"{1e3 * (t2 - t1):.1f} ms; "
          f"largest node: {max(c.bits for c in costs.values())} bits, {max(c.terms for c in costs.values())} terms")
    for name, nodes in ATTACKS.items():
        t = Table()
        t0 = time.perf_counter()
        refs = kform.read_table(nodes, t, {"x": 0})
        c = kform.run(t, kform.program(t, [refs[-1]]), kform.COSTS, lambda i: kform.GENERATOR_COST)[refs[-1]]
        dt = time.perf_counter() - t0
        verdict = "refused" if c.bits > MAX_BITS or c.terms > 2_000_000 or c.degree > 4096 else "allowed"
        print(f"{name:32s} estimate: degree {c.degree}, terms {c.terms}, bits {c.bits} -> {verdict} in {dt*1e3:.2f} ms")


if __name__ == "__main__":
    main()
