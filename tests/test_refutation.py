"""refute / Counterexample: exact witnesses of non-linearity, None for linear networks, tamper-proof check."""

import dataclasses
import json
import os
import pathlib
import shutil
import subprocess
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import symnet
from symnet import CertificateError, Counterexample, InvalidType, Network, SizeGuardError, refute
from symnet.kernel import check as kernel_check

from .forward import forward

t = sympy.Symbol("t")
N = Network.from_matrices


def _frac(e):
    e = sympy.Rational(e)
    return Fraction(int(e.p), int(e.q))


def _plain(net, weights):
    """The network's matrices as Fractions with the counterexample's weights substituted."""
    ws = [
        [[_frac(v.xreplace(weights)) for v in layer.weights.row(k)] for k in range(layer.width)]
        for layer in net.layers
    ]
    bs = [[_frac(v.xreplace(weights)) for v in layer.biases] for layer in net.layers]
    return ws, bs


def _independent_defect(cx, activation):
    """f_k(m) - (f_k(u)+f_k(v))/2 by the plain-Fraction forward pass of tests/forward.py."""
    ws, bs = _plain(cx.network, cx.weights)
    u, v = ([_frac(c) for c in pt] for pt in cx.points)
    m = [(a + b) / 2 for a, b in zip(u, v, strict=True)]
    k = cx.output
    fu, fv, fm = (forward(ws, bs, activation, pt)[k] for pt in (u, v, m))
    return fm - (fu + fv) / 2


small = st.integers(-3, 3)


@st.composite
def rational_nets(draw, activation):
    p = draw(st.integers(1, 3))
    widths = draw(st.lists(st.integers(1, 3), min_size=1, max_size=2))
    q = draw(st.integers(1, 2))
    sizes = [p, *widths, q]
    ws = [[[draw(small) for _ in range(sizes[i])] for _ in range(sizes[i + 1])] for i in range(len(sizes) - 1)]
    bs = [[draw(small) for _ in range(sizes[i + 1])] for i in range(len(sizes) - 1)]
    return ws, bs


# ------------------------------------------------------------------ property tests
@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "square", "cube"])
@given(data=st.data())
def test_refuted_networks_really_are_nonlinear(activation, data):
    """A counterexample's defect, recomputed with plain Fractions, is the claimed non-zero value."""
    ws, bs = data.draw(rational_nets(activation))
    net = N(ws, bs, activation=activation)
    cx = refute(net)
    if cx is None:
        # then the network must be affine: the midpoint law holds at sampled points (independent route)
        point = st.lists(small, min_size=net.p, max_size=net.p)
        for u, v in data.draw(st.lists(st.tuples(point, point), min_size=3, max_size=6)):
            m = [Fraction(a + b, 2) for a, b in zip(u, v, strict=True)]
            fu, fv, fm = (forward(ws, bs, activation, pt) for pt in (u, v, m))
            assert all(c == (a + b) / 2 for a, b, c in zip(fu, fv, fm, strict=True))
        return
    assert cx.weights == {}
    defect = _independent_defect(cx, activation)
    assert defect != 0
    assert sympy.Rational(defect.numerator, defect.denominator) == cx.defect
    assert cx.check() is True


@pytest.mark.parametrize("activation", ["identity", sympy.Lambda(t, 3 * t - 2)])
@given(data=st.data())
def test_linear_networks_are_never_refuted(activation, data):
    """Affine activations give None for every network, numeric or symbolic."""
    ws, bs = data.draw(rational_nets("identity"))
    assert refute(N(ws, bs, activation=activation)) is None


def test_symbolic_affine_networks_are_never_refuted():
    a, d = sympy.symbols("a d")
    assert refute(symnet.dense(3, [2, 2], outputs=2)) is None
    assert refute(symnet.dense(2, [3], activation=sympy.Lambda(t, a * t + d))) is None


