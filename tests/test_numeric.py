"""The exact numeric collapse: W*, b* as exact rationals, against independent routes."""

import pickle
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import symnet
from symnet import Network, SizeGuardError
from symnet.model.arrays import exact_matrix, exact_vector
from symnet.model.exact import ExactMatrix, as_sympy, is_rational_matrix
from symnet.model.network import Layer, input_symbols
from symnet.search.numeric import numeric_monomials, prove_numeric
from tests.budget import examples

RNG = np.random.default_rng(12)


def fraction_collapse(layers):
    """Independent route: W* = W_{L+1} ... W_1 and b* composed layer by layer, in Python Fractions."""
    w_acc = None
    b_acc = None
    for w, b in layers:
        W = [[Fraction(float(v)) for v in row] for row in np.asarray(w, dtype=np.float64)]
        B = [Fraction(float(v)) for v in np.asarray(b, dtype=np.float64)]
        if w_acc is None:
            w_acc, b_acc = W, B
            continue
        w_acc = [
            [sum(W[i][k] * w_acc[k][j] for k in range(len(W[0]))) for j in range(len(w_acc[0]))] for i in range(len(W))
        ]
        b_acc = [B[i] + sum(W[i][k] * b_acc[k] for k in range(len(W[0]))) for i in range(len(W))]
    return w_acc, b_acc


def float_layers(sizes, dtype=np.float32):
    return [
        (RNG.standard_normal((m, n)).astype(dtype), RNG.standard_normal(m).astype(dtype))
        for n, m in zip(sizes[:-1], sizes[1:], strict=True)
    ]


def exact_network(layers):
    built = tuple(Layer(exact_matrix(w, "w"), exact_vector(b, "b")) for w, b in layers)
    return Network(input_symbols(built[0].fan_in), built)


def test_large_float32_network_collapses_to_exact_rationals():
    """30 -> [20, 20] -> 3 float32 (above the guard): W*, b* equal the Fraction product entry for entry."""
    layers = float_layers([30, 20, 20, 3])
    proof = symnet.prove(exact_network(layers))
    assert proof.routes == ("layerwise",) and proof.is_explicit
    w, b = fraction_collapse(layers)
    for i in range(3):
        assert proof.offset[i] == sympy.Rational(b[i].numerator, b[i].denominator)
        for j in range(30):
            entry = proof.matrix[i, j]
            assert entry.is_Rational
            assert Fraction(int(entry.p), int(entry.q)) == w[i][j]
    assert proof.check()


def test_float_entries_become_their_binary_rationals_in_the_certificate():
    """Floats given to from_matrices as lists are stored, and enter the factors and the claim, as exact Rationals."""
    layers = float_layers([25, 20, 20, 2], dtype=np.float64)
    net = Network.from_matrices([w.tolist() for w, _ in layers], [b.tolist() for _, b in layers])
    entry = net.layers[0].weights[0, 0]
    assert entry.is_Rational and Fraction(int(entry.p), int(entry.q)) == Fraction(float(layers[0][0][0, 0]))
    proof = symnet.prove(net)
    for step in proof.steps:
        if step.matrix is not None:
            assert not as_sympy(step.matrix).has(sympy.Float)
    assert not proof.matrix.has(sympy.Float) and not proof.offset.has(sympy.Float)
    w, _ = fraction_collapse(layers)
    assert Fraction(int(proof.matrix[1, 7].p), int(proof.matrix[1, 7].q)) == w[1][7]
    assert symnet.Proof.from_json(proof.to_json()).check()


def test_small_numeric_network_keeps_the_general_route():
    """Below the guard nothing changes: the direct route is still written."""
    net = Network.from_matrices([[[1, 2], [3, 4]], [[5, 6]]], [[1, 0], [sympy.Rational(1, 2)]])
    assert prove_numeric(net, expand=None, limit=symnet.search.engine.EXPAND_LIMIT) is None
    proof = symnet.prove(net)
    assert proof.routes == ("layerwise", "direct")
    assert proof.matrix == sympy.ImmutableMatrix([[23, 34]])
    assert proof.offset == sympy.ImmutableMatrix([[sympy.Rational(11, 2)]])


def test_expand_true_above_the_guard_is_refused_with_the_estimate():
    """A large numeric network with expand=True: SizeGuardError carrying the path count."""
    net = exact_network(float_layers([30, 20, 20, 3]))
    with pytest.raises(SizeGuardError) as info:
        symnet.prove(net, expand=True)
    assert info.value.estimate == 3 * 20 * 20 * 30 + 3 * 20 + 3 * 20 * 20 - 3 * 20 + 3 * 20 + 3  # paths x and biases
    assert info.value.estimate == numeric_monomials(net)


def test_path_count_matches_the_general_estimate():
    """numeric_monomials agrees with symnet.model.size.estimate_monomials, zeros included."""
    from symnet.model.size import estimate_monomials

    w1 = np.array([[1.5, 0.0, 2.0], [0.0, 0.0, 1.0]])
    w2 = np.array([[0.0, 3.0]])
    net = exact_network([(w1, np.array([0.0, 1.0])), (w2, np.array([2.0]))])
    assert numeric_monomials(net) == estimate_monomials(net)


