"""A hostile review of the kernel's packed sparse product and its work budget (issue 19, review7).

The oracle everywhere is Fraction arithmetic written out here (sums of products by hand), never the checker.

* :func:`symnet.kernel.qq.sparse_times` packs the rows of the running product into one integer per column; its
  products are compared with Fraction matrix products on signs mixed in one column, zeros, stored zeros, empty
  rows and columns, denominators, huge and tiny numbers together, one row, one column, and entries at the slot
  bound (a packed slot must never carry into its neighbour).
* A false claim one unit, 2^64 or 1/2^64 away from the true product in any entry is refused end to end, through
  a network whose hidden layer is sparse (an SDM, with and without a stored zero).
* The defects found (each test below fails on 4ed94ed): the old packing (a sum of shifted integers) and unpacking
  (a subtraction and a shift of the whole packed number per row) took time quadratic in the rows -- 4,400 outputs,
  estimated at 1.3% of ``qq.MAX_WORK``, checked in 15.4 s, now 0.21 s (its test is a hang guard at 3 s, not a
  speed target); and the estimate left out the gcd that reduces each entry of a product over QQ, the cross gcds of
  scaling by a slope, the lcm of a layer's denominators (formed by the estimate itself, before the budget) and the
  reading of a wide running product between narrow layers (figures: docs/performance.md, review7).
"""

from __future__ import annotations

import math
import random
import time
from fractions import Fraction

import flint
import pytest
import sympy
from hypothesis import example, given
from hypothesis import strategies as st
from sympy import QQ
from sympy.polys.matrices import DomainMatrix
from sympy.polys.matrices.sdm import SDM

from symnet.certificate import Certificate, Claim, Step
from symnet.errors import CertificateError
from symnet.kernel import linear, qq
from symnet.model.core import NetworkData
from symnet.model.exact import sparse_matrix
from symnet.model.network import Layer, Network
from symnet.numbers import fast_rational

Matrix = list[list[Fraction]]


def fmpq_mat(A: Matrix) -> flint.fmpq_mat:
    return flint.fmpq_mat(len(A), len(A[0]), [flint.fmpq(v.numerator, v.denominator) for r in A for v in r])


def sdm(B: Matrix, stored_zeros: bool = False) -> SDM:
    """B sparse; with ``stored_zeros`` every zero entry of B is stored (the gate admits fmpq zeros)."""
    rows = {
        i: {j: flint.fmpq(v.numerator, v.denominator) for j, v in enumerate(r) if v or stored_zeros}
        for i, r in enumerate(B)
    }
    return SDM({i: r for i, r in rows.items() if r}, (len(B), len(B[0])), QQ)


def times(A: Matrix, B: Matrix) -> Matrix:
    return [
        [sum((A[i][k] * B[k][j] for k in range(len(B))), Fraction(0)) for j in range(len(B[0]))] for i in range(len(A))
    ]


def fractions(m: flint.fmpq_mat) -> Matrix:
    return [[Fraction(int(v.p), int(v.q)) for v in r] for r in m.tolist()]


_HUGE = [(1 << k) + s for k in (62, 63, 64, 127, 1000) for s in (-1, 0, 1)]
numbers = st.one_of(
    st.just(Fraction(0)),
    st.integers(-3, 3).map(Fraction),
    st.sampled_from(_HUGE).flatmap(lambda v: st.sampled_from([Fraction(v), Fraction(-v)])),
    st.builds(Fraction, st.integers(-(1 << 70), 1 << 70), st.sampled_from([1, 2, 3, 7, 1 << 64, (1 << 61) - 1])),
)


@st.composite
def products(draw: st.DrawFn) -> tuple[Matrix, Matrix, bool]:
    rows, n, cols = draw(st.integers(1, 5)), draw(st.integers(1, 5)), draw(st.integers(1, 5))
    A = [[draw(numbers) for _ in range(n)] for _ in range(rows)]
    B = [[draw(numbers) if draw(st.booleans()) else Fraction(0) for _ in range(cols)] for _ in range(n)]
    return A, B, draw(st.booleans())


_M = (1 << 64) - 1
_SLOT_EDGE = ([[Fraction(-_M)] * 4, [Fraction(_M)] * 4, [Fraction(-_M)] * 4], [[Fraction(_M)] * 3] * 4, False)


