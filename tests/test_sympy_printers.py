"""Calling symnet from sympy: sympy's own printers, lookup by name, generic proofs as MatrixExpr, locate floats."""

from __future__ import annotations

import pickle
import re
import shutil
import subprocess
from fractions import Fraction

import numpy as np
import pytest
import sympy

import symnet
from symnet.codegen import identifier
from symnet.errors import UnknownName
from symnet.results.generic import matrix_symbol

T = sympy.Symbol("t")


def _proofs() -> dict[str, symnet.Proof]:
    """One proof of every kind whose W* entries are expressions: symbolic, deep, affine-activation, numeric."""
    a, d = sympy.symbols("a d")
    return {
        "linear": symnet.prove(symnet.dense(2, [3], 2)),
        "single": symnet.prove(symnet.dense(3, [])),
        "deep": symnet.prove(symnet.dense(2, [2, 3, 2], 2)),
        "affine": symnet.prove(symnet.dense(2, [2], 1, sympy.Lambda(T, a * T + d))),
        "generic-instance": symnet.prove(symnet.dense("p", ["h"], "q")).instantiate(p=2, h=3, q=2),
        "numeric": symnet.prove(
            symnet.Network.from_matrices(
                [[[Fraction(1, 3), -2], [0.5, 7]], [[1, Fraction(-5, 2)]]], [[1, 0], [Fraction(2, 7)]]
            )
        ),
    }


PROOFS = _proofs()


def _entries(proof: symnet.Proof) -> list[sympy.Expr]:
    return [*proof.matrix, *proof.offset]


@pytest.mark.parametrize("kind", sorted(PROOFS))
def test_sympy_pycode_of_every_entry_compiles(kind: str) -> None:
    for e in _entries(PROOFS[kind]):
        code = sympy.pycode(e)
        compile(code, "<pycode>", "eval")  # raises SyntaxError on b_1,1-style names
        assert "{" not in code and "," not in code.replace("Fraction", "")


GCC = shutil.which("gcc")
C_KEYWORDS = {"double", "return", "static", "const", "void", "int", "if", "else"}


