"""Benchmark: prove + check on fully symbolic dense networks (identity activation, one output).

Run by hand:  python benchmarks/bench_prove.py [--quick]
              python benchmarks/bench_prove.py --ratios | --product [--repeat N]

Prints, per size, the monomial count T of the expanded output, the time of
``prove`` + ``check`` in this process, the peak traced memory, and, where it
finishes within a time budget, the naive route (``sympy.expand`` of the output
then ``Poly`` in x) measured in the same run, with the ratio.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import time
from typing import Any

import sympy

import symnet


def monomials(p: int, h: int, L: int) -> int:
    return p * h**L + (h ** (L + 1) - 1) // (h - 1) if h > 1 else p + L + 1


def _ours(p: int, h: int, L: int, out: mp.Queue, repeat: int = 1) -> None:
    best = float("inf")
    for _ in range(repeat):  # a fresh network each time; the first run includes the process's warm-up
        net = symnet.dense(p, [h] * L)
        t0 = time.perf_counter()
        proof = symnet.prove(net)
        assert proof.check()
        best = min(best, time.perf_counter() - t0)
    out.put((best, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def ours(p: int, h: int, L: int, repeat: int = 1) -> tuple[float, float]:
    """Seconds for prove + check (best of ``repeat``), and the peak resident memory (MiB) of a fresh process."""
    queue: mp.Queue = mp.Queue()
    proc = mp.Process(target=_ours, args=(p, h, L, queue, repeat))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def _naive(p: int, h: int, L: int, out: mp.Queue) -> None:
    net = symnet.dense(p, [h] * L)
    t0 = time.perf_counter()
    expanded = sympy.expand(net.output[0])
    poly = sympy.Poly(expanded, *net.inputs)
    assert poly.total_degree() <= 1
    out.put(time.perf_counter() - t0)


def naive(p: int, h: int, L: int, budget: float) -> float | None:
    queue: mp.Queue = mp.Queue()
    proc = mp.Process(target=_naive, args=(p, h, L, queue))
    proc.start()
    proc.join(budget)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return None
    return queue.get()


def _flint_explicit(p: int, h: int, L: int, kind: str = "fmpq") -> float:
    """python-flint's own product + forward + compare (``kind``_mpoly in every input and weight)."""
    import flint

    net = symnet.dense(p, [h] * L)
    gens = list(net.inputs) + list(net.parameters)
    t0 = time.perf_counter()
    context = flint.fmpq_mpoly_ctx if kind == "fmpq" else flint.fmpz_mpoly_ctx
    ctx = context.get(("g", len(gens)), "lex")
    g = dict(zip(gens, list(ctx.gens())[: len(gens)], strict=True))
    one, zero = ctx.constant(1), ctx.constant(0)

    def poly(e):
        return g[e] if e in g else ctx.constant(int(e))

    layers = [
        ([[poly(w) for w in layer.weights.row(k)] for k in range(layer.width)], [poly(b) for b in layer.biases])
        for layer in net.layers
    ]
    # product C P_L ... P_1
    W, b = layers[-1]
    rows = [[b[k], *W[k]] for k in range(len(W))]
    for W, b in reversed(layers[:-1]):
        f = [[one] + [zero] * len(W[0])] + [[b[k], *W[k]] for k in range(len(W))]
        rows = [[sum((r[k] * f[k][j] for k in range(len(f))), zero) for j in range(len(f[0]))] for r in rows]
    # forward
    u = [g[x] for x in net.inputs]
    for W, b in layers:
        u = [b[k] + sum((W[k][j] * u[j] for j in range(len(u))), zero) for k in range(len(W))]
    # compare
    x = [g[v] for v in net.inputs]
    for row, out in zip(rows, u, strict=True):
        assert row[0] + sum((row[j + 1] * x[j] for j in range(len(x))), zero) == out
    return time.perf_counter() - t0


def _best(f: Any, repeat: int) -> tuple[float, Any]:
    best, value = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = f()
        best = min(best, time.perf_counter() - t0)
    return best, value


