"""symnet.crosscheck: agreement, planted wrong claims, float tolerance, validation, determinism."""

from fractions import Fraction

import pytest
import sympy

import symnet
from symnet import InvalidArgument, InvalidType, Network, NotLinearError, ShapeError
from symnet.testing.crosscheck import FLOAT_TOLERANCE_RULE, CrosscheckReport

from .forward import forward

t = sympy.Symbol("t")


def product_claim(net):
    """W* = W_{L+1} ... W_1 and b* = sum_l W_{L+1}..W_{l+1} b_l, by plain sympy matrix algebra (identity nets)."""
    matrix = sympy.Matrix(net.layers[0].weights)
    offset = sympy.Matrix(net.layers[0].biases)
    for layer in net.layers[1:]:
        w = sympy.Matrix(layer.weights)
        matrix = w * matrix
        offset = w * offset + sympy.Matrix(layer.biases)
    return matrix, offset


def exact_value(expr, weights):
    """An entry of a claim at exact weights, as a Fraction (independent of symnet's compiler)."""
    value = sympy.sympify(expr).xreplace({s: sympy.Rational(v) for s, v in weights.items()})
    return Fraction(int(value.p), int(value.q))


# ------------------------------------------------------------------ agreement
@pytest.mark.parametrize(("p", "hidden", "q"), [(1, [], 1), (3, [3], 1), (2, [3, 2], 2), (4, [2, 2, 2], 1)])
def test_correct_claim_agrees_for_every_kind(p, hidden, q):
    """The independently computed product form agrees exactly (int, rational) and within tolerance (float)."""
    net = symnet.dense(p, hidden, q)
    report = symnet.crosscheck(net, samples=60, seed=3, claim=product_claim(net))
    assert isinstance(report, CrosscheckReport)
    assert report.agree and bool(report)
    assert report.samples == 60
    assert report.samples_per_kind == {"int": 20, "rational": 20, "float": 20}
    assert report.counterexample is None
    by_kind = {k.kind: k for k in report.kinds}
    assert by_kind["int"].exact and by_kind["rational"].exact and not by_kind["float"].exact
    assert by_kind["float"].max_tolerance is not None and by_kind["float"].max_error <= by_kind["float"].max_tolerance
    assert report.tolerance_rule == FLOAT_TOLERANCE_RULE


def test_network_without_claim_is_proved_first():
    """Given a Network and no claim, the proof's W*, b* are cross-checked."""
    report = symnet.crosscheck(symnet.dense(3, [3]), samples=30)
    assert report.agree and report.samples == 30
    assert "symnet.prove" in report.claim_source


def test_proof_is_accepted():
    proof = symnet.prove(symnet.dense(2, [2], 2))
    report = symnet.crosscheck(proof, samples=30)
    assert report.agree and report.network == proof.network


def test_non_linear_network_without_claim_raises():
    with pytest.raises(NotLinearError):
        symnet.crosscheck(symnet.dense(2, [2], activation="square"), samples=10)


def test_nested_list_claim_for_numeric_network():
    """A numeric network: only x is drawn; the claim by hand is (2*3, 3*3), offset 3*1 + 1."""
    net = Network.from_matrices([[[2, 3]], [[3]]], [[1], [1]])
    report = symnet.crosscheck(net, samples=30, claim=([[6, 9]], [4]))
    assert report.agree
    wrong = symnet.crosscheck(net, samples=30, claim=([[6, 9]], [3]))
    assert not wrong.agree
    assert wrong.counterexample.weights == {}


def test_affine_activation_with_rational_coefficients():
    """sigma(t) = 2t + 1/2: W* = C (2B), b* = C (2b + 1/2) + c_0, written out by hand."""
    net = symnet.dense(2, [2], activation=sympy.Lambda(t, 2 * t + sympy.Rational(1, 2)))
    b = {(k, j): sympy.Symbol(f"b_{{{k},{j}}}") for k in (1, 2) for j in (0, 1, 2)}
    c = {k: sympy.Symbol(f"c_{k}") for k in (0, 1, 2)}
    matrix = [[sum(c[k] * 2 * b[k, j] for k in (1, 2)) for j in (1, 2)]]
    offset = [c[0] + sum(c[k] * (2 * b[k, 0] + sympy.Rational(1, 2)) for k in (1, 2))]
    assert symnet.crosscheck(net, samples=60, claim=(matrix, offset)).agree
    offset_wrong = [c[0] + sum(c[k] * 2 * b[k, 0] for k in (1, 2))]  # forgot the 1/2
    assert not symnet.crosscheck(net, samples=60, claim=(matrix, offset_wrong)).agree


