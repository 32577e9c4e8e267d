"""Hypothesis strategies for whole symnet documents, well-typed and ill-typed, as raw JSON text.

``documents()`` draws one document of any family:

* ``grammar_certificates()`` -- certificates built from the grammar: a random
  small network (numbers, symbols, names colliding with inputs or the
  activation variable, hostile number nodes), random activations (affine,
  polynomial, piecewise, transcendental, formulas that mention inputs or
  foreign symbols, names that do not match), the steps a prover would write
  (derived here, as DAG nodes), and a claim: true, true-plus-an-x-term,
  ``W* = 0`` with ``b* = output``, perturbed, product form; then steps
  dropped, duplicated, reordered or altered, and routes changed;
* ``real_certificates()`` -- certificates symnet itself proved for networks
  built through the public API with random weights, with the claim
  re-generated structurally as above;
* ``generic_documents()``, ``counterexample_documents()``,
  ``degree_documents()`` -- real documents of the other families, mutated
  (claims with the input inside, forged degrees, parameters named ``t``,
  activations mentioning inputs, broken enclosures ...);
* ``verification_strategies.verification_documents()`` -- verification
  documents (issue 21), real, mutated, from the grammar, or junk;
* every family may then get JSON-level hostility: duplicate keys (written as
  raw text), ``"version": true``, missing and unknown keys, wrong types,
  NaN literals, hostile expression nodes, big DAGs (power, squaring and add
  chains).

The pools of real documents are built once, deterministically.
"""

from __future__ import annotations

import json
import math
import random
from fractions import Fraction
from functools import lru_cache
from typing import Any

from hypothesis import strategies as st

__all__ = ["documents", "dump", "grammar_certificates", "real_certificates"]


# --------------------------------------------------------------- raw JSON
class Dup:
    """A JSON object written with these (key, value) pairs, duplicates and all."""

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        self.pairs = pairs


