"""Coq's kernel re-checks symnet's exports: proofs, generic proofs, counterexamples (symnet.interop.coq).

Every export is compiled with a real ``coqc``; tampered exports must fail.
Skipped when coqc is missing, except in CI (``CI`` set), where .ci/run
installs it from .ci/apt-packages and a missing coqc is a failure.
Sizes are kept small (the largest is p = h = 30 with two hidden layers);
benchmarks/bench_coq.py measures the large ones.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import symnet
from symnet.cli.main import main
from symnet.errors import CertificateError, SymnetError
from symnet.interop import coq
from symnet.interop.coq import CoqExportError, coq_identifiers
from tests.budget import examples

pytestmark = pytest.mark.slow  # every export is compiled by coqc (seconds each)

COQC = shutil.which("coqc")
t = sympy.Symbol("t")
TIMES: dict[str, float] = {}


def _need_coqc() -> str:
    if COQC is None:
        if os.environ.get("CI"):
            pytest.fail("coqc is missing in CI: install the packages in .ci/apt-packages")
        pytest.skip("coqc is not installed (apt-get install coq)")
    return COQC


@pytest.fixture(scope="module")
def libdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped libraries compiled once, as Symnet.SymnetLinear and Symnet.SymnetGeneric."""
    exe = _need_coqc()
    where = tmp_path_factory.mktemp("symnet-coq-lib")
    for name in coq.LIBRARIES:
        (where / f"{name}.v").write_text(coq.library_text(name), encoding="utf-8")
        r = subprocess.run(
            [exe, "-Q", str(where), "Symnet", f"{name}.v"], cwd=where, capture_output=True, text=True, timeout=300
        )
        assert r.returncode == 0, r.stderr
    return where


def coqc(text: str, where: Path, libdir: Path | None = None, name: str = "Net") -> subprocess.CompletedProcess[str]:
    """Compile ``text``; returns coqc's result (and records the time under ``name``)."""
    exe = _need_coqc()
    path = where / f"{name}.v"
    path.write_text(text, encoding="utf-8")
    cmd = [exe, path.name] if libdir is None else [exe, "-Q", str(libdir), "Symnet", path.name]
    start = time.perf_counter()
    r = subprocess.run(cmd, cwd=where, capture_output=True, text=True, timeout=600)
    TIMES[name] = time.perf_counter() - start
    return r


def accepted(text: str, where: Path, libdir: Path | None = None, name: str = "Net") -> str:
    r = coqc(text, where, libdir, name)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    return r.stdout


def rejected(text: str, where: Path, libdir: Path, name: str = "Bad") -> None:
    r = coqc(text, where, libdir, name)
    assert r.returncode != 0, "coqc accepted a tampered export"


STANDARD_AXIOMS = {"ClassicalDedekindReals.sig_forall_dec", "FunctionalExtensionality.functional_extensionality_dep"}


def _assumptions(stdout: str, text: str) -> set[str]:
    """What Print Assumptions lists beyond Coq's axioms of the reals and the file's declared parameters."""
    listed = set(re.findall(r"^([A-Za-z_][\w.']*) :", stdout.split("Axioms:", 1)[-1], flags=re.M))
    params = {name for line in re.findall(r"^\s*Parameters (.*) : R\.$", text, flags=re.M) for name in line.split()}
    return listed - STANDARD_AXIOMS - params


def _assumptions_ok(stdout: str, text: str = "") -> None:
    assert "Axioms:" in stdout or "Closed under the global context" in stdout, stdout[-500:]
    extra = _assumptions(stdout, text)
    assert not extra, extra


