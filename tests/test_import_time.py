"""What ``import symnet`` and ``symnet --version`` load: no Hypothesis, no sympy, no sub-command they do not run.

Each check runs in a fresh interpreter and reads ``sys.modules``; the times
themselves are measured by ``benchmarks/bench_import.py``, not here.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / "symnet" / "cli"

#: Heavy packages that a bare ``import symnet`` must not load.
HEAVY = (
    "hypothesis", "sympy", "numpy", "flint", "symnet.strategies", "symnet.testing", "symnet.search", "symnet.model"
)


def loaded_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] in HEAVY or m.startswith(HEAVY)}


def test_import_symnet_loads_no_heavy_package():
    """``import symnet``: only the package itself (every public name is loaded on first use)."""
    assert heavy(loaded_after("import symnet")) == set()


def test_version_loads_no_sub_command():
    """``symnet --version`` builds the parser from the COMMANDS table without importing any sub-command."""
    code = "from symnet.cli import main\ntry:\n    main(['--version'])\nexcept SystemExit:\n    pass"
    modules = loaded_after(code)
    assert heavy(modules) == set()
    assert {m for m in modules if m.startswith("symnet.cli.")} == {"symnet.cli._common", "symnet.cli.main"}


def test_a_sub_command_loads_only_its_own_module(tmp_path):
    """``symnet check FILE`` imports symnet.cli.check (and what it needs), not prove, crosscheck or Hypothesis."""
    missing = tmp_path / "missing.json"
    modules = loaded_after(f"from symnet.cli import main\nmain(['check', {str(missing)!r}])")
    assert "symnet.cli.check" in modules
    assert not {"symnet.cli.prove", "symnet.cli.crosscheck", "symnet.cli.export", "hypothesis"} & modules


@pytest.mark.slow
def test_public_names_load_on_first_use():
    """``symnet.Network`` loads the model; ``symnet.strategies`` and ``symnet.crosscheck`` load Hypothesis then."""
    modules = loaded_after("import symnet\nsymnet.Network")
    assert "symnet.model.network" in modules and "hypothesis" not in modules
    modules = loaded_after("import symnet\nsymnet.crosscheck")
    assert "symnet.testing.crosscheck" in modules and "hypothesis" in modules
    modules = loaded_after("import symnet\nsymnet.strategies.networks")
    assert "hypothesis" in modules


@pytest.mark.slow
def test_hypothesis_plugin_loads_no_strategies_or_search():
    """Importing Hypothesis runs symnet's entry-point hook: it registers a resolver and loads only the model."""
    modules = loaded_after("import hypothesis")
    assert not {m for m in modules if m.startswith(("symnet.strategies", "symnet.testing", "symnet.search"))}


@pytest.mark.slow
def test_from_type_network_works_through_the_plugin():
    """The lazy resolver still answers ``st.from_type(symnet.Network)``."""
    code = (
        "from hypothesis import given, settings, strategies as st\nimport symnet\n"
        "seen = []\n@settings(max_examples=3, database=None)\n@given(st.from_type(symnet.Network))\n"
        "def t(net):\n    seen.append(net)\nt()\nassert all(isinstance(n, symnet.Network) for n in seen) and seen"
    )
    assert "symnet.strategies._networks" in loaded_after(code)


def test_star_import_and_dir_list_every_public_name():
    """``from symnet import *`` binds every name of ``__all__``; ``dir(symnet)`` lists them before first use."""
    import symnet

    assert set(symnet.__all__) <= set(dir(symnet))
    namespace: dict[str, object] = {}
    exec("from symnet import *", namespace)
    assert set(symnet.__all__) <= set(namespace)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        symnet.nope  # noqa: B018


def _imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, relative imports resolved against symnet.cli."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = "symnet.cli" if node.level == 1 else "symnet" if node.level == 2 else ""
            module = ".".join(filter(None, [base, node.module]))
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("path", sorted(p for p in CLI.glob("*.py") if p.name not in ("main.py", "__init__.py")),
                         ids=lambda p: p.name)
def test_no_sub_command_imports_the_main_module(path):
    """Sub-commands share symnet.cli._common, never symnet.cli.main (which loads them): no cycle."""
    assert "symnet.cli.main" not in _imports_of(path)
