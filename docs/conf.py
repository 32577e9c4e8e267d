"""Sphinx configuration: MyST Markdown pages and notebooks, autodoc, math rendered offline.

Math is rendered at build time by ``sphinx.ext.imgmath`` (LaTeX + dvisvgm,
from Debian's texlive-latex-base and dvisvgm) and embedded in the HTML as SVG,
so neither building nor reading the docs needs a network or a CDN.  Pages are
MyST Markdown read by myst-nb; a page with a ``kernelspec`` (docs/notebook.md)
is a notebook, executed at every build with the local Python kernel.  The
theme is furo (search box, sidebar navigation, light and dark).
"""

import os

project = "symnet"
author = "the symnet authors"
copyright = "2026, the symnet authors"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.imgmath",
]

source_suffix = {".md": "myst-nb"}
root_doc = "index"
exclude_patterns = ["_build", "_tex", "dev", "**/.ipynb_checkpoints"]

myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

# Notebooks: executed on every build (offline: a local kernel, no downloads);
# an error in a cell fails the build, as a warning would.
nb_execution_mode = "force"
nb_execution_timeout = 120
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
# text/markdown outputs (the objects' _repr_markdown_) are MyST, so their $$ math is rendered
nb_render_markdown_format = "myst"

# imgmath's LaTeX template loads anyfontsize, which is not in Debian's
# texlive-latex-base: docs/_tex/anyfontsize.sty stands in for it.
_TEX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_tex")
os.environ["TEXINPUTS"] = _TEX + os.pathsep + os.environ.get("TEXINPUTS", "")
imgmath_image_format = "svg"
imgmath_embed = True
imgmath_latex_preamble = r"\setcounter{MaxMatrixCols}{20}"
imgmath_font_size = 13

# The rendered example in howto-latex.md is symnet's own Markdown output,
# regenerated on every build (so it never drifts from the renderer); the file
# lives under _build/, which is git-ignored and excluded from the page list.
def _write_generated() -> None:
    import symnet

    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_build", "generated")
    os.makedirs(out, exist_ok=True)
    text = symnet.prove(symnet.dense(2, [3])).to_markdown()
    body = text.split("\n", 1)[1].lstrip("\n")  # drop the "## title" line: the page has its own
    with open(os.path.join(out, "seed-derivation.md"), "w", encoding="utf-8") as f:
        f.write(body)


_write_generated()


# The picture in regions.md is drawn by symnet on every build (needs matplotlib, in the test extra).
def _write_regions_figure() -> None:
    import symnet

    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_build", "generated")
    os.makedirs(out, exist_ok=True)
    net = symnet.Network.from_matrices([[[1, 0], [0, 1], [1, 1]], [[1, 1, 1]]], [[0, 0, -1], [0]], activation="relu")
    symnet.regions(net, box=[(-2, 2), (-2, 2)]).plot(os.path.join(out, "regions.png"))


_write_regions_figure()
# The figure of docs/trained-models.md, drawn from a freshly trained model on every build.
import sys  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import trained_models_figure  # noqa: E402

trained_models_figure.write_figure(os.path.join(os.path.dirname(os.path.abspath(__file__)), "_build", "generated"))

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "undoc-members": False}

html_theme = "furo"
html_title = "symnet"
html_theme_options = {
    "sidebar_hide_name": False,
    "navigation_with_keys": True,
}
html_static_path: list[str] = []
html_show_sourcelink = False
