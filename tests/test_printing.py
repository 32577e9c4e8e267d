"""Every public object speaks sympy's printing protocol and Jupyter's display hooks.

Tested through ``sympy.latex``, ``sympy.pretty``, ``sympy.sstr``, ``str``,
IPython's plain-text printer, one pdflatex run over every object's LaTeX, and
a notebook executed with nbclient.  Expected strings are written by hand
from the mathematics of small networks.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import sympy

import symnet
from symnet.model import display
from symnet.render._display import MAX_LISTED, pretty_name


# ------------------------------------------------------------------ objects
@pytest.fixture(scope="module")
def objects() -> dict[str, object]:
    relu = symnet.Network.from_matrices([[[1, -1], [2, 1]], [[1, 1]]], [[0, 1], [0]], "relu")
    regions = symnet.regions(relu)
    generic = symnet.dense("p", ["h"])
    net = symnet.dense(2, [2])
    proof = symnet.prove(net)
    return {
        "Network": net,
        "Layer": net.layers[0],
        "Activation": symnet.activation("relu"),
        "Proof": proof,
        "GenericNetwork": generic,
        "GenericProof": symnet.prove(generic),
        "Counterexample": symnet.decide(symnet.dense(2, [2], activation="tanh")),
        "Degree": symnet.degree(symnet.dense(2, [2], activation="square")),
        "RankBound": symnet.rank_bound(symnet.Network.from_matrices([[[1, 2], [2, 4]], [[1, 1]]], None)),
        "Regions": regions,
        "Region": regions[1],
        "CrosscheckReport": symnet.crosscheck(proof, samples=12, seed=0),
    }


NAMES = [
    "Network",
    "Layer",
    "Activation",
    "Proof",
    "GenericNetwork",
    "GenericProof",
    "Counterexample",
    "Degree",
    "RankBound",
    "Regions",
    "Region",
    "CrosscheckReport",
]


def test_every_public_class_is_covered(objects):
    """The table above has one object of every public class that displays something."""
    assert {type(o).__name__ for o in objects.values()} == set(NAMES)
    for name in NAMES:
        assert isinstance(objects[name], getattr(symnet, name))
        assert isinstance(objects[name], display.Displayable)


@pytest.mark.parametrize("name", NAMES)
def test_sympy_latex_is_math_not_the_repr(objects, name):
    """sympy.latex(obj) is the object's own math: never sympy's \\mathtt{\\text{repr}} fallback."""
    obj = objects[name]
    tex = sympy.latex(obj)
    assert tex == obj._latex(None)
    assert r"\mathtt" not in tex and repr(obj) not in tex
    assert tex.count("{") == tex.count("}") and "$" not in tex


@pytest.mark.parametrize("name", NAMES)
def test_sympy_pretty_is_a_picture_not_the_repr(objects, name):
    """sympy.pretty(obj) is drawn for the object (2-D where matrices appear), in Unicode and in ASCII."""
    obj = objects[name]
    picture = sympy.pretty(obj, wrap_line=False)
    assert picture.strip() and picture != repr(obj)
    ascii_picture = sympy.pretty(obj, use_unicode=False, wrap_line=False)
    if name not in ("Counterexample", "Degree", "RankBound", "Regions", "CrosscheckReport"):  # their text is ASCII
        assert "ŷ" not in ascii_picture and "↦" not in ascii_picture and "⁽" not in ascii_picture


@pytest.mark.parametrize("name", NAMES)
def test_sstr_and_ipython_text_are_one_compact_line(objects, name):
    """sympy.sstr and IPython's plain-text display: one line, no dataclass dump."""
    from IPython.lib.pretty import pretty

    obj = objects[name]
    for text in (sympy.sstr(obj), pretty(obj)):
        assert "\n" not in text and len(text) < 400
        assert "KindResult(" not in text and "Matrix([" not in text
    assert str(obj)


@pytest.mark.parametrize("name", NAMES)
def test_jupyter_hooks(objects, name):
    """_repr_latex_ is $-delimited math; _repr_markdown_ starts with the repr as code and carries math."""
    obj = objects[name]
    tex = obj._repr_latex_()
    assert tex.startswith("$") and tex.endswith("$")
    md = obj._repr_markdown_()
    assert "$" in md or (name == "CrosscheckReport" and "| kind | samples | result |" in md)
    if name != "Counterexample":  # the refutation's own Markdown
        assert md.startswith(("`", "**"))


