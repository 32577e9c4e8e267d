"""prove(): the closed form W*, b* against independent routes, guards and refusals."""

import math
from fractions import Fraction

import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import symnet
from symnet import InvalidType, Network, NotLinearError, SizeGuardError
from tests.budget import examples

S = sympy.Symbol
t = S("t")


def product_form(net):
    """Independent closed form: W* = W_{L+1}...W_1, b* = sum_l W_{L+1}...W_{l+1} b_l (sympy Matrix algebra)."""
    ws = [sympy.Matrix(layer.weights) for layer in net.layers]
    bs = [sympy.Matrix(layer.biases) for layer in net.layers]
    matrix = sympy.eye(net.p)
    for w in ws:
        matrix = w * matrix
    offset = sympy.zeros(net.q, 1)
    for l in range(len(ws)):
        tail = sympy.eye(net.q)
        for w in reversed(ws[l + 1 :]):
            tail = tail * w
        offset += tail * bs[l]
    return matrix.applyfunc(sympy.expand), offset.applyfunc(sympy.expand)


def assert_same(a, b):
    assert a.shape == b.shape
    assert (sympy.Matrix(a) - sympy.Matrix(b)).applyfunc(sympy.expand) == sympy.zeros(*a.shape)


def test_seed_network_betas():
    """For the seed, beta_0 = c_0 + sum_k c_k b_{k,0} and beta_j = sum_k c_k b_{k,j} (SPEC)."""
    proof = symnet.prove(symnet.dense(3, [3]))
    c = [S(f"c_{k}") for k in range(4)]
    b = lambda k, j: S(f"b_{{{k},{j}}}")  # noqa: E731
    assert sympy.expand(proof.offset[0] - (c[0] + sum(c[k] * b(k, 0) for k in (1, 2, 3)))) == 0
    for j in (1, 2, 3):
        assert sympy.expand(proof.matrix[0, j - 1] - sum(c[k] * b(k, j) for k in (1, 2, 3))) == 0
    assert proof.matrix.shape == (1, 3) and proof.offset.shape == (1, 1)
    assert [s.rule for s in proof.steps] == [
        "read_output_layer",
        "substitute_layer",
        "conclude_linear_form",
        "expand_and_compare",
    ]
    assert proof.check() is True


def test_single_node_proof():
    proof = symnet.prove(symnet.dense(2, []))
    assert list(proof.matrix) == [S("b_1"), S("b_2")]
    assert list(proof.offset) == [S("b_0")]
    assert proof.check()


def test_as_expr_is_the_linear_form():
    net = symnet.dense(2, [2], outputs=2)
    proof = symnet.prove(net)
    for out, form in zip(net.output, proof.as_expr(), strict=True):
        assert sympy.expand(out - form) == 0


@pytest.mark.slow
@given(p=st.integers(1, 3), hidden=st.lists(st.integers(1, 5), min_size=1, max_size=4), q=st.integers(1, 3))
@settings(max_examples=examples(25))
def test_symbolic_closed_form_matches_matrix_product(p, hidden, q):
    """Random symbolic dense nets (depth 1-4, widths 1-5, 1-3 outputs): W*, b* equal an
    independent sympy matrix product; check() passes; output - claim expands to 0."""
    assume(p * q * math.prod(hidden) <= 400)  # keeps the independent sympy.expand quick
    net = symnet.dense(p, hidden, outputs=q)
    proof = symnet.prove(net)
    matrix, offset = product_form(net)
    assert_same(proof.matrix, matrix)
    assert_same(proof.offset, offset)
    assert proof.check()
    for out, form in zip(net.output, proof.as_expr(), strict=True):
        assert sympy.expand(out - form) == 0


exact = st.fractions(min_value=-5, max_value=5, max_denominator=7)


@st.composite
def rational_nets(draw):
    p = draw(st.integers(1, 4))
    hidden = draw(st.lists(st.integers(1, 5), min_size=0, max_size=4))
    q = draw(st.integers(1, 3))
    sizes = [p, *hidden, q]
    ws = [[[draw(exact) for _ in range(sizes[l])] for _ in range(sizes[l + 1])] for l in range(len(sizes) - 1)]
    bs = [[draw(exact) for _ in range(sizes[l + 1])] for l in range(len(sizes) - 1)]
    return ws, bs