def test_mixed_symbolic_numeric_network_still_proves():
    """One symbol among numbers: the general route (product claim when large), checked."""
    layers = float_layers([30, 20, 20, 1])
    ws = [w.astype(np.float64).tolist() for w, _ in layers]
    ws[2][0][0] = "c"
    net = Network.from_matrices(ws, [b.astype(np.float64).tolist() for _, b in layers])
    proof = symnet.prove(net)
    assert sympy.Symbol("c") in proof.matrix[0, 0].free_symbols
    assert proof.check()


def test_algebraic_weights_collapse_exactly():
    """sqrt entries (a batch norm's scale) give an exact algebraic W* that the kernel checks."""
    s = sympy.sqrt(sympy.Rational(3, 7))
    net = Network.from_matrices([[[1, 2], [3, 4]], [[s, 2 * s]]], [[1, 0], [sympy.Rational(1, 2)]])
    proof = symnet.prove(net)
    assert sympy.simplify(proof.matrix[0, 0] - 7 * s) == 0 and sympy.simplify(proof.matrix[0, 1] - 10 * s) == 0
    assert sympy.simplify(proof.offset[0] - (s + sympy.Rational(1, 2))) == 0
    assert proof.check()


def test_tampered_numeric_claim_is_rejected():
    """Changing one exact entry of the claim makes the kernel reject the certificate."""
    import dataclasses

    net = exact_network(float_layers([4, 3, 2], dtype=np.float64))
    proof = symnet.prove(net, limit=0)
    claim = proof.certificate.claim
    bad = as_sympy(claim.matrix).as_mutable()
    bad[0, 0] += sympy.Rational(1, 2**60)
    forged = dataclasses.replace(proof.certificate, claim=dataclasses.replace(claim, matrix=sympy.ImmutableMatrix(bad)))
    with pytest.raises(symnet.CertificateError):
        symnet.Proof(forged).check()


small_int = st.integers(-4, 4)


@settings(max_examples=examples(25))
@given(
    sizes=st.lists(st.integers(1, 4), min_size=2, max_size=4),
    data=st.data(),
)
def test_numeric_route_agrees_with_the_general_route(sizes, data):
    """Forcing the numeric route (limit=0) gives the same W*, b* as the general (polynomial ring) route."""
    weights, biases = [], []
    for n, m in zip(sizes[:-1], sizes[1:], strict=True):
        weights.append(
            [
                [data.draw(st.one_of(small_int, st.fractions(-3, 3, max_denominator=5))) for _ in range(n)]
                for _ in range(m)
            ]
        )
        biases.append([data.draw(small_int) for _ in range(m)])
    net = Network.from_matrices(weights, biases)
    fast = symnet.prove(net, limit=0, expand=False)
    general = symnet.prove(net)
    assert fast.matrix == general.matrix and fast.offset == general.offset
    assert fast.check()


# ------------------------------------------------------------ ExactMatrix
def test_exact_matrix_behaves_like_an_immutable_matrix():
    """Lazy entries: equality, hashing, arithmetic, subs, pickling and printing as ImmutableMatrix."""
    m = exact_matrix(np.array([[0.5, -0.25], [3.0, 0.1]]), "m")
    plain = sympy.ImmutableMatrix([[sympy.Rational(1, 2), sympy.Rational(-1, 4)], [3, sympy.Rational(0.1)]])
    assert isinstance(m, ExactMatrix) and is_rational_matrix(m)
    assert m == plain and hash(m) == hash(plain)
    assert m * m == plain * plain and m.T == plain.T
    assert m.subs(sympy.Symbol("x"), 1) == plain
    assert pickle.loads(pickle.dumps(m)) == plain
    assert sympy.latex(m) == sympy.latex(plain) and str(m) == str(plain)
    assert m.free_symbols == set() and not m.has(sympy.Float)
    assert m.tolist() == plain.tolist()


def test_exact_matrix_refuses_non_finite_and_non_numeric():
    """NaN, infinities and object arrays are typed errors."""
    with pytest.raises(symnet.InvalidArgument):
        exact_matrix(np.array([[1.0, np.nan]]), "w")
    with pytest.raises(symnet.InvalidArgument):
        exact_vector(np.array([np.inf]), "b")
    with pytest.raises(symnet.InvalidType):
        exact_matrix(np.array([["a"]]), "w")


@given(st.fractions())
def test_fast_rational_is_sympys_rational(value):
    """rational(p, q) equals, hashes and types like sympy.Rational(p, q) (Half and integers included)."""
    from symnet.numbers import fast_rational as rational

    ours, theirs = rational(value.numerator, value.denominator), sympy.Rational(value.numerator, value.denominator)
    assert ours == theirs and hash(ours) == hash(theirs) and type(ours) is type(theirs)


def test_small_float_network_certificate_has_no_floats():
    """Below the guard too, the output row C, the factors and the claim hold exact Rationals."""
    net = Network.from_matrices([[[0.1, 0.2]], [[0.3]]], [[0.5], [0.7]])
    proof = symnet.prove(net)
    assert proof.routes == ("layerwise", "direct")
    for step in proof.steps:
        if step.matrix is not None:
            assert not as_sympy(step.matrix).has(sympy.Float), step.rule
    assert proof.matrix[0, 0] == sympy.Rational(0.3) * sympy.Rational(0.1)
    assert proof.check()
