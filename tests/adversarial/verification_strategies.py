"""Hypothesis strategies for verification documents (format ``symnet.verification``, issue 21), as JSON text.

``verification_documents()`` draws one of:

* ``real`` -- a certificate :func:`symnet.verify` wrote for a tiny ReLU network
  (1-3 inputs, 1-2 hidden layers of 1-4 neurons, 1-2 outputs; small exact
  rational weights, or floats read as their exact binary values), a box with
  flat coordinates now and then, input constraints, and a violation of one or
  two disjuncts whose first row sits within 2^-k of the exact extreme (so
  both answers occur) -- left as written, or mutated: tree nodes dropped or
  duplicated, children swapped, split values moved, multipliers scaled,
  negated, zeroed or made huge, disjunct and row indices changed, proofs moved
  to other nodes, slopes added (valid ones on every proof, or broken ones), the property shifted by 2^-k, the network's
  weights changed, a row moved onto its exact extreme, the counterexample nudged by 2^-k (with its output
  recomputed exactly, or not), the output changed, the status flipped;
* ``grammar`` -- a document built from the grammar alone: a random network
  written with its own expression table (ReLU as ``Max(0, t)``, ``Max(t, 0)``
  or ``(t + Abs(t))/2``), a property, and a uniform split tree with unit or
  random multipliers ("holds"), or a random point with its exact output
  ("violated");
* ``junk`` -- hostile structure: deep and wide trees, huge numbers, proofs of
  the wrong shape, wrong types at any leaf, random JSON under the format name.

The pool of real certificates is built once, deterministically.
"""

from __future__ import annotations

import copy
import json
import random
from fractions import Fraction
from functools import lru_cache
from typing import Any

from hypothesis import strategies as st

from . import strategies as S
from .verification_oracle import Numeric, extreme

__all__ = ["grammar_documents", "real_documents", "verification_documents", "verification_pool"]

FORMAT = "symnet.verification"
Spec = tuple[list[list[list[Fraction]]], list[list[Fraction]]]  # weights, biases per layer (the last: output)


def _enc(v: Fraction) -> str:
    return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"


def _numeric(spec: Spec) -> Numeric:
    ws, bs = spec
    kinds = ["relu"] * (len(ws) - 1) + ["identity"]
    return Numeric(None, [(w, b, k, "t", 0) for w, b, k in zip(ws, bs, kinds, strict=True)])  # type: ignore[arg-type]


def _random_spec(rng: random.Random) -> Spec:
    p = rng.randint(1, 3)
    depth = rng.choice([0, 1, 1, 1, 1, 2, 2, 2, 2, 2])
    widths = [p, *(rng.randint(1, 4) for _ in range(depth)), rng.randint(1, 2)]
    floats = rng.random() < 0.3

    def num() -> Fraction:
        if floats:
            return Fraction(rng.uniform(-1.5, 1.5))  # a double's exact binary value
        return Fraction(rng.randint(-8, 8), rng.choice([1, 2, 3, 4]))

    ws = [[[num() for _ in range(widths[i])] for _ in range(widths[i + 1])] for i in range(len(widths) - 1)]
    bs = [[num() / 2 for _ in range(widths[i + 1])] for i in range(len(widths) - 1)]
    return ws, bs


def _random_property(rng: random.Random, spec: Spec) -> tuple[Any, Any, Any]:
    p, q = len(spec[0][0][0]), len(spec[1][-1])
    box = []
    for _ in range(p):
        lo = Fraction(rng.randint(-4, 1), 2)
        box.append((lo, lo) if rng.random() < 0.2 else (lo, lo + Fraction(rng.randint(1, 6), 2)))
    cons = []
    if rng.random() < 0.3:
        a = [Fraction(rng.randint(-2, 2)) for _ in range(p)]
        centre = [(lo + hi) / 2 for lo, hi in box]
        cons.append((a, -sum((ai * ci for ai, ci in zip(a, centre, strict=True)), Fraction(0)) - Fraction(1, 4)))
    net = _numeric(spec)
    disjuncts = []
    for _ in range(rng.choice([1, 1, 2])):
        rows = []
        for r in range(rng.choice([1, 1, 2])):
            c = [Fraction(rng.randint(-2, 2)) for _ in range(q)]
            if not any(c):
                c[0] = Fraction(1)
            top = extreme(net, box, cons, [-v for v in c])  # max of -c.y: c.y >= -top on the set
            if top is None or r:
                d = Fraction(rng.randint(-6, 6), 2)
            else:
                d = top + rng.choice([1, -1]) * Fraction(1, 2 ** rng.randint(8, 40)) * rng.randint(0, 1)
            rows.append((c, d))
        disjuncts.append(rows)
    return box, cons, disjuncts


