"""symnet: prove with symbolic algebra what neural networks compute.

A network whose activations are linear computes one linear form in its
inputs -- a multiple linear regression.  symnet builds such networks with
symbolic weights and works with what they compute exactly.

Every public name is loaded on first use (:data:`_EXPORTS`), so ``import symnet``
loads neither sympy nor Hypothesis; ``symnet.Network`` loads the model,
``symnet.strategies`` Hypothesis.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> the module that defines it (a module itself when the name is the module's last part).
_EXPORTS: dict[str, str] = {
    "ActivationError": "symnet.errors",
    "CertificateError": "symnet.errors",
    "InvalidArgument": "symnet.errors",
    "InvalidType": "symnet.errors",
    "NotLinearError": "symnet.errors",
    "ShapeError": "symnet.errors",
    "SizeGuardError": "symnet.errors",
    "SymnetError": "symnet.errors",
    "UndecidedError": "symnet.errors",
    "UnsupportedModelError": "symnet.errors",
    "MissingDependency": "symnet.errors",
    "UnknownName": "symnet.errors",
    "NAMED_ACTIVATIONS": "symnet.model.activations",
    "Activation": "symnet.model.activations",
    "activation": "symnet.model.activations",
    "Layer": "symnet.model.network",
    "Network": "symnet.model.network",
    "dense": "symnet._api",
    "prove": "symnet._api",
    "decide": "symnet._api",
    "verify": "symnet._api",
    "Verdict": "symnet.results",
    "from_npz": "symnet.interop.npz",
    "from_onnx": "symnet.interop.onnx",
    "from_sklearn": "symnet.interop.sklearn",
    "from_torch": "symnet.interop.torch",
    "Proof": "symnet.results",
    "Bound": "symnet.results",
    "bound": "symnet.search.bound",
    "decide_property": "symnet.search.bound",
    "VnnProperty": "symnet.search.vnnlib",
    "parse_vnnlib": "symnet.search.vnnlib",
    "read_vnnlib": "symnet.search.vnnlib",
    "Degree": "symnet.results",
    "degree": "symnet.search.degree",
    "ProofNotFound": "symnet.search.engine",
    "GenericNetwork": "symnet.search.generic",
    "GenericProof": "symnet.results",
    "RankBound": "symnet.search.rank",
    "rank_bound": "symnet.search.rank",
    "Counterexample": "symnet.results",
    "refute": "symnet.search.refutation",
    "Region": "symnet.results",
    "Regions": "symnet.results",
    "regions": "symnet.search.regions",
    "CrosscheckReport": "symnet.testing.report",
    "crosscheck": "symnet.testing.crosscheck",
    "codegen": "symnet.codegen",
    "strategies": "symnet.strategies",
    "testing": "symnet.testing",
    "theorems": "symnet.theorems",
}

__all__ = [
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
    "MissingDependency",
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
    "UnknownName",
    "UnsupportedModelError",
    "Verdict",
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
    "verify",
]


def __getattr__(name: str) -> Any:
    """Load a public name on first use (PEP 562) and keep it in the module."""
    where = _EXPORTS.get(name)
    if where is None:
        raise AttributeError(f"module 'symnet' has no attribute {name!r}")
    module = importlib.import_module(where)
    value = module if where == f"symnet.{name}" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:
    from . import codegen, strategies, testing, theorems
    from ._api import decide, dense, prove, verify
    from .errors import (
        ActivationError,
        CertificateError,
        InvalidArgument,
        InvalidType,
        NotLinearError,
        ShapeError,
        SizeGuardError,
        SymnetError,
        UndecidedError,
        UnsupportedModelError,
    )
    from .interop.npz import from_npz
    from .interop.onnx import from_onnx
    from .interop.sklearn import from_sklearn
    from .interop.torch import from_torch
    from .model.activations import (
        NAMED_ACTIVATIONS,
        Activation,
        activation,
    )
    from .model.network import Layer, Network
    from .results import Bound, Counterexample, Degree, GenericProof, Proof, Region, Regions, Verdict
    from .search.bound import bound, decide_property
    from .search.degree import degree
    from .search.engine import ProofNotFound
    from .search.generic import GenericNetwork
    from .search.rank import RankBound, rank_bound
    from .search.refutation import refute
    from .search.regions import regions
    from .search.vnnlib import VnnProperty, parse_vnnlib, read_vnnlib
    from .testing.crosscheck import crosscheck
    from .testing.report import CrosscheckReport
