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
