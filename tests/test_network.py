"""Network.from_matrices: every entry type, shapes, evaluation, immutability."""

from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import symnet
from symnet import InvalidArgument, InvalidType, Network, ShapeError, SymnetError

from .forward import PY_ACTIVATIONS, forward

x1, x2 = sympy.symbols("x_1 x_2")


def test_single_matrix_is_a_network():
    """One weight matrix is the blog post's single node."""
    net = Network.from_matrices([[[2, 3]]], [[5]])
    assert net.depth == 0 and net.hidden == () and net.q == 1
    assert sympy.expand(net.output[0] - (5 + 2 * x1 + 3 * x2)) == 0


def test_entry_types_mix():
    """ints, Fractions, Rationals, floats, sympy symbols and names mix in one matrix."""
    a = sympy.Symbol("a")
    net = Network.from_matrices([[[1, Fraction(1, 2)], [sympy.Rational(3, 4), a]], [["w", 0.5]]], [[0, 1], [2]])
    w = sympy.Symbol("w")
    assert net.layers[0].weights[0, 1] == sympy.Rational(1, 2)
    assert net.layers[0].weights[1, 0] == sympy.Rational(3, 4)
    assert net.layers[1].weights[0, 0] == w
    assert net.layers[1].weights[0, 1] == sympy.Rational(1, 2) and not net.layers[1].weights.has(sympy.Float)
    assert net.parameters == (a, w)


def test_numpy_arrays_and_sympy_matrices():
    """numpy arrays (int and float) and sympy matrices are accepted as matrices and vectors."""
    net = Network.from_matrices(
        [np.array([[1, 2], [3, 4]]), sympy.Matrix([[1, -1]])], [np.array([0, 1]), sympy.Matrix([7])]
    )
    # independent: (1*x1+2*x2) - (3*x1+4*x2+1) + 7
    assert sympy.expand(net.output[0] - (-2 * x1 - 2 * x2 + 6)) == 0
    netf = Network.from_matrices([np.array([[0.5]])], [np.array([0.25])])
    assert netf.evaluate([2.0]) == (sympy.Rational(5, 4),)
    assert netf.evaluate([2.0], exact=False) == (1.25,)


def test_biases_none_means_zero():
    net = Network.from_matrices([[[1, 1]], [[2]]], None)
    assert net.evaluate([1, 2]) == (6,)


def test_per_layer_activations():
    """A list of activations gives one per hidden layer; the output layer stays linear."""
    net = Network.from_matrices([[[1]], [[1]], [[1]]], [[0], [0], [0]], activation=["relu", "square"])
    assert [a.name for a in net.activations] == ["relu", "square"]
    assert net.layers[-1].activation.is_identity
    assert net.evaluate([-3]) == (0,)
    assert net.evaluate([3]) == (9,)
    with pytest.raises(InvalidArgument, match="2 hidden layers"):
        Network.from_matrices([[[1]], [[1]], [[1]]], None, activation=["relu"])


def test_symbolic_affine_activation_parameters():
    """A Lambda with symbolic coefficients adds its coefficients to the parameters, last."""
    t, a, d = sympy.symbols("t a d")
    net = Network.from_matrices([[[1]], [[1]]], [[0], [0]], activation=sympy.Lambda(t, a * t + d))
    assert net.parameters == (a, d)
    assert sympy.expand(net.output[0] - (a * x1 + d)) == 0
    assert net.evaluate([2], {"a": 3, d: 1}) == (7,)


def test_evaluate_exact_and_float():
    """Every evaluation is exact (a float input at its binary value) unless exact=False asks for floats."""
    net = symnet.dense(1, [1])
    w = {"b_{1,0}": Fraction(1, 3), "b_{1,1}": 2, "c_0": 0, "c_1": sympy.Rational(3, 2)}
    (exact,) = net.evaluate([Fraction(1, 2)], w)
    assert exact == sympy.Rational(3, 2) * (sympy.Rational(1, 3) + 1)
    assert isinstance(exact, sympy.Rational)
    (read,) = net.evaluate([0.1], w)  # 0.1 is its binary value: 3/2 * (1/3 + 2 * Fraction(0.1))
    assert isinstance(read, sympy.Rational)
    assert Fraction(int(read.p), int(read.q)) == Fraction(3, 2) * (Fraction(1, 3) + 2 * Fraction(0.1))
    (approx,) = net.evaluate([0.5], w, exact=False)
    assert isinstance(approx, float) and approx == pytest.approx(2.0)


def test_evaluate_tanh_is_exact_symbolic():
    net = Network.from_matrices([[[1]], [[1]]], None, activation="tanh")
    assert net.evaluate([sympy.Rational(1, 2)]) == (sympy.tanh(sympy.Rational(1, 2)),)


def test_evaluate_bad_input():
    net = symnet.dense(2, [1])
    with pytest.raises(ShapeError, match="2 inputs"):
        net.evaluate([1])
    with pytest.raises(InvalidArgument, match="missing values for 5"):
        net.evaluate([1, 2])
    with pytest.raises(InvalidArgument, match="not a parameter"):
        net.evaluate([1, 2], {"zz": 1})
    with pytest.raises(InvalidArgument, match="not finite"):
        net.evaluate([float("nan"), 1], {s: 1 for s in net.parameters})