# ------------------------------------------------------------ linear proofs
def test_seed_network_standalone(tmp_path: Path) -> None:
    """The seed dense(3, [3]) checks as one self-contained file, with only the axioms of the reals."""
    text = symnet.prove(symnet.dense(3, [3])).to_coq()
    out = accepted(text, tmp_path, name="Seed")
    _assumptions_ok(out, text)
    # the statement is the one a reader expects: W*_j = sum_k c_k b_{k,j}, b* = c_0 + sum_k c_k b_{k,0}
    assert "Theorem net_collapse : forall x : vector, length x = 3%nat -> eval net x = affine Wstar bstar x." in text
    wstar = re.search(r"Definition Wstar : matrix :=\s*(\[\[.*?\]\])\.", text, flags=re.S).group(1)
    for j in (1, 2, 3):
        for k in (1, 2, 3):
            assert f"b_{k}_{j} * c_{k}" in wstar
    assert "Lemma substitute_layer_1" in text and "Lemma read_output_layer" in text


SHAPES = [
    ((1, []), "explicit"),
    ((2, [2, 2]), "explicit"),
    ((3, [4, 2], 2), "explicit"),
    ((4, [3, 3, 3]), "explicit"),
    ((30, [30, 30]), "product"),
]


@pytest.mark.parametrize("shape,form", SHAPES, ids=[str(s) for s, _ in SHAPES])
def test_symbolic_shapes(shape: tuple, form: str, tmp_path: Path, libdir: Path) -> None:
    """A spread of symbolic shapes, up to p = h = 30 with two hidden layers, checks layer by layer."""
    p, hidden, *q = shape
    proof = symnet.prove(symnet.dense(p, hidden, outputs=q[0] if q else 1))
    assert proof.is_explicit == (form == "explicit")
    text = proof.to_coq(standalone=False)
    assert text.count("Lemma substitute_layer_") == len(hidden)
    accepted(text, tmp_path, libdir, name=f"Shape_{p}_{'_'.join(map(str, hidden))}")


def test_affine_activations(tmp_path: Path, libdir: Path) -> None:
    """Affine activations with numeric, rational and symbolic coefficients."""
    a, d = sympy.symbols("a d")
    for i, act in enumerate(
        [sympy.Lambda(t, 2 * t + 1), sympy.Lambda(t, t / 3 - sympy.Rational(1, 2)), sympy.Lambda(t, a * t + d)]
    ):
        text = symnet.prove(symnet.dense(2, [2, 2], activation=act)).to_coq(standalone=False)
        accepted(text, tmp_path, libdir, name=f"Affine{i}")


def test_mixed_symbols_and_floats(tmp_path: Path, libdir: Path) -> None:
    """Symbolic weights next to float weights: the floats are written as their exact binary rationals."""
    net = symnet.Network.from_matrices([[[0.1, "w"], [1.5, 2]], [["c", 0.25]]], [["b", 0.3], [1]])
    text = symnet.prove(net).to_coq(standalone=False)
    f = Fraction(0.1)
    assert f"[[({f.numerator} / {f.denominator}); w];" in text
    accepted(text, tmp_path, libdir, name="Mixed")


def _float32_network(sizes: list[int], seed: int) -> symnet.Network:
    rng = np.random.default_rng(seed)
    ws = [rng.standard_normal((sizes[i + 1], sizes[i])).astype(np.float32) for i in range(len(sizes) - 1)]
    bs = [rng.standard_normal(sizes[i + 1]).astype(np.float32) for i in range(len(sizes) - 1)]
    return symnet.Network.from_matrices(ws, bs), ws, bs  # type: ignore[return-value]


def _q_matrix(text: str, name: str) -> list[list[Fraction]]:
    body = re.search(rf"Definition {name} : list \(list Q\) :=\s*(\[\[.*?\]\])\.", text, flags=re.S).group(1)
    return [[Fraction(int(n), int(d)) for n, d in re.findall(r"\((-?\d+) # (\d+)\)", row)] for row in body.split("];")]


