"""Collapse proofs of convolutional networks: checked certificates, tampering, bounded work, ReLU CNNs.

Expected values come from torch's own float64 forward pass, never from symnet.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

import symnet
from symnet import kernel
from symnet.errors import CertificateError
from tests.test_conv import _cnn, _two_convs

torch = pytest.importorskip("torch")
nn = torch.nn


# ------------------------------------------------------------- collapse proofs
def test_identity_cnn_collapses_to_torchs_forward_pass() -> None:
    model = _cnn().double()
    net = symnet.from_torch(model, input_shape=(1, 8, 8))
    proof = symnet.prove(net)
    assert proof.check()
    W = np.array(proof.certificate.claim.matrix.tolist(), dtype=float)
    b = np.array(proof.certificate.claim.offset.tolist(), dtype=float).ravel()
    x = torch.randn(20, 1, 8, 8, dtype=torch.float64)
    expected = model(x).detach().numpy()
    assert np.abs(x.reshape(20, -1).numpy() @ W.T + b - expected).max() < 1e-9
    text = proof.to_json()
    layer = json.loads(text)["network"]["layers"][0]
    assert set(layer["weights"]) == {"shape", "entries"} and layer["weights"]["shape"] == [256, 64]
    assert symnet.Proof.from_json(text).check()


@pytest.fixture(scope="module")
def sparse_proof() -> tuple[Any, Any]:
    model = _two_convs().double()
    proof = symnet.prove(symnet.from_torch(model, input_shape=(1, 10, 10)))
    assert proof.certificate.claim.routes == ("layerwise",)  # the exact numeric route, sparse factors
    return model, proof


@pytest.fixture(scope="module")
def small_proof_json() -> str:
    return symnet.prove(symnet.from_torch(_cnn().double(), input_shape=(1, 8, 8))).to_json()


def test_two_conv_cnn_numeric_route_matches_torch(sparse_proof: tuple[Any, Any]) -> None:
    model, proof = sparse_proof
    assert proof.check()
    data = json.loads(proof.to_json())
    assert all(isinstance(s["matrix"], dict) for s in data["steps"] if s["rule"] == "substitute_layer")
    assert symnet.Proof.from_json(json.dumps(data)).check()
    W = np.array(proof.certificate.claim.matrix.tolist(), dtype=float)
    b = np.array(proof.certificate.claim.offset.tolist(), dtype=float).ravel()
    x = torch.randn(10, 1, 10, 10, dtype=torch.float64)
    assert np.abs(x.reshape(10, -1).numpy() @ W.T + b - model(x).detach().numpy()).max() < 1e-9


def _other_value(data: dict[str, Any], ref: int) -> int:
    """A node index holding a different nonzero number than node ``ref``."""
    nodes = data["expressions"]
    for k, node in enumerate(nodes):
        if k != ref and node[0] in ("int", "rat") and node != nodes[ref] and node != ["int", "0"]:
            return k
    raise AssertionError("no other number")


def _tampered(data: dict[str, Any], how: str) -> dict[str, Any]:
    d = json.loads(json.dumps(data))
    layer = d["network"]["layers"][0]["weights"]
    step = next(s for s in d["steps"] if s["rule"] == "substitute_layer" and isinstance(s["matrix"], dict))
    if how == "claim entry":
        row = d["claim"]["matrix"][1]
        row[5] = _other_value(d, row[5])
    elif how == "dropped network triplet":
        del layer["entries"][7]
    elif how == "changed network triplet":
        layer["entries"][7][2] = _other_value(d, layer["entries"][7][2])
    elif how == "dropped step triplet":
        del step["matrix"]["entries"][11]
    elif how == "changed step triplet":
        step["matrix"]["entries"][11][2] = _other_value(d, step["matrix"]["entries"][11][2])
    elif how == "dropped triplet in both":
        i, j, _ = layer["entries"][7]
        del layer["entries"][7]
        step1 = next(s for s in d["steps"] if s.get("layer") == 1)
        step1["matrix"]["entries"] = [e for e in step1["matrix"]["entries"] if e[:2] != [i + 1, j + 1]]
    elif how == "moved triplet":
        layer["entries"][7][1] = (layer["entries"][7][1] + 1) % layer["shape"][1]
    return d


@pytest.mark.parametrize(
    "how",
    [
        "claim entry",
        "dropped network triplet",
        "changed network triplet",
        "dropped step triplet",
        "changed step triplet",
        "dropped triplet in both",
        "moved triplet",
    ],
)
def test_tampered_sparse_certificates_are_rejected(how: str, sparse_proof: tuple[Any, Any]) -> None:
    _, proof = sparse_proof
    data = json.loads(proof.to_json())
    bad = json.dumps(_tampered(data, how))
    with pytest.raises(CertificateError):
        symnet.Proof.from_json(bad).check()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda e: e.__setitem__(slice(0, 2), [e[1], e[0]]), "misplaced|outside"),
        (lambda e: e.append(list(e[-1])), "misplaced"),
        (lambda e: e[0].__setitem__(0, 10**6), "misplaced"),
        (lambda e: e[0].__setitem__(2, "1"), "bad triplet"),
        (lambda e: e[0].__setitem__(0, True), "bad triplet"),
        (lambda e: e[0].append(1), "bad triplet"),
    ],
)
def test_malformed_sparse_sections_are_refused(edit: Any, message: str, small_proof_json: str) -> None:
    data = json.loads(small_proof_json)
    edit(data["network"]["layers"][0]["weights"]["entries"])
    with pytest.raises(CertificateError, match=message):
        symnet.Proof.from_json(json.dumps(data))


def test_a_zero_or_symbolic_triplet_is_refused(small_proof_json: str) -> None:
    data = json.loads(small_proof_json)
    data["expressions"].append(["int", "0"])
    data["network"]["layers"][0]["weights"]["entries"][0][2] = len(data["expressions"]) - 1
    with pytest.raises(CertificateError, match="is 0"):
        symnet.Proof.from_json(json.dumps(data))
    data["expressions"][-1] = ["sym", "w_0"]
    with pytest.raises(CertificateError, match="not a number"):
        symnet.Proof.from_json(json.dumps(data))


def test_kernel_refuses_a_sparse_layer_with_an_entry_outside_its_shape(sparse_proof: tuple[Any, Any]) -> None:
    from sympy.polys.domains import QQ
    from sympy.polys.matrices import DomainMatrix
    from sympy.polys.matrices.sdm import SDM

    from symnet.certificate import Certificate
    from symnet.model.exact import sparse_matrix
    from symnet.model.network import Layer, Network

    cert = sparse_proof[1].certificate
    w = cert.network.layers[0].weights
    rows = {i: dict(r) for i, r in w._rep.rep.items()}
    bad_w = sparse_matrix(DomainMatrix.from_rep(SDM(rows, w.shape, QQ)))
    bad_w._rep.rep[0][w.cols + 3] = QQ(1)  # past the last column (SDM checks this only when it is built)
    layers = (Layer(bad_w, cert.network.layers[0].biases, cert.network.layers[0].activation),) + cert.network.layers[1:]
    bad = Certificate(Network(cert.network.inputs, layers), cert.steps, cert.claim)
    with pytest.raises(CertificateError):
        kernel.check(bad)


# ---------------------------------------------------------------- ReLU CNNs
def test_relu_cnn_regions_and_bound() -> None:
    torch.manual_seed(1)
    model = nn.Sequential(nn.Conv2d(1, 2, 2), nn.ReLU(), nn.Flatten(), nn.Linear(4, 1)).double()
    net = symnet.from_torch(model, input_shape=(1, 3, 2))
    box = [(-1, 1)] * net.p
    regions = symnet.regions(net, box)
    assert regions.check() and not regions.is_affine
    bound = symnet.bound(net, box)
    assert bound.check()
    for point, value in ((bound.argmax[0], bound.maximum[0]), (bound.argmin[0], bound.minimum[0])):
        x = torch.tensor([float(v) for v in point], dtype=torch.float64).reshape(1, 1, 3, 2)
        assert abs(model(x).item() - float(value)) < 1e-12
    for text in (regions.to_json(), bound.to_json()):  # the documents carry the sparse layer and re-check
        assert isinstance(json.loads(text)["network"]["layers"][0]["weights"], dict)
        assert kernel.check(text)
    xs = torch.rand(4000, 1, 3, 2, dtype=torch.float64) * 2 - 1
    ys = model(xs).detach().numpy()
    assert ys.max() <= float(bound.maximum[0]) + 1e-12 and ys.min() >= float(bound.minimum[0]) - 1e-12


def _sparse_network(widths: list[int]) -> Any:
    """A numeric network whose layers are sparse matrices with one nonzero entry each."""
    from sympy.polys.domains import QQ
    from sympy.polys.matrices import DomainMatrix
    from sympy.polys.matrices.sdm import SDM

    from symnet.model.exact import sparse_matrix
    from symnet.model.network import Layer, Network, input_symbols

    layers = []
    for fan_in, width in zip(widths, widths[1:], strict=False):
        w = sparse_matrix(DomainMatrix.from_rep(SDM({0: {0: QQ(1)}}, (width, fan_in), QQ)))
        b = sparse_matrix(DomainMatrix.from_rep(SDM({}, (width, 1), QQ)))
        layers.append(Layer(w, b))
    return Network(input_symbols(widths[0]), tuple(layers))


def test_a_small_document_cannot_make_the_kernel_densify_a_huge_sparse_layer() -> None:
    """A sparse section states few entries of a large matrix: the gate and the numeric check refuse, fast."""
    import time

    import sympy

    from symnet.certificate import Certificate, Claim, Step

    net = _sparse_network([2, 1001, 1000])  # 1,001,000 entries in the second layer, one of them nonzero
    direct = Certificate(net, (Step("expand_and_compare", monomials=1),), Claim("product", (1000, 2), ("direct",)))
    start = time.perf_counter()
    with pytest.raises(CertificateError, match="gate reads at most"):
        kernel.check(direct)
    big = _sparse_network([2, 5000, 5000])  # the running product would be 5000 x 5001
    steps = (
        Step("read_output_layer", layer=2, matrix=big.layers[1].weights),
        Step(
            "substitute_layer",
            layer=1,
            slope=sympy.Integer(1),
            intercept=sympy.Integer(0),
            matrix=big.layers[0].weights,
        ),
        Step("conclude_linear_form"),
    )
    with pytest.raises(CertificateError, match="more than"):
        kernel.check(Certificate(big, steps, Claim("product", (5000, 2), ("layerwise",))))
    assert time.perf_counter() - start < 5


def test_a_claim_stated_as_a_huge_sparse_section_is_refused_fast(sparse_proof: tuple[Any, Any]) -> None:
    import time

    data = json.loads(sparse_proof[1].to_json())
    data["claim"]["matrix"] = {"shape": [10**6, 10**6], "entries": []}
    start = time.perf_counter()
    with pytest.raises(CertificateError, match="shape"):
        symnet.Proof.from_json(json.dumps(data)).check()
    assert time.perf_counter() - start < 5


def test_the_packed_sparse_product_is_flints_dense_product() -> None:
    """The Kronecker-packed product both the search and the kernel use, against python-flint's dense product of the
    same matrices, with extreme and cancelling entries."""
    import random

    import flint
    from sympy.polys.domains import QQ
    from sympy.polys.matrices.sdm import SDM

    from symnet.kernel.qq import dense, sparse_times

    rng = random.Random(0)
    for trial in range(200):
        q, n, m = rng.randint(1, 6), rng.randint(1, 9), rng.randint(1, 9)
        big = rng.choice([1, 3, 2**60, 2**200])
        extreme = rng.random() < 0.3  # every entry +-big: the integer sums reach their bound

        def pick(big: int = big, extreme: bool = extreme) -> int:
            return rng.choice([-big, big]) if extreme else rng.randint(-big, big)

        A = flint.fmpq_mat(q, n, [flint.fmpq(pick(), 1 if extreme else rng.randint(1, big)) for _ in range(q * n)])
        rows = {}
        for k in range(n):
            row = {j: QQ(pick() or 1, 1 if extreme else rng.randint(1, big)) for j in range(m) if rng.random() < 0.5}
            if row:
                rows[k] = row
        B = SDM(rows, (n, m), QQ)
        assert sparse_times(A, B) == A * dense(B), trial


@pytest.mark.slow
def test_the_benchmarks_28x28_cnn_collapses_checked_and_round_trips() -> None:
    """The benchmark's model end to end: exact sparse route, kernel check, JSON round trip, torch's float64 pass."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.Conv2d(8, 8, 3), nn.Flatten(), nn.Linear(8 * 24 * 24, 10)).double()
    proof = symnet.prove(symnet.from_torch(model, input_shape=(1, 28, 28)))
    assert proof.certificate.claim.routes == ("layerwise",) and proof.check()
    again = symnet.Proof.from_json(proof.to_json())
    assert again.check()
    W = np.array(again.certificate.claim.matrix.tolist(), dtype=float)
    b = np.array(again.certificate.claim.offset.tolist(), dtype=float).ravel()
    x = torch.randn(8, 1, 28, 28, dtype=torch.float64)
    assert np.abs(x.reshape(8, -1).numpy() @ W.T + b - model(x).detach().numpy()).max() < 1e-9
