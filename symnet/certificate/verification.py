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

from ..errors import CertificateError
from ..model.core import NetworkData as Network
from .expressions import ExpressionReader, _is_int, check_version, keys, read_network
from .numbers import decode_q

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


def _bad(message: str) -> CertificateError:
    return CertificateError(f"malformed verification document: {message}")


def _q(text: Any, where: str) -> fmpq:
    v = decode_q(text, where)
    if max(int(v.p).bit_length(), int(v.q).bit_length()) > MAX_NUMBER_BITS:
        raise _bad(f"{where} has more than {MAX_NUMBER_BITS} bits")
    return v


def _vector(items: Any, n: int, where: str) -> tuple[fmpq, ...]:
    if not isinstance(items, list) or len(items) != n:
        raise _bad(f"{where} must be a list of {n} rationals")
    return tuple(_q(v, f"{where}[{i}]") for i, v in enumerate(items))


def _row(item: Any, n: int, where: str) -> Row:
    if not isinstance(item, list) or len(item) != 2:
        raise _bad(f"{where} must be [coefficients, constant]")
    return _vector(item[0], n, f"{where}.c"), _q(item[1], f"{where}.d")


def _property(data: Any, p: int, q: int) -> tuple[Any, Any, Any]:
    keys(data, {"box", "input_constraints", "disjuncts"}, set(), "property")
    box = data["box"]
    if not isinstance(box, list) or len(box) != p:
        raise _bad(f"property.box must list {p} intervals")
    pairs = []
    for j, pair in enumerate(box):
        lo, hi = _vector(pair, 2, f"property.box[{j}]")
        if lo > hi:
            raise _bad(f"property.box[{j}] = [{lo}, {hi}] is empty")
        pairs.append((lo, hi))
    cons = data["input_constraints"]
    if not isinstance(cons, list) or len(cons) > 100_000:
        raise _bad("property.input_constraints must be a list of at most 100000 rows")
    rows = tuple(_row(r, p, f"property.input_constraints[{i}]") for i, r in enumerate(cons))
    disj = data["disjuncts"]
    if not isinstance(disj, list) or not 0 < len(disj) <= 100_000:
        raise _bad("property.disjuncts must be a non-empty list of at most 100000 conjunctions")
    out = []
    for i, conj in enumerate(disj):
        if not isinstance(conj, list) or len(conj) > 100_000:
            raise _bad(f"property.disjuncts[{i}] must be a list of rows")
        out.append(tuple(_row(r, q, f"property.disjuncts[{i}][{k}]") for k, r in enumerate(conj)))
    return tuple(pairs), rows, tuple(out)


def _slopes(items: Any, hidden: tuple[int, ...], where: str) -> tuple[tuple[int, int, fmpq], ...]:
    if not isinstance(items, list) or len(items) > sum(hidden):
        raise _bad(f"{where} slopes must be a list of at most {sum(hidden)} [layer, neuron, value]")
    out: list[tuple[int, int, fmpq]] = []
    for k, t in enumerate(items):
        if not (isinstance(t, list) and len(t) == 3 and _is_int(t[0]) and 0 <= t[0] < len(hidden)):
            raise _bad(f"{where} slope {k} must be [hidden layer below {len(hidden)}, neuron, value]")
        if not (_is_int(t[1]) and 0 <= t[1] < hidden[t[0]]):
            raise _bad(f"{where} slope {k}: neuron {str(t[1])[:20]} is not an index of hidden layer {t[0]}")
        v = _q(t[2], f"{where} slope {k}")
        if not (0 <= v <= 1 and (1 << GRID_BITS) % int(v.q) == 0):
            raise _bad(f"{where} slope {k} = {v} is not in [0, 1] on the grid 2^-{GRID_BITS}")
        if out and (t[0], t[1]) <= out[-1][:2]:
            raise _bad(f"{where} slopes must be strictly increasing in (layer, neuron)")
        out.append((int(t[0]), int(t[1]), v))
    return tuple(out)


