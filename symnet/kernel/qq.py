"""Exact matrices over QQ for the linear checker: a network's layers and the stated factors as python-flint matrices.

A trained network's weights are numbers: every factor of its certificate is a
matrix of rationals, and the whole layer-wise check is exact matrix arithmetic.
This module reads the network (:func:`network`: every layer's stored matrices,
python-flint ``fmpq_mat`` or sympy's sparse ``SDM`` of ``fmpq`` as the gate
validates them, or sympy matrices of numbers) and the matrices a step or a
claim states (the same forms; a Float at its exact binary value), and
builds and compares the blocks ``C = [b | W]`` and ``P_l = [[1, 0], [a b_l + d, a W_l]]``.
:mod:`symnet.kernel.linear` applies its rules with them.  :func:`work` estimates, from shapes, nonzero
counts and bit sizes only, what the exact products a check forms would cost, so that :func:`budget` refuses a
check past :data:`MAX_WORK` before multiplying.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeAlias

import flint
import sympy
from sympy import QQ
from sympy.polys.matrices.sdm import SDM

from ..cost import MAX_BITS, show
from ..errors import CertificateError, OverBudget, SymnetError
from ..model.core import NetworkData as Network
from ..model.core import check_structure
from ..model.core import shape_of as shape
from ..numbers import fast_rational
from .gate import ActivationForm, IllFormed, gate_activation, numeric_matrix
from .ring import exact, guard

__all__ = [
    "MAX_PRODUCT",
    "MAX_WORK",
    "Layers",
    "Mat",
    "augmented",
    "blocks",
    "budget",
    "cost",
    "dense",
    "direct",
    "equal",
    "estimate",
    "network",
    "rational",
    "shape",
    "sparse_times",
    "stated_matrix",
    "text",
    "work",
]

Fail = Callable[[str], CertificateError]
#: Largest running product C P_L ... P_l (q rows, dense) the check forms.
MAX_PRODUCT = 20_000_000
#: Largest estimated work of the exact products one check forms: the multiplications of the running product
#: C P_L ... P_1, of the direct route's expansion and of scaling a layer by its slope, each weighted by
#: :func:`cost` (3 to 12 ps a unit measured, the worst a product of two rows by wide factors: about 1.5 s at the limit;
#: docs/performance.md, "A work budget").
MAX_WORK = 120_000_000_000
#: The fixed cost of one entry of a factor in a product (FLINT clears its denominator; the sparse product's Python
#: loop steps once per nonzero and packs and unpacks each entry of the running product), in units of work.
_LOOP = 10_000
#: A gcd of two numbers of b bits each costs up to this many times cost(2 b) (FLINT, measured from 1,000 to 4,000,000
#: bits: 8x to 15x); each entry of a product over QQ is reduced by one, at the bits of the common denominator, and
#: each entry scaled by a slope by two, at most at the slope's.
_GCD = 20
#: The work of an lcm of k numbers, per number and bit of the result (Python's and FLINT's lcm of 10,000 and 40,000
#: distinct 62-bit denominators: 0.35 to 0.9 ns, about 80 units).
_LCM = 100
Mat: TypeAlias = flint.fmpq_mat | SDM  # dense, or sympy's sparse matrix: a dict {row: {column: nonzero value}}


def _layer_matrix(m: Any, where: str) -> Mat | None:
    """A layer's stored matrix over QQ; a sympy matrix of numbers (a Float at its exact value) read entry by entry;
    None when a sympy matrix holds anything else (the gate's general path reads it)."""
    num = numeric_matrix(m, where)
    if num is not None or not all(isinstance(e, (sympy.Rational, sympy.Float)) for e in m):
        return num
    return stated_matrix(m, where, IllFormed)


def dense(m: Mat) -> flint.fmpq_mat:
    if isinstance(m, flint.fmpq_mat):
        return m
    rows, cols = m.shape
    flat = [flint.fmpq(0)] * (rows * cols)
    for i, row in m.items():
        for j, v in row.items():
            flat[i * cols + j] = v
    return flint.fmpq_mat(rows, cols, flat)


def sparse_times(A: flint.fmpq_mat, B: Mat) -> flint.fmpq_mat:
    """The exact product A B; for a sparse B, in integers over common denominators (A = N / den, B = M / d), with the
    rows of N packed into one integer per column (Kronecker substitution): column k of N is ``X_k = sum_i N[i, k]
    2^(S i)``, so one multiply-add per nonzero of M gives every row; S leaves room for every entry of N M
    (``|entry| < 2^(S-1)``), each slot a whole number of bytes; packing and unpacking go through bytes with half a
    slot added to every slot (no borrow between slots), in time linear in the numbers' size.

    IllFormed when A (the running product C P_L ... P_l, q rows) holds a number past the kernel's MAX_BITS, as the
    gate bounds it.
    """
    if max(map(flint.fmpq.height_bits, A.entries()), default=0) > MAX_BITS:  # the larger of p's, q's
        raise IllFormed(f"the product C P_L ... P_l holds numbers past the kernel's limit of {MAX_BITS} bits a number")
    if isinstance(B, flint.fmpq_mat):
        return A * B
    (rows, n), cols = (A.nrows(), A.ncols()), B.shape[1]
    if n != B.shape[0]:
        raise IllFormed(f"a product of shapes {(rows, n)} and {B.shape}")
    numerators, den = A.numer_denom()
    a = [int(x) for x in numerators.entries()]
    d = math.lcm(1, *{int(v.denominator) for r in B.values() for v in r.values()})
    scaled = {k: [(j, int(v.numerator) * (d // int(v.denominator))) for j, v in r.items()] for k, r in B.items()}
    top_b = max((abs(v) for r in scaled.values() for _, v in r), default=0)
    S = max(map(abs, a), default=0).bit_length() + top_b.bit_length() + n.bit_length() + 2
    width = -(-S // 8)  # whole bytes a slot: rows are packed and unpacked through bytes, in time linear in their size
    half, big = 1 << (8 * width - 1), flint.fmpz if 8 * width * rows > 4096 else int  # GMP multiplies big ones faster
    bias = int.from_bytes(half.to_bytes(width, "little") * rows, "little")  # half in every slot: no digit is negative
    packed = [big(0)] * n
    for k in range(n):
        column = a[k::n]
        if any(column):
            slots = b"".join((v + half).to_bytes(width, "little") for v in column)
            packed[k] = big(int.from_bytes(slots, "little") - bias)
    out = [big(0)] * cols
    for k, r in scaled.items():
        x = packed[k]
        if x:
            for j, v in r:
                out[j] += x * v
    flat = [0] * (rows * cols)
    for j, value in enumerate(map(int, out)):
        if value:
            raw = memoryview((value + bias).to_bytes(width * rows, "little"))
            for i in range(rows):
                flat[i * cols + j] = int.from_bytes(raw[i * width : (i + 1) * width], "little") - half
    return flint.fmpq_mat(flint.fmpz_mat(rows, cols, flat)) / (den * d)


def cost(bits: int) -> int:
    """The work of one multiplication whose factors have ``bits`` bits in all (FLINT's time, measured, grows about
    as bits**1.4 from 64 to 2,000,000 bits)."""
    return int(max(bits, 64) ** 1.4)


def _size(m: Mat, tight: bool) -> tuple[int, int]:
    """(a bound on the bits of the largest numerator over the common denominator, that denominator) of m's entries:
    from their heights, or (``tight``, dense) read off the numerators; IllFormed when finding that denominator (an
    lcm, quadratic in its size) is past :data:`MAX_WORK`."""
    values = m.entries() if isinstance(m, flint.fmpq_mat) else [v for r in m.values() for v in r.values()]
    denominators = set(map(int, set(map(flint.fmpq.denom, values))))
    odd = {q >> ((q & -q).bit_length() - 1) for q in denominators}  # the lcm of the powers of two is the largest
    top = max(denominators, default=1).bit_length() + sum(map(int.bit_length, odd))  # >= the lcm's bits
    budget(len(odd) * top * _LCM, f"the common denominator of {len(odd)} distinct odd denominators")
    if tight and isinstance(m, flint.fmpq_mat):
        numerators, den = m.numer_denom()
        flat = numerators.entries()
        return max(max(flat, default=0), -min(flat, default=0)).bit_length(), int(den)
    d = math.lcm(1, *denominators)  # p / q = p (d / q) / d: at most height + bits(d) - bits(q) + 1 bits over d
    height = max(map(flint.fmpq.height_bits, values), default=0)
    return height + d.bit_length() - min(denominators, default=1).bit_length() + 1, d


def _bits(x: flint.fmpq) -> int:
    return int(x.p).bit_length() + int(x.q).bit_length()


def _gcd(bits: int) -> int:
    """The work of a gcd of two numbers of ``bits`` bits (0 within a machine word: counted with the multiplication)."""
    return _GCD * cost(2 * bits) if bits > 64 else 0


def work(layers: Layers, *, product: bool, tight: bool = True) -> tuple[int, int]:
    """The estimated work of scaling each factor ``P_l`` by its slope and, with ``product``, of the running product
    C P_L ... P_1, from shapes, nonzero counts and bit sizes only; and a bound on the bits of that product's numbers
    over a common denominator.  A factor's numbers have at most the bits of its layer's ``[b | W]`` plus twice its
    slope's and intercept's; a product's, the sum of its factors' plus log2 of the inner dimension (``tight``: a
    dense matrix's bits read off its numerators, else bounded by their heights)."""
    total, bits, den, rows, one = 0, 0, 0, shape(layers[-1][0])[0], flint.fmpq(1)
    for index, (W, b, form) in enumerate(reversed(layers)):
        pair = form.slope_intercept() if index and form.is_affine else (sympy.S.One, sympy.S.Zero)
        a, c = (flint.fmpq(int(x.p), int(x.q)) if x.is_Rational else one for x in pair)  # else the rule refuses
        scaled = a != 1 or c != 0
        if not (product or scaled):
            continue
        (nw, dw), (nb, db) = _size(W, tight), _size(b, tight)
        d = math.lcm(dw, db)
        factor = max(nw + (d // dw).bit_length(), nb + (d // db).bit_length()) + d.bit_length()
        factor += 2 * (_bits(a) + _bits(c)) + 1 if scaled else 0
        (m, n), sparse = shape(W), isinstance(W, SDM)
        nonzero = (sum(map(len, W.values())) if sparse else m * n) + m + 1
        top, low = int(a.p).bit_length() + int(c.p).bit_length(), int(a.q).bit_length() + int(c.q).bit_length()
        if scaled:  # each entry times the slope: cross gcds with the slope's denominator and numerator
            total += nonzero * (cost(factor) + _gcd(low) + _gcd(min(top, d.bit_length())))
        den += d.bit_length() + (low if scaled else 0)
        if index and product:
            loop = nonzero + rows * (2 * (m + 1) + (n + 1) * sparse)  # A is read twice
            total += rows * nonzero * cost(bits + factor) + loop * _LOOP
            total += rows * (n + 1) * (cost(bits + factor) + _gcd(den)) if den > 64 else 0  # each entry reduced
        bits += factor + (n + 1).bit_length()
    return total, bits


def direct(layers: Layers, paths: int, bits: int) -> int:
    """The estimated work of the direct route's expansion of a network of at most ``paths`` paths a layer (0: none),
    its numbers of at most ``bits`` bits: a multiplication per path and layer; with affine activations, when fewer,
    one per monomial (each output is affine in the p inputs: p + 1 of them) and per nonzero weight, bias and
    activation coefficient (a product, then the sum); each term once per level of a neuron's balanced sum of its n + 1
    parts (python-flint rescales every coefficient of an fmpq_mpoly sum to their common content), and a gcd of two
    contents per sum of two parts (about _GCD multiplications at these sizes)."""
    p, nonzero, fan, count = shape(layers[0][0])[1], 0, 0, len(layers) * paths
    for W, _, _ in layers:
        (m, n), fan = shape(W), max(fan, shape(W)[1] + 1)
        nonzero += (sum(map(len, W.values())) if isinstance(W, SDM) else m * n) + 2 * m
    if all(form.is_affine for _, _, form in layers[:-1]):
        count = min(count, 2 * nonzero * (p + 1))
    return (count * fan.bit_length() + nonzero * _GCD) * cost(bits) if paths else 0


def estimate(layers: Layers, *, product: bool, paths: Callable[[int], int]) -> int:
    """The estimated work of a check: :func:`work`, and the direct route's expansion (:func:`direct`) of ``paths(bits)``
    paths a layer (0: no direct route); first from the numbers' heights, then, past :data:`MAX_WORK`, tight."""
    for tight in (False, True):
        total, bits = work(layers, product=product, tight=tight)
        total += direct(layers, paths(bits), bits)
        if total <= MAX_WORK:
            break
    return total


def budget(total: int, what: str) -> None:
    """OverBudget when the estimated work ``total`` of ``what`` is past :data:`MAX_WORK`."""
    if total > MAX_WORK:
        message = f"{what} needs an estimated work of {total:.3g}, past the kernel's limit of {MAX_WORK:.3g}"
        raise OverBudget(message, estimate=total)


def stated_matrix(m: Any, what: str, fail: Fail) -> Mat:
    """A matrix a step or the claim states, read exactly (entries must be rational numbers)."""
    fast = numeric_matrix(m, what) if isinstance(m, (flint.fmpq_mat, SDM)) else None
    if fast is not None:
        return fast
    if not isinstance(m, sympy.MatrixBase):
        raise fail(f"{what} is not a matrix")
    flat, cols = m.flat(), m.cols
    entries = [rational(v, f"{what} entry ({n // cols}, {n % cols})", fail) for n, v in enumerate(flat)]
    return flint.fmpq_mat(m.rows, cols, entries)


def text(v: flint.fmpq) -> str:
    """A rational for a message (a number too long to print is shown by its size)."""
    return show(fast_rational(int(v.p), int(v.q)))


def rational(v: Any, where: str, fail: Fail) -> flint.fmpq:
    """A stated number, read exactly through the gate (a Float at its binary value, its size bounded first)."""
    if not isinstance(v, sympy.Expr):
        raise fail(f"{where} is not stated")
    e = exact(v, where)
    guard(e, where)
    if not e.is_Rational:
        raise fail(f"{where} is {show(e, 60)}, not a rational number (the network has no symbols)")
    return flint.fmpq(int(e.p), int(e.q))


def blocks(b: Mat, W: Mat, slope: flint.fmpq | None, intercept: flint.fmpq | None) -> Mat:
    """``[b | W]`` (slope None: the output row C), or ``[[1, 0 ... 0], [slope b + intercept, slope W]]`` (P_l)."""
    b = dense(b)
    if not isinstance(W, flint.fmpq_mat):
        return _sparse_blocks(b.entries(), W, slope, intercept)
    if slope is not None and (slope != 1 or intercept != 0):
        W, b = W * slope, flint.fmpq_mat(b.nrows(), 1, [slope * v + (intercept or 0) for v in b.entries()])
    return augmented(W, b, top=slope is not None)


def augmented(W: flint.fmpq_mat, b: flint.fmpq_mat, *, top: bool = True) -> flint.fmpq_mat:
    """The layer ``z = W u + b`` as one matrix over QQ: ``[[1, 0 ... 0], [b | W]]``, so ``(1, z) = A (1, u)``
    (``top=False``: ``[b | W]`` alone)."""
    n, m = W.nrows(), W.ncols()
    entries: list[Any] = [1] + [0] * m if top else []
    for x, row in zip(b.entries(), W.tolist(), strict=True):
        entries += [x, *row]
    return flint.fmpq_mat(n + top, m + 1, entries)


def _sparse_blocks(bias: list[Any], W: SDM, slope: flint.fmpq | None, intercept: flint.fmpq | None) -> SDM:
    """:func:`blocks` of a sparse W, sparse (no zero stored)."""
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


def equal(stated: Mat, derived: Mat, what: str, fail: Fail) -> None:
    """The stated matrix is the derived one, entry for entry; else ``fail`` names the first entry that differs."""
    if shape(stated) != shape(derived):
        raise fail(f"{what} has shape {shape(stated)}, but the network gives {shape(derived)}")
    differ: Any
    if isinstance(stated, flint.fmpq_mat) or isinstance(derived, flint.fmpq_mat):
        stated, derived = dense(stated), dense(derived)
        if stated == derived:
            return
        pairs, cols = zip(stated.entries(), derived.entries(), strict=True), derived.ncols()
        differ = ((n // cols, n % cols, a, b) for n, (a, b) in enumerate(pairs))
    elif stated == derived:  # two SDMs storing no zero: equal dicts are equal matrices
        return
    else:
        sa, sb, zero = stated.to_dok(), derived.to_dok(), flint.fmpq(0)
        differ = ((i, j, sa.get((i, j), zero), sb.get((i, j), zero)) for i, j in sorted(sa.keys() | sb.keys()))
    for i, j, a, b in differ:
        if a != b:
            raise fail(f"{what} entry ({i}, {j}) is {text(a)}, but the network gives {text(b)}")
    raise fail(f"{what} stores a zero entry")


#: A network whose every layer is held over QQ: per layer, ``(W, b, activation)``.
Layers: TypeAlias = list[tuple[Mat, Mat, ActivationForm]]


def network(net: Network) -> Layers | None:
    """The network over QQ, through the gate's rules for its inputs and activations; None unless every weight and
    bias matrix holds only numbers and no activation has a parameter (the general path reads those)."""
    try:  # the gate's structural rules first: a checker trusts no constructor
        inputs, given = check_structure(net.inputs, net.layers)
    except SymnetError as e:
        raise IllFormed(f"the network's structure: {e}") from None
    matrices = [
        (_layer_matrix(layer.stored_weights, f"layer {l}"), _layer_matrix(layer.stored_biases, f"layer {l}"))
        for l, layer in enumerate(given, start=1)
    ]
    if any(W is None or b is None for W, b in matrices):
        return None
    layers: Layers = []
    previous = len(inputs)
    for l, ((W, b), layer) in enumerate(zip(matrices, given, strict=True), start=1):
        assert W is not None and b is not None
        if shape(W)[1] != previous or shape(b) != (shape(W)[0], 1):
            raise IllFormed(f"layer {l}: the weights and biases do not fit the previous layer")
        previous = shape(W)[0]
        form = gate_activation(layer.activation, inputs, f"layer {l}'s activation")
        if form.body.free_symbols - {form.variable}:
            return None
        if l == len(given) and not form.is_identity:
            raise IllFormed("the output layer's activation must be the identity")
        layers.append((W, b, form))
    widest = max(len(inputs), *(shape(W)[0] for W, _, _ in layers))
    if previous * (widest + 1) > MAX_PRODUCT:  # the running product C P_L ... P_l is dense
        raise IllFormed(f"the product C P_L ... P_1 would hold more than {MAX_PRODUCT} entries")
    return layers
