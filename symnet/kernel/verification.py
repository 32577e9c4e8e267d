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

import math
from collections.abc import Sequence
from typing import Any

from flint import fmpq, fmpq_mat, fmpz_mat

from ..certificate.verification import Node, Row, VerificationDocument
from ..errors import CertificateError
from ..model.network import Network
from .regions_cert import forward, network_pieces

__all__ = ["GRID_BITS", "Relaxed", "ReluLayers", "check_document", "leaf_rows", "relax", "relu_layers", "row_bound"]

#: Every rounded number lies on the grid 2^-GRID_BITS.
GRID_BITS = 30
_SCALE = 1 << GRID_BITS
#: Coefficients on post-activations are rounded down to 2^-FINE_BITS.
FINE_BITS = 40
_FINE = 1 << FINE_BITS
ZERO, ONE = fmpq(0), fmpq(1)
#: Hidden layers as (W over QQ, D W and D b as integers, D), and the output layer (W, b) over QQ.
ReluLayers = tuple[list[tuple[fmpq_mat, fmpz_mat, list[int], int]], tuple[fmpq_mat, list[fmpq]]]
#: Per hidden layer: the concrete bounds of its neurons and its relaxation as integer matrices (see _layer_ext).
Relaxed = tuple[list[list[tuple[fmpq, fmpq]]], list[tuple[fmpz_mat, fmpz_mat, int, int, int]]]


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
        D = math.lcm(*(int(v.q) for v in ws), *(int(v.q) for v in b))
        Wz = fmpz_mat(n, m, [int(v.p) * (D // int(v.q)) for v in ws])
        hidden.append((W, Wz, [int(v.p) * (D // int(v.q)) for v in b], D))
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


def _relaxation(lu: Sequence[tuple[fmpq, fmpq]]) -> tuple[list[bool], list[fmpq], list[fmpq]]:
    """Per neuron with bounds (l, u): keep a positive coefficient?, the slope for a negative one, its constant."""
    keep, up, cst = [], [], []
    for l, u in lu:
        if u <= 0:
            keep.append(False), up.append(ZERO), cst.append(ZERO)
        elif l >= 0:
            keep.append(True), up.append(ONE), cst.append(ZERO)
        else:
            s = _ceil(u / (u - l))
            keep.append(u >= -l), up.append(s), cst.append(-s * l)
    return keep, up, cst


def _int(v: fmpq) -> int:
    assert v.q == 1
    return int(v.p)


def _layer_ext(layer: Any, lu: Sequence[tuple[fmpq, fmpq]]) -> tuple[fmpz_mat, fmpz_mat, int, int, int]:
    """A hidden layer under its relaxation, as integer matrices at the scale T = D 2^(2 GRID_BITS).

    Row k of ``keep`` is ``T [W_k | b_k]`` for a neuron whose positive coefficient is kept (else 0); row k
    of ``slope`` is ``T [s_k W_k | s_k b_k + c_k]`` (the upper line ``s_k z_k + c_k`` for a negative one).
    Returns (keep, slope, T, n, m).
    """
    _, Wz, bz, D = layer
    n, m = Wz.nrows(), Wz.ncols()
    keep, up, cst = _relaxation(lu)
    G = _SCALE
    wz = Wz.entries()
    K: list[Any] = []
    S: list[Any] = []
    for k in range(n):
        row = wz[k * m : (k + 1) * m]
        if keep[k]:
            K.extend(v * G * G for v in row)
            K.append(bz[k] * G * G)
        else:
            K.extend([0] * (m + 1))
        s_int, c_int = _int(up[k] * G), _int(cst[k] * G * G)
        S.extend(v * s_int * G for v in row)
        S.append(bz[k] * s_int * G + c_int * D)
    return fmpz_mat(n, m + 1, K), fmpz_mat(n, m + 1, S), D * G * G, n, m


def _backsub(exts: Sequence[Any], A: list[Any], const: list[fmpq]) -> list[list[fmpq]]:
    """Rows ``[const, coeffs...]`` over x of lower bounds of ``A h + const`` (h: the last hidden layer's outputs).

    ``A`` holds integers: the coefficients times 2^FINE_BITS (R rows).  Each step
    rounds the coefficients on the (non-negative) post-activations, and the
    constant, down to the grid 2^-FINE_BITS: that keeps a lower bound and the
    numbers short.
    """
    R = len(const)
    c_int = [int((c * _FINE).floor()) for c in const]
    coeffs: list[list[fmpq]] = [[] for _ in range(R)]
    for idx in reversed(range(len(exts))):
        Kx, Sx, T, n, m = exts[idx]
        pos = fmpz_mat(R, n, [a if a > 0 else 0 for a in A])
        neg = fmpz_mat(R, n, [a if a < 0 else 0 for a in A])
        P = (pos * Kx + neg * Sx).entries()
        c_int = [c + int(P[i * (m + 1) + m] // T) for i, c in enumerate(c_int)]
        if idx > 0:
            A = [P[i * (m + 1) + j] // T for i in range(R) for j in range(m)]
        else:
            scale = _FINE * T
            coeffs = [[fmpq(P[i * (m + 1) + j], scale) for j in range(m)] for i in range(R)]
    return [[fmpq(c_int[i], _FINE), *coeffs[i]] for i in range(R)]


def relax(hidden: Any, box: Sequence[tuple[fmpq, fmpq]]) -> Relaxed:
    """Concrete (l, u) of every hidden neuron on the box, by back-substitution (CROWN) through the layers below,
    and each layer's relaxation."""
    out: list[list[tuple[fmpq, fmpq]]] = []
    exts: list[Any] = []
    for i, (W, Wz, bz, D) in enumerate(hidden):
        n, m = W.nrows(), W.ncols()
        b = [fmpq(v, D) for v in bz]
        if i == 0:
            rows = [[b[k], *W.entries()[k * m : (k + 1) * m]] for k in range(n)]
            out.append([(_floor(lo), _ceil(hi)) for lo, hi in (_extremes(r, box) for r in rows)])
        else:
            wz = Wz.entries()
            A = [(w * _FINE) // D for w in wz] + [(-w * _FINE) // D for w in wz]
            rows = _backsub(exts, A, b + [-v for v in b])
            mins = [_extremes(r, box)[0] for r in rows]
            out.append([(_floor(mins[k]), _ceil(-mins[n + k])) for k in range(n)])
        exts.append(_layer_ext(hidden[i], out[i]))
    return out, exts


def leaf_rows(
    layers: ReluLayers,
    box: Sequence[tuple[fmpq, fmpq]],
    rows: Sequence[Row],
    relaxed: Relaxed | None = None,
) -> list[list[fmpq]]:
    """For each row ``c . y + d``, ``[const, coeffs...]`` of an affine g with ``c . f(x) + d >= g(x)`` on the box.

    ``relaxed`` is :func:`relax` of the hidden layers on the box (computed when not given).
    """
    hidden, (Wout, bout) = layers
    if not rows:
        return []
    m = len(rows)
    C = fmpq_mat(m, len(bout), [c for r in rows for c in r[0]])
    const = [r[1] + sum((c * v for c, v in zip(r[0], bout, strict=True)), ZERO) for r in rows]
    if not hidden:
        return [[const[i], *row] for i, row in enumerate(_rows(C * Wout))]
    relaxed = relax(hidden, box) if relaxed is None else relaxed
    A = [int((v * _FINE).floor()) for v in (C * Wout).entries()]
    return _backsub(relaxed[1], A, const)


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
    relaxed = relax(layers[0], box) if proofs else None
    for j, mults in proofs:
        rows = doc.disjuncts[j]
        used = sorted({k for k, _ in mults if k < len(rows)})
        f = leaf_rows(layers, box, [rows[k] for k in used], relaxed)
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
