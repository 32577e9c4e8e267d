"""Q2: the explicit linear claim of dense(p, [h]*L): today's kernel vs the prototype interpreter over fmpq_mpoly.

today: symnet.kernel.check(text) of the proof's document (read + gate + both routes) and proof.check() in memory;
prototype: json.loads + read the node table (no sympy) + the explicit claim compared with the output expanded by
the one forward pass over fmpq_mpoly (what both routes' `_confirm` does) + the stated blocks compared by ref;
flint floor: bench_prove._flint_explicit (python-flint's product + forward + compare).
Then a tampered claim (an offset replaced by a weight's node), which the prototype must refuse.

Run from the repository root:  python benchmarks/stage2/q2_linear.py   (best of 5 each)
"""

import json
from collections.abc import Callable
from functools import partial
from typing import Any

import _paths  # noqa: F401  (the repository's symnet and benchmarks/ first on sys.path)
import flint
import kform
import knet
from bench_prove import _flint_explicit
from q2_counterexample import best

import symnet
from symnet.kernel import check


def proto(text: str) -> bool:
    """True if the prototype accepts the document."""
    doc = json.loads(text)
    net, refs = knet.read_network(doc)
    table = net.table
    # the gate's cost model over the table (one pass, the Costs ring) for every entry
    kform.run(table, kform.program(table, refs), kform.COSTS, lambda i: kform.GENERATOR_COST)  # the whole table
    claim = doc["claim"]
    ctx = flint.fmpq_mpoly_ctx.get(("g", len(net.names)), "lex")
    gens = ctx.gens()
    ring = kform.mpoly_ring(ctx)
    def env(i):
        return gens[i]
    out = knet.forward(net, ring, env, gens[: net.p])
    rows = [[refs[claim["offset"][i]], *(refs[r] for r in claim["matrix"][i])] for i in range(len(out))]
    vals = kform.evaluate(table, [r for row in rows for r in row], ring, env)
    k = 0
    for o in out:
        b, w = vals[k], vals[k + 1 : k + 1 + net.p]
        k += 1 + net.p
        if o != kform.balanced_sum([b, *[wi * xi for wi, xi in zip(w, gens[: net.p], strict=True)]], ring.zero):
            return False
    # the stated blocks: the output row C's refs are the output layer's [b | W] refs (the product route's compare)
    C = doc["steps"][0]["matrix"]
    last = net.layers[-1]
    for i, row in enumerate(C):
        if [refs[r] for r in row] != [last.biases[i], *last.weights[i * last.cols : (i + 1) * last.cols]]:
            return False
    return True

def in_memory(text: str) -> Callable[[], bool]:
    """Stage 2's in-memory check: the network already in the kernel form and the claim held as fmpq_mpoly (what
    the engine makes, Claim.polys): the forward pass over fmpq_mpoly and the compare; returns the timed closure."""
    doc = json.loads(text)
    net, refs = knet.read_network(doc)
    ctx = flint.fmpq_mpoly_ctx.get(("g", len(net.names)), "lex")
    gens = ctx.gens()
    ring = kform.mpoly_ring(ctx)
    claim = doc["claim"]
    rows = [[refs[claim["offset"][i]], *(refs[r] for r in claim["matrix"][i])] for i in range(len(claim["offset"]))]
    polys = [kform.evaluate(net.table, row, ring, lambda i: gens[i]) for row in rows]

    def run() -> bool:
        out = knet.forward(net, ring, lambda i: gens[i], gens[: net.p])
        x = gens[: net.p]
        return all(o == kform.balanced_sum([r[0], *[w * v for w, v in zip(r[1:], x, strict=True)]], ring.zero)
                   for o, r in zip(out, polys, strict=True))
    return run

def main() -> None:
    for p, h, L in ((30, 30, 1), (10, 10, 2), (3, 10, 3)):
        proof = symnet.prove(symnet.dense(p, [h] * L))
        text = proof.to_json()
        t_mem, ok1 = best(proof.check)
        t_doc, ok2 = best(partial(check, text))
        t_pro, ok3 = best(partial(proto, text))
        t_load, _ = best(partial(json.loads, text))
        t_mem2, ok4 = best(in_memory(text))
        t_fl = min(min(_flint_explicit(p, h, L, k) for k in ("fmpq", "fmpz")) for _ in range(3))
        assert ok1 and ok2 and ok3 and ok4
        print(f"({p},{h},{L}) {len(text) / 1e3:.0f} kB: today check(text) {t_doc * 1e3:.1f} ms, in memory "
              f"{t_mem * 1e3:.1f} ms | prototype from text {t_pro * 1e3:.1f} ms (json.loads {t_load * 1e3:.1f}) | "
              f"prototype in memory {t_mem2 * 1e3:.1f} ms | flint floor {t_fl * 1e3:.1f} ms")
    # soundness spot check: a tampered claim is rejected
    d: dict[str, Any] = json.loads(symnet.prove(symnet.dense(3, [4])).to_json())
    d["claim"]["offset"][0] = d["claim"]["matrix"][0][0]
    print("tampered claim accepted by the prototype:", proto(json.dumps(d)))


if __name__ == "__main__":
    main()
