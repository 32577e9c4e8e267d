"""The oracle: is a document well-formed, and is its claim true?  Without symnet's kernel.

``judge(text)`` returns a :class:`Verdict`:

* ``malformed`` -- the document breaks the grammar of :mod:`.grammar`
  (``cls`` names the class: ``json-duplicate-key``, ``number``,
  ``claim-input``, ``activation-input`` ...);
* ``false`` -- the claim is false: at a random rational point (random values
  for the symbolic weights too) the network's exact output differs from what
  the document states, or sympy's expansion of the difference is not zero;
* ``true`` -- every check agreed (random points; at small sizes also sympy);
* ``undecided`` -- the oracle could not tell (transcendental values, its own
  size limits).

``name_mismatch`` is set when an activation's ``name`` is one of symnet's
names and the formula is not that function (or the name is unknown).

The claims, by family:

* ``symnet-certificate``: ``output == W* x + b*`` for every x and every value
  of the weights' symbols (product form: ``(b* | W*) = C P_L ... P_1`` with the
  factors the steps state);
* ``symnet-generic-certificate``: the same, for every value of the sizes
  (checked at random small sizes, with random matrices);
* ``symnet.counterexample``: at the given weights, output k at u, v and
  m = (u+v)/2 has the stated values and the defect lies in the enclosure,
  which excludes 0;
* ``symnet.degree``: output i has exactly the stated degree in x for
  generic weights, and each witness line has the stated leading coefficient;
* ``symnet.verification``: "violated" -- the stated input is in the input set
  and its exact output is the stated one and violates; "holds" -- no input of
  the set violates, decided by exact LPs over the activation patterns
  (:mod:`.verification_oracle`).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from .grammar import (
    PRIME,
    Malformed,
    Overflow,
    Resample,
    Table,
    Undecided,
    expect,
    is_int,
    keys,
    name,
    parse_json,
)

__all__ = ["Verdict", "judge"]

CERTIFICATE = "symnet-certificate"
GENERIC = "symnet-generic-certificate"
COUNTEREXAMPLE = "symnet.counterexample"
DEGREE = "symnet.degree"
VERIFICATION = "symnet.verification"
REGIONS = "symnet.regions"
FAMILIES = (CERTIFICATE, GENERIC, COUNTEREXAMPLE, DEGREE, VERIFICATION, REGIONS)

_TRIALS = 3
_RESAMPLE = 6
_RAT_RE = re.compile(r"-?[0-9]{1,4000}(?:/[0-9]{1,4000})?")
_SIZE_RE = re.compile(r"[A-Za-z][A-Za-z0-9]{0,15}")
_RESERVED_SIZES = frozenset({"x", "y", "b", "c", "t", "k", "j", "i", "l", "B", "C", "W", "P", "Q", "L", "I", "E"})


@dataclass
class Verdict:
    """What the oracle found: kind, the class of a defect, a reason, and notes."""

    kind: str  # malformed | false | true | undecided
    family: str | None = None
    cls: str = ""
    reason: str = ""
    name_mismatch: str = ""
    notes: list[str] = field(default_factory=list)


# ----------------------------------------------------------------- helpers
def _rand(rng: random.Random, mod: bool) -> Any:
    if mod:
        return rng.randrange(1, PRIME)
    return Fraction(rng.randint(-9, 9), rng.randint(1, 5))


def _eq(a: Any, b: Any, mod: bool) -> bool:
    return (a - b) % PRIME == 0 if mod else a == b


def _version(data: dict[str, Any], versions: tuple[int, ...] = (1,)) -> int:
    v = data["version"]
    expect(is_int(v), f"version {str(v)[:20]} is not an integer", "json-version")
    expect(v in versions, f"version {v} is not one of {versions}", "json-version")
    return int(v)


def _matrix(t: Table, rows: Any, where: str) -> list[list[int]]:
    expect(
        isinstance(rows, list) and rows and all(isinstance(r, list) for r in rows),
        f"{where} is not a matrix",
        "json-type",
    )
    width = len(rows[0])
    expect(width > 0 and all(len(r) == width for r in rows), f"{where} is not rectangular", "shape")
    return [[t.ref(v, where) for v in row] for row in rows]


def _vector(t: Table, items: Any, where: str) -> list[int]:
    expect(isinstance(items, list) and items, f"{where} is not a non-empty list", "json-type")
    return [t.ref(v, where) for v in items]


def _rational(v: Any, where: str) -> Fraction:
    expect(isinstance(v, str) and _RAT_RE.fullmatch(v) is not None, f"{where} is not a rational 'p/q'", "number")
    num, _, den = v.partition("/")
    expect(not den or int(den) != 0, f"{where} has a zero denominator", "number-nonfinite")
    return Fraction(int(num), int(den) if den else 1)


# ------------------------------------------------------------ activations
_NAMED = ("identity", "linear", "relu", "leaky_relu", "square", "cube", "tanh", "sigmoid", "softplus")


def _named_value(n: str, z: Fraction) -> Fraction | None:
    if n in ("identity", "linear"):
        return z
    if n == "relu":
        return max(Fraction(0), z)
    if n == "leaky_relu":
        return max(z / 100, z)
    if n == "square":
        return z * z
    if n == "cube":
        return z * z * z
    return None


def _named_float(n: str, z: float) -> float:
    import math

    if n == "tanh":
        return math.tanh(z)
    if n == "sigmoid":
        return 1 / (1 + math.exp(-z))
    return math.log1p(math.exp(z))


def _float_eval(t: Table, root: int, env: dict[str, float]) -> float:
    import math

    fns = {
        "Max": max,
        "Min": min,
        "Abs": abs,
        "exp": math.exp,
        "log": math.log,
        "tanh": math.tanh,
        "sinh": math.sinh,
        "cosh": math.cosh,
        "sin": math.sin,
        "cos": math.cos,
    }
    val: dict[int, float] = {}
    for n in t.reach(root):
        item = t.nodes[n]
        k = item[0]
        if k == "num":
            val[n] = float(item[1])
        elif k == "sym":
            val[n] = env[item[1]]
        elif k == "const":
            val[n] = math.e if item[1] == "E" else math.pi
        elif k == "add":
            val[n] = sum(val[a] for a in item[1])
        elif k == "mul":
            out = 1.0
            for a in item[1]:
                out *= val[a]
            val[n] = out
        elif k == "pow":
            val[n] = float(val[item[1]] ** val[item[2]])
        else:
            val[n] = float(fns[item[1]](*(val[a] for a in item[2])))
    return val[root]


def name_matches(t: Table, act_name: Any, var: str, expr: int) -> bool:
    """True when ``act_name`` is null, or one of symnet's names and the formula is that function."""
    if act_name is None:
        return True
    if act_name not in _NAMED:
        return False
    if t.free(expr) - {var}:
        return False  # a named activation has no parameters
    rng = random.Random(7)
    points = [Fraction(0), Fraction(1), Fraction(-1), Fraction(3, 2), Fraction(-7, 3)] + [
        Fraction(rng.randint(-50, 50), rng.randint(1, 9)) for _ in range(3)
    ]
    for z in points:
        want = _named_value(act_name, z)
        if want is not None:
            try:
                got = t.evaluate(expr, {var: z})
            except (Undecided, Overflow, Resample):
                return False
            if got != want:
                return False
        else:
            try:
                got_f = _float_eval(t, expr, {var: float(z)})
            except (ValueError, OverflowError, ZeroDivisionError, TypeError):
                return False
            if not abs(got_f - _named_float(act_name, float(z))) <= 1e-9 * (1 + abs(got_f)):
                return False
    return True


