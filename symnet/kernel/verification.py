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
weights; nothing of it is read from the document but optional slopes): concrete
bounds ``l <= z <= u`` of every hidden neuron on B, layer by layer (the first
layer's exactly): interval bounds from the layer below, and for the neurons they
leave unstable (l < 0 < u) the intersection with back-substitution (CROWN)
through the layers below; then back-substitution of each row objective
``c . y + d``: a neuron with ``l >= 0`` is the identity, one with ``u <= 0`` is
zero, an unstable one is bounded below by ``alpha z`` for a non-negative
coefficient (alpha = the proof's slope for that neuron if it states one, a
number in [0, 1]; else 1 if u >= -l, else 0) and above by ``s (z - l)``
(s = ceil(u/(u-l))) for a negative one.  The result is ``f_k``, affine in x.

Bounds and slopes are rounded outward to the grid 2^-GRID_BITS (``relu(t) <=
s (t - l)`` on ``[l, u]`` for any ``s >= u/(u-l)``), and the coefficients on the
non-negative post-activations, and the constants, down to 2^-FINE_BITS (a lower
bound of ``a . h`` stays one when ``a`` decreases and ``h >= 0``): every rounding
keeps the bound sound and the numbers short.  All arithmetic is exact over QQ
(python-flint).  The network goes through the gate (via
:func:`symnet.kernel.regions_cert.network_pieces`); hidden activations must be
ReLU and the output layer the identity.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flint import fmpq, fmpq_mat, fmpz, fmpz_mat

from ..certificate.verification import GRID_BITS, MAX_TREE_DEPTH, Node, Row, VerificationDocument
from ..errors import CertificateError
from .regions_cert import Layers, combination, forward, network_pieces

__all__ = ["GRID_BITS", "Relaxed", "ReluLayers", "check_document", "leaf_rows", "relax", "relu_layers", "row_bound"]

#: Every rounded number (and every slope a document states) lies on the grid 2^-GRID_BITS.
_SCALE = 1 << GRID_BITS
#: Coefficients on post-activations are rounded down to 2^-FINE_BITS.
FINE_BITS = 40
_FINE = 1 << FINE_BITS
ZERO, ONE = fmpq(0), fmpq(1)
_NIL = fmpz(0)
#: The hidden layers' box-independent numbers (see _Fixed) and the output layer's [[1, 0], [b, W]] over QQ.
ReluLayers = tuple[list["_Fixed"], fmpq_mat]
#: A hidden layer's relaxation as an integer matrix (see _layer_ext).
Ext = tuple[fmpz_mat, list[int], fmpz, list[int]]
#: Per hidden layer: the concrete bounds of its neurons and its relaxation.
Relaxed = tuple[list[list[tuple[fmpq, fmpq]]], list[Ext]]
_RELU = ("kink", ZERO, (ZERO, ZERO), (ONE, ZERO))
_IDENTITY = ("affine", ONE, ZERO)


def _fail(message: str, rule: str, node: int | None = None) -> CertificateError:
    return CertificateError(message if node is None else f"tree[{node}]: {message}", rule=rule)


def _floor(v: fmpq) -> fmpq:
    return fmpq((v * _SCALE).floor(), _SCALE)


def _ceil(v: fmpq) -> fmpq:
    return fmpq((v * _SCALE).ceil(), _SCALE)


def _int(v: fmpq) -> int:
    assert v.q == 1
    return int(v.p)


class _Fixed:
    """A hidden layer's numbers that do not depend on the box, computed once per network.

    ``aug`` is the layer ``[[1, 0], [b, W]]`` over QQ; D is a common denominator of W and b; ``signs`` the functions
    ``D (W x + b)`` then ``-D (W x + b)`` for :func:`_mins` (interval bounds); ``W`` is the integer
    matrix ``D [b | W]``; ``start[j]`` lists the coefficients of column j of W in the
    objectives ``W h + b`` then ``-(W h + b)`` (back-substituted for the layer's bounds) times 2^FINE_BITS rounded
    down, ``start_const`` their constants.
    """

    __slots__ = ("D", "W", "aug", "signs", "start", "start_const")

    def __init__(self, aug: fmpq_mat) -> None:
        self.aug = aug
        numer, denom = aug.numer_denom()
        self.D = D = int(denom)
        ints = numer.tolist()[1:]  # fmpz entries throughout: flint builds a matrix of fmpz 4x faster than of ints
        self.W = fmpz_mat(ints)  # D [b | W]
        self.start = [[(s * r[j] * _FINE) // D for s in (1, -1) for r in ints] for j in range(1, len(ints[0]))]
        self.start_const = [s * r[0] for s in (1, -1) for r in aug.tolist()[1:]]
        signed = [s * r[j] for j in range(1, len(ints[0])) for s in (1, -1) for r in ints]
        self.signs = _signs([s * r[0] for s in (1, -1) for r in ints], signed, len(ints[0]) - 1)


def relu_layers(layers: Layers) -> ReluLayers:
    """The gated layers (:func:`symnet.kernel.regions_cert.network_pieces`) as :data:`ReluLayers`;
    CertificateError unless the hidden layers are ReLU and the output layer the identity."""
    for l, (_, act) in enumerate(layers):
        if act != (_IDENTITY if l == len(layers) - 1 else _RELU):
            raise _fail(f"layer {l + 1}: verification needs ReLU hidden layers and an identity output", "network")
    return [_Fixed(aug) for aug, _ in layers[:-1]], layers[-1][0]


def _signs(const: Sequence[Any], AT: Sequence[Any], p: int) -> fmpq_mat:
    """``[[const], [A+^T], [A-^T]]`` for the functions ``const[i] + A_i . x`` of p variables (``AT[j R + i]`` is
    the coefficient of variable j in function i): A's positive and negative entries apart (zeros elsewhere)."""
    R = len(const)
    return fmpq_mat(1 + 2 * p, R, [*const, *(a if a > 0 else 0 for a in AT), *(a if a < 0 else 0 for a in AT)])


def _mins(signs: fmpq_mat, box: Sequence[tuple[fmpq, fmpq]], scale: Any = 1) -> list[fmpq]:
    """The minimum over the box of each function of ``signs`` (see :func:`_signs`), divided by ``scale``."""
    ends = fmpq_mat(1, 1 + 2 * len(box), [1, *(a for a, _ in box), *(b for _, b in box)])
    mins: list[fmpq] = (ends * signs / scale).entries()
    return mins


def _relaxation(l: fmpq, u: fmpq, alpha: fmpq | None = None) -> tuple[fmpq, fmpq, fmpq]:
    """For a neuron with bounds (l, u): the lower slope (for a positive coefficient: ``alpha`` if given and the
    neuron unstable), the upper slope (for a negative one) and its constant."""
    if u <= 0:
        return ZERO, ZERO, ZERO
    if l >= 0:
        return ONE, ONE, ZERO
    s = _ceil(u / (u - l))
    return (alpha if alpha is not None else ONE if u >= -l else ZERO), s, -s * l


def _layer_ext(fixed: _Fixed, lu: Sequence[tuple[fmpq, fmpq]], below: list[int] | None, alphas: Any = None) -> Ext:
    """A hidden layer under its relaxation, as integers at the scale T = D 2^(2 GRID_BITS), on its live neurons
    (u > 0; a dead one's output is 0) and the columns ``below`` (the live neurons of the layer beneath; None: all).

    Row k of ``keep`` is ``T a_k [b_k | W_k]`` for the lower slope a_k of neuron k (``alphas[k]`` if given and
    the neuron unstable); row k of ``slope`` is ``T [s_k b_k + c_k | s_k W_k]`` (the upper line ``s_k z_k + c_k``
    for a negative coefficient).  Returns ([slope; keep - slope on the rows U] transposed, U, T, the live
    neurons): U lists the positions (among the live) of the neurons whose rows differ.  The rows are one flint
    product: (the slopes, placed on the live neurons) x D [b | W] x (the columns kept).
    """
    cols = [0, *(j + 1 for j in (range(fixed.W.ncols() - 1) if below is None else below))]
    U: list[int] = []
    live: list[int] = []
    scales: list[tuple[int, int, int]] = []  # per live neuron: T s_k / D, T a_k / D, T c_k
    for k, (l, u) in enumerate(lu):
        if u <= 0:
            continue
        low, up, cst = _relaxation(l, u, (alphas or {}).get(k))
        s, a = _int(up * _SCALE) << GRID_BITS, _int(low * _SCALE) << GRID_BITS
        c = _int(cst * _SCALE * _SCALE) * fixed.D
        if not (s == a == _SCALE << GRID_BITS and c == 0):
            U.append(len(live))
        live.append(k)
        scales.append((s, a, c))
    L, n = len(live), len(U)
    P, C, pick = fmpz_mat(L + n, fixed.W.nrows()), fmpz_mat(L + n, len(cols)), fmpz_mat(fixed.W.ncols(), len(cols))
    for i, (k, (s, _, c)) in enumerate(zip(live, scales, strict=True)):
        P[i, k], C[i, 0] = s, c
    for t, i in enumerate(U):
        s, a, c = scales[i]
        P[L + t, live[i]], C[L + t, 0] = a - s, -c
    for j, col in enumerate(cols):
        pick[col, j] = 1
    M = (P * (fixed.W * pick) + C).transpose()
    return M, U, fmpz(fixed.D << 2 * GRID_BITS), live


def _backsub(exts: Sequence[Ext], AT: list[Any], const: list[fmpq]) -> tuple[list[Any], list[Any], fmpz]:
    """Lower bounds over x of ``A h + const`` (h: the live outputs of the last hidden layer of ``exts``):
    (c, AT', T), the affine functions ``c_i 2^-FINE_BITS + sum_j AT'[j R + i] x_j / (2^FINE_BITS T)``.

    ``AT`` is A transposed, flat: the coefficients times 2^FINE_BITS (R rows of
    A).  A step through a layer is ``A+ keep + A- slope = A slope + A+ (keep -
    slope)``, the last term on the rows U only; it rounds the coefficients on the
    (non-negative) post-activations, and the constant, down to the grid
    2^-FINE_BITS: that keeps a lower bound and the numbers short.
    """
    R = len(const)
    c_int = [fmpz((c * _FINE).floor()) for c in const]
    T = fmpz(1)
    for idx in reversed(range(len(exts))):
        M, U, T, _ = exts[idx]
        X = AT + [a if a > 0 else _NIL for k in U for a in AT[k * R : (k + 1) * R]]
        E = (M * fmpz_mat(len(X) // R, R, X)).entries()
        c_int = [c + e // T for c, e in zip(c_int, E[:R], strict=True)]
        AT = [e // T for e in E[R:]] if idx else E[R:]
    return c_int, AT, T


def _intervals(fixed: _Fixed, box: Sequence[tuple[fmpq, fmpq]]) -> list[tuple[fmpq, fmpq]]:
    """Bounds, rounded out to the grid, of the layer's neurons on the box of its inputs."""
    mins = _mins(fixed.signs, box, fixed.D)
    n = len(mins) // 2
    return [(_floor(lo), _ceil(-nhi)) for lo, nhi in zip(mins[:n], mins[n:], strict=True)]


def relax(hidden: Sequence[_Fixed], box: Sequence[tuple[fmpq, fmpq]]) -> Relaxed:
    """Concrete (l, u) of every hidden neuron on the box, and each layer's relaxation.

    The first layer's bounds are exact (then rounded out to the grid); a later layer's are its interval bounds
    from the layer below (on the box of its ReLU outputs), intersected, for the neurons those leave unstable
    (l < 0 < u), with back-substitution (CROWN) through the layers below: first of u, then of l where u > 0 still
    (a dead neuron's l is not used).
    """
    out: list[list[tuple[fmpq, fmpq]]] = []
    exts: list[Ext] = []
    for i, fixed in enumerate(hidden):
        n = fixed.W.nrows()
        if i == 0:
            out.append(_intervals(fixed, box))
        else:
            lu = _intervals(fixed, [(l if l > 0 else ZERO, u if u > 0 else ZERO) for l, u in out[i - 1]])
            S = [k for k, (l, u) in enumerate(lu) if l < 0 < u]
            for up in (True, False):  # upper bounds first: a neuron they show dead needs no lower bound
                if not S:
                    break
                rows = [n + k if up else k for k in S]
                AT = [fixed.start[j][r] for j in exts[-1][3] for r in rows]
                c_int, AT, T = _backsub(exts, AT, [fixed.start_const[r] for r in rows])
                mins = _mins(_signs([c * T for c in c_int], AT, len(box)), box, _FINE * T)
                for k, v in zip(S, mins, strict=True):
                    lu[k] = (lu[k][0], min(lu[k][1], _ceil(-v))) if up else (max(lu[k][0], _floor(v)), lu[k][1])
                S = [k for k in S if lu[k][1] > 0]
            out.append(lu)
        exts.append(_layer_ext(fixed, out[i], exts[-1][3] if exts else None))
    return out, exts


def leaf_rows(
    layers: ReluLayers,
    box: Sequence[tuple[fmpq, fmpq]],
    rows: Sequence[Row],
    relaxed: Relaxed | None = None,
    slopes: Sequence[tuple[int, int, fmpq]] = (),
) -> list[list[fmpq]]:
    """For each row ``c . y + d``, ``[const, coeffs...]`` of an affine g with ``c . f(x) + d >= g(x)`` on the box.

    ``relaxed`` is :func:`relax` of the hidden layers on the box (computed when not given); ``slopes`` are
    ``(layer, neuron, alpha)`` with 0 <= alpha <= 1 on the grid 2^-GRID_BITS: an unstable neuron listed is
    bounded below by ``alpha z`` (for any such alpha, ``relu(z) >= alpha z``).
    """
    hidden, out = layers
    CA = (fmpq_mat(len(rows), out.nrows(), [v for r in rows for v in (ZERO, *r[0])]) * out).tolist()
    const = [r[1] + ca[0] for r, ca in zip(rows, CA, strict=True)]
    if not hidden or not rows:
        return [[c, *ca[1:]] for c, ca in zip(const, CA, strict=True)]
    relaxed = relax(hidden, box) if relaxed is None else relaxed
    exts = list(relaxed[1])
    for layer in sorted({t[0] for t in slopes}):
        alphas = {k: a for i, k, a in slopes if i == layer}
        if not (0 <= layer < len(hidden) and all(0 <= a <= 1 and (a * _SCALE).q == 1 for a in alphas.values())):
            raise _fail(f"a slope of hidden layer {layer} is not in [0, 1] on the grid", "infeasible")
        exts[layer] = _layer_ext(hidden[layer], relaxed[0][layer], exts[layer - 1][3] if layer else None, alphas)
    c_int, AT, T = _backsub(exts, [fmpz((ca[j + 1] * _FINE).floor()) for j in exts[-1][3] for ca in CA], const)
    R, scale = len(c_int), _FINE * T
    return [[fmpq(c_int[i], _FINE), *(fmpq(AT[j], scale) for j in range(i, len(AT), R))] for i in range(R)]


def row_bound(
    f: Sequence[Sequence[fmpq]],
    cons: Sequence[Row],
    mults: Sequence[tuple[int, fmpq]],
    box: Sequence[tuple[fmpq, fmpq]],
) -> fmpq:
    """``min over the box of sum lambda_k f_k + sum mu_i (a_i . x + e_i)`` (rows past ``f`` are constraints)."""
    if any(lam < 0 for _, lam in mults):
        raise _fail("a multiplier is negative", "infeasible")
    g = combination(mults, [*f, *([e, *a] for a, e in cons)], len(box) + 1)
    return _mins(_signs(g[:1], g[1:], len(box)), box)[0]


def _check_violation(doc: VerificationDocument, pieces: Layers) -> None:
    x, y = doc.counterexample, doc.output
    assert x is not None and y is not None
    if not all(lo <= v <= hi for v, (lo, hi) in zip(x, doc.box, strict=True)):
        raise _fail("the counterexample lies outside the box", "counterexample")
    if (i := next((i for i, row in enumerate(doc.input_constraints) if _at(row, x) > 0), None)) is not None:
        raise _fail(f"the counterexample breaks input constraint {i}", "counterexample")
    if list(y) != forward(pieces, list(x)):
        raise _fail("the stated output is not the network's output at the counterexample", "counterexample")
    if not any(all(_at(row, y) <= 0 for row in conj) for conj in doc.disjuncts):
        raise _fail("the output at the counterexample satisfies no disjunct of the violation", "counterexample")


def _at(row: Row, v: Sequence[fmpq]) -> fmpq:
    """``c . v + d`` for the row ``(c, d)``."""
    return sum((c * t for c, t in zip(row[0], v, strict=True)), row[1])


def _check_node(
    doc: VerificationDocument, layers: ReluLayers, node: Node, box: list[tuple[fmpq, fmpq]], n: int
) -> set[int]:
    proofs = node[-1]
    done: set[int] = set()
    relaxed = relax(layers[0], box) if proofs else None
    for j, mults, slopes in proofs:
        rows = doc.disjuncts[j]
        used = sorted({k for k, _ in mults if k < len(rows)})
        f = dict(zip(used, leaf_rows(layers, box, [rows[k] for k in used], relaxed, slopes), strict=True))
        if not row_bound([f.get(k, []) for k in range(len(rows))], doc.input_constraints, mults, box) > 0:
            raise _fail(f"the multipliers do not prove disjunct {j} infeasible on the node's box", "infeasible", n)
        done.add(j)
    return done


def _check_tree(doc: VerificationDocument, layers: ReluLayers, shard: tuple[int, int]) -> None:
    stack: list[tuple[list[tuple[fmpq, fmpq]], frozenset[int], int]] = [(list(doc.box), frozenset(), 0)]
    everything = set(range(len(doc.disjuncts)))
    n = 0
    for n, node in enumerate(doc.tree):
        if not stack:
            raise _fail("the tree has nodes after its last leaf", "cover", n)
        box, proved, depth = stack.pop()
        mine = n % shard[1] == shard[0]
        here = proved | (_check_node(doc, layers, node, box, n) if mine else {pr[0] for pr in node[-1]})
        if node[0] == "leaf":
            if here != everything:
                raise _fail(f"disjunct(s) {sorted(everything - here)} are not proved on this leaf", "proved", n)
            continue
        _, i, v, _ = node
        lo, hi = box[i]
        if not lo < v < hi or depth >= MAX_TREE_DEPTH:
            raise _fail(f"split value {v} is not strictly inside [{lo}, {hi}] (or the tree is too deep)", "cover", n)
        left, right = list(box), list(box)
        left[i], right[i] = (lo, v), (v, hi)
        stack.append((right, here, depth + 1))
        stack.append((left, here, depth + 1))
    if stack:
        raise _fail("the tree ends before every split has both children", "cover", n)


def check_document(doc: Any, shard: tuple[int, int] = (0, 1)) -> bool:
    """Check a verification document: True, or CertificateError naming the rule.

    ``shard=(k, K)`` checks the tree's structure and the proofs of the nodes
    numbered k modulo K only: the K shards together are the whole check (for
    checking in K processes at once).
    """
    if not (isinstance(shard, tuple) and len(shard) == 2 and 0 <= shard[0] < shard[1]):
        raise CertificateError(f"shard {shard!r} is not (k, K) with 0 <= k < K")
    if not isinstance(doc, VerificationDocument):
        raise CertificateError(f"expected a verification document, got {type(doc).__name__}")
    pieces = network_pieces(doc.network)
    layers = relu_layers(pieces)
    if len(doc.box) != doc.network.p or any(len(r[0]) != doc.network.q for c in doc.disjuncts for r in c):
        raise _fail("the property does not match the network's inputs and outputs", "network")
    if doc.status == "violated":
        _check_violation(doc, pieces)
    elif doc.status == "holds":
        _check_tree(doc, layers, shard)
    else:
        raise _fail(f"unknown status {doc.status!r}", "status")
    return True
