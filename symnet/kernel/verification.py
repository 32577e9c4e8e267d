"""The checker of a verification certificate: "no input of the set violates the property", or a violating input.

The document (:class:`~symnet.certificate.verification.VerificationDocument`)
states a ReLU network, an input set ``X = {x in box : a_i . x + e_i <= 0}`` and
the violation ``V = OR_j AND_k (c_jk . y + d_jk <= 0)`` on the outputs y = f(x).

* ``violated``: the stated input lies in X, the network's exact forward pass
  there equals the stated output, and that output satisfies every row of one
  disjunct.  (rule ``counterexample``)
* ``holds``: the preorder ``tree`` is a binary tree; a split node on
  coordinate i at v (lo_i < v < hi_i of its box) has the children
  ``x_i <= v`` then ``x_i >= v``, so the leaves cover the box (rule ``cover``).
  A node may carry, per disjunct j, multipliers lambda >= 0 over the
  disjunct's rows (and mu >= 0 over the input constraints).  On that node's box B
  the checker computes, exactly, for every row k of disjunct j a linear function
  ``f_k`` with ``c_jk . f(x) + d_jk >= f_k(x)`` for every x in B (below), and
  accepts when ``min over B of  sum lambda_k f_k(x) + sum mu_i (a_i . x + e_i)  > 0``:
  then at every x of B n X some row of disjunct j is positive, so x does not
  violate j (rule ``infeasible``).  Every leaf must have each disjunct proved at
  itself or at an ancestor (rule ``proved``).  Together: no x in X violates.

The functions ``f_k`` (bound propagation, recomputed here from the network's own
weights; nothing of it is read from the document):

1. Forward symbolic intervals: each hidden neuron has linear functions
   ``Zlow(x) <= z(x) <= Zup(x)`` on B, its post-activation ``Hlow <= relu(z) <= Hup``
   with ``Hup = Zup`` if ``min Zup >= 0``, ``0`` if ``max Zup <= 0``, else
   ``s (Zup - a')`` with ``a' = floor(min Zup)``, ``b' = ceil(max Zup)``,
   ``s = ceil(b'/(b'-a'))``; ``Hlow = Zlow`` if ``min Zlow >= 0``, ``0`` if
   ``max Zlow <= 0``, else ``alpha Zlow`` with ``alpha`` in [0, 1].  The next
   layer's ``Zlow = W+ Hlow + W- Hup + b`` (and symmetrically ``Zup``).
   Concrete bounds ``l = floor(min Zlow)``, ``u = ceil(max Zup)`` enclose z on B.
2. Back-substitution (CROWN) of each row objective ``c . y + d`` through the layers:
   a neuron with ``l >= 0`` is the identity, one with ``u <= 0`` is zero, an
   unstable one is bounded below by ``alpha z`` (alpha = 1 if u >= -l else 0) for a
   non-negative coefficient and above by ``s (z - l)`` (s = ceil(u/(u-l))) for a
   negative one.  The result is ``f_k``, affine in x.

Every floor/ceil is to the grid 2^-GRID_BITS, which keeps the numbers short;
rounding outward keeps every step sound (``relu(t) <= s (t - a')`` on
``[a', b']`` for any ``s >= b'/(b'-a')``).  All arithmetic is exact over QQ
(python-flint).  The network goes through the gate (via
:func:`symnet.kernel.regions_cert.network_pieces`); hidden activations must be
ReLU and the output layer the identity.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flint import fmpq, fmpq_mat

from ..certificate.verification import Node, Row, VerificationDocument
from ..errors import CertificateError
from ..model.network import Network
from .regions_cert import forward, network_pieces

__all__ = ["GRID_BITS", "ReluLayers", "check_document", "hidden_bounds", "leaf_rows", "relu_layers", "row_bound"]

#: Every rounded number lies on the grid 2^-GRID_BITS.
GRID_BITS = 30
_SCALE = 1 << GRID_BITS
ZERO, ONE = fmpq(0), fmpq(1)
#: Hidden layers as (W, W+, W-, b) over QQ, and the output layer (W, b).
ReluLayers = tuple[list[tuple[fmpq_mat, fmpq_mat, fmpq_mat, list[fmpq]]], tuple[fmpq_mat, list[fmpq]]]


def _fail(message: str, rule: str, node: int | None = None) -> CertificateError:
    return CertificateError(message if node is None else f"tree[{node}]: {message}", rule=rule)


def _floor(v: fmpq) -> fmpq:
    return fmpq((v * _SCALE).floor(), _SCALE)


def _ceil(v: fmpq) -> fmpq:
    return fmpq((v * _SCALE).ceil(), _SCALE)


def relu_layers(net: Network) -> ReluLayers:
    """The network's layers over QQ, through the gate; CertificateError unless hidden ReLU and identity output."""
    layers = network_pieces(net)
    hidden = []
    for l, (aug, act) in enumerate(layers):
        last = l == len(layers) - 1
        ok = act == ("affine", ONE, ZERO) if last else act == ("kink", ZERO, (ZERO, ZERO), (ONE, ZERO))
        if not ok:
            raise _fail(f"layer {l + 1}: verification needs ReLU hidden layers and an identity output", "network")
        n, m = aug.nrows() - 1, aug.ncols() - 1
        flat = aug.entries()
        W = fmpq_mat(n, m, [flat[(k + 1) * (m + 1) + j + 1] for k in range(n) for j in range(m)])
        b = [flat[(k + 1) * (m + 1)] for k in range(n)]
        if last:
            return hidden, (W, b)
        ws = W.entries()
        pos = fmpq_mat(n, m, [w if w > 0 else ZERO for w in ws])
        hidden.append((W, pos, fmpq_mat(n, m, [w if w < 0 else ZERO for w in ws]), b))
    raise _fail("the network has no layers", "network")  # pragma: no cover - a Network has at least one layer


