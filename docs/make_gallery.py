"""Regenerate the pictures of docs/gallery.md: the first page of every gallery document as a PNG.

Run from the repository root (pdflatex and pdftoppm on the PATH)::

    PYTHONPATH=. python docs/make_gallery.py

For each example of ``tests/render_gallery.py`` it writes the LaTeX document,
compiles it with pdflatex, draws page 1 with ``pdftoppm -png -r 60`` into
``docs/_static/gallery/<name>.png`` and reports any overfull line (the test
suite fails on them: tests/test_render_gallery.py).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "_static" / "gallery"


def _run(argv: list[str], cwd: Path) -> str:
    r = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, errors="replace", timeout=120)
    if r.returncode != 0:
        raise SystemExit(f"{argv[0]} failed:\n{r.stdout[-2000:]}{r.stderr[-2000:]}")
    return r.stdout


def main() -> int:
    """Write every picture; exit 1 if a document has an overfull line."""
    sys.path.insert(0, str(ROOT))
    from tests.render_gallery import GALLERY

    pdflatex, pdftoppm = shutil.which("pdflatex"), shutil.which("pdftoppm")
    if pdflatex is None or pdftoppm is None:
        raise SystemExit("needs pdflatex (texlive-latex-base) and pdftoppm (poppler-utils)")
    OUT.mkdir(parents=True, exist_ok=True)
    overfull = 0
    for name, example in GALLERY.items():
        with tempfile.TemporaryDirectory() as tmp:
            where = Path(tmp)
            (where / "doc.tex").write_text(example.latex(example.make()), encoding="utf-8")
            log = _run([pdflatex, "-halt-on-error", "-interaction=nonstopmode", "-no-shell-escape", "doc.tex"], where)
            wide = [float(w) for w in re.findall(r"Overfull \\hbox \(([0-9.]+)pt too wide\)", log)]
            overfull += sum(w > 1 for w in wide)
            _run([pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", "doc.pdf", "page"], where)
            shutil.copyfile(where / "page.png", OUT / f"{name}.png")
        print(f"{name}: {OUT / (name + '.png')}" + (f"  overfull lines: {wide}" if wide else ""))
    return 1 if overfull else 0


if __name__ == "__main__":
    raise SystemExit(main())
