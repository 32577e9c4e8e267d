"""symnet: prove with symbolic algebra what neural networks compute.

A network whose activations are linear computes one linear form in its
inputs -- a multiple linear regression.  symnet builds such networks with
symbolic weights and works with what they compute exactly.
"""

from . import codegen, strategies, testing, theorems
from ._api import decide, dense, prove
from .errors import (
    ActivationError,
    CertificateError,
    InvalidArgument,
    InvalidType,
    NotLinearError,
    ShapeError,
    SizeGuardError,
    SymnetError,
    UnsupportedModelError,
)
from .model.activations import NAMED_ACTIVATIONS, Activation, activation
from .model.network import Layer, Network
from .interop.npz import from_npz
from .interop.onnx import from_onnx
from .interop.sklearn import from_sklearn
from .interop.torch import from_torch
from .results import Bound, Counterexample, Degree, GenericProof, Proof, Region, Regions
from .search.bound import bound
from .search.degree import degree
from .search.engine import ProofNotFound
from .search.generic import GenericNetwork
from .search.rank import RankBound, rank_bound
from .search.refutation import UndecidedError, refute
from .search.regions import regions
from .testing.crosscheck import CrosscheckReport, crosscheck

__version__ = "0.1.0"

__all__ = [
    "NAMED_ACTIVATIONS",
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
    "UnsupportedModelError",
    "activation",
    "codegen",
    "bound",
    "crosscheck",
    "decide",
    "degree",
    "dense",
    "from_npz",
    "from_onnx",
    "from_sklearn",
    "from_torch",
    "prove",
    "rank_bound",
    "refute",
    "regions",
    "theorems",
    "strategies",
    "testing",
]
