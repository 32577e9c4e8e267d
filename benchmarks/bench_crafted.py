"""Crafted documents within every limit: the most expensive document each limit lets through (issue 19).

Run by hand (not in CI)::

    PYTHONPATH=. python benchmarks/bench_crafted.py [--timeout 60] [--only NAME ...]

Each case is a function named after the limit it pushes; it returns the JSON
text of one document built by hand (a hostile user who read the limits in the
code).  Each document is checked by ``symnet.kernel.check`` in a child process,
killed after ``--timeout`` seconds; the table gives the document's size, the
outcome (accepted, or refused with the first words of the message), the
child's seconds (reading plus checking) and its peak memory (``ru_maxrss``).
The target of issue 19: nothing over 2 s or 1 GiB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from flint import fmpz

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_CHILD = r"""
import json, resource, sys, time
sys.setrecursionlimit(10000)
from symnet import kernel
from symnet.errors import SymnetError
text = open(sys.argv[1], encoding="utf-8").read()
t = time.perf_counter()
try:
    outcome = "accepted" if kernel.check(text) else "False"
except SymnetError as exc:
    outcome = "refused: " + " ".join(str(exc).split()[:12])
except Exception as exc:  # a traceback is a finding too
    outcome = f"CRASH {type(exc).__name__}: {str(exc)[:80]}"
seconds = time.perf_counter() - t
mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"outcome": outcome, "seconds": seconds, "mib": mib}))
"""


# ------------------------------------------------------------------ building blocks
class Table:
    """An expression node table with shared leaves."""

    def __init__(self) -> None:
        self.nodes: list[list[Any]] = []
        self.known: dict[str, int] = {}

    def add(self, *node: Any) -> int:
        key = json.dumps(node)
        if key not in self.known:
            self.known[key] = len(self.nodes)
            self.nodes.append(list(node))
        return self.known[key]

    def int(self, v: int) -> int:
        return self.add("int", str(fmpz(v)))  # python-flint prints past Python's 4,300-digit limit

    def rat(self, p: int, q: int) -> int:
        f = Fraction(p, q)
        return self.add("rat", str(f.numerator), str(f.denominator)) if f.denominator != 1 else self.int(f.numerator)


def activation(t: Table, name: str) -> dict[str, Any]:
    """A registered activation's section."""
    if name == "identity":
        return {"name": "identity", "variable": "x", "expr": t.add("sym", "x")}
    v = t.add("sym", "t")
    expr = {
        "relu": lambda: t.add("fn", "Max", t.int(0), v),
        "tanh": lambda: t.add("fn", "tanh", v),
        "square": lambda: t.add("pow", v, t.int(2)),
        "cube": lambda: t.add("pow", v, t.int(3)),
    }[name]()
    return {"name": name, "variable": "t", "expr": expr}


def network(t: Table, sizes: list[int], acts: list[str], weight: Callable[[int, int, int], int]) -> dict[str, Any]:
    """A dense network section: ``weight(layer, row, col)`` is the REF of each weight; biases 0."""
    layers = []
    for l in range(len(sizes) - 1):
        W = [[weight(l, i, j) for j in range(sizes[l])] for i in range(sizes[l + 1])]
        layers.append({"weights": W, "biases": [t.int(0)] * sizes[l + 1], "activation": activation(t, acts[l])})
    return {"inputs": [f"x_{i + 1}" for i in range(sizes[0])], "layers": layers}


def document(fmt: str, t: Table, net: dict[str, Any], **fields: Any) -> str:
    return json.dumps({"format": fmt, "version": 1, "expressions": t.nodes, "network": net, **fields})


def small(l: int, i: int, j: int) -> int:
    """A deterministic small weight in -3..3 without zeros."""
    v = (l * 7 + i * 3 + j * 5) % 6 - 3
    return v if v else 1