def dump(v: Any) -> str:
    """JSON text, with Dup objects written pair by pair and NaN/Infinity as literals."""
    if isinstance(v, Dup):
        return "{" + ",".join(json.dumps(k) + ":" + dump(x) for k, x in v.pairs) + "}"
    if isinstance(v, dict):
        return "{" + ",".join(json.dumps(k) + ":" + dump(x) for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ",".join(dump(x) for x in v) + "]"
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    return json.dumps(v)


# ------------------------------------------------------- expression table
class Nodes:
    """An ``expressions`` table under construction (equal nodes shared)."""

    def __init__(self, nodes: list[Any] | None = None) -> None:
        self.nodes: list[Any] = list(nodes or [])
        self.index: dict[str, int] = {json.dumps(n): i for i, n in enumerate(self.nodes)}

    def add(self, node: list[Any], share: bool = True) -> int:
        key = json.dumps(node)
        if share and key in self.index:
            return self.index[key]
        self.nodes.append(node)
        self.index.setdefault(key, len(self.nodes) - 1)
        return len(self.nodes) - 1

    def int(self, n: int) -> int:
        return self.add(["int", str(n)])

    def num(self, v: Fraction | int) -> int:
        v = Fraction(v)
        if v.denominator == 1:
            return self.int(v.numerator)
        return self.add(["rat", str(v.numerator), str(v.denominator)])

    def sym(self, name: str) -> int:
        return self.add(["sym", name])

    def op(self, kind: str, *args: int) -> int:
        if len(args) == 1 and kind in ("add", "mul"):
            return args[0]
        return self.add([kind, *args])

    def float(self, v: Fraction, prec: int = 53) -> int:
        """A canonical float node for a dyadic rational v."""
        if v == 0:
            return self.add(["float", 0, "0", 0, 0, prec])
        sign = 1 if v < 0 else 0
        v = abs(v)
        num, den = v.numerator, v.denominator
        assert den & (den - 1) == 0, "not dyadic"
        exp = -(den.bit_length() - 1)
        while num % 2 == 0:
            num //= 2
            exp += 1
        return self.add(["float", sign, str(num), exp, num.bit_length(), max(prec, num.bit_length())])

    def zero(self) -> int:
        return self.int(0)

    def one(self) -> int:
        return self.int(1)


def _is_int_node(t: Nodes, r: int, value: int) -> bool:
    return t.nodes[r] == ["int", str(value)]


def _mul(t: Nodes, a: int, b: int) -> int | None:
    if _is_int_node(t, a, 0) or _is_int_node(t, b, 0):
        return None
    if _is_int_node(t, a, 1):
        return b
    if _is_int_node(t, b, 1):
        return a
    return t.op("mul", a, b)


def _dot(t: Nodes, row: list[int], col: list[int]) -> int:
    terms = [m for a, b in zip(row, col, strict=False) if (m := _mul(t, a, b)) is not None]
    if not terms:
        return t.zero()
    return t.op("add", *terms)


# ------------------------------------------------------- hostile numbers
def hostile_number(draw: Any, t: Nodes) -> int:
    kind = draw(
        st.sampled_from(
            [
                "big-int",
                "long-int",
                "high-prec-float",
                "non-canonical-float",
                "bool-sign",
                "even-mantissa",
                "neg-zero",
                "zoo",
                "nan",
                "odd-prec",
                "pi",
                "huge-exp",
                "frac-pow",
                "leading-zero",
            ]
        )
    )
    if kind == "big-int":  # past 4,300 digits Python's int() and str() refuse the text; past 10,000 the reader does
        return t.add(["int", draw(st.sampled_from([str(10**300), str(-(2**1000) + 1), "1" + "0" * 4200]))])
    if kind == "long-int":
        return t.add(["int", draw(st.sampled_from(["1" + "0" * 4400, "-7" * 2600, "9" * 10_000, "1" + "0" * 10_000]))])
    if kind == "high-prec-float":  # 1/2 + 2^-200, precision 300: Poly would round it to 1/2
        return t.float(Fraction(1, 2) + Fraction(1, 2**200), 300)
    if kind == "non-canonical-float":  # 3 with bitcount 2 and precision 1: read as 4
        return t.add(["float", 0, "3", 0, 2, 1])
    if kind == "bool-sign":
        return t.add(["float", True, "1", -1, 1, 53])
    if kind == "even-mantissa":
        return t.add(["float", 0, "2", -2, 2, 53])
    if kind == "neg-zero":
        return t.add(["float", 1, "0", 0, 0, 53])
    if kind == "zoo":
        return t.op("pow", t.zero(), t.int(-1))
    if kind == "nan":
        z = t.op("pow", t.zero(), t.int(-1))
        return t.op("mul", t.zero(), z)
    if kind == "odd-prec":
        return t.float(Fraction(3, 8), draw(st.sampled_from([2, 3, 7, 113, 10_000])))
    if kind == "pi":
        return t.add(["const", "pi"])
    if kind == "huge-exp":
        return t.add(["float", 0, "1", -(10**5), 1, 53])
    if kind == "frac-pow":
        return t.op("pow", t.int(2), t.num(Fraction(1, 2)))
    return t.add(["int", "007"])


# ------------------------------------------------------------- networks
NAMES = ["a", "c", "d", "t", "x", "zoo", "nan", "I", "E", "oo", "b_{1,1}", "w", "s_0"]
#: Names with LaTeX, Coq, Markdown and HTML metacharacters: an accepted document holding one must render safely.
HOSTILE_NAMES = [
    "\\input{/etc/hostname}",
    "x_{\\input hostname}",
    "\\immediate\\write18{id}",
    'a"b',
    "c*)d",
    "(*e",
    "f%g",
    "h#1",
    "k$m$",
    "<script>n</script>",
    "`p`",
    "**q**",
    "[r](javascript:s)",
    "^^5cinput",
    "u}v{",
]


def weight(draw: Any, t: Nodes, mode: str, default: str, inputs: list[str]) -> int:
    if mode == "numeric":
        return t.num(draw(st.fractions(min_value=-5, max_value=5, max_denominator=4)))
    if mode == "symbolic":
        return t.sym(default)
    kind = draw(
        st.sampled_from(
            ["int", "rat", "sym", "own", "float", "prod", "sum", "square", "hostile", "input", "max", "inverse"]
        )
    )
    if kind == "int":
        return t.int(draw(st.integers(-3, 3)))
    if kind == "rat":
        return t.num(draw(st.fractions(min_value=-3, max_value=3, max_denominator=7)))
    if kind == "sym":
        return t.sym(draw(st.sampled_from(NAMES + HOSTILE_NAMES)))
    if kind == "own":
        return t.sym(default)
    if kind == "float":
        return t.float(Fraction(draw(st.integers(-8, 8)), 4))
    if kind == "prod":
        return t.op("mul", t.int(draw(st.integers(2, 3))), t.sym(default))
    if kind == "sum":
        return t.op("add", t.sym(default), t.sym(draw(st.sampled_from(NAMES))))
    if kind == "square":
        return t.op("pow", t.sym(default), t.int(2))
    if kind == "hostile":
        return hostile_number(draw, t)
    if kind == "input":
        return t.sym(draw(st.sampled_from(inputs)))
    if kind == "max":
        return t.add(["fn", "Max", t.num(Fraction(1, 2)), t.sym("c")])
    return t.op("pow", t.sym(default), t.int(-1))


ACTIVATIONS = [
    "identity",
    "identity",
    "identity",
    "identity",
    "affine",
    "affine",
    "affine",
    "affine-param",
    "affine-param",
    "affine-float",
    "square",
    "cube",
    "relu",
    "tanh",
    "x-times-t",
    "t-plus-max-x",
    "t2-minus-x2",
    "foreign",
    "t3000",
    "float-power",
    "zero-x",
    "max-tt",
    "sigmoid",
]
NAMES_FOR = {
    "identity": "identity",
    "square": "square",
    "cube": "cube",
    "relu": "relu",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
}


def activation(draw: Any, t: Nodes, var: str, inputs: list[str]) -> tuple[Any, int, int | None, int | None]:
    """(name, expr, slope, intercept): slope/intercept are what a naive prover would state."""
    kind = draw(st.sampled_from(ACTIVATIONS))
    v = t.sym(var)
    x1 = t.sym(inputs[0])
    slope = intercept = None
    if kind == "identity":
        expr, slope, intercept = v, t.one(), t.zero()
    elif kind in ("affine", "affine-param", "affine-float"):
        if kind == "affine":
            slope = t.num(draw(st.fractions(min_value=-3, max_value=3, max_denominator=3).filter(lambda f: f != 0)))
            intercept = t.num(draw(st.fractions(min_value=-2, max_value=2, max_denominator=2)))
        elif kind == "affine-param":
            slope, intercept = t.sym(draw(st.sampled_from(["a", "t", "x", "c"]))), t.sym("d")
        else:
            slope = t.float(Fraction(1, 2) + Fraction(1, 2**200), 300)
            intercept = t.zero()
        expr = t.op("add", t.op("mul", slope, v), intercept)
    elif kind == "square":
        expr = t.op("pow", v, t.int(2))
    elif kind == "cube":
        expr = t.op("pow", v, t.int(3))
    elif kind == "relu":
        expr = t.add(["fn", "Max", t.zero(), v])
    elif kind == "tanh":
        expr = t.add(["fn", "tanh", v])
    elif kind == "sigmoid":
        expr = t.op("pow", t.op("add", t.one(), t.add(["fn", "exp", t.op("mul", t.int(-1), v)])), t.int(-1))
    elif kind == "x-times-t":
        expr = t.op("mul", x1, v)
        slope, intercept = x1, t.zero()
    elif kind == "t-plus-max-x":
        expr = t.op("add", v, t.add(["fn", "Max", t.zero(), x1]))
        slope, intercept = t.one(), t.add(["fn", "Max", t.zero(), x1])
    elif kind == "t2-minus-x2":
        expr = t.op("add", t.op("pow", v, t.int(2)), t.op("mul", t.int(-1), t.op("pow", x1, t.int(2))))
    elif kind == "foreign":
        expr = t.op("mul", v, t.sym("zeta"))
        slope, intercept = t.sym("zeta"), t.zero()
    elif kind == "t3000":
        expr = t.op("pow", v, t.int(3000))
    elif kind == "float-power":
        expr = t.op("pow", v, t.float(Fraction(2), 53))
    elif kind == "zero-x":
        expr = t.op("add", v, t.op("mul", t.zero(), x1))
        slope, intercept = t.one(), t.zero()
    else:  # max-tt: Max(t, t) is the identity
        expr = t.add(["fn", "Max", v, v])
        slope, intercept = t.one(), t.zero()
    true_name = NAMES_FOR.get(kind, None)
    name = draw(st.sampled_from([true_name] * 8 + [None, "identity", "relu", "linear", "foo"]))
    if slope is None:
        slope = t.num(draw(st.integers(0, 2)))
        intercept = t.zero()
    return name, expr, slope, intercept


@st.composite
def network(draw: Any, t: Nodes) -> dict[str, Any]:
    """A random small network: the ``network`` object plus what the steps need."""
    p = draw(st.integers(1, 3))
    hidden = draw(st.lists(st.integers(1, 3), max_size=2))
    q = draw(st.integers(1, 2))
    inputs = [f"x_{j}" for j in range(1, p + 1)]
    if draw(st.integers(0, 9)) == 0:
        inputs[0] = draw(st.sampled_from(["t", "a", "b_{1,1}", "x"]))
    mode = draw(st.sampled_from(["numeric", "numeric", "symbolic", "symbolic", "symbolic", "mixed"]))
    widths = [p, *hidden, q]
    layers, acts = [], []
    for l in range(1, len(widths)):
        last = l == len(widths) - 1
        w = [
            [weight(draw, t, mode, f"b^{l}_{{{k},{j}}}", inputs) for j in range(widths[l - 1])]
            for k in range(widths[l])
        ]
        b = [weight(draw, t, mode, f"b^{l}_{{{k},0}}", inputs) for k in range(widths[l])]
        var = "x" if last else draw(st.sampled_from(["t", "t", "t", "s", "x_1", "a"]))
        if last:
            act = ("identity", t.sym(var), t.one(), t.zero())
        else:
            act = activation(draw, t, var, inputs)
        layers.append({"weights": w, "biases": b, "activation": {"name": act[0], "variable": var, "expr": act[1]}})
        acts.append(act)
    return {"object": {"inputs": inputs, "layers": layers}, "acts": acts, "widths": widths}


# ----------------------------------------------------------------- steps
def derive(t: Nodes, net: dict[str, Any]) -> tuple[list[list[int]], list[list[list[int]]], list[list[int]]]:
    """(C, [P_L .. P_1], rows of (b* | W*)) as a prover would state them, from the naive slopes."""
    layers, acts = net["object"]["layers"], net["acts"]
    out = layers[-1]
    C = [[out["biases"][k], *out["weights"][k]] for k in range(len(out["biases"]))]
    factors = []
    for l in range(len(layers) - 1, 0, -1):
        layer = layers[l - 1]
        _n, _e, slope, intercept = acts[l - 1]
        fan_in = len(layer["weights"][0])
        rows = [[t.one()] + [t.zero()] * fan_in]
        for k in range(len(layer["biases"])):
            sb = _mul(t, slope, layer["biases"][k])
            bias = intercept if sb is None else (sb if _is_int_node(t, intercept, 0) else t.op("add", sb, intercept))
            rows.append(
                [bias]
                + [(_mul(t, slope, w) if _mul(t, slope, w) is not None else t.zero()) for w in layer["weights"][k]]
            )
        factors.append(rows)
    prod = [list(r) for r in C]
    for f in factors:
        cols = list(zip(*f, strict=False))
        prod = [[_dot(t, row, list(col)) for col in cols] for row in prod]
    return C, factors, prod


def monomials(nodes: list[Any], netobj: dict[str, Any]) -> int | None:
    """The monomial count of the expanded output (sympy; None if not small and polynomial)."""
    import sympy

    from . import sympy_route
    from .grammar import Malformed, Table, Undecided
    from .oracle import read_network

    try:
        tab = Table(nodes)
        net = read_network(tab, netobj)
    except (Malformed, Undecided):
        return None
    roots = [r for w, b, _n, _v, e in net.layers for r in (*b, *(v for row in w for v in row), e)]
    if not sympy_route._degrees(tab, roots) or net.p * max(len(l[1]) for l in net.layers) > 9:
        return None
    symbols: dict[str, sympy.Symbol] = {}
    u: list[Any] = [sympy.Symbol(f"input_{j}") for j in range(net.p)]
    for w, b, _n, var, expr in net.layers:
        z = [
            sympy_route.to_sympy(tab, b[k], symbols)
            + sum(sympy_route.to_sympy(tab, w[k][j], symbols) * u[j] for j in range(len(u)))
            for k in range(len(w))
        ]
        if tab.nodes[expr] != ("sym", var):
            bound = sympy.Dummy("bound")
            body = sympy_route.to_sympy(tab, expr, {**symbols, var: bound})
            z = [body.xreplace({bound: v}) for v in z]
        u = z
    total = 0
    for o in u:
        e = sympy.expand(o)
        total += 0 if e == 0 else len(sympy.Add.make_args(e))
    return total


def claim_variant(
    draw: Any, t: Nodes, prod: list[list[int]], inputs: list[str]
) -> tuple[str, list[list[int]], list[int]]:
    """(kind, W*, b*) from the prover's rows of (b* | W*)."""
    kind = draw(
        st.sampled_from(["true", "true", "true", "w0-output", "true-plus-x", "perturbed", "random", "product", "float"])
    )
    W = [list(r[1:]) for r in prod]
    b = [r[0] for r in prod]
    xs = [t.sym(n) for n in inputs]
    if kind == "w0-output":  # W* = 0, b* = the whole output
        b = [
            t.op("add", b[i], *[m for j in range(len(xs)) if (m := _mul(t, W[i][j], xs[j])) is not None])
            if any(_mul(t, W[i][j], xs[j]) is not None for j in range(len(xs)))
            else b[i]
            for i in range(len(b))
        ]
        W = [[t.zero()] * len(xs) for _ in W]
    elif kind == "true-plus-x":
        i = draw(st.integers(0, len(b) - 1))
        j = draw(st.integers(0, len(xs) - 1))
        k = draw(st.integers(1, 3))
        b[i] = t.op("add", b[i], t.op("mul", t.int(k), xs[j]))
        W[i][j] = t.op("add", W[i][j], t.int(-k))
    elif kind == "perturbed":
        i = draw(st.integers(0, len(b) - 1))
        if draw(st.booleans()):
            b[i] = t.op("add", b[i], t.one())
        else:
            j = draw(st.integers(0, len(xs) - 1))
            W[i][j] = t.op("add", W[i][j], t.sym(draw(st.sampled_from(NAMES))))
    elif kind == "random":
        W = [[t.num(draw(st.integers(-2, 2))) for _ in r] for r in W]
        b = [t.num(draw(st.integers(-2, 2))) for _ in b]
    elif kind == "float":  # + double(v) - v: zero when v is dyadic, 2^-57-ish otherwise
        v = draw(st.sampled_from([Fraction(1, 10), Fraction(1, 4), Fraction(1, 3), Fraction(-3, 8)]))
        i = draw(st.integers(0, len(b) - 1))
        b[i] = t.op("add", b[i], t.float(Fraction(*float(v).as_integer_ratio())), t.num(-v))
    return kind, W, b


def steps_for(
    C: list[list[int]], factors: list[list[list[int]]], acts: list[Any], count: int | None, depth: int
) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = [{"rule": "read_output_layer", "layer": depth + 1, "matrix": C}]
    for k, f in enumerate(factors):
        layer = depth - k
        _n, _e, slope, intercept = acts[layer - 1]
        steps.append({"rule": "substitute_layer", "layer": layer, "slope": slope, "intercept": intercept, "matrix": f})
    steps.append({"rule": "conclude_linear_form"})
    steps.append({"rule": "expand_and_compare", "monomials": count if count is not None else 0})
    return steps


def mutate_steps(draw: Any, steps: list[dict[str, Any]], t: Nodes) -> list[dict[str, Any]]:
    kind = draw(st.sampled_from(["none"] * 8 + ["drop", "dup", "swap", "layer", "rule", "slope", "extra", "empty"]))
    steps = [dict(s) for s in steps]
    if kind == "none" or not steps:
        return steps
    i = draw(st.integers(0, len(steps) - 1))
    if kind == "drop":
        del steps[i]
    elif kind == "dup":
        steps.insert(i, dict(steps[i]))
    elif kind == "swap":
        j = draw(st.integers(0, len(steps) - 1))
        steps[i], steps[j] = steps[j], steps[i]
    elif kind == "layer":
        steps[i]["layer"] = draw(st.integers(-1, 4))
    elif kind == "rule":
        steps[i]["rule"] = draw(
            st.sampled_from(
                ["read_output_layer", "substitute_layer", "conclude_linear_form", "expand_and_compare", "trust_me"]
            )
        )
    elif kind == "slope":
        steps[i]["slope"] = t.int(draw(st.integers(0, 2)))
        steps[i].setdefault("intercept", t.zero())
    elif kind == "extra":
        steps[i]["monomials"] = draw(st.integers(0, 40))
    else:
        steps = []
    return steps


@st.composite
def grammar_certificates(draw: Any) -> str:
    """A ``symnet-certificate`` document built from the grammar, as JSON text."""
    t = Nodes()
    net = draw(network(t))
    C, factors, prod = derive(t, net)
    kind, W, b = claim_variant(draw, t, prod, net["object"]["inputs"])
    depth = len(net["widths"]) - 2
    q, p = net["widths"][-1], net["widths"][0]
    route = draw(
        st.sampled_from(
            [["layerwise"]] * 4 + [["layerwise", "direct"]] * 3 + [["direct"]] * 2 + [[], ["layerwise", "layerwise"]]
        )
    )
    count = monomials(t.nodes, net["object"]) if "direct" in route else None
    steps = steps_for(C, factors, net["acts"], count, depth)
    if "direct" not in route:
        steps = steps[:-1]
    if "layerwise" not in route:
        steps = steps[-1:]
    steps = mutate_steps(draw, steps, t)
    claim: dict[str, Any] = {"form": "explicit", "shape": [q, p], "routes": route, "matrix": W, "offset": b}
    if kind == "product":
        claim = {"form": "product", "shape": [q, p], "routes": route}
    doc = {
        "format": "symnet-certificate",
        "version": 1,
        "expressions": t.nodes,
        "network": net["object"],
        "steps": steps,
        "claim": claim,
    }
    return finish(draw, doc, t)


# ------------------------------------------------------ real documents
@lru_cache(maxsize=1)
def real_pool() -> dict[str, list[str]]:
    """Documents symnet writes for networks built through its public API (deterministic)."""
    import sympy

    import symnet

    rng = random.Random(20261201)
    T, a, d = sympy.symbols("t a d")
    certs: list[str] = []
    for _ in range(24):
        p = rng.randint(1, 3)
        hidden = [rng.randint(1, 3) for _ in range(rng.randint(0, 2))]
        q = rng.randint(1, 2)
        act = rng.choice(
            ["identity", "identity", sympy.Lambda(T, a * T + d), sympy.Lambda(T, 2 * T - sympy.Rational(1, 3))]
        )
        if rng.random() < 0.5:
            net = symnet.dense(p, hidden, outputs=q, activation=act)
        else:
            widths = [p, *hidden, q]
            ws = [
                [
                    [
                        rng.choice([0, 1, -2, sympy.Rational(1, 2), 0.25, sympy.Symbol(f"w{l}{k}{j}")])
                        for j in range(widths[l - 1])
                    ]
                    for k in range(widths[l])
                ]
                for l in range(1, len(widths))
            ]
            bs = [
                [rng.choice([0, 1, sympy.Symbol(f"v{l}{k}")]) for k in range(widths[l])] for l in range(1, len(widths))
            ]
            net = symnet.Network.from_matrices(ws, bs, act)
        certs.append(symnet.prove(net).to_json())
    generic = []
    for inputs, hidden, outputs, act in [
        ("p", ["h"], 1, "identity"),
        ("p", ["h", "m"], "q", "identity"),
        (2, ["h"], 1, "identity"),
        ("p", [3], 2, "identity"),
        ("p", [], 1, "identity"),
        ("p", ["h"], 1, sympy.Lambda(T, a * T + d)),
    ]:
        generic.append(symnet.prove(symnet.dense(inputs, hidden, outputs=outputs, activation=act)).to_json())
    counter = []
    for p, hidden, act in [
        (1, [1], "square"),
        (2, [2], "relu"),
        (1, [2], "cube"),
        (2, [1], "leaky_relu"),
        (1, [1, 1], "square"),
        (2, [1], "tanh"),
        (2, [2, 2, 2, 2], "tanh"),  # values stated by enclosures (version 2), past the former value bound
    ]:
        ce = symnet.refute(symnet.dense(p, hidden, activation=act))
        if ce is not None:
            counter.append(ce.to_json())
    numeric = symnet.Network.from_matrices([[[1, -1]], [[2]]], [[0], [1]], "square")
    counter.append(symnet.refute(numeric).to_json())
    degree = []
    for p, hidden, act in [(1, [1], "square"), (2, [2], "cube"), (1, [1, 1], "square"), (2, [1], "square")]:
        degree.append(symnet.degree(symnet.dense(p, hidden, activation=act)).to_json())
    cancel = symnet.Network.from_matrices([[[1], [1]], [[1, -1]]], None, "square")
    degree.append(symnet.degree(cancel).to_json())
    return {"certificate": certs, "generic": generic, "counterexample": counter, "degree": degree}


def _net_of(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["network"]


@st.composite
def real_certificates(draw: Any) -> str:
    """A certificate symnet proved, with its claim re-generated structurally."""
    doc = json.loads(draw(st.sampled_from(real_pool()["certificate"])))
    t = Nodes(doc["expressions"])
    claim = doc["claim"]
    if claim["form"] == "explicit":
        prod = [[b, *row] for b, row in zip(claim["offset"], claim["matrix"], strict=False)]
        kind, W, b = claim_variant(draw, t, prod, doc["network"]["inputs"])
        if kind == "product":
            doc["claim"] = {"form": "product", "shape": claim["shape"], "routes": ["layerwise"]}
            doc["steps"] = [s for s in doc["steps"] if s["rule"] != "expand_and_compare"]
        else:
            claim["matrix"], claim["offset"] = W, b
    doc["steps"] = mutate_steps(draw, doc["steps"], t)
    if draw(st.integers(0, 5)) == 0:
        claim["routes"] = draw(st.sampled_from([[], ["direct"], ["layerwise"], ["layerwise", "direct"]]))
    if draw(st.integers(0, 4)) == 0:  # change one weight of the network, keep the claim
        layer = draw(st.sampled_from(doc["network"]["layers"]))
        row = draw(st.integers(0, len(layer["weights"]) - 1))
        col = draw(st.integers(0, len(layer["weights"][row]) - 1))
        layer["weights"][row][col] = draw(
            st.sampled_from(
                [
                    t.int(3),
                    t.float(Fraction(1, 2) + Fraction(1, 2**200), 300),
                    t.op("add", layer["weights"][row][col], t.float(Fraction(1, 2**70), 100)),
                ]
            )
        )
    if draw(st.integers(0, 9)) == 0:  # rename a weight symbol to a colliding name
        syms = [i for i, n in enumerate(t.nodes) if n[0] == "sym" and n[1] != "t"]
        if syms:
            i = draw(st.sampled_from(syms))
            t.nodes[i] = ["sym", draw(st.sampled_from(["t", "x", "x_1", "a"]))]
    doc["expressions"] = t.nodes
    return finish(draw, doc, t)


@st.composite
def generic_documents(draw: Any) -> str:
    doc = json.loads(draw(st.sampled_from(real_pool()["generic"])))
    t = Nodes(doc["expressions"])
    claim = doc["claim"]
    kind = draw(
        st.sampled_from(
            [
                "none",
                "offset-x",
                "twice-minus",
                "drop-term",
                "coeff",
                "coeff-symbol",
                "activation",
                "sizes",
                "steps",
                "swap",
                "ones",
            ]
        )
    )
    W, b = claim["matrix"], claim["offset"]
    if kind == "offset-x" and W["terms"]:
        b["terms"].append([W["terms"][0][0] + ["x"], t.one()])
        W["terms"] = []
    elif kind == "twice-minus" and W["terms"]:  # W* = 2CB, b* = ... - CBx
        word = W["terms"][0][0]
        W["terms"] = [[word, t.int(2)]]
        b["terms"].append([word + ["x"], t.int(-1)])
    elif kind == "drop-term" and b["terms"]:
        b["terms"].pop(draw(st.integers(0, len(b["terms"]) - 1)))
    elif kind == "coeff" and W["terms"]:
        W["terms"][0][1] = t.int(draw(st.integers(-1, 3)))
    elif kind == "coeff-float" and W["terms"]:  # + double(v) - v: not zero unless v is dyadic
        v = draw(st.sampled_from([Fraction(1, 10), Fraction(1, 3), Fraction(1, 4)]))
        W["terms"][0][1] = t.op("add", W["terms"][0][1], t.float(Fraction(*float(v).as_integer_ratio())), t.num(-v))
    elif kind == "coeff-symbol" and W["terms"]:  # a scalar that is not a declared parameter
        W["terms"][0][1] = t.sym(draw(st.sampled_from(["p", "h", "x", "a", "zeta"])))
    elif kind == "ones":  # an all-ones column of a size the network does not have
        b["terms"].append([["W_1", "1[" + draw(st.sampled_from(["p", "n", "0", "2"])) + "]"], t.zero()])
    elif kind == "activation" and doc["network"]["activations"]:
        act = doc["network"]["activations"][0]
        v = t.sym(act["variable"])
        act["expr"] = draw(
            st.sampled_from(
                [
                    t.op("pow", v, t.int(2)),
                    t.op("mul", v, t.sym("x_1")),
                    t.add(["fn", "Max", t.zero(), v]),
                    t.op("mul", t.int(2), v),
                ]
            )
        )
        act["name"] = draw(st.sampled_from([act["name"], None, "square", "identity"]))
    elif kind == "sizes":
        sizes = doc["network"]["sizes"]
        i = draw(st.integers(0, len(sizes) - 1))
        sizes[i] = draw(st.sampled_from([1, 2, "p", "h", "n", True, 0, "x"]))
    elif kind == "steps":
        doc["steps"] = mutate_steps(draw, doc["steps"], t)
    elif kind == "swap" and W["terms"] and len(W["terms"][0][0]) > 1:
        W["terms"][0][0] = list(reversed(W["terms"][0][0]))
    doc["expressions"] = t.nodes
    return finish(draw, doc, t)


@st.composite
def counterexample_documents(draw: Any) -> str:
    doc = json.loads(draw(st.sampled_from(real_pool()["counterexample"])))
    t = Nodes(doc["expressions"])
    kind = draw(
        st.sampled_from(
            ["none", "value", "value-pair", "point", "weight", "enclosure", "output", "activation-x", "zero-net"]
            + ["layer"]
        )
    )
    if kind == "value":
        doc["values"][draw(st.integers(0, 2))] = t.int(draw(st.integers(-3, 40)))
    elif kind == "value-pair":  # an enclosure stated for a value, moved, shrunk, emptied or widened
        i = draw(st.integers(0, 2))
        old = doc["values"][i]
        pairs = [["-1000", "1000"], ["0", "0"], ["1", "-1"], ["1/3", "1/2"], ["-7/2", "-3"]]
        if isinstance(old, list):
            lo, hi = (Fraction(c) for c in old)
            for a, b in ((lo, lo), (hi, hi), (hi, lo), (lo - 1, hi + 1), (hi + 1, hi + 2), (lo + (hi - lo) / 3, hi)):
                pairs.append([f"{a.numerator}/{a.denominator}", f"{b.numerator}/{b.denominator}"])
        doc["values"][i] = draw(st.sampled_from(pairs))
    elif kind == "value-float":  # a stated value off by double(v) - v
        v = draw(st.sampled_from([Fraction(1, 10), Fraction(1, 3), Fraction(1, 4)]))
        i = draw(st.integers(0, 2))
        doc["values"][i] = t.op("add", doc["values"][i], t.float(Fraction(*float(v).as_integer_ratio())), t.num(-v))
    elif kind == "point":
        doc["points"][0][0] = draw(st.sampled_from(["0", "1/2", "-3", "1/0", "x", "1.5"]))
    elif kind == "weight" and doc["weights"]:
        k = draw(st.sampled_from(sorted(doc["weights"])))
        doc["weights"][k] = draw(st.sampled_from(["0", "7", "-1/3", "1/0"]))
    elif kind == "enclosure":
        doc["enclosure"] = draw(
            st.sampled_from([["-1", "1"], ["0", "0"], ["1", "-1"], ["-100", "-1/2"], ["1/2", "100"]])
        )
    elif kind == "output":
        doc["output"] = draw(st.sampled_from([1, -1, True, "0", 0.0]))
    elif kind in ("activation-x", "zero-net"):
        layer = doc["network"]["layers"][0]
        var = layer["activation"]["variable"]
        x1 = t.sym(doc["network"]["inputs"][0])
        v = t.sym(var)
        # t -> t^2 - x_1^2: on a network whose first layer computes x_1, identically 0
        layer["activation"]["expr"] = t.op(
            "add", t.op("pow", v, t.int(2)), t.op("mul", t.int(-1), t.op("pow", x1, t.int(2)))
        )
        layer["activation"]["name"] = draw(st.sampled_from([None, "square"]))
        if kind == "zero-net":
            for k, row in enumerate(layer["weights"]):
                layer["weights"][k] = [t.one()] + [t.zero()] * (len(row) - 1)
            layer["biases"] = [t.zero()] * len(layer["biases"])
    elif kind == "layer":
        doc["layer"] = draw(st.sampled_from([None, 0, 2, True, "1"]))
    doc["expressions"] = t.nodes
    return finish(draw, doc, t)


@st.composite
def degree_documents(draw: Any) -> str:
    doc = json.loads(draw(st.sampled_from(real_pool()["degree"])))
    t = Nodes(doc["expressions"])
    kind = draw(st.sampled_from(["none", "degree", "zero", "param-t", "limit", "bounds", "witness", "route", "t3000"]))
    q = len(doc["degrees"])
    if kind == "degree":
        doc["degrees"][draw(st.integers(0, q - 1))] = draw(st.sampled_from([0, 1, 3, 5, None, True, 2.0]))
    elif kind in ("zero", "param-t"):
        if kind == "param-t":  # a parameter named t, the activations' variable
            syms = [i for i, n in enumerate(t.nodes) if n[0] == "sym" and n[1] not in ("t", "x")]
            if syms:
                i = draw(st.sampled_from(syms))
                old = t.nodes[i][1]
                t.nodes[i] = ["sym", "t"]
                for w in doc["witnesses"]:
                    if isinstance(w, dict) and old in w["weights"]:
                        w["weights"]["t"] = w["weights"].pop(old)
        doc["degrees"] = [None] * q
        doc["witnesses"] = [None] * q
        doc["routes"] = [draw(st.sampled_from(["bound_degree", "expand_degree"]))] * q
        doc["bounds"] = [[None] * len(row) for row in doc["bounds"]]
    elif kind == "limit":
        doc["limit"] = draw(st.sampled_from([10**12, 0, -1, True, 1]))
    elif kind == "bounds":
        doc["bounds"] = [[draw(st.sampled_from([0, 1, 9, None])) for _ in row] for row in doc["bounds"]]
    elif kind == "witness":
        w = next((w for w in doc["witnesses"] if isinstance(w, dict)), None)
        if w is not None:
            w["coefficient"] = draw(st.sampled_from(["0", "1", "-16", "16/1"]))
    elif kind == "route":
        doc["routes"] = [draw(st.sampled_from(["bound_degree", "expand_degree", "trust_me"])) for _ in range(q)]
    elif kind == "t3000":
        layer = doc["network"]["layers"][0]
        v = t.sym(layer["activation"]["variable"])
        layer["activation"]["expr"] = t.op("pow", v, t.int(draw(st.sampled_from([3000, 10_000]))))
        layer["activation"]["name"] = None
    doc["expressions"] = t.nodes
    return finish(draw, doc, t)


@st.composite
def garbage_documents(draw: Any) -> str:
    """JSON values with a known format field and little else."""
    fmt = draw(
        st.sampled_from(
            [
                "symnet-certificate",
                "symnet-generic-certificate",
                "symnet.counterexample",
                "symnet.degree",
                "symnet.verification",
                "x",
            ]
        )
    )
    leaf = st.one_of(st.none(), st.booleans(), st.integers(-3, 10**30), st.text(max_size=5), st.floats(allow_nan=False))
    junk = st.recursive(
        leaf,
        lambda c: (
            st.lists(c, max_size=3) | st.dictionaries(st.sampled_from(["rule", "matrix", "form", "x"]), c, max_size=3)
        ),
        max_leaves=8,
    )
    keys = draw(
        st.lists(
            st.sampled_from(
                [
                    "version",
                    "expressions",
                    "network",
                    "steps",
                    "claim",
                    "weights",
                    "points",
                    "property",
                    "status",
                    "tree",
                ]
            ),
            unique=True,
        )
    )
    doc = {"format": fmt, **{k: draw(junk) for k in keys}}
    return json.dumps(doc)


# ----------------------------------------------------- JSON-level hostility
def _leaves(v: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = []
    if isinstance(v, dict):
        for k, x in v.items():
            out += _leaves(x, path + (k,))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            out += _leaves(x, path + (i,))
    else:
        out.append(path)
    return out


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> None:
    for k in path[:-1]:
        doc = doc[k]
    doc[path[-1]] = value


def big_number(draw: Any, t: Nodes) -> int:
    """Number-size attacks: tiny documents whose numbers would have millions of digits."""
    kind = draw(
        st.sampled_from(
            [
                "pow-twice",
                "pow-chain",
                "squaring",
                "float-power",
                "rational-power",
                "sum-of-powers",
                "power-of-sum",
                "fn-of-huge",
                "negative-power",
                "product-of-powers",
            ]
        )
    )
    big = t.int(draw(st.sampled_from([10, 7, 3, 2**61 - 1])))
    e = t.int(draw(st.sampled_from([10_000, 9_999, 5_000, 4_096])))
    if kind == "pow-twice":
        return t.op("pow", t.op("pow", big, e), e)
    if kind == "pow-chain":
        r = big
        for _ in range(draw(st.integers(2, 5))):
            r = t.op("pow", r, e)
        return r
    if kind == "squaring":
        r = t.op("add", big, t.num(Fraction(1, 3)))
        for _ in range(draw(st.integers(20, 60))):
            r = t.op("mul", r, r)
        return r
    if kind == "float-power":
        f = t.add(["float", 0, "1", -1074, 1, 53])
        return t.op("pow", t.op("pow", f, e), t.int(draw(st.sampled_from([2, 100, 10_000]))))
    if kind == "rational-power":
        return t.op("pow", t.op("pow", t.num(Fraction(2**127 - 1, 3**80)), e), e)
    if kind == "sum-of-powers":
        r = t.op("pow", big, e)
        for i in range(draw(st.integers(10, 40))):
            r = t.op("mul" if i % 2 else "add", r, r)
        return r
    if kind == "power-of-sum":
        return t.op("pow", t.op("add", t.sym("a"), t.op("pow", big, e)), t.int(draw(st.sampled_from([100, 4000]))))
    if kind == "fn-of-huge":
        fn = draw(st.sampled_from(["exp", "sin", "tanh", "log", "Abs"]))
        return t.add(["fn", fn, t.op("pow", t.op("pow", big, e), t.int(draw(st.sampled_from([2, 300]))))])
    if kind == "negative-power":
        return t.op("pow", t.op("pow", big, e), t.int(-draw(st.sampled_from([2, 300, 10_000]))))
    return t.op("mul", *[t.op("pow", t.int(k), e) for k in (3, 5, 7, 11, 13, 17, 19, 23, 29, 31)] * 40)


def big_dag(draw: Any, t: Nodes) -> int:
    kind = draw(st.sampled_from(["power-chain", "squaring-chain", "add-chain", "mul-chain", "wide-power", "number"]))
    if kind == "number":
        return big_number(draw, t)
    base = t.sym(draw(st.sampled_from(["a", "c", "b^1_{1,1}"])))
    if kind == "power-chain":
        r = base
        for _ in range(draw(st.integers(2, 4))):
            r = t.op("pow", r, t.int(10_000))
        return r
    if kind == "squaring-chain":
        r = t.op("add", base, t.one())
        for _ in range(draw(st.integers(10, 60))):
            r = t.op("mul", r, r)
        return r
    if kind == "add-chain":
        r = base
        for i in range(draw(st.sampled_from([200, 2000, 6000]))):
            r = t.op("add", r, t.sym(f"s{i}"))
        return r
    if kind == "mul-chain":
        r = t.op("add", base, t.one())
        s = t.op("add", base, t.int(-1))
        for _ in range(draw(st.integers(10, 40))):
            r = t.op("mul", r, s)
            r = t.op("add", r, t.one())
        return r
    return t.op("pow", t.op("add", base, t.one()), t.int(draw(st.sampled_from([64, 500, 10_000]))))


def finish(draw: Any, doc: dict[str, Any], t: Nodes) -> str:
    """Maybe add JSON-level hostility, then write the document as text."""
    kind = draw(
        st.sampled_from(
            ["none"] * 18
            + ["dup-key", "version", "missing", "unknown", "type", "nan", "node", "big-dag", "dup-symbol"]
            + ["big-number", "hostile-name", "hostile-name"]
        )
    )
    doc["expressions"] = t.nodes
    if kind == "dup-key":
        where = draw(st.sampled_from(["top", "claim", "network", "version"]))
        if where == "version":
            return dump(Dup([*(item for item in doc.items() if item[0] != "version"), ("version", 1), ("version", 2)]))
        if where == "top" or not isinstance(doc.get(where), dict):
            key = draw(st.sampled_from(sorted(doc)))
            other = json.loads(draw(st.sampled_from(real_pool()["certificate"])))
            alt = other.get(key, doc[key])
            pairs = list(doc.items())
            i = [k for k, _ in pairs].index(key)
            pairs.insert(i + draw(st.integers(0, 1)), (key, alt))
            return dump(Dup(pairs))
        inner = doc[where]
        k = draw(st.sampled_from(sorted(inner)))
        alt = draw(st.sampled_from([inner[k], [], 0, None, "x"]))
        doc[where] = Dup([*inner.items(), (k, alt)] if draw(st.booleans()) else [(k, alt), *inner.items()])
        return dump(doc)
    if kind == "version":
        doc["version"] = draw(st.sampled_from([True, 1.0, "1", 2, None, 0]))
    elif kind == "missing":
        path = draw(st.sampled_from([("format",), ("claim",), ("network",), ("steps",), ("expressions",)]))
        doc.pop(path[0], None)
    elif kind == "unknown":
        doc[draw(st.sampled_from(["trusted", "meta", "claim2"]))] = draw(st.sampled_from([True, {}, []]))
    elif kind in ("type", "nan"):
        leaves = _leaves(doc)
        if leaves:
            path = draw(st.sampled_from(leaves[:400]))
            _set(
                doc,
                path,
                float("nan")
                if kind == "nan"
                else draw(st.sampled_from([True, False, None, 1.5, "0", [], {}, -1, 10**6])),
            )
    elif kind == "node":
        bad = draw(
            st.sampled_from(
                [
                    ["int", "1.5"],
                    ["int", 5],
                    ["sym", ""],
                    ["add", 0],
                    ["pow", 0, len(t.nodes)],
                    ["fn", "eval", 0],
                    ["rat", "2", "4"],
                    ["rat", "1", "1"],
                    ["float", 0, "1", 0, 1, 0],
                    ["mul"],
                    [],
                    "x",
                    ["const", "I"],
                    ["fn", "Abs", 0, 0],
                ]
            )
        )
        if t.nodes:
            t.nodes[draw(st.integers(0, len(t.nodes) - 1))] = bad
    elif kind == "big-dag":
        r = big_dag(draw, t)
        net = doc.get("network", {})
        layers = net.get("layers") if isinstance(net, dict) else None
        if isinstance(layers, list) and layers and isinstance(layers[0], dict) and layers[0].get("weights"):
            layers[0]["weights"][0][0] = r
    elif kind == "big-number":
        r = big_number(draw, t)
        net = doc.get("network", {})
        layers = net.get("layers") if isinstance(net, dict) else None
        if isinstance(layers, list) and layers and isinstance(layers[0], dict) and layers[0].get("biases"):
            layers[draw(st.integers(0, len(layers) - 1))]["biases"][0] = r
    elif kind == "hostile-name":
        _rename(draw, doc, t)
    elif kind == "dup-symbol":
        syms = [n for n in t.nodes if isinstance(n, list) and n[:1] == ["sym"]]
        if syms:
            sym = draw(st.sampled_from(syms))
            new = t.add(list(sym), share=False)
            # point one reference to the duplicate: the network changes silently
            net = doc.get("network", {})
            layers = net.get("layers") if isinstance(net, dict) else None
            if isinstance(layers, list) and layers and isinstance(layers[0], dict) and layers[0].get("biases"):
                layers[0]["biases"][0] = new
    doc["expressions"] = t.nodes
    return dump(doc)


def _rename(draw: Any, doc: dict[str, Any], t: Nodes) -> None:
    """Give a parameter's symbol node a hostile name: the document stays as true (or false) as it was."""
    net = doc.get("network", {})
    fixed: set[Any] = set(net.get("inputs", []) if isinstance(net, dict) else [])
    for layer in net.get("layers", []) if isinstance(net, dict) and isinstance(net.get("layers"), list) else []:
        if isinstance(layer, dict) and isinstance(layer.get("activation"), dict):
            fixed.add(layer["activation"].get("variable"))
    taken = {n[1] for n in t.nodes if isinstance(n, list) and n[:1] == ["sym"] and len(n) > 1}
    params = [
        i
        for i, n in enumerate(t.nodes)
        if isinstance(n, list) and n[:1] == ["sym"] and len(n) > 1 and n[1] not in fixed
    ]
    fresh = [n for n in HOSTILE_NAMES if n not in taken]
    if params and fresh:
        t.nodes[draw(st.sampled_from(params))] = ["sym", draw(st.sampled_from(fresh))]


def documents() -> st.SearchStrategy[str]:
    """One document of any family, as raw JSON text (verification: about one in five; regions: one in eight)."""
    from .regions_strategies import regions_documents
    from .verification_strategies import verification_documents  # it builds on this module

    return st.one_of(
        regions_documents(),
        regions_documents(),
        verification_documents(),
        verification_documents(),
        verification_documents(),
        grammar_certificates(),
        generic_documents(),
        counterexample_documents(),
        degree_documents(),
        real_certificates(),
        garbage_documents(),
        grammar_certificates(),
        generic_documents(),
        counterexample_documents(),
        degree_documents(),
        real_certificates(),
    )


# ------------------------------------------------------------ public API
@st.composite
def api_certificates(draw: Any) -> Any:
    """A Certificate built in Python from a real proof's network, with steps and claim re-generated."""
    import sympy

    import symnet
    from symnet.certificate import Certificate, Claim

    proof = symnet.Proof.from_json(draw(st.sampled_from(real_pool()["certificate"])))
    net = proof.network
    steps = proof.steps
    kind = draw(st.sampled_from(["all", "none", "conclude-only", "layerwise", "direct"]))
    if kind == "none":
        steps = ()
    elif kind == "conclude-only":
        steps = tuple(s for s in steps if s.rule == "conclude_linear_form")
    elif kind == "layerwise":
        steps = tuple(s for s in steps if s.rule != "expand_and_compare")
    elif kind == "direct":
        steps = tuple(s for s in steps if s.rule == "expand_and_compare")
    routes = draw(st.sampled_from([(), ("layerwise",), ("direct",), ("layerwise", "direct")]))
    M, b = proof.matrix, proof.offset
    claim_kind = draw(st.sampled_from(["true", "zero-w", "plus-x", "random"]))
    if claim_kind == "zero-w":
        b = sympy.ImmutableMatrix([proof.as_expr()[i] for i in range(net.q)])
        M = sympy.ImmutableMatrix.zeros(net.q, net.p)
    elif claim_kind == "plus-x":
        x = net.inputs[0]
        b = b + sympy.ImmutableMatrix([x] * net.q)
        M = M - sympy.ImmutableMatrix(net.q, net.p, lambda i, j: 1 if j == 0 else 0)
    elif claim_kind == "random":
        M = sympy.ImmutableMatrix(net.q, net.p, lambda i, j: draw(st.integers(-2, 2)))
    return Certificate(
        net, tuple(steps), Claim("explicit", (net.q, net.p), routes, sympy.ImmutableMatrix(M), sympy.ImmutableMatrix(b))
    )


@st.composite
def api_networks(draw: Any) -> Any:
    """(description, builder): a network built through the public API, hostile entries included."""
    import sympy

    import symnet

    t, x1, a = sympy.Symbol("t"), sympy.Symbol("x_1"), sympy.Symbol("a")
    A, B = sympy.Symbol("A", commutative=False), sympy.Symbol("B", commutative=False)
    acts = {
        "identity": "identity",
        "affine": sympy.Lambda(t, 3 * t - 1),
        "x-times-t": sympy.Lambda(t, x1 * t),
        "t-plus-max-x": sympy.Lambda(t, t + sympy.Max(0, x1)),
        "t2-minus-x2": sympy.Lambda(t, t**2 - x1**2),
        "foreign": sympy.Lambda(t, a * t),
        "high-prec": sympy.Lambda(t, sympy.Float(sympy.Rational(1, 2) + sympy.Rational(1, 2**200), 300) * t),
    }
    entries = {
        "int": 2,
        "sym": sympy.Symbol("w"),
        "nc-A": A,
        "nc-B": B,
        "nan": sympy.nan,
        "zoo": sympy.zoo,
        "inf": float("inf"),
        "float-nan": float("nan"),
        "high-prec": sympy.Float(sympy.Rational(1, 2) + sympy.Rational(1, 2**200), 300),
        "max": sympy.Max(sympy.Rational(1, 2), sympy.Symbol("c")),
    }
    act = draw(st.sampled_from(sorted(acts)))
    e1, e2 = draw(st.sampled_from(sorted(entries))), draw(st.sampled_from(sorted(entries)))
    weights = [[[entries[e1]]], [[entries[e2]]]]
    return (
        f"activation {act}, weights {e1}, {e2}",
        (lambda: symnet.Network.from_matrices(weights, None, acts[act])),
        (e1, e2, act),
    )
