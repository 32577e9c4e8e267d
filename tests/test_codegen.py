"""symnet.codegen: symbol names to identifiers, and generated Python and C that run exactly as the network."""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import symnet
from symnet import codegen
from tests.budget import examples

# ----------------------------------------------------------------- the names
NAMES = [
    ("x_1", "x_1"),
    ("b_0", "b_0"),
    ("c_1", "c_1"),
    ("b_{1,0}", "b_1_0"),
    ("c_{2,0}", "c_2_0"),
    ("b^{(2)}_{1,2}", "b2_1_2"),
    ("b^{(12)}_{3}", "b12_3"),
    ("x_{10}", "x_10"),
    ("alpha", "alpha"),
    ("w'", "w"),
    ("a b", "a_b"),
    ("2x", "_2x"),
    ("class", "class_"),
    ("double", "double_"),
    ("_", "__"),
]


@pytest.mark.parametrize(("name", "expected"), NAMES)
def test_identifier_table(name, expected):
    """Each documented rule, name by name."""
    assert codegen.identifier(name) == expected


@given(st.text(max_size=12))
@settings(max_examples=examples(60))
def test_identifier_is_always_an_identifier_of_python_and_c(name):
    """Whatever the name, the result is an identifier of Python and of C (ASCII letters, digits, _)."""
    ident = codegen.identifier(name)
    assert ident.isidentifier() and ident.isascii()
    assert ident not in ("class", "def", "int", "double", "return")


def test_identifiers_are_distinct_within_a_network():
    """Two symbols with one identifier (b_{1,0} and b_1_0), and the code's own names, get suffixes."""
    net = symnet.Network.from_matrices([[["b_{1,0}", "b_1_0", "f"]]], [["out"]])
    names = codegen.identifiers(net)
    by_name = {s.name: i for s, i in names.items()}
    assert by_name["b_{1,0}"] == "b_1_0" and by_name["b_1_0"] == "b_1_0_2"
    assert by_name["f"] == "f_2" and by_name["out"] == "out_2"
    assert len(set(names.values())) == len(names)
    assert list(names) == [*net.inputs, *net.parameters]


def test_identifiers_of_the_dense_naming():
    """The documented examples: b_{1,0} -> b_1_0 (one hidden layer), b^{(2)}_{1,2} -> b2_1_2 (two)."""
    one = {s.name: i for s, i in codegen.identifiers(symnet.dense(2, [2])).items()}
    assert one["b_{1,0}"] == "b_1_0" and one["c_1"] == "c_1" and one["x_2"] == "x_2"
    two = {s.name: i for s, i in codegen.identifiers(symnet.dense(2, [2, 2], outputs=2)).items()}
    assert two["b^{(2)}_{1,2}"] == "b2_1_2" and two["c_{2,0}"] == "c_2_0"


def test_bad_arguments_are_typed_errors():
    """Not a proof, not a network, not a name: SymnetError subclasses."""
    with pytest.raises(symnet.InvalidType):
        codegen.to_python(symnet.dense(1, [1]))
    with pytest.raises(symnet.InvalidType):
        codegen.identifiers("net")
    with pytest.raises(symnet.InvalidType):
        codegen.pycode("x + 1")
    with pytest.raises(symnet.InvalidArgument):
        symnet.prove(symnet.dense(1, [1])).to_python(name="not a name")


# ------------------------------------------------------- running the code
def _run_python(source: str, name: str = "f"):
    namespace: dict = {}
    exec(compile(source, "<test>", "exec"), namespace)
    return namespace[name]


fractions = st.fractions(min_value=-5, max_value=5, max_denominator=7)
ARCHITECTURES = [
    symnet.dense(2, [2]),
    symnet.dense(1, []),
    symnet.dense(2, [3], outputs=2),
    symnet.dense(2, [2, 2], outputs=2),
    symnet.dense(2, [2], activation=sympy.Lambda(sympy.Symbol("t"), sympy.Rational(1, 2) * sympy.Symbol("t") + 3)),
]