# ------------------------------------------------------------------ cases
def linear_numeric_product() -> str:
    """The budget engineer's class: 20x20, depth 20, every weight one 20,000-bit integer (one shared node)."""
    t = Table()
    big = t.int(3**12_600 + 1)  # 19,971 bits, 6,012 digits (node limit 10,000 digits)
    n, depth = 20, 20
    net = network(t, [n] * (depth + 1) + [1], ["identity"] * (depth + 1), lambda l, i, j: big)
    zero, one = t.int(0), t.int(1)
    claim = {"form": "explicit", "shape": [1, n], "routes": ["layerwise", "direct"], "matrix": [[zero] * n],
             "offset": [zero]}
    steps: list[dict[str, Any]] = [{"rule": "read_output_layer", "layer": depth + 1, "matrix": [[zero] + [big] * n]}]
    for l in range(depth, 0, -1):
        aug = [[one] + [zero] * n] + [[zero] + [big] * n for _ in range(n)]
        steps.append({"rule": "substitute_layer", "layer": l, "slope": one, "intercept": zero, "matrix": aug})
    steps += [{"rule": "conclude_linear_form"}, {"rule": "expand_and_compare", "monomials": n}]
    return document("symnet.linear", t, net, steps=steps, claim=claim)


def linear_symbolic_shared_node(n: int = 30, depth: int = 8, k: int = 100) -> str:
    """The symbolic route: every weight of a 30-wide, 8-deep network is one shared node, a sum of 100 parameters;
    the gate and the cost model read each reference to it again (a document states it once)."""
    t = Table()
    s = t.add("add", *(t.add("sym", f"a_{{{i}}}") for i in range(k)))
    net = network(t, [n] * (depth + 1) + [1], ["identity"] * (depth + 1), lambda l, i, j: s)
    zero, one = t.int(0), t.int(1)
    claim = {"form": "explicit", "shape": [1, n], "routes": ["layerwise", "direct"], "matrix": [[zero] * n],
             "offset": [zero]}
    steps: list[dict[str, Any]] = [{"rule": "read_output_layer", "layer": depth + 1, "matrix": [[zero] + [s] * n]}]
    for l in range(depth, 0, -1):
        aug = [[one] + [zero] * n] + [[zero] + [s] * n for _ in range(n)]
        steps.append({"rule": "substitute_layer", "layer": l, "slope": one, "intercept": zero, "matrix": aug})
    steps += [{"rule": "conclude_linear_form"}, {"rule": "expand_and_compare", "monomials": n}]
    return document("symnet.linear", t, net, steps=steps, claim=claim)


def counterexample_tanh_depth() -> str:
    """MAX_EVALUATION_BITS does not see non-polynomial activations: width 2, 40 tanh layers; the values are exact
    sympy trees that double per layer (a DAG in memory), walked as trees by the interval rule and by ==."""
    return _tanh_counterexample(2, 40)


def _tanh_counterexample(width: int, depth: int) -> str:
    t = Table()
    w = [[1, 2], [3, -1]]
    net = network(t, [width] * (depth + 1) + [1], ["tanh"] * depth + ["identity"],
                  lambda l, i, j: t.int(w[i % 2][j % 2] if l < depth else 1))
    zero = t.int(0)
    return document("symnet.counterexample", t, net, weights={}, points=[["0"] * width, ["1"] * width], output=0,
                    values=[zero, zero, zero], enclosure=["1", "2"], layer=1)


def counterexample_tanh_formulas() -> str:
    """Width rather than depth: 3 tanh layers of width 60, distinct weights (values of about 590,000 nodes)."""
    t = Table()
    width, depth = 60, 3
    net = network(t, [width] * (depth + 1) + [1], ["tanh"] * depth + ["identity"],
                  lambda l, i, j: t.int((l * 31 + i * 7 + j * 3) % 11 - 5 or 1) if l < depth else t.int(1))
    zero = t.int(0)
    return document("symnet.counterexample", t, net, weights={}, points=[["0"] * width, ["1"] * width], output=0,
                    values=[zero, zero, zero], enclosure=["1", "2"], layer=1)


def counterexample_evaluation_bits() -> str:
    """MAX_EVALUATION_BITS counts bits x degree product x layers, not the width: 12 square layers (degree 4096),
    width 60, 64-bit numbers (3.4 M bits estimated, limit 4 M): 3 x 12 x 3,600 products of up to 260,000 bits."""
    t = Table()
    width, depth = 60, 12
    w = t.rat(2**40 + 1, 2**23 - 1)  # 41 + 23 = 64 bits
    net = network(t, [width] * (depth + 1) + [1], ["square"] * depth + ["identity"], lambda l, i, j: w)
    zero = t.int(0)
    return document("symnet.counterexample", t, net, weights={}, points=[["0"] * width, ["1"] * width], output=0,
                    values=[zero, zero, zero], enclosure=["1", "2"], layer=1)