@lru_cache(maxsize=1)
def verification_pool() -> list[tuple[str, Spec]]:
    """Certificates written by symnet.verify for tiny random problems, with their networks (deterministic)."""
    import symnet
    from symnet.search.vnnlib import VnnProperty

    rng = random.Random(2126)
    out: list[tuple[str, Spec]] = []
    statuses: set[str] = set()
    while len(out) < 40 or len(statuses) < 2:
        spec = _random_spec(rng)
        box, cons, disjuncts = _random_property(rng, spec)
        ws, bs = spec
        net = symnet.Network.from_matrices(ws, bs, "relu")
        prop = VnnProperty(len(box), len(bs[-1]), box, disjuncts, cons)
        v = symnet.verify(net, prop, workers=1, timeout=20)
        if v.status in ("holds", "violated"):
            out.append((v.to_json(), spec))
            statuses.add(v.status)
    return out


# --------------------------------------------------------------- mutations
def _spans(tree: list[Any]) -> list[int]:
    """For each preorder node, the index one past its subtree (a malformed tree is read as far as it goes)."""
    end = [0] * len(tree)

    def walk(i: int) -> int:
        if i >= len(tree):
            return i
        node = tree[i]
        j = i + 1
        if isinstance(node, list) and node[:1] == ["split"]:
            j = walk(walk(j))
        end[i] = j
        return j

    walk(0)
    return end


def _tiny(draw: Any) -> Fraction:
    return Fraction(draw(st.sampled_from([1, -1])), 2 ** draw(st.integers(1, 60)))


def _proofs(draw: Any, tree: list[Any]) -> list[tuple[int, int]]:
    """(node, proof) pairs of the tree's proofs."""
    return [(n, k) for n, node in enumerate(tree) if isinstance(node, list) for k in range(len(node[-1]))]


def _mutate_tree(draw: Any, d: dict[str, Any]) -> None:
    tree = d["tree"]
    kind = draw(
        st.sampled_from(
            [
                "drop",
                "dup",
                "swap",
                "move-split",
                "coord",
                "mult",
                "row",
                "disjunct",
                "move-proofs",
                "drop-proofs",
                "slopes",
                "leaf-only",
            ]
        )
    )
    n = draw(st.integers(0, len(tree) - 1))
    node = tree[n]
    if kind == "drop" and len(tree) > 1:
        del tree[n]
    elif kind == "dup":
        tree.insert(n, copy.deepcopy(node))
    elif kind == "swap":
        splits = [i for i, x in enumerate(tree) if x[0] == "split"]
        if splits:
            i = draw(st.sampled_from(splits))
            end = _spans(tree)
            mid = end[i + 1]
            tree[i + 1 : end[i]] = tree[mid : end[i]] + tree[i + 1 : mid]
    elif kind in ("move-split", "coord") and node[0] == "split":
        if kind == "coord":
            node[1] = draw(st.integers(-1, len(d["property"]["box"])))
        else:
            v = Fraction(node[2])
            lo, hi = (Fraction(b) for b in d["property"]["box"][node[1]])
            node[2] = _enc(draw(st.sampled_from([v + _tiny(draw), lo, hi, hi + 1, (lo + v) / 2, v * 1000])))
    elif kind in ("mult", "row", "disjunct", "slopes") and _proofs(draw, tree):
        at, k = draw(st.sampled_from(_proofs(draw, tree)))
        proof = tree[at][-1][k]
        if kind == "disjunct":
            proof[0] = draw(st.integers(-1, len(d["property"]["disjuncts"])))
        elif kind == "slopes":
            triples = [
                [
                    draw(st.integers(0, 2)),
                    draw(st.integers(0, 4)),
                    draw(st.sampled_from(["0", "1", "1/2", "3/4", "1/3", "2", "-1/2", "1/1073741824"])),
                ]
                for _ in range(draw(st.integers(0, 3)))
            ]
            proof[2:] = [sorted(triples) if draw(st.booleans()) else triples]
        elif proof[1]:
            m = draw(st.integers(0, len(proof[1]) - 1))
            if kind == "row":
                proof[1][m][0] = draw(st.integers(-1, 4))
            else:
                v = Fraction(proof[1][m][1])
                f = draw(
                    st.sampled_from(
                        [
                            Fraction(2),
                            Fraction(1, 2),
                            Fraction(10**6),
                            Fraction(1, 2**40),
                            Fraction(-1),
                            Fraction(0),
                            Fraction(10**1000),
                        ]
                    )
                )
                proof[1][m][1] = _enc(v * f + (_tiny(draw) if draw(st.booleans()) else 0))
        else:
            proof[1].append([0, draw(st.sampled_from(["1", "1/2", "1000"]))])
    elif kind in ("move-proofs", "drop-proofs"):
        other = tree[draw(st.integers(0, len(tree) - 1))]
        if kind == "move-proofs":
            other[-1], node[-1] = node[-1], other[-1]
        else:
            node[-1] = []
    elif kind == "leaf-only":
        d["tree"] = [["leaf", copy.deepcopy(node[-1])]]


