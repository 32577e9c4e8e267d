"""Derivations read like a paper's: one notation, every symbol defined before use, the size rule
applied alike in every step, numbers in one format, and the rules/explicit/digits options."""

from __future__ import annotations

import re

import numpy as np
import pytest
import sympy

import symnet
from symnet import render, theorems
from symnet.cli.main import main
from symnet.errors import InvalidArgument, InvalidType
from symnet.render import _latex
from symnet.search.generic import generic_dense, prove_generic

t = sympy.Symbol("t")
F32 = np.float32


def float32_net(sizes, activation="identity", seed=0):
    """A network with float32 weights (as a trained model has), built from numpy arrays."""
    rng = np.random.default_rng(seed)
    ws = [rng.standard_normal((sizes[i + 1], sizes[i])).astype(F32) for i in range(len(sizes) - 1)]
    bs = [rng.standard_normal(sizes[i + 1]).astype(F32) for i in range(len(sizes) - 1)]
    return symnet.Network.from_matrices(ws, bs, activation)


def mixed_net():
    """Symbols and floats together: two symbolic weights, the rest float32 numbers."""
    return symnet.Network.from_matrices([[["a", F32(0.5)], [F32(0.25), "b"]], [[F32(1.5), F32(-2)]]],
                                        [[F32(0.1), 0], [F32(0.3)]])


CONCRETE = {
    "seed p=2 h=3": lambda: symnet.dense(2, [3]),
    "single node": lambda: symnet.dense(3, []),
    "single node, 2 outputs": lambda: symnet.dense(2, [], outputs=2),
    "two layers": lambda: symnet.dense(2, [2, 2]),
    "4-4-4": lambda: symnet.dense(4, [4, 4]),
    "three layers affine": lambda: symnet.dense(2, [2, 2, 2], activation=sympy.Lambda(t, 2 * t + 1)),
    "3 outputs": lambda: symnet.dense(3, [3], outputs=3),
    "12 wide": lambda: symnet.dense(12, [12]),
    "11 nodes": lambda: symnet.dense(1, [11]),
    "float32 2-2-1": lambda: float32_net([2, 2, 1]),
    "float32 8-8-8-3": lambda: float32_net([8, 8, 8, 3]),
    "float32 20-12-10": lambda: float32_net([20, 12, 10]),
    "mixed": mixed_net,
}


def _text(name, **kw):
    return render.to_text(symnet.prove(CONCRETE[name](), expand=False), **kw)


_FIRST: dict[str, str] = {}


def _first_text(name):
    """``_text(name)`` as first rendered in this module (the tests that only read it share one render)."""
    if name not in _FIRST:
        _FIRST[name] = _text(name)
    return _FIRST[name]


# ------------------------------------------------------------ defined before use
TOKENS = [r"y\^\(\d+\)\*\*", r"y\^\(\d+\)\*(?!\*)", r"y\*\*", r"y\*(?!\*)", r"W~\^\(\d+\)", r"W~(?![\^T])",
          r"W\^\(\d+\)", r"x\*", r"W\*", r"b\*"]


def undefined_uses(text: str) -> list[str]:
    """Tokens whose first section does not define them (``T = …`` in that section).

    A section is a paragraph of the text output (blank-line separated).  W* and
    b* are defined by ``(b* | W*) = …``.  Returns the offending tokens.
    """
    sections = text.split("\n\n")
    bad = []
    found = {m.group(0) for pat in TOKENS for m in re.finditer(pat, text)}
    for tok in sorted(found):
        first = next(
            s
            for s in sections
            if re.search(re.escape(tok) + (r"(?!\*)" if tok.endswith("*") and not tok.endswith("**") else ""), s)
        )
        flat = " ".join(first.split())
        defs = [f"{tok} = ", f"{tok}^T = "]
        if tok in ("W*", "b*"):
            defs.append("(b* | W*) = ")
        if not any(d in flat for d in defs):
            bad.append(tok)
    return bad


def test_the_scanner_finds_an_undefined_symbol():
    """The check can fail: a text that uses y^(1)** before defining it is caught."""
    text = "Step 1.\n    y^(2)* = W^(2) y^(1)**,\n    W^(2) = [ 1 ]\n\nStep 2.\n    y^(1)** = (1, y)^T"
    assert undefined_uses(text) == ["y^(1)**"]


@pytest.mark.parametrize("name", sorted(CONCRETE))
def test_every_symbol_is_defined_before_use(name):
    assert undefined_uses(_first_text(name)) == []


