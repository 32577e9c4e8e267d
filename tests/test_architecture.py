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


#: One interpreter answers every module: it loads the heavy third-party libraries once (they load no symnet
#: module, so the answers are the same), then forks a fresh child per module that imports it with the package
#: ``__init__`` left out and reports the symnet modules it loaded.
_PROBE = """
import importlib, os, sys, traceback, types
import dataclasses, difflib, hashlib, json, flint, numpy, sympy  # noqa: F401 -- shared by the children; none of
import sympy.assumptions.wrapper, sympy.codegen, sympy.combinatorics, sympy.printing.c  # noqa: F401 -- them loads
import sympy.sets.setexpr, sympy.tensor.tensor  # noqa: F401 -- symnet (the sympy parts the kernel modules load)
root, modules = sys.argv[1], sys.argv[2:]
for module in modules:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            pkg = types.ModuleType('symnet'); pkg.__path__ = [root]; sys.modules['symnet'] = pkg
            importlib.import_module('symnet.' + module)
            os.write(write, ' '.join(sorted(m for m in sys.modules if m.startswith('symnet.'))).encode())
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        loaded = pipe.read()
    if os.waitpid(pid, 0)[1] != 0:
        sys.exit(f'importing symnet.{module} failed')
    print(module, loaded)
"""

_loaded: dict[str, set[str]] = {}


def _kernel_modules() -> list[str]:
    return sorted(f"kernel.{p.stem}" for p in (ROOT / "kernel").glob("*.py") if p.stem != "__init__")


def modules_loaded_by(module: str) -> set[str]:
    """symnet modules loaded when importing ``symnet.<module>`` alone (the package ``__init__`` is not run)."""
    if not _loaded:
        asked = ["kernel", *_kernel_modules(), "model.network", "model.builders", "certificate", "results", "proof"]
        out = subprocess.run([sys.executable, "-c", _PROBE, str(ROOT), *asked], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        for line in out.stdout.splitlines():
            name, *loaded = line.split()
            _loaded[name] = set(loaded)
        assert sorted(_loaded) == sorted(asked), out.stdout
    if module not in _loaded:  # a module outside the list: a fresh interpreter of its own
        out = subprocess.run([sys.executable, "-c", _PROBE, str(ROOT), module], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        return set(out.stdout.split()[1:])
    return _loaded[module]


@pytest.mark.parametrize("module", [m.removeprefix("kernel.") for m in _kernel_modules()])
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
