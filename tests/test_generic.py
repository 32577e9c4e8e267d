"""Dimension-generic networks and proofs: builder, generic kernel, instantiation, rendering, JSON."""

from __future__ import annotations

import dataclasses
import json
import pathlib
import random
import shutil
import subprocess

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import symnet
from symnet import CertificateError, GenericNetwork, GenericProof, InvalidArgument, NotLinearError, ShapeError
from symnet.kernel import generic as gk
from symnet.model import generic as gm
from symnet.model.generic import Lin, MatAtom
from symnet.model.generic_selftest import STATEMENTS, self_check
from tests.test_architecture import modules_loaded_by

ROOT = pathlib.Path(symnet.__file__).parent
t = sympy.Symbol("t")
p_, h_ = gm.size_symbol("p"), gm.size_symbol("h")


def expand0(m: sympy.MatrixBase) -> bool:
    return all(sympy.expand(v) == 0 for v in m)


# ------------------------------------------------------------------ builder
def test_dense_with_named_sizes_builds_a_generic_network():
    """dense("p", [3]) and dense("p", ["h"]) give GenericNetworks with symbolic sizes."""
    a = symnet.dense("p", [3])
    b = symnet.dense("p", ["h"])
    assert isinstance(a, GenericNetwork) and isinstance(b, GenericNetwork)
    assert a.sizes == (p_, 3, 1) and b.sizes == (p_, h_, 1)
    assert b.size_symbols == (p_, h_)
    assert repr(b) == "GenericNetwork(inputs='p', hidden=['h'], outputs=1, activation='identity')"


@pytest.mark.parametrize("bad", ["x_1", "", "1p", "p h", "__import__('os')", "p+1", "x", "b", "W", "a" * 17, "p\n"])
def test_bad_size_names_are_rejected(bad):
    """Size names are plain identifiers (never evaluated); others raise InvalidArgument naming the value."""
    with pytest.raises(InvalidArgument, match="size name"):
        symnet.dense(bad, [3])
    with pytest.raises(ValueError):
        symnet.dense(3, [bad])


def test_bad_widths_still_rejected():
    """Non-positive and non-integer widths are refused with typed errors."""
    with pytest.raises(InvalidArgument):
        symnet.dense("p", [0])
    with pytest.raises(TypeError):
        symnet.dense("p", [1.5])


def test_non_affine_activation_is_not_linear_for_general_sizes():
    """A relu network of symbolic size raises NotLinearError naming the layer."""
    with pytest.raises(NotLinearError) as info:
        symnet.prove(symnet.dense("p", ["h"], activation="relu"))
    assert info.value.layer == 1


# ------------------------------------------------------------ matrix layer
def test_lin_checks_symbolic_shapes():
    """A product whose inner sizes differ symbolically raises ShapeError naming both shapes."""
    W = Lin.of(MatAtom("W", h_, p_))
    with pytest.raises(ShapeError, match="h x p"):
        W @ W
    with pytest.raises(ShapeError):
        W + Lin.of(MatAtom("V", p_, h_))


def test_lin_normal_form_distributes_and_commutes_scalars():
    """(a V)(M + N) and a V M + a V N have the same normal form."""
    a = sympy.Symbol("a")
    V, M, N = (Lin.of(MatAtom(n, s1, s2)) for n, s1, s2 in (("V", h_, p_), ("M", p_, h_), ("N", p_, h_)))
    assert V.scale(a) @ (M + N) == (V @ M).scale(a) + (V @ N).scale(a)
    assert V @ M != M @ V


# ----------------------------------------------------------- generic kernel
@pytest.mark.parametrize("name", sorted(gk.RULES))
def test_every_rule_passes_its_self_check(name):
    """Each rule holds on fresh symbols at its whole spread of concrete sizes (1..3 each, and larger)."""
    assert self_check(gk.RULES[name]) >= 11