@pytest.mark.parametrize(
    "make",
    [
        lambda: prove_generic(generic_dense("p", ["h"])),
        lambda: prove_generic(generic_dense("p", ["h1", "h2", "h3"])),
        lambda: prove_generic(generic_dense("p", ["h", "h"], outputs="q")),
    ],
    ids=["p,[h]", "p,[h1,h2,h3]", "p,[h,h],q"],
)
def test_generic_derivations_define_every_symbol_before_use(make):
    assert undefined_uses(make().to_text()) == []


# ------------------------------------------------------------------ notation
def test_w_star_is_q_by_p_and_the_augmented_block_is_b_star_beside_it():
    proof = symnet.prove(symnet.dense(3, [2], outputs=2))
    out = proof.to_text()
    assert proof.matrix.shape == (2, 3) and proof.offset.shape == (2, 1)
    assert "(q × p = 2 × 3)" in out and "(q × 1 = 2 × 1)" in out
    assert "(b* | W*) x* = b* + W* x" in out
    assert "W* x*" not in out.replace("(b* | W*) x*", "")
    tex = proof.to_latex()
    assert r"(b^* \mid W^*) x^* = b^* + W^* x" in tex


def test_text_uses_one_subscript_convention():
    """A subscript longer than one character is in braces: c_{10} like b_{10,0}; layers as ^(l)."""
    for net in (
        symnet.dense(1, [11]),
        symnet.dense(11, [2]),
        symnet.dense(2, [2] + [1] * 7 + [2, 2]),  # layers 1..11, two wide where a sum over k is written
        symnet.dense(3, [11, 11], outputs=11),
    ):
        out = symnet.prove(net, expand=False).to_text()
        assert not re.search(r"[A-Za-zβŷσ]_[0-9]{2,}", out), re.search(r".{20}[A-Za-zβŷσ]_[0-9]{2,}.{5}", out)
        assert "^{(" not in out
    assert "c_{10}" in symnet.prove(symnet.dense(1, [11])).to_text()


# ------------------------------------------------------------------ size rule
def _section(text: str, title: str) -> str:
    start = text.index(title)
    end = text.find("\n\n", start)
    return text[start:end]


@pytest.mark.parametrize("fmt", ["text", "latex"])
def test_small_matrices_show_every_entry_in_every_step(fmt):
    """4-4-4: Step 2's W^(l) and the substitution's W~^(l) show the same (all) entries."""
    proof = symnet.prove(symnet.dense(4, [4, 4]))
    out = proof.to_text() if fmt == "text" else proof.to_latex()
    sep = "\n\n"
    sections = out.split(sep)
    for l in (1, 2):
        names = {
            f"b^({l})_{{{k},{j}}}" if fmt == "text" else f"b^{{({l})}}_{{{k},{j}}}"
            for k in range(1, 5)
            for j in range(5)
        }
        step2 = next(s for s in sections if "Step 2" in s)
        subst = next(s for s in sections if f"substitute layer {l}" in s)
        for sec in (step2, subst):
            missing = [n for n in names if n not in sec]
            assert not missing, (l, missing[:3])


def test_a_wide_small_matrix_continues_in_column_blocks():
    """8-8-8-3: no entry of the 8 x 9 matrices W^(l) (8 x 8 weights and the bias column) nor of the
    9 x 9 W~^(l) is elided; too wide for a line, each continues as a second block of columns."""
    out = _first_text("float32 8-8-8-3")
    assert max(len(s) for s in out.splitlines()) <= 78
    for title in ("Step 2", "Step 4", "Step 5", "Step 6"):
        sec = "\n".join(line for line in _section(out, title).splitlines() if line.startswith("    "))  # displays
        assert "…" not in sec and "⋮" not in sec and "⋱" not in sec, title
        opened = sum(1 for line in sec.splitlines() if "⎡" in line and "⎤" not in line)
        assert opened >= 1, title  # a first block open on the right


def test_large_matrices_keep_the_same_columns_in_every_step():
    out = symnet.prove(symnet.dense(12, [12])).to_text()
    for title in ("Step 2", "Step 4"):
        sec = _section(out, title)
        assert "b_{1,0}" in sec and "b_{1,1}" in sec and "b_{1,12}" in sec and "b_{1,2}" not in sec


