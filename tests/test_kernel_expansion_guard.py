"""The direct route's size guard bounds every layer of the expansion, not only the output."""

from __future__ import annotations

import random
import time

import pytest
import sympy

import symnet
import symnet.kernel
from symnet.certificate import Certificate, Claim, Step
from symnet.errors import CertificateError
from symnet.model.network import Layer, Network, input_symbols


def test_an_output_layer_of_zeros_does_not_hide_the_hidden_layers_expansion() -> None:
    """Five squaring layers of width 8 over 8 inputs (degree 32: about 10^8 monomials per unit), then a zero output
    row: the claim W* = 0, b* = 0 is true, but expanding it would take hours; the kernel refuses up front."""
    rng = random.Random(0)
    t = sympy.Symbol("t")
    square = symnet.activation(sympy.Lambda(t, t**2))
    p = width = 8
    layers = []
    for _ in range(5):
        weights = sympy.ImmutableMatrix(width, p if not layers else width, lambda i, j: rng.randint(1, 3))
        layers.append(Layer(weights, sympy.ImmutableMatrix([1] * width), square))
    layers.append(Layer(sympy.zeros(1, width).as_immutable(), sympy.ImmutableMatrix([[0]])))
    net = Network(input_symbols(p), tuple(layers))
    zero = sympy.zeros(1, p).as_immutable()
    claim = Claim("explicit", (1, p), ("direct",), zero, sympy.ImmutableMatrix([[0]]))
    cert = Certificate(net, (Step("expand_and_compare", monomials=0),), claim)
    start = time.perf_counter()
    with pytest.raises(CertificateError, match="above the kernel's limits"):
        symnet.kernel.check(cert)
    assert time.perf_counter() - start < 2