def test_the_rule_table_the_reader_and_the_derivation_name_the_same_rules():
    """The reader admits model.generic.STEP_RULES; the kernel's rule table and a proof's steps use those names, in
    that order (read, substitute, multiply, apply, conclude, rank: written out here)."""
    order = ("read_output_layer", "substitute_layer", "multiply_augmented", "apply_output_row")
    assert gm.STEP_RULES == (*order, "conclude_linear_form", "factor_rank") == tuple(gk.RULES)
    steps = gk.derived_steps(symnet.dense("p", ["h", 2]))
    assert [s.rule for s in steps] == [order[0], order[1], order[1], order[2], order[3], *gm.STEP_RULES[-2:]]

def _wrong_results():
    R = gk.RULES
    return [
        ("multiply_augmented", lambda o, e: o.aug(o.mul(e["V"], e["v"]), o.mul(e["V"], e["M"]))),  # drops c
        (
            "apply_output_row",
            lambda o, e: o.outrow(o.add(e["c"], o.mul(e["C"], e["v"])), o.scale(2, o.mul(e["C"], e["M"]))),
        ),
        ("substitute_layer", lambda o, e: o.aug(o.scale(e["a"], e["b"]), o.scale(e["a"], e["W"]))),  # drops d
        ("read_output_layer", lambda o, e: o.outrow(o.scale(0, e["b"]), e["W"])),
        ("conclude_linear_form", lambda o, e: o.mul(e["C"], e["x"])),
    ], R


@pytest.mark.parametrize("index", range(5))
def test_a_wrong_rule_is_caught_by_its_self_check(monkeypatch, index):
    """Mutating a rule's result in the kernel's rule table makes its self-check fail (the tests run it for every
    rule on every commit; the kernel's check relies on the rules and no longer re-runs it).  A rule that shapes
    the proof then makes a wrong one, which the concrete kernel rejects at an instance (conclude_linear_form
    shapes only the check of the claim)."""
    wrong, R = _wrong_results()
    name, result = wrong[index]
    monkeypatch.setitem(R, name, dataclasses.replace(R[name], result=result))
    with pytest.raises(CertificateError, match=name):
        self_check(R[name])
    if name != "conclude_linear_form":
        proof = symnet.prove(symnet.dense("p", ["h", 2], activation=sympy.Lambda(t, 2 * t - 1)))
        with pytest.raises(CertificateError):
            proof.instantiate(p=2, h=2).check()


def test_every_rule_has_a_statement():
    """The self-test covers the whole rule table, and states nothing about a rule the kernel does not have."""
    assert set(STATEMENTS) == set(gk.RULES)


@pytest.mark.slow
def test_the_kernel_loads_no_self_test():
    """The trusted base does not load the rules' self-test (nor the builder it evaluates the rules with)."""
    loaded = modules_loaded_by("kernel")
    assert "symnet.model.generic_selftest" not in loaded and "symnet.model.generic_build" not in loaded


def test_a_wrong_rank_rule_is_caught(monkeypatch):
    """Claiming rank(A B) <= 0 fails the minors self-check."""
    statement = STATEMENTS["factor_rank"]
    monkeypatch.setitem(STATEMENTS, "factor_rank", dataclasses.replace(statement, bound=None))
    with pytest.raises(CertificateError, match="factor_rank"):
        self_check(gk.RULES["factor_rank"])


# ------------------------------------------------------------------ proofs
def test_prove_returns_a_generic_proof_with_the_seed_claim():
    """For dense("p", ["h"]): W* = C B and b* = c_0 + C b_0, built here from the atoms by hand."""
    net = symnet.dense("p", ["h"])
    proof = symnet.prove(net)
    assert isinstance(proof, GenericProof) and proof.check() is True
    C, B, b0, c0 = net.weight(2), net.weight(1), net.bias(1), net.bias(2)
    assert proof.matrix == Lin(1, p_, (((C, B), sympy.Integer(1)),))
    assert proof.offset == Lin(1, 1, (((C, b0), sympy.Integer(1)), ((c0,), sympy.Integer(1))))
    assert [s.rule for s in proof.steps] == [
        "read_output_layer", "substitute_layer", "apply_output_row", "conclude_linear_form", "factor_rank"]