def _reread(p: int, h: int, L: int, repeat: int = 3) -> tuple[float, float, float]:
    """(plain re-read of the certificate's factors, symnet check, symnet prove) in seconds, best of ``repeat``."""
    net = symnet.dense(p, [h] * L)
    t_prove, proof = _best(lambda: symnet.prove(net), repeat)

    def read() -> int:
        n = 0
        for step in proof.steps:
            if step.matrix is not None:
                for e in step.matrix.flat():
                    n += e.is_Symbol
        return n

    t_read, _ = _best(read, repeat)
    t_check, ok = _best(proof.check, repeat)
    assert ok
    return t_read, t_check, t_prove


def ratios(repeat: int = 3, product_only: bool = False) -> None:
    """The issue-11/19 targets, measured in one run: explicit route vs flint, product route vs a re-read.

    Every figure is the best of ``repeat`` (symnet's explicit route: 3 fresh networks in one fresh process).
    """
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} on {os.cpu_count()} cores")
    if not product_only:
        _explicit_ratios()
    print(f"product route: prove + check against a plain re-read of the factors the check reads (best of {repeat})")
    print(
        f"{'p':>4} {'h':>4} {'L':>3} {'re-read s':>10} {'prove s':>9} {'check s':>9} {'check/read':>11} "
        f"{'(prove+check)/read':>19}"
    )
    for p, h, L in [(100, 100, 10), (300, 300, 10)]:
        r, c, pr = _reread(p, h, L, repeat)
        print(f"{p:>4} {h:>4} {L:>3} {r:>10.3f} {pr:>9.3f} {c:>9.3f} {c / r:>11.1f} {(pr + c) / r:>19.1f}")


def _explicit_ratios() -> None:
    print("explicit route (prove + check) against python-flint's own product + forward + compare")
    print("(best of 3 each; the floor is the faster of fmpq_mpoly and fmpz_mpoly)")
    print(f"{'p':>4} {'h':>4} {'L':>3} {'symnet s':>10} {'flint s':>9} {'ratio':>7}")
    for p, h, L in [(30, 30, 1), (10, 10, 2), (3, 10, 3)]:
        t, _ = ours(p, h, L, repeat=3)
        f = min(_flint_explicit(p, h, L, kind) for _ in range(3) for kind in ("fmpq", "fmpz"))  # the faster floor
        print(f"{p:>4} {h:>4} {L:>3} {t:>10.3f} {f:>9.3f} {t / f:>7.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="skip the largest size and the naive route above 5 s")
    parser.add_argument("--budget", type=float, default=40.0, help="seconds allowed to the naive route per size")
    parser.add_argument("--ratios", action="store_true", help="only the ratio targets")
    parser.add_argument("--product", action="store_true", help="only the product route's ratios")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs for each ratio figure")
    args = parser.parse_args()
    if args.ratios or args.product:
        ratios(args.repeat, product_only=args.product)
        return
    budget = 5.0 if args.quick else args.budget
    sizes = [(3, 3, 1), (3, 10, 3), (10, 10, 2), (30, 30, 2), (30, 30, 4)]
    sizes += [(30, 30, L) for L in (1, 8, 16)]  # growth with depth
    sizes += [(30, h, 4) for h in (10, 60)]  # growth with width
    sizes += [(p, 30, 4) for p in (10, 60)]  # growth with inputs
    if not args.quick:
        sizes.append((100, 100, 10))
    print(
        f"{'p':>4} {'h':>4} {'L':>3} {'monomials T':>14} {'prove+check s':>14} {'peak RSS MiB':>12} "
        f"{'naive s':>9} {'ratio':>8}"
    )
    for p, h, L in sizes:
        t, peak = ours(p, h, L)
        T = monomials(p, h, L)
        nv = naive(p, h, L, budget) if T <= 200_000 else None
        shown = f"{nv:9.3f}" if nv is not None else f"{'>' + format(budget, '.0f'):>9}" if T <= 200_000 else f"{'-':>9}"
        ratio = f"{nv / t:8.0f}" if nv is not None else f"{'-':>8}"
        print(f"{p:>4} {h:>4} {L:>3} {T:>14,} {t:>14.3f} {peak:>12.1f} {shown} {ratio}")


if __name__ == "__main__":
    main()
