"""Q1: one python-flint ``fmpq_mpoly_ctx`` over N generators: its time and memory (docs/redesign.md, section 6).

Modes: ``one`` makes the context, one generator and a product, then 1,000 generators ``ctx.gen(i)`` and a sum of
100 of them; ``gens`` makes all N generators at once.  Run one mode per process (the figures are RSS growth).

Run from the repository root:  python benchmarks/stage2/q1_ctx.py 2505501 one   (also 1000, 100000)
At N = 2,505,501 the ``one`` mode takes about 2.8 GiB (2.4 MiB per generator): on a shared machine, use 100000.
"""

import gc
import resource
import sys
import time

import flint


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return 0.0


def main(n: int, mode: str) -> None:
    gc.disable()
    base = rss_mib()
    t = time.perf_counter()
    ctx = flint.fmpq_mpoly_ctx.get(("g", n), "lex")
    t_ctx = time.perf_counter() - t
    print(f"N={n} ctx: {t_ctx:.3f}s  rss +{rss_mib() - base:.1f} MiB")
    if mode == "gens":
        t = time.perf_counter()
        ctx.gens()
        dt = time.perf_counter() - t
        grown = rss_mib() - base
        print(f"ctx.gens(): {dt:.3f}s  rss +{grown:.1f} MiB ({grown * 2**20 / n:.0f} B/gen incl ctx)")
    elif mode == "one":
        t = time.perf_counter()
        g = ctx.gen(n - 1)
        dt = time.perf_counter() - t
        p = g * ctx.gen(0) + 3
        print(f"one gen + product: {dt * 1e3:.3f} ms, terms {len(p)}  rss +{rss_mib() - base:.1f} MiB")
        t = time.perf_counter()  # polynomials in single generators: the cost of the dense exponent vectors
        polys = [ctx.gen(i) for i in range(min(1000, n))]
        dt = time.perf_counter() - t
        print(f"{len(polys)} ctx.gen(i): {dt * 1e3:.1f} ms  rss +{rss_mib() - base:.1f} MiB")
        t = time.perf_counter()
        s = polys[0]
        for q in polys[1:100]:
            s = s + q
        print(f"sum of 100 gens: {(time.perf_counter() - t) * 1e3:.1f} ms, rss +{rss_mib() - base:.1f} MiB")
    print(f"peak {peak_mib():.0f} MiB")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
