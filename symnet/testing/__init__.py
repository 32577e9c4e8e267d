"""Testing toolkit: check your own forward pass against symnet's exact output.

:func:`assert_forward_matches` draws weights and inputs with Hypothesis,
hands them to your function as plain matrices, and compares what it returns
with the network's output computed exactly by symnet.  On a mismatch it
shrinks the instantiation and fails with a readable minimal counterexample.

>>> import symnet
>>> from symnet.testing import assert_forward_matches
>>> def single_node(weights, biases, x):
...     (row,), (b,) = weights[0], biases[0]
...     return [b + sum(w * v for w, v in zip(row, x))]
>>> assert_forward_matches(single_node, symnet.dense(3, []))

The cross-check behind :func:`symnet.crosscheck` lives here too
(:mod:`symnet.testing.crosscheck`).
"""

from ..model.kinks import ForwardCheck, breakpoints
from .forward import assert_forward_matches, last_forward_check

__all__ = ["ForwardCheck", "assert_forward_matches", "breakpoints", "last_forward_check"]