def test_symbolic_activation_coefficients_are_drawn():
    """Lambda(t, a*t + d): a and d are parameters and get values like the weights."""
    a, d, w, v = sympy.symbols("a d w v")
    net = Network.from_matrices([[[w]], [[v]]], None, activation=sympy.Lambda(t, a * t + d))
    assert set(net.parameters) == {a, d, w, v}
    assert symnet.crosscheck(net, samples=60, claim=([[v * a * w]], [v * d])).agree
    report = symnet.crosscheck(net, samples=60, claim=([[v * a * w]], [d]))
    assert not report.agree


# ---------------------------------------------------------- planted wrong claims
def test_planted_wrong_claim_is_reported_with_a_checkable_example():
    """Altering one entry of W* is caught; the example reproduces both values independently."""
    net = symnet.dense(3, [2])
    matrix, offset = product_claim(net)
    planted = matrix.copy()
    planted[0, 1] = planted[0, 1] + 1
    report = symnet.crosscheck(net, samples=60, seed=1, claim=(planted, offset), kinds=("int", "rational"))
    assert not report.agree and not report
    ce = report.counterexample
    assert ce is not None and ce.kind == "int"
    # The network side, by an independent Fraction forward pass.
    ws = [[[exact_value(e, ce.weights) for e in row] for row in layer.weights.tolist()] for layer in net.layers]
    bs = [[exact_value(e, ce.weights) for e in layer.biases] for layer in net.layers]
    assert forward(ws, bs, "identity", ce.x) == [Fraction(v) for v in ce.network_value]
    # The claim side, evaluated from the planted matrix directly.
    claim = [
        exact_value(offset[0], ce.weights) + sum(exact_value(planted[0, j], ce.weights) * ce.x[j] for j in range(3))
    ]
    assert claim == [Fraction(v) for v in ce.claim_value]
    assert ce.network_value != ce.claim_value
    # Shrunk: a single unit input is enough to expose the +1.
    assert sorted(abs(v) for v in ce.x) == [0, 0, 1]
    assert "DISAGREE" in report.to_text() and "counterexample" in report.to_text()


def test_planted_wrong_offset_in_a_proof_is_caught():
    """A proof's own b* altered by 1/3 is caught by every kind."""
    proof = symnet.prove(symnet.dense(2, [2, 2]))
    planted = proof.offset + sympy.Matrix([sympy.Rational(1, 3)])
    report = symnet.crosscheck(proof, samples=30, claim=(proof.matrix, planted))
    assert not report.agree
    assert all(not k.agree for k in report.kinds)
    assert report.counterexample.claim_value[0] - report.counterexample.network_value[0] == sympy.Rational(1, 3)


def test_float_kind_catches_a_small_relative_error():
    """A claim off by a relative 1e-6 fails the float check; the tolerance is far smaller."""
    net = symnet.dense(2, [2])
    matrix, offset = product_claim(net)
    planted = matrix * sympy.Float(1 + 1e-6)
    report = symnet.crosscheck(net, samples=40, claim=(planted, offset), kinds=("float",))
    assert not report.agree
    ce = report.counterexample
    i = ce.output
    assert abs(ce.network_value[i] - ce.claim_value[i]) > ce.tolerance[i]


def test_relu_network_disagrees_with_its_positive_piece():
    """relu with numeric weights is not affine: the 'all units on' form fails somewhere."""
    net = Network.from_matrices([[[1], [-1]], [[1, 1]]], None, activation="relu")
    report = symnet.crosscheck(net, samples=60, claim=([[0]], [0]))
    assert not report.agree
    # |x| vs 0: any non-zero x exposes it; shrinking gives |x| = 1.
    assert abs(report.counterexample.x[0]) == 1
    assert report.counterexample.network_value == (1,)


@pytest.mark.slow
def test_large_network():
    """40 x [40] (1,681 weights): the product form agrees, and a planted +1 in the last column is caught."""
    net = symnet.dense(40, [40])
    matrix, offset = product_claim(net)
    assert symnet.crosscheck(net, samples=6, claim=(matrix, offset), kinds=("float",)).agree
    planted = matrix.copy()
    planted[0, 39] += 1
    assert not symnet.crosscheck(net, samples=6, claim=(planted, offset), kinds=("rational",)).agree