@given(products())
@example(_SLOT_EDGE)  # every sum of the column at the slot bound, signs alternating row by row: carries everywhere
@example(([[Fraction(1)]], [[Fraction(0)]], True))  # one row, one column, a stored zero
@example(([[Fraction(0), Fraction(0)]] * 3, [[Fraction(5), Fraction(0)], [Fraction(0), Fraction(0)]], False))
@example(([[Fraction(-1, 1 << 64), Fraction(1 << 1000)]], [[Fraction(1 << 1000)], [Fraction(-1, 3)]], False))
def test_packed_product_is_the_fraction_product(case: tuple[Matrix, Matrix, bool]) -> None:
    A, B, stored_zeros = case
    assert fractions(qq.sparse_times(fmpq_mat(A), sdm(B, stored_zeros))) == times(A, B)


def test_an_empty_sparse_factor_gives_zeros() -> None:
    A = [[Fraction(-7, 3), Fraction(1 << 200)], [Fraction(5), Fraction(-1)]]
    empty = SDM({}, (2, 3), QQ)
    assert fractions(qq.sparse_times(fmpq_mat(A), empty)) == [[Fraction(0)] * 3] * 2


# ------------------------------------------------------------------ end to end, with a false claim
def sparse_network(W1: Matrix, b1: list[Fraction], W2: Matrix, b2: list[Fraction], stored_zero: bool) -> Network:
    """x -> W2 (W1 x + b1) + b2 with W1 held sparse (SDM), optionally with a stored zero at (0, 0)."""
    dense = Network.from_matrices([W1, W2], [b1, b2])
    w1 = sparse_matrix(DomainMatrix.from_rep(sdm(W1)))
    net = Network(dense.inputs, (Layer(w1, dense.layers[0].biases, dense.layers[0].activation), dense.layers[1]))
    layers = qq.network(net)
    assert layers is not None and isinstance(layers[0][0], SDM)
    if stored_zero:
        assert W1[0][0] == 0
        layers[0][0].setdefault(0, {})[0] = flint.fmpq(0)  # the very SDM the layer stores
        assert isinstance(qq.network(net)[0][0], SDM)  # type: ignore[index]
    return net


def certificate(
    net: Network, W1: Matrix, b1: list[Fraction], W2: Matrix, b2: list[Fraction], W: Matrix, b: list[Fraction]
) -> Certificate:
    q, m, p = len(W2), len(W1), len(W1[0])
    C = sympy.ImmutableMatrix([[sympy.Rational(b2[i])] + [sympy.Rational(v) for v in W2[i]] for i in range(q)])
    P1 = sympy.ImmutableMatrix(
        [[1] + [0] * p] + [[sympy.Rational(b1[k])] + [sympy.Rational(v) for v in W1[k]] for k in range(m)]
    )
    steps = (
        Step("read_output_layer", layer=2, matrix=C),
        Step("substitute_layer", layer=1, matrix=P1, slope=sympy.S.One, intercept=sympy.S.Zero),
        Step("conclude_linear_form"),
    )
    claim = Claim(
        "explicit",
        (q, p),
        ("layerwise",),
        sympy.Matrix(W).applyfunc(sympy.Rational),
        sympy.Matrix([[sympy.Rational(v)] for v in b]),
    )
    return Certificate(net, steps, claim)


def _case() -> tuple[Matrix, list[Fraction], Matrix, list[Fraction]]:
    big, tiny = Fraction((1 << 300) - 1), Fraction(-1, (1 << 70) + 1)
    W1 = [
        [Fraction(0), Fraction(-3), big, Fraction(0)],
        [tiny, Fraction(0), Fraction(0), Fraction(0)],
        [Fraction(0)] * 4,
        [Fraction(2, 3), Fraction(-5, 7), Fraction(0), -big],
    ]  # an empty row, an empty column
    b1 = [Fraction(1, 2), Fraction(0), Fraction(-9), big]
    W2 = [[Fraction(1), Fraction(-1), Fraction(7), Fraction(-2)], [-big, big, Fraction(0), tiny], [Fraction(0)] * 4]
    b2 = [Fraction(-1, 5), Fraction(3), Fraction(0)]
    return W1, b1, W2, b2


