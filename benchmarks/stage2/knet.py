"""Prototype: a network in the kernel's form, read from a document, and its one forward pass over any ring.

A prototype for step 1 of docs/redesign.md (``knet.forward`` is section 2's "one forward pass"), not product code;
the q2_* scripts of benchmarks/stage2 import it by path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import kform
from flint import fmpq
from kform import Table


@dataclass(frozen=True)
class KLayer:
    rows: int
    cols: int
    weights: tuple[int, ...]  # refs, row-major
    biases: tuple[int, ...]
    activation: int  # the body's ref (the bound variable is ("v",))
    name: str | None


@dataclass(frozen=True)
class KNet:
    table: Table
    names: tuple[str, ...]  # generator i's name: inputs first, then parameters
    p: int
    layers: tuple[KLayer, ...]


def read_network(doc: dict[str, Any], table: Table | None = None) -> tuple[KNet, list[int]]:
    """The network section of a symnet document (and the refs of its whole node table)."""
    table = table or Table()
    sec, nodes = doc["network"], doc["expressions"]
    inputs = list(sec["inputs"])
    syms = [n[1] for n in nodes if n[0] == "sym"]
    var = {layer["activation"]["variable"] for layer in sec["layers"]}  # prototype: no variable is also a parameter
    params = [s for s in syms if s not in inputs and s not in var]
    names = {n: i for i, n in enumerate([*inputs, *params])}
    refs = kform.read_table(nodes, table, names, var)
    layers = []
    cols = len(inputs)
    for layer in sec["layers"]:
        W = layer["weights"]
        a = layer["activation"]
        weights = tuple(refs[r] for row in W for r in row)
        biases = tuple(refs[r] for r in layer["biases"])
        layers.append(KLayer(len(W), cols, weights, biases, refs[a["expr"]], a["name"]))
        cols = len(W)
    return KNet(table, tuple([*inputs, *params]), len(inputs), tuple(layers)), refs


def forward(net: KNet, ring: Any, env: Callable[[int], Any], x: Sequence[Any]) -> list[Any]:
    """The outputs in ``ring``: the layers' entries read once (shared nodes once), then z = W u + b, u = act(z)."""
    table = net.table
    roots = [r for layer in net.layers for r in (*layer.weights, *layer.biases)]
    val = kform.run(table, kform.program(table, roots), ring, env)
    zero_ref = table.index.get(("q", fmpq(0)))
    var_ref = table.index.get(("v",))
    u = list(x)
    for layer in net.layers:
        cols = layer.cols
        z = []
        for k in range(layer.rows):
            row = layer.weights[k * cols : (k + 1) * cols]
            terms = [ring.mul([val[w], u[j]]) for j, w in enumerate(row) if w != zero_ref]
            z.append(ring.add([val[layer.biases[k]], *terms]))
        if layer.activation == var_ref:
            u = z
            continue
        order = kform.program(table, [layer.activation])
        u = [kform.run(table, order, ring, env, zk)[layer.activation] for zk in z]
    return u
