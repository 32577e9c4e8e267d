"""The readers build the kernel's network form (NetworkData); users get the same data as a symnet.Network.

Expected values are derived by hand (a 2 -> 1 -> 1 network, a float's binary value from ``Fraction``).
"""

from __future__ import annotations

import json
import pickle
from fractions import Fraction

import pytest
import sympy

import symnet
from symnet import certificate, kernel
from symnet.errors import CertificateError
from symnet.model.core import NetworkData
from symnet.model.exact import qq_dense
from symnet.model.network import Network, as_network


def _net() -> Network:
    return Network.from_matrices([[[1, -2], ["w", 1]], [[3, "v"]]], [[1, 0], [0]], activation="identity")


def _proof_json(net: Network) -> str:
    return symnet.prove(net).to_json()


def test_the_reader_builds_the_kernel_form_equal_to_the_users_network():
    net = _net()
    doc = certificate.read(_proof_json(net))
    assert type(doc.network) is NetworkData  # not the user-facing class: the kernel never loads it
    assert doc.network == net and net == doc.network
    assert hash(doc.network) == hash(net)
    assert kernel.check(doc)


def test_results_hand_users_a_network_they_can_evaluate():
    proof = symnet.Proof.from_json(_proof_json(_net()))
    net = proof.network
    assert isinstance(net, Network)
    # by hand, w = 5, v = -1: z = (x_1 - 2 x_2 + 1, 5 x_1 + x_2), output 3 z_1 - z_2
    assert net.evaluate([2, 1], {"w": 5, "v": -1}) == (3 * 1 - 11,)
    assert net.evaluate([0, 1], {"w": 5, "v": -1}) == (3 * -1 - 1,)


def test_as_network_shares_the_data_and_keeps_a_network():
    data = certificate.read(_proof_json(_net())).network
    view = as_network(data)
    assert isinstance(view, Network) and view.layers is data.layers and view.inputs is data.inputs
    assert as_network(view) is view
    with pytest.raises(symnet.InvalidType):
        as_network("not a network")  # type: ignore[arg-type]


def test_a_float_weight_is_read_at_its_binary_value_over_qq():
    net = Network.from_matrices([[[0.1, 2]]], [[0.5]])
    data = json.loads(_proof_json(net))
    man, exp = Fraction(0.1).numerator, -Fraction(0.1).denominator.bit_length() + 1  # 0.1 = man * 2**exp
    data["expressions"].append(["float", 0, str(man), exp, man.bit_length(), 53])  # a float node, not a rat
    data["network"]["layers"][0]["weights"][0][0] = len(data["expressions"]) - 1
    doc = certificate.read(json.dumps(data))
    layer = doc.network.layers[0]
    assert layer.is_numeric and qq_dense(layer.stored_weights) is not None
    assert Fraction(int(layer.weights[0, 0].p), int(layer.weights[0, 0].q)) == Fraction(0.1)
    assert layer.biases[0, 0] == sympy.Rational(1, 2)
    assert doc.network == net


def test_a_complex_weight_in_a_document_is_refused_by_the_gate_and_the_results():
    net = Network.from_matrices([[["w", 2]]], [[0]])
    data = json.loads(_proof_json(net))
    nodes = data["expressions"]
    minus_one, half = len(nodes), len(nodes) + 1
    nodes += [["int", "-1"], ["rat", "1", "2"], ["pow", minus_one, half]]  # (-1)**(1/2) = I
    data["network"]["layers"][0]["weights"][0][1] = len(nodes) - 1
    doc = certificate.read(json.dumps(data))  # the reader builds the data; the kernel's gate judges the entries
    with pytest.raises(CertificateError, match=r"weight \(1, 2\): I is not a real number"):
        kernel.check(doc)
    with pytest.raises(CertificateError, match="not a real number"):
        symnet.Proof.from_json(json.dumps(data))  # the user-facing view checks it as a Network does


def test_both_forms_pickle():
    net = _net()
    data = certificate.read(_proof_json(net)).network
    for obj in (net, data):
        back = pickle.loads(pickle.dumps(obj))
        assert type(back) is type(obj) and back == net
    assert pickle.loads(pickle.dumps(net)).evaluate([2, 1], {"w": 5, "v": -1}) == (-8,)


def test_the_kernel_form_checks_structure_at_construction():
    layer = Network.from_matrices([[[1, -2]], [[3]]], [[1], [0]], activation="relu").layers[0]
    with pytest.raises(symnet.ShapeError):
        NetworkData((sympy.Symbol("x_1"),), (layer,))  # the layer takes two inputs
    with pytest.raises(symnet.InvalidArgument):
        NetworkData(tuple(sympy.symbols("x_1 x_2")), (layer,))  # the output layer is a relu
    with pytest.raises(symnet.InvalidType):
        NetworkData(tuple(sympy.symbols("x_1 x_2")), ("a layer",))  # type: ignore[arg-type]


def test_an_input_inside_a_weight_is_refused_by_the_gate_and_the_results():
    net = Network.from_matrices([[["w", 2]]], [[0]])
    data = json.loads(_proof_json(net))
    data["expressions"].append(["sym", "x_1"])  # the input x_1 as the weight (1, 2)
    data["network"]["layers"][0]["weights"][0][1] = len(data["expressions"]) - 1
    doc = certificate.read(json.dumps(data))
    with pytest.raises(CertificateError, match="x_1"):
        kernel.check(doc)
    with pytest.raises(CertificateError, match="used both as inputs and as weights"):
        symnet.Proof.from_json(json.dumps(data))


def test_the_kernels_data_classes_display_once_display_is_loaded():
    """Activation, Layer and GenericNetwork import no display code; model.display gives them the hooks."""
    from symnet.model import core, display, generic

    for cls in (core.Activation, core.Layer, generic.GenericNetwork):
        assert "display" not in " ".join(getattr(base, "__module__", "") for base in cls.__mro__)
        assert issubclass(cls, display.Displayable) and cls.__dict__["_repr_latex_"] is display.Displayable._repr_latex_
    relu = symnet.activation("relu")
    assert sympy.latex(relu) == r"\operatorname{relu}\colon t \mapsto \max\left(0, t\right)"  # the renderer's drawer


@pytest.mark.parametrize(
    "field, value",
    [
        ("weights", "flat"),  # a list of REFs is a vector, not a matrix
        ("biases", "nested"),  # a list of rows is a matrix, not a vector
        ("weights", "ragged"),
        ("biases", "empty"),
    ],
)
def test_the_layer_sections_keep_their_shapes(field, value):
    net = Network.from_matrices([[[1, 2]]], [[3]])  # one layer: weights [[a, b]], biases [c]
    data = json.loads(_proof_json(net))
    layer = data["network"]["layers"][0]
    (a, b), (c,) = layer["weights"][0], layer["biases"]
    layer[field] = {"flat": [a, b], "nested": [[c]], "ragged": [[a, b], [c]], "empty": []}[value]
    with pytest.raises(CertificateError, match=f"{field} must be"):
        certificate.read(json.dumps(data))