def test_depth_three_affine_claim():
    """W* of an affine net is a_1 a_2 a_3 C B3 B2 B1 (hand-derived)."""
    a = sympy.Symbol("a")
    net = symnet.dense("p", ["h", "g", 2], outputs="q", activation=sympy.Lambda(t, a * t + 1))
    proof = symnet.prove(net)
    assert proof.check()
    word = tuple(net.weight(l) for l in (4, 3, 2, 1))
    assert proof.matrix == Lin(gm.size_symbol("q"), p_, ((word, a**3),))


def _random_sizes(rng: random.Random) -> tuple[list[str], dict[str, int], int, list[int]]:
    depth = rng.choice([0, 1, 1, 1, 2])
    names = ["h", "g"][:depth]
    values = {"p": rng.randint(1, 4), **{n: rng.randint(1, 4) for n in names}}
    return names, values, depth, [values[n] for n in names]


def test_fifty_random_instantiations_agree_with_concrete_proofs():
    """At 50 random sizes instantiate() checks and gives the same network, W* and b* as prove(dense(...))."""
    rng = random.Random(8)
    generic = {}
    for _ in range(50):
        names, values, depth, widths = _random_sizes(rng)
        key = tuple(names)
        if key not in generic:
            generic[key] = symnet.prove(symnet.dense("p", names))
        inst = generic[key].instantiate(**values)
        direct = symnet.prove(symnet.dense(values["p"], widths))
        assert inst.check() is True
        assert inst.network == direct.network
        assert expand0(inst.matrix - direct.matrix) and expand0(inst.offset - direct.offset)


@given(p=st.integers(1, 4), h=st.integers(1, 4), q=st.integers(1, 3), slope=st.integers(-3, 3), bias=st.integers(-2, 2))
def test_instantiate_agrees_with_concrete_proof_property(p, h, q, slope, bias):
    """Affine activations and several outputs: the instantiated certificate equals the concrete proof."""
    act = sympy.Lambda(t, slope * t + bias)
    inst = symnet.prove(symnet.dense("p", ["h"], outputs="q", activation=act)).instantiate(p=p, h=h, q=q)
    direct = symnet.prove(symnet.dense(p, [h], outputs=q, activation=act))
    assert inst.check()
    assert inst.network == direct.network
    assert expand0(inst.matrix - direct.matrix) and expand0(inst.offset - direct.offset)


def test_instantiate_validates_its_keywords():
    """One keyword per size symbol, each a positive integer."""
    proof = symnet.prove(symnet.dense("p", ["h"]))
    with pytest.raises(InvalidArgument, match="missing"):
        proof.instantiate(p=2)
    with pytest.raises(InvalidArgument, match="no size named"):
        proof.instantiate(p=2, h=2, z=1)
    with pytest.raises(InvalidArgument):
        proof.instantiate(p=0, h=2)
    with pytest.raises(InvalidArgument):
        proof.instantiate(p=True, h=2)


def test_tampered_claim_is_rejected():
    """A certificate whose claim drops a term of b* fails check() naming the conclusion."""
    proof = symnet.prove(symnet.dense("p", ["h"]))
    cert = proof.certificate
    bad = dataclasses.replace(cert, offset=Lin.of(cert.network.bias(2)))
    with pytest.raises(CertificateError, match="conclude_linear_form"):
        GenericProof(bad).check()


def test_tampered_factor_is_rejected():
    """A substitute_layer step stating a wrong factor is rejected at that step."""
    proof = symnet.prove(symnet.dense("p", ["h"]))
    steps = list(proof.steps)
    f = steps[1].value
    steps[1] = dataclasses.replace(steps[1], value=gm.Aug(f.v.scale(2), f.M))
    with pytest.raises(CertificateError) as info:
        GenericProof(dataclasses.replace(proof.certificate, steps=tuple(steps))).check()
    assert info.value.step == 1 and info.value.rule == "substitute_layer"



def test_a_step_at_the_wrong_layer_is_rejected():
    """Every step that names a layer (all but the conclusion and the rank bound) is refused one layer off."""
    cert = symnet.prove(symnet.dense("p", ["h", "m", 3])).certificate
    layers = [4, 3, 2, 1, 2, 3, 4]  # read_output_layer, substitute 3..1, multiply 2..3, apply_output_row (by hand)
    assert [s.layer for s in cert.steps[:7]] == layers
    for index, step in enumerate(cert.steps[:7]):
        for shift in (-1, 1):
            moved = dataclasses.replace(step, layer=step.layer + shift)
            bad = dataclasses.replace(cert, steps=(*cert.steps[:index], moved, *cert.steps[index + 1 :]))
            with pytest.raises(CertificateError) as info:
                gk.check(bad)
            assert (info.value.step, info.value.rule) == (index, step.rule)