@pytest.mark.parametrize(
    "net",
    [
        # relu(x) - relu(-x) = x: every unit is active somewhere, yet the network is affine
        N([[[1], [-1]], [[1, -1]]], [[0, 0], [0]], activation="relu"),
        N([[[2], [-2]], [[1, -1]]], [[1, -1], [5]], activation="leaky_relu"),
        # all output weights zero
        N([[[1, 2], [3, 4]], [[0, 0]]], [[1, 1], [7]], activation="tanh"),
        # a relu unit that is never active (its pre-activation is the constant -1)
        N([[[0, 0]], [[5]]], [[-1], [2]], activation="relu"),
        # second-layer relu never active: relu(-relu(x) - 1) = 0
        N([[[1]], [[-1]], [[3]]], [[0], [-1], [1]], activation="relu"),
        # tanh is odd: tanh(x) + tanh(-x) = 0
        N([[[1], [-1]], [[1, 1]]], [[0, 0], [0]], activation="tanh"),
        # squares that cancel: (x+1)^2 - (x+1)^2
        N([[[1], [1]], [[1, -1]]], [[1, 1], [0]], activation="square"),
        # (x+1)^2 - (x-1)^2 = 4x
        N([[[1], [1]], [[1, -1]]], [[1, -1], [0]], activation="square"),
    ],
)
def test_networks_with_nonaffine_activations_can_be_linear(net):
    """Non-affine activations that cancel or never bend: refute proves linearity and returns None."""
    assert refute(net) is None


# ---------------------------------------------------------------- symbolic weights
@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "square", "cube"])
def test_symbolic_weights_get_exact_rational_values(activation):
    """With symbolic weights the counterexample names a value for every weight; Fractions confirm it."""
    net = symnet.dense(2, [2], outputs=2, activation=activation)
    cx = refute(net)
    assert set(cx.weights) == set(net.parameters)
    assert all(v.is_Rational for v in cx.weights.values())
    assert _independent_defect(cx, activation) != 0
    assert cx.check()


def test_lambda_with_symbolic_coefficients():
    """Lambda(t, a*t**2 + t): the activation's own coefficient gets a value too."""
    a = sympy.Symbol("a")
    net = symnet.dense(1, [2], activation=sympy.Lambda(t, a * t**2 + t))
    cx = refute(net)
    assert a in cx.weights and cx.weights[a] != 0
    sub = {k: v for k, v in cx.weights.items()}
    # independent: plug into the output expression by hand
    f = sympy.Lambda(net.inputs, net.output[0].xreplace(sub))
    u, v = cx.points
    m = cx.midpoint
    assert f(*m) - (f(*u) + f(*v)) / 2 == cx.defect != 0


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "softplus", sympy.Lambda(t, sympy.exp(t))])
def test_transcendental_refutations_are_rigorous(activation):
    """tanh/sigmoid/softplus: an exact symbolic defect whose enclosure excludes 0, confirmed at 60 digits."""
    net = symnet.dense(2, [2], activation=activation)
    cx = refute(net)
    assert not cx.defect.is_Rational
    lo, hi = cx.enclosure
    assert lo > 0 or hi < 0
    with mpmath.workdps(60):
        value = mpmath.mpf(sympy.N(cx.defect, 60))
    assert lo <= sympy.Rational(str(value)) <= hi or abs(value - mpmath.mpf(sympy.N((lo + hi) / 2, 60))) < 1e-40
    assert cx.check()


def test_numeric_network_has_empty_weights():
    cx = refute(N([[[1], [2]], [[1, 1]]], [[0, -1], [0]], activation="relu"))
    assert cx.weights == {}
    assert cx.layer == 1


def test_refute_is_deterministic():
    """Same network, same counterexample and byte-identical text."""
    net = symnet.dense(2, [3], activation="tanh")
    assert refute(net).to_text() == refute(net).to_text()


# ----------------------------------------------------------------- tampering
def _cx():
    return refute(symnet.dense(2, [2], outputs=2, activation="relu"))


def test_tampered_point_is_rejected():
    cx = _cx()
    u, v = cx.points
    bad = dataclasses.replace(cx, points=((u[0] + 1, *u[1:]), v))
    with pytest.raises(CertificateError):
        bad.check()


def test_tampered_weight_is_rejected():
    cx = _cx()
    s = next(iter(cx.weights))
    bad = dataclasses.replace(cx, weights={**cx.weights, s: cx.weights[s] + 5})
    with pytest.raises(CertificateError):
        bad.check()


def test_swapped_output_is_rejected():
    cx = _cx()
    bad = dataclasses.replace(cx, output=1 - cx.output)
    with pytest.raises(CertificateError):
        bad.check()


