"""Hypothesis profiles: ``ci`` (derandomized, bounded) is chosen when CI is set; ``quick`` for the quick loop.

They build on the profiles symnet registers for its users (``symnet-ci``,
``symnet-dev``, ``symnet-thorough``; see docs/property-testing.md), so the
repository's own tests run the way the docs tell users to run theirs.

``pytest -m "not slow"`` (the quick loop) loads ``quick`` unless a profile is asked for
(``HYPOTHESIS_PROFILE``, ``--hypothesis-profile``, or ``CI`` set): fewer examples per
property, and :func:`tests.budget.examples` cuts the tests that ask for their own count.
CI (``HYPOTHESIS_PROFILE=ci``, every test) draws the full counts.

The garbage collector is kept from rescanning what collection and each finished test file leave alive
(``gc.freeze``); see :func:`pytest_collection_finish`.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

import pytest
from hypothesis import Verbosity, settings

import symnet.strategies  # noqa: F401 -- registers the symnet-* profiles

from .budget import QUICK_EXAMPLES, QUICK_PROFILE

settings.register_profile("ci", settings.get_profile("symnet-ci"))
settings.register_profile("default", settings.get_profile("symnet-dev"), max_examples=60)
settings.register_profile(QUICK_PROFILE, settings.get_profile("symnet-dev"), max_examples=QUICK_EXAMPLES)
settings.register_profile("thorough", settings.get_profile("symnet-thorough"))
settings.register_profile(
    "debug", settings.get_profile("symnet-dev"), max_examples=10, verbosity=Verbosity.verbose
)

_default = "ci" if os.environ.get("CI") else "default"
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", _default))

#: Documentation pages whose examples take seconds (they train models); CI runs them, the quick loop does not.
SLOW_DOCS = ("docs/models.md", "docs/trained-models.md")


def pytest_configure(config: pytest.Config) -> None:
    """The quick loop (``-m "not slow"``) draws fewer examples, unless a profile was asked for."""
    asked = os.environ.get("HYPOTHESIS_PROFILE") or os.environ.get("CI") or config.getoption("hypothesis_profile", None)
    if config.getoption("markexpr", "").strip() == "not slow" and not asked:
        settings.load_profile(QUICK_PROFILE)


@pytest.hookimpl(tryfirst=True)  # before pytest deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the slow documentation pages ``slow`` (a Markdown doctest carries no marker of its own)."""
    for item in items:
        if item.nodeid.split("::")[0] in SLOW_DOCS:
            item.add_marker(pytest.mark.slow)


#: Collection imports every module and builds the items: new objects, few of them garbage. The cycle collector
#: rescanned them all 17 times (1.8 s of a quick loop's CPU); it waits for the end of collection instead.
gc.disable()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Collect once, then freeze what collection loaded (modules, sympy's caches, the items) out of the cycle
    collector's sight: the full collections the tests trigger then scan only what the tests made (in the quick
    loop they took 7.1 s of CPU, 3.4 s with the freeze). Reference counting frees objects as before."""
    gc.collect()
    gc.freeze()
    gc.enable()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> object:
    """After a test file's last test (its module fixtures torn down): collect what it left, freeze the rest.

    The collection scans only what the file made since the last freeze; what outlives it (the module, caches
    such as the verification pool) leaves the later full collections' sight, as collection's objects do.
    """
    result = yield
    if nextitem is None or nextitem.path != item.path:
        gc.collect()
        gc.freeze()
    return result


#: torch's own thread count, read the first time a test runs with torch loaded.
_torch_threads: list[int] = []


@pytest.hookimpl(tryfirst=True)  # before the test's fixtures are set up
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Run torch on one intra-op thread in tests/: their tensors are tiny, and with the cores busy two threads
    wait on each other (60 Adam steps of a small MLP: 1.5 s on two threads, 0.03 s on one)."""
    torch = sys.modules.get("torch")  # loaded by the test modules that use it; never loaded here
    if torch is not None:
        if not _torch_threads:
            _torch_threads.append(torch.get_num_threads())
        torch.set_num_threads(1)


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    """Give torch its threads back: the docs' examples print weights trained with torch's own thread count
    (summation order changes the last digits), and this conftest's hooks do not run for them."""
    torch = sys.modules.get("torch")
    if torch is not None and _torch_threads:
        torch.set_num_threads(_torch_threads[0])


@pytest.fixture
def no_products(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any product over QQ, any expansion or any search product fails the test (a refusal must come first)."""
    from symnet.kernel import linear, qq
    from symnet.search import numeric

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a product was formed or the network expanded before the check refused")

    monkeypatch.setattr(qq, "sparse_times", fail)
    monkeypatch.setattr(linear, "expand", fail)
    monkeypatch.setattr(numeric, "_times", fail)
    monkeypatch.setattr(numeric, "_factor", fail)
