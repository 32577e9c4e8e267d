"""symnet: prove with symbolic algebra what neural networks compute.

A network whose activations are linear computes one linear form in its
inputs -- a multiple linear regression.  symnet builds such networks with
symbolic weights and works with what they compute exactly.
"""

from .activations import NAMED_ACTIVATIONS, Activation, activation
from .builders import dense
from .errors import (
    ActivationError,
    CertificateError,
    InvalidArgument,
    InvalidType,
    NotLinearError,
    ShapeError,
    SizeGuardError,
    SymnetError,
)
from .network import Layer, Network
from .proof import Proof
from .engine import ProofNotFound, decide, prove
from .crosscheck import CrosscheckReport, crosscheck
from .generic import GenericNetwork, GenericProof
from .rank import RankBound, rank_bound
from .refutation import Counterexample, UndecidedError, refute
from .degree import Degree, degree
from .regions import Region, Regions, regions
from . import theorems
from . import strategies, testing

__version__ = "0.1.0"

__all__ = [
    "NAMED_ACTIVATIONS",
    "Activation",
    "ActivationError",
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
    "activation",
    "crosscheck",
    "decide",
    "degree",
    "dense",
    "prove",
    "rank_bound",
    "refute",
    "regions",
    "theorems",
    "strategies",
    "testing",
]
