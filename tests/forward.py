"""An independent forward pass in plain Python with fractions.Fraction.

Used by the tests as a second route to what a network computes; it shares no
code with symnet.
"""

from __future__ import annotations

from fractions import Fraction

# Exact Python versions of the rational-preserving named activations.
PY_ACTIVATIONS = {
    "identity": lambda t: t,
    "relu": lambda t: max(Fraction(0), t),
    "leaky_relu": lambda t: max(t / 100, t),
    "square": lambda t: t * t,
    "cube": lambda t: t * t * t,
}


def forward(weights, biases, activation, x):
    """Outputs of the network given by plain lists of Fractions at input x."""
    act = PY_ACTIVATIONS[activation]
    u = [Fraction(v) for v in x]
    for index, (w, b) in enumerate(zip(weights, biases, strict=True)):
        z = [b[k] + sum((w[k][j] * u[j] for j in range(len(u))), Fraction(0)) for k in range(len(w))]
        last = index == len(weights) - 1
        u = z if last else [act(v) for v in z]
    return u
