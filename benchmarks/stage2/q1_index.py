"""Q1: dense(500, [500]*10) with plain-symbol entries stored as generator indices (stage 2's form).

build: one names table (list[str], the generators' names: inputs first) and, per layer, W and b as int64 index
arrays into it; prove (product route): the factors C = [b | W] and P_l = [[1, 0], [b, W]] as coded int arrays
(ref >= 0: a node of the table, here 0 -> ('q', 0) and 1 -> ('q', 1); ref < 0: generator -1 - ref);
check: the gate (every index a declared non-input generator, names distinct and no input's) and the stated
factors compared with the layers' own blocks (np.array_equal).  Then the lazy sympy views: one layer's weights
as a sympy matrix, and with ``views`` every layer's (docs/redesign.md, sections 1 and 4).

Run from the repository root:  python benchmarks/stage2/q1_index.py [width depth] [array] [views]
(default 500 10, numpy arrays; ``array`` stores the refs in ``array('q')`` instead)
"""

import gc
import resource
import sys
import time
from array import array
from typing import Any

import numpy as np

ZERO, ONE = 0, 1  # refs of the table's nodes ("q", 0) and ("q", 1); generator i is the ref -1 - i (no node)
LETTERS = "bcdefghijklmnopqrstuvwxyz"
Layer = tuple[Any, Any, int, int]  # W, b (int64 refs), rows, cols


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(width: int, depth: int, use_array: bool) -> tuple[list[str], list[Layer]]:
    """The names (inputs first) and the layers' ref arrays, in dense()'s naming and order."""
    p = width
    sizes = [p, *[width] * depth, 1]
    names = [f"x_{j + 1}" for j in range(p)]
    layers: list[Layer] = []
    nxt = p
    for l in range(1, len(sizes)):
        rows, cols = sizes[l], sizes[l - 1]
        letter = LETTERS[l - 1] if l < len(sizes) - 1 else "z"
        # node k's bias then its weights, as dense() orders them: name letter_{k, j}
        names.extend(f"{letter}_{{{k + 1},{j}}}" for k in range(rows) for j in range(cols + 1))
        block = (-1 - np.arange(nxt, nxt + rows * (cols + 1), dtype=np.int64)).reshape(rows, cols + 1)
        nxt += rows * (cols + 1)
        if use_array:
            layers.append((array("q", block[:, 1:].ravel().tolist()), array("q", block[:, 0].tolist()), rows, cols))
        else:
            layers.append((np.ascontiguousarray(block[:, 1:]), np.ascontiguousarray(block[:, 0]), rows, cols))
    return names, layers


def aug(W: Any, b: Any, rows: int, cols: int, head: int) -> np.ndarray:
    """[b | W], with the row [1, 0, ..., 0] on top when ``head``."""
    W = np.frombuffer(W, dtype=np.int64).reshape(rows, cols) if isinstance(W, array) else W
    b = np.frombuffer(b, dtype=np.int64) if isinstance(b, array) else b
    out = np.empty((rows + head, cols + 1), dtype=np.int64)
    if head:
        out[0, 0] = ONE
        out[0, 1:] = ZERO
    out[head:, 0] = b
    out[head:, 1:] = W
    return out


def gate(names: list[str], layers: list[Layer], p: int) -> None:
    if len(set(names)) != len(names):
        raise ValueError("two generators share a name")
    for W, b, _rows, _cols in layers:
        for m in (W, b):
            a = np.frombuffer(m, dtype=np.int64) if isinstance(m, array) else m
            if a.size and (int(a.max()) > -1 - p or int(a.min()) < -len(names)):  # refs >= 0 would be walked
                raise ValueError("an entry is an input or no declared generator")


def lazy_views(names: list[str], layers: list[Layer], p: int, every: bool) -> None:
    """sympy Symbols only when asked: one layer's weights as a sympy matrix, and with ``every`` all layers'."""
    t4 = time.perf_counter()
    import sympy  # timed: the form itself never imports sympy

    t5 = time.perf_counter()
    W, b, rows, cols = layers[0]
    idx = np.asarray(W).reshape(-1) if not isinstance(W, array) else W
    sympy.ImmutableMatrix(rows, cols, [sympy.Symbol(names[-1 - i]) for i in idx])
    t6 = time.perf_counter()
    print(f"  import sympy {t5 - t4:.2f} s; layer 1's weights as a sympy matrix on request ({rows * cols:,} Symbols): "
          f"{t6 - t5:.2f} s; peak {peak_mib():.0f} MiB")
    if every:  # every layer's weights and biases as sympy matrices (what a user asking for all would pay)
        t7 = time.perf_counter()
        for W, b, rows, cols in layers:
            for m, shape in ((W, (rows, cols)), (b, (rows, 1))):
                idx = np.asarray(m).reshape(-1) if not isinstance(m, array) else m
                sympy.ImmutableMatrix(*shape, [sympy.Symbol(names[-1 - i]) for i in idx])
        print(f"  every layer as sympy matrices ({len(names) - p:,} Symbols): {time.perf_counter() - t7:.2f} s; "
              f"peak {peak_mib():.0f} MiB")


def main(argv: list[str]) -> None:
    width, depth = (int(argv[1]), int(argv[2])) if len(argv) > 2 and argv[2].isdigit() else (500, 10)
    use_array = "array" in argv
    gc.disable()
    t0 = time.perf_counter()
    names, layers = build(width, depth, use_array)
    t1 = time.perf_counter()
    # prove (product route, identity activations): C then P_L .. P_1, each a fresh coded matrix
    factors = [aug(*layers[-1], 0)] + [aug(*layers[l], 1) for l in range(len(layers) - 2, -1, -1)]
    t2 = time.perf_counter()
    gate(names, layers, width)
    t3a = time.perf_counter()
    for i, f in enumerate(factors):
        derived = aug(*layers[-1], 0) if i == 0 else aug(*layers[len(layers) - 1 - i], 1)
        if f.shape != derived.shape or not np.array_equal(f, derived):
            raise ValueError(f"factor {i} differs")
    t3 = time.perf_counter()
    n = len(names) - width
    print(f"dense({width}, [{width}]*{depth}) index form ({'array(q)' if use_array else 'numpy'}): "
          f"{n:,} parameter generators")
    print(f"  build {t1 - t0:.2f} s | prove {t2 - t1:.2f} s | check {t3 - t2:.2f} s (gate {t3a - t2:.2f} s) | "
          f"total {t3 - t0:.2f} s | peak {peak_mib():.0f} MiB")
    lazy_views(names, layers, width, "views" in argv)


if __name__ == "__main__":
    main(sys.argv)
