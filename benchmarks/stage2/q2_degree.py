"""Q2: the degree check (bound_degree: layer-wise bounds + the witness line over fmpq_poly) with no sympy, against
today's ``Degree.check()`` in memory and ``symnet.kernel.check(text)``; then a witness coefficient changed by one,
which the prototype must refuse (docs/redesign.md, section 6).

Run from the repository root:  python benchmarks/stage2/q2_degree.py   (best of 7)
"""

import json
from functools import partial
from typing import Any

import _paths  # noqa: F401  (the repository's symnet first on sys.path)
import flint
import kform
import knet
from flint import fmpq
from q2_counterexample import best, q

import symnet
from symnet.kernel import check


def bounds(net: knet.KNet) -> list[list[int | None]]:
    """The layer-wise degree bounds (None: the entry is identically zero)."""
    table = net.table
    zero = table.index.get(("q", fmpq(0)))
    # the activation's degree and c_0 from its body over fmpq_poly (a polynomial activation without parameters)
    out, prev = [], [1] * net.p
    table.index.get(("v",))
    for layer in net.layers:
        body = kform.evaluate(table, [layer.activation], kform.POLY, lambda i: None, flint.fmpq_poly([0, 1]))[0]
        deg, c0 = body.degree(), body[0]
        cur = []
        for k in range(layer.rows):
            row = layer.weights[k * layer.cols : (k + 1) * layer.cols]
            ds = [prev[j] for j, w in enumerate(row) if w != zero and prev[j] is not None]
            zb = max(ds) if ds else (0 if layer.biases[k] != zero else None)
            cur.append((0 if c0 != 0 else None) if zb is None or deg < 0 else deg * zb)
        out.append(cur)
        prev = cur
    return out

def proto(text: str) -> Any:
    """True if the prototype accepts the document, else why not."""
    doc = json.loads(text)
    net, refs = knet.read_network(doc)
    table = bounds(net)
    if doc["bounds"] and table != doc["bounds"]:
        return "bounds differ"
    for i, (d, route, wit) in enumerate(zip(doc["degrees"], doc["routes"], doc["witnesses"], strict=True)):
        if route != "bound_degree" or table[-1][i] != d:
            return "route"
        vals: list[Any] = [None] * len(net.names)
        for name, v in wit["weights"].items():
            vals[net.names.index(name)] = flint.fmpq_poly([q(v)])
        line = [flint.fmpq_poly([q(a), q(b)]) for a, b in zip(wit["point"], wit["direction"], strict=True)]
        g = knet.forward(net, kform.POLY, vals.__getitem__, line)[i]
        if g.degree() > d or g[d] == 0 or g[d] != q(wit["coefficient"]):
            return f"witness of output {i}"
    return True

CASES = (
    ("square 2-2-1", lambda: symnet.dense(2, [2], activation="square")),
    ("sq,cube 2-2-2-1", lambda: symnet.dense(2, [2, 2], activation=["square", "cube"])),
    ("4-4-4-4 square", lambda: symnet.dense(4, [4, 4, 4], activation="square")),
    ("8-8-8-8 square", lambda: symnet.dense(8, [8, 8, 8], activation="square")),
)


def main() -> None:
    for name, make in CASES:
        found = symnet.degree(make())
        text = found.to_json()
        t_mem, _ = best(found.check, 7)
        t_doc, _ = best(partial(check, text), 7)
        t_pro, res = best(partial(proto, text), 7)
        d = json.loads(text)
        d["witnesses"][0]["coefficient"] = str(q(d["witnesses"][0]["coefficient"]) + 1)
        print(f"{name:16s} today check() {t_mem * 1e3:6.2f} ms, check(text) {t_doc * 1e3:6.2f} ms | prototype from "
              f"text {t_pro * 1e3:6.2f} ms -> {res}; tampered coefficient -> {proto(json.dumps(d))}")


if __name__ == "__main__":
    main()