# ------------------------------------------------------------ exact strings
def test_numeric_network_latex():
    """ŷ = [3] u^(1) + [1] after u^(1) = [1 2] x + [0], written by hand."""
    net = symnet.Network.from_matrices([[[1, 2]], [[3]]], [[0], [1]])
    assert sympy.latex(net) == (
        "\\begin{aligned}\n"
        r"u^{(1)} &= \left[\begin{matrix}1 & 2\end{matrix}\right] x + \left[\begin{matrix}0\end{matrix}\right] \\"
        "\n"
        r"\hat{y} &= \left[\begin{matrix}3\end{matrix}\right] u^{(1)} + \left[\begin{matrix}1\end{matrix}\right] \\"
        "\n"
        r"x &= (x_{1}, x_{2})^{T}"
        "\n"
        "\\end{aligned}"
    )


def test_generic_network_latex():
    """ŷ = C (B x + b_0) + c_0 with the shapes x: p, B: h × p, C: 1 × h."""
    assert sympy.latex(symnet.dense("p", ["h"])) == (
        r"\hat{y} = C \left(B x + b_0\right) + c_0,\quad x \in \mathbb{R}^{p},\ "
        r"B \in \mathbb{R}^{h \times p},\ C \in \mathbb{R}^{1 \times h}"
    )


def test_generic_proof_latex_is_the_claim():
    """prove(dense('p', ['h'])): ŷ = C B x + (c_0 + C b_0), the product of the layers."""
    tex = sympy.latex(symnet.prove(symnet.dense("p", ["h"])))
    assert tex.startswith(r"\hat{y} = C B x + ") and "c_0" in tex and "C b_0" in tex


def test_proof_pretty_matrix_form():
    """dense(1, [1]): W* = [b_{1,1} c_1], b* = [b_{1,0} c_1 + c_0], drawn with sub- and superscripts."""
    proof = symnet.prove(symnet.dense(1, [1]))
    assert sympy.pretty(proof) == "ŷ = [b₁,₁⋅c₁]·x + [b₁,₀⋅c₁ + c₀]"
    assert sympy.pretty(proof, use_unicode=False) == "y = [b_1,1*c_1]*x + [b_1,0*c_1 + c_0]"


def test_degree_rank_and_activation_latex():
    """Degree 2 for one square layer; rank 1 for W* = (3, 6); relu as t ↦ max(0, t)."""
    assert sympy.latex(symnet.degree(symnet.dense(2, [2], activation="square"))) == r"\deg_{x} \hat{y}_{1} = 2"
    rank = symnet.rank_bound(symnet.Network.from_matrices([[[1, 2], [2, 4]], [[1, 1]]], None))
    assert sympy.latex(rank) == r"\operatorname{rank} W^{*} = 1 \le \min(2, 2, 1) = 1"
    assert sympy.latex(symnet.activation("relu")) == r"\operatorname{relu}\colon t \mapsto \max\left(0, t\right)"
    assert sympy.latex(symnet.activation("leaky_relu")).startswith(r"\operatorname{leaky\_relu}\colon t \mapsto")


def test_regions_latex_is_one_case_per_region(objects):
    """relu(x_1 - x_2) + relu(2 x_1 + x_2 + 1): four cases, the form 3 x_1 + 1 where both units are on."""
    regions = objects["Regions"]
    tex = sympy.latex(regions)
    assert tex.startswith(r"\hat{y} = \begin{cases}") and tex.count(r"\text{if }") == len(regions) == 4
    assert r"3 x_{1} + 1 & \text{if } x_{1} - x_{2} \geq 0,\ 2 x_{1} + x_{2} + 1 \geq 0" in tex


def test_pretty_names():
    """The notation's LaTeX names as sub- and superscripts; other names unchanged."""
    assert pretty_name("b^{(2)}_{1,0}") == "b⁽²⁾₁,₀"
    assert pretty_name("b^{(2)}_{1,0}", unicode=False) == "b^(2)_1,0"
    assert pretty_name("c_1") == "c₁" and pretty_name("x_10") == "x₁₀" and pretty_name("c_{2,0}") == "c₂,₀"
    assert pretty_name("alpha") == "alpha" and pretty_name("w_{a}") == "w_{a}"