# ------------------------------------------------------------------ networks
@dataclass
class Net:
    inputs: list[str]
    layers: list[tuple[list[list[int]], list[int], Any, str, int]]  # weights, biases, name, variable, expr
    params: set[str]
    mismatch: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def p(self) -> int:
        return len(self.inputs)

    @property
    def q(self) -> int:
        return len(self.layers[-1][1])

    @property
    def depth(self) -> int:
        return len(self.layers) - 1

    def forward(self, t: Table, x: list[Any], env: dict[str, Any], mod: bool) -> list[Any]:
        u = list(x)
        for weights, biases, _n, var, expr in self.layers:
            z = []
            for k, row in enumerate(weights):
                acc = t.evaluate(biases[k], env, mod)
                for j, w in enumerate(row):
                    acc = acc + t.evaluate(w, env, mod) * u[j]
                z.append(acc % PRIME if mod else acc)
            if t.nodes[expr] == ("sym", var):
                u = z
            else:
                u = [t.evaluate(expr, {**env, var: v}, mod) for v in z]
        return u


def read_network(t: Table, data: Any) -> Net:
    keys(data, {"inputs", "layers"}, set(), "network")
    ins = data["inputs"]
    expect(isinstance(ins, list) and ins, "network.inputs is not a non-empty list", "json-type")
    inputs = [name(n, "network.inputs") for n in ins]
    expect(len(set(inputs)) == len(inputs), "network.inputs repeats a name", "inputs")
    layers_data = data["layers"]
    expect(isinstance(layers_data, list) and layers_data, "network.layers is not a non-empty list", "json-type")
    layers = []
    weight_syms: set[str] = set()
    act_params: set[str] = set()
    variables: set[str] = set()
    mismatch = ""
    previous = len(inputs)
    for i, ld in enumerate(layers_data):
        where = f"network.layers[{i}]"
        keys(ld, {"weights", "biases", "activation"}, set(), where)
        w = _matrix(t, ld["weights"], f"{where}.weights")
        b = _vector(t, ld["biases"], f"{where}.biases")
        expect(len(w[0]) == previous, f"{where}.weights has {len(w[0])} columns, not {previous}", "shape")
        expect(len(b) == len(w), f"{where}.biases has {len(b)} entries, not {len(w)}", "shape")
        previous = len(w)
        ad = keys(ld["activation"], {"name", "variable", "expr"}, set(), f"{where}.activation")
        expect(
            ad["name"] is None or isinstance(ad["name"], str),
            f"{where}.activation.name is not a string or null",
            "json-type",
        )
        var = name(ad["variable"], f"{where}.activation.variable")
        expr = t.ref(ad["expr"], f"{where}.activation.expr")
        for r in [*b, *(v for row in w for v in row)]:
            weight_syms |= t.free(r)
            if not t.poly[r] and t.poly_radical[r]:
                # the kernel reads a radical constant (an exactly folded batch norm's 1/sqrt) as a generator of its own;
                # this oracle evaluates with Fractions and cannot judge it
                raise Undecided(f"{where}: a weight or bias holds a radical constant")
            expect(t.poly[r], f"{where}: a weight or bias is not a polynomial over QQ", "nonpolynomial-weight")
        params = t.free(expr) - {var}
        bad = params & set(inputs)
        expect(
            not bad, f"{where}: the activation mentions the input {sorted(bad)[0]!r}" if bad else "", "activation-input"
        )
        act_params |= params
        variables.add(var)
        if not name_matches(t, ad["name"], var, expr) and not mismatch:
            mismatch = f"{where}: activation named {str(ad['name'])[:30]!r} does not compute that function"
        layers.append((w, b, ad["name"], var, expr))
    bad = weight_syms & set(inputs)
    expect(not bad, f"the input {sorted(bad)[0]!r} occurs in a weight" if bad else "", "weight-input")
    w_out, b_out, _n, var, expr = layers[-1]
    expect(t.nodes[expr] == ("sym", var), "the output layer's activation is not the identity", "output-activation")
    net = Net(inputs, layers, (weight_syms | act_params) - set(inputs), mismatch)
    if variables & (weight_syms | set(inputs) | act_params):
        net.notes.append("an activation variable shares its name with a weight, input or parameter")
    return net


