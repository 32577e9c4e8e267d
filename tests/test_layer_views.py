"""A layer's ``weights`` and ``biases`` are sympy matrices in every process, whatever loaded it.

The kernel reads a layer's stored matrices (python-flint); the sympy view is made on request by a module outside
the trusted base.  A process that only reads documents (``symnet.certificate.read``) never loaded that module
when it read them: the view must still be a sympy matrix of the stated numbers.
"""

from __future__ import annotations

import subprocess
import sys

import sympy

import symnet

PROBE = """
import sys
import sympy
from symnet import certificate
doc = certificate.read(sys.stdin.read())
before = "symnet.model.exact" in sys.modules
layer = doc.network.layers[0]
views = isinstance(layer.weights, sympy.MatrixBase) and isinstance(layer.biases, sympy.MatrixBase)
print(before, views, layer.weights.tolist(), layer.biases.tolist())
"""


def test_a_layer_read_in_a_process_that_only_reads_documents_shows_sympy_matrices():
    text = symnet.prove(symnet.Network.from_matrices([[[1, sympy.Rational(-2, 3)]]], [[3]])).to_json()
    out = subprocess.run([sys.executable, "-c", PROBE], input=text, capture_output=True, text=True, check=True)
    before, views, entries = out.stdout.split(" ", 2)
    assert before == "False"  # the reader did not load the views' module
    assert views == "True"
    assert entries == "[[1, -2/3]] [[3]]\n"