@pytest.mark.parametrize("stored_zero", [False, True])
def test_a_claim_off_by_one_unit_or_one_slot_is_refused(stored_zero: bool) -> None:
    W1, b1, W2, b2 = _case()
    net = sparse_network(W1, b1, W2, b2, stored_zero)
    W = times(W2, W1)  # the oracle: x -> W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2)
    b = [sum((W2[i][k] * b1[k] for k in range(len(b1))), b2[i]) for i in range(len(W2))]
    assert linear.check(certificate(net, W1, b1, W2, b2, W, b))
    for delta in (Fraction(1), Fraction(-1), Fraction(1 << 64), Fraction(1, 1 << 64)):
        for i in range(len(W)):
            for j in range(len(W[0])):
                wrong = [r[:] for r in W]
                wrong[i][j] += delta
                with pytest.raises(CertificateError, match="the claimed"):
                    linear.check(certificate(net, W1, b1, W2, b2, wrong, b))
            wrong_b = b[:]
            wrong_b[i] += delta
            with pytest.raises(CertificateError, match="the claimed"):
                linear.check(certificate(net, W1, b1, W2, b2, W, wrong_b))


# ------------------------------------------------------------------ the defect: quadratic packing
def test_many_outputs_through_a_sparse_layer_check_in_linear_time() -> None:
    """4,400 outputs, one of 2,000 bits, through a sparse hidden neuron to 9 inputs: an estimate at 1.3% of the
    limit, and (before the fix) 15.4 s of packing and unpacking; now 0.21 s.  A hang guard at 3 s, not a target."""
    q, p = 4400, 9
    W1, b1 = [[Fraction(1)] * p], [Fraction(0)]
    W2 = [[Fraction((-1) ** i * (i % 7 + 1))] for i in range(q)]
    W2[0][0] = Fraction((1 << 2000) - 1)
    b2 = [Fraction(0)] * q
    net = sparse_network(W1, b1, W2, b2, stored_zero=False)
    W, b = [[w[0]] * p for w in W2], b2  # the oracle: every input's weight is W2[i] * 1
    cert = certificate(net, W1, b1, W2, b2, W, b)
    assert linear.work(cert) < qq.MAX_WORK / 20  # 2.4% with the gcd term
    start = time.perf_counter()
    assert linear.check(cert)
    assert time.perf_counter() - start < 3


# ------------------------------------------------------------------ the defect: each product entry is reduced by a gcd
def fraction_network(X: sympy.Rational, p: int, W: Matrix | None) -> Certificate:
    """x -> X (1 x_1 + 2 x_2 + ... + p x_p), the hidden layer sparse; the certificate claims W (None: zeros)."""
    W1, b1 = [[Fraction(j + 1) for j in range(p)]], [Fraction(0)]
    dense = Network.from_matrices([W1, [[X]]], [b1, [0]])
    w1 = sparse_matrix(DomainMatrix.from_rep(sdm(W1)))
    net = Network(dense.inputs, (Layer(w1, dense.layers[0].biases, dense.layers[0].activation), dense.layers[1]))
    P1 = sympy.ImmutableMatrix([[1] + [0] * p, [0] + list(range(1, p + 1))])
    steps = (
        Step("read_output_layer", layer=2, matrix=sympy.ImmutableMatrix([[0, X]])),
        Step("substitute_layer", layer=1, matrix=P1, slope=sympy.S.One, intercept=sympy.S.Zero),
        Step("conclude_linear_form"),
    )
    claimed = sympy.zeros(1, p) if W is None else sympy.Matrix(W).applyfunc(sympy.Rational)
    return Certificate(net, steps, Claim("explicit", (1, p), ("layerwise",), claimed, sympy.zeros(1, 1)))


