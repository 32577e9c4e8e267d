"""Time symnet.regions (exact: pplpy + python-flint) against a float scipy-linprog tree search and the old sympy route.

Networks: p inputs, hidden relu layers, 1 output, weights and biases drawn
from a standard normal and rounded to float32 (symnet reads each float32 at
its exact binary value).  Domain: the box [-1, 1]^p, and all of R^p for the
2 x [12] comparison.

* ``exact``: symnet.regions (facet search, exact), then ``Regions.check()``
  (the kernel's re-verification, which also computes the lazy Farkas
  multipliers of the certificate).
* ``linprog``: a tree search over activation patterns, one unit at a time,
  each side tested by scipy's float ``linprog`` (HiGHS), i.e. the route the
  float tools take (no certificate; float answers).
* ``sympy``: symnet's previous ``regions`` (split tree with sympy's exact
  simplex), taken from git history (commit 0b6219d), over R^p only; it
  needs rational weights and may fail with ExactLPError.

* ``bound`` (with ``--bound``): symnet.bound on the same box (every output's exact
  maximum and minimum, from the regions) and its ``check()``.

Run: python benchmarks/bench_regions.py [--quick] [--exact-only] [--bound] [--repeat N]

``--exact-only`` leaves out the two peer routes (linprog tree, sympy route);
``--repeat N`` reports the best of N runs of the exact columns (the machine is shared).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import types
from functools import partial
from pathlib import Path

import numpy as np
import sympy
from scipy.optimize import linprog

import symnet

ROOT = Path(__file__).resolve().parent.parent
LEGACY_COMMIT = "0b6219d"


def network(p: int, hidden: list[int], seed: int) -> symnet.Network:
    rng = np.random.default_rng(seed)
    sizes = [p, *hidden, 1]
    weights = [
        rng.standard_normal((sizes[i + 1], sizes[i])).astype(np.float32).astype(float).tolist()
        for i in range(len(sizes) - 1)
    ]
    biases = [
        rng.standard_normal(sizes[i + 1]).astype(np.float32).astype(float).tolist()
        for i in range(len(sizes) - 1)
    ]
    return symnet.Network.from_matrices(weights, biases, activation="relu")


def float_layers(net: symnet.Network) -> list[tuple[np.ndarray, np.ndarray]]:
    return [
        (np.array(layer.weights.tolist(), dtype=float), np.array(list(layer.biases), dtype=float))
        for layer in net.layers
    ]


def linprog_tree(net: symnet.Network, box: list[tuple[float, float]] | None) -> tuple[int, int]:
    """(regions, LPs) by splitting unit by unit; each side kept when its Chebyshev-like LP has t > 1e-9."""
    layers = float_layers(net)[:-1]
    p = net.p
    units = [(l, k) for l, (W, _) in enumerate(layers) for k in range(W.shape[0])]
    bounds = [(lo, hi) for lo, hi in box] if box else [(None, None)] * p
    lps = 0

    def form(pattern: dict, upto: int) -> tuple[np.ndarray, np.ndarray]:
        M, c = np.eye(p), np.zeros(p)
        for l in range(upto + 1):
            W, b = layers[l]
            M, c = W @ M, W @ c + b
            if l == upto:
                return M, c
            mask = np.array([pattern[(l, k)] for k in range(W.shape[0])], dtype=float)
            M, c = M * mask[:, None], c * mask
        raise AssertionError

    def full(rows: list[tuple[np.ndarray, float]]) -> bool:
        nonlocal lps
        lps += 1
        if not rows:
            return True
        A = np.array([np.append(-a / max(np.linalg.norm(a), 1e-300), 1.0) for a, _ in rows])
        rhs = np.array([b / max(np.linalg.norm(a), 1e-300) for a, b in rows])
        res = linprog(np.append(np.zeros(p), -1.0), A_ub=A, b_ub=rhs, bounds=bounds + [(None, 1.0)], method="highs")
        return res.status == 0 and -res.fun > 1e-9

    count = 0

    def walk(depth: int, pattern: dict, rows: list) -> None:
        nonlocal count
        if depth == len(units):
            count += 1
            return
        l, k = units[depth]
        M, c = form(pattern, l)
        a, b = M[k], c[k]
        for side, s in ((0, -1.0), (1, 1.0)):
            child = rows + [(s * a, s * b)]
            if full(child):
                walk(depth + 1, {**pattern, (l, k): side}, child)

    walk(0, {}, [])
    return count, lps


def legacy_module() -> types.ModuleType | None:
    try:
        source = subprocess.run(
            ["git", "show", f"{LEGACY_COMMIT}:symnet/search/regions.py"],
            cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    mod = types.ModuleType("symnet.search._legacy_regions")
    mod.__package__ = "symnet.search"
    sys.modules[mod.__name__] = mod
    exec(compile(source, "legacy_regions.py", "exec"), mod.__dict__)
    return mod


def rational(net: symnet.Network) -> symnet.Network:
    return symnet.Network.from_matrices(
        [[[sympy.Rational(v) for v in row] for row in layer.weights.tolist()] for layer in net.layers],
        [[sympy.Rational(v) for v in layer.biases] for layer in net.layers],
        activation="relu",
    )


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Timeout


def timed(fn, limit: int):  # type: ignore[no-untyped-def]
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(limit)
    start = time.perf_counter()
    try:
        value = fn()
        return value, time.perf_counter() - start
    except _Timeout:
        return f"> {limit} s (stopped)", None
    except symnet.SymnetError as exc:
        return f"{type(exc).__name__} after {time.perf_counter() - start:.2f} s", None
    finally:
        signal.alarm(0)


def exact_times(p: int, hidden: list[int], box: list[tuple[int, int]] | None, repeat: int):  # type: ignore[no-untyped-def]
    """Best-of-``repeat`` (enumerate, check) seconds, each run on a freshly built network (nothing cached)."""
    enum_times, check_times, regs = [], [], None
    for _ in range(repeat):
        regs, t_enum = timed(partial(symnet.regions, network(p, hidden, 0), box=box), 600)
        if t_enum is None:
            return regs, None, None
        _, t_check = timed(regs.check, 600)
        enum_times.append(t_enum)
        check_times.append(t_check)
    return regs, min(enum_times), min(check_times)


def bound_times(p: int, hidden: list[int], box: list[tuple[int, int]], repeat: int) -> str:
    times, checks = [], []
    for _ in range(repeat):
        b, t_b = timed(partial(symnet.bound, network(p, hidden, 0), box=box), 600)
        if t_b is None:
            return str(b)
        _, t_c = timed(b.check, 600)
        times.append(t_b)
        checks.append(t_c)
    return f"{min(times):.2f} s, check {min(checks):.2f} s"


def main() -> None:
    quick = "--quick" in sys.argv
    peers = "--exact-only" not in sys.argv
    with_bound = "--bound" in sys.argv
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 1
    legacy = legacy_module() if peers else None
    cases = [(2, [12], True), (2, [12], False), (2, [16, 16], False), (3, [8, 8], False), (4, [20], False)]
    if quick:
        cases = cases[:2]
    print("| network | domain | regions | exact enumerate | exact check | linprog tree | sympy route | bound |")
    print("|---|---|---|---|---|---|---|---|")
    for p, hidden, whole in cases:
        net = network(p, hidden, 0)
        box = None if whole else [(-1, 1)] * p
        regs, t_enum, t_check = exact_times(p, hidden, box, repeat)
        bound_text = bound_times(p, hidden, box, repeat) if with_bound and box is not None else "-"
        if peers:
            lp, t_lp = timed(partial(linprog_tree, net, [(-1.0, 1.0)] * p if box else None), 120)
        else:
            lp, t_lp = "not run", None
        if legacy is not None and whole:
            # rational(net) is part of the legacy route, so it stays inside the timed call
            old, t_old = timed(lambda net=net: legacy.regions(rational(net)), 60)
            old_text = f"{len(old)} regions, {t_old:.2f} s" if t_old is not None else old
        else:
            old_text = "R^p only" if legacy is not None else "unavailable"
        lp_text = f"{lp[0]} regions, {lp[1]} LPs, {t_lp:.2f} s" if t_lp is not None else str(lp)
        name = f"{p} x {hidden}"
        dom = "R^p" if whole else "[-1, 1]^p"
        if t_enum is None:
            print(f"| {name} | {dom} | - | {regs} | - | {lp_text} | {old_text} | - |", flush=True)
            continue
        speed = f" ({t_lp / t_enum:.0f}x faster)" if t_lp is not None else ""
        print(
            f"| {name} | {dom} | {len(regs)} | {t_enum:.2f} s{speed} | {t_check:.2f} s | {lp_text} | {old_text} "
            f"| {bound_text} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