@pytest.mark.parametrize(
    "change",
    [
        lambda cx: dataclasses.replace(cx, enclosure=tuple(sorted((cx.defect * 2, cx.defect * 3)))),
        lambda cx: dataclasses.replace(cx, enclosure=(-abs(cx.defect), abs(cx.defect))),
        lambda cx: dataclasses.replace(cx, values=(cx.values[0] + 1, *cx.values[1:])),
        lambda cx: dataclasses.replace(cx, weights={}),
        lambda cx: dataclasses.replace(cx, points=(cx.points[0], cx.points[0])),
        lambda cx: dataclasses.replace(cx, output=7),
        lambda cx: dataclasses.replace(cx, points=(tuple(sympy.Float(c) for c in cx.points[0]), cx.points[1])),
    ],
)
def test_other_tampering_is_rejected(change):
    with pytest.raises(CertificateError):
        change(_cx()).check()


def test_tampered_transcendental_enclosure_is_rejected():
    cx = refute(symnet.dense(1, [1], activation="tanh"))
    lo, hi = cx.enclosure
    shifted = (hi + 1, hi + 2) if lo > 0 else (lo - 2, lo - 1)
    with pytest.raises(CertificateError):
        dataclasses.replace(cx, enclosure=shifted).check()
    u, v = cx.points
    with pytest.raises(CertificateError):
        dataclasses.replace(cx, points=(v, tuple(c + 1 for c in u))).check()


# ----------------------------------------------------------------------- JSON
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "softplus", "square"])
def test_json_round_trip(activation):
    cx = refute(symnet.dense(2, [2], activation=activation))
    back = Counterexample.from_json(cx.to_json())
    assert back == cx
    assert back.check()
    assert back.to_json() == cx.to_json()


def test_tampered_json_is_rejected():
    doc = json.loads(_cx().to_json())
    doc["points"][0][0] = str(int(doc["points"][0][0].split("/")[0]) + 3)
    with pytest.raises(CertificateError):
        Counterexample.from_json(json.dumps(doc)).check()


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.pop("values"),
        lambda d: d.update(format="other"),
        lambda d: d["points"].append(["1"]),
        lambda d: d["weights"].update({"__import__('os')": "1"}),
        lambda d: d.update(values=[["fn", "eval", "1"], "1", "1"]),
        lambda d: d["network"]["layers"][0]["weights"][0].__setitem__(0, "1.5"),
        lambda d: d.update(enclosure=["1/0", "2"]),
    ],
)
def test_malformed_json_is_refused(edit):
    doc = json.loads(_cx().to_json())
    edit(doc)
    with pytest.raises(CertificateError):
        Counterexample.from_json(json.dumps(doc))


def test_from_json_refuses_non_json():
    with pytest.raises(CertificateError):
        Counterexample.from_json("not json")


# ------------------------------------------------------------------ rendering
def test_renderings_state_the_inequality():
    cx = refute(N([[[1]], [[1]]], [[0], [0]], activation="relu"))
    text = cx.to_text()
    assert "≠ 0" in text and "u = " in text
    md = cx.to_markdown()
    assert "\\neq" in md and "$" in md
    assert "\\begin{align*}" in cx.to_latex()
    assert cx._repr_latex_().startswith("$")
    assert cx.to_latex(document=True).startswith("\\documentclass")


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
@pytest.mark.parametrize("activation", ["relu", pytest.param("sigmoid", marks=pytest.mark.slow)])  # one pdflatex run
def test_latex_document_compiles(activation, tmp_path):
    cx = refute(symnet.dense(2, [2], activation=activation))
    (tmp_path / "cx.tex").write_text(cx.to_latex(document=True))
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "cx.tex"],
        cwd=tmp_path, capture_output=True, timeout=120,
    )
    assert run.returncode == 0, run.stdout.decode()[-2000:]
    assert (tmp_path / "cx.pdf").exists()


# ----------------------------------------------------------------- bad input
def test_bad_input():
    with pytest.raises(InvalidType):
        refute("relu")
    with pytest.raises(InvalidType):
        refute(None)


def test_size_guard(monkeypatch):
    monkeypatch.setattr(symnet.search.refutation, "MAX_UNITS", 3)
    with pytest.raises(SizeGuardError) as info:
        refute(symnet.dense(1, [4], activation="relu"))
    assert info.value.estimate == 4 and info.value.limit == 3


def test_float_weights_are_read_exactly():
    """Float weights are taken at their exact binary value; the witness checks."""
    cx = refute(N([[[0.5], [0.25]], [[1.0, -1.0]]], [[0.0, -1.0], [0.0]], activation="relu"))
    assert cx.check()


