"""Benchmark: the cost of symnet's Hypothesis strategies in property tests (issue #14).

Run by hand:  python benchmarks/bench_strategies.py [--examples N]

Targets:

1. drawing a network of up to 4 x [4, 4] x 2 costs <= 5 ms (symbolic, exact
   and float weights; "up to" = ``architectures(max_inputs=4, max_depth=2,
   max_width=4, max_outputs=2)``, and the largest, 4 x [4, 4] x 2, alone);
2. a deliberately failing property over ``networks(...)`` shrinks in <= 10 s
   (two of them: a plain property on the network's output, and a buggy
   forward pass caught by ``assert_forward_matches`` inside ``@given``);
   the shrunk example is printed, so its minimality can be judged;
3. 30 ``st.from_type(Network)`` examples through ``assert_forward_matches``
   (a correct plain-Python forward pass, 100 samples each) take <= 10 s.

Every run uses ``database=None`` and a fixed seed, so it is repeatable.
"""

from __future__ import annotations

import argparse
import time
from fractions import Fraction
from typing import Any

import sympy
from hypothesis import Phase, given, seed, settings
from hypothesis import strategies as st

from symnet import Network
from symnet import strategies as sst
from symnet.testing import assert_forward_matches

UP_TO = sst.architectures(max_inputs=4, max_depth=2, max_width=4, max_outputs=2)
LARGEST = st.just(sst.Architecture(4, (4, 4), 2))


class Timer:
    """Wall-clock and CPU seconds of a block (the CPU figure is steadier on a shared machine)."""

    def __enter__(self) -> Timer:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu

    def show(self, scale: float = 1.0, digits: int = 2) -> str:
        return f"{self.wall * scale:.{digits}f} (cpu {self.cpu * scale:.{digits}f})"


def per_network_ms(weights: str, arch: st.SearchStrategy, examples: int) -> str:
    count = 0

    @seed(0)
    @settings(max_examples=examples, database=None, deadline=None, phases=[Phase.generate])
    @given(sst.networks(weights=weights, architecture=arch))
    def draw(net: Network) -> None:
        nonlocal count
        count += 1

    with Timer() as timer:
        draw()
    return timer.show(1000 / count)


def _exact(e: Any) -> Fraction:
    r = sympy.Rational(e)
    return Fraction(int(r.p), int(r.q))


def plain_forward(net: Network):
    """An independent forward pass in Fractions; hidden activations are affine a*t + b (read off at t = 0, 1)."""
    affine = []
    for act in net.activations:
        b = act.expr.subs(act.variable, 0)
        affine.append((_exact(act.expr.subs(act.variable, 1) - b), _exact(b)))

    def fn(weights, biases, x):
        u = list(x)
        for layer, (w, b) in enumerate(zip(weights, biases, strict=True)):
            u = [b[k] + sum(w[k][j] * u[j] for j in range(len(u))) for k in range(len(w))]
            if layer < len(affine):
                slope, intercept = affine[layer]
                u = [slope * v + intercept for v in u]
        return u

    return fn


def buggy_forward(weights, biases, x):
    """Forgets the hidden layers' biases."""
    u = list(x)
    for layer, (w, b) in enumerate(zip(weights, biases, strict=True)):
        last = layer == len(weights) - 1
        u = [sum(w[k][j] * u[j] for j in range(len(u))) + (b[k] if last else 0) for k in range(len(w))]
    return u


def time_failure(test) -> tuple[str, str]:
    with Timer() as timer:
        try:
            test()
        except AssertionError as exc:
            message = str(exc).strip()
        else:
            raise SystemExit("the deliberately failing property passed")
    return timer.show(), message


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200, help="networks drawn per row of table 1")
    args = parser.parse_args()

    print("1. drawing networks (ms per network, wall (cpu); target <= 5)")
    print(f"   {'weights':<9} {'up to 4x[4,4]x2':>24} {'4x[4,4]x2':>24}")
    for weights in ("symbolic", "exact", "float"):
        up_to = per_network_ms(weights, UP_TO, args.examples)
        largest = per_network_ms(weights, LARGEST, args.examples)
        print(f"   {weights:<9} {up_to:>24} {largest:>24}")

    print("2. shrinking a deliberately failing property (s, wall (cpu); target <= 10)")
    shrunk: dict[str, Any] = {}

    @seed(0)
    @settings(database=None, deadline=None)
    @given(sst.networks(weights="exact", architecture=UP_TO))
    def output_is_small(net: Network) -> None:
        """False: some network's first output at x = (1, ..., 1) exceeds 4."""
        value = net.evaluate([1] * net.p)[0]
        shrunk["net"] = net
        assert value <= 4, f"output {value} at x = 1"

    seconds, _ = time_failure(output_is_small)
    net = shrunk["net"]
    entries = [e for layer in net.layers for e in (*layer.weights, *layer.biases)]
    print(f"   output <= 4 at x = 1: {seconds} s; shrunk to {net!r},")
    print(f"      entries {[str(e) for e in entries]}")

    @seed(0)
    @settings(database=None, deadline=None)
    @given(sst.networks(architecture=UP_TO, activation=st.just("identity")))
    def buggy_forward_matches(net: Network) -> None:
        assert_forward_matches(buggy_forward, net)

    seconds, message = time_failure(buggy_forward_matches)
    print(f"   buggy forward pass (no biases): {seconds} s; shrunk report:")
    print("\n".join("      " + line for line in message.splitlines()[:12]))

    print("3. 30 from_type(Network) examples through assert_forward_matches (s, wall (cpu); target <= 10)")

    @seed(0)
    @settings(max_examples=30, database=None, deadline=None)
    @given(st.from_type(Network))
    def from_type_matches(net: Network) -> None:
        assert_forward_matches(plain_forward(net), net)

    with Timer() as timer:
        from_type_matches()
    print(f"   {timer.show()} s")


if __name__ == "__main__":
    main()
