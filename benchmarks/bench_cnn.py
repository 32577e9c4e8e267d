"""Import and collapse a 1x28x28 CNN exactly, against the python-flint floor (issue 20).

Run by hand (not in CI)::

    PYTHONPATH=. python benchmarks/bench_cnn.py --repeat 3

The model: Conv2d(1, 8, 3) -> Conv2d(8, 8, 3) -> Flatten -> Linear(4608, 10),
identity activations, float32 weights from ``torch.manual_seed(0)``.  symnet
imports it with ``from_torch(model, input_shape=(1, 28, 28))`` (the two
convolutions become sparse 5408 x 784 and 4608 x 5408 matrices over QQ), proves
the collapse and checks the proof in the kernel; the JSON round trip is timed
apart.  The floor is the fastest exact route found with python-flint: every
float32 weight as an integer over a common power of two, then the transposed
convolutions of the Linear layer's rows as python-flint ``fmpz_mat`` products
(one per layer, all kernel taps at once) scattered with numpy object arrays,
and W*, b* as ``fmpq``.  Both sides start from the same torch tensors and
include every conversion; the floor's W* and b* are asserted equal to
symnet's, entry by entry.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import flint
import numpy as np


def model() -> Any:
    import torch

    torch.manual_seed(0)
    nn = torch.nn
    return nn.Sequential(nn.Conv2d(1, 8, 3), nn.Conv2d(8, 8, 3), nn.Flatten(), nn.Linear(8 * 24 * 24, 10)).eval()


def _scaled(array: Any) -> tuple[np.ndarray, int]:
    """Exact integers n and k with array == n / 2**k (float32 values are dyadic)."""
    pairs = [v.as_integer_ratio() for v in np.asarray(array, dtype=np.float64).ravel().tolist()]
    k = max(d.bit_length() - 1 for _, d in pairs)
    ints = np.empty(len(pairs), dtype=object)
    ints[:] = [n << (k - (d.bit_length() - 1)) for n, d in pairs]
    return ints.reshape(np.shape(array)), k


def _pull_back(grad: np.ndarray, weight: np.ndarray, size: int) -> np.ndarray:
    """The transposed valid convolution (stride 1): grad (N, h, w, C_out) -> (N, h+k-1, w+k-1, C_in), exactly."""
    n, h, w, c_out = grad.shape
    _, c_in, k, _ = weight.shape
    a = flint.fmpz_mat(n * h * w, c_out, grad.reshape(-1).tolist())
    b = flint.fmpz_mat(c_out, k * k * c_in, weight.transpose(0, 2, 3, 1).reshape(-1).tolist())
    prod = np.empty(n * h * w * k * k * c_in, dtype=object)
    prod[:] = (a * b).entries()
    prod = prod.reshape(n, h, w, k, k, c_in)
    out = np.empty((n, size, size, c_in), dtype=object)
    out.fill(flint.fmpz(0))
    for ky in range(k):
        for kx in range(k):
            out[:, ky : ky + h, kx : kx + w, :] += prod[:, :, :, ky, kx, :]
    return out


def floor(m: Any) -> tuple[flint.fmpq_mat, flint.fmpq_mat]:
    """(W*, b*) with python-flint, from the torch weights."""
    conv1, conv2, _, linear = m
    w1, k1 = _scaled(conv1.weight.detach().numpy())
    c1, kc1 = _scaled(conv1.bias.detach().numpy())
    w2, k2 = _scaled(conv2.weight.detach().numpy())
    c2, kc2 = _scaled(conv2.bias.detach().numpy())
    wl, kl = _scaled(linear.weight.detach().numpy())
    bl, kbl = _scaled(linear.bias.detach().numpy())
    g2 = wl.reshape(10, 8, 24, 24).transpose(0, 2, 3, 1)  # the Linear rows over conv2's output, channels last
    g1 = _pull_back(g2, w2, 26)  # ... over conv1's output
    g0 = _pull_back(g1, w1, 28)  # ... over the input
    W = flint.fmpq_mat(flint.fmpz_mat(10, 784, g0.reshape(-1).tolist())) / flint.fmpz(2) ** (kl + k2 + k1)
    # b* = L C2 b1 + L b2 + bL, each term over its own power of two
    t1 = flint.fmpz_mat(10, 26 * 26 * 8, g1.reshape(-1).tolist()) * flint.fmpz_mat(26 * 26 * 8, 1, list(c1) * 676)
    t2 = flint.fmpz_mat(10, 24 * 24 * 8, g2.reshape(-1).tolist()) * flint.fmpz_mat(24 * 24 * 8, 1, list(c2) * 576)
    b = (
        flint.fmpq_mat(t1) / flint.fmpz(2) ** (kl + k2 + kc1)
        + flint.fmpq_mat(t2) / flint.fmpz(2) ** (kl + kc2)
        + flint.fmpq_mat(10, 1, [flint.fmpq(int(v), 2**kbl) for v in bl])
    )
    return W, b


def symnet_route(m: Any) -> tuple[Any, dict[str, float]]:
    import symnet

    times = {}
    t = time.perf_counter()
    net = symnet.from_torch(m, input_shape=(1, 28, 28))
    times["import"] = time.perf_counter() - t
    t = time.perf_counter()
    proof = symnet.prove(net)
    times["prove"] = time.perf_counter() - t
    t = time.perf_counter()
    assert proof.check()
    times["check"] = time.perf_counter() - t
    return proof, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="also time the JSON write, read and check")
    args = parser.parse_args()
    import symnet  # warm imports outside the timings

    symnet.Network  # noqa: B018
    m = model()
    best: dict[str, float] = {}
    floors = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        W, b = floor(m)
        floors.append(time.perf_counter() - t)
        proof, times = symnet_route(m)
        for key, value in times.items():
            best[key] = min(best.get(key, value), value)
    claim = proof.certificate.claim
    ours = flint.fmpq_mat([[flint.fmpq(int(v.p), int(v.q)) for v in row] for row in claim.matrix.tolist()])
    ours_b = flint.fmpq_mat([[flint.fmpq(int(v.p), int(v.q))] for v in claim.offset])
    assert ours == W and ours_b == b, "the floor and symnet disagree"
    total = best["import"] + best["prove"] + best["check"]
    print(f"python-flint floor (W*, b*):          {min(floors):7.3f} s")
    print(f"symnet import (from_torch):           {best['import']:7.3f} s")
    print(f"symnet prove:                         {best['prove']:7.3f} s")
    print(f"symnet check (kernel):                {best['check']:7.3f} s")
    print(f"symnet import + prove + check:        {total:7.3f} s  ({total / min(floors):.1f}x the floor)")
    if args.json:
        t = time.perf_counter()
        text = proof.to_json()
        write = time.perf_counter() - t
        t = time.perf_counter()
        again = symnet.Proof.from_json(text)
        read = time.perf_counter() - t
        t = time.perf_counter()
        assert again.check()
        check = time.perf_counter() - t
        print(f"certificate: {len(text) / 1e6:.1f} MB; write {write:.2f} s, read {read:.2f} s, check {check:.2f} s")


if __name__ == "__main__":
    main()
