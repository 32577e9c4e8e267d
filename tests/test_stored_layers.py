"""Numeric layers stored as python-flint matrices: what the readers build, what the kernel reads, what it refuses."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import flint
import pytest
import sympy
from sympy import QQ
from sympy.polys.matrices.sdm import SDM

import symnet
from symnet.certificate.codec import loads
from symnet.certificate.writing import dumps
from symnet.errors import CertificateError, IllFormed
from symnet.kernel import check
from symnet.kernel.gate import gate_network
from symnet.kernel.qq import network as qq_network
from symnet.model.core import Layer, NetworkData
from symnet.model.exact import qq_dense

W1 = [[Fraction(1, 2), Fraction(-3)], [Fraction(5, 7), Fraction(0)]]
B1 = [Fraction(1), Fraction(-1, 3)]
W2 = [[Fraction(2), Fraction(-1, 4)]]
B2 = [Fraction(3, 5)]


def _network() -> symnet.Network:
    return symnet.Network.from_matrices([W1, W2], [B1, B2])


def _by_hand(x1: Fraction, x2: Fraction) -> Fraction:
    """The output, by hand from the matrices above (identity activation)."""
    h = [W1[0][0] * x1 + W1[0][1] * x2 + B1[0], W1[1][0] * x1 + W1[1][1] * x2 + B1[1]]
    return W2[0][0] * h[0] + W2[0][1] * h[1] + B2[0]


def test_a_document_and_the_users_network_store_the_same_flint_matrices():
    net = _network()
    cert = symnet.prove(net).certificate
    again = loads(dumps(cert))
    for mine, read in zip(net.layers, again.network.layers, strict=True):
        assert type(read.stored_weights) is flint.fmpq_mat and type(read.stored_biases) is flint.fmpq_mat
        assert type(mine.stored_weights) is flint.fmpq_mat
        assert read.stored_weights == mine.stored_weights and read.stored_biases == mine.stored_biases
    assert again.network == net
    first = again.network.layers[0].stored_weights
    assert [[first[i, j] for j in range(2)] for i in range(2)] == [[flint.fmpq(1, 2), -3], [flint.fmpq(5, 7), 0]]
    # both are checked the same way, on the same numbers
    assert check(cert) and check(again)
    assert qq_network(net) is not None and qq_network(again.network) is not None
    read, built = gate_network(again.network), gate_network(net)
    assert read.flat_weights == built.flat_weights and read.biases == built.biases
    # the claim the kernel accepted is the hand-computed function
    W, b = symnet.Proof(again).matrix, symnet.Proof(again).offset
    for x1, x2 in [(Fraction(1), Fraction(2)), (Fraction(-3, 2), Fraction(5))]:
        value = b[0] + W[0, 0] * sympy.Rational(x1.numerator, x1.denominator)
        value += W[0, 1] * sympy.Rational(x2.numerator, x2.denominator)
        assert value == sympy.Rational(_by_hand(x1, x2).numerator, _by_hand(x1, x2).denominator)


def test_the_sympy_view_of_a_stored_layer_is_an_ordinary_sympy_matrix():
    layer = _network().layers[0]
    assert isinstance(layer.weights, sympy.ImmutableMatrix)
    assert layer.weights == sympy.ImmutableMatrix([[sympy.Rational(1, 2), -3], [sympy.Rational(5, 7), 0]])
    assert layer.biases == sympy.ImmutableMatrix([1, sympy.Rational(-1, 3)])
    assert layer.is_numeric and qq_dense(layer.stored_weights) is layer.stored_weights


def test_a_layer_of_sympy_numbers_made_by_hand_is_read_exactly_by_the_kernel():
    """A Layer built directly from sympy matrices keeps them; the kernel reads their entries one by one (a Float at
    its exact binary value) and accepts the same certificate."""
    x = sympy.symbols("x_1 x_2")
    layers = (
        Layer(sympy.ImmutableMatrix([[sympy.Rational(1, 2), -3], [sympy.Rational(5, 7), 0]]),
              sympy.ImmutableMatrix([1, sympy.Rational(-1, 3)])),
        Layer(sympy.ImmutableMatrix([[2, sympy.Float(-0.25)]]), sympy.ImmutableMatrix([sympy.Rational(3, 5)])),
    )
    by_hand = NetworkData(tuple(x), layers)
    assert isinstance(by_hand.layers[1].stored_weights, sympy.MatrixBase)
    cert = symnet.prove(_network()).certificate
    assert check(dataclasses.replace(cert, network=by_hand))
    assert qq_network(by_hand) is not None


def with_layer(net: NetworkData, index: int, **fields: object) -> NetworkData:
    """``net`` with fields of one layer changed after construction (a frozen dataclass still yields to
    object.__setattr__), bypassing every constructor."""
    old = net.layers[index]
    new = object.__new__(Layer)
    for name in ("stored_weights", "stored_biases", "activation"):
        object.__setattr__(new, name, fields.get(name, getattr(old, name)))
    hostile = object.__new__(NetworkData)
    object.__setattr__(hostile, "inputs", net.inputs)
    object.__setattr__(hostile, "layers", net.layers[:index] + (new,) + net.layers[index + 1 :])
    return hostile


def _smuggled(rows: dict, shape: tuple[int, int]) -> SDM:
    """An SDM holding ``rows`` as they are (sympy's constructor checks its input; a dict is changed afterwards)."""
    out = SDM({}, shape, QQ)
    out.update(rows)
    return out


class _Lying(flint.fmpq_mat):  # type: ignore[misc]
    """An fmpq_mat whose entries() would hide its numbers."""

    def entries(self) -> list[flint.fmpq]:
        return [flint.fmpq(0)] * (self.nrows() * self.ncols())


class _LyingSparse(SDM):
    def items(self):  # type: ignore[override]
        return iter(())


NAN = sympy.ImmutableMatrix([[sympy.nan, 1], [0, 1]])
FLOAT_INF = sympy.ImmutableMatrix([[sympy.Float("inf"), 1], [0, 1]])
TAMPERED = [
    ("wrong shape", {"stored_weights": flint.fmpq_mat(3, 2)}),
    ("wrong bias shape", {"stored_biases": flint.fmpq_mat(2, 2)}),
    ("not an fmpq", {"stored_weights": _smuggled({0: {0: 0.5}}, (2, 2))}),
    ("a python int", {"stored_weights": _smuggled({0: {0: 1}}, (2, 2))}),
    ("a sympy Rational", {"stored_weights": _smuggled({0: {0: sympy.Rational(1, 2)}}, (2, 2))}),
    ("outside its shape", {"stored_weights": _smuggled({0: {5: flint.fmpq(1)}}, (2, 2))}),
    ("a row that is no dict", {"stored_weights": _smuggled({0: [flint.fmpq(1)]}, (2, 2))}),
    ("not a matrix", {"stored_weights": [[1, 2], [3, 4]]}),
    ("a subclass of fmpq_mat", {"stored_weights": _Lying(2, 2, [1, 2, 3, 4])}),
    ("a subclass of SDM", {"stored_weights": _LyingSparse({0: {0: flint.fmpq(1)}}, (2, 2), QQ)}),
    ("NaN", {"stored_weights": NAN}),
    ("an infinite Float", {"stored_weights": FLOAT_INF}),
]


@pytest.mark.parametrize(("what", "fields"), TAMPERED, ids=[t[0] for t in TAMPERED])
def test_a_tampered_stored_matrix_is_refused(what, fields):
    net = _network()
    cert = symnet.prove(net).certificate
    hostile = with_layer(NetworkData(net.inputs, net.layers), 0, **fields)
    with pytest.raises(IllFormed):
        gate_network(hostile)
    with pytest.raises(IllFormed):
        check(dataclasses.replace(cert, network=hostile))


def test_a_frozen_layer_changed_in_place_is_read_as_changed():
    """object.__setattr__ on a layer the certificate holds: the kernel reads the stored matrix as it is now (its
    sympy view, made before, does not hide the change)."""
    net = _network()
    cert = symnet.prove(net).certificate
    layer = cert.network.layers[0]
    assert layer.weights[0, 0] == sympy.Rational(1, 2)  # the view is made (and cached) first
    changed = flint.fmpq_mat(layer.stored_weights)
    changed[0, 0] = flint.fmpq(1, 3)
    object.__setattr__(layer, "stored_weights", changed)
    with pytest.raises(CertificateError, match="entry"):
        check(cert)
    object.__setattr__(layer, "stored_weights", flint.fmpq_mat(3, 3))
    with pytest.raises(IllFormed):
        check(cert)


def test_a_sparse_stored_layer_is_read_without_densifying_and_refused_when_it_lies():
    """A convolution's layer is an SDM of fmpq; a float smuggled in is refused."""
    rows = {0: {0: flint.fmpq(2)}, 1: {1: flint.fmpq(-1, 2)}}
    sparse = SDM(rows, (2, 2), QQ)
    x = sympy.symbols("x_1 x_2")
    net = NetworkData(tuple(x), (Layer(sparse, flint.fmpq_mat(2, 1, [1, 0])),))
    layers = qq_network(net)
    assert layers is not None and layers[0][0] is sparse
    bad = _smuggled({0: {0: flint.fmpq(2)}, 1: {1: -0.5}}, (2, 2))
    with pytest.raises(IllFormed, match="not an fmpq"):
        qq_network(with_layer(net, 0, stored_weights=bad))


def test_a_float_in_a_sympy_layer_is_read_at_its_binary_value():
    """0.1 in a hand-made sympy layer is 3602879701896397/2**55 to the kernel, not 1/10: a certificate proved for
    the float's binary value checks, the same certificate against the decimal 1/10 does not."""
    x = (sympy.Symbol("x_1"),)
    cert = symnet.prove(symnet.Network.from_matrices([[[0.1]]], [[0]])).certificate  # from_matrices: binary value
    assert symnet.Proof(cert).matrix[0, 0] == sympy.Rational(3602879701896397, 2**55)
    zero = sympy.ImmutableMatrix([[0]])
    as_float = NetworkData(x, (Layer(sympy.ImmutableMatrix([[sympy.Float(0.1)]]), zero),))
    as_decimal = NetworkData(x, (Layer(sympy.ImmutableMatrix([[sympy.Rational(1, 10)]]), zero),))
    assert check(dataclasses.replace(cert, network=as_float))
    with pytest.raises(CertificateError):
        check(dataclasses.replace(cert, network=as_decimal))
