"""A hostile caller's stored layers (review6): objects built in Python past every constructor, each refused with a
typed error or read as what it is.  Expected values are derived by hand in the comments."""

from __future__ import annotations

import dataclasses

import flint
import pytest
import sympy
from sympy import QQ
from sympy.polys.matrices.sdm import SDM

import symnet
from symnet.errors import CertificateError, IllFormed
from symnet.kernel import check, qq
from symnet.kernel.gate import MAX_SPARSE_READ, gate_network
from symnet.kernel.qq import network as qq_network
from symnet.kernel.regions_cert import forward, network_pieces
from symnet.model.core import Layer, NetworkData
from tests.test_stored_layers import with_layer  # one way to build a layer past every constructor

X = sympy.symbols("x_1 x_2")
ONE = flint.fmpq(1)


def _numeric() -> symnet.Network:
    """y = [1, -1] ([[1, 2], [3, 4]] x + [0, 1]) + 2 = -2 x_1 - 2 x_2 + 1 (by hand)."""
    return symnet.Network.from_matrices([[[1, 2], [3, 4]], [[1, -1]]], [[0, 1], [2]])


def _sdm(rows: dict, shape: object) -> SDM:
    """An SDM holding ``rows`` with ``shape`` set as it is afterwards (SDM's shape is a plain attribute)."""
    out = SDM({}, (2, 2), QQ)
    out.update(rows)
    out.shape = shape
    return out


BAD_SHAPES = [None, 5, (2,), (2, 2, 1), [2, 2], (2.0, 2), (True, 2), ("2", 2)]


@pytest.mark.parametrize("shape", BAD_SHAPES, ids=[repr(s) for s in BAD_SHAPES])
def test_a_sparse_layer_whose_shape_is_no_pair_of_ints_is_refused(shape):
    """TypeError / ValueError escaped the gate (in check_structure's shape_of) for None, 5, (2,) and (2, 2, 1)."""
    net = _numeric()
    cert = symnet.prove(net).certificate
    hostile = with_layer(NetworkData(net.inputs, net.layers), 0, stored_weights=_sdm({0: {0: ONE}}, shape))
    with pytest.raises(IllFormed):
        gate_network(hostile)
    with pytest.raises(IllFormed):
        qq_network(hostile)
    with pytest.raises(IllFormed):
        check(dataclasses.replace(cert, network=hostile))


@pytest.mark.parametrize("shape", [None, 5, (1,)])
@pytest.mark.parametrize("numeric", [True, False])
def test_a_stated_sdm_without_a_shape_is_refused(shape, numeric):
    """A claim's W* or a step's matrix as an SDM with no shape: CertificateError (TypeError before, on both the
    numeric and the symbolic network)."""
    net = _numeric() if numeric else symnet.dense(2, [2], 1, activation="identity")
    cert = symnet.prove(net).certificate
    bad = _sdm({0: {0: ONE}}, shape)
    with pytest.raises(CertificateError):
        check(dataclasses.replace(cert, claim=dataclasses.replace(cert.claim, matrix=bad)))
    steps = list(cert.steps)
    steps[0] = dataclasses.replace(steps[0], matrix=bad)
    with pytest.raises(CertificateError):
        check(dataclasses.replace(cert, steps=tuple(steps)))


def test_a_layer_with_no_unit_is_read_by_the_region_reader():
    """A hidden layer of width 0 (fmpq_mat(0, 2)) made network_pieces divide by zero; the network is the constant 3
    (the output layer sees no input, its bias is 3)."""
    relu = symnet.Network.from_matrices([[[1, 1]], [[1]]], [[0], [0]], activation="relu").layers[0].activation
    net = NetworkData(
        X,
        (
            Layer(flint.fmpq_mat(0, 2), flint.fmpq_mat(0, 1), relu),
            Layer(flint.fmpq_mat(1, 0), flint.fmpq_mat(1, 1, [3])),
        ),
    )
    layers = network_pieces(net)
    for point in ([flint.fmpq(0), flint.fmpq(0)], [flint.fmpq(-7, 2), flint.fmpq(5)]):
        assert forward(layers, point) == [3]