# ------------------------------------------------------------------ numbers
def test_float32_network_reads_like_a_paper():
    """2-2-1 with float32 weights: decimals everywhere, the digits stated, the β's given as numbers."""
    net = float32_net([2, 2, 1])
    proof = symnet.prove(net)
    out = proof.to_text()
    assert "too large" not in out
    assert "6 significant digits" in out
    assert "/" not in out.replace("(u + v)/2", "")
    betas = re.findall(r"β_(\d) = (-?[0-9.]+)[,.]", out)
    assert [b[0] for b in betas] == ["0", "1", "2"]
    # every weight prints the same in every step it appears in
    w = sympy.Rational(float(net.layers[0].weights[0, 0]))
    shown = render._derivation.NumberFormat(6).strings(w)[1]
    assert out.count(shown) >= 3  # node outputs, W, W~


def test_numeric_betas_are_the_exact_collapse_rounded():
    """The printed β's are the exact product of the float32 layers, rounded to 6 digits (computed with Fractions)."""
    from fractions import Fraction

    net = float32_net([3, 4, 2], seed=3)
    layers = net.layers
    aug = []
    for layer in layers:
        rows = [
            [Fraction(sympy.Rational(layer.biases[k]).p, sympy.Rational(layer.biases[k]).q)]
            + [Fraction(sympy.Rational(w).p, sympy.Rational(w).q) for w in layer.weights.row(k)]
            for k in range(layer.weights.rows)
        ]
        aug.append(rows)
    hidden, out_rows = aug[0], aug[1]
    hidden_aug = [[Fraction(1)] + [Fraction(0)] * 3] + hidden
    coeffs = [[sum(o[k] * hidden_aug[k][j] for k in range(5)) for j in range(4)] for o in out_rows]
    text = symnet.prove(net).to_text()
    fmt = render._derivation.NumberFormat(6)
    for i, row in enumerate(coeffs, start=1):
        for j, c in enumerate(row):
            assert f"β_{{{i},{j}}} = {fmt.strings(sympy.Rational(c.numerator, c.denominator))[1]}" in text


def test_digits_option_and_exact_numbers():
    net = float32_net([2, 2, 1])
    three = symnet.prove(net).to_text(digits=3)
    assert "3 significant digits" in three
    exact = symnet.prove(net).to_text(digits=None)
    assert "significant digits" not in exact and "/" in exact


def test_many_numeric_coefficients_are_given_by_the_size_rule():
    out = _first_text("float32 20-12-10")
    conc = out[out.index("Conclusion") :]
    assert "β_{1,0} = " in conc and "β_{1,1} = " in conc and "β_{10,20} = " in conc and "β_{3,0}" not in conc
    assert "too large" not in out


# ------------------------------------------------------------------ options
def test_rules_false_removes_every_rule_tag():
    proof = symnet.prove(symnet.dense(2, [2, 2]))
    assert "[define_layer]" in proof.to_text()
    for out in (proof.to_text(rules=False), proof.to_markdown(rules=False), proof.to_latex(rules=False)):
        assert not any(s.rule in out.replace(r"\_", "_") for s in proof.steps)
    gen = prove_generic(generic_dense("p", ["h"]))
    assert "[substitute_layer]" not in gen.to_text(rules=False)


def test_explicit_true_writes_every_coefficient_out():
    """2-[4,4]-1: β_0 has 1 + 4 + 16 = 21 paths (terms), β_j has 16; the size rule alone uses Σ."""
    proof = symnet.prove(symnet.dense(2, [4, 4]))
    assert "Σ_{k_2=0..4}" in proof.to_text()
    out = proof.to_text(explicit=True)
    conc = out[out.index("Conclusion") : out.index("This is")]
    b0 = " ".join(conc[conc.index("β_0 =") : conc.index("β_1 =")].split())
    assert b0.count(" + ") == 20
    b1 = " ".join(conc[conc.index("β_1 =") : conc.index("β_2 =")].split())
    assert b1.count(" + ") == 15


@pytest.mark.parametrize(
    "kw, error",
    [
        ({"digits": 0}, InvalidArgument),
        ({"digits": "3"}, InvalidType),
        ({"rules": "no"}, InvalidType),
        ({"explicit": 1}, InvalidType),
    ],
)
def test_bad_options_are_typed_errors(kw, error):
    proof = symnet.prove(symnet.dense(2, [2]))
    with pytest.raises(error):
        proof.to_text(**kw)


def test_cli_render_takes_the_same_options(capsys, tmp_path):
    cert = tmp_path / "net.json"
    assert main(["prove", "--inputs", "2", "--hidden", "2", "--format", "json", "-o", str(cert)]) == 0
    assert main(["render", str(cert), "--no-rules"]) == 0
    out = capsys.readouterr().out
    assert "Step 1" in out and "[define_layer]" not in out