# -------------------------------------------------------------- report contract
def test_same_seed_same_report():
    net = symnet.dense(2, [2])
    matrix, offset = product_claim(net)
    planted = matrix.copy()
    planted[0, 0] += 2
    one = symnet.crosscheck(net, samples=30, seed=7, claim=(planted, offset))
    two = symnet.crosscheck(net, samples=30, seed=7, claim=(planted, offset))
    assert one.to_text() == two.to_text()
    ok1 = symnet.crosscheck(net, samples=30, seed=7)
    ok2 = symnet.crosscheck(net, samples=30, seed=7)
    assert ok1.to_text() == ok2.to_text()


def test_fewer_samples_than_kinds():
    """samples=1: one kind runs, the others are reported as skipped, and agreement rests on that one."""
    report = symnet.crosscheck(symnet.dense(1, []), samples=1)
    assert report.samples == 1 and report.agree
    assert [k.skipped is None for k in report.kinds] == [True, False, False]


def test_float_constants_are_exact_so_every_kind_runs():
    """A Network holds a float as its exact binary value (issue 19), so the exact kinds run too."""
    net = Network.from_matrices([[[0.5, 0.25]]], [[0.125]])
    report = symnet.crosscheck(net, samples=20, claim=([[0.5, 0.25]], [0.125]))
    assert report.agree and all(n > 0 for n in report.samples_per_kind.values())
    assert symnet.crosscheck(net, samples=20, claim=([[0.5, 0.25]], [0.125]), kinds=("int",)).agree
    wrong = symnet.crosscheck(net, samples=20, claim=([[0.5, 0.25]], [0.1]), kinds=("rational",))
    assert not wrong.agree  # 0.1 is not 1/8


def test_samples_counts_what_was_evaluated():
    """All requested instantiations when they agree; up to the first disagreement otherwise.

    2*x_1 + 1 against the claim 2*x_1 + 2 differs by 1 at every x, so the very first
    instantiation disagrees and exactly one is evaluated.
    """
    net = Network.from_matrices([[[2]]], [[1]])
    report = symnet.crosscheck(net, samples=3000, claim=([[2]], [1]), kinds=("int",))
    assert report.agree and report.samples == 3000
    wrong = symnet.crosscheck(net, samples=3000, claim=([[2]], [2]), kinds=("int", "rational"))
    assert not wrong.agree and wrong.samples == 2 and wrong.samples_per_kind == {"int": 1, "rational": 1}
    assert wrong.counterexample.x == (0,)  # shrunk to the simplest input


