"""The folders show the architecture: the kernel is the trusted base and imports no search code."""

from __future__ import annotations

import ast
import pathlib
import shutil
import subprocess
import sys

import pytest

import symnet

ROOT = pathlib.Path(symnet.__file__).parent
#: What the trusted base may load of symnet: itself, the network model, the certificate codecs, numbers, errors,
#: the cost model and the name grammar (symnet.grammar; the printers in symnet.names are not loaded).
TRUSTED = (
    "symnet.kernel",
    "symnet.model",
    "symnet.certificate",
    "symnet.numbers",
    "symnet.errors",
    "symnet.cost",
    "symnet.grammar",
)


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
        above = ("symnet.kernel", "symnet.search", "symnet.results", "symnet.render", "symnet.cli")
        assert {m for m in loaded if m.startswith(above)} == set()


def test_the_results_load_no_search():
    """Result objects (and the old path symnet.proof) stand below the search: loading them loads no search code."""
    for module in ("results", "proof"):
        loaded = modules_loaded_by(module)
        assert "symnet.results.proof" in loaded
        assert {m for m in loaded if m.startswith(("symnet.search", "symnet.cli", "symnet.testing"))} == set()


@pytest.mark.skipif(shutil.which("lint-imports") is None, reason="import-linter is not installed")
def test_import_linter_contracts_hold():
    """The contracts in pyproject.toml (kernel independent of search, layers) are kept."""
    out = subprocess.run(["lint-imports"], cwd=ROOT.parent, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


#: Cycles another branch of issue 19 removes (cli/check.py <-> cli/main.py); the test fails when one is gone,
#: so the entry is deleted at merge, and fails on any other cycle.
def import_cycles() -> set[frozenset[str]]:
    """The strongly connected components (more than one module) of symnet's module import graph.

    The graph counts every import grimp finds, function-local ones included.
    """
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("symnet")
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in sorted(graph.modules)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[frozenset[str]] = set()
    for root in edges:
        if root in index:
            continue
        work = [(root, 0)]
        while work:  # Tarjan's algorithm, iteratively
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            children = edges[node]
            if i < len(children):
                work.append((node, i + 1))
                child = children[i]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            for child in children:
                if child in on_stack:
                    low[node] = min(low[node], low[child])
            if low[node] == index[node]:
                component = set()
                while True:
                    m = stack.pop()
                    on_stack.discard(m)
                    component.add(m)
                    if m == node:
                        break
                if len(component) > 1:
                    found.add(frozenset(component))
    return found


def test_the_cycle_finder_finds_a_cycle(tmp_path, monkeypatch):
    """The finder itself: a two-module package importing itself round is one cycle."""
    pkg = tmp_path / "cyclic_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from . import b\n")
    (pkg / "b.py").write_text("def f():\n    from . import a\n")
    (pkg / "c.py").write_text("from . import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    grimp = pytest.importorskip("grimp")
    real = grimp.build_graph
    monkeypatch.setattr(grimp, "build_graph", lambda name: real("cyclic_pkg"))
    assert import_cycles() == {frozenset({"cyclic_pkg.a", "cyclic_pkg.b"})}


def test_no_import_cycles_among_symnet_modules():
    """No module imports itself round through others, not even inside a function."""
    cycles = import_cycles()
    assert cycles == set(), sorted(sorted(c) for c in cycles)


def _exception_classes(path: pathlib.Path) -> list[str]:
    """Public classes in ``path`` that derive from an exception class (by the names of their bases)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            bases = [
                b.id if isinstance(b, ast.Name) else b.attr if isinstance(b, ast.Attribute) else "" for b in node.bases
            ]
            if any(b.endswith(("Error", "Exception", "Warning")) or b == "IllFormed" for b in bases):
                found.append(node.name)
    return found


def test_every_public_exception_lives_in_errors():
    """symnet.errors defines every exception symnet raises on purpose; other modules only import them."""
    assert "CertificateError" in _exception_classes(ROOT / "errors.py")
    elsewhere = {
        str(path.relative_to(ROOT)): names
        for path in sorted(ROOT.rglob("*.py"))
        if path.name != "errors.py" and (names := _exception_classes(path))
    }
    assert elsewhere == {}
