"""One exact number world: every numeric entry of a Network is an exact rational, whatever the route.

Oracles are independent of symnet: ``fractions.Fraction(float)`` for a float's
exact binary value, plain-Fraction forward passes, numpy float64 forward passes
(with a tolerance) for the float evaluation.
"""

from __future__ import annotations

import decimal
from fractions import Fraction

import flint
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import symnet
from symnet import ActivationError, InvalidArgument, InvalidType, Network
from symnet.conversion import exact_floats, exact_fmpq, exact_ratio, exact_rational
from symnet.model.exact import qq_dense
from symnet.model.network import Layer
from tests.budget import examples

DTYPES = [np.float16, np.float32, np.float64, np.longdouble, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint64]


def frac(e: sympy.Expr) -> Fraction:
    assert isinstance(e, sympy.Rational), f"{e!r} is not a Rational"
    return Fraction(int(e.p), int(e.q))


def value_fraction(v: object) -> Fraction:
    """The exact value of a numpy scalar, by Python's own Fraction (longdouble through its ratio)."""
    if isinstance(v, np.floating):
        return Fraction(*v.as_integer_ratio())
    return Fraction(int(v))  # type: ignore[call-overload]


# ---------------------------------------------------------------- the conversion


@pytest.mark.parametrize(
    "value, expected",
    [
        (0.1, Fraction(0.1)),
        (np.float32(0.1), Fraction(float(np.float32(0.1)))),
        (np.float16(0.1), Fraction(819, 8192)),
        (decimal.Decimal("0.1"), Fraction(1, 10)),
        (Fraction(-3, 6), Fraction(-1, 2)),
        (np.int64(-7), Fraction(-7)),
        (sympy.Rational(2, 6), Fraction(1, 3)),
        (sympy.Float(0.1), Fraction(0.1)),
        (flint.fmpq(3, 9), Fraction(1, 3)),
        (flint.fmpz(5), Fraction(5)),
        (2**80, Fraction(2**80)),
    ],
)
def test_exact_ratio_is_the_exact_value(value: object, expected: Fraction) -> None:
    p, q = exact_ratio(value)
    assert Fraction(p, q) == expected and q > 0 and Fraction(p, q).denominator == q
    assert frac(exact_rational(value)) == expected
    f = exact_fmpq(value)
    assert Fraction(int(f.p), int(f.q)) == expected


@pytest.mark.parametrize(
    "value, error",
    [
        (float("nan"), InvalidArgument),
        (float("-inf"), InvalidArgument),
        (np.float32("inf"), InvalidArgument),
        (decimal.Decimal("NaN"), InvalidArgument),
        (sympy.nan, InvalidArgument),
        (sympy.zoo, InvalidArgument),
        (sympy.Float("inf"), InvalidArgument),
        (True, InvalidType),
        (np.bool_(False), InvalidType),
        (1 + 2j, InvalidType),
        ("0.5", InvalidType),
        (sympy.Symbol("w"), InvalidType),
    ],
)
def test_exact_ratio_refuses_with_a_typed_error_naming_the_entry(value: object, error: type) -> None:
    with pytest.raises(error, match="entry 7"):
        exact_ratio(value, "entry 7")


def test_exact_floats_replaces_every_float() -> None:
    w = sympy.Symbol("w")
    e = exact_floats(sympy.Float(0.1) * w + sympy.Float(0.5))
    assert not e.has(sympy.Float)
    assert e == sympy.Rational(*(0.1).as_integer_ratio()) * w + sympy.Rational(1, 2)


# ---------------------------------------------------------------- every route


