"""Activations by name and by Lambda, and the errors for anything else."""

import pytest
import sympy

import symnet
from symnet import ActivationError, InvalidType
from symnet.model.activations import activation

t, s, a = sympy.symbols("t s a")


@pytest.mark.parametrize(
    ("name", "value_at_minus_2"),
    [
        ("identity", -2),
        ("linear", -2),
        ("relu", 0),
        ("leaky_relu", sympy.Rational(-2, 100)),
        ("square", 4),
        ("cube", -8),
        ("tanh", sympy.tanh(-2)),
        ("sigmoid", 1 / (1 + sympy.exp(2))),
        ("softplus", sympy.log(1 + sympy.exp(-2))),
    ],
)
def test_named_activations(name, value_at_minus_2):
    assert sympy.simplify(activation(name)(sympy.Integer(-2)) - value_at_minus_2) == 0


def test_names_are_case_insensitive_and_linear_is_identity():
    assert activation("ReLU") == activation("relu")
    assert activation("linear").is_identity and activation("linear").name == "identity"


def test_lambda_activation_keeps_symbolic_coefficients():
    act = activation(sympy.Lambda(s, a * s + 1))
    assert act.parameters == (a,)
    assert act(t + 1) == a * (t + 1) + 1
    assert activation(sympy.Lambda(s, s)).is_identity


@pytest.mark.parametrize(
    ("spec", "error", "message"),
    [
        ("gelu?", ActivationError, "unknown activation"),
        (sympy.Lambda((t, s), t + s), ActivationError, "one variable"),
        (lambda v: v, InvalidType, "neither a name"),
        (t**2, InvalidType, "neither a name"),
        (3, InvalidType, "neither a name"),
    ],
)
def test_bad_activations(spec, error, message):
    with pytest.raises(error, match=message):
        activation(spec)
    with pytest.raises(error):
        symnet.dense(2, [2], activation=spec)