def test_cli_options(capsys):
    assert main(["prove", "--inputs", "2", "--hidden", "2", "--no-rules"]) == 0
    out = capsys.readouterr().out
    assert "[define_layer]" not in out and "Step 1" in out
    assert main(["prove", "--inputs", "2", "--hidden", "4", "--hidden", "4", "--explicit"]) == 0
    assert "Σ_{k_2" not in capsys.readouterr().out
    assert main(["prove", "--inputs", "p", "--hidden", "h", "--no-rules"]) == 0
    out = capsys.readouterr().out
    assert "every positive integer p and h" in out and "[substitute_layer]" not in out
    with pytest.raises(SystemExit) as info:
        main(["prove", "--digits", "0"])
    assert info.value.code == 2
    assert "digits" in capsys.readouterr().err


# ------------------------------------------------------------------ properties
@pytest.mark.parametrize("name", sorted(CONCRETE))
def test_text_within_78_columns_and_deterministic(name):
    a, b = _first_text(name), _text(name)  # two proofs, each rendered afresh
    assert a == b
    assert max(len(s) for s in a.splitlines()) <= 78


# ------------------------------------------------------------------ refutations
def _cx(net):
    return symnet.refute(net)


@pytest.mark.parametrize(
    "net, act",
    [
        (symnet.dense(2, [2], activation="relu"), "relu"),
        (symnet.dense(1, [1], activation="tanh"), "tanh"),
        (float32_net([3, 2, 1], activation="relu", seed=1), "relu"),
    ],
    ids=["relu symbolic", "tanh", "relu float32"],
)
def test_refutation_states_network_activation_and_weights(net, act):
    cx = _cx(net)
    assert cx is not None and cx.check()
    out = cx.to_text()
    assert f"({act})" in out and f"p = {len(net.inputs)}" in out
    for s in cx.weights:
        assert f"{symnet.render._derivation.text_name(s.name)} = " in out
    assert "y_1 = σ(" in out
    assert max(len(s) for s in out.splitlines()) <= 78
    assert out == cx.to_text()
    assert r"\sigma" in cx.to_latex()


def test_every_latex_document_has_the_one_preamble():
    docs = [
        symnet.prove(symnet.dense(2, [3])).to_latex(document=True),
        prove_generic(generic_dense("p", ["h"])).to_latex(document=True),
        theorems.deep_linear_collapse.to_latex(document=True),
        _cx(symnet.dense(1, [1], activation="square")).to_latex(document=True),
    ]
    for doc in docs:
        assert doc.startswith(_latex.PREAMBLE + "\\begin{document}")


def test_readme_shows_the_true_end_of_symnet_prove(capsys):
    """Every line of the README's excerpt of `symnet prove` (``...`` aside) is in the output, in order."""
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("it ends like this:\n\n```text\n", 1)[1].split("```", 1)[0]
    assert main(["prove"]) == 0
    out = capsys.readouterr().out.splitlines()
    at = 0
    for line in block.splitlines():
        if line.strip() in ("...", ""):
            continue
        at = out.index(line, at) + 1


# ------------------------------------------------------------------ drawn networks
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.budget import examples  # noqa: E402


@st.composite
def drawn_networks(draw):
    """Symbolic, float32 and mixed networks of up to 3 hidden layers, widths 1..10, 1..3 outputs."""
    kind = draw(st.sampled_from(["symbolic", "float32", "mixed"]))
    p = draw(st.integers(1, 10))
    hidden = draw(st.lists(st.integers(1, 10), min_size=0 if kind == "symbolic" else 1, max_size=3))
    q = draw(st.integers(1, 3))
    if kind == "symbolic":
        act = draw(st.sampled_from(["identity", sympy.Lambda(t, 2 * t + 1), sympy.Lambda(t, t / 3)]))
        return symnet.dense(p, hidden, outputs=q, activation=act)
    net = float32_net([p, *hidden, q], seed=draw(st.integers(0, 2**16)))
    if kind == "mixed":
        ws = [sympy.Matrix(layer.weights) for layer in net.layers]
        ws[0][0, 0] = sympy.Symbol("a")
        return symnet.Network.from_matrices(ws, [list(layer.biases) for layer in net.layers])
    return net


@settings(max_examples=examples(12), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawn_networks())
def test_drawn_networks_render_within_78_columns_deterministically_with_every_symbol_defined(net):
    proof = symnet.prove(net, expand=False)
    a, b = proof.to_text(), proof.to_text()
    assert a == b
    assert max(len(s) for s in a.splitlines()) <= 78
    assert undefined_uses(a) == []
    assert proof.to_latex(document=True) == proof.to_latex(document=True)