# ------------------------------------------------------------------ validation
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"samples": 0}, InvalidArgument, "samples=0"),
        ({"samples": True}, InvalidType, "samples=True"),
        ({"samples": 2.5}, InvalidType, "samples=2.5"),
        ({"seed": -1}, InvalidArgument, "seed=-1"),
        ({"seed": "1"}, InvalidType, "seed='1'"),
        ({"kinds": ()}, InvalidArgument, "kinds"),
        ({"kinds": ("int", "complex")}, InvalidArgument, "'complex'"),
        ({"kinds": ("int", "int")}, InvalidArgument, "repeats"),
        ({"claim": "W"}, InvalidArgument, "pair"),
        ({"claim": ([[1, 2]], [0])}, ShapeError, r"shape \(1, 2\)"),
        ({"claim": ([[1]], [0, 0])}, ShapeError, "2 entries"),
        ({"claim": ([["x_1"]], [0])}, InvalidArgument, "depend on the inputs"),
        ({"claim": ([["zeta"]], [0])}, InvalidArgument, "zeta"),
        ({"claim": ([[sympy.Symbol("b_1") ** -1]], [0])}, InvalidArgument, "power"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        symnet.crosscheck(symnet.dense(1, []), **kwargs)


def test_bad_first_argument():
    with pytest.raises(InvalidType, match="proof_or_net"):
        symnet.crosscheck("dense(3, [3])")


def test_transcendental_activation_is_refused_not_guessed():
    net = Network.from_matrices([[[1]], [[1]]], None, activation="tanh")
    with pytest.raises(InvalidArgument, match="tanh"):
        symnet.crosscheck(net, samples=10, claim=([[1]], [0]))


# ------------------------------------------------------- batches and routes
def _batch(kind, count, size=32, seed=5):
    from symnet.testing.sampling import draw_batch

    return draw_batch(kind, (seed, 0, 0), size, count)


@pytest.mark.parametrize("kind", ["int", "rational", "float"])
def test_batches_hold_the_documented_numbers(kind):
    """ints in [-128, 128]; rationals n/d in lowest terms, d <= 16; floats m*2**-e, |v| <= 16, 28 bits at most."""
    batch = _batch(kind, 50, size=64)
    assert batch.size == 64
    values = [v for s in range(batch.size) for v in batch.values(s)]
    assert len(values) == 64 * 50 and any(v != 0 for v in values) and any(v == 0 for v in values)
    for v in values:
        if kind == "int":
            assert type(v) is int and -128 <= v <= 128
        elif kind == "rational":
            assert type(v) in (int, Fraction) and Fraction(v).denominator <= 16 and abs(v) <= 128
        else:
            assert type(v) is float and abs(v) <= 16
            exact = Fraction(v)
            assert exact.denominator <= 2**23 and (exact * exact.denominator).numerator.bit_length() <= 28
    again = _batch(kind, 50, size=64)
    assert [again.values(s) for s in range(64)] == [batch.values(s) for s in range(64)]


def test_scaled_numerators_are_the_values_over_the_common_denominator():
    batch = _batch("rational", 12)
    for s in range(batch.size):
        numerators, den = batch.scaled(s)
        assert [Fraction(n, den) for n in numerators] == [Fraction(v) for v in batch.values(s)]


@pytest.mark.parametrize("kind", ["int", "rational", "float"])
def test_batch_check_finds_the_same_first_failure_as_one_at_a_time(kind):
    """The batched route (cross-multiplied numerators; numpy arrays) against the scalar route per instantiation."""
    from symnet.testing.crosscheck import _Checker

    net = symnet.dense(2, [3], activation="leaky_relu")
    matrix, offset = sympy.ImmutableMatrix([[0, 0]]), sympy.ImmutableMatrix([0])  # wrong wherever the output is not 0
    checker = _Checker(kind, net, matrix, offset)
    batch = _batch(kind, checker.count, size=32, seed=11)
    scalar = next((s for s in range(batch.size) if checker.fails(batch.values(s))), None)
    assert scalar is not None
    assert checker.first_failure(batch) == scalar


def test_vectorised_float_code_rounds_like_the_scalar_code():
    """n-ary Max/Min and Abs in a claim: numpy's elementwise evaluation equals Python's, bit for bit."""
    import numpy as np

    from symnet.testing.numeric import compile_claim

    a, b, c = sympy.symbols("a b c")
    matrix = sympy.ImmutableMatrix([[sympy.Max(a, b, c) * a + sympy.Rational(1, 3) * b, sympy.Abs(a - c)]])
    offset = sympy.ImmutableMatrix([sympy.Min(a * b, c, 2) + c**2])
    claim = compile_claim(matrix, offset, (a, b, c), "float")
    batch = _batch("float", 5, size=40)
    values = batch.floats.T
    vector = claim.vectorised(values[:3], values[3:])
    for s in range(batch.size):
        v = batch.values(s)
        assert claim(v[:3], v[3:]) == tuple(float(out[s]) for out in vector)
    assert all(isinstance(out, np.ndarray) and out.shape == (40,) for out in vector)


def test_large_exact_network_meets_the_throughput_contract_loosely():
    """20 x [20, 20]: 300 exact instantiations agree (a correctness check at size, not a timing)."""
    proof = symnet.prove(symnet.dense(20, [20, 20]))
    report = symnet.crosscheck(proof, samples=300, kinds=("int", "rational"))
    assert report.agree and report.samples_per_kind == {"int": 150, "rational": 150}


def test_inside_a_given_test_the_report_is_still_shrunk():
    """Nested in @given, a wrong claim is caught and its counterexample is minimal.

    W*[0, 0] planted one too large makes the claim exceed the network by x_1 at any weights, so the
    simplest counterexample has every weight 0 and x = (1, 0).
    """
    from hypothesis import given, settings
    from hypothesis import strategies as st

    net = symnet.dense(2, [2])
    matrix, offset = product_claim(net)
    planted = matrix.copy()
    planted[0, 0] += 1
    seen = []

    @settings(max_examples=3, database=None)
    @given(st.integers(0, 5))
    def check(seed):
        report = symnet.crosscheck(net, samples=30, seed=seed, claim=(planted, offset), kinds=("int",))
        assert not report.agree
        seen.append(report.counterexample)

    check()
    assert seen
    for ce in seen:
        assert ce.x == (1, 0) and all(v == 0 for v in ce.weights.values())
        assert ce.claim_value[0] - ce.network_value[0] == 1
