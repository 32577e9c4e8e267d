"""Every LaTeX document symnet emits compiles with a real ``pdflatex -halt-on-error``.

In CI (``CI`` set) a missing pdflatex is a failure, not a skip: .ci/run
installs it from .ci/apt-packages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import sympy

import symnet
from symnet import render, theorems
from symnet.search.generic import generic_dense, prove_generic

t = sympy.Symbol("t")
pytestmark = pytest.mark.slow  # every document is compiled by pdflatex

PDFLATEX = shutil.which("pdflatex")


def _need_pdflatex() -> str:
    if PDFLATEX is None:
        if os.environ.get("CI"):
            pytest.fail("pdflatex is missing in CI: install the packages in .ci/apt-packages")
        pytest.skip("pdflatex is not installed (apt-get install texlive-latex-base)")
    return PDFLATEX


def compile_pdf(source: str, where: Path) -> str:
    """Compile ``source``; return pdflatex's log, failing the test on any error."""
    exe = _need_pdflatex()
    tex = where / "doc.tex"
    tex.write_text(source, encoding="utf-8")
    r = subprocess.run(
        [exe, "-halt-on-error", "-interaction=nonstopmode", "-no-shell-escape", tex.name],
        cwd=where,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=120,
    )
    assert r.returncode == 0, r.stdout[-3000:]
    assert (where / "doc.pdf").stat().st_size > 1000
    return r.stdout


SHAPES = {
    "single node": lambda: symnet.dense(3, []),
    "seed p=2 h=3": lambda: symnet.dense(2, [3]),
    "seed p=3 h=3": lambda: symnet.dense(3, [3]),
    "two layers": lambda: symnet.dense(2, [2, 2]),
    "two layers of width 1 (transposed factors)": lambda: symnet.dense(1, [1, 1]),
    "affine, two outputs": lambda: symnet.dense(2, [2], outputs=2, activation=sympy.Lambda(t, 2 * t + 1)),
    "symbolic affine": lambda: symnet.dense(
        2, [2], activation=sympy.Lambda(t, sympy.Symbol("a") * t + sympy.Symbol("d"))
    ),
    "numeric": lambda: symnet.Network.from_matrices([[[1, 2], [3, -1]], [[1, sympy.Rational(1, 2)]]], [[0, 1], [2]]),
    "wide 12x12": lambda: symnet.dense(12, [12]),
    "large 20x30": lambda: symnet.dense(20, [30]),
    "deep 4x10, 3 outputs": lambda: symnet.dense(4, [10, 10, 10, 10], outputs=3),
    "many outputs": lambda: symnet.dense(3, [4], outputs=12),
    "p=5, two layers of 5": lambda: symnet.dense(5, [5, 5]),
    "symbolic affine, 3 outputs": lambda: symnet.dense(
        3, [3, 3], outputs=3, activation=sympy.Lambda(t, sympy.Symbol("a") * t + sympy.Symbol("d"))
    ),
    "depth 10, width 10, 3 outputs": lambda: symnet.dense(10, [10] * 10, outputs=3),
}


def _float32(sizes, activation="identity", seed=0):
    import numpy as np

    rng = np.random.default_rng(seed)
    ws = [rng.standard_normal((sizes[i + 1], sizes[i])).astype(np.float32) for i in range(len(sizes) - 1)]
    bs = [rng.standard_normal(sizes[i + 1]).astype(np.float32) for i in range(len(sizes) - 1)]
    return symnet.Network.from_matrices(ws, bs, activation)


def _mixed():
    import numpy as np

    f = np.float32
    return symnet.Network.from_matrices([[["a", f(0.5)], [f(0.25), "b"]], [[f(1.5), f(-2)]]], [[f(0.1), 0], [f(0.3)]])


#: Numeric, mixed and option variants: (network, rendering options).
VARIANTS = {
    "float32 2-2-1": (lambda: _float32([2, 2, 1]), {}),
    "float32 8-8-8-3 (column blocks)": (lambda: _float32([8, 8, 8, 3]), {}),
    "float32 20-12-10": (lambda: _float32([20, 12, 10]), {}),
    "float32 2-2-1 exact": (lambda: _float32([2, 2, 1]), {"digits": None}),
    "float32 3-3-1 12 digits": (lambda: _float32([3, 3, 1]), {"digits": 12}),
    "mixed": (_mixed, {}),
    "explicit 2-[4,4]": (lambda: symnet.dense(2, [4, 4]), {"explicit": True}),
    "no rules": (lambda: symnet.dense(2, [2, 2]), {"rules": False}),
}

#: Every other kind of document: generic (symbolic-size) proofs, the theorems, counterexamples.
OTHER_DOCUMENTS = {
    "generic p, [3]": lambda: prove_generic(generic_dense("p", [3])).to_latex(document=True),
    "generic p, [h]": lambda: prove_generic(generic_dense("p", ["h"])).to_latex(document=True),
    "generic p, [h1, h2, h3]": lambda: prove_generic(generic_dense("p", ["h1", "h2", "h3"])).to_latex(document=True),
    "generic p, [h, h], q outputs": lambda: prove_generic(generic_dense("p", ["h", "h"], outputs="q")).to_latex(
        document=True
    ),
    "generic affine": lambda: prove_generic(
        generic_dense("p", ["h1", "h2"], activation=sympy.Lambda(t, 2 * t + 1))
    ).to_latex(document=True),
    "theorem deep_linear_collapse": lambda: theorems.deep_linear_collapse.to_latex(document=True),
    "theorem collapse_rank_bound": lambda: theorems.collapse_rank_bound.to_latex(document=True),
    "counterexample square": lambda: _counterexample(symnet.dense(1, [1], activation="square")).to_latex(document=True),
    "counterexample relu 3x3": lambda: _counterexample(symnet.dense(3, [3], activation="relu")).to_latex(document=True),
    "counterexample tanh": lambda: _counterexample(symnet.dense(1, [1], activation="tanh")).to_latex(document=True),
    "counterexample float32 relu": lambda: symnet.refute(_float32([4, 3, 2], "relu", 1)).to_latex(document=True),
    "generic, no rules": lambda: prove_generic(generic_dense("p", ["h"])).to_latex(document=True, rules=False),
}


