"""dense(): the blog post's names, the deeper scheme, and argument validation."""

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import symnet
from symnet import ActivationError, InvalidArgument, InvalidType

S = sympy.Symbol


def test_seed_network_output_is_unexpanded_seed_formula():
    """dense(3, [3]) computes c_0 + sum_k c_k (b_{k,0} + sum_j b_{k,j} x_j), unexpanded."""
    net = symnet.dense(3, [3])
    x = [S(f"x_{j}") for j in range(1, 4)]
    y = [S(f"b_{{{k},0}}") + sum(S(f"b_{{{k},{j}}}") * x[j - 1] for j in range(1, 4)) for k in range(1, 4)]
    expected = S("c_0") + sum(S(f"c_{k}") * y[k - 1] for k in range(1, 4))
    assert net.output == (expected,)
    assert str(net.output[0]).startswith("c_0 + c_1*(b_{1,0} + b_{1,1}*x_1 + b_{1,2}*x_2 + b_{1,3}*x_3) + c_2*(")


def test_single_node_is_seed_first_network():
    net = symnet.dense(3, [])
    expected = S("b_0") + S("b_1") * S("x_1") + S("b_2") * S("x_2") + S("b_3") * S("x_3")
    assert net.output == (expected,)


def test_multi_output_names():
    net = symnet.dense(2, [2], outputs=2)
    assert net.layers[1].weights == sympy.Matrix([[S("c_{1,1}"), S("c_{1,2}")], [S("c_{2,1}"), S("c_{2,2}")]])
    assert list(net.layers[1].biases) == [S("c_{1,0}"), S("c_{2,0}")]
    single = symnet.dense(2, [], outputs=2)
    assert single.layers[0].weights[1, 0] == S("b_{2,1}")


def test_deep_names_use_layer_superscript():
    net = symnet.dense(2, [3, 2])
    assert net.layers[0].weights[2, 1] == S("b^{(1)}_{3,2}")
    assert net.layers[1].biases[1] == S("b^{(2)}_{2,0}")
    assert net.layers[2].weights[0, 1] == S("c_2")
    assert sympy.latex(S("b^{(2)}_{2,0}")) == "b^{(2)}_{2,0}"


def test_parameter_order_is_documented_order():
    """Layer by layer, node by node, bias first then weights; parameters are distinct."""
    net = symnet.dense(2, [2])
    names = [s.name for s in net.parameters]
    assert names == ["b_{1,0}", "b_{1,1}", "b_{1,2}", "b_{2,0}", "b_{2,1}", "b_{2,2}", "c_0", "c_1", "c_2"]


@given(p=st.integers(1, 5), hidden=st.lists(st.integers(1, 4), max_size=3), q=st.integers(1, 3))
def test_dense_shapes_and_distinct_symbols(p, hidden, q):
    net = symnet.dense(p, hidden, outputs=q)
    assert (net.p, net.hidden, net.q) == (p, tuple(hidden), q)
    sizes = [p, *hidden, q]
    assert len(net.parameters) == sum(sizes[i + 1] * (sizes[i] + 1) for i in range(len(sizes) - 1))
    assert len(set(net.parameters)) == len(net.parameters)
    assert net.inputs == tuple(S(f"x_{j}") for j in range(1, p + 1))


@given(h=st.integers(1, 4), p=st.integers(1, 4))
def test_one_hidden_layer_names_match_seed(h, p):
    """For one hidden layer every name is the blog post's: b_{k,j}, b_{k,0}, c_k, c_0."""
    net = symnet.dense(p, [h])
    for k in range(1, h + 1):
        assert net.layers[0].biases[k - 1] == S(f"b_{{{k},0}}")
        for j in range(1, p + 1):
            assert net.layers[0].weights[k - 1, j - 1] == S(f"b_{{{k},{j}}}")
        assert net.layers[1].weights[0, k - 1] == S(f"c_{k}")
    assert net.layers[1].biases[0] == S("c_0")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"inputs": 0, "hidden": [3]}, InvalidArgument, "inputs=0"),
        ({"inputs": -2, "hidden": [3]}, InvalidArgument, "inputs=-2"),
        ({"inputs": 2.5, "hidden": [3]}, InvalidType, "inputs=2.5"),
        ({"inputs": True, "hidden": [3]}, InvalidType, "inputs=True"),
        ({"inputs": 3, "hidden": [3, 0]}, InvalidArgument, r"hidden\[1\]=0"),
        ({"inputs": 3, "hidden": [3.0]}, InvalidType, r"hidden\[0\]=3.0"),
        ({"inputs": 3, "hidden": "3"}, InvalidType, "hidden='3'"),
        ({"inputs": 3, "hidden": [3], "outputs": 0}, InvalidArgument, "outputs=0"),
        ({"inputs": 3, "hidden": [3], "activation": "swish!"}, ActivationError, "unknown activation='swish!'"),
        ({"inputs": 10**4, "hidden": [10**4]}, InvalidArgument, "guard"),
    ],
)
def test_dense_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        symnet.dense(**kwargs)


def test_bulk_built_dense_equals_the_checked_constructor():
    """dense() builds its symbols in bulk without re-checking; the result equals the checked route in every way."""
    import pickle

    net = symnet.dense(2, [3, 2], outputs=2)
    again = symnet.Network.from_matrices(
        [layer.weights.tolist() for layer in net.layers], [list(layer.biases) for layer in net.layers]
    )
    assert again == net and hash(again) == hash(net) and again.parameters == net.parameters
    w = net.layers[0].weights
    assert w == sympy.ImmutableMatrix(w.tolist()) and sympy.Matrix(w.tolist()) == w
    s = w[1, 1]
    assert s == sympy.Symbol(s.name) and hash(s) == hash(sympy.Symbol(s.name)) and s.is_commutative
    assert pickle.loads(pickle.dumps(net)) == net
    assert symnet.prove(net).check()


def test_bulk_symbols_hash_as_sympy_computes_it():
    from symnet.model.plain import plain_symbols

    names = ["w", "b_{1,2}", "b^{(3)}_{4,0}", "c_0"]
    made = plain_symbols(names)
    for s, name in zip(made, names, strict=True):
        fresh = sympy.Symbol(name)
        fresh._mhash = None  # recompute from scratch, as Basic.__hash__ does
        assert hash(s) == hash(fresh) and s == fresh and {s: 1}[fresh] == 1