def _trials(rng: random.Random, names: set[str], check: Any) -> None:
    """Run check(env, mod) at random points, exact first, modulo PRIME on Overflow."""
    done = 0
    misses = 0
    while done < _TRIALS:
        mod = False
        env = {n: _rand(rng, False) for n in sorted(names)}
        try:
            check(env, False)
        except Overflow:
            mod = True
        except Resample:
            misses += 1
            if misses > _RESAMPLE:
                raise Undecided("division by zero at every random point") from None
            continue
        if mod:
            env = {n: _rand(rng, True) for n in sorted(names)}
            try:
                check(env, True)
            except Resample:
                misses += 1
                if misses > _RESAMPLE:
                    raise Undecided("division by zero modulo the prime") from None
                continue
        done += 1


class _False(Exception):
    pass


def _show(v: Any, mod: bool = False) -> str:
    """A value for a message (numbers past a few hundred digits are summarised)."""
    if mod:
        return "a value (mod p)"
    if isinstance(v, Fraction) and max(v.numerator.bit_length(), v.denominator.bit_length()) > 1000:
        return f"a rational of {v.numerator.bit_length()}/{v.denominator.bit_length()} bits"
    return str(v)


# ----------------------------------------------------------- certificates
def _certificate(data: dict[str, Any], rng: random.Random) -> Verdict:
    keys(data, {"format", "version", "expressions", "network", "steps", "claim"}, set(), "the document")
    _version(data)
    t = Table(data["expressions"])
    net = read_network(t, data["network"])
    steps = data["steps"]
    expect(isinstance(steps, list), "steps is not a list", "json-type")
    rules = ("read_output_layer", "substitute_layer", "conclude_linear_form", "expand_and_compare")
    parsed = []
    for k, sd in enumerate(steps):
        where = f"steps[{k}]"
        keys(sd, {"rule"}, {"layer", "matrix", "slope", "intercept", "monomials"}, where)
        expect(sd["rule"] in rules, f"{where} cites an unknown rule", "step")
        if "layer" in sd:
            expect(is_int(sd["layer"]), f"{where}.layer is not an integer", "json-type")
        if "monomials" in sd:
            expect(is_int(sd["monomials"]) and sd["monomials"] >= 0, f"{where}.monomials is not a count", "json-type")
        m = _matrix(t, sd["matrix"], f"{where}.matrix") if "matrix" in sd else None
        for f in ("slope", "intercept"):
            if f in sd:
                t.ref(sd[f], f"{where}.{f}")
        parsed.append((sd["rule"], m))
    cd = keys(data["claim"], {"form", "shape", "routes"}, {"matrix", "offset"}, "claim")
    expect(cd["form"] in ("explicit", "product"), "claim.form is not explicit or product", "claim")
    shape = cd["shape"]
    expect(
        isinstance(shape, list) and len(shape) == 2 and all(is_int(s) for s in shape),
        "claim.shape is not [q, p]",
        "json-type",
    )
    expect(tuple(shape) == (net.q, net.p), f"claim.shape {shape} is not the network's {[net.q, net.p]}", "shape")
    routes = cd["routes"]
    expect(isinstance(routes, list) and routes, "claim.routes is empty: no complete route", "routes")
    expect(
        all(r in ("layerwise", "direct") for r in routes) and len(set(routes)) == len(routes), "claim.routes", "routes"
    )
    if cd["form"] == "explicit":
        expect("matrix" in cd and "offset" in cd, "an explicit claim needs matrix and offset", "json-keys")
        wm = _matrix(t, cd["matrix"], "claim.matrix")
        bo = _vector(t, cd["offset"], "claim.offset")
        expect(
            len(wm) == net.q and len(wm[0]) == net.p and len(bo) == net.q,
            "the claim's W*, b* have the wrong shape",
            "shape",
        )
        refs = [*bo, *(v for row in wm for v in row)]
        for r in refs:
            bad = t.free(r) & set(net.inputs)
            expect(not bad, f"the claim mentions the input {sorted(bad)[0]!r}" if bad else "", "claim-input")
            expect(t.poly[r], "the claim is not a polynomial over QQ", "nonpolynomial-claim")
        names = net.params | {s for r in refs for s in t.free(r)}

        def claimed(env: dict[str, Any], x: list[Any], mod: bool) -> list[Any]:
            out = []
            for i in range(net.q):
                acc = t.evaluate(bo[i], env, mod)
                for j in range(net.p):
                    acc = acc + t.evaluate(wm[i][j], env, mod) * x[j]
                out.append(acc)
            return out
    else:
        expect("matrix" not in cd and "offset" not in cd, "a product claim has no matrix or offset", "json-keys")
        chain = _chain(parsed, net)
        if chain is None:
            return Verdict(
                "false", CERTIFICATE, "claim", "the product claim's factors are not a complete chain C P_L ... P_1"
            )
        refs = [v for m in chain for row in m for v in row]
        for r in refs:
            bad = t.free(r) & set(net.inputs)
            expect(not bad, f"a stated factor mentions the input {sorted(bad)[0]!r}" if bad else "", "claim-input")
            expect(t.poly[r], "a stated factor is not a polynomial over QQ", "nonpolynomial-claim")
        names = net.params | {s for r in refs for s in t.free(r)}

        def claimed(env: dict[str, Any], x: list[Any], mod: bool) -> list[Any]:
            vec = [Fraction(1) if not mod else 1, *x]
            for m in reversed(chain):
                vec = [sum((t.evaluate(m[i][j], env, mod) * vec[j] for j in range(len(vec))), 0) for i in range(len(m))]
                if mod:
                    vec = [v % PRIME for v in vec]
            return vec

    def check(env: dict[str, Any], mod: bool) -> None:
        x = [_rand(rng, mod) for _ in net.inputs]
        env = {**env, **dict(zip(net.inputs, x, strict=False))}
        got = net.forward(t, x, env, mod)
        want = claimed(env, x, mod)
        for i, (a, b) in enumerate(zip(got, want, strict=False)):
            if not _eq(a, b, mod):
                raise _False(
                    f"output {i} at a random point: the network gives {_show(a, mod)} but the claim {_show(b, mod)}"
                )

    verdict = Verdict("true", CERTIFICATE, name_mismatch=net.mismatch, notes=net.notes)
    try:
        _trials(rng, names, check)
    except _False as exc:
        return Verdict("false", CERTIFICATE, "claim", str(exc), net.mismatch, net.notes)
    if cd["form"] == "explicit" and net.p * max(len(l[1]) for l in net.layers) <= 12 and len(t) <= 400:
        from . import sympy_route

        result = sympy_route.explicit_difference(t, net, wm, bo)
        if result is not None and result != 0:
            return Verdict(
                "false", CERTIFICATE, "claim", f"sympy: output minus claim expands to {str(result)[:80]}", net.mismatch
            )
    return verdict