@settings(max_examples=examples(60), deadline=None)
@given(data=st.data(), dtype=st.sampled_from(DTYPES))
def test_numpy_arrays_of_any_dtype_hold_exact_fractions(data: st.DataObject, dtype: type) -> None:
    """Property: from_matrices with numpy arrays stores each entry as Fraction(value), over QQ."""
    finite = {"allow_nan": False, "allow_infinity": False} if np.dtype(dtype).kind == "f" else {}
    elements = hnp.from_dtype(np.dtype(dtype), **finite)
    shape = data.draw(st.tuples(st.integers(1, 4), st.integers(1, 4)))
    w = data.draw(hnp.arrays(dtype, shape, elements=elements))
    b = data.draw(hnp.arrays(dtype, (shape[0],), elements=elements))
    net = Network.from_matrices([w], [b])
    layer = net.layers[0]
    assert qq_dense(layer.stored_weights) is not None and qq_dense(layer.stored_biases) is not None
    for i in range(shape[0]):
        assert frac(layer.biases[i]) == value_fraction(b[i])
        for j in range(shape[1]):
            assert frac(layer.weights[i, j]) == value_fraction(w[i, j])
            q = qq_dense(layer.stored_weights)[i, j]
            assert Fraction(int(q.p), int(q.q)) == value_fraction(w[i, j])


@settings(max_examples=examples(40), deadline=None)
@given(
    st.lists(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=2, max_size=2), min_size=1, max_size=3)
)
def test_nested_lists_of_floats_are_exact_and_held_over_qq(rows: list[list[float]]) -> None:
    net = Network.from_matrices([rows], None)
    layer = net.layers[0]
    assert layer.is_numeric and not layer.weights.has(sympy.Float)
    assert [[frac(layer.weights[i, j]) for j in range(2)] for i in range(len(rows))] == [
        [Fraction(v) for v in row] for row in rows
    ]


def test_every_route_gives_the_same_exact_entries() -> None:
    """Lists, numpy float32/float64, Fractions, sympy Floats, sympy Matrix and a Layer built by hand agree."""
    w32 = np.array([[0.1, -2.5], [1e-3, 7]], dtype=np.float32)
    exact = [[Fraction(float(v)) for v in row] for row in w32]
    routes = [
        w32,
        w32.astype(np.float64),
        w32.astype(np.float64).tolist(),
        exact,
        [[sympy.Float(float(v)) for v in row] for row in w32],
        sympy.Matrix([[sympy.Float(float(v)) for v in row] for row in w32]),
    ]
    nets = []
    for route in routes:
        net = Network.from_matrices([route], [[0, 0]])
        assert [[frac(net.layers[0].weights[i, j]) for j in range(2)] for i in range(2)] == exact
        nets.append(net)
    assert all(n == nets[0] and hash(n) == hash(nets[0]) for n in nets)  # one number world: equal and same hash
    by_hand = Layer(sympy.ImmutableMatrix([[sympy.Float(0.5)]]), sympy.ImmutableMatrix([sympy.Float(0.1)]))
    net = Network((sympy.Symbol("x_1"),), (by_hand,))
    assert qq_dense(net.layers[0].stored_weights) is not None
    assert frac(net.layers[0].biases[0]) == Fraction(0.1)


def test_huge_ints_and_tiny_floats_in_lists_are_exact() -> None:
    net = Network.from_matrices([[[10**400, 5e-324], [-(2**70), 1.5]]], [[0.1, -7]])
    layer = net.layers[0]
    assert [frac(e) for e in layer.weights] == [Fraction(10**400), Fraction(5e-324), Fraction(-(2**70)), Fraction(3, 2)]
    assert [frac(e) for e in layer.biases] == [Fraction(0.1), Fraction(-7)]


def test_symbolic_entries_lose_their_floats_and_keep_their_symbols() -> None:
    w = sympy.Symbol("w")
    net = Network.from_matrices([[[sympy.Float(0.1) * w, 0.25]]], [[sympy.Float(0.5)]])
    layer = net.layers[0]
    assert not layer.weights.has(sympy.Float) and not layer.biases.has(sympy.Float)
    assert layer.weights[0, 0] == sympy.Rational(*(0.1).as_integer_ratio()) * w
    assert qq_dense(layer.stored_weights) is None and net.parameters == (w,)


def test_activation_floats_are_exact() -> None:
    t = sympy.Symbol("t")
    net = Network.from_matrices([[[1]], [[1]]], None, activation=sympy.Lambda(t, sympy.Float(0.1) * t))
    assert not net.activations[0].expr.has(sympy.Float)
    assert net.evaluate([1])[0] == sympy.Rational(*(0.1).as_integer_ratio())


# ---------------------------------------------------------------- refused at construction


