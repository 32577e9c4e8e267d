"""The layer-wise check of a network without symbols, in exact rational matrices.

A trained network's weights are numbers: every factor of its certificate is
a matrix of rationals, and the whole check is exact matrix arithmetic.  This
module re-derives the output row ``C = [b | W]`` and each factor
``P_l = [[1, 0], [a b_l + d, a W_l]]`` from the network's own layers as
python-flint ``fmpq_mat``, compares them with what the steps state, and
compares the product ``C P_L ... P_1`` with the claim -- the same rules as
:mod:`symnet.kernel.linear`, over the network's exact representation instead
of polynomials.

It applies when every weight and bias matrix is held over QQ (or ZZ) by
sympy's own exact representation (``Network.from_matrices`` of numpy arrays
and every numeric network symnet builds), every activation is read by the
gate, and the certificate is the plain layer-wise chain; anything else goes
through :mod:`symnet.kernel.linear`'s general path.  A stated matrix that is
not over QQ is read entry by entry through the gate (a Float at its exact
binary value).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeAlias

import flint
import sympy
from sympy import QQ, ZZ
from sympy.polys.matrices.sdm import SDM

from ..certificate.linear import Certificate, Claim, Step
from ..errors import CertificateError
from .gate import IllFormed, exact, gate_activation

__all__ = ["applies", "check", "sparse_times"]

Fail = Callable[[str], CertificateError]
#: Largest running product C P_L ... P_l (q rows, dense) the check forms.
MAX_PRODUCT = 20_000_000
Mat: TypeAlias = flint.fmpq_mat | SDM  # dense, or sympy's sparse matrix: a dict {row: {column: nonzero value}}


def _layer_matrix(m: Any) -> Mat | None:
    """A network matrix as fmpq_mat, or as sympy's sparse SDM when held sparsely, over QQ or ZZ; else None."""
    # ``_rep`` is sympy's private DomainMatrix of a Matrix.  Safe here: it is read only when its domain is
    # QQ or ZZ, whose elements are exact rationals, and converted with DomainMatrix's public methods; any
    # other matrix (or a sympy without it) falls back to the gate's entry-by-entry reading.
    rep = getattr(m, "_rep", None)
    if rep is None or not (rep.domain == QQ or rep.domain == ZZ):
        return None
    if rep.rep.fmt == "sparse":  # SDM: a dict {row: {column: value}} of the nonzero entries
        (rows, cols), raw = rep.shape, rep.rep
        inside = (
            type(i) is int and 0 <= i < rows and all(type(j) is int and 0 <= j < cols for j in r)
            for i, r in raw.items()
        )
        if not all(inside):
            raise IllFormed("a sparse matrix has an entry outside its shape")
        if all(type(v) is flint.fmpq for r in raw.values() for v in r.values()):
            return raw  # over QQ with flint ground types
        return SDM({i: {j: _fmpq(v) for j, v in r.items()} for i, r in raw.items()}, (rows, cols), QQ)
    dm = rep.convert_to(QQ).to_dense()
    # DFM's ``rep`` is its python-flint fmpq_mat (sympy's DFM documents it as the underlying flint matrix)
    try:
        rep_: flint.fmpq_mat = dm.to_dfm().rep
        return rep_
    except (AttributeError, NotImplementedError, ValueError):  # no flint ground types: build it
        return flint.fmpq_mat([[_fmpq(v) for v in row] for row in dm.to_list()])


def _fmpq(v: Any) -> flint.fmpq:
    return flint.fmpq(int(v.numerator), int(v.denominator))


def _shape(m: Mat) -> tuple[int, int]:
    return (m.nrows(), m.ncols()) if isinstance(m, flint.fmpq_mat) else m.shape


def _dense(m: Mat) -> flint.fmpq_mat:
    if isinstance(m, flint.fmpq_mat):
        return m
    rows, cols = m.shape
    flat = [flint.fmpq(0)] * (rows * cols)
    for i, row in m.items():
        for j, v in row.items():
            flat[i * cols + j] = v
    return flint.fmpq_mat(rows, cols, flat)