def _counterexample(net):
    with pytest.raises(symnet.NotLinearError) as info:
        symnet.prove(net)
    return info.value.counterexample


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_document_compiles_without_overfull_lines(name, tmp_path):
    """The document compiles and no line runs off the page (no Overfull \\hbox)."""
    proof = symnet.prove(SHAPES[name](), expand=False)
    log = compile_pdf(render.to_latex(proof, document=True), tmp_path)
    assert "Overfull \\hbox" not in log


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_numeric_mixed_and_option_documents_compile_without_overfull_lines(name, tmp_path):
    """Decimals, exact fractions, column blocks, explicit coefficients and no rule tags all typeset within the page."""
    make, options = VARIANTS[name]
    proof = symnet.prove(make(), expand=False)
    log = compile_pdf(render.to_latex(proof, document=True, **options), tmp_path)
    assert "Overfull \\hbox" not in log


@pytest.mark.parametrize("name", sorted(OTHER_DOCUMENTS))
def test_generic_theorem_and_counterexample_documents_compile_without_overfull_lines(name, tmp_path):
    """Generic proofs, the theorems and counterexamples compile too, with no line running off the page."""
    _need_pdflatex()
    log = compile_pdf(OTHER_DOCUMENTS[name](), tmp_path)
    assert "Overfull \\hbox" not in log


def test_hand_written_golden_compiles(tmp_path):
    """The golden document of the seed derivation compiles too."""
    golden = Path(__file__).parent / "golden" / "seed_p2_h3.tex"
    compile_pdf(golden.read_text(encoding="utf-8"), tmp_path)


def test_counterexample_document_compiles(tmp_path):
    """A refutation's LaTeX document (when the refutation module provides one) compiles."""
    try:
        symnet.prove(symnet.dense(1, [1], activation="square"))
    except symnet.NotLinearError as exc:
        ce = exc.counterexample
    except symnet.SymnetError:
        ce = None
    if ce is None or not hasattr(ce, "to_latex"):
        pytest.skip("no counterexample renderer yet")
    try:
        source = ce.to_latex(document=True)
    except TypeError:
        pytest.skip("counterexample has no document form")
    compile_pdf(source, tmp_path)


from hypothesis import HealthCheck, given, settings  # noqa: E402

from tests.test_render_notation import drawn_networks  # noqa: E402


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(drawn_networks())
def test_drawn_networks_compile_without_overfull_lines(tmp_path, net):
    """Symbolic, float32 and mixed networks drawn by Hypothesis typeset within the page."""
    log = compile_pdf(render.to_latex(symnet.prove(net, expand=False), document=True), tmp_path)
    assert "Overfull \\hbox" not in log


# ------------------------------------------------------------- untrusted names
SECRET_MARK = "symnetSECRETmark"


def _secret(where: Path) -> Path:
    secret = where / "secret.tex"
    secret.write_text(SECRET_MARK + "\n", encoding="utf-8")
    return secret


def test_a_file_input_is_seen_by_the_check(tmp_path: Path) -> None:
    """The control: an unescaped \\input in a document does read the file (so the check below can fail)."""
    secret = _secret(tmp_path)
    source = render._latex.PREAMBLE + "\\begin{document}\n\\input{" + str(secret) + "}\n\\end{document}\n"
    log = compile_pdf(source, tmp_path)
    assert str(secret) in log


def test_text_mode_escaping_reads_no_file(tmp_path: Path) -> None:
    secret = _secret(tmp_path)
    hostile = "\\input{" + str(secret) + "} $x$ & % # _ ^ ~ { } \\\\"
    source = render._latex.PREAMBLE + "\\begin{document}\n" + render._latex._escape(hostile) + "\n\\end{document}\n"
    log = compile_pdf(source, tmp_path)
    assert str(secret) not in log


@pytest.mark.parametrize("name", [r"\alpha_1", "b^{(2)}_{1,0}", "W_{k,j}", "zoo", r"b_{1,\beta}"])
def test_names_of_the_grammar_compile(tmp_path: Path, name: str) -> None:
    net = symnet.Network.from_matrices([[[sympy.Symbol(name), 1]]], [[0]])
    compile_pdf(symnet.prove(net).to_latex(document=True), tmp_path)


@pytest.mark.parametrize("name", [r"\input{SECRET}", r"x_{\input SECRET}", r"\openin1=SECRET"])
def test_a_hostile_name_never_reaches_pdflatex(tmp_path: Path, name: str) -> None:
    secret = _secret(tmp_path)
    net = symnet.Network.from_matrices([[[sympy.Symbol(name.replace("SECRET", str(secret))), 1]]], [[0]])
    with pytest.raises(symnet.errors.InvalidArgument):
        symnet.prove(net).to_latex(document=True)