def test_numeric_float32_network(tmp_path: Path, libdir: Path) -> None:
    """A trained-like 8-16-4 float32 network: exact binary rationals, checked by computation in Q."""
    net, ws, bs = _float32_network([8, 16, 4], seed=0)
    text = symnet.prove(net).to_coq(standalone=False)
    # the file states the network's own weights, exactly (an independent reading of the float32 values)
    assert _q_matrix(text, "W_1") == [[Fraction(float(v)) for v in row] for row in ws[0]]
    # ... and the claim W* = W_2 W_1 computed here with Fractions
    expect = [
        [sum(Fraction(float(ws[1][i, k])) * Fraction(float(ws[0][k, j])) for k in range(16)) for j in range(8)]
        for i in range(4)
    ]
    assert _q_matrix(text, "Wstar") == expect
    out = accepted(text, tmp_path, libdir, name="Float32_8_16_4")
    assert "vm_compute" in text and "lra" not in text.split("Module Net.")[1]
    _assumptions_ok(out, text)


def test_numeric_product_form(tmp_path: Path, libdir: Path) -> None:
    """A numeric network whose claim is in product form checks too."""
    rng = np.random.default_rng(1)
    ws = [rng.integers(-3, 4, size=(12, 12)) for _ in range(4)] + [rng.integers(-3, 4, size=(1, 12))]
    net = symnet.Network.from_matrices(ws, [rng.integers(-3, 4, size=w.shape[0]) for w in ws])
    proof = symnet.prove(net)
    text = proof.to_coq(standalone=False)
    accepted(text, tmp_path, libdir, name="NumericProduct")


