"""The rendering gallery (issue 22): every document kind in LaTeX, Markdown and text, compiled with no overfull line.

The examples are in tests/render_gallery.py (docs/make_gallery.py draws the
same ones as PNG for docs/gallery.md).  The pdflatex part is marked slow; the
whole gallery compiles in a few seconds.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.render_gallery import GALLERY
from tests.test_pdflatex import _need_pdflatex

#: One entry of pdflatex's log for a line wider than the text: ``Overfull \hbox (12.3pt too wide)``.
_OVERFULL = re.compile(r"^Overfull \\hbox \((?P<pt>[0-9.]+)pt too wide\)", re.MULTILINE)
#: Tolerance: an overfull line up to this much is invisible in print.
MAX_OVERFULL_PT = 1.0

#: Every kind of document the issue lists must be in the gallery.
KINDS = {
    "linear", "deep", "numeric", "batchnorm", "generic", "refutation_relu", "refutation_tanh", "refutation_square",
    "degree", "regions_20", "regions_200", "bound", "piecewise",
}


def overfull_lines(log: str) -> list[float]:
    """The widths (pt) by which lines run past the text, from a pdflatex log."""
    return [float(m["pt"]) for m in _OVERFULL.finditer(log)]


@pytest.fixture(scope="module")
def rendered() -> dict[str, tuple[str, str, str]]:
    out = {}
    for name, example in GALLERY.items():
        obj = example.make()
        out[name] = (example.latex(obj), example.markdown(obj), example.text(obj))
    return out


def test_gallery_covers_every_document_kind():
    assert set(GALLERY) == KINDS


def test_every_document_renders_in_three_formats_deterministically(rendered):
    """Each example gives a LaTeX document, Markdown and text; rendering again gives the same bytes."""
    for name, example in GALLERY.items():
        tex, md, txt = rendered[name]
        assert tex.startswith("\\documentclass") and tex.rstrip().endswith("\\end{document}"), name
        assert md.strip() and txt.strip(), name
        obj = example.make()
        assert (example.latex(obj), example.markdown(obj), example.text(obj)) == (tex, md, txt), name


def test_no_python_repr_and_no_approx_on_every_term_in_latex(rendered):
    """A rendered page never shows a Python repr, and "≈" marks a form, never each of its numbers."""
    for name, (tex, md, _) in rendered.items():
        body = tex.split("\\begin{document}", 1)[1]
        assert "Network(" not in body and "activation='" not in body, name
        for doc in (body, md):
            assert "= \\approx" not in doc and "+ \\approx" not in doc and "- \\approx" not in doc, name


def test_the_overfull_scanner_reads_pdflatex_logs():
    """The scanner finds every overfull line with its width, and nothing in a clean log."""
    log = (
        "Overfull \\hbox (1089.63037pt too wide) in paragraph at lines 9--9\n[]\n"
        "Underfull \\hbox (badness 10000) in paragraph\n"
        "Overfull \\hbox (0.5pt too wide) in alignment at lines 3--7\n"
    )
    assert overfull_lines(log) == [1089.63037, 0.5]
    assert overfull_lines("Output written on doc.pdf (1 page, 1234 bytes).\n") == []


def _compile(tex: str, where: Path) -> str:
    exe = _need_pdflatex()
    (where / "doc.tex").write_text(tex, encoding="utf-8")
    r = subprocess.run(
        [exe, "-halt-on-error", "-interaction=nonstopmode", "-no-shell-escape", "doc.tex"],
        cwd=where, capture_output=True, text=True, errors="replace", timeout=120,
    )
    assert r.returncode == 0, r.stdout[-3000:]
    return (where / "doc.log").read_text(encoding="utf-8", errors="replace")


@pytest.mark.slow
def test_the_check_fails_on_a_line_that_runs_off_the_page(tmp_path):
    """A display as wide as the old regions table gives an overfull line that the check reports."""
    wide = " + ".join(f"\\frac{{{12709595 + k}}}{{33554432}} x_{{{k}}}" for k in range(60))
    log = _compile("\\documentclass{article}\n\\begin{document}\n\\[" + wide + "\\]\n\\end{document}\n", tmp_path)
    assert max(overfull_lines(log)) > 500


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(KINDS))
def test_gallery_document_compiles_with_no_overfull_line(name, rendered, tmp_path):
    """pdflatex compiles the document and no line runs past the text by more than 1 pt."""
    log = _compile(rendered[name][0], tmp_path)
    assert [pt for pt in overfull_lines(log) if pt > MAX_OVERFULL_PT] == [], name


@pytest.mark.slow
def test_gallery_first_pages_render_as_png(rendered, tmp_path):
    """pdftoppm draws the first page of a gallery document (what docs/make_gallery.py does for the docs)."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        pytest.skip("pdftoppm is not installed (poppler-utils)")
    _compile(rendered["regions_200"][0], tmp_path)
    subprocess.run([exe, "-png", "-r", "30", "-f", "1", "-l", "1", "-singlefile", "doc.pdf", "page"],
                   cwd=tmp_path, check=True, timeout=60)
    assert (tmp_path / "page.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_exact_regions_of_a_2_16_16_1_network_stay_on_the_page(tmp_path):
    """The issue's network (2->[16,16]->1, 300+ regions) with every number exact: long p/q facets wrap too."""
    import symnet
    from tests.render_gallery import regions_net

    regs = symnet.regions(regions_net([16, 16]), box=[(-1, 1), (-1, 1)])
    tex = regs.to_latex(document=True, digits=None, max_regions=25)
    assert len(regs) > 300 and "\\approx" not in tex
    log = _compile(tex, tmp_path)
    assert [pt for pt in overfull_lines(log) if pt > MAX_OVERFULL_PT] == []