def _chain(parsed: list[tuple[str, Any]], net: Net) -> list[list[list[int]]] | None:
    start = next((k for k, (r, _) in enumerate(parsed) if r == "read_output_layer"), None)
    if start is None or parsed[start][1] is None:
        return None
    chain = [parsed[start][1]]
    for r, m in parsed[start + 1 :]:
        if r == "conclude_linear_form":
            break
        if r == "substitute_layer":
            if m is None:
                return None
            chain.append(m)
    if len(chain) != net.depth + 1:
        return None
    widths = [net.p] + [len(l[1]) for l in net.layers]
    # C: q x (h_L + 1); P_l: (h_l + 1) x (h_{l-1} + 1), l = L .. 1
    if len(chain[0]) != net.q or len(chain[0][0]) != widths[-2] + 1:
        return None
    for k, m in enumerate(chain[1:]):
        layer = net.depth - k
        if len(m) != widths[layer] + 1 or len(m[0]) != widths[layer - 1] + 1:
            return None
    return chain


# -------------------------------------------------------- counterexamples
def _counterexample(data: dict[str, Any], rng: random.Random) -> Verdict:
    keys(
        data,
        {"format", "version", "expressions", "network", "weights", "points", "output", "values", "enclosure", "layer"},
        set(),
        "the document",
    )
    version = _version(data, (1, 2))
    t = Table(data["expressions"])
    net = read_network(t, data["network"])
    wd = data["weights"]
    expect(isinstance(wd, dict), "weights is not an object", "json-type")
    expect(set(wd) == net.params, "weights does not give exactly the network's parameters", "weights")
    env = {n: _rational(v, f"weights[{n[:20]!r}]") for n, v in wd.items()}
    pts = data["points"]
    expect(
        isinstance(pts, list) and len(pts) == 2 and all(isinstance(p, list) and len(p) == net.p for p in pts),
        "points",
        "json-type",
    )
    u, v = ([_rational(c, "points") for c in p] for p in pts)
    k = data["output"]
    expect(is_int(k) and 0 <= k < net.q, "output is not an output index", "json-type")
    vals = data["values"]
    expect(isinstance(vals, list) and len(vals) == 3, "values is not three expressions", "json-type")
    claims: list[Any] = []  # per value: a node (an exact value) or a pair of Fractions (an enclosure, version 2)
    for r in vals:
        if version >= 2 and isinstance(r, list):
            expect(len(r) == 2, "a value's enclosure is not two rationals", "json-type")
            claims.append(tuple(_rational(c, "values") for c in r))
            continue
        claims.append(t.ref(r, "values"))
        expect(not t.free(claims[-1]), "a claimed value mentions a symbol", "claim-input")
    enc = data["enclosure"]
    expect(isinstance(enc, list) and len(enc) == 2, "enclosure is not two rationals", "json-type")
    lo, hi = (_rational(c, "enclosure") for c in enc)
    layer = data["layer"]
    expect(layer is None or is_int(layer), "layer is not an integer or null", "json-type")
    base = Verdict("true", COUNTEREXAMPLE, name_mismatch=net.mismatch, notes=net.notes)
    if not (lo <= hi and (lo > 0 or hi < 0)):
        return Verdict(
            "false",
            COUNTEREXAMPLE,
            "claim",
            f"the enclosure [{_show(lo)}, {_show(hi)}] does not exclude 0",
            net.mismatch,
        )
    for c in claims:
        if isinstance(c, tuple) and c[0] > c[1]:
            return Verdict("false", COUNTEREXAMPLE, "claim", f"a value's enclosure {c} is empty", net.mismatch)
    m = [(a + b) / 2 for a, b in zip(u, v, strict=False)]
    try:
        stated = [c if isinstance(c, tuple) else t.evaluate(c, {}, False) for c in claims]
    except Overflow:
        raise Undecided("numbers past the oracle's size limit") from None
    except Resample:
        return Verdict("false", COUNTEREXAMPLE, "claim", "a stated value divides by zero", net.mismatch)
    except Undecided:  # a stated value that is not rational: only rationals and enclosures are values (policy)
        why = "version 1's transcendental values are no longer accepted" if version == 1 else "a value is not rational"
        return Verdict("false", COUNTEREXAMPLE, "claim", why, net.mismatch)
    try:
        got = [net.forward(t, pt, env, False)[k] for pt in (u, v, m)]
    except Overflow:
        raise Undecided("numbers past the oracle's size limit") from None
    except Resample:
        return Verdict("false", COUNTEREXAMPLE, "claim", "the network divides by zero at a stated point", net.mismatch)
    except Undecided:  # transcendental values: intervals decide when they are narrow enough
        wrong, proved = _interval_counterexample(t, net, env, (u, v, m), k, stated, lo, hi)
        if wrong:
            return Verdict("false", COUNTEREXAMPLE, "claim", wrong, net.mismatch)
        if proved:
            return base
        raise
    for label, a, b in zip(("f(u)", "f(v)", "f(m)"), got, stated, strict=False):
        if (not b[0] <= a <= b[1]) if isinstance(b, tuple) else a != b:
            return Verdict("false", COUNTEREXAMPLE, "claim", f"{label} is {_show(a)}, stated {_show(b)}", net.mismatch)
    defect = got[2] - (got[0] + got[1]) / 2
    if not lo <= defect <= hi:
        return Verdict("false", COUNTEREXAMPLE, "claim", f"the defect {defect} is not in [{lo}, {hi}]", net.mismatch)
    return base