def _extremes(row: Sequence[fmpq], box: Sequence[tuple[fmpq, fmpq]]) -> tuple[fmpq, fmpq]:
    """min and max over the box of ``row[0] + row[1:] . x``."""
    lo = hi = row[0]
    for c, (a, b) in zip(row[1:], box, strict=True):
        if c > 0:
            lo, hi = lo + c * a, hi + c * b
        elif c < 0:
            lo, hi = lo + c * b, hi + c * a
    return lo, hi


def _rows(mat: fmpq_mat) -> list[list[fmpq]]:
    cols, flat = mat.ncols(), mat.entries()
    return [flat[i * cols : (i + 1) * cols] for i in range(mat.nrows())]


def _upper(row: list[fmpq], box: Sequence[tuple[fmpq, fmpq]]) -> list[fmpq]:
    a, b = _extremes(row, box)
    if b <= 0:
        return [ZERO] * len(row)
    if a >= 0:
        return row
    a1, b1 = _floor(a), _ceil(b)
    s = _ceil(b1 / (b1 - a1))
    return [s * (row[0] - a1)] + [s * c for c in row[1:]]


def _lower(row: list[fmpq], box: Sequence[tuple[fmpq, fmpq]]) -> list[fmpq]:
    c, d = _extremes(row, box)
    if c >= 0:
        return row
    if d <= 0:
        return [ZERO] * len(row)
    alpha = fmpq((d / (d - c) * _SCALE).floor(), _SCALE)
    return [alpha * v for v in row]


def hidden_bounds(hidden: Any, box: Sequence[tuple[fmpq, fmpq]]) -> list[list[tuple[fmpq, fmpq]]]:
    """Concrete (l, u) of every hidden neuron on the box, by forward symbolic intervals."""
    p = len(box)
    ident = fmpq_mat(p, p + 1, [ONE if j == i + 1 else ZERO for i in range(p) for j in range(p + 1)])
    low, up = ident, ident
    out = []
    for _, Wp, Wn, b in hidden:
        n = len(b)
        shift = fmpq_mat(n, p + 1, [b[k] if j == 0 else ZERO for k in range(n) for j in range(p + 1)])
        zlow, zup = _rows(Wp * low + Wn * up + shift), _rows(Wp * up + Wn * low + shift)
        out.append(
            [(_floor(_extremes(r, box)[0]), _ceil(_extremes(t, box)[1])) for r, t in zip(zlow, zup, strict=True)]
        )
        low = fmpq_mat(n, p + 1, [v for r in zlow for v in _lower(r, box)])
        up = fmpq_mat(n, p + 1, [v for r in zup for v in _upper(r, box)])
    return out


def leaf_rows(
    layers: ReluLayers,
    box: Sequence[tuple[fmpq, fmpq]],
    rows: Sequence[Row],
    bounds: list[list[tuple[fmpq, fmpq]]] | None = None,
) -> list[list[fmpq]]:
    """For each row ``c . y + d``, ``[const, coeffs...]`` of an affine g with ``c . f(x) + d >= g(x)`` on the box.

    ``bounds`` are the hidden neurons' concrete bounds on the box (computed when not given).
    """
    hidden, (Wout, bout) = layers
    if not rows:
        return []
    bounds = hidden_bounds(hidden, box) if bounds is None else bounds
    m = len(rows)
    C = fmpq_mat(m, len(bout), [c for r in rows for c in r[0]])
    A = C * Wout
    const = [r[1] + sum((c * v for c, v in zip(r[0], bout, strict=True)), ZERO) for r in rows]
    for (W, _, _, b), lu in zip(reversed(hidden), reversed(bounds), strict=True):
        n = len(lu)
        flat = A.entries()
        new = []
        for i in range(m):
            acc = const[i]
            for k in range(n):
                a = flat[i * n + k]
                l, u = lu[k]
                if u <= 0 or a == 0:
                    new.append(ZERO)
                elif l >= 0:
                    new.append(a)
                elif a > 0:
                    new.append(a if u >= -l else ZERO)
                else:
                    s = _ceil(u / (u - l))
                    new.append(a * s)
                    acc -= a * s * l
            const[i] = acc + sum((v * bk for v, bk in zip(new[i * n : (i + 1) * n], b, strict=True)), ZERO)
        A = fmpq_mat(m, n, new) * W
    return [[const[i], *row] for i, row in enumerate(_rows(A))]