def test_exact_claims_stated_as_flint_matrices():
    """The numeric network's function by hand: W* = [-2, -2], b* = 1.  A claim stated as fmpq_mat or SDM is
    accepted when true and refused when one entry differs; an fmpq_mat claim on a symbolic network is refused."""
    cert = symnet.prove(_numeric()).certificate

    def claiming(W: object, b: object) -> object:
        return dataclasses.replace(cert, claim=dataclasses.replace(cert.claim, matrix=W, offset=b))

    assert check(claiming(flint.fmpq_mat(1, 2, [-2, -2]), flint.fmpq_mat(1, 1, [1])))
    assert check(claiming(SDM({0: {0: flint.fmpq(-2), 1: flint.fmpq(-2)}}, (1, 2), QQ), SDM({0: {0: ONE}}, (1, 1), QQ)))
    with pytest.raises(CertificateError, match="entry"):
        check(claiming(flint.fmpq_mat(1, 2, [-2, -2]), flint.fmpq_mat(1, 1, [2])))
    with pytest.raises(CertificateError, match="entry"):
        check(claiming(SDM({0: {0: flint.fmpq(-2)}}, (1, 2), QQ), SDM({0: {0: ONE}}, (1, 1), QQ)))
    symbolic = symnet.prove(symnet.dense(2, [2], 1, activation="identity")).certificate
    numbers = dataclasses.replace(
        symbolic,
        claim=dataclasses.replace(symbolic.claim, matrix=flint.fmpq_mat(1, 2, [1, 2]), offset=flint.fmpq_mat(1, 1)),
    )
    with pytest.raises(CertificateError):
        check(numbers)


def test_a_mixed_layer_of_flint_weights_and_symbolic_biases():
    """W = [1, 2] stored as fmpq_mat, b = [c] symbolic: y = x_1 + 2 x_2 + c (by hand); the same certificate against
    W = [1, 3] is refused."""
    c = sympy.Symbol("c")
    net = symnet.Network(X, (Layer(sympy.ImmutableMatrix([[1, 2]]), sympy.ImmutableMatrix([c])),))
    cert = symnet.prove(net).certificate
    assert cert.claim.matrix == sympy.ImmutableMatrix([[1, 2]]) and cert.claim.offset == sympy.ImmutableMatrix([c])
    mixed = NetworkData(X, (Layer(flint.fmpq_mat(1, 2, [1, 2]), sympy.ImmutableMatrix([c])),))
    assert qq_network(mixed) is None  # the symbolic bias sends it to the gate's general path
    assert check(dataclasses.replace(cert, network=mixed))
    wrong = NetworkData(X, (Layer(flint.fmpq_mat(1, 2, [1, 3]), sympy.ImmutableMatrix([c])),))
    with pytest.raises(CertificateError, match="entry"):
        check(dataclasses.replace(cert, network=wrong))


SPARSE = [
    ("a bool row", {True: {0: ONE}}),
    ("a bool column", {0: {False: ONE}}),
    ("a negative row", {-1: {0: ONE}}),
    ("a negative column", {0: {-2: ONE}}),
    ("a column past the shape", {1: {2: ONE}}),
    ("an int subclass", {0: {0: True}}),
    ("a float key", {0.0: {0: ONE}}),
]


@pytest.mark.parametrize(("what", "rows"), SPARSE, ids=[s[0] for s in SPARSE])
def test_a_sparse_layer_with_hostile_keys_is_refused(what, rows):
    net = _numeric()
    hostile = with_layer(NetworkData(net.inputs, net.layers), 0, stored_weights=_sdm(rows, (2, 2)))
    with pytest.raises(IllFormed):
        gate_network(hostile)
    with pytest.raises(IllFormed):
        qq_network(hostile)


def test_the_gate_sees_the_bits_of_numbers_stored_in_flint_matrices():
    """30 layers 1x1 of weight and bias 3**100000 + 1 (158,497 bits each): the products reach ~4.75 million bits,
    above the kernel's 4,000,000; the gate refuses, as it does the same numbers in a sparse layer."""
    big = flint.fmpq(3**100000 + 1)
    dense_net = NetworkData(
        X[:1], tuple(Layer(flint.fmpq_mat(1, 1, [big]), flint.fmpq_mat(1, 1, [big])) for _ in range(30))
    )
    with pytest.raises(IllFormed, match="bits"):
        gate_network(dense_net)
    sparse = SDM({0: {0: big}}, (1, 1), QQ)
    sparse_net = NetworkData(X[:1], tuple(Layer(sparse, sparse) for _ in range(30)))
    with pytest.raises(IllFormed, match="bits"):
        gate_network(sparse_net)