def _forward(d: dict[str, Any], spec: Spec, x: list[Fraction]) -> list[Fraction]:
    return _numeric(spec).forward(x)


def _mutate_property(draw: Any, d: dict[str, Any]) -> None:
    prop = d["property"]
    kind = draw(st.sampled_from(["shift", "grow", "drop-constraint", "drop-row", "negate-row", "add-disjunct"]))
    disj = prop["disjuncts"]
    j = draw(st.integers(0, len(disj) - 1))
    if kind == "shift" and disj[j]:
        row = disj[j][draw(st.integers(0, len(disj[j]) - 1))]
        row[1] = _enc(Fraction(row[1]) + _tiny(draw) * draw(st.sampled_from([1, 1, 2**40])))
    elif kind == "grow":
        pair = prop["box"][draw(st.integers(0, len(prop["box"]) - 1))]
        pair[1] = _enc(Fraction(pair[1]) + abs(_tiny(draw)))
    elif kind == "drop-constraint" and prop["input_constraints"]:
        prop["input_constraints"].pop()
    elif kind == "drop-row" and disj[j]:
        disj[j].pop(draw(st.integers(0, len(disj[j]) - 1)))
    elif kind == "negate-row" and disj[j]:
        c, e = disj[j][0]
        disj[j][0] = [[_enc(-Fraction(v)) for v in c], _enc(-Fraction(e))]
    elif kind == "add-disjunct":
        disj.append(copy.deepcopy(disj[j]))


def _mutate_point(draw: Any, d: dict[str, Any], spec: Spec) -> None:
    x = [Fraction(v) for v in d["counterexample"]]
    kind = draw(st.sampled_from(["nudge", "nudge-stale", "output", "outside"]))
    i = draw(st.integers(0, len(x) - 1))
    if kind == "output":
        k = draw(st.integers(0, len(d["output"]) - 1))
        d["output"][k] = _enc(Fraction(d["output"][k]) + _tiny(draw))
        return
    lo, hi = (Fraction(v) for v in d["property"]["box"][i])
    x[i] = hi + abs(_tiny(draw)) if kind == "outside" else x[i] + _tiny(draw)
    d["counterexample"] = [_enc(v) for v in x]
    if kind != "nudge-stale":
        d["output"] = [_enc(v) for v in _forward(d, spec, x)]


def _flip(draw: Any, d: dict[str, Any], spec: Spec) -> None:
    if d["status"] == "holds":
        x = [(Fraction(lo) + Fraction(hi)) / 2 for lo, hi in d["property"]["box"]]
        d.pop("tree")
        d.update(status="violated", counterexample=[_enc(v) for v in x], output=[_enc(v) for v in _forward(d, spec, x)])
    else:
        d.pop("counterexample")
        d.pop("output")
        proofs = [[j, [[0, "1"]]] for j in range(len(d["property"]["disjuncts"]))]
        d.update(status="holds", tree=[["leaf", proofs]])


