"""The folders show the architecture: the kernel is the trusted base and imports no search code."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys

import pytest

import symnet

ROOT = pathlib.Path(symnet.__file__).parent
#: What the trusted base may load of symnet: itself, the network model, the certificate codecs, errors, the cost model
#: and the names grammar.
TRUSTED = ("symnet.kernel", "symnet.model", "symnet.certificate", "symnet.errors", "symnet.cost", "symnet.names")


def modules_loaded_by(module: str) -> set[str]:
    """symnet modules loaded when importing ``symnet.<module>`` alone (the package ``__init__`` is not run)."""
    code = (
        "import importlib, sys, types\n"
        f"pkg = types.ModuleType('symnet'); pkg.__path__ = [{str(ROOT)!r}]; sys.modules['symnet'] = pkg\n"
        f"importlib.import_module('symnet.{module}')\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('symnet.'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize("module", sorted(p.stem for p in (ROOT / "kernel").glob("*.py") if p.stem != "__init__"))
def test_each_checker_loads_only_the_trusted_base(module):
    """Importing any kernel module loads kernel, model, certificate and errors modules only."""
    loaded = modules_loaded_by(f"kernel.{module}")
    assert f"symnet.kernel.{module}" in loaded
    assert {m for m in loaded if not m.startswith(TRUSTED)} == set()


def test_the_model_and_the_codecs_load_no_checker_search_or_renderer():
    """The plain data modules stand below the kernel: they never load it, nor search, render or cli."""
    for module in ("model.network", "model.builders", "certificate"):
        loaded = modules_loaded_by(module)
        assert {m for m in loaded if m.startswith(("symnet.kernel", "symnet.search", "symnet.render", "symnet.cli"))} == set()


@pytest.mark.skipif(shutil.which("lint-imports") is None, reason="import-linter is not installed")
def test_import_linter_contracts_hold():
    """The contracts in pyproject.toml (kernel independent of search, layers) are kept."""
    out = subprocess.run(["lint-imports"], cwd=ROOT.parent, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