@pytest.mark.parametrize(
    "weights, biases, error, where",
    [
        ([[[1.0, float("nan")]]], None, InvalidArgument, r"weights\[0\]\[0\]\[1\]"),
        ([np.array([[1.0, np.inf]], dtype=np.float32)], None, InvalidArgument, r"weights\[0\]"),
        ([np.ones((1, 1), dtype=np.float16)], [np.array([-np.inf], dtype=np.float16)], InvalidArgument, r"biases\[0\]"),
        ([[[sympy.Float("nan")]]], None, InvalidArgument, r"weights\[0\]\[0\]\[0\]"),
        ([[[sympy.Symbol("w") + sympy.oo]]], None, InvalidArgument, r"weights\[0\]"),
        ([[[decimal.Decimal("Infinity")]]], None, InvalidArgument, r"weights\[0\]\[0\]\[0\]"),
        ([np.array([[True, False]])], None, InvalidType, r"weights\[0\]"),
        ([np.array([[1 + 1j]])], None, InvalidType, r"weights\[0\]"),
        ([[[sympy.Symbol("A", commutative=False)]]], None, InvalidArgument, "commutative"),
    ],
)
def test_bad_entries_are_refused_at_construction(weights: list, biases: list | None, error: type, where: str) -> None:
    with pytest.raises(error, match=where):
        Network.from_matrices(weights, biases)


def test_a_hand_built_layer_with_a_nan_float_is_refused() -> None:
    bad = Layer(sympy.ImmutableMatrix([[sympy.Float("nan")]]), sympy.ImmutableMatrix([0]))
    with pytest.raises(InvalidArgument, match="not finite"):
        Network((sympy.Symbol("x_1"),), (bad,))


def test_non_finite_activation_is_refused() -> None:
    t = sympy.Symbol("t")
    with pytest.raises(ActivationError):
        Network.from_matrices([[[1]], [[1]]], None, activation=sympy.Lambda(t, sympy.Float("inf") * t))


# ---------------------------------------------------------------- evaluate


def _fraction_forward(layers: list[tuple[np.ndarray, np.ndarray]], x: list[Fraction]) -> list[Fraction]:
    """A relu network's forward pass in plain Python Fractions (the float32 weights at their exact values)."""
    u = x
    for n, (w, b) in enumerate(layers):
        z = [Fraction(float(b[k])) + sum(Fraction(float(w[k, j])) * u[j] for j in range(len(u))) for k in range(len(b))]
        u = z if n == len(layers) - 1 else [max(Fraction(0), v) for v in z]
    return u


def _float32_relu_net(sizes: list[int], seed: int) -> tuple[Network, list[tuple[np.ndarray, np.ndarray]]]:
    rng = np.random.default_rng(seed)
    layers = [
        (rng.standard_normal((m, n)).astype(np.float32), rng.standard_normal(m).astype(np.float32))
        for n, m in zip(sizes[:-1], sizes[1:], strict=True)
    ]
    return Network.from_matrices([w for w, _ in layers], [b for _, b in layers], "relu"), layers


def test_evaluate_is_exact_against_a_fraction_forward_pass() -> None:
    net, layers = _float32_relu_net([5, 12, 7, 3], seed=1)
    rng = np.random.default_rng(2)
    for _ in range(10):
        x = [Fraction(int(v), 7) for v in rng.integers(-20, 20, size=5)]
        got = net.evaluate(x)
        assert [frac(v) for v in got] == _fraction_forward(layers, x)
    xf = [0.1, -0.3, 2.5, 1e-7, 3.0]  # float inputs at their binary values
    assert [frac(v) for v in net.evaluate(xf)] == _fraction_forward(layers, [Fraction(v) for v in xf])


def test_evaluate_float_mode_matches_numpy_within_rounding() -> None:
    net, layers = _float32_relu_net([6, 16, 16, 2], seed=3)
    x = np.array([0.3, -1.2, 0.7, 2.0, -0.1, 0.05])
    u = x
    for n, (w, b) in enumerate(layers):
        u = w.astype(np.float64) @ u + b.astype(np.float64)
        u = u if n == len(layers) - 1 else np.maximum(u, 0)
    got = net.evaluate(x.tolist(), exact=False)
    assert all(isinstance(v, float) for v in got)
    assert np.allclose(got, u, rtol=1e-12, atol=1e-12)