def _big_fraction(bits: int) -> sympy.Rational:
    """(2^bits + 1) / 3^k of about ``bits`` bits each (coprime for an even ``bits``: no gcd computed here)."""
    assert bits % 2 == 0
    return fast_rational((1 << bits) + 1, 3 ** (bits * 100 // 159))


def test_a_product_whose_entries_need_big_gcds_is_refused_up_front(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 1,000,000-bit over 1,000,000-bit output weight through a 250-input sparse layer: the old estimate (0.84 of
    the limit) counted the multiplications but not the reduction of each of the 250 entries of the product by a gcd
    of two 1,000,000-bit numbers (14x a multiplication's cost, measured): the check took 27.5 s.  It is refused
    before any product now."""

    def fail(*args: object) -> None:
        raise AssertionError("a product was formed before the budget refused")

    monkeypatch.setattr(qq, "sparse_times", fail)
    cert = fraction_network(_big_fraction(1_000_000), 250, None)
    assert linear.work(cert) > qq.MAX_WORK
    with pytest.raises(CertificateError, match="estimated work"):
        linear.check(cert)


def test_a_product_with_big_fractions_under_the_limit_checks() -> None:
    X = _big_fraction(20_000)
    x = Fraction(int(X.p), int(X.q))
    W = [[x * (j + 1) for j in range(20)]]  # the oracle
    assert linear.work(fraction_network(X, 20, W)) < qq.MAX_WORK
    assert linear.check(fraction_network(X, 20, W))
    W[0][7] += Fraction(1, x.denominator)
    with pytest.raises(CertificateError, match="the claimed"):
        linear.check(fraction_network(X, 20, W))


def test_scaling_by_a_slope_whose_cross_gcds_are_big_is_refused_up_front(monkeypatch: pytest.MonkeyPatch) -> None:
    """The activation t -> X t with X of 1,000,000 bits over 1,000,000 bits, on 60 weights of 1,000,000 bits: each
    scaled weight is reduced by a gcd of two 1,000,000-bit numbers.  The old estimate (0.74 of the limit) left those
    out and the check took 7.1 s; it is refused before the factor is built now."""

    def fail(*args: object) -> None:
        raise AssertionError("a factor was scaled before the budget refused")

    monkeypatch.setattr(qq, "blocks", fail)
    p, t = 60, sympy.Symbol("t")
    X = _big_fraction(1_000_000)
    weights = [(1 << 1_000_000) - 2 * j - 1 for j in range(p)]
    net = Network.from_matrices([[weights], [[1]]], [[0], [0]], sympy.Lambda(t, X * t))
    steps = (
        Step("read_output_layer", layer=2, matrix=sympy.ImmutableMatrix([[0, 1]])),
        Step("substitute_layer", layer=1, matrix=sympy.zeros(2, p + 1), slope=X, intercept=sympy.S.Zero),
        Step("conclude_linear_form"),
    )
    cert = Certificate(net, steps, Claim("product", (1, p), ("layerwise",)))
    assert linear.work(cert) > qq.MAX_WORK
    with pytest.raises(CertificateError, match="estimated work"):
        linear.check(cert)


# ------------------------------------------------------------------ the defect: a layer's common denominator
@pytest.mark.parametrize("sparse", [False, True])
def test_a_layer_of_many_distinct_denominators_is_refused_before_its_lcm(sparse: bool) -> None:
    """One output of 10,000 inputs, weight k = 1 / q_k for distinct odd 62-bit q_k: the estimate itself formed their
    lcm (500,000 bits; quadratic: 1.8 s in FLINT, 4.1 s in Python, and 40,000 of them 46 s and 69 s) before the budget
    was consulted.  The lcm's size is bounded from the distinct odd parts first now; a float layer (powers of two)
    has one odd part."""
    k, rng = 10_000, random.Random(5)
    dens = sorted({rng.getrandbits(62) | 1 for _ in range(k)})
    values = [flint.fmpq(1, q) for q in dens]
    W: qq.Mat = flint.fmpq_mat(1, len(dens), values)
    if sparse:
        W = SDM({0: dict(enumerate(values))}, (1, len(dens)), QQ)
    net = NetworkData(tuple(sympy.symbols(f"x_1:{len(dens) + 1}")), (Layer(W, flint.fmpq_mat(1, 1, [0])),))
    claim = Claim("explicit", (1, len(dens)), ("layerwise",), flint.fmpq_mat(1, len(dens)), flint.fmpq_mat(1, 1))
    cert = Certificate(net, (Step("read_output_layer", layer=1, matrix=flint.fmpq_mat(1, len(dens) + 1)),), claim)
    with pytest.raises(CertificateError, match="common denominator of .* distinct odd denominators"):
        linear.check(cert)


def test_a_float_layer_has_one_odd_denominator() -> None:
    """Dyadic weights (a float's exact value) over 10,000 inputs: the lcm bound is the largest power of two."""
    values = [flint.fmpq(2 * j + 1, 1 << (j % 200)) for j in range(10_000)]
    for tight in (True, False):  # numerators read off, or bounded by heights
        bits, d = qq._size(flint.fmpq_mat(1, len(values), values), tight)
        assert d == 1 << 199
        assert bits >= max(int(v.p * (d // v.q)).bit_length() for v in values)  # the oracle: each numerator over d


@given(products())
def test_the_quick_bound_on_a_matrix_is_never_under_the_tight_one(case: tuple[Matrix, Matrix, bool]) -> None:
    """qq.estimate decides by the quick bound only when it is under the limit, so the quick bits must bound the tight
    ones (and both the oracle: each entry's numerator over the lcm of the denominators, in Fractions)."""
    A, _, _ = case
    d = math.lcm(*(v.denominator for r in A for v in r))
    oracle = max(abs(v.numerator * (d // v.denominator)).bit_length() for r in A for v in r)
    (quick, d_quick), (tight, d_tight) = qq._size(fmpq_mat(A), False), qq._size(fmpq_mat(A), True)
    assert d_quick == d_tight == d
    assert quick >= tight == oracle


@pytest.mark.parametrize(("bits", "tiny"), [(2_000, 0), (12_000, 0), (30_000, 0), (10, 4_000), (10, 6_000)])
def test_the_estimate_decides_as_the_tight_estimate_does(bits: int, tiny: int) -> None:
    """Dyadic weights of ``bits`` bits (and one weight 2**-tiny, whose height makes the quick bound twice the tight
    one: 1.23x and 0.84x the limit at tiny = 4,000): the two-step estimate is past the limit exactly when the tight
    one is, and never under it."""
    rng = random.Random(bits)
    rows = [[Fraction(rng.getrandbits(bits) | 1, 1 << rng.randrange(40)) for _ in range(30)] for _ in range(30)]
    rows[0][0] = Fraction(1, 1 << tiny)
    layer = Layer(fmpq_mat(rows), flint.fmpq_mat(30, 1))
    layers = qq.network(NetworkData(tuple(sympy.symbols("x_1:31")), (layer,) * 3))
    assert layers is not None
    tight = qq.work(layers, product=True, tight=True)[0]
    assert (qq.estimate(layers, product=True, paths=lambda b: 0) <= qq.MAX_WORK) == (tight <= qq.MAX_WORK)
    assert qq.estimate(layers, product=True, paths=lambda b: 0) >= tight


# ------------------------------------------------------------------ the defect: reading a wide running product
def test_a_running_product_that_widens_and_narrows_is_refused_up_front(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hidden widths 1, 2000, 1, 2000, ... (5 pairs), 2,000 outputs: the running product alternates 2000 x 2 and
    2000 x 2001, whose 4,000,000 entries the kernel reads in Python (its bound on their bits) at each wide step; the
    old estimate counted only the FLINT multiplications of small numbers (0.13 of the limit) and the check took
    4.4 s (about 32 s at the limit).  Refused up front now."""

    def fail(*args: object) -> None:
        raise AssertionError("a product was formed before the budget refused")

    monkeypatch.setattr(qq, "sparse_times", fail)
    q, m, pairs = 2000, 2000, 5
    layers, previous = [], 1
    for w in [m, 1] * pairs + [q]:
        weights = flint.fmpq_mat(w, previous, [1 + i % 3 for i in range(w * previous)])
        layers.append(Layer(weights, flint.fmpq_mat(w, 1)))
        previous = w
    net = NetworkData(tuple(sympy.symbols("x_1:2")), tuple(layers))
    claim = Claim("explicit", (q, 1), ("layerwise",), flint.fmpq_mat(q, 1), flint.fmpq_mat(q, 1))
    with pytest.raises(CertificateError, match="estimated work"):
        linear.check(Certificate(net, (Step("conclude_linear_form"),), claim))