# --------------------------------------------------------------- tampering
def _tamper(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def test_tampered_symbolic_exports_fail(tmp_path: Path, libdir: Path) -> None:
    """A changed coefficient, a changed weight or a dropped lemma makes coqc fail."""
    text = symnet.prove(symnet.dense(2, [2])).to_coq(standalone=False)
    accepted(text, tmp_path, libdir, name="Good")
    rejected(_tamper(text, "[[((b_1_1 * c_1) +", "[[((2 * b_1_1 * c_1) +"), tmp_path, libdir, "BadCoeff")
    rejected(
        _tamper(text, "Definition b_1 : vector := [b_1_0;", "Definition b_1 : vector := [b_1_1;"),
        tmp_path,
        libdir,
        "BadBias",
    )
    lemma = re.search(r"Lemma substitute_layer_1 .*?Qed\.\n", text, flags=re.S).group(0)
    rejected(text.replace(lemma, ""), tmp_path, libdir, "DroppedLemma")
    rejected(
        _tamper(text, "Definition P_1 : matrix :=\n  [[1; 0; 0];", "Definition P_1 : matrix :=\n  [[1; 0; 1];"),
        tmp_path,
        libdir,
        "BadFactor",
    )
    # an admitted lemma compiles, but Print Assumptions names it
    lemma = re.search(r"Lemma product .*?Qed\.", text, flags=re.S).group(0)
    admitted = text.replace(lemma, lemma.split("Proof.")[0] + "Proof. Admitted.")
    out = accepted(admitted, tmp_path, libdir, name="Admitted")
    assert _assumptions(out, admitted) == {"product"}


def test_tampered_product_and_numeric_exports_fail(tmp_path: Path, libdir: Path) -> None:
    """Tampering a product-form factor or one exact rational weight makes coqc fail."""
    proof = symnet.prove(symnet.dense(4, [4] * 7))  # deep and narrow: a product-form claim
    assert not proof.is_explicit
    text = proof.to_coq(standalone=False)
    accepted(text, tmp_path, libdir, name="Deep")
    rejected(
        _tamper(text, "[[c_0; c_1; c_2; c_3; c_4]]", "[[c_0; c_1; c_2; c_4; c_3]]"), tmp_path, libdir, "BadOutputRow"
    )
    lemma = re.search(r"Lemma substitute_layer_4 .*?Qed\.\n", text, flags=re.S).group(0)
    rejected(text.replace(lemma, ""), tmp_path, libdir, "DroppedDeepLemma")
    net, _, _ = _float32_network([3, 4, 2], seed=3)
    text = symnet.prove(net).to_coq(standalone=False)
    accepted(text, tmp_path, libdir, name="SmallFloat")
    m = re.search(r"Definition Wstar : list \(list Q\) :=\s*\[\[\((-?\d+) # (\d+)\)", text)
    old = f"[[({m.group(1)} # {m.group(2)})"
    rejected(_tamper(text, old, f"[[({int(m.group(1)) + 1} # {m.group(2)})"), tmp_path, libdir, "BadRational")


# ------------------------------------------------------------ generic proofs
@pytest.mark.parametrize(
    "builder",
    [
        lambda: symnet.dense("p", ["h"]),
        lambda: symnet.dense("p", []),
        lambda: symnet.dense("p", ["h1", "h2"], outputs="q", activation=sympy.Lambda(t, 2 * t + 1)),
        lambda: symnet.dense("p", ["h", 3], activation=sympy.Lambda(t, sympy.Symbol("a") * t + sympy.Symbol("d"))),
    ],
    ids=["p-h", "p", "p-h1-h2-q-affine", "p-h-3-symbolic"],
)
def test_generic_proofs(builder, tmp_path: Path, libdir: Path) -> None:
    """A generic proof is stated for all sizes (section variables p, h : nat) and proved from the rules."""
    proof = symnet.prove(builder())
    text = proof.to_coq(standalone=False)
    assert re.search(r"Variables p( \w+)* : nat\.", text)
    out = accepted(text, tmp_path, libdir, name="Generic")
    _assumptions_ok(out, text)


def test_generic_tampered_claim_fails(tmp_path: Path, libdir: Path) -> None:
    """Changing the generic claim b* = c_0 + C b_0 (dropping C b_0) makes coqc fail."""
    text = symnet.prove(symnet.dense("p", ["h"])).to_coq(standalone=False)
    rejected(
        _tamper(text, "Definition bstar : vec := (vadd (mv h W_2 b_1) b_2).", "Definition bstar : vec := b_2."),
        tmp_path,
        libdir,
    )


# ------------------------------------------------------------ counterexamples
@pytest.mark.parametrize("act", ["relu", "leaky_relu", "square"])
def test_counterexamples(act: str, tmp_path: Path, libdir: Path) -> None:
    """A counterexample checks: exact values at u, v, m, the defect, and no affine map fits."""
    cx = symnet.refute(symnet.dense(2, [3], activation=act))
    assert cx is not None
    text = cx.to_coq(standalone=False)
    assert "Theorem not_affine : ~ exists W b, forall x, eval net x = affine W b x." in text
    out = accepted(text, tmp_path, libdir, name=f"Cx_{act}")
    _assumptions_ok(out, text)


def test_tampered_counterexample_fails(tmp_path: Path, libdir: Path) -> None:
    """A changed defect fails coqc."""
    cx = symnet.refute(symnet.dense(1, [1], activation="relu"))
    text = cx.to_coq(standalone=False)
    line = re.search(r"Lemma defect : .* = (.*)\.\n", text)
    rejected(
        text.replace(line.group(0), line.group(0).replace(f"= {line.group(1)}.", f"= {line.group(1)} + 1.")),
        tmp_path,
        libdir,
    )


def test_counterexample_transcendental_refused() -> None:
    """A tanh counterexample is not exported (the defect is not rational)."""
    cx = symnet.refute(symnet.dense(1, [1], activation="tanh"))
    with pytest.raises(CoqExportError):
        cx.to_coq()


# ---------------------------------------------------------- hostile inputs
def test_kernel_rejected_certificate_is_not_exported() -> None:
    """A certificate whose claim was changed is refused by symnet's kernel before any export."""
    data = json.loads(symnet.prove(symnet.dense(2, [2])).to_json())
    data["expressions"].append(["int", "7"])
    data["claim"]["offset"][0] = len(data["expressions"]) - 1
    proof = symnet.Proof.from_json(json.dumps(data))
    with pytest.raises(CertificateError):
        proof.to_coq()


def test_direct_only_certificate_refused() -> None:
    """Only the layer-wise route is exported (never one flat ring over the expansion)."""
    data = json.loads(symnet.prove(symnet.dense(2, [2])).to_json())
    data["steps"] = [s for s in data["steps"] if s["rule"] == "expand_and_compare"]
    data["claim"]["routes"] = ["direct"]
    with pytest.raises(CoqExportError, match="layer-wise"):
        symnet.Proof.from_json(json.dumps(data)).to_coq()


def test_wrong_types_refused() -> None:
    with pytest.raises(CoqExportError):
        coq.proof_to_coq("not a proof")
    with pytest.raises(CoqExportError):
        coq.library_text("../../etc/passwd")


def test_hostile_names_compile(tmp_path: Path, libdir: Path) -> None:
    """Symbol names that clash (b_{1,2} vs b_1_2), are keywords or are not ASCII map injectively and compile."""
    W1 = sympy.Matrix([[sympy.Symbol("b_{1,2}"), sympy.Symbol("b_1_2")], [sympy.Symbol("fun"), sympy.Symbol("Wstar")]])
    b1 = sympy.Matrix([sympy.Symbol("match"), sympy.Symbol("R")])
    W2 = sympy.Matrix([[sympy.Symbol("P_1"), sympy.Symbol("α")]])
    b2 = sympy.Matrix([sympy.Symbol("s_b__1__2")])
    net = symnet.Network.from_matrices([W1, W2], [b1, b2])
    text = symnet.prove(net).to_coq(standalone=False)
    accepted(text, tmp_path, libdir, name="Hostile")


def test_numeric_affine_activation_and_shadowing_weight(tmp_path: Path, libdir: Path) -> None:
    """A numeric network with an affine activation (field on Q2R), and a weight named like the activation's variable."""
    net = symnet.Network.from_matrices(
        [[[1.5, -2], [0.25, 3]], [[1, 2]]], [[1, 0.5], [2]], activation=sympy.Lambda(t, 2 * t + sympy.Rational(1, 3))
    )
    accepted(symnet.prove(net).to_coq(standalone=False), tmp_path, libdir, name="NumAffine")
    net = symnet.Network.from_matrices([[["t", 1]], [["w"]]], [[0], ["t"]], activation=sympy.Lambda(t, 3 * t))
    text = symnet.prove(net).to_coq(standalone=False)
    assert "Parameters s_t w : R." in text
    accepted(text, tmp_path, libdir, name="ShadowT")


def test_hostile_dag_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """An expression DAG that would print as an exponential tree is refused, not printed."""
    e = sympy.Symbol("a")
    for _ in range(60):
        e = sympy.Mul(e + 1, e + 2, evaluate=False)
    monkeypatch.setattr(coq, "MAX_TERM_NODES", 10_000)
    with pytest.raises(CoqExportError):
        coq.to_term(e, budget=[10_000])
    with pytest.raises(CoqExportError):
        coq.to_term(sympy.exp(sympy.Symbol("a")))


def _evaluate(term: coq.Term, env: dict[str, Fraction]) -> Fraction:
    """A Term's value, by a route independent of sympy (Fractions)."""
    if term.kind == "num":
        return term.value
    if term.kind == "var":
        return env[term.name]
    args = [_evaluate(a, env) for a in term.args]
    if term.kind == "add":
        return sum(args, Fraction(0))
    if term.kind == "mul":
        out = Fraction(1)
        for a in args:
            out *= a
        return out
    assert term.kind == "pow"
    return args[0] ** term.value


_leaves = st.one_of(
    st.sampled_from([sympy.Symbol("a"), sympy.Symbol("b_{1,2}"), sympy.Symbol("c_0")]),
    st.fractions(max_denominator=50).map(sympy.Rational),
    st.floats(-1e3, 1e3, allow_nan=False, width=32).map(sympy.Float),
)
_exprs = st.recursive(
    _leaves,
    lambda inner: st.one_of(
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: sympy.Add(*xs)),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: sympy.Mul(*xs)),
        st.tuples(inner, st.integers(0, 3)).map(lambda t: sympy.Pow(t[0], t[1])),
    ),
    max_leaves=8,
)


