"""The public API of the product specification (SPEC.md) is frozen: ``symnet.__all__`` and the documented signatures.

Signatures are compared without annotations (types may be refined; names,
order, kinds and defaults may not change).  Each expected string is written
from the specification; parameters the specification does not name (the
keyword-only options a function has grown) are marked ``# beyond SPEC``, and
are frozen too so that removing or renaming one is a deliberate change.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

import symnet

#: ``symnet.__all__`` as released (sorted): SPEC sections 1-7 and the names users import.
PUBLIC = [
    "Activation",
    "ActivationError",
    "Bound",
    "CertificateError",
    "Counterexample",
    "CrosscheckReport",
    "Degree",
    "GenericNetwork",
    "GenericProof",
    "InvalidArgument",
    "InvalidType",
    "Layer",
    "MissingDependency",  # issue 22: an optional library is missing (names the extra)
    "NAMED_ACTIVATIONS",
    "Network",
    "NotLinearError",
    "Proof",
    "ProofNotFound",
    "RankBound",
    "Region",
    "Regions",
    "ShapeError",
    "SizeGuardError",
    "SymnetError",
    "UndecidedError",
    "UnknownName",  # issue 22: Network.parameter of a name the network lacks
    "UnsupportedModelError",
    "Verdict",  # issue 21
    "VnnProperty",
    "activation",
    "bound",
    "codegen",
    "crosscheck",
    "decide",
    "decide_property",
    "degree",
    "dense",
    "from_npz",
    "from_onnx",
    "from_sklearn",
    "from_torch",
    "parse_vnnlib",
    "prove",
    "rank_bound",
    "read_vnnlib",
    "refute",
    "regions",
    "strategies",
    "testing",
    "theorems",
    "verify",  # issue 21
]

#: Dotted name under ``symnet`` -> its signature without annotations.
SIGNATURES = {
    # SPEC 1: dense(inputs, hidden, outputs=1, activation="identity")
    "dense": "(inputs, hidden, outputs=1, activation='identity')",
    # SPEC 1: Network.from_matrices(weights, biases, activation="identity")
    "Network.from_matrices": "(weights, biases, activation='identity', *, inputs=None)",  # inputs: beyond SPEC
    # SPEC 2: prove(net); "an explicit request to expand is refused with the estimate"
    "prove": "(net, *, expand=None, limit=20000)",  # limit: beyond SPEC
    "refute": "(net, *, seed=0)",  # seed: beyond SPEC
    "decide": "(net, **kwargs)",  # the options of prove
    # SPEC 3: crosscheck(proof_or_net, samples=..., seed=..., claim=None); kinds: beyond SPEC
    "crosscheck": "(proof_or_net, samples=300, seed=0, claim=None, kinds=('int', 'rational', 'float'))",
    # SPEC 2 and 7: regions(net, box=[(lo, hi), ...]); bound(net, box)
    "regions": "(net, box=None, *, polytope=None, max_regions=50000, progress=None)",  # keyword-only: beyond SPEC
    "bound": "(net, box=None, *, polytope=None, max_regions=None)",  # keyword-only: beyond SPEC
    # SPEC 7: the importers
    "from_sklearn": "(model)",
    "from_torch": "(module, *, batchnorm='float', input_shape=None)",  # beyond SPEC: batchnorm, input_shape (issue 20)
    "from_onnx": "(path_or_model, *, external_data_dir=None, batchnorm='float')",  # beyond SPEC: issues 19, 20
    "from_npz": "(path)",
    # issue 21/22: VNN-LIB properties
    "read_vnnlib": "(path)",
    "parse_vnnlib": "(text)",
    "decide_property": "(net, prop, *, max_regions=None)",
    # SPEC 2 and 4: the proof object
    "Proof.to_json": "(self)",
    "Proof.from_json": "(text)",
    "Proof.check": "(self)",
    "Proof.as_expr": "(self)",
    "Proof.to_latex": "(self, *, document=False, rules=True, explicit=False, digits=6, reference=True)",
    "Proof.to_markdown": "(self, *, rules=True, explicit=False, digits=6, reference=True)",
    "Proof.to_text": "(self, *, rules=True, explicit=False, digits=6, reference=True)",
    "Bound.to_latex": "(self, *, document=False, digits=6)",
    "Bound.to_markdown": "(self, *, digits=6)",
    "Bound.to_text": "(self, *, digits=6)",
    # SPEC 7: runnable functions, exports, Coq
    "Proof.lambdify": "(self, modules=None)",
    "Proof.to_python": "(self, name='f')",
    "Proof.to_coq": "(self, *, standalone=True)",
    "Proof.to_sklearn": "(self)",
    "Proof.to_torch": "(self, dtype=None)",
    "Proof.to_onnx": "(self, dtype='float32')",
    # SPEC 4: proof.instantiate(p=5), one keyword per size symbol; GenericProof.to_coq()
    "GenericProof.instantiate": "(self, **sizes)",
    "GenericProof.from_json": "(text)",
    "GenericProof.check": "(self)",
    "GenericProof.to_coq": "(self, *, standalone=True)",
    # SPEC 2: counterexamples are checkable and survive JSON; SPEC 4: they render the same ways
    "Counterexample.check": "(self)",
    "Counterexample.from_json": "(text)",
    "Counterexample.to_json": "(self)",
    # SPEC 7: Regions.from_json(text), .to_json(), .check(); Region.contains(x)
    "Regions.from_json": "(text)",
    "Regions.to_json": "(self)",
    "Regions.check": "(self)",
    # issue 21: verification by branch and bound, with a checked certificate
    "verify": "(net, prop, *, timeout=None, workers=None, scheduler=None, progress=None)",
    "Verdict.check": "(self)",
    "Verdict.from_json": "(text)",
    "Verdict.to_json": "(self)",
    "Region.contains": "(self, x, *, strict=False)",  # strict: beyond SPEC
    # SPEC 1: a network evaluates numerically
    "Network.evaluate": "(self, x, weights=None, *, exact=True)",
    # SPEC 1: activations by name or sympy Lambda
    "activation": "(spec)",
    # SPEC 3: the testing helper
    "testing.assert_forward_matches": "(fn, net, *, kind='rational', samples=100, seed=0, convert=None)",
    # beyond SPEC (issue 22): calling symnet from sympy, and testing at the kinks
    "Network.parameter": "(self, name)",
    "GenericProof.as_matrix_expr": "(self, *, identifiers=False)",
    "testing.last_forward_check": "()",
    "testing.breakpoints": "(act)",
    "strategies.instantiations": (
        "(net, *, kind='rational', min_value=-10, max_value=10, max_denominator=10, aim=0.5)"
    ),
    "strategies.networks": "(*, weights='symbolic', architecture=None, activation=None)",
}

#: Attributes the specification names, on an object of each kind (built by :func:`_examples`).
ATTRIBUTES = {
    "network": ("inputs", "parameters", "output", "evaluate"),  # SPEC 1
    "proof": ("matrix", "offset", "steps", "check", "as_expr", "_repr_latex_"),  # SPEC 2, 4
    "counterexample": ("weights", "points", "check"),  # SPEC 2
    "report": ("agree", "samples"),  # SPEC 3
    "bound": ("maximum", "minimum", "argmax", "argmin"),  # SPEC 7
    "region": ("matrix", "offset", "contains", "interior_point"),  # SPEC 2
}


def _resolve(dotted: str) -> Any:
    obj: Any = symnet
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


def _bare(signature: inspect.Signature) -> str:
    """The signature with every annotation (and the return annotation) removed."""
    params = [p.replace(annotation=inspect.Parameter.empty) for p in signature.parameters.values()]
    return str(signature.replace(parameters=params, return_annotation=inspect.Signature.empty))


def test_all_is_frozen():
    """``symnet.__all__`` is exactly the released list, and each name resolves."""
    assert sorted(symnet.__all__) == PUBLIC
    for name in PUBLIC:
        assert getattr(symnet, name) is not None


def test_strategies_and_testing_exports_are_frozen():
    """SPEC 3: the strategies for users' own tests and the forward-pass helper."""
    assert sorted(symnet.strategies.__all__) == [
        "Architecture", "activations", "architectures", "inputs", "instantiations", "networks", "numbers",
        "register_profiles", "weights",
    ]
    assert symnet.testing.__all__ == ["ForwardCheck", "assert_forward_matches", "breakpoints", "last_forward_check"]


