"""The results: what symnet proves or refutes, as thin objects over their certificates.

Each result holds its certificate (plain data), ``check()`` -- the kernel
re-verifies the certificate -- its renderings (drawn by :mod:`symnet.render`)
and its exports (:mod:`symnet.interop`, :mod:`symnet.codegen`, which take the
certificate).  The search (:mod:`symnet.search`) builds them; nothing here
searches.  ``from_json`` and ``check()`` go through :mod:`._documents`: one
reader and one kernel entry for every document.
"""

from .bound import Bound, BoundVerdict
from .counterexample import Counterexample
from .degree import Degree
from .generic import GenericProof
from .piecewise import PiecewiseProof
from .proof import Proof
from .regions import Region, Regions
from .verdict import Verdict, VerifyProgress

__all__ = [
    "Bound",
    "BoundVerdict",
    "Counterexample",
    "Degree",
    "GenericProof",
    "PiecewiseProof",
    "Proof",
    "Region",
    "Regions",
    "Verdict",
    "VerifyProgress",
]
