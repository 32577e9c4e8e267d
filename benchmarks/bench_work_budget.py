"""The kernel's work budget (``symnet.kernel.qq.MAX_WORK``) against the largest real models, and crafted documents.

Run by hand (not in CI)::

    PYTHONPATH=. python benchmarks/bench_work_budget.py [--repeat 3] [--skip-real]

For each real model -- MNIST 784-256-128-10 (float32, ``bench_numeric.weights``),
the CNN of ``bench_cnn.py`` (two convolutions, sparse factors), the 45 ACAS Xu
networks (their identity twins: the same numbers), and (100, [100]*10, 1),
(300, [300]*10, 1) with float32 weights -- print the kernel's estimate of an
explicit claim's work (:func:`symnet.kernel.qq.work`, the layer-wise route), the
limit and the margin (limit / estimate), and the kernel's measured check time.
Then crafted networks of integer weights of many bits (dense deep, one-row
wide, square), their estimates near 0.5x and 1x the limit, with the kernel's
check time (best of ``--repeat``; "refused" past the limit), and the
20,000-bit depth-20 network refused (its time to refusal); and the direct route's expansion of affine networks
(activation t/2 + 1/2) of random odd integer weights, estimated by their monomials (:func:`symnet.kernel.qq.direct`),
near 0.8x and 1.4x the limit (an explicit claim of zeros: the time to expand, then refuse).  Prints the load average.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

import symnet
from symnet.errors import IllFormed, SizeGuardError
from symnet.kernel import qq
from symnet.kernel.linear import KERNEL_LIMIT, check, work
from symnet.model.activations import activation
from symnet.model.network import Layer, Network
from symnet.search.numeric import numeric_monomials

ROOT = Path(__file__).resolve().parent.parent
ACASXU = next((p for p in (ROOT.parent / "shared", Path("/work/shared")) if p.is_dir()), ROOT) / "benchmarks" / "acasxu"


def estimate(net: Any) -> int:
    """The kernel's estimate for the certificate ``prove`` writes (the layer-wise route alone for a large network)."""
    layers = qq.network(net)
    assert layers is not None
    total, bits = qq.work(layers, product=True)
    paths = numeric_monomials(net)
    return total if paths > KERNEL_LIMIT else total + qq.direct(layers, paths, bits)


