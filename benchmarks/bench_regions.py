"""Time symnet.regions on random one-hidden-layer relu networks (integer weights in [-5, 5]).

Run: python benchmarks/bench_regions.py
"""

import random
import time

import symnet


def net(p: int, h: int, seed: int) -> symnet.Network:
    rng = random.Random(seed)
    w = [[rng.choice([v for v in range(-5, 6) if v]) for _ in range(p)] for _ in range(h)]
    b = [rng.randint(-5, 5) for _ in range(h)]
    return symnet.Network.from_matrices([w, [[1] * h]], [b, [0]], activation="relu")


if __name__ == "__main__":
    for p, h in [(1, 8), (2, 4), (2, 8), (2, 12), (3, 6), (3, 10), (4, 8)]:
        n = net(p, h, 0)
        start = time.perf_counter()
        try:
            regs = symnet.regions(n)
        except symnet.SymnetError as exc:
            print(f"p={p} units={h}: {type(exc).__name__}", flush=True)
            continue
        found = time.perf_counter() - start
        start = time.perf_counter()
        regs.check()
        checked = time.perf_counter() - start
        print(f"p={p} units={h}: {len(regs)} regions, enumerate {found:.2f} s, check {checked:.2f} s", flush=True)
