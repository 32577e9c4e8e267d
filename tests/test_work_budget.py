"""The kernel's work budget for its exact products over QQ (issue 19: "Unbounded work").

A network whose numbers are small enough for the gate but whose running
product ``C P_L ... P_1`` (or direct expansion) would take minutes is refused
up front with IllFormed naming the estimate and ``qq.MAX_WORK``, before any
product is formed (the products are patched to fail if called); the same
shapes just under the limit are accepted with the right answer (computed here
with Python integers and Fractions); ``symnet.prove`` refuses the same
networks with SizeGuardError before multiplying.
"""

from __future__ import annotations

import json
import random
import re
from fractions import Fraction
from typing import Any

import flint
import pytest
import sympy
from sympy import QQ
from sympy.polys.matrices.sdm import SDM

import symnet
from symnet.certificate import Certificate, Claim, Step
from symnet.errors import CertificateError, IllFormed, SizeGuardError
from symnet.kernel import check as check_document
from symnet.kernel import linear, qq
from symnet.model.network import Network
from symnet.search import numeric

BIG = (1 << 20_000) - 1


def dense_net(p: int, widths: list[int], bits: int) -> Network:
    """Every weight 2**bits - 1, every bias 0."""
    value, sizes = (1 << bits) - 1, [p, *widths]
    weights = [[[value] * n for _ in range(m)] for n, m in zip(sizes[:-1], sizes[1:], strict=True)]
    return Network.from_matrices(weights, [[0] * m for m in widths])


def claim_only(net: Network, routes: tuple[str, ...] = ("layerwise",)) -> Certificate:
    """A certificate with an explicit claim of zeros and a lone conclusion: the budget is checked before any step."""
    q, p = len(net.layers[-1].stored_biases.tolist()), len(net.inputs)
    claim = Claim("explicit", (q, p), routes, sympy.zeros(q, p), sympy.zeros(q, 1))
    return Certificate(net, (Step("conclude_linear_form"),), claim)


@pytest.mark.parametrize(
    ("p", "widths", "bits"),
    [
        pytest.param(20, [20] * 21, 20_000, marks=pytest.mark.slow),  # 20 x 20, depth 20, 20,000 bits
        pytest.param(300, [300, 1], 100_000, marks=pytest.mark.slow),  # wide, one row: 300 x 301 of 100,000 bits
        pytest.param(1, [1] * 3 + [400] * 3, 30_000, marks=pytest.mark.slow),  # tall-thin input, square on top
        pytest.param(200, [200] * 3 + [1], 20_000, marks=pytest.mark.slow),  # 1-row running product, wide factors
    ],
)
def test_refused_up_front(no_products: None, p: int, widths: list[int], bits: int) -> None:
    net = dense_net(p, widths, bits)
    assert linear.work(claim_only(net)) > qq.MAX_WORK
    limit = re.escape(f"{qq.MAX_WORK:.3g}")
    with pytest.raises(IllFormed, match=rf"estimated work of .* past the kernel's limit of {limit}"):
        linear.check(claim_only(net))
    with pytest.raises(SizeGuardError, match="estimated work") as info:
        symnet.prove(net)
    assert info.value.estimate > info.value.limit == qq.MAX_WORK


def test_direct_route_refused_before_expanding(no_products: None) -> None:
    """Few paths (the expansion guard passes) but 400,000-bit numbers: the direct route's expansion is refused."""
    net = dense_net(20, [20, 20], 400_000)
    with pytest.raises(IllFormed, match="estimated work"):
        linear.check(claim_only(net, ("direct",)))


def _document(n: int, depth: int, digits: int) -> str:
    """A small JSON document: every weight of an n x n network of depth ``depth`` is one shared number node."""
    nodes = [["int", "9" * digits], ["int", "0"], ["sym", "x"], ["int", "1"]]
    identity = {"name": "identity", "variable": "x", "expr": 2}
    layer = {"weights": [[0] * n] * n, "biases": [1] * n, "activation": identity}
    steps: list[dict[str, Any]] = [{"rule": "read_output_layer", "layer": depth + 1, "matrix": [[1] + [0] * n] * n}]
    for l in range(depth, 0, -1):
        matrix = [[3] + [1] * n] + [[1] + [0] * n] * n
        steps.append({"rule": "substitute_layer", "layer": l, "slope": 3, "intercept": 1, "matrix": matrix})
    steps.append({"rule": "conclude_linear_form"})
    claim = {"form": "explicit", "shape": [n, n], "routes": ["layerwise"], "matrix": [[3] * n] * n, "offset": [1] * n}
    network = {"inputs": [f"x_{i}" for i in range(1, n + 1)], "layers": [layer] * (depth + 1)}
    doc = {"format": "symnet.linear", "version": 1, "expressions": nodes, "network": network}
    return json.dumps({**doc, "steps": steps, "claim": claim})


