"""Derivations: hand-written golden files, natural term order, size rule, determinism."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sympy

import symnet
from symnet import render
from symnet.render._terms import TermOrder

GOLDEN = Path(__file__).parent / "golden"
t = sympy.Symbol("t")


def _golden(name: str) -> str:
    return (GOLDEN / name).read_text(encoding="utf-8")


def test_seed_p2_h3_text_matches_hand_written_golden():
    """The blog post's three-node network (p = 2) prints exactly the hand-derived text."""
    assert render.to_text(symnet.prove(symnet.dense(2, [3]))) == _golden("seed_p2_h3.txt")


def test_seed_p2_h3_latex_document_matches_hand_written_golden():
    """The LaTeX document for p = 2, h = 3 is exactly the hand-written one."""
    assert render.to_latex(symnet.prove(symnet.dense(2, [3])), document=True) == _golden("seed_p2_h3.tex")


def test_single_node_text_matches_hand_written_golden():
    """The blog post's first network (one node, p = 3) is b_0 + b_1 x_1 + ... with β_j = b_j."""
    assert render.to_text(symnet.prove(symnet.dense(3, []))) == _golden("single_p3.txt")


def test_fragment_is_the_document_body():
    """to_latex() without document is the body of the document, no preamble."""
    proof = symnet.prove(symnet.dense(2, [3]))
    fragment = render.to_latex(proof)
    assert "\\documentclass" not in fragment
    assert fragment in render.to_latex(proof, document=True)


def test_seed_p3_h3_coefficients_from_the_seed_formula():
    """For p = h = 3 each β_j is c_1 b_{1,j} + c_2 b_{2,j} + c_3 b_{3,j} (β_0 adds c_0), in that order."""
    out = render.to_text(symnet.prove(symnet.dense(3, [3])))
    assert "    β_0 = c_0 + c_1 b_{1,0} + c_2 b_{2,0} + c_3 b_{3,0},\n" in out
    for j in (1, 2):
        assert f"    β_{j} = c_1 b_{{1,{j}}} + c_2 b_{{2,{j}}} + c_3 b_{{3,{j}}},\n" in out
    assert "    β_3 = c_1 b_{1,3} + c_2 b_{2,3} + c_3 b_{3,3}.\n" in out
    assert "(h × (p+1) = 3 × 4)" in out and "((h+1) × (p+1) = 4 × 4)" in out


def test_every_step_names_its_certificate_rule():
    """Each rule of the certificate appears in the derivation, as the same string."""
    proof = symnet.prove(symnet.dense(2, [2, 2]))
    out = render.to_text(proof)
    for step in proof.steps:
        assert f"[{step.rule}]" in out
    assert out.count("[substitute_layer]") == 2


def test_natural_order_puts_c_2_before_c_10():
    """Terms follow the network's indices as integers, not sympy's name order."""
    proof = symnet.prove(symnet.dense(1, [11]))
    out = render.to_text(proof)
    beta1 = next(line for line in out.splitlines() if line.lstrip().startswith("β_1 ="))
    cont = out[out.index(beta1):].split("\n\n")[0]
    flat = " ".join(cont.split())
    names = re.findall(r"c_\{?(\d+)", flat)
    assert names == [str(k) for k in range(1, 12)]


def test_term_order_paths_bias_first():
    """c_0 comes first, then c_1 b_{1,0}, c_2 b_{2,0}; factors go output to input."""
    net = symnet.dense(2, [2])
    order = TermOrder(net)
    s = sympy.Symbol
    expr = s("c_2") * s("b_{2,0}") + s("c_0") + s("b_{1,0}") * s("c_1")
    terms = order.terms(expr)
    assert [tuple(f.name for f in term.factors) for term in terms] == [("c_0",), ("c_1", "b_{1,0}"), ("c_2", "b_{2,0}")]


@pytest.mark.parametrize("fmt", ["text", "latex", "markdown"])
def test_same_network_same_bytes(fmt):
    """Rendering twice, and from a reloaded certificate, gives identical output."""
    fn = {"text": render.to_text, "latex": render.to_latex, "markdown": render.to_markdown}[fmt]
    proof = symnet.prove(symnet.dense(3, [2, 2], outputs=2))
    again = symnet.Proof.from_json(proof.to_json())
    assert fn(proof) == fn(proof) == fn(again)


def test_affine_activation_factor_shows_slope_and_intercept():
    """σ(t) = 2t + 1 gives the factor rows (2 b_{k,0} + 1, 2 b_{k,j})."""
    out = render.to_text(symnet.prove(symnet.dense(2, [2], activation=sympy.Lambda(t, 2 * t + 1))))
    assert "σ(t) = 2 t + 1" in out
    assert "1 + 2 b_{1,0}  2 b_{1,1}  2 b_{1,2}" in out
    assert "β_1 = 2 c_1 b_{1,1} + 2 c_2 b_{2,1}," in out


def test_several_outputs_give_a_coefficient_per_output_and_input():
    """q = 2 outputs: ŷ_1, ŷ_2 and β_{i,j} with the blog post's formula per output."""
    out = render.to_text(symnet.prove(symnet.dense(2, [2], outputs=2)))
    assert "ŷ_2 = β_{2,0} + β_{2,1} x_1 + β_{2,2} x_2," in out
    assert "β_{2,1} = c_{2,1} b_{1,1} + c_{2,2} b_{2,1}," in out