@pytest.mark.skipif(GCC is None, reason="gcc is not installed")
def test_sympy_ccode_of_every_entry_compiles(tmp_path) -> None:
    lines, names = [], set()
    for kind, proof in sorted(PROOFS.items()):
        for i, e in enumerate(_entries(proof)):
            code = sympy.ccode(e)
            names |= set(re.findall(r"\b[A-Za-z_][A-Za-z0-9_]*\b", code)) - C_KEYWORDS - {"pow"}
            lines.append(f"double f_{kind.replace('-', '_')}_{i}(void) {{ return {code}; }}")
    decls = [f"static const double {n} = 1.0;" for n in sorted(names)]
    src = tmp_path / "entries.c"
    src.write_text("#include <math.h>\n" + "\n".join(decls + lines) + "\n")
    run = subprocess.run([GCC, "-std=c99", "-fsyntax-only", "-Werror", str(src)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[:2000]


@pytest.mark.parametrize("kind", ["linear", "deep", "affine", "generic-instance"])
def test_sympy_lambdify_evaluates_to_the_exact_value(kind: str) -> None:
    """Every W* entry, lambdified by sympy, at integer parameters, equals the exact difference quotient."""
    proof = PROOFS[kind]
    net = proof.network
    rng = np.random.default_rng(7)
    values = {s: int(v) for s, v in zip(net.parameters, rng.integers(-4, 5, len(net.parameters)), strict=True)}
    zero = net.evaluate([0] * net.p, values)
    for j in range(net.p):
        unit = net.evaluate([int(k == j) for k in range(net.p)], values)  # independent route: two forward passes
        for i in range(net.q):
            e = proof.matrix[i, j]
            args = sorted(e.free_symbols, key=lambda s: s.name)
            f = sympy.lambdify(args, e, modules="math")
            assert f(*(values[s] for s in args)) == unit[i] - zero[i]
    for i in range(net.q):
        e = proof.offset[i]
        args = sorted(e.free_symbols, key=lambda s: s.name)
        assert sympy.lambdify(args, e)(*(values[s] for s in args)) == zero[i]


def test_printer_names_keep_the_symbols_themselves() -> None:
    net = symnet.dense(2, [2, 2])
    s = net.parameters[3]
    assert type(s) is sympy.Symbol and s.name == "b^{(1)}_{2,0}"
    assert str(s) == "b^{(1)}_{2,0}" and sympy.latex(s) == "b^{(1)}_{2,0}"
    assert s == sympy.Symbol(s.name) and hash(s) == hash(sympy.Symbol(s.name))
    assert pickle.loads(pickle.dumps(s)) == s
    assert sympy.pycode(s) == "b1_2_0" and sympy.ccode(s) == "b1_2_0"
    assert sympy.ccode(sympy.Symbol("b_{1,2}") + sympy.Symbol("x")) == "b_1_2 + x"


def test_printer_names_leave_other_symbols_alone() -> None:
    x, lam, weird = sympy.Symbol("x"), sympy.Symbol("lambda"), sympy.Symbol("x y")
    assert sympy.pycode(x + 1) == "x + 1"
    assert sympy.pycode(lam) == "lambda_"  # sympy's own reserved-word rule, unchanged
    assert sympy.pycode(weird) == "x y"  # no brace: sympy's output is left as it was
    assert sympy.ccode(sympy.Symbol("x_{1}")) == "x_1"
    assert identifier("int") == "int_" and identifier("1a") == "_1a"


def test_codegen_spells_names_as_sympy_now_does() -> None:
    proof = PROOFS["deep"]
    for e in _entries(proof):
        assert symnet.codegen.pycode(e) == sympy.pycode(e)


# ------------------------------------------------------------ lookup by name
def test_parameter_by_every_spelling() -> None:
    net = symnet.dense(2, [2, 2])
    b = sympy.Symbol("b^{(2)}_{1,2}")
    assert net.parameter("b^{(2)}_{1,2}") == b
    assert net.parameter("b^{(2)}_1,2") == b
    assert net.parameter("b2_1_2") == b
    assert symnet.dense(2, [2]).parameter("b_1,2") == sympy.Symbol("b_{1,2}")


def test_parameter_unknown_names_are_typed_errors_with_near_names() -> None:
    net = symnet.dense(2, [2])
    with pytest.raises(UnknownName, match=r"did you mean b_\{1,2\}") as info:
        net.parameter("b_{1,3}")
    assert isinstance(info.value, KeyError) and isinstance(info.value, ValueError)
    assert "b_{1,2}" in str(info.value) and not str(info.value).startswith("'")  # the message, not a quoted repr
    with pytest.raises(KeyError, match="is an input"):
        net.parameter("x_1")
    with pytest.raises(symnet.InvalidType):
        net.parameter(3)  # type: ignore[arg-type]
    numeric = symnet.Network.from_matrices([[[1, 2]]], [[0]])
    with pytest.raises(UnknownName, match="there are 0 parameters"):
        numeric.parameter("b_{1,1}")


# ------------------------------------------------------- generic -> MatrixExpr
@pytest.mark.parametrize(
    ("hidden", "activation", "sizes"),
    [
        (["h"], "identity", {"p": 3, "h": 2, "q": 2}),
        (["h", "m"], sympy.Lambda(T, 2 * T + 1), {"p": 2, "h": 3, "m": 2, "q": 1}),
        ([], "identity", {"p": 4, "q": 3}),
    ],
)
def test_generic_matrix_expr_instantiates_to_the_concrete_product(hidden, activation, sizes) -> None:
    net = symnet.dense("p", hidden, "q", activation)
    proof = symnet.prove(net)
    W, b = proof.as_matrix_expr()
    assert isinstance(W, sympy.MatrixExpr) and isinstance(b, sympy.MatrixExpr)
    size_of = {s: sizes[s.name] for s in proof.size_symbols}
    widths = [size_of.get(s, s) if isinstance(s, sympy.Symbol) else int(s) for s in net.sizes]
    rng = np.random.default_rng(3)
    mats = [rng.integers(-5, 6, (widths[l], widths[l - 1])) for l in range(1, len(widths))]
    vecs = [rng.integers(-5, 6, (widths[l], 1)) for l in range(1, len(widths))]
    # independent route: numpy's forward pass, read at 0 and at the unit vectors
    slope, intercept = (2, 1) if activation != "identity" else (1, 0)

    def forward(x: np.ndarray) -> np.ndarray:
        u = x
        for l, (m, v) in enumerate(zip(mats, vecs, strict=True)):
            z = m @ u + v
            u = z if l == len(mats) - 1 else slope * z + intercept
        return u

    p = widths[0]
    zero = forward(np.zeros((p, 1), dtype=np.int64))
    expect_W = np.hstack([forward(np.eye(p, dtype=np.int64)[:, [j]]) - zero for j in range(p)])
    concrete = {}
    for l in range(1, len(widths)):
        concrete[matrix_symbol(net.weight(l)).xreplace(size_of)] = sympy.ImmutableMatrix(mats[l - 1])
        concrete[matrix_symbol(net.bias(l)).xreplace(size_of)] = sympy.ImmutableMatrix(vecs[l - 1])
    got_W = W.xreplace(size_of).xreplace(concrete).doit()
    got_b = b.xreplace(size_of).xreplace(concrete).doit()
    assert sympy.Matrix(got_W) == sympy.Matrix(expect_W.tolist())
    assert sympy.Matrix(got_b) == sympy.Matrix(zero.tolist())


def test_generic_matrix_expr_through_sympys_numpy_printer() -> None:
    """lambdify (numpy) of the converted W*, b* at concrete sizes runs and equals numpy's own forward pass."""
    net = symnet.dense("p", ["h", "m"], "q", sympy.Lambda(T, 3 * T - 1))
    proof = symnet.prove(net)
    sizes = {s: {"p": 3, "h": 2, "m": 4, "q": 2}[s.name] for s in proof.size_symbols}
    for e in proof.as_matrix_expr():  # LaTeX names: sympy's printers write identifiers
        assert "B^{(2)}" in str(e)
        compile(sympy.pycode(e.xreplace(sizes)), "<pycode>", "eval")
    W, b = (e.xreplace(sizes) for e in proof.as_matrix_expr(identifiers=True))
    atoms = [
        matrix_symbol(a, identifiers=True).xreplace(sizes) for l in (1, 2, 3) for a in (net.weight(l), net.bias(l))
    ]
    assert [a.name for a in atoms] == ["B1", "b1_0", "B2", "b2_0", "C", "c_0"]
    rng = np.random.default_rng(5)
    values = [rng.integers(-3, 4, a.shape).astype(float) for a in atoms]
    got_W = sympy.lambdify(atoms, W, "numpy")(*values)
    got_b = sympy.lambdify(atoms, b, "numpy")(*values)
    B1, b1, B2, b2, C, c0 = values

    def forward(x: np.ndarray) -> np.ndarray:
        return C @ (3 * (B2 @ (3 * (B1 @ x + b1) - 1) + b2) - 1) + c0

    zero = forward(np.zeros((3, 1)))
    assert np.array_equal(got_b, zero)
    assert np.array_equal(got_W, np.hstack([forward(np.eye(3)[:, [j]]) - zero for j in range(3)]))


def test_generic_matrix_expr_prints_like_the_derivation() -> None:
    W, b = symnet.prove(symnet.dense("p", ["h"])).as_matrix_expr()
    assert sympy.latex(W) == "C B" and sympy.latex(b) == "C b_{0} + c_{0}"


# ------------------------------------------------------------------ locate
def test_locate_reads_numpy_and_python_floats_at_their_binary_value() -> None:
    # one hidden unit with its kink at x_1 = 1/10: the float 0.1 lies just above 1/10, the Fraction on it
    net = symnet.Network.from_matrices([[[10, 0]], [[1]]], [[-1], [0]], "relu")
    regs = symnet.regions(net, box=[(-1, 1), (-1, 1)])
    assert len(regs.locate([Fraction(1, 10), 0])) == 2
    assert [r.pattern for r in regs.locate([0.1, 0])] == [(1,)]
    assert [r.pattern for r in regs.locate(np.array([0.1, 0.5]))] == [(1,)]
    assert [r.pattern for r in regs.locate(np.array([0.0999, 0.5], dtype=np.float32))] == [(0,)]
    assert [r.pattern for r in regs.locate((np.float64(0.5), 0.5))] == [(1,)]
    assert regs.locate([2.0, 0.0]) == []


@pytest.mark.slow
def test_printer_names_are_installed_by_the_ordinary_import() -> None:
    """A fresh interpreter: import symnet, prove, print with sympy -- no explicit codegen import needed."""
    import os
    import sys
    from pathlib import Path

    code = (
        "import sympy, symnet\n"
        "proof = symnet.prove(symnet.dense(2, [2]))\n"
        "print(sympy.pycode(proof.matrix[0, 0]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(symnet.__file__).parents[1])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert out.strip() == "b_1_1*c_1 + b_2_1*c_2"


def test_installing_the_printer_names_again_changes_nothing() -> None:
    from sympy.printing.codeprinter import CodePrinter

    before = (CodePrinter._print_Symbol, CodePrinter._print_MatrixSymbol)
    symnet.codegen.install_code_printer_names()
    assert (CodePrinter._print_Symbol, CodePrinter._print_MatrixSymbol) == before
    assert sympy.pycode(sympy.Symbol("b_{1,2}")) == "b_1_2"  # wrapped once, not twice