def fraction_product(ws, bs):
    """W* and b* by plain Fraction arithmetic: compose affine maps from the input side."""
    p = len(ws[0][0])
    a = [[Fraction(int(i == j)) for j in range(p)] for i in range(p)]
    c = [Fraction(0)] * p
    for w, b in zip(ws, bs, strict=True):
        a = [[sum((w[k][m] * a[m][j] for m in range(len(a))), Fraction(0)) for j in range(p)] for k in range(len(w))]
        c = [sum((w[k][m] * c[m] for m in range(len(c))), Fraction(0)) + b[k] for k in range(len(w))]
    return a, c


@given(rational_nets())
def test_exact_rational_weights_give_exact_closed_form(case):
    ws, bs = case
    proof = symnet.prove(Network.from_matrices(ws, bs))
    a, c = fraction_product(ws, bs)
    assert [[Fraction(int(v.p), int(v.q)) for v in proof.matrix.row(i)] for i in range(proof.matrix.rows)] == a
    assert [Fraction(int(v.p), int(v.q)) for v in proof.offset] == c
    assert proof.check()


def test_symbolic_affine_activation():
    """sigma(t) = a t + d: W* = c a W, b* = c0 + c (a b + d) for one hidden layer."""
    a, d = sympy.symbols("a d")
    net = symnet.dense(2, [2], activation=sympy.Lambda(t, a * t + d))
    proof = symnet.prove(net)
    c = [S("c_1"), S("c_2")]
    b = lambda k, j: S(f"b_{{{k},{j}}}")  # noqa: E731
    for j in (1, 2):
        assert sympy.expand(proof.matrix[0, j - 1] - a * (c[0] * b(1, j) + c[1] * b(2, j))) == 0
    assert sympy.expand(proof.offset[0] - (S("c_0") + c[0] * (a * b(1, 0) + d) + c[1] * (a * b(2, 0) + d))) == 0
    assert proof.steps[1].slope == a and proof.steps[1].intercept == d
    assert proof.check()


def test_mixed_numeric_affine_activations_per_layer():
    activations = [sympy.Lambda(t, 2 * t + 1), "identity"]
    net = Network.from_matrices([[[1, 2]], [[3]], [[5]]], [[1], [0], [1]], activation=activations)
    # x -> z1 = x1 + 2 x2 + 1 -> u1 = 2 z1 + 1 -> z2 = 3 u1 -> y = 5 z2 + 1
    proof = symnet.prove(net)
    assert list(proof.matrix) == [30, 60] and list(proof.offset) == [5 * 3 * 3 + 1]


def test_float_weights_are_proved_at_their_exact_binary_values():
    net = Network.from_matrices([[[0.1]], [[3]]], [[0.2], [0]])
    proof = symnet.prove(net)
    assert proof.matrix[0, 0] == 3 * sympy.Rational(0.1)
    assert proof.offset[0] == 3 * sympy.Rational(0.2)
    assert proof.check()


def test_float_slopes_and_weights_are_multiplied_exactly():
    """0.1 * 0.3 is not rounded: the proof holds for the exact binary values, and checks."""
    net = Network.from_matrices([[[0.3]], [[0.7]]], [[0.5], [0]], activation=sympy.Lambda(t, 0.1 * t + 0.2))
    proof = symnet.prove(net, expand=False)
    r = sympy.Rational
    assert proof.matrix[0, 0] == r(0.7) * r(0.1) * r(0.3)
    assert proof.offset[0] == r(0.7) * (r(0.1) * r(0.5) + r(0.2))
    assert proof.check()


def test_large_network_uses_product_form_and_unfolds_lazily():
    """Above the guard the claim is the product; .matrix still equals W_{L+1}...W_1."""
    net = symnet.dense(2, [3, 2])
    proof = symnet.prove(net, limit=5)
    assert not proof.is_explicit and proof.routes == ("layerwise",)
    matrix, offset = product_form(net)
    assert_same(proof.matrix, matrix)
    assert_same(proof.offset, offset)
    assert proof.check()


def test_deep_wide_network_is_proved_without_expansion():
    net = symnet.dense(30, [30] * 4)
    proof = symnet.prove(net)
    assert not proof.is_explicit
    assert proof.check()


def test_explicit_expand_request_above_guard_is_refused_with_estimate():
    with pytest.raises(SizeGuardError, match="27931") as info:
        symnet.prove(symnet.dense(30, [30, 30]), expand=True)
    assert info.value.estimate == 27931