def test_numeric_network_coefficients_are_exact():
    """Numbers multiply out exactly: (1/2)(3 x_1 - x_2 + 1) + x_1 + 2 x_2 + 2."""
    net = symnet.Network.from_matrices([[[1, 2], [3, -1]], [[1, sympy.Rational(1, 2)]]], [[0, 1], [2]])
    out = render.to_text(symnet.prove(net))
    # 5/2, 5/2 and 3/2 end within 6 significant digits: printed exactly as decimals
    assert "β_0 = 2.5," in out and "β_1 = 2.5," in out and "β_2 = 1.5." in out


@pytest.mark.parametrize(
    "inputs, hidden, outputs",
    [(20, [30], 1), (4, [10, 10, 10, 10], 3), (12, [12], 1), (3, [4], 12), (30, [30, 30], 2)],
)
def test_large_networks_stay_short(inputs, hidden, outputs):
    """Elisions and Σ-notation keep every derivation to a few pages of bounded lines."""
    proof = symnet.prove(symnet.dense(inputs, hidden, outputs=outputs), expand=False)
    for out in (render.to_text(proof), render.to_latex(proof), render.to_markdown(proof)):
        assert len(out.splitlines()) < 260
        assert len(out) < 40_000


def test_large_network_uses_sigma_notation_and_elisions():
    """p = 20, h = 30: β_j = Σ_k c_k b_{k,j}, matrices elided with ⋮ and ⋱."""
    proof = symnet.prove(symnet.dense(20, [30]), expand=False)
    out = render.to_text(proof)
    assert "β_j = Σ_{k=1..30} c_k b_{k,j},   j = 1, …, 20." in out
    assert "⋱" in out and "⋮" in out
    tex = render.to_latex(proof)
    assert r"\sum_{k=1}^{30} c_k b_{k,j}" in tex and r"\ddots" in tex


def test_hooks_for_jupyter_and_sympy():
    """repr_latex and latex_claim give math for _repr_latex_ and sympy.latex."""
    proof = symnet.prove(symnet.dense(2, [3]))
    assert render.repr_latex(proof).startswith("$$") and "\\beta_1 &= c_1 b_{1,1}" in render.repr_latex(proof)
    assert render.latex_claim(proof).startswith(r"\hat{y} = \beta_0 + \beta_1 x_1 + \beta_2 x_2")
    assert "b_{1,0} & b_{1,1} & b_{1,2}" in render.network_latex(symnet.dense(2, [3]))


def test_render_refuses_other_objects():
    """Anything but a proof or certificate is a TypeError, not a silent str()."""
    with pytest.raises(TypeError):
        render.to_text(object())


# ------------------------------------------------------------ text width
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from symnet import strategies as sns  # noqa: E402
from symnet import theorems  # noqa: E402

_ARCH = sns.architectures(max_inputs=10, max_depth=4, max_width=10, max_outputs=3)


@pytest.mark.slow
@given(st.sampled_from(["symbolic", "exact", "float"]).flatmap(
    lambda kind: sns.networks(weights=kind, architecture=_ARCH, activation=sns.activations(symbolic=True))))
def test_text_lines_fit_in_78_columns_and_output_is_deterministic(net):
    """Plain text never has a line wider than 78 characters, and two calls give the same bytes."""
    proof = symnet.prove(net, expand=False)
    first = render.to_text(proof)
    assert first == render.to_text(proof)
    too_wide = [line for line in first.splitlines() if len(line) > 78]
    assert not too_wide, too_wide


@pytest.mark.parametrize("inputs, hidden, outputs",
                         [(5, [5, 5], 1), (10, [10] * 10, 3), (10, [1] * 4, 2), (1, [10, 1, 10], 3)])
def test_text_width_at_the_size_limits(inputs, hidden, outputs):
    """The shapes at the edges of the size rule (wide entries, deep chains) stay within 78 columns."""
    a, d = sympy.symbols("a d")
    for act in (
        "identity",
        sympy.Lambda(t, a * t + d),
        sympy.Lambda(t, sympy.Rational(-7, 3) * t + sympy.Rational(5, 2)),
    ):
        out = render.to_text(symnet.prove(symnet.dense(inputs, hidden, outputs, act), expand=False))
        assert max(len(line) for line in out.splitlines()) <= 78


@pytest.mark.parametrize(
    "make",
    [
        lambda: symnet.prove(symnet.dense("p", [3])),
        lambda: symnet.prove(symnet.dense("p", ["h"])),
        lambda: symnet.prove(symnet.dense("p", ["h1", "h2", "h3"], outputs="q")),
        lambda: symnet.prove(
            symnet.dense("p", ["h1", "h2"], activation=sympy.Lambda(t, sympy.Symbol("a") * t + sympy.Symbol("d")))
        ),
        lambda: theorems.deep_linear_collapse,
        lambda: theorems.collapse_rank_bound,
    ],
    ids=["p-3", "p-h", "p-h1h2h3-q", "p-h1h2-affine", "deep_linear_collapse", "collapse_rank_bound"],
)
def test_generic_and_theorem_text_fits_in_78_columns(make):
    """Generic derivations and theorems print within 78 columns too, with no line cut by a backslash."""
    out = make().to_text()
    assert max(len(line) for line in out.splitlines()) <= 78
    assert not any(line.endswith("\\") for line in out.splitlines())