def test_evaluate_float_mode_with_symbolic_weights_and_tanh() -> None:
    net = symnet.dense(1, [1], activation="tanh")
    values = {"b_{1,0}": 0.25, "b_{1,1}": 2, "c_0": -1, "c_1": Fraction(1, 3)}
    (got,) = net.evaluate([0.5], values, exact=False)
    assert got == pytest.approx(-1 + np.tanh(0.25 + 2 * 0.5) / 3, rel=1e-15)
    with pytest.raises(InvalidType):
        net.evaluate([0.5], values, exact="no")  # type: ignore[arg-type]


def test_evaluate_agrees_with_regions_exactly() -> None:
    """A 2 -> [8, 8] -> 1 float32 relu network (105 regions): evaluate equals the region's affine form at rational
    points."""
    net, _ = _float32_relu_net([2, 8, 8, 1], seed=5)
    box = [(-2, 2), (-2, 2)]
    found = symnet.regions(net, box=box)
    rng = np.random.default_rng(6)
    checked = 0
    for _ in range(40):
        x = [Fraction(int(v), 97) for v in rng.integers(-190, 190, size=2)]
        where = found.locate(x)
        assert where, f"{x} lies in no region"
        for region in where:
            form = region.matrix * sympy.Matrix([sympy.Rational(v.numerator, v.denominator) for v in x]) + region.offset
            assert tuple(form) == net.evaluate(x)
            checked += 1
    assert checked >= 40


def test_qq_accessors() -> None:
    net = Network.from_matrices([[[Fraction(1, 3), 2]], [[0.5]]], [[1], [0]])
    w = qq_dense(net.layers[0].stored_weights)
    assert isinstance(w, flint.fmpq_mat) and w[0, 0] == flint.fmpq(1, 3) and w[0, 1] == 2
    assert qq_dense(net.layers[1].stored_weights)[0, 0] == flint.fmpq(1, 2)
    biases = qq_dense(net.layers[0].stored_biases)
    assert isinstance(biases, flint.fmpq_mat) and biases.ncols() == 1
    assert qq_dense(symnet.dense(1, [1]).layers[0].stored_weights) is None


def test_from_matrices_with_numpy_arrays_matches_the_onnx_route() -> None:
    """The same float32 arrays through from_matrices and through from_onnx give the very same W* and b*."""
    pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(11)
    sizes = [20, 9, 7, 3]
    layers = [
        (rng.standard_normal((m, n)).astype(np.float32), rng.standard_normal(m).astype(np.float32))
        for n, m in zip(sizes[:-1], sizes[1:], strict=True)
    ]
    nodes, inits, cur = [], [], "x"
    for i, (w, b) in enumerate(layers):
        inits += [numpy_helper.from_array(w, f"W{i}"), numpy_helper.from_array(b, f"b{i}")]
        nodes.append(helper.make_node("Gemm", [cur, f"W{i}", f"b{i}"], [f"h{i}"], transB=1))
        cur = f"h{i}"
    graph = helper.make_graph(
        nodes,
        "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", sizes[0]])],
        [helper.make_tensor_value_info(cur, TensorProto.FLOAT, ["N", sizes[-1]])],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    ours = symnet.prove(Network.from_matrices([w for w, _ in layers], [b for _, b in layers]))
    theirs = symnet.prove(symnet.from_onnx(model))
    assert ours.matrix == theirs.matrix and ours.offset == theirs.offset
    # and both equal the collapse in plain Fractions
    w_star = [[Fraction(float(v)) for v in row] for row in layers[-1][0]]
    b_star = [Fraction(float(v)) for v in layers[-1][1]]
    for w, b in reversed(layers[:-1]):
        bias = [Fraction(float(v)) for v in b]
        b_star = [b_star[k] + sum(w_star[k][j] * bias[j] for j in range(len(b))) for k in range(len(b_star))]
        w_star = [
            [sum(w_star[k][j] * Fraction(float(w[j, i])) for j in range(w.shape[0])) for i in range(w.shape[1])]
            for k in range(len(w_star))
        ]
    assert [[frac(ours.matrix[k, i]) for i in range(sizes[0])] for k in range(sizes[-1])] == w_star
    assert [frac(v) for v in ours.offset] == b_star
