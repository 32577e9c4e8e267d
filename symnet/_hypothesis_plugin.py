"""Hypothesis plugin: registers a strategy for :class:`symnet.Network`.

Named in ``pyproject.toml`` under ``[project.entry-points.hypothesis]``, so
after ``pip install symnet`` Hypothesis calls :func:`_hypothesis_setup_hook`
when it is imported and ``st.from_type(symnet.Network)`` works without
importing symnet first.  The hook registers a resolver function, so no
strategy is built at import time, and the resolver reaches the strategies
module only when Hypothesis first asks for a network: Hypothesis runs this
hook while it is still being imported, possibly from inside
``import symnet.strategies``.  The hook loads only the network model (not the
strategies, the testing kit or the search; tests/test_import_time.py checks
it).  Set ``HYPOTHESIS_NO_PLUGINS=1`` to skip all plugins.
"""

from __future__ import annotations

from typing import Any

from .model.network import Network


def _resolve(thing: type) -> Any:
    from .strategies import _networks

    return _networks._from_type(thing)


def _hypothesis_setup_hook() -> None:
    """Register :func:`symnet.strategies.networks` for ``st.from_type(symnet.Network)``."""
    from hypothesis import strategies as st

    st.register_type_strategy(Network, _resolve)