def _interval_counterexample(
    t: Table, net: Net, env: dict[str, Any], pts: Any, k: int, stated: list[Any], lo: Fraction, hi: Fraction
) -> tuple[str, bool]:
    """Why the counterexample is wrong, proved with interval enclosures ('' if they cannot tell), and whether they
    prove it right (every value inside its stated enclosure, the defect inside [lo, hi]; a stated exact rational
    is never proved equal to a transcendental value this way)."""
    from .grammar import interval_evaluate

    try:
        got = []
        for pt in pts:
            vals = list(pt)
            for weights, biases, _n, var, expr in net.layers:
                z = []
                for kk, row in enumerate(weights):
                    acc = interval_evaluate(t, biases[kk], env)
                    for j, w in enumerate(row):
                        acc = acc + interval_evaluate(t, w, env) * interval_evaluate_num(vals[j])
                    z.append(acc)
                vals = (
                    z if t.nodes[expr] == ("sym", var) else [interval_evaluate(t, expr, {**env, var: zz}) for zz in z]
                )
            got.append(vals[k])
        ends = [(c if isinstance(c, tuple) else (c, c)) for c in stated]
        claims = [(interval_evaluate_num(a), interval_evaluate_num(b)) for a, b in ends]
    except (Undecided, ZeroDivisionError, ValueError):
        return "", False
    for label, a, (b_lo, b_hi) in zip(("f(u)", "f(v)", "f(m)"), got, claims, strict=False):
        if a.b < b_lo.a or b_hi.b < a.a:
            return f"{label}: the network's value lies in {a}, the stated one in [{b_lo}, {b_hi}] (intervals)", False
    defect = got[2] - (got[0] + got[1]) / 2
    lo_iv, hi_iv = interval_evaluate_num(lo), interval_evaluate_num(hi)
    if defect.b < lo_iv.a or defect.a > hi_iv.b:
        return f"the defect lies in {defect}, outside the stated enclosure [{lo}, {hi}] (intervals)", False
    inside = all(
        isinstance(c, tuple) and b_lo.a <= a.a and a.b <= b_hi.b
        for a, c, (b_lo, b_hi) in zip(got, stated, claims, strict=False)
    )
    return "", bool(inside and lo_iv.a <= defect.a and defect.b <= hi_iv.b)