def row_bound(
    f: Sequence[Sequence[fmpq]],
    cons: Sequence[Row],
    mults: Sequence[tuple[int, fmpq]],
    box: Sequence[tuple[fmpq, fmpq]],
) -> fmpq:
    """``min over the box of sum lambda_k f_k + sum mu_i (a_i . x + e_i)`` (rows past ``f`` are constraints)."""
    total = [ZERO] * (len(box) + 1)
    for k, lam in mults:
        if lam < 0:
            raise _fail(f"multiplier {lam} of row {k} is negative", "infeasible")
        row = f[k] if k < len(f) else [cons[k - len(f)][1], *cons[k - len(f)][0]]
        total = [t + lam * v for t, v in zip(total, row, strict=True)]
    return _extremes(total, box)[0]


def _check_violation(doc: VerificationDocument, layers: ReluLayers) -> None:
    x, y = doc.counterexample, doc.output
    assert x is not None and y is not None
    if not all(lo <= v <= hi for v, (lo, hi) in zip(x, doc.box, strict=True)):
        raise _fail("the counterexample lies outside the box", "counterexample")
    for i, (a, e) in enumerate(doc.input_constraints):
        if sum((c * v for c, v in zip(a, x, strict=True)), e) > 0:
            raise _fail(f"the counterexample breaks input constraint {i}", "counterexample")
    exact = forward(network_pieces(doc.network), list(x))
    if list(y) != exact:
        raise _fail("the stated output is not the network's output at the counterexample", "counterexample")
    for conj in doc.disjuncts:
        if all(sum((c * v for c, v in zip(cr, exact, strict=True)), d) <= 0 for cr, d in conj):
            return
    raise _fail("the output at the counterexample satisfies no disjunct of the violation", "counterexample")


def _check_node(
    doc: VerificationDocument, layers: ReluLayers, node: Node, box: list[tuple[fmpq, fmpq]], n: int
) -> set[int]:
    proofs = node[-1]
    done: set[int] = set()
    bounds = hidden_bounds(layers[0], box) if proofs else None
    for j, mults in proofs:
        rows = doc.disjuncts[j]
        used = sorted({k for k, _ in mults if k < len(rows)})
        f = leaf_rows(layers, box, [rows[k] for k in used], bounds)
        full: list[list[fmpq]] = [[] for _ in rows]
        for k, fk in zip(used, f, strict=True):
            full[k] = fk
        if not row_bound(full, doc.input_constraints, mults, box) > 0:
            raise _fail(f"the multipliers do not prove disjunct {j} infeasible on the node's box", "infeasible", n)
        done.add(j)
    return done


def _check_tree(doc: VerificationDocument, layers: ReluLayers) -> None:
    stack: list[tuple[list[tuple[fmpq, fmpq]], frozenset[int], int]] = [(list(doc.box), frozenset(), 0)]
    everything = set(range(len(doc.disjuncts)))
    n = 0
    for n, node in enumerate(doc.tree):
        if not stack:
            raise _fail("the tree has nodes after its last leaf", "cover", n)
        box, proved, depth = stack.pop()
        here = proved | _check_node(doc, layers, node, box, n)
        if node[0] == "leaf":
            if here != everything:
                raise _fail(f"disjunct(s) {sorted(everything - here)} are not proved on this leaf", "proved", n)
            continue
        _, i, v, _ = node
        lo, hi = box[i]
        if not lo < v < hi or depth >= 400:
            raise _fail(f"split value {v} is not strictly inside [{lo}, {hi}] (or the tree is too deep)", "cover", n)
        left, right = list(box), list(box)
        left[i], right[i] = (lo, v), (v, hi)
        stack.append((right, here, depth + 1))
        stack.append((left, here, depth + 1))
    if stack:
        raise _fail("the tree ends before every split has both children", "cover", n)


def check_document(doc: Any) -> bool:
    """Check a verification document: True, or CertificateError naming the rule."""
    if not isinstance(doc, VerificationDocument):
        raise CertificateError(f"expected a verification document, got {type(doc).__name__}")
    layers = relu_layers(doc.network)
    if len(doc.box) != doc.network.p or any(len(r[0]) != doc.network.q for c in doc.disjuncts for r in c):
        raise _fail("the property does not match the network's inputs and outputs", "network")
    if doc.status == "violated":
        _check_violation(doc, layers)
    elif doc.status == "holds":
        _check_tree(doc, layers)
    else:
        raise _fail(f"unknown status {doc.status!r}", "status")
    return True