def _proofs(
    items: Any, disjuncts: tuple[tuple[Row, ...], ...], extra: int, hidden: tuple[int, ...], where: str
) -> tuple[Proof, ...]:
    if not isinstance(items, list) or len(items) > len(disjuncts):
        raise _bad(f"{where} must be a list of at most {len(disjuncts)} proofs")
    out = []
    for i, item in enumerate(items):
        if not (isinstance(item, list) and len(item) in (2, 3) and _is_int(item[0]) and 0 <= item[0] < len(disjuncts)):
            raise _bad(f"{where}[{i}] must be [disjunct index, multipliers] or [disjunct index, multipliers, slopes]")
        rows = len(disjuncts[item[0]]) + extra
        mults = item[1]
        if not isinstance(mults, list) or len(mults) > rows:
            raise _bad(f"{where}[{i}] multipliers must be a list of at most {rows} [row, value]")
        pairs = []
        for k, pair in enumerate(mults):
            if not (isinstance(pair, list) and len(pair) == 2 and _is_int(pair[0]) and 0 <= pair[0] < rows):
                raise _bad(f"{where}[{i}] multiplier {k} must be [row index below {rows}, value]")
            pairs.append((int(pair[0]), _q(pair[1], f"{where}[{i}] multiplier {k}")))
        slopes = _slopes(item[2], hidden, f"{where}[{i}]") if len(item) == 3 else ()
        out.append((int(item[0]), tuple(pairs), slopes))
    return tuple(out)


def read_tree(
    items: Any, p: int, disjuncts: tuple[tuple[Row, ...], ...], extra: int, hidden: tuple[int, ...] = ()
) -> tuple[Node, ...]:
    """The nodes of a document's ``tree`` (p inputs, the disjuncts, ``extra`` input constraints, ``hidden``
    the network's hidden layer widths: a slope names a neuron of one of them)."""
    if not isinstance(items, list) or not 0 < len(items) <= MAX_TREE_NODES:
        raise _bad(f"tree must be a non-empty list of at most {MAX_TREE_NODES} nodes")
    nodes: list[Node] = []
    open_slots = 1  # children still owed in preorder: a node past the last leaf is refused before it is read
    for n, item in enumerate(items):
        where = f"tree[{n}]"
        if not open_slots:
            raise _bad(f"{where} comes after the tree's last leaf")
        open_slots += 1 if isinstance(item, list) and item[:1] == ["split"] else -1
        if isinstance(item, list) and len(item) == 4 and item[0] == "split":
            if not (_is_int(item[1]) and 0 <= item[1] < p):
                raise _bad(f"{where}: the split coordinate must be an input index below {p}")
            value = _q(item[2], f"{where}.value")
            nodes.append(("split", int(item[1]), value, _proofs(item[3], disjuncts, extra, hidden, where)))
        elif isinstance(item, list) and len(item) == 2 and item[0] == "leaf":
            nodes.append(("leaf", _proofs(item[1], disjuncts, extra, hidden, where)))
        else:
            raise _bad(f"{where} must be ['split', coordinate, value, proofs] or ['leaf', proofs]")
    return tuple(nodes)


def read_verification(data: Any) -> VerificationDocument:
    """A verification document (format ``symnet.verification``) as stated; CertificateError if malformed."""
    keys(
        data,
        {"format", "version", "expressions", "network", "property", "status"},
        {"counterexample", "output", "tree"},
        "the document",
    )
    check_version(data, 1, "verification document")
    net = read_network(ExpressionReader(data["expressions"]), data["network"])
    box, cons, disjuncts = _property(data["property"], net.p, net.q)
    status = data["status"]
    if status == "violated":
        if data.get("counterexample") is None or data.get("output") is None or data.get("tree") is not None:
            raise _bad("a 'violated' document has a counterexample and its output, and no tree")
        x = _vector(data["counterexample"], net.p, "counterexample")
        y = _vector(data["output"], net.q, "output")
        return VerificationDocument(net, box, cons, disjuncts, status, x, y, ())
    if status == "holds":
        if data.get("counterexample") is not None or data.get("output") is not None or data.get("tree") is None:
            raise _bad("a 'holds' document has a tree and no counterexample")
        tree = read_tree(data["tree"], net.p, disjuncts, len(cons), net.hidden)
        return VerificationDocument(net, box, cons, disjuncts, status, None, None, tree)
    raise _bad(f"status {str(status)[:20]!r} is not 'holds' or 'violated'")
