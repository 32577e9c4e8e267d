"""The verification document (format ``symnet.verification``) as plain data: a property and its answer.

A document states a network, a property in VNN-LIB's form -- an input box, linear
input constraints ``a . x + e <= 0`` and the *violation* as a disjunction of
conjunctions of rows ``c . y + d <= 0`` -- and a status with its evidence:

* ``"violated"``: an exact input ``counterexample`` and the exact ``output`` there;
* ``"holds"``: a binary split ``tree`` of the box, in preorder, whose nodes carry
  multipliers proving disjuncts infeasible on their sub-box, each proof optionally with
  ``slopes``: ``[layer, neuron, value]`` triples, strictly increasing in (layer, neuron),
  naming a hidden neuron and a lower ReLU slope 0 <= value <= 1 on the grid 2^-GRID_BITS.

Nothing is checked mathematically here (that is :mod:`symnet.kernel.verification`);
the reader refuses anything malformed and bounds what a document may make the
checker do: every number has at most :data:`MAX_NUMBER_BITS` bits, the tree at
most :data:`MAX_TREE_NODES` nodes and depth :data:`MAX_TREE_DEPTH`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flint import fmpq

from ..model.core import NetworkData as Network
from .expressions import _expect, index, keys, pairs, read_network, start
from .numbers import decode_q, decode_qs

__all__ = [
    "GRID_BITS",
    "MAX_NUMBER_BITS",
    "MAX_TREE_DEPTH",
    "MAX_TREE_NODES",
    "Node",
    "Proof",
    "Row",
    "VerificationDocument",
    "read_tree",
    "read_verification",
]

#: Largest numerator or denominator (bits) of any number in a verification document.
MAX_NUMBER_BITS = 4096
#: Most nodes of a split tree, and its deepest path.
MAX_TREE_NODES = 4_000_000
MAX_TREE_DEPTH = 400
#: The denominator of every slope divides 2^GRID_BITS (the kernel's rounding grid).
GRID_BITS = 30

#: A row ``(c, d)`` meaning ``c . v + d <= 0``.
Row = tuple[tuple[fmpq, ...], fmpq]
#: One proof on a node: (disjunct, ((row, multiplier), ...), ((layer, neuron, slope), ...)); rows past the
#: disjunct's are input constraints; the slopes (possibly none) are lower ReLU slopes of hidden neurons.
Proof = tuple[int, tuple[tuple[int, fmpq], ...], tuple[tuple[int, int, fmpq], ...]]
#: ``("split", coordinate, value, proofs)`` or ``("leaf", proofs)``.
Node = tuple[Any, ...]


@dataclass(frozen=True)
class VerificationDocument:
    """A verification document as stated: the network, the property, the status and its evidence."""

    network: Network
    box: tuple[tuple[fmpq, fmpq], ...]
    input_constraints: tuple[Row, ...]
    disjuncts: tuple[tuple[Row, ...], ...]
    status: str
    counterexample: tuple[fmpq, ...] | None
    output: tuple[fmpq, ...] | None
    tree: tuple[Node, ...]
    kind = "verification"


def _q(text: Any, where: str) -> fmpq:
    return decode_q(text, where, MAX_NUMBER_BITS)


def _vector(items: Any, n: int, where: str) -> tuple[fmpq, ...]:
    return tuple(decode_qs(items, n, where, MAX_NUMBER_BITS))


def _row(item: Any, n: int, where: str) -> Row:
    _expect(isinstance(item, list) and len(item) == 2, f"{where} must be [coefficients, constant]")
    return _vector(item[0], n, f"{where}.c"), _q(item[1], f"{where}.d")


def _rows(items: Any, n: int, where: str, most: int = 100_000) -> tuple[Row, ...]:
    _expect(isinstance(items, list) and len(items) <= most, f"{where} must be a list of at most {most} rows")
    return tuple(_row(r, n, f"{where}[{i}]") for i, r in enumerate(items))


def _property(data: Any, p: int, q: int) -> tuple[Any, Any, Any]:
    keys(data, {"box", "input_constraints", "disjuncts"}, set(), "property")
    _expect(isinstance(data["box"], list) and len(data["box"]) == p, f"property.box must list {p} intervals")
    box = tuple(_vector(pair, 2, f"property.box[{j}]") for j, pair in enumerate(data["box"]))
    _expect(all(lo <= hi for lo, hi in box), "property.box has an empty interval")
    disj = data["disjuncts"]
    _expect(isinstance(disj, list) and 0 < len(disj) <= 100_000, "property.disjuncts must be a non-empty list")
    conjunctions = tuple(_rows(conj, q, f"property.disjuncts[{i}]") for i, conj in enumerate(disj))
    return box, _rows(data["input_constraints"], p, "property.input_constraints"), conjunctions


def _slopes(items: Any, hidden: tuple[int, ...], where: str) -> tuple[tuple[int, int, fmpq], ...]:
    _expect(
        isinstance(items, list) and len(items) <= sum(hidden),
        f"{where} slopes must be a list of at most {sum(hidden)} [layer, neuron, value]",
    )
    out: list[tuple[int, int, fmpq]] = []
    for k, t in enumerate(items):
        _expect(isinstance(t, list) and len(t) == 3, f"{where} slope {k} must be [hidden layer, neuron, value]")
        layer = index(t[0], len(hidden), f"{where} slope {k}: the hidden layer")
        neuron = index(t[1], hidden[layer], f"{where} slope {k}: the neuron")
        v = _q(t[2], f"{where} slope {k}")
        _expect(
            0 <= v <= 1 and (1 << GRID_BITS) % int(v.q) == 0,
            f"{where} slope {k} = {v} is not in [0, 1] on the grid 2^-{GRID_BITS}",
        )
        _expect(
            not out or (layer, neuron) > out[-1][:2], f"{where} slopes must be strictly increasing in (layer, neuron)"
        )
        out.append((layer, neuron, v))
    return tuple(out)


def _proofs(
    items: Any, disjuncts: tuple[tuple[Row, ...], ...], extra: int, hidden: tuple[int, ...], where: str
) -> tuple[Proof, ...]:
    _expect(
        isinstance(items, list) and len(items) <= len(disjuncts),
        f"{where} must be a list of at most {len(disjuncts)} proofs",
    )
    out = []
    for i, item in enumerate(items):
        _expect(
            isinstance(item, list) and len(item) in (2, 3),
            f"{where}[{i}] must be [disjunct index, multipliers] or [disjunct index, multipliers, slopes]",
        )
        d = index(item[0], len(disjuncts), f"{where}[{i}]: the disjunct")
        rows = len(disjuncts[d]) + extra
        _expect(isinstance(item[1], list) and len(item[1]) <= rows, f"{where}[{i}] has more than {rows} multipliers")
        mults = pairs(item[1], rows, f"{where}[{i}] multipliers", MAX_NUMBER_BITS)
        out.append((d, tuple(mults), _slopes(item[2], hidden, f"{where}[{i}]") if len(item) == 3 else ()))
    return tuple(out)


def read_tree(
    items: Any, p: int, disjuncts: tuple[tuple[Row, ...], ...], extra: int, hidden: tuple[int, ...] = ()
) -> tuple[Node, ...]:
    """The nodes of a document's ``tree`` (p inputs, the disjuncts, ``extra`` input constraints, ``hidden``
    the network's hidden layer widths: a slope names a neuron of one of them)."""
    _expect(
        isinstance(items, list) and 0 < len(items) <= MAX_TREE_NODES,
        f"tree must be a non-empty list of at most {MAX_TREE_NODES} nodes",
    )
    nodes: list[Node] = []
    open_slots = 1  # children still owed in preorder: a node past the last leaf is refused before it is read
    for n, item in enumerate(items):
        where = f"tree[{n}]"
        _expect(open_slots, f"{where} comes after the tree's last leaf")
        open_slots += 1 if isinstance(item, list) and item[:1] == ["split"] else -1
        if isinstance(item, list) and len(item) == 4 and item[0] == "split":
            coordinate = index(item[1], p, f"{where}: the split coordinate")
            value = _q(item[2], f"{where}.value")
            nodes.append(("split", coordinate, value, _proofs(item[3], disjuncts, extra, hidden, where)))
        else:
            _expect(
                isinstance(item, list) and len(item) == 2 and item[0] == "leaf",
                f"{where} must be ['split', coordinate, value, proofs] or ['leaf', proofs]",
            )
            nodes.append(("leaf", _proofs(item[1], disjuncts, extra, hidden, where)))
    return tuple(nodes)


def read_verification(data: Any) -> VerificationDocument:
    """A verification document (format ``symnet.verification``) as stated; CertificateError if malformed."""
    table = start(
        data, "verification document", {"network", "property", "status"}, {"counterexample", "output", "tree"}
    )
    net = read_network(table, data["network"])
    box, cons, disjuncts = _property(data["property"], net.p, net.q)
    status, x, y, tree = data["status"], data.get("counterexample"), data.get("output"), data.get("tree")
    _expect(status in ("holds", "violated"), f"status {str(status)[:20]!r} is not 'holds' or 'violated'")
    if status == "violated":
        _expect(
            x is not None and y is not None and tree is None,
            "a 'violated' document has a counterexample and its output, and no tree",
        )
        return VerificationDocument(
            net, box, cons, disjuncts, status, _vector(x, net.p, "counterexample"), _vector(y, net.q, "output"), ()
        )
    _expect(x is None and y is None and tree is not None, "a 'holds' document has a tree and no counterexample")
    tree = read_tree(tree, net.p, disjuncts, len(cons), net.hidden)
    return VerificationDocument(net, box, cons, disjuncts, status, None, None, tree)
