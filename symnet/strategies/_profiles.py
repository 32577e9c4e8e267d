"""Hypothesis settings profiles for tests that use symnet's strategies.

Importing :mod:`symnet.strategies` registers three profiles (loading none of
them); pick one with ``settings.load_profile(name)`` in your ``conftest.py``
or with pytest's ``--hypothesis-profile=name``:

``symnet-dev``
    50 examples, no deadline: a quick local run.
``symnet-ci``
    40 examples, derandomized (the same examples on every run, so CI is
    reproducible), no example database, no deadline, the failing example's
    blob printed so it can be replayed with ``@reproduce_failure``, and no
    *explain* phase: after shrinking a failing network, Hypothesis's explain
    phase replays hundreds of random variants of it (several seconds for
    networks); the minimal example and the blob are what CI needs.
``symnet-thorough``
    1,000 examples, no deadline: a nightly or pre-release run.

All three switch off Hypothesis's deadline (the first draw of a network
compiles code that later draws reuse, so timings vary) and the ``too_slow``
health check (symbolic networks are costlier to draw than plain integers).
"""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, Verbosity, settings

__all__ = ["PROFILE_NAMES", "register_profiles"]

#: The names :func:`register_profiles` registers.
PROFILE_NAMES = ("symnet-dev", "symnet-ci", "symnet-thorough")


def _profiles() -> dict[str, settings]:
    # Every setting that differs between the profiles is explicit: a settings object inherits the
    # rest from whatever profile is loaded when it is built (only the example database is left so).
    slow = [HealthCheck.too_slow]
    every_phase = tuple(Phase)
    return {
        "symnet-dev": settings(
            max_examples=50, derandomize=False, print_blob=False, phases=every_phase, deadline=None,
            suppress_health_check=slow, verbosity=Verbosity.normal,
        ),
        "symnet-ci": settings(
            max_examples=40, derandomize=True, database=None, print_blob=True,
            phases=[phase for phase in Phase if phase is not Phase.explain], deadline=None,
            suppress_health_check=slow, verbosity=Verbosity.normal,
        ),
        "symnet-thorough": settings(
            max_examples=1000, derandomize=False, print_blob=False, phases=every_phase, deadline=None,
            suppress_health_check=slow, verbosity=Verbosity.normal,
        ),
    }


def register_profiles() -> None:
    """Register the ``symnet-dev``, ``symnet-ci`` and ``symnet-thorough`` Hypothesis profiles.

    Called when :mod:`symnet.strategies` is imported; calling it again
    re-registers the same settings.  No profile is loaded.

    Shrinks nothing itself: the profiles leave Hypothesis's shrinking on.
    """
    for name, profile in _profiles().items():
        settings.register_profile(name, profile)
