"""Export symnet certificates to Coq, so that Coq's kernel re-checks them.

``proof.to_coq()`` (:func:`proof_to_coq` of the proof's certificate) writes a ``.v`` file
that states the network's collapse identity in terms a reader recognises --
the layers as matrices, the claimed W* and b* -- and proves it layer by layer,
following the certificate's own steps: one lemma for ``read_output_layer``,
one per ``substitute_layer``, then ``conclude_linear_form``, which
instantiates the general theorem ``collapse`` of the shipped library
``SymnetLinear.v`` (any depth, any widths, by induction on the depth).  There
is never one flat ``ring`` over the whole expansion: each lemma compares the
entries of one stated matrix (``ring`` on small entries, or one boolean
computation for numeric networks, whose entries are exact rationals).

``GenericProof.to_coq()`` (:func:`generic_to_coq`) states the collapse of a
network of symbolic size for all sizes, with the rules of
``SymnetGeneric.v``; ``Counterexample.to_coq()`` (:func:`counterexample_to_coq`)
states the two points, the exact defect and that no affine map fits.

Every function takes certificate data -- a :class:`~symnet.certificate.Certificate`,
a :class:`~symnet.model.generic.GenericCertificate`, or a counterexample's
network, weights, points, output, values and enclosure -- and exports only
what symnet's kernel accepts: each re-checks its data with the kernel first.
Symbol names are mapped to Coq identifiers injectively
(:func:`coq_identifiers`), comments are escaped (:func:`symnet.names.coq_comment`),
and nothing here imports the result or search layers.

The statement is built first as a small intermediate representation
(:class:`Term`, :class:`LinearStatement`), which a Lean printer could also
emit (``Matrix.mulVec`` and ``AffineMap.comp`` in mathlib); this module holds
the Coq printer.  The package holds ``_base`` (libraries, terms,
identifiers, the term printer), ``_linear``, ``_generic`` and
``_counterexample``, and the shipped libraries ``SymnetLinear.v`` and
``SymnetGeneric.v``.

>>> import symnet
>>> text = symnet.prove(symnet.dense(1, [1])).to_coq()
>>> "Theorem net_collapse" in text
True

This module imports sympy and symnet's data modules only; nothing heavy at
import time.
"""

from __future__ import annotations

from ._base import (
    LIBRARIES,
    MAX_TERM_NODES,
    CoqExportError,
    Term,
    coq_identifiers,
    library_path,
    library_text,
    to_term,
)
from ._counterexample import counterexample_to_coq
from ._generic import generic_to_coq
from ._linear import LinearStatement, linear_statement, proof_to_coq

__all__ = [
    "LIBRARIES",
    "MAX_TERM_NODES",
    "CoqExportError",
    "LinearStatement",
    "Term",
    "coq_identifiers",
    "counterexample_to_coq",
    "generic_to_coq",
    "library_path",
    "library_text",
    "linear_statement",
    "proof_to_coq",
    "to_term",
]