def test_small_document_sharing_one_number(no_products: None) -> None:
    text = _document(20, 20, 6021)  # 6,021 nines: 20,001 bits
    assert len(text) < 200_000
    with pytest.raises(IllFormed, match="estimated work"):
        check_document(text)


def test_tampered_refused_network_stays_refused(no_products: None) -> None:
    text = _document(20, 20, 6021).replace('"offset": [1,', '"offset": [3,', 1)  # b*_1 = 1
    with pytest.raises(IllFormed, match="estimated work"):
        check_document(text)


def test_refused_network_with_a_product_claim_checks_its_factors() -> None:
    """A product claim forms no product: the refused network's factors are still checked, and a wrong one fails."""
    text = _document(20, 20, 6021)
    doc = json.loads(text)
    doc["claim"] = {"form": "product", "shape": [20, 20], "routes": ["layerwise"]}
    assert check_document(json.dumps(doc))
    doc["steps"][1]["matrix"][1][1] = 3  # P_20 entry (1, 1) is the shared weight, not 1
    with pytest.raises(CertificateError, match="P_20 entry"):
        check_document(json.dumps(doc))


def _int_product(net: Network) -> tuple[list[list[int]], list[int]]:
    """W* and b* of an integer network with identity activations, by hand in Python integers."""
    W: list[list[int]] | None = None
    b: list[int] = []
    for layer in net.layers:
        w = [[int(v) for v in row] for row in layer.stored_weights.tolist()]
        c = [int(v) for v in layer.stored_biases.entries()]
        if W is None:
            W, b = w, c
            continue
        W = [[sum(w[i][k] * W[k][j] for k in range(len(W))) for j in range(len(W[0]))] for i in range(len(w))]
        b = [sum(w[i][k] * b[k] for k in range(len(b))) + c[i] for i in range(len(w))]
    assert W is not None
    return W, b


@pytest.mark.slow
@pytest.mark.parametrize(("p", "widths", "bits"), [(20, [20] * 3, 20_000), (200, [200, 1], 10_000)])
def test_just_under_the_limit_is_accepted_and_right(p: int, widths: list[int], bits: int) -> None:
    net, value = dense_net(p, widths, bits), (1 << bits) - 1
    proof = symnet.prove(net)
    assert 0.1 * qq.MAX_WORK < linear.work(proof.certificate) <= qq.MAX_WORK
    assert linear.check(proof.certificate)
    W, b = _int_product(net)
    assert [[int(v) for v in row] for row in proof.matrix.tolist()] == W
    assert [int(v) for v in proof.offset] == b
    depth = len(widths)
    assert W[0][0] == p ** (depth - 1) * value**depth  # every path carries value**depth


def _sdm(rows: list[list[Fraction]]) -> SDM:
    d = {i: {j: QQ(v.numerator, v.denominator) for j, v in enumerate(r) if v} for i, r in enumerate(rows)}
    return SDM({i: r for i, r in d.items() if r}, (len(rows), len(rows[0])), QQ)


@pytest.mark.parametrize("bits", [3, 60, 5000])
def test_packed_sparse_product_is_exact(bits: int) -> None:
    """qq.sparse_times (rows packed into one integer per column) against Fraction sums, signs and denominators."""
    rng = random.Random(bits)
    for _ in range(6):
        rows, n, cols = rng.randint(1, 6), rng.randint(1, 7), rng.randint(1, 7)

        def number(k: int = bits) -> Fraction:
            return Fraction(rng.randint(-(1 << k), 1 << k), rng.choice([1, 2, 3, 8, 1 << k]))

        A = [[number() for _ in range(n)] for _ in range(rows)]
        B = [[number() if rng.random() < 0.4 else Fraction(0) for _ in range(cols)] for _ in range(n)]
        flat = [flint.fmpq(v.numerator, v.denominator) for r in A for v in r]
        got = qq.sparse_times(flint.fmpq_mat(rows, n, flat), _sdm(B))
        want = [[sum((A[i][k] * B[k][j] for k in range(n)), Fraction(0)) for j in range(cols)] for i in range(rows)]
        assert [[Fraction(int(v.p), int(v.q)) for v in r] for r in got.tolist()] == want


