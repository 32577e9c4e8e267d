"""Q1 (alternative): dense(500, [500]*10) with every entry a ref into the hash-consed table (one ("g", i) node per
generator), i.e. no separate index-array form: build, prove (the factors as ref tuples), check (gate: the entries'
nodes are non-input generators; factors compared as tuples), peak memory.  The note's conclusion: no node for a
generator (docs/redesign.md, section 6).

Run from the repository root:  python benchmarks/stage2/q1_refs.py [width depth]   (default 500 10: ~7 s, ~0.8 GiB)
"""

import gc
import resource
import sys
import time

import _paths  # noqa: F401  (the repository's symnet first on sys.path, for kform)
from kform import Table

LETTERS = "bcdefghijklmnopqrstuvwxyz"
Layer = tuple[tuple[int, ...], tuple[int, ...], int, int]


def main(width: int, depth: int) -> None:
    gc.disable()
    t0 = time.perf_counter()
    table = Table()
    p = width
    sizes = [p, *[width] * depth, 1]
    names = [f"x_{j + 1}" for j in range(p)]
    for j in range(p):
        table.add(("g", j))
    one, zero = table.number(1), table.number(0)
    layers: list[Layer] = []
    for l in range(1, len(sizes)):
        rows, cols = sizes[l], sizes[l - 1]
        letter = LETTERS[l - 1] if l < len(sizes) - 1 else "z"
        start = len(names)
        names.extend(f"{letter}_{{{k + 1},{j}}}" for k in range(rows) for j in range(cols + 1))
        refs = [table.add(("g", i)) for i in range(start, len(names))]
        W = tuple(refs[k * (cols + 1) + 1 + j] for k in range(rows) for j in range(cols))
        b = tuple(refs[k * (cols + 1)] for k in range(rows))
        layers.append((W, b, rows, cols))
    t1 = time.perf_counter()

    def aug(W: tuple[int, ...], b: tuple[int, ...], rows: int, cols: int, head: int) -> tuple[int, ...]:
        out = [one, *[zero] * cols] if head else []
        for k in range(rows):
            out.append(b[k])
            out.extend(W[k * cols : (k + 1) * cols])
        return tuple(out)

    factors = [aug(*layers[-1], 0)] + [aug(*layers[l], 1) for l in range(len(layers) - 2, -1, -1)]
    t2 = time.perf_counter()
    if len(set(names)) != len(names):
        raise ValueError("names")
    nodes = table.nodes
    for W, b, _rows, _cols in layers:  # every entry a generator node of a parameter (no input)
        for refs in (W, b):
            kinds = {nodes[r][0] for r in set(refs)}
            if kinds != {"g"} or min(nodes[r][1] for r in refs) < p:
                raise ValueError("entry")
    t3a = time.perf_counter()
    for i, f in enumerate(factors):
        if f != (aug(*layers[-1], 0) if i == 0 else aug(*layers[len(layers) - 1 - i], 1)):
            raise ValueError("factor")
    t3 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"dense({width}, [{width}]*{depth}) as refs into one table: {len(names) - p:,} generators")
    print(f"  build {t1 - t0:.2f} s | prove {t2 - t1:.2f} s | check {t3 - t2:.2f} s (gate {t3a - t2:.2f} s) | "
          f"total {t3 - t0:.2f} s | peak {peak:.0f} MiB")


if __name__ == "__main__":
    main(*((int(sys.argv[1]), int(sys.argv[2])) if len(sys.argv) > 2 else (500, 10)))