def test_expand_false_skips_direct_route():
    proof = symnet.prove(symnet.dense(2, [2]), expand=False)
    assert proof.routes == ("layerwise",)
    assert proof.check()


@pytest.mark.parametrize("act", ["relu", "tanh", "sigmoid", "square"])
def test_non_linear_activation_raises_not_linear(act):
    with pytest.raises(NotLinearError, match="layer 1") as info:
        symnet.prove(symnet.dense(2, [2], activation=act))
    assert info.value.layer == 1


def test_first_non_linear_layer_is_named():
    with pytest.raises(NotLinearError, match="layer 2") as info:
        symnet.prove(symnet.dense(2, [2, 2], activation=["identity", "square"]))
    assert info.value.layer == 2


def test_polynomial_activation_that_cancels_is_proved_by_expansion():
    """Square activation, but the output ignores the hidden unit: linear, proved by the direct route."""
    net = Network.from_matrices([[[1, 1]], [[0]]], [[0], [S("c")]], activation="square")
    proof = symnet.prove(net)
    assert proof.routes == ("direct",)
    assert list(proof.matrix) == [0, 0] and list(proof.offset) == [S("c")]
    assert proof.check()


def test_bad_arguments():
    with pytest.raises(InvalidType, match="not a symnet.Network"):
        symnet.prove("dense(3, [3])")  # type: ignore[arg-type]
    with pytest.raises(InvalidType, match="expand="):
        symnet.prove(symnet.dense(1, []), expand="yes")  # type: ignore[arg-type]


def test_deterministic_json():
    a = symnet.prove(symnet.dense(3, [3, 2], outputs=2)).to_json()
    b = symnet.prove(symnet.dense(3, [3, 2], outputs=2)).to_json()
    assert a == b


def test_decide_returns_proof_or_raises():
    assert isinstance(symnet.decide(symnet.dense(2, [2])), symnet.Proof)


# ------------------------------------------------- with symnet's own strategies
from symnet import strategies as sst  # noqa: E402


@given(sst.networks(weights="exact", architecture=sst.architectures(max_depth=3, max_outputs=3)), st.data())
def test_proof_agrees_with_exact_forward_pass_at_drawn_inputs(net, data):
    """For exact networks with affine activations, W* x + b* equals the evaluated network at drawn x."""
    proof = symnet.prove(net)
    x = data.draw(sst.inputs(net))
    values = [sympy.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else v for v in x]
    subs = dict(zip(net.inputs, values, strict=True))
    assert [form.xreplace(subs) for form in proof.as_expr()] == list(net.evaluate(x))
    assert proof.check()


@given(sst.networks(weights="symbolic", architecture=sst.architectures(max_depth=2, max_width=3)))
@settings(max_examples=examples(20))
def test_symbolic_networks_from_strategies_cross_check(net):
    """The engine's claim survives symnet.crosscheck's numeric instantiations."""
    report = symnet.crosscheck(symnet.prove(net), samples=20, seed=1)
    assert report.agree and report.samples == 20


def test_printed_terms_reader_agrees_with_flint_terms():
    """The engine reads flint polynomials from their printed form; it must give exactly flint's own terms()."""
    import random

    import flint

    from symnet.certificate.polys import parse_terms as _parse_terms

    ctx = flint.fmpq_mpoly_ctx.get(("g", 40), "lex")
    gens = ctx.gens()
    names = {name: i for i, name in enumerate(ctx.names())}
    rng = random.Random(7)
    for _ in range(30):
        poly = ctx.constant(flint.fmpq(rng.randint(-9, 9), rng.randint(1, 9)))
        for _ in range(rng.randint(0, 12)):
            term = ctx.constant(flint.fmpq(rng.choice([-1, 1]) * rng.randint(1, 10**30), rng.randint(1, 10**5)))
            for _ in range(rng.randint(1, 4)):
                term = term * gens[rng.randrange(40)] ** rng.randint(1, 3)
            poly = poly + term
        expected = {}
        for monom, c in poly.terms():
            idx = [i for i, k in enumerate(monom) if k]
            expected[tuple((i, int(monom[i])) for i in idx)] = (int(c.p), int(c.q))
        got = {}
        for p, q, idx, powers in _parse_terms(poly.str(), names):
            got[tuple(zip(idx, powers or [1] * len(idx), strict=True))] = (p, q)
        assert got == expected
    assert _parse_terms("0", names) == []