def test_immutable_and_hashable():
    net = symnet.dense(2, [2])
    with pytest.raises(AttributeError):
        net.layers = ()  # type: ignore[misc]
    assert {net: 1}[symnet.dense(2, [2])] == 1
    assert net != symnet.dense(2, [3])


@pytest.mark.parametrize(
    ("weights", "biases", "message"),
    [
        ([[[1, 2]], [[1, 2]]], [[0], [0]], r"weights\[1\] has shape \(1, 2\) but weights\[0\] has shape \(1, 2\)"),
        ([[[1, 2]]], [[0, 1]], r"biases\[0\] has 2 entries but weights\[0\] has shape \(1, 2\)"),
        ([[[1, 2], [3]]], [[0, 0]], r"ragged"),
        ([[1, 2]], [[0]], r"2-D"),
        ([[[1]]], [[0], [1]], r"1 weight matrices but 2 bias vectors"),
    ],
)
def test_shape_errors_name_both_shapes(weights, biases, message):
    with pytest.raises(ShapeError, match=message):
        Network.from_matrices(weights, biases)


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (float("nan"), InvalidArgument, "not finite"),
        (float("inf"), InvalidArgument, "not finite"),
        (np.float64("-inf"), InvalidArgument, "not finite"),
        (sympy.oo, InvalidArgument, "not finite"),
        (sympy.nan, InvalidArgument, "not finite"),
        (sympy.zoo, InvalidArgument, "not finite"),
        (sympy.I, InvalidArgument, "not a real"),
        ("2*x", InvalidArgument, "not a symbol name"),
        ("__import__('os').system('true')", InvalidArgument, "not a symbol name"),
        ("", InvalidArgument, "not a symbol name"),
        (True, InvalidType, "boolean"),
        (object(), InvalidType, "not a number"),
        (1 + 2j, InvalidType, "not a number"),
        (sympy.Eq(x1, 1), InvalidType, "not a scalar"),
    ],
)
def test_bad_entries(value, error, message):
    """Each bad entry class gets its typed error naming the argument and value."""
    with pytest.raises(error, match=message) as info:
        Network.from_matrices([[[1, value]]], [[0]])
    assert "weights[0][0][1]" in str(info.value)
    assert isinstance(info.value, SymnetError)
    assert isinstance(info.value, (ValueError, TypeError))


def test_empty_weights():
    with pytest.raises(InvalidArgument, match="empty"):
        Network.from_matrices([], [])


def test_inputs_and_weights_may_not_share_symbols():
    with pytest.raises(InvalidArgument, match="both as inputs and as weights"):
        Network.from_matrices([[["x_1"]]], [[0]])


def test_two_symbols_with_one_name_are_refused():
    with pytest.raises(InvalidArgument, match="two different symbols are named 'a'"):
        Network.from_matrices([[[sympy.Symbol("a"), sympy.Symbol("a", positive=True)]]], [[0]])


def test_custom_input_names():
    net = Network.from_matrices([[[1, 2]]], [[0]], inputs=["u", "v"])
    u, v = sympy.symbols("u v")
    assert net.inputs == (u, v)
    with pytest.raises(ShapeError, match="must name 2 inputs"):
        Network.from_matrices([[[1, 2]]], [[0]], inputs=["u"])


# ------------------------------------------------------------ properties
exact_numbers = st.one_of(
    st.integers(-20, 20),
    st.fractions(min_value=-10, max_value=10, max_denominator=12),
)


@st.composite
def exact_networks(draw):
    p = draw(st.integers(1, 4))
    hidden = draw(st.lists(st.integers(1, 4), max_size=3))
    q = draw(st.integers(1, 3))
    sizes = [p, *hidden, q]
    weights = [
        [[draw(exact_numbers) for _ in range(sizes[l])] for _ in range(sizes[l + 1])] for l in range(len(sizes) - 1)
    ]
    biases = [[draw(exact_numbers) for _ in range(sizes[l + 1])] for l in range(len(sizes) - 1)]
    act = draw(st.sampled_from(sorted(PY_ACTIVATIONS)))
    x = [draw(exact_numbers) for _ in range(p)]
    return weights, biases, act, x


@given(exact_networks())
def test_from_matrices_matches_independent_forward_pass(case):
    """Exact evaluation equals a plain-Python Fraction forward pass, for random architectures."""
    weights, biases, act, x = case
    net = Network.from_matrices(weights, biases, activation=act)
    got = net.evaluate(x)
    expected = forward(weights, biases, act, x)
    assert [Fraction(int(v.p), int(v.q)) for v in got] == expected


@given(exact_networks())
def test_symbolic_output_agrees_with_evaluation(case):
    """Substituting x into the symbolic output gives the evaluated value."""
    weights, biases, act, x = case
    net = Network.from_matrices(weights, biases, activation=act)
    values = [sympy.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else v for v in x]
    subs = dict(zip(net.inputs, values, strict=True))
    assert [o.xreplace(subs) for o in net.output] == list(net.evaluate(x))