def test_a_sparse_layer_past_the_gates_read_limit():
    """A (1001, 1000) sparse layer holds more than MAX_SPARSE_READ entries: the gate refuses to densify it; the
    numeric route reads it sparse and checks its one stored entry (y_1 = 5 x_1 by hand)."""
    assert 1001 * 1000 > MAX_SPARSE_READ
    inputs = tuple(sympy.symbols("x_1:1001"))
    W = SDM({0: {0: flint.fmpq(5)}}, (1001, 1000), QQ)
    net = NetworkData(inputs, (Layer(W, SDM({}, (1001, 1), QQ)),))
    with pytest.raises(IllFormed, match="sparse"):
        gate_network(net)
    ((read, bias, _),) = qq_network(net)
    assert read is W and dict(read) == {0: {0: 5}} and dict(bias) == {}


def test_the_explicit_products_numbers_are_bounded_on_the_numeric_route():
    """40 layers 1x1, weight and bias B = 3**100000 + 1, explicit claim in flint matrices, layer-wise route only:
    the numeric route multiplied the factors to W* = B**40 (6.3 million bits, past the kernel's 4,000,000 a number;
    at depth 200: 31.7 million bits, 10.8 s), past the gate's bound, which this route never met.  By hand: W* = B**40,
    b* = B + ... + B**40."""
    depth, big = 40, flint.fmpz(3) ** 100000 + 1
    small = symnet.prove(symnet.Network.from_matrices([[[1]]] * depth, [[1]] * depth)).certificate
    net = NetworkData(
        X[:1], tuple(Layer(flint.fmpq_mat(1, 1, [big]), flint.fmpq_mat(1, 1, [big])) for _ in range(depth))
    )
    steps = []
    for s in small.steps:
        if s.rule == "read_output_layer":
            steps.append(dataclasses.replace(s, matrix=flint.fmpq_mat(1, 2, [big, big])))
        elif s.rule == "substitute_layer":
            steps.append(dataclasses.replace(s, matrix=flint.fmpq_mat(2, 2, [1, 0, big, big])))
        elif s.rule != "expand_and_compare":
            steps.append(s)
    W, b = flint.fmpq_mat(1, 1, [big**depth]), flint.fmpq_mat(1, 1, [sum(big**k for k in range(1, depth + 1))])
    claim = dataclasses.replace(small.claim, routes=("layerwise",), matrix=W, offset=b)
    with pytest.raises(IllFormed, match="bits|estimated work"):  # the work budget (1.2e11) refuses it first now
        check(dataclasses.replace(small, network=net, steps=tuple(steps), claim=claim))
    over = flint.fmpq_mat(1, 1, [flint.fmpz(3) ** 2_600_000])  # 4.1 million bits: the product's own bound
    with pytest.raises(IllFormed, match="bits"):
        qq.sparse_times(over, flint.fmpq_mat(1, 1, [1]))


@pytest.mark.parametrize("attribute", ["items", "get", "keys", "values", "__len__"])
def test_a_sparse_layer_that_shadows_its_own_methods_is_refused(attribute):
    """An SDM has a __dict__, so a caller can shadow a dict method on one instance: the gate (which reads ``items``)
    and the exact product (which reads ``get``) could then read different matrices.  The stored matrix
    [[1, 2], [3, 4]] shows [[1, 2], [0, 0]] through a shadowed ``items``; refused as ill-formed, whatever it
    shadows, before any checker reads it (review7 noticed the shadowing; the gate read such an object before)."""
    net = _numeric()
    cert = symnet.prove(net).certificate
    stored = _sdm({0: {0: ONE, 1: flint.fmpq(2)}, 1: {0: flint.fmpq(3), 1: flint.fmpq(4)}}, (2, 2))
    setattr(stored, attribute, lambda *a: dict.items({0: {0: ONE, 1: flint.fmpq(2)}}))
    hostile = with_layer(NetworkData(net.inputs, net.layers), 0, stored_weights=stored)
    with pytest.raises(IllFormed, match="attributes"):
        gate_network(hostile)
    with pytest.raises(IllFormed):
        check(dataclasses.replace(cert, network=hostile))
