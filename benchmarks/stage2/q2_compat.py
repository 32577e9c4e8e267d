"""Q2 (compatibility): do counterexample documents written by today's sympy route pass the prototype's sympy-free
value comparison (option A, ``terms.py``; docs/redesign.md, section 3)?  ``refute()`` on seeded networks of every
transcendental and polynomial activation (symbolic ``dense`` and numeric ``from_matrices``); counts accepted,
refused, and networks with no refutation.

Run from the repository root:  python benchmarks/stage2/q2_compat.py   (84 networks, a few minutes)
"""

import random
from fractions import Fraction
from itertools import pairwise

import _paths  # noqa: F401  (the repository's symnet and benchmarks/ first on sys.path)
from q2_counterexample import proto

import symnet
from symnet.errors import SymnetError

WIDTHS = [[2, 3, 1], [3, 4, 4, 2], [1, 2, 2, 2, 1]]


def numeric(widths: list[int], act: str, seed: int) -> symnet.Network:
    rng = random.Random(seed)
    W = [[[Fraction(rng.randint(-8, 8), rng.choice([1, 2, 4, 3])) for _ in range(a)] for _ in range(b)]
         for a, b in pairwise(widths)]
    B = [[Fraction(rng.randint(-8, 8), 4) for _ in range(b)] for b in widths[1:]]
    return symnet.Network.from_matrices(W, B, activation=act)


def main() -> None:
    tally: dict[str, list[int]] = {}
    for act in ("tanh", "sigmoid", "softplus", "square", "cube", "leaky_relu", "relu"):
        t = tally.setdefault(act, [0, 0, 0])
        for seed in range(12):
            widths = WIDTHS[seed % 3]
            if seed % 2:
                net = numeric(widths, act, seed)
            else:
                net = symnet.dense(widths[0], widths[1:-1], widths[-1], activation=act)
            try:
                text = symnet.refute(net).to_json()
            except SymnetError:  # no refutation (e.g. an affine network)
                t[2] += 1
                continue
            r = proto(text)
            t[0 if r is True else 1] += 1
            if r is not True:
                print(act, seed, r)
    print("activation: accepted, refused, no refutation:", tally)


if __name__ == "__main__":
    main()
