"""The adversarial campaign: document strategies, an independent oracle, a harness.

* :mod:`.grammar` -- a strict reader of the JSON grammar of symnet's documents
  and an exact evaluator of their expression tables (``fractions.Fraction``,
  falling back to arithmetic modulo a large prime), written without symnet's
  codec or kernel;
* :mod:`.oracle` -- decides whether a document is well-formed and whether its
  claim is true, by exact evaluation at random rational points (and sympy
  expansion at small sizes);
* :mod:`.strategies` -- Hypothesis strategies that generate whole documents,
  well-typed and ill-typed, as raw JSON text;
* :mod:`.verification_oracle`, :mod:`.verification_strategies`,
  :mod:`.verification_junk` -- verification documents (issue 21): the exact
  truth of "holds"/"violated" by exact LPs over activation patterns (pplpy)
  and a Fraction forward pass; documents symnet.verify wrote, mutated, built
  from the grammar, or junk;
* :mod:`.regions_oracle`, :mod:`.regions_cells`, :mod:`.regions_strategies` --
  regions documents (``symnet.regions``): the truth of the cover, the forms and
  the affine/bounds claims by Fraction forward passes and pplpy's exact
  polyhedra (an independent enumeration of the activation cells); documents
  symnet's search wrote, tampered, or junk;
* :mod:`.harness` -- runs symnet on a document and classifies the outcome
  against the oracle (false accepts, tracebacks, name mismatches ...).

Nothing here imports ``symnet.kernel`` or ``symnet.certificate``'s reader.
"""