@pytest.mark.slow
def test_sparse_factors_are_estimated_by_their_nonzeros() -> None:
    """The same layer held sparse and dense: the sparse estimate counts nonzeros (plus its loop), so a band matrix
    of 2,000 rows is far cheaper than its dense twin; a sparse network past the limit is refused."""
    band = {i: {j % 2000: QQ(BIG) for j in range(i, i + 3)} for i in range(2000)}
    template = qq.network(dense_net(1, [1, 1], 1))
    assert template is not None
    form = template[0][2]
    zero = flint.fmpq_mat(2000, 1, [0] * 2000)
    out = flint.fmpq_mat(20, 2000, [BIG] * 40_000)
    sparse_layers = [(SDM(band, (2000, 2000), QQ), zero, form)] * 3 + [(out, flint.fmpq_mat(20, 1, [0] * 20), form)]
    dense_layers = [(qq.dense(SDM(band, (2000, 2000), QQ)), zero, form)] * 3 + sparse_layers[-1:]
    sparse, _ = qq.work(sparse_layers, product=True)
    dense, _ = qq.work(dense_layers, product=True)
    assert qq.MAX_WORK < sparse < dense / 100
    with pytest.raises(IllFormed, match="estimated work"):
        qq.budget(sparse, "this product")


@pytest.mark.slow
def test_conv_network_under_the_limit() -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.Flatten(), torch.nn.Linear(2 * 6 * 6, 3)).eval()
    with torch.no_grad():
        net = symnet.from_torch(model, input_shape=(1, 8, 8))
        proof = symnet.prove(net)
        assert linear.work(proof.certificate) < qq.MAX_WORK / 1000
        assert linear.check(proof.certificate)
        x = torch.randn(1, 1, 8, 8)
        want = model(x).double().numpy().ravel()
    got = proof.matrix * sympy.Matrix([float(v) for v in x.double().numpy().ravel()]) + proof.offset
    assert max(abs(float(g) - w) for g, w in zip(got, want, strict=True)) < 1e-4


@pytest.mark.slow
def test_mnist_size_float32_is_accepted_with_a_wide_margin() -> None:
    np = pytest.importorskip("numpy")
    rng = np.random.default_rng(0)
    sizes = [784, 256, 128, 10]
    pairs = [
        ((rng.standard_normal((m, n)) / np.sqrt(n)).astype(np.float32), (0.1 * rng.standard_normal(m)).astype("f4"))
        for n, m in zip(sizes[:-1], sizes[1:], strict=True)
    ]
    net = Network.from_matrices([w for w, _ in pairs], [b for _, b in pairs])
    proof = symnet.prove(net)
    assert linear.work(proof.certificate) * 10 < qq.MAX_WORK
    assert linear.check(proof.certificate)
    x = rng.standard_normal(784)
    want = x
    for w, b in pairs:
        want = w.astype(np.float64) @ want + b.astype(np.float64)
    W = np.array([[float(v) for v in row] for row in proof.matrix.tolist()])
    got = W @ x + np.array([float(v) for v in proof.offset])
    assert np.max(np.abs(got - want)) < 1e-9


def test_cli_check_refuses_with_one_line(tmp_path: Any, capsys: pytest.CaptureFixture[str], no_products: None) -> None:
    from symnet.cli.main import main

    path = tmp_path / "work.json"
    path.write_text(_document(20, 20, 6021))
    assert main(["check", str(path)]) == 1  # rejected
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "estimated work" in err and f"{qq.MAX_WORK:.3g}" in err


def test_cli_prove_refusal_exits_2_with_one_line(capsys: pytest.CaptureFixture[str], no_products: None) -> None:
    """The CLI's error table turns the search's SizeGuardError into exit 2 and one line."""
    import argparse

    from symnet.cli._common import guarded

    net = dense_net(20, [20] * 21, 20_000)
    assert guarded(lambda args: symnet.prove(net) and 0, argparse.Namespace()) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "estimated work" in err