@pytest.mark.parametrize("dotted", sorted(SIGNATURES))
def test_documented_signature(dotted):
    """Names, order, kinds and defaults of each documented call (annotations aside)."""
    assert _bare(inspect.signature(_resolve(dotted))) == SIGNATURES[dotted]


def test_every_result_renders_and_round_trips():
    """SPEC 2, 4 and 7: proofs, generic proofs, counterexamples and regions have the documented methods."""
    methods = {
        "Proof": ("to_json", "from_json", "check", "to_latex", "to_markdown", "to_text", "lambdify", "to_python",
                  "to_coq"),
        "GenericProof": ("to_json", "from_json", "check", "to_latex", "to_markdown", "to_text", "instantiate",
                         "to_coq"),
        "Counterexample": ("to_json", "from_json", "check", "to_latex", "to_markdown", "to_text"),
        "Regions": ("to_json", "from_json", "check"),
        "Bound": ("to_json", "check", "to_latex", "to_markdown", "to_text"),  # issue 22: Bound renders too
    }
    for cls, names in methods.items():
        missing = [m for m in names if not callable(getattr(getattr(symnet, cls), m, None))]
        assert not missing, (cls, missing)


def _examples() -> dict[str, Any]:
    net = symnet.dense(2, [2])
    relu = symnet.Network.from_matrices([[[1, -1]], [[1]]], [[0], [0]], activation="relu")
    return {
        "network": net,
        "proof": symnet.prove(net),
        "counterexample": symnet.refute(symnet.dense(1, [1], activation="square")),
        "report": symnet.crosscheck(net, samples=3),
        "bound": symnet.bound(relu, [(-1, 1), (-1, 1)]),
        "region": next(iter(symnet.regions(relu, [(-1, 1), (-1, 1)]))),
    }


def test_documented_attributes():
    """The attributes SPEC.md names exist on real objects of each kind."""
    examples = _examples()
    for kind, names in ATTRIBUTES.items():
        missing = [n for n in names if not hasattr(examples[kind], n)]
        assert not missing, (kind, missing)


def test_errors_are_symnet_errors_and_builtins():
    """SPEC 6: typed errors, all SymnetError; argument errors are also ValueError / TypeError."""
    for name in PUBLIC:
        obj = getattr(symnet, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, symnet.SymnetError), name
    assert issubclass(symnet.InvalidArgument, ValueError) and issubclass(symnet.InvalidType, TypeError)
    assert symnet.ProofNotFound is symnet.UndecidedError
