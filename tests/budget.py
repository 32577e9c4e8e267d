"""How many examples a Hypothesis test draws: its full count, or a quarter of it in the quick loop."""

from __future__ import annotations

from hypothesis import settings

#: The profile tests/conftest.py loads for ``pytest -m "not slow"``, and its examples per property
#: (the ``ci`` profile, which CI runs with every test, draws 40; the local default 60).
QUICK_PROFILE = "quick"
QUICK_EXAMPLES = 15


def examples(full: int) -> int:
    """``full``, except under the quick profile: a quarter of it, at least 10 (never more than ``full``).

    Read when the test's ``@settings`` is built (at import, after conftest has chosen the profile).
    """
    if settings.get_current_profile_name() == QUICK_PROFILE:
        return min(full, max(10, full // 4))
    return full