def interval_evaluate_num(v: Any) -> Any:
    from mpmath import iv

    if isinstance(v, Fraction):
        return iv.mpf(v.numerator) / iv.mpf(v.denominator)
    return v


# ---------------------------------------------------------------- degrees
_MAX_ORACLE_DEGREE = 200


def _degree(data: dict[str, Any], rng: random.Random) -> Verdict:
    keys(
        data,
        {"format", "version", "expressions", "network", "degrees", "routes", "witnesses"},
        {"bounds", "limit"},
        "the document",
    )
    _version(data)
    t = Table(data["expressions"])
    net = read_network(t, data["network"])
    degrees, routes, wits = data["degrees"], data["routes"], data["witnesses"]
    for f in (degrees, routes, wits):
        expect(
            isinstance(f, list) and len(f) == net.q, "degrees, routes, witnesses need one entry per output", "json-type"
        )
    for d in degrees:
        expect(d is None or (is_int(d) and d >= 0), "a degree is not a count or null", "json-type")
    for r in routes:
        expect(r in ("bound_degree", "expand_degree"), "unknown degree route", "routes")
    expect(is_int(data.get("limit", 1)) and data.get("limit", 1) >= 1, "limit is not a positive integer", "json-type")
    bounds = data.get("bounds", [])
    expect(
        isinstance(bounds, list) and all(isinstance(b, list) for b in bounds),
        "bounds is not a list of lists",
        "json-type",
    )
    for row in bounds:
        for b in row:
            expect(b is None or (is_int(b) and b >= 0), "a bound is not a count or null", "json-type")
    witnesses = []
    for i, w in enumerate(wits):
        if w is None:
            witnesses.append(None)
            continue
        keys(w, {"weights", "point", "direction", "coefficient"}, set(), f"witnesses[{i}]")
        expect(isinstance(w["weights"], dict) and set(w["weights"]) == net.params, "witness weights", "weights")
        wenv = {n: _rational(v, "witness weights") for n, v in w["weights"].items()}
        for f in ("point", "direction"):
            expect(isinstance(w[f], list) and len(w[f]) == net.p, f"witness {f}", "json-type")
        witnesses.append(
            (
                wenv,
                [_rational(c, "point") for c in w["point"]],
                [_rational(c, "direction") for c in w["direction"]],
                _rational(w["coefficient"], "coefficient"),
            )
        )
    top = 1
    for _w, _b, _n, var, expr in net.layers[:-1]:
        d = t.degree_in(expr, var)
        if d is None:
            raise Undecided("a non-polynomial activation: the degree is not defined")
        top *= max(d, 1)
        if top > _MAX_ORACLE_DEGREE:
            raise Undecided(f"degree bound {top} past the oracle's limit")
    base = Verdict("true", DEGREE, name_mismatch=net.mismatch, notes=net.notes)

    def line_coeffs(env: dict[str, Any], a: list[Any], dvec: list[Any], mod: bool) -> list[list[Any]]:
        """Per output, the finite differences Delta^k g(0), k = 0..top, of g(s) = f(a + s d)."""
        points = [[ai + s * di for ai, di in zip(a, dvec, strict=False)] for s in range(top + 1)]
        samples = [net.forward(t, pt, env, mod) for pt in points]
        out = []
        for i in range(net.q):
            g = [row[i] for row in samples]
            diffs = []
            for _ in range(top + 1):
                diffs.append(g[0] % PRIME if mod else g[0])
                g = [(g[j + 1] - g[j]) for j in range(len(g) - 1)]
            out.append(diffs)
        return out

    def deg_of(diffs: list[Any], mod: bool) -> int | None:
        for k in range(len(diffs) - 1, -1, -1):
            if (diffs[k] % PRIME != 0) if mod else diffs[k] != 0:
                return k
        return None

    # exact degrees, modulo the prime at random points (a lower bound each time, exact w.h.p.)
    found: list[int | None] = [None] * net.q
    for _ in range(2):
        env = {n: rng.randrange(1, PRIME) for n in sorted(net.params)}
        a = [rng.randrange(PRIME) for _ in net.inputs]
        dv = [rng.randrange(1, PRIME) for _ in net.inputs]
        try:
            rows = line_coeffs(env, a, dv, True)
        except Resample:
            continue
        for i, diffs in enumerate(rows):
            d = deg_of(diffs, True)
            if d is not None and (found[i] is None or d > found[i]):  # type: ignore[operator]
                found[i] = d
    for i, (claimed, f) in enumerate(zip(degrees, found, strict=False)):
        if claimed != f:
            return Verdict("false", DEGREE, "claim", f"output {i} has degree {f} in x, stated {claimed}", net.mismatch)
    for i, w in enumerate(witnesses):
        if w is None or degrees[i] is None:
            continue
        wenv, pt, dv, coeff = w
        try:
            try:
                diffs = line_coeffs(wenv, pt, dv, False)[i]
                mod = False
            except Overflow:
                raise Undecided("witness numbers past the oracle's size limit") from None
        except Resample:
            return Verdict("false", DEGREE, "claim", "the witness line divides by zero", net.mismatch)
        d = degrees[i]
        line_deg = deg_of(diffs, mod)
        import math

        if line_deg != d or diffs[d] != coeff * math.factorial(d):
            return Verdict(
                "false",
                DEGREE,
                "claim",
                f"witness {i}: along the line the degree is {line_deg}, "
                f"leading difference {diffs[d] if d < len(diffs) else None}",
                net.mismatch,
            )
    return base


