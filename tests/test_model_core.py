"""model.core.check_structure: the inputs' names identify them (one rule, applied by NetworkData, the gate and qq)."""

import pytest
import sympy

from symnet.errors import InvalidArgument
from symnet.model.core import Layer, NetworkData


def _layer() -> Layer:
    return Layer(sympy.ImmutableMatrix([[1, 2]]), sympy.ImmutableMatrix([[0]]))


@pytest.mark.parametrize(
    "inputs",
    [
        (sympy.Symbol("x_1"), sympy.Symbol("x_1")),
        (sympy.Symbol("x_1"), sympy.Symbol("x_1", positive=True)),  # two different symbols, one name
    ],
)
def test_inputs_sharing_a_name_are_refused_when_the_network_is_made(inputs: tuple[sympy.Symbol, ...]) -> None:
    with pytest.raises(InvalidArgument, match="distinct names"):
        NetworkData(inputs, (_layer(),))


def test_inputs_with_distinct_names_are_accepted() -> None:
    x, y = sympy.symbols("x_1 x_2")
    assert NetworkData((x, y), (_layer(),)).inputs == (x, y)