def test_scaling_by_a_huge_slope_is_refused_before_scaling(monkeypatch: pytest.MonkeyPatch) -> None:
    """A product claim forms no product, but each factor P_l = slope W_l is scaled: a 3,000,000-bit slope times
    10,000 weights is refused before any factor is built; the same network with slope 3 is checked."""

    def fail(*args: Any) -> Any:
        raise AssertionError("a factor was scaled before the budget refused")

    t = sympy.Symbol("t")

    def network(slope: int) -> Network:
        return Network.from_matrices([[[7] * 100] * 100, [[5] * 100]], [[1] * 100, [0]], sympy.Lambda(t, slope * t))

    cert = symnet.prove(network(3)).certificate
    assert cert.claim.matrix[0, 0] == 5 * 100 * 3 * 7  # W* = W2 (3 W1): every path 5 * 3 * 7, 100 paths
    steps = tuple(step for step in cert.steps if step.rule != "expand_and_compare")
    product = Certificate(network(3), steps, Claim("product", (1, 100), ("layerwise",)))
    assert 0 < linear.work(product) < qq.MAX_WORK / 10**4
    assert linear.check(product)
    huge = network((1 << 3_000_000) + 1)
    with pytest.raises(SizeGuardError, match="estimated work"):
        symnet.prove(huge)
    monkeypatch.setattr(qq, "blocks", fail)
    with pytest.raises(IllFormed, match="estimated work"):
        linear.check(Certificate(huge, steps, product.claim))  # the steps are never reached


def _tiny_float_chain() -> tuple[Network, list[list[list[Fraction]]], list[list[Fraction]]]:
    """2 inputs, twelve hidden layers of width 1 with activation t/2 + 1/2, weights among subnormal floats (1,074-bit
    denominators): 16,383 paths of numbers of about 19,000 bits."""
    rng, values = random.Random(3), [5e-324, 0.5, -1.25, 3.0, 2.2250738585072014e-308]
    sizes = [2] + [1] * 12 + [1]
    W = [[[rng.choice(values) for _ in range(n)] for _ in range(m)] for n, m in zip(sizes, sizes[1:], strict=False)]
    b = [[rng.choice(values) for _ in range(m)] for m in sizes[1:]]
    t = sympy.Symbol("t")
    net = Network.from_matrices(W, b, sympy.Lambda(t, t / 2 + sympy.Rational(1, 2)))
    exact = [[[Fraction(v) for v in row] for row in layer] for layer in W]
    return net, exact, [[Fraction(v) for v in layer] for layer in b]


def test_the_direct_route_of_an_affine_network_is_estimated_by_its_monomials() -> None:
    """The direct route's expansion of an affine network keeps p + 1 monomials an output: a path count times the
    product's bits (2.07e11 here, past the limit: prove and check refused it) overestimated the check (0.015 s) a
    thousandfold.  Now both routes are written and checked, and W*, b* are the layers composed in Fractions."""
    net, W, b = _tiny_float_chain()
    layers = qq.network(net)
    assert layers is not None
    bits = qq.work(layers, product=True)[1]
    assert len(layers) * numeric.numeric_monomials(net) * qq.cost(bits) > qq.MAX_WORK  # the old rule
    proof = symnet.prove(net, expand=True)
    assert proof.certificate.claim.routes == ("layerwise", "direct")
    assert linear.check(proof.certificate)
    A, c = [[Fraction(1), Fraction(0)], [Fraction(0), Fraction(1)]], [Fraction(0), Fraction(0)]  # u = A x + c
    for l, (Wl, bl) in enumerate(zip(W, b, strict=True)):
        A = [[sum((w * A[j][i] for j, w in enumerate(row)), Fraction(0)) for i in range(2)] for row in Wl]
        c = [sum((w * c[j] for j, w in enumerate(row)), Fraction(0)) + bk for row, bk in zip(Wl, bl, strict=True)]
        if l < len(W) - 1:
            A, c = [[a / 2 for a in row] for row in A], [v / 2 + Fraction(1, 2) for v in c]
    assert [Fraction(int(v.p), int(v.q)) for v in proof.matrix] == A[0]
    assert Fraction(int(proof.offset[0].p), int(proof.offset[0].q)) == c[0]


def test_prove_refuses_a_layer_of_many_distinct_denominators_with_a_size_guard() -> None:
    """The kernel refuses to form the common denominator of 10,000 distinct odd 62-bit denominators (OverBudget, an
    IllFormed); prove says so up front as the SizeGuardError it raises for every other estimate past the limit."""
    rng = random.Random(5)
    dens = sorted({rng.getrandbits(62) | 1 for _ in range(10_000)})
    net = Network.from_matrices([[[Fraction(1, q) for q in dens]]], [[0]])
    with pytest.raises(SizeGuardError, match="distinct odd denominators") as info:
        symnet.prove(net)
    assert info.value.estimate > info.value.limit == qq.MAX_WORK