# ------------------------------------------------------------ counterexample
def test_counterexample_latex_states_network_weights_and_points(objects):
    """The weights (each one), the network, u, v, m = (u+v)/2, and f_k(m) -- never f_k((...))."""
    cx = objects["Counterexample"]
    tex = sympy.latex(cx)
    for symbol, value in cx.weights.items():
        assert f"{sympy.latex(symbol)} = {sympy.latex(value)}" in tex
    # the network in words, never its Python repr (issue 22); one fraction style (\frac) in the display
    assert "2 inputs, one hidden layer of 2 tanh units" in tex and "Network(" not in tex and "tfrac" not in tex
    assert r"m = \frac{u+v}{2} = " in tex
    assert not re.search(r"f_\{\d+\}\s*\\left\(\s*\\left\(", tex) and not re.search(r"f_\{?\d+\}?\(\(", tex)
    k = cx.output + 1
    assert f"f_{{{k}}}(m) - " in tex and (r"\neq 0" in tex)


def test_counterexample_latex_elides_beyond_the_listing_limit():
    """A wide network lists the first MAX_LISTED weights, then says how many more."""
    net = symnet.dense(3, [8], activation="square")
    cx = symnet.decide(net)
    assert isinstance(cx, symnet.Counterexample)
    tex = sympy.latex(cx)
    more = len(cx.weights) - MAX_LISTED
    assert more > 0 and f"({more} more)" in tex


# --------------------------------------------------------------- registry
class _Undrawn(display.Displayable, display_key="nothing_registered_here"):
    def __repr__(self) -> str:
        return "Undrawn(a_1, {b}, 50%)"


def test_registry_fallback_is_the_escaped_repr():
    """With no drawer registered, LaTeX is the repr in \\text{} (escaped) and the rest is the repr."""
    obj = _Undrawn()
    assert sympy.latex(obj) == r"\text{Undrawn(a\_1, \{b\}, 50\%)}"
    assert sympy.sstr(obj) == repr(obj) and obj._repr_markdown_() == repr(obj)


def test_registry_rejects_unknown_formats():
    """A drawer for a format no hook uses is a mistake, caught at registration."""
    with pytest.raises(ValueError):
        display.register("network", "html", repr)


# ---------------------------------------------------------- LaTeX compiles
def test_every_latex_compiles_with_pdflatex(objects, tmp_path):
    """One document with every object's sympy.latex in display math compiles without error."""
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex not installed")
    body = "\n".join(f"\\section*{{{name}}}\n\\[\n{sympy.latex(objects[name])}\n\\]" for name in NAMES)
    doc = "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\begin{document}\n" + body + "\n\\end{document}\n"
    (tmp_path / "all.tex").write_text(doc, encoding="utf-8")
    r = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "all.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout[-3000:]


# ---------------------------------------------------------------- notebook
NOTEBOOK_CELLS = [
    "import symnet, sympy",
    "net = symnet.dense(2, [2]); net",
    "proof = symnet.prove(net); proof",
    "symnet.dense('p', ['h'])",
    "symnet.prove(symnet.dense('p', ['h']))",
    "symnet.decide(symnet.dense(2, [2], activation='tanh'))",
    "symnet.degree(symnet.dense(2, [2], activation='square'))",
    "symnet.crosscheck(proof, samples=12, seed=0)",
    "symnet.regions(symnet.Network.from_matrices([[[1, -1], [2, 1]], [[1, 1]]], [[0, 1], [0]], 'relu'))",
]


@pytest.mark.slow
def test_executed_notebook_shows_rich_displays(tmp_path):
    """Executed by nbclient: each object's output has text/latex, text/markdown and a one-line text/plain."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in NOTEBOOK_CELLS]
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    for cell in nb.cells[1:]:
        results = [o for o in cell.outputs if o.output_type == "execute_result"]
        assert len(results) == 1, cell.outputs
        data = results[0].data
        assert {"text/plain", "text/latex", "text/markdown"} <= set(data), (cell.source, sorted(data))
        assert "\n" not in data["text/plain"] and "KindResult(" not in data["text/plain"]
        assert data["text/latex"].startswith("$") and r"\mathtt" not in data["text/latex"]
        assert "$" in data["text/markdown"] or "| kind |" in data["text/markdown"]


def test_report_repr_is_compact(objects):
    """repr(report) in a plain REPL: one line with the verdict and the counts, not the dataclass dump."""
    report = objects["CrosscheckReport"]
    text = repr(report)
    assert "\n" not in text and "KindResult(" not in text and "tolerance_rule" not in text
    assert text.startswith("CrosscheckReport(agree=True, samples=12, seed=0, samples_per_kind={")