# ---------------------------------------------------------- engine integration
def test_prove_raises_with_the_counterexample():
    with pytest.raises(symnet.NotLinearError) as info:
        symnet.prove(symnet.dense(2, [2], activation="relu"))
    assert isinstance(info.value.counterexample, Counterexample)
    assert info.value.counterexample.check()


@pytest.mark.parametrize("net", [symnet.dense(3, [3], activation="relu"), symnet.dense(1, [1], activation="tanh"),
                                 symnet.dense(6, [6], activation="square")], ids=["relu 3x3", "tanh", "square 6x6"])
def test_text_refutation_fits_in_78_columns(net):
    """The plain-text refutation wraps within 78 columns, keeping each "name = value" whole."""
    out = refute(net).to_text()
    assert max(len(line) for line in out.splitlines()) <= 78
    body = [line for line in out.splitlines() if set(line) != {"="}]  # the title's underline aside
    assert not any(line.rstrip().endswith("=") or line.lstrip().startswith("=") for line in body)


# ------------------------------------------------------------------ a real network: ACAS Xu (VNN-COMP's ONNX file)
# ../shared/benchmarks/acasxu from the repository root, or $SYMNET_ACASXU_DIR (as in tests/test_acasxu_import.py)
ACASXU = pathlib.Path(
    os.environ.get("SYMNET_ACASXU_DIR") or pathlib.Path(__file__).resolve().parents[2] / "shared/benchmarks/acasxu"
)
ACASXU_1_1 = ACASXU / "ACASXU_run2a_1_1_batch_2000.onnx"


def _double_model(path):
    """The ONNX model with every float32 tensor widened (exactly) to float64, for onnx.reference in doubles."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    for i, init in enumerate(model.graph.initializer):
        wide = numpy_helper.from_array(numpy_helper.to_array(init).astype(np.float64), init.name)
        model.graph.initializer[i].CopyFrom(wide)
    for value in [*model.graph.input, *model.graph.output]:
        value.type.tensor_type.elem_type = onnx.TensorProto.DOUBLE
    del model.graph.value_info[:]
    return model


@pytest.mark.slow
@pytest.mark.skipif(not ACASXU_1_1.is_file(), reason=f"the ACAS Xu networks are not in {ACASXU}")
def test_acasxu_refutation_is_exact_and_agrees_with_onnx_reference():
    """The ReLU network is refuted; the kernel accepts the document, and onnx.reference at u, v, (u+v)/2 shows it."""
    reference = pytest.importorskip("onnx.reference")
    net = symnet.from_onnx(ACASXU_1_1)
    with pytest.raises(symnet.NotLinearError) as info:
        symnet.prove(net)
    cx = info.value.counterexample
    assert kernel_check(cx.to_json()) is True  # the kernel reads the JSON document itself
    u, v = ([_frac(c) for c in pt] for pt in cx.points)
    m = [(a + b) / 2 for a, b in zip(u, v, strict=True)]
    k = cx.output
    lo, hi = (_frac(e) for e in cx.enclosure)
    assert lo <= hi and (lo > 0 or hi < 0)

    def run(model, dtype, pt):
        x = np.array([float(c) for c in pt], dtype=dtype).reshape(1, 1, 1, 5)
        return np.asarray(reference.ReferenceEvaluator(model).run(None, {"input": x})[0], dtype=np.float64).ravel()

    # float64 evaluation of the same weights: each stated value to 1e-9 relative, the defect's sign as claimed
    wide = _double_model(ACASXU_1_1)
    fu, fv, fm = (run(wide, np.float64, pt) for pt in (u, v, m))
    for got, claimed in zip((fu[k], fv[k], fm[k]), cx.values, strict=True):
        assert got == pytest.approx(float(_frac(claimed)), rel=1e-9, abs=1e-9)
    defect = fm[k] - (fu[k] + fv[k]) / 2
    assert float(lo) - 1e-6 <= defect <= float(hi) + 1e-6
    assert (defect > 0) == (lo > 0) and abs(defect) > 1e-6
    # the original float32 model agrees with the stated values to float32 accuracy
    for pt, claimed in zip((u, v, m), cx.values, strict=True):
        assert run(str(ACASXU_1_1), np.float32, pt)[k] == pytest.approx(float(_frac(claimed)), rel=1e-4)