def sparse_times(A: flint.fmpq_mat, B: Mat) -> flint.fmpq_mat:
    """The exact product A B; for a sparse B, row i of A B is the sum over k of A[i, k] times row k of B.

    The sparse product runs in integers: A = N / den and B = M / d over common denominators.
    """
    if isinstance(B, flint.fmpq_mat):
        return A * B
    (rows, n), cols = (A.nrows(), A.ncols()), B.shape[1]
    if n != B.shape[0]:
        raise IllFormed(f"a product of shapes {(rows, n)} and {B.shape}")
    numerators, den = A.numer_denom()
    a, out = [int(x) for x in numerators.entries()], [0] * (rows * cols)
    d = math.lcm(1, *{int(v.denominator) for r in B.values() for v in r.values()})
    for k, r in B.items():
        row = [(j, int(v.numerator) * (d // int(v.denominator))) for j, v in r.items()]
        for i in range(rows):
            x, base = a[i * n + k], i * cols
            if x:
                for j, v in row:
                    out[base + j] += x * v
    return flint.fmpq_mat(flint.fmpz_mat(rows, cols, out)) / (den * d)


def _stated_matrix(m: Any, what: str, fail: Fail) -> Mat:
    """A matrix a step or the claim states, read exactly (entries must be rational numbers)."""
    if not isinstance(m, sympy.MatrixBase):
        raise fail(f"{what} is not a matrix")
    fast = _layer_matrix(m)
    if fast is not None:
        return fast
    rows = []
    flat, cols = m.flat(), m.cols
    for i in range(m.rows):
        row = []
        for j in range(cols):
            v = exact(flat[i * cols + j], f"{what} entry ({i}, {j})")
            if not v.is_Rational:
                raise fail(
                    f"{what} entry ({i}, {j}) is {str(v)[:60]}, not a rational number (the network has no symbols)"
                )
            row.append(flint.fmpq(int(v.p), int(v.q)))
        rows.append(row)
    return flint.fmpq_mat(rows) if rows else flint.fmpq_mat(0, cols)


def _scalar(v: Any, what: str, fail: Fail) -> flint.fmpq:
    if not isinstance(v, sympy.Expr):
        raise fail(f"the step states no {what}")
    e = exact(v, f"the stated {what}")
    if not e.is_Rational:
        raise fail(f"the stated {what} {str(e)[:60]} is not a rational number")
    return flint.fmpq(int(e.p), int(e.q))


def _blocks(b: Mat, W: Mat, slope: flint.fmpq | None, intercept: flint.fmpq | None) -> Mat:
    """``[b | W]`` (slope None: the output row C), or ``[[1, 0 ... 0], [slope b + intercept, slope W]]`` (P_l)."""
    (rows, cols), b = _shape(W), _dense(b)
    if not isinstance(W, flint.fmpq_mat):
        return _sparse_blocks(b.entries(), W, slope, intercept)
    if slope is not None and slope != 1:
        W = W * slope
    bias = (
        b.entries()
        if slope is None or (slope == 1 and intercept == 0)
        else [slope * v + (intercept if intercept is not None else 0) for v in b.entries()]
    )
    w = W.entries()
    flat: list[Any] = [] if slope is None else [flint.fmpq(1)] + [flint.fmpq(0)] * cols
    for k in range(rows):
        flat.append(bias[k])
        flat.extend(w[k * cols : (k + 1) * cols])
    return flint.fmpq_mat(rows + (slope is not None), cols + 1, flat)


def _sparse_blocks(bias: list[Any], W: SDM, slope: flint.fmpq | None, intercept: flint.fmpq | None) -> SDM:
    """:func:`_blocks` of a sparse W, sparse (no zero stored)."""
    (rows, cols), top = W.shape, int(slope is not None)
    a, d = (flint.fmpq(1), flint.fmpq(0)) if slope is None else (slope, intercept)
    out: dict[int, dict[int, Any]] = {0: {0: flint.fmpq(1)}} if top else {}
    for k in range(rows):
        row = {j + 1: a * v for j, v in W.get(k, {}).items()} if a else {}
        c = a * bias[k] + d
        if c:
            row[0] = c
        if row:
            out[k + top] = row
    return SDM(out, (rows + top, cols + 1), QQ)


def _equal(stated: Mat, derived: Mat, what: str, fail: Fail) -> None:
    if _shape(stated) != _shape(derived):
        raise fail(f"{what} has shape {_shape(stated)}, but the network gives {_shape(derived)}")
    if isinstance(stated, flint.fmpq_mat) or isinstance(derived, flint.fmpq_mat):
        stated, derived = _dense(stated), _dense(derived)
        if stated != derived:
            for i in range(derived.nrows()):
                for j in range(derived.ncols()):
                    if stated[i, j] != derived[i, j]:
                        raise fail(f"{what} entry ({i}, {j}) is {stated[i, j]}, but the network gives {derived[i, j]}")
    elif stated != derived:  # two SDMs, no zero stored on either side: equal dicts are equal matrices
        zero = flint.fmpq(0)
        for i in sorted(set(stated) | set(derived)):
            a, b = stated.get(i, {}), derived.get(i, {})
            for j in sorted(set(a) | set(b)):
                if a.get(j, zero) != b.get(j, zero):
                    raise fail(f"{what} entry ({i}, {j}) is {a.get(j, zero)}, but the network gives {b.get(j, zero)}")
        raise fail(f"{what} stores a zero entry")


def applies(cert: Certificate) -> bool:
    """True when every layer of the network is held over QQ and the steps are the plain layer-wise chain."""
    net, steps = cert.network, cert.steps
    layers = getattr(net, "layers", None)
    if not layers or not isinstance(steps, tuple) or len(steps) != len(layers) + 1:
        return False
    if getattr(cert.claim, "routes", None) != ("layerwise",):
        return False
    rules = ["read_output_layer"] + ["substitute_layer"] * (len(layers) - 1) + ["conclude_linear_form"]
    if [getattr(s, "rule", None) for s in steps] != rules:
        return False
    return all(_layer_matrix(layer.weights) is not None and _layer_matrix(layer.biases) is not None for layer in layers)


def check(cert: Certificate) -> bool:
    """Check a certificate for which :func:`applies`: True, or CertificateError naming the step and rule."""
    net, claim = cert.network, cert.claim
    if not isinstance(claim, Claim):
        raise IllFormed(f"the claim is a {type(claim).__name__}, not a Claim")
    inputs = tuple(net.inputs)
    if not inputs or len({getattr(s, "name", None) for s in inputs}) != len(inputs):
        raise IllFormed("the inputs must be distinct symbols with distinct names")
    if not all(isinstance(s, sympy.Symbol) and s.is_commutative for s in inputs):
        raise IllFormed("an input is not a commutative symbol")
    p, layers = len(inputs), net.layers
    weights: list[Mat] = []
    biases: list[Mat] = []
    acts: list[Any] = []
    previous = p
    for l, layer in enumerate(layers, start=1):
        W, b = _layer_matrix(layer.weights), _layer_matrix(layer.biases)
        assert W is not None and b is not None  # applies() holds
        if _shape(W)[1] != previous or _shape(b) != (_shape(W)[0], 1):
            raise IllFormed(f"layer {l}: the weights and biases do not fit the previous layer")
        previous = _shape(W)[0]
        form = gate_activation(layer.activation, inputs, f"layer {l}'s activation")
        if form.body.free_symbols - {form.variable}:
            raise IllFormed(f"layer {l}'s activation has symbolic coefficients; the network is not numeric")
        if l == len(layers) and not form.is_identity:
            raise IllFormed("the output layer's activation must be the identity")
        weights.append(W)
        biases.append(b)
        acts.append(form)
    q, depth = _shape(weights[-1])[0], len(layers) - 1
    if q * (max(p, *(_shape(W)[0] for W in weights)) + 1) > MAX_PRODUCT:  # the running product is dense
        raise IllFormed(f"the product C P_L ... P_1 would hold more than {MAX_PRODUCT} entries")
    shape = claim.shape
    if not (isinstance(shape, tuple) and len(shape) == 2 and all(type(n) is int for n in shape)):
        raise IllFormed(f"the claim's shape {str(shape)[:40]} is not a pair of integers")
    if shape != (q, p):
        raise CertificateError(f"the claim has shape {claim.shape}, but the network has {q} outputs and {p} inputs")
    if claim.form not in ("explicit", "product"):
        raise IllFormed(f"the claim's form {claim.form!r} is not 'explicit' or 'product'")

    def failing(index: int, step: Step) -> Fail:
        return lambda message: CertificateError(message, step=index, rule=step.rule)

    steps = cert.steps
    fail = failing(0, steps[0])
    if steps[0].layer != depth + 1:
        raise fail(f"the output layer is layer {depth + 1}, not {steps[0].layer}")
    stated = _stated_matrix(steps[0].matrix, "the output row C", fail)
    _equal(stated, _blocks(biases[-1], weights[-1], None, None), "the output row C", fail)
    product = _dense(stated)
    for index, l in enumerate(range(depth, 0, -1), start=1):
        step, fail = steps[index], failing(index, steps[index])
        if step.layer != l:
            raise fail(f"expected the substitution of layer {l}, found layer {step.layer}")
        act = acts[l - 1]
        if not act.is_affine:
            raise fail(f"layer {l}'s activation {act.body} is not affine, so the rule does not apply")
        a, d = (_scalar(c, "coefficient", fail) for c in act.slope_intercept())
        if _scalar(step.slope, "slope", fail) != a:
            raise fail(f"the stated slope {step.slope} differs from the activation's slope {a}")
        if _scalar(step.intercept, "intercept", fail) != d:
            raise fail(f"the stated intercept {step.intercept} differs from the activation's intercept {d}")
        P = _blocks(biases[l - 1], weights[l - 1], a, d)
        _equal(_stated_matrix(step.matrix, f"the factor P_{l}", fail), P, f"the factor P_{l}", fail)
        product = sparse_times(product, P)
    fail = failing(len(steps) - 1, steps[-1])
    if claim.form == "product":
        if claim.matrix is not None or claim.offset is not None:
            raise IllFormed("a product claim states no matrix or offset")
        return True
    stated_W = _stated_matrix(claim.matrix, "the claimed W*", fail)
    stated_b = _stated_matrix(claim.offset, "the claimed b*", fail)
    if _shape(stated_W) != (q, p) or _shape(stated_b) != (q, 1):
        raise CertificateError(f"the claimed W* and b* do not have the shapes {(q, p)} and {(q, 1)}")
    stated_W, stated_b = _dense(stated_W), _dense(stated_b)
    for i in range(q):
        if stated_b[i, 0] != product[i, 0]:
            raise fail(f"output {i}: the claimed intercept {stated_b[i, 0]} is not C P_L ... P_1's {product[i, 0]}")
        for j in range(p):
            if stated_W[i, j] != product[i, j + 1]:
                raise fail(
                    f"output {i}: the claimed coefficient of x_{j + 1}, {stated_W[i, j]}, "
                    f"is not C P_L ... P_1's {product[i, j + 1]}"
                )
    return True