def _to_extreme(draw: Any, d: dict[str, Any], spec: Spec) -> None:
    """Move one violation row onto the exact extreme of its output over the set (a violation on the boundary)."""
    prop = d["property"]
    box = [(Fraction(lo), Fraction(hi)) for lo, hi in prop["box"]]
    cons = [([Fraction(v) for v in a], Fraction(e)) for a, e in prop["input_constraints"]]
    disj = prop["disjuncts"]
    rows = disj[draw(st.integers(0, len(disj) - 1))]
    if rows:
        row = rows[draw(st.integers(0, len(rows) - 1))]
        top = extreme(_numeric(spec), box, cons, [-Fraction(v) for v in row[0]])
        if top is not None:
            row[1] = _enc(top)


def _mutate_weight(draw: Any, d: dict[str, Any]) -> None:
    layers = d["network"]["layers"]
    layer = layers[draw(st.integers(0, len(layers) - 1))]
    row = layer["weights"][draw(st.integers(0, len(layer["weights"]) - 1))]
    k = draw(st.integers(0, len(row) - 1))
    d["expressions"].append(["rat", "1", str(2 ** draw(st.integers(1, 50)))] if draw(st.booleans()) else ["int", "-1"])
    row[k] = len(d["expressions"]) - 1


@st.composite
def real_documents(draw: Any) -> str:
    """A certificate symnet.verify wrote, left as is or mutated 1-3 times."""
    text, spec = draw(st.sampled_from(verification_pool()))
    d = json.loads(text)
    for _ in range(draw(st.sampled_from([0, 1, 1, 1, 2, 3]))):
        kind = draw(st.sampled_from(["evidence", "evidence", "property", "flip", "weight", "extreme", "alpha"]))
        try:
            if kind == "evidence" and d["status"] == "holds":
                _mutate_tree(draw, d)
            elif kind == "evidence":
                _mutate_point(draw, d, spec)
            elif kind == "property":
                _mutate_property(draw, d)
            elif kind == "flip":
                _flip(draw, d, spec)
            elif kind == "extreme":
                _to_extreme(draw, d, spec)
            elif kind == "alpha" and d["status"] == "holds":
                _alpha(draw, d, spec)
            else:
                _mutate_weight(draw, d)
        except (IndexError, KeyError, TypeError, ValueError, ZeroDivisionError):
            pass  # an earlier mutation left nothing of this shape to mutate
    if d.get("status") == "holds" and draw(st.integers(0, 3 if reads_slopes() else 15)) == 0:
        _alpha(draw, d, spec)
    if draw(st.integers(0, 4)) == 0:
        return S.finish(draw, d, S.Nodes(d["expressions"]))
    return json.dumps(d)


# --------------------------------------------------------------- from the grammar
def _write_network(draw: Any, t: S.Nodes, spec: Spec, floats: bool) -> dict[str, Any]:
    ws, bs = spec
    p = len(ws[0][0])
    inputs = [f"x_{i + 1}" for i in range(p)]
    tv = t.sym("t")
    relu = draw(st.sampled_from(["max0t", "maxt0", "abs"] * 6 + ["identity", "leaky", "shifted", "abs-only"]))
    if relu in ("identity", "leaky", "shifted", "abs-only"):  # not ReLU: the format refuses these
        leaky = t.op("mul", t.num(Fraction(1, 100)), tv)
        shifted = t.add(["fn", "Max", t.zero(), t.op("add", tv, t.num(Fraction(-1, 4)))])
        expr = {"identity": tv, "leaky": t.add(["fn", "Max", leaky, tv]), "shifted": shifted}.get(
            relu, t.add(["fn", "Abs", tv])
        )
    elif relu == "max0t":
        expr = t.add(["fn", "Max", t.zero(), tv])
    elif relu == "maxt0":
        expr = t.add(["fn", "Max", tv, t.zero()])
    else:
        expr = t.op("mul", t.num(Fraction(1, 2)), t.op("add", tv, t.add(["fn", "Abs", tv])))
    name = draw(st.sampled_from(["relu", None]))
    layers = []

    def ref(v: Fraction) -> int:
        return t.float(v) if floats and v.denominator & (v.denominator - 1) == 0 else t.num(v)

    for i, (w, b) in enumerate(zip(ws, bs, strict=True)):
        last = i == len(ws) - 1
        act = (
            {"name": "identity", "variable": "y", "expr": t.sym("y")}
            if last
            else {"name": name, "variable": "t", "expr": expr}
        )
        layers.append(
            {"weights": [[ref(v) for v in row] for row in w], "biases": [ref(v) for v in b], "activation": act}
        )
    return {"inputs": inputs, "layers": layers}