@settings(max_examples=examples(60))
@given(_exprs, st.lists(st.fractions(max_denominator=20), min_size=3, max_size=3))
def test_terms_keep_the_value(expr: sympy.Expr, point: list[Fraction]) -> None:
    """A Term has the value of its sympy expression at every rational point (floats read exactly)."""
    names = ["a", "b_{1,2}", "c_0"]
    term = coq.to_term(expr)
    env = dict(zip(names, point, strict=True))
    exact = expr.xreplace({f: sympy.Rational(f) for f in expr.atoms(sympy.Float)})
    expect = exact.xreplace({sympy.Symbol(n): sympy.Rational(v.numerator, v.denominator) for n, v in env.items()})
    assert _evaluate(term, env) == Fraction(int(expect.p), int(expect.q))


@settings(max_examples=examples(60))
@given(
    st.lists(
        st.text(alphabet=st.sampled_from("ab_{},^()0123α sfun"), min_size=1, max_size=8),
        min_size=1,
        max_size=12,
        unique=True,
    )
)
def test_identifiers_injective(names: list[str]) -> None:
    """coq_identifiers is injective and gives valid identifiers that avoid keywords and the reserved names."""
    idents = coq_identifiers(names, reserved={"Wstar", "net"})
    assert len(set(idents.values())) == len(set(names))
    for v in idents.values():
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", v)
        assert v not in {"Wstar", "net", "fun", "match", "R"}