def degree_witness_line() -> str:
    """The degree witness line: along_line builds degree-4096 polynomials in s whose coefficients are up to
    260,000 bits (4096 of them per value), which bits_guard (bits x degree product x layers) does not count."""
    t = Table()
    width, depth = 6, 12
    w = t.rat(2**40 + 1, 2**23 - 1)
    net = network(t, [width] * (depth + 1) + [1], ["square"] * depth + ["identity"], lambda l, i, j: w)
    wit = {"weights": {}, "point": ["1"] * width, "direction": ["1"] * width, "coefficient": "1"}
    return document("symnet.degree", t, net, degrees=[4096], routes=["bound_degree"], witnesses=[wit])


def degree_expand() -> str:
    """expand_degree: a product of degree 4096 in x over 3 inputs is refused only past comb(p + top, p) > 2e8."""
    t = Table()
    width, depth = 3, 6
    net = network(t, [width] * (depth + 1) + [1], ["square"] * depth + ["identity"], lambda *a: t.int(small(*a)))
    return document("symnet.degree", t, net, degrees=[64], routes=["expand_degree"], witnesses=[None])


def verification_many_leaves() -> str:
    """MAX_TREE_NODES bounds the tree, not leaves x network: 2^7 leaves, each proved by a CROWN pass through
    a 5 -> 50 x 6 -> 1 ReLU network."""
    t = Table()
    sizes = [5, 50, 50, 50, 50, 50, 50, 1]
    vals = [t.rat(k, 64) for k in range(-8, 9) if k]
    net = network(t, sizes, ["relu"] * 6 + ["identity"],
                  lambda l, i, j: vals[(l * 31 + i * 17 + j * 7) % len(vals)] if l < 6 else t.int(1))
    depth = 7
    leaf = ["leaf", [[0, [[0, "1"]]]]]
    tree: list[Any] = []

    def split(lo: int, hi: int, d: int) -> None:  # box coordinate 0 in [lo, hi] / 2^depth
        if d == depth:
            tree.append(leaf)
            return
        mid = (lo + hi) // 2
        tree.append(["split", 0, str(Fraction(2 * mid - 2**depth, 2**depth)), []])
        split(lo, mid, d + 1)
        split(mid, hi, d + 1)

    split(0, 2**depth, 0)
    prop = {"box": [["-1", "1"]] * 5, "disjuncts": [[[["-1"], "1000000"]]], "input_constraints": []}
    return document("symnet.verification", t, net, property=prop, status="holds", tree=tree)


def regions_many_regions() -> str:
    """MAX_DOCUMENT_REGIONS: 200,000 regions (far under 2 M); each one refused only after reading all of them."""
    t = Table()
    net = network(t, [1, 1, 1], ["relu", "identity"], lambda l, i, j: t.int(1))
    region = {"pattern": "1", "matrix": [["1"]], "offset": ["0"], "interior_point": ["1/2"],
              "inequalities": [["0", "1"]], "facets": [], "implied": []}
    return document("symnet.regions", t, net, domain={"kind": "box", "box": [["0", "1"]]}, units=1,
                    regions=[region] * 200_000)


def regions_more_than_the_network_has() -> str:
    """Distinct patterns, more regions than the network can have: 200,000 regions of 18 units over one input
    (18 kinks cut a line into at most 19 pieces; 2**18 patterns would pass a count of patterns alone)."""
    t = Table()
    units = 18
    net = network(t, [1, units, 1], ["relu", "identity"], lambda l, i, j: t.int(1))
    regions = [{"pattern": format(k, f"0{units}b"), "matrix": [["1"]], "offset": ["0"], "interior_point": ["1/2"],
                "inequalities": [["0", "1"]], "facets": [], "implied": []} for k in range(200_000)]
    return document("symnet.regions", t, net, domain={"kind": "box", "box": [["0", "1"]]}, units=units,
                    regions=regions)


def reader_function_tower() -> str:
    """FUNCTION_BITS bounds a function's numeric argument, not a tower of functions: exp(exp(exp(exp(9))))
    under Max, which asks sympy to compare them numerically."""
    t = Table()
    e = t.int(9)
    for _ in range(4):
        e = t.add("fn", "exp", e)
    top = t.add("fn", "Max", e, t.add("fn", "exp", t.add("add", e, t.int(1))))
    net = network(t, [1, 1], ["identity"], lambda l, i, j: top)
    return document("symnet.linear", t, net, steps=[], claim={})