# ---------------------------------------------------------------- generic
def _generic(data: dict[str, Any], rng: random.Random) -> Verdict:
    from . import generic_oracle

    return generic_oracle.judge_generic(data, rng)


# ------------------------------------------------------------------ judge
def judge(text: str | bytes, seed: int = 0) -> Verdict:
    """The oracle's verdict on one document (deterministic for a seed)."""
    rng = random.Random(seed)
    try:
        data = parse_json(text)
        expect(isinstance(data, dict), "the document is not an object", "json-type")
        expect("format" in data, "the document has no format", "json-keys")
        fmt = data["format"]
        if isinstance(fmt, str):  # the dotted names of issue 19 name the same families
            fmt = {"symnet.linear": CERTIFICATE, "symnet.generic": GENERIC}.get(fmt, fmt)
        expect(fmt in FAMILIES, f"unknown format {str(fmt)[:40]!r}", "json-format")
        if fmt == CERTIFICATE:
            return _certificate(data, rng)
        if fmt == GENERIC:
            return _generic(data, rng)
        if fmt == COUNTEREXAMPLE:
            return _counterexample(data, rng)
        if fmt == VERIFICATION:
            from .verification_oracle import judge_verification

            return judge_verification(data, rng)
        if fmt == REGIONS:
            from .regions_oracle import judge_regions

            return judge_regions(data)
        return _degree(data, rng)
    except Malformed as exc:
        return Verdict("malformed", None, exc.cls, str(exc))
    except Undecided as exc:
        return Verdict("undecided", None, "oracle-limit", str(exc))
    except Overflow:
        return Verdict("undecided", None, "oracle-limit", "numbers past the oracle's size limit")
    except (
        ArithmeticError,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        RecursionError,
    ) as exc:  # an oracle bug: say so
        return Verdict("undecided", None, "oracle-error", f"{type(exc).__name__}: {str(exc)[:120]}")