# -------------------------------------------------------------------- CLI
def test_cli_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """symnet export --coq: 0 and a file coqc accepts; 2 for bad input; 1 for a rejected certificate."""
    _need_coqc()
    cert = tmp_path / "cert.json"
    cert.write_text(symnet.prove(symnet.dense(2, [2])).to_json())
    assert main(["export", "--coq", str(cert), "-o", str(tmp_path / "Net.v"), "--check"]) == 0
    assert "checked by coqc" in capsys.readouterr().out
    gen = tmp_path / "gen.json"
    gen.write_text(symnet.prove(symnet.dense("p", ["h"])).to_json())
    assert main(["export", "--coq", str(gen), "-o", str(tmp_path / "Gen.v"), "--check", "--no-inline"]) == 0
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "nonsense"}')
    assert main(["export", "--coq", str(bad)]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert main(["export", str(cert)]) == 2  # no target
    data = json.loads(cert.read_text())
    data["expressions"].append(["int", "7"])
    data["claim"]["offset"][0] = len(data["expressions"]) - 1
    cert.write_text(json.dumps(data))
    assert main(["export", "--coq", str(cert), "-o", str(tmp_path / "X.v")]) == 1
    assert "rejected" in capsys.readouterr().err


def test_library_files_shipped() -> None:
    """The .v libraries are package data and never claim what they do not prove."""
    for name in coq.LIBRARIES:
        text = coq.library_text(name)
        assert "Admitted" not in text and "Axiom" not in text
        assert Path(coq.library_path(name)).is_file()


def teardown_module() -> None:
    if TIMES:
        print("\ncoqc times (s): " + ", ".join(f"{k} {v:.1f}" for k, v in sorted(TIMES.items())))


def test_export_errors_are_symnet_errors() -> None:
    assert issubclass(CoqExportError, SymnetError) and issubclass(CoqExportError, ValueError)