def best(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def row(name: str, net: Any, repeat: int) -> None:
    try:
        proof = symnet.prove(net)
    except SizeGuardError as e:
        print(f"{name:34s} {e.estimate:10.3g} {qq.MAX_WORK:10.3g} {'':>10s} {'refused':>9s}", flush=True)
        return
    estimated = work(proof.certificate)
    try:
        seconds = f"{best(lambda: check(proof.certificate), repeat):.3f}"
    except IllFormed:
        seconds = "refused"
    margin = qq.MAX_WORK / max(estimated, 1)
    print(f"{name:34s} {estimated:10.3g} {qq.MAX_WORK:10.3g} {margin:9.0f}x {seconds:>9s}", flush=True)


def float_net(sizes: list[int]) -> Network:
    import numpy as np

    rng = np.random.default_rng(0)
    pairs = [
        ((rng.standard_normal((m, n)) / np.sqrt(n)).astype(np.float32), (0.1 * rng.standard_normal(m)).astype("f4"))
        for n, m in zip(sizes[:-1], sizes[1:], strict=True)
    ]
    return Network.from_matrices([w for w, _ in pairs], [b for _, b in pairs])


def twin(net: Network) -> Network:
    identity = activation("identity")
    return Network(net.inputs, tuple(Layer(layer.weights, layer.biases, identity) for layer in net.layers))


def crafted(n: int, depth: int, bits: int) -> Network:
    """n x n layers (depth hidden ones and the output layer), every weight 2**bits - 1, every bias 0."""
    return crafted_wide(n, [n] * (depth + 1), bits)


def real(repeat: int) -> None:
    import torch
    from bench_cnn import model
    from bench_numeric import weights

    pairs = weights([784, 256, 128, 10])
    row("MNIST 784-256-128-10 float32", Network.from_matrices([w for w, _ in pairs], [b for _, b in pairs]), repeat)
    with torch.no_grad():
        row("CNN 1x28x28 conv-conv-linear", symnet.from_torch(model(), input_shape=(1, 28, 28)), repeat)
    row("float32 (100, [100]*10, 1)", float_net([100] * 11 + [1]), repeat)
    row("float32 (300, [300]*10, 1)", float_net([300] * 11 + [1]), repeat)
    works = []
    for path in sorted(ACASXU.glob("ACASXU_run2a_*.onnx")):
        works.append((estimate(symnet.from_onnx(str(path))), path.name))
    if works:
        top, name = max(works)
        print(f"ACAS Xu: {len(works)} networks, largest estimate {top:.3g} ({name}), margin {qq.MAX_WORK / top:.0f}x")
        row(f"ACAS Xu twin {name[12:17]}", twin(symnet.from_onnx(str(ACASXU / name))), repeat)


def crafted_wide(p: int, widths: list[int], bits: int) -> Network:
    big, sizes = (1 << bits) - 1, [p, *widths]
    weights = [[[big] * n for _ in range(m)] for n, m in zip(sizes[:-1], sizes[1:], strict=True)]
    return Network.from_matrices(weights, [[0] * m for m in widths])


#: Crafted networks near 0.5x and 1x the limit: (name, inputs, widths, bits).
CRAFTED = [
    ("20x20, depth 2, 20,000 bits", 20, [20] * 3, 20_000),
    ("20x20, depth 3, 18,000 bits", 20, [20] * 4, 18_000),
    ("20x20, depth 1, 20,000 bits", 20, [20] * 2, 20_000),
    ("20x20, depth 1, 30,000 bits", 20, [20] * 2, 30_000),
    ("1 row, 300 wide, depth 3, 2,000 bits", 300, [300] * 3 + [1], 2_000),
    ("1 row, 300 wide, depth 3, 3,000 bits", 300, [300] * 3 + [1], 3_000),
    ("2 rows, 300 wide, depth 4, 1,000 bits", 300, [300] * 4 + [2], 1_000),
    ("2 rows, 300 wide, depth 4, 1,400 bits", 300, [300] * 4 + [2], 1_400),
    ("2 rows, 300 wide, depth 4, 2,000 bits", 300, [300] * 4 + [2], 2_000),
    ("400 x 400 x 400, 2,000 bits", 400, [400, 400], 2_000),
]


def attacks(repeat: int) -> None:
    for name, p, widths, bits in CRAFTED:
        row(f"crafted {name}", crafted_wide(p, widths, bits), repeat)
    net = crafted(20, 20, 20_000)
    cert = symnet.prove(crafted(20, 2, 20_000)).certificate  # the refused network with an accepted one's steps
    start = time.perf_counter()
    try:
        check(type(cert)(net, cert.steps, cert.claim))
    except IllFormed as e:
        print(f"crafted 20x20, depth 20, 20,000 bits: refused in {time.perf_counter() - start:.3f} s: {str(e)[:80]}")


#: Affine networks whose direct route is estimated by monomials, not paths: (inputs, widths, bits).
DIRECT = [(10, [10] * 3, 20_000), (10, [10] * 3, 30_000), (10, [10] * 3, 40_000)]


def direct(repeat: int) -> None:
    import random

    import sympy

    from symnet.certificate import Certificate, Claim, Step

    t = sympy.Symbol("t")
    for p, widths, bits in DIRECT:
        rng, sizes = random.Random(0), [p, *widths, 1]
        shapes = zip(sizes, sizes[1:], strict=False)
        weights = [[[rng.getrandbits(bits) | 1 for _ in range(n)] for _ in range(m)] for n, m in shapes]
        biases = [[rng.getrandbits(bits) for _ in range(m)] for m in sizes[1:]]
        net = Network.from_matrices(weights, biases, sympy.Lambda(t, t / 2 + sympy.Rational(1, 2)))
        claim = Claim("explicit", (1, p), ("direct",), sympy.zeros(1, p), sympy.zeros(1, 1))
        cert = Certificate(net, (Step("expand_and_compare", monomials=0),), claim)

        def run(cert: Certificate = cert) -> str:
            try:
                check(cert)
            except IllFormed:
                return "refused"
            except symnet.CertificateError:
                return "expanded"
            return "accepted"

        name = f"direct, affine {p} x {widths}, {bits:,} bits"
        estimated, outcome = work(cert), run()
        seconds = f"{best(run, repeat):.3f}" if outcome == "expanded" else outcome
        print(f"{name:34s} {estimated:10.3g} {qq.MAX_WORK:10.3g} {qq.MAX_WORK / estimated:9.2f}x {seconds:>9s}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-real", action="store_true")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()}; MAX_WORK {qq.MAX_WORK:.3g}")
    print(f"{'model':34s} {'estimate':>10s} {'limit':>10s} {'margin':>10s} {'check s':>9s}")
    if not args.skip_real:
        real(args.repeat)
    attacks(args.repeat)
    direct(args.repeat)
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
