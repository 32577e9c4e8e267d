"""The trusted base: every checker of every document symnet writes.

Each checker re-derives what a certificate states from the network's own
layers and accepts it only if everything agrees.  This package imports the
plain data modules (:mod:`symnet.model`, :mod:`symnet.certificate`,
:mod:`symnet.errors`) and sympy / python-flint only -- never the search code
(:mod:`symnet.search`), the renderers or the command line; import-linter
enforces that in CI.
"""

from .linear import KERNEL_LIMIT, check

__all__ = ["KERNEL_LIMIT", "check"]
