"""Hypothesis plugin: registers a strategy for :class:`symnet.Network`.

Named in ``pyproject.toml`` under ``[project.entry-points.hypothesis]``, so
after ``pip install symnet`` Hypothesis calls :func:`_hypothesis_setup_hook`
when it is imported and ``st.from_type(symnet.Network)`` works without
importing symnet first.  The hook registers a resolver function, so no
strategy is built at import time.  Set ``HYPOTHESIS_NO_PLUGINS=1`` to skip
all plugins.
"""

from __future__ import annotations

from .strategies._networks import register_network_strategy


def _hypothesis_setup_hook() -> None:
    """Register :func:`symnet.strategies.networks` for ``st.from_type(symnet.Network)``."""
    register_network_strategy()