@pytest.mark.slow
@pytest.mark.parametrize("net", ARCHITECTURES, ids=repr)
@given(data=st.data())
@settings(max_examples=examples(15), deadline=None)
def test_generated_python_is_exact_against_the_forward_pass(net, data):
    """to_python and lambdify() at Fractions equal the network's own exact forward pass."""
    proof = symnet.prove(net)
    x = data.draw(st.lists(fractions, min_size=net.p, max_size=net.p))
    w = data.draw(st.lists(fractions, min_size=len(net.parameters), max_size=len(net.parameters)))
    expected = net.evaluate(x, dict(zip(net.parameters, w, strict=False)))
    f = _run_python(proof.to_python())
    got = f(*x, *w)
    assert (
        tuple(sympy.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else sympy.Integer(v) for v in got)
        == expected
    )
    assert proof.lambdify()(*x, *w) == got
    names = list(codegen.identifiers(net).values())
    assert f(**dict(zip(names, [*x, *w], strict=False))) == got  # the arguments are named by identifiers(net)


def test_numeric_network_with_rationals_stays_exact():
    """Rational weights print as Fraction(p, q): the result is the exact rational, not a float."""
    net = symnet.Network.from_matrices([[[Fraction(1, 3), 2]], [[Fraction(-3, 7)]]], [[Fraction(1, 5)], [1]])
    proof = symnet.prove(net)
    source = proof.to_python()
    assert "Fraction(" in source
    got = _run_python(source)(Fraction(1, 2), 3)
    assert got == (Fraction(-3, 7) * (Fraction(1, 6) + 6 + Fraction(1, 5)) + 1,)
    assert isinstance(got[0], Fraction)


@pytest.mark.slow
def test_product_form_proof_generates_code_too():
    """A large proof (W*, b* as nested products, not expanded) still gives a function that agrees."""
    net = symnet.dense(2, [40, 40])
    proof = symnet.prove(net)
    assert not proof.is_explicit
    w = [(i % 7) - 3 for i in range(len(net.parameters))]
    got = proof.lambdify()(1, -2, *w)
    assert got == tuple(int(v) for v in net.evaluate([1, -2], dict(zip(net.parameters, w, strict=False))))


def test_lambdify_with_numpy_is_vectorised():
    """modules='numpy' gives sympy's lambdified function over the renamed symbols: arrays in, arrays out."""
    np = pytest.importorskip("numpy")
    net = symnet.dense(2, [2])
    proof = symnet.prove(net)
    f = proof.lambdify(modules="numpy")
    xs = np.array([0.5, -1.0, 2.0])
    w = [1.0, 2.0, -1.0, 0.5, 0.25, 3.0, -2.0, 1.5, 0.75]
    (out,) = f(xs, 2 * xs, *w)
    for k, xv in enumerate(xs):
        weights = dict(zip(net.parameters, map(sympy.Rational, w), strict=True))
        (exact,) = net.evaluate([sympy.Rational(xv), sympy.Rational(2 * xv)], weights)
        assert out[k] == pytest.approx(float(exact), rel=1e-12)


def test_pycode_of_a_claim_entry_evaluates_to_the_entry():
    """codegen.pycode (not sympy.pycode, which keeps the braces) gives Python for W* and b* entries."""
    net = symnet.dense(2, [2], outputs=2)
    proof = symnet.prove(net)
    names = codegen.identifiers(net)
    values = {s: sympy.Rational(i + 1, 3) for i, s in enumerate(net.parameters)}
    env = {"Fraction": Fraction, **{names[s]: Fraction(int(v.p), int(v.q)) for s, v in values.items()}}
    for entry in (*proof.matrix, *proof.offset):
        code = codegen.pycode(entry, names)
        assert "{" not in code and "," not in code
        value = eval(code, env)  # generated from identifiers: the test executes what it checks
        exact = entry.xreplace(values)
        assert Fraction(value) == Fraction(int(exact.p), int(exact.q))