def reader_function_evaluation() -> str:
    """sympy evaluates a function's argument numerically as it builds the node: 12 levels of a + tanh(a + 1), a
    table of 38 nodes (12 nested functions, the old limit 100) whose value doubles as a tree each level."""
    t = Table()
    one = t.int(1)
    a = t.add("fn", "tanh", one)
    for _ in range(12):
        a = t.add("add", a, t.add("fn", "tanh", t.add("add", a, one)))
    net = network(t, [1, 1], ["identity"], lambda l, i, j: a)
    return document("symnet.linear", t, net, steps=[], claim={})


def reader_nested_functions() -> str:
    """No limit on the depth of nested function nodes: 20,000 nested sin nodes."""
    t = Table()
    e = t.add("sym", "t")
    for _ in range(20_000):
        e = t.add("fn", "sin", e)
    net = network(t, [1, 1], ["identity"], lambda l, i, j: t.int(1))
    net["layers"][0]["activation"] = {"name": None, "variable": "t", "expr": e}
    return document("symnet.linear", t, net, steps=[], claim={})


def reader_function_of_big_numbers() -> str:
    """FUNCTION_BITS = 4096: sin and tanh of 4096-bit numbers, Max of 2,000 of them (numeric comparisons)."""
    t = Table()
    args = [t.add("fn", "sin", t.int(2**4095 + 7 * k)) for k in range(2000)]
    top = t.add("fn", "Max", *args)
    net = network(t, [1, 1], ["identity"], lambda l, i, j: top)
    return document("symnet.linear", t, net, steps=[], claim={})


def gate_float_exponent() -> str:
    """Floats of 10,000-bit mantissa and exponent just under 10^6 (the node limits): 4 M bits each, in a sum."""
    t = Table()
    man = 2**9999 + 1
    fl = [t.add("float", 0, str(man + 2 * k), 999_000 - k, 10_000, 10_000) for k in range(1)]
    net = network(t, [2, 1], ["identity"], lambda l, i, j: fl[0])
    return document("symnet.linear", t, net, steps=[], claim={})


CASES: list[Callable[[], str]] = [
    linear_numeric_product,
    linear_symbolic_shared_node,
    counterexample_tanh_depth,
    counterexample_tanh_formulas,
    counterexample_evaluation_bits,
    degree_witness_line,
    degree_expand,
    verification_many_leaves,
    regions_many_regions,
    regions_more_than_the_network_has,
    reader_function_tower,
    reader_function_evaluation,
    reader_nested_functions,
    reader_function_of_big_numbers,
    gate_float_exponent,
]


def run(text: str, timeout: float) -> dict[str, Any]:
    """Check ``text`` in a child process; the child's outcome, seconds and peak MiB (or a kill)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        f.write(text)
    env = dict(os.environ, PYTHONPATH=ROOT)
    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-c", _CHILD, f.name], capture_output=True, text=True,
                              timeout=timeout, env=env)
        line = proc.stdout.strip().splitlines()[-1:] or [""]
        try:
            return dict(json.loads(line[0]))
        except ValueError:
            return {"outcome": f"CHILD FAILED rc={proc.returncode}: {proc.stderr.strip()[-120:]}",
                    "seconds": time.perf_counter() - start, "mib": float("nan")}
    except subprocess.TimeoutExpired:
        return {"outcome": f"KILLED after {timeout:.0f} s", "seconds": timeout, "mib": float("nan")}
    finally:
        os.unlink(f.name)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--only", nargs="*", default=None, help="case names to run")
    args = ap.parse_args()
    print("| case | bytes | outcome | s | peak MiB |\n|---|---:|---|---:|---:|", flush=True)
    over = 0
    for case in CASES:
        if args.only and case.__name__ not in args.only:
            continue
        text = case()
        r = run(text, args.timeout)
        slow = r["seconds"] > 2.0 or r["mib"] > 1024 or r["outcome"].startswith("KILLED")
        over += slow
        print(f"| {case.__name__} | {len(text):,} | {r['outcome'][:90]} | {r['seconds']:.2f} | {r['mib']:.0f} |"
              + (" **over**" if slow else ""), flush=True)
    print(f"\n{over} case(s) over 2 s or 1 GiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