def _slopes(draw: Any, spec: Spec) -> list[list[Any]]:
    """Lower ReLU slopes of hidden neurons (the interface of briefs/interface.md): in order, on the 2^-30 grid."""
    neurons = [(l, k) for l, b in enumerate(spec[1][:-1]) for k in range(len(b))]
    chosen = sorted(draw(st.sets(st.sampled_from(neurons), max_size=len(neurons)))) if neurons else []
    grid = st.integers(0, 2**30).map(lambda n: _enc(Fraction(n, 2**30)))
    return [[l, k, draw(st.sampled_from(["0", "1", "1/2", "0", "1"]) | grid)] for l, k in chosen]


def _alpha(draw: Any, d: dict[str, Any], spec: Spec) -> None:
    """Valid slopes on every proof of the tree."""
    for node in d["tree"]:
        for proof in node[-1]:
            proof[2:] = [_slopes(draw, spec)]


@lru_cache(maxsize=1)
def reads_slopes() -> bool:
    """Whether symnet's reader takes a proof's optional third element (slopes, briefs/interface.md)."""
    import symnet
    from symnet.errors import SymnetError

    for text, _spec in verification_pool():
        d = json.loads(text)
        if d["status"] == "holds":
            for node in d["tree"]:
                for proof in node[-1]:
                    proof[2:] = [[]]
            try:
                symnet.Verdict.from_json(json.dumps(d))
            except SymnetError:
                return False
            return True
    return False


def _uniform_tree(draw: Any, box: list[tuple[Fraction, Fraction]], depth: int, proofs: Any) -> list[Any]:
    free = [j for j, (lo, hi) in enumerate(box) if lo < hi]
    if depth == 0 or not free:
        return [["leaf", proofs(draw)]]
    j = free[depth % len(free)]
    lo, hi = box[j]
    mid = (lo + hi) / 2
    left, right = list(box), list(box)
    left[j], right[j] = (lo, mid), (mid, hi)
    return [
        ["split", j, _enc(mid), []],
        *_uniform_tree(draw, left, depth - 1, proofs),
        *_uniform_tree(draw, right, depth - 1, proofs),
    ]


@st.composite
def grammar_documents(draw: Any) -> str:
    """A network, a property and evidence written from the grammar alone (no symnet)."""
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    spec = _random_spec(rng)
    box, cons, disjuncts = _random_property(rng, spec)
    t = S.Nodes()
    floats = draw(st.booleans())
    network = _write_network(draw, t, spec, floats)
    d: dict[str, Any] = {
        "format": FORMAT,
        "version": 1,
        "network": network,
        "property": {
            "box": [[_enc(lo), _enc(hi)] for lo, hi in box],
            "input_constraints": [[[_enc(v) for v in a], _enc(e)] for a, e in cons],
            "disjuncts": [[[[_enc(v) for v in c], _enc(e)] for c, e in conj] for conj in disjuncts],
        },
    }
    if draw(st.booleans()):
        unit = draw(st.booleans())
        slopes = draw(st.integers(0, 2)) == 0

        def proofs(draw: Any) -> list[Any]:
            out = []
            for j, rows in enumerate(disjuncts):
                if unit or not rows:
                    out.append([j, [[0, "1"]] if rows else []])
                else:
                    out.append(
                        [
                            j,
                            [
                                [k, _enc(Fraction(draw(st.integers(0, 4)), draw(st.integers(1, 3))))]
                                for k in range(len(rows) + len(cons))
                            ],
                        ]
                    )
                if slopes:
                    out[-1][2:] = [_slopes(draw, spec)]
            return out

        d.update(status="holds", tree=_uniform_tree(draw, box, draw(st.integers(0, 4)), proofs))
    else:
        x = [lo + (hi - lo) * Fraction(draw(st.integers(0, 8)), 8) for lo, hi in box]
        d.update(
            status="violated", counterexample=[_enc(v) for v in x], output=[_enc(v) for v in _numeric(spec).forward(x)]
        )
    d["expressions"] = t.nodes
    return json.dumps(d)


def verification_documents() -> st.SearchStrategy[str]:
    """One verification document: real (often mutated), from the grammar, or junk."""
    from .verification_junk import junk_documents  # it draws from this module's pool

    return st.one_of(real_documents(), real_documents(), grammar_documents(), junk_documents())