# ------------------------------------------------------------------------ C
@pytest.fixture(scope="module")
def cc():
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        if os.environ.get("CI"):
            pytest.fail("no C compiler in CI (gcc and libc6-dev are in .ci/apt-packages)")
        pytest.skip("no C compiler")
    return compiler


def test_generated_c_compiles_and_agrees_with_exact_evaluation(cc, tmp_path):
    """to_c compiled with cc -std=c99 -Wall -Werror; called through ctypes at rational points."""
    net = symnet.dense(2, [3, 2], outputs=2)
    proof = symnet.prove(net)
    source = codegen.to_c(proof, "net_f")
    (tmp_path / "net.c").write_text(source)
    lib = tmp_path / "libnet.so"
    subprocess.run(
        [cc, "-std=c99", "-Wall", "-Werror", "-O1", "-shared", "-fPIC", "-o", str(lib), str(tmp_path / "net.c"), "-lm"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    fn = ctypes.CDLL(str(lib)).net_f
    double = ctypes.c_double
    for trial in range(5):
        x = [sympy.Rational(trial - 2, 4), sympy.Rational(3, trial + 1)]
        w = [sympy.Rational((7 * i + trial) % 9 - 4, 2) for i in range(len(net.parameters))]
        out = (double * net.q)()
        fn((double * net.p)(*map(float, x)), (double * len(w))(*map(float, w)), out)
        exact = net.evaluate(x, dict(zip(net.parameters, w, strict=False)))
        for k in range(net.q):
            assert out[k] == pytest.approx(float(exact[k]), rel=1e-12, abs=1e-12)


def test_c_with_parameters_named_like_the_functions_own_arrays(cc, tmp_path):
    """Weights named w, x and out (and a symbolic affine activation a t + d) are renamed, and the C still agrees."""
    t, a, d = sympy.symbols("t a d")
    net = symnet.Network.from_matrices([[["w", "x"]], [["out"]]], [["f"], [1]], sympy.Lambda(t, a * t + d))
    proof = symnet.prove(net)
    names = codegen.identifiers(net)
    assert {names[s] for s in net.parameters} == {"w_2", "x_3", "out_2", "f_2", "a", "d"}  # x_2 is the second input
    (tmp_path / "n.c").write_text(codegen.to_c(proof))
    lib = tmp_path / "libn.so"
    subprocess.run([cc, "-std=c99", "-Wall", "-Werror", "-shared", "-fPIC", "-o", str(lib), str(tmp_path / "n.c")],
                   check=True, capture_output=True, timeout=60)
    w = [sympy.Rational(v, 4) for v in (3, -5, 7, 2, 9, -1)]
    x = [sympy.Rational(1, 3), sympy.Rational(-2, 5)]
    out = (ctypes.c_double * 1)()
    ctypes.CDLL(str(lib)).symnet_f((ctypes.c_double * 2)(*map(float, x)), (ctypes.c_double * 6)(*map(float, w)), out)
    (exact,) = net.evaluate(x, dict(zip(net.parameters, w, strict=True)))
    assert out[0] == pytest.approx(float(exact), rel=1e-12)
    assert _run_python(proof.to_python())(*x, *w) == (exact,)
    with pytest.raises(symnet.InvalidArgument):
        codegen.to_c(proof, "w")
    with pytest.raises(symnet.InvalidArgument):
        proof.to_python("a")


def test_ccode_uses_identifiers():
    """codegen.ccode writes b_1_0 where sympy.ccode would write b_{1,0}."""
    proof = symnet.prove(symnet.dense(1, [1]))
    code = codegen.ccode(proof.offset[0])
    assert code in ("b_1_0*c_1 + c_0", "c_0 + b_1_0*c_1")
    assert codegen.ccode(sympy.Rational(1, 2) * sympy.Symbol("b^{(2)}_{1,2}")) == "(1.0/2.0)*b2_1_2"
