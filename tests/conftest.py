"""Hypothesis profiles: ``ci`` (derandomized, bounded) is chosen when CI is set.

They build on the profiles symnet registers for its users (``symnet-ci``,
``symnet-dev``, ``symnet-thorough``; see docs/property-testing.md), so the
repository's own tests run the way the docs tell users to run theirs.
"""

import os

from hypothesis import settings

import symnet.strategies  # noqa: F401 -- registers the symnet-* profiles

settings.register_profile("ci", settings.get_profile("symnet-ci"))
settings.register_profile("default", settings.get_profile("symnet-dev"), max_examples=60)
settings.register_profile("thorough", settings.get_profile("symnet-thorough"))
settings.register_profile(
    "debug", settings.get_profile("symnet-dev"), max_examples=10, verbosity=settings.default.verbosity.verbose
)

_default = "ci" if os.environ.get("CI") else "default"
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", _default))
