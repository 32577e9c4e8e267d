"""The documentation builds cleanly: ``sphinx-build -W`` (warnings are errors), math offline.

The ``>>>`` examples in docs/*.md are run by pytest itself (``--doctest-glob``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # the docs are built once with sphinx (minutes)

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _tools_or_skip() -> None:
    missing = [tool for tool in ("latex", "dvisvgm") if shutil.which(tool) is None]
    try:
        import myst_parser  # noqa: F401
        import sphinx  # noqa: F401
    except ImportError:
        missing.append("sphinx/myst-parser")
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"missing in CI: {', '.join(missing)} (see .ci/apt-packages and the test extra)")
        pytest.skip(f"missing: {', '.join(missing)}")


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> Path:
    _tools_or_skip()
    out = tmp_path_factory.mktemp("html")
    r = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(DOCS), str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert r.returncode == 0, r.stderr[-4000:]
    return out


def test_docs_build_with_warnings_as_errors(html):
    """Every page builds, the API reference included."""
    for page in ("index", "tutorial", "howto-latex", "howto-library", "certificate-format", "api"):
        assert (html / f"{page}.html").exists()
    assert "symnet.prove" in (html / "api.html").read_text(encoding="utf-8")


def test_math_is_rendered_offline(html):
    """Math is embedded as SVG; no page loads a script or stylesheet from another host."""
    tutorial = (html / "tutorial.html").read_text(encoding="utf-8")
    assert "data:image/svg" in tutorial
    for page in html.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert 'src="http' not in text and 'src="//' not in text, page.name
        assert 'rel="stylesheet" href="http' not in text and 'rel="stylesheet" href="//' not in text, page.name


def test_other_engineers_pages_are_picked_up_by_the_glob():
    """index.md includes every page through a globbed toctree."""
    assert ":glob:" in (DOCS / "index.md").read_text(encoding="utf-8")


def test_theme_has_search_and_navigation(html):
    """furo: a search page with its index, and every page carries the sidebar navigation and search box."""
    assert (html / "search.html").exists() and (html / "searchindex.js").exists()
    index = (html / "index.html").read_text(encoding="utf-8")
    assert "sidebar-search" in index and "sidebar-tree" in index
    assert 'href="notebook.html"' in index


def test_notebook_is_executed_with_rich_outputs(html):
    """docs/notebook.md runs at build time: its outputs are there, the objects' math rendered as SVG."""
    page = (html / "notebook.html").read_text(encoding="utf-8")
    assert "cell_output" in page and page.count("data:image/svg") >= 10
    assert "$$" not in page  # every $$ block of a text/markdown output became math
    assert "def f(x_1, x_2, b_1_0" in page  # the to_python cell's printed source
    assert "Traceback" not in page


def test_api_page_renders_the_module_docstrings_it_refers_to(html):
    """The size rule (symnet.render._derivation), codegen's naming rules and the display hooks are on the page."""
    api = (html / "api.html").read_text(encoding="utf-8")
    assert "Size rule (readable at every size" in api
    assert "b2_1_2" in api and "Displayable" in api and "symnet.codegen.pycode" in api