# -------------------------------------------------------------------- JSON
@pytest.mark.parametrize("make", [
    lambda: symnet.dense("p", [3]),
    lambda: symnet.dense("p", [3, "h"], outputs="q", activation=sympy.Lambda(t, 2 * t - 1)),
])
def test_json_round_trip(make):
    """to_json / from_json give an equal proof that checks, and the same bytes."""
    proof = symnet.prove(make())
    text = proof.to_json()
    back = GenericProof.from_json(text)
    assert back == proof and back.check() and back.to_json() == text


def test_tampered_json_is_rejected():
    """A changed coefficient fails check(); garbage fails from_json with CertificateError."""
    proof = symnet.prove(symnet.dense("p", ["h"], activation=sympy.Lambda(t, 2 * t)))
    data = json.loads(proof.to_json())
    data["expressions"].append(["int", "3"])
    data["claim"]["matrix"]["terms"][0][1] = len(data["expressions"]) - 1  # W* = 3 C B instead of 2 C B
    with pytest.raises(CertificateError):
        GenericProof.from_json(json.dumps(data)).check()
    for junk in ["", "[]", '{"format": 1}', json.dumps({**data, "steps": [{"rule": "nope", "layer": 1, "value": {}}]})]:
        with pytest.raises(CertificateError):
            GenericProof.from_json(junk)


# --------------------------------------------------------------- rendering
def test_text_derivation_is_general_and_correct():
    """General p with …, h rows b_{h,0} … b_{h,p}, the (h+1) × (p+1) augmented matrix, the rank bound."""
    text = symnet.prove(symnet.dense("p", ["h"])).to_text()
    for piece in ["b_{k,p} x_p", "b_{h,0}", "b_{h,p}", "(h × (p+1))", "((h+1) × (p+1))", "h rows, not p",
                  "W* = C B", "b* = c_0 + C b_0", "rank W* ≤ min(p, h, 1)", "for every positive integer p and h"]:
        assert piece in text, piece
    assert text == symnet.prove(symnet.dense("p", ["h"])).to_text()


def test_concrete_width_shows_its_rows():
    """dense("p", [3]) writes rows 1, 2, 3 and general columns 0 … p."""
    text = symnet.prove(symnet.dense("p", [3])).to_text()
    assert "b_{3,p}" in text and "b_{4," not in text and "(3 × (p+1))" in text


def test_markdown_and_latex():
    """Markdown has $…$ math with \\dots; LaTeX has bmatrix and the augmented shape."""
    proof = symnet.prove(symnet.dense("p", ["h"]))
    md, tex = proof.to_markdown(), proof.to_latex()
    assert "$$" in md and r"b_{h,p}" in md and r"\dots" in md
    assert r"\begin{bmatrix}" in tex and r"(h+1) \times (p+1)" in tex


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("make", [  # one pdflatex run in the quick loop; CI compiles all three
    lambda: symnet.dense("p", ["h"]),
    pytest.param(lambda: symnet.dense("p", []), marks=pytest.mark.slow),
    pytest.param(lambda: symnet.dense("p", [3, "h"], outputs="q", activation=sympy.Lambda(t, 2 * t - 1)),
                 marks=pytest.mark.slow),
])
def test_latex_document_compiles(tmp_path, make):
    """to_latex(document=True) compiles with pdflatex -halt-on-error."""
    (tmp_path / "g.tex").write_text(symnet.prove(make()).to_latex(document=True), encoding="utf-8")
    r = subprocess.run(["pdflatex", "-halt-on-error", "-interaction=nonstopmode", "-no-shell-escape", "g.tex"],
                       cwd=tmp_path, capture_output=True, text=True, errors="replace", timeout=120)
    assert r.returncode == 0, r.stdout[-2000:]
