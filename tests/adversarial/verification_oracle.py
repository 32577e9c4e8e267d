"""The oracle of verification documents (format ``symnet.verification``, issue 21), without symnet's checker.

A document states a network, an input set X (a box, possibly flat, cut by rows
``a . x + e <= 0``), a violation V (a disjunction of conjunctions of rows
``c . y + d <= 0`` on the outputs y) and a status:

* ``"violated"`` is true when the stated input lies in X, the network's exact
  output there (a forward pass in :class:`fractions.Fraction`, written here)
  equals the stated output, and it satisfies every row of some disjunct;
* ``"holds"`` is true when no input of X satisfies any disjunct.  For ReLU
  networks this is decided exactly: the activation patterns are enumerated
  neuron by neuron, each partial pattern's polyhedron (X, the pattern's sign
  constraints on the pre-activations, affine in x under the pattern) is tested
  for emptiness with an exact LP (pplpy's ``MIP_Problem``, rational simplex),
  and at a full pattern each disjunct's rows are added.  A non-empty
  polyhedron gives a point, which is confirmed by the forward pass above
  before the claim is called false.

The format is about ReLU networks: a hidden activation whose formula is not
max(0, z) (exactly, at many rational probes) makes the document malformed
(class ``non-relu-hidden``), as does a network with free parameters.

The split tree, the multipliers and the slopes are not read: they are how the
document argues, not what it claims.  Nothing here imports symnet.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction
from typing import Any

from ppl import Constraint_System, Linear_Expression, MIP_Problem

from .grammar import Malformed, Resample, Table, Undecided, expect, is_int, keys
from .oracle import Verdict, _rational, _version, read_network

__all__ = ["VERIFICATION", "Numeric", "extreme", "judge_verification", "numeric_network"]

VERIFICATION = "symnet.verification"
#: The oracle enumerates patterns only up to this many hidden neurons, and this many LPs.
MAX_NEURONS = 12
MAX_LPS = 20_000

Affine = tuple[list[Fraction], Fraction]  # coefficients on x, constant
Row = tuple[list[Fraction], Fraction]


class Numeric:
    """A network with exact rational weights; hidden activations "relu", "identity" or a formula."""

    def __init__(self, t: Table, layers: list[tuple[list[list[Fraction]], list[Fraction], str, str, int]]) -> None:
        self.t = t
        self.layers = layers

    @property
    def relu(self) -> bool:
        return all(kind == "relu" for _w, _b, kind, _v, _e in self.layers[:-1])

    @property
    def neurons(self) -> int:
        return sum(len(b) for _w, b, _k, _v, _e in self.layers[:-1])

    def forward(self, x: list[Fraction]) -> list[Fraction]:
        """The exact output at x (Undecided or Resample when a formula has no rational value there)."""
        u = list(x)
        for w, b, kind, var, expr in self.layers:
            z = [sum((wi * ui for wi, ui in zip(row, u, strict=True)), bk) for row, bk in zip(w, b, strict=True)]
            if kind == "relu":
                u = [max(Fraction(0), v) for v in z]
            elif kind == "identity":
                u = z
            else:
                u = [self.t.evaluate(expr, {var: v}) for v in z]
        return u


_PROBES = [Fraction(n, d) for n, d in ((0, 1), (1, 1), (-1, 1), (1, 2), (-1, 2), (7, 3), (-7, 3), (1000, 1))] + [
    Fraction(-1000, 1),
    Fraction(1, 1000),
    Fraction(-1, 1000),
]


def _kind(t: Table, var: str, expr: int) -> str:
    """ "identity" for the bare variable, "relu" when the formula is max(0, z) at every probe, else "formula"."""
    if t.nodes[expr] == ("sym", var):
        return "identity"
    rng = random.Random(expr)
    probes = _PROBES + [Fraction(rng.randint(-99, 99), rng.randint(1, 17)) for _ in range(6)]
    try:
        if all(t.evaluate(expr, {var: z}) == max(Fraction(0), z) for z in probes):
            return "relu"
    except (Undecided, Resample, ArithmeticError, ValueError, TypeError):
        pass
    return "formula"


def _arithmetic_constants(t: Table, data: Any) -> bool:
    """Whether every weight and bias the oracle could not call a polynomial is a symbol-free +, *, ^ of numbers."""
    try:
        refs = [
            r
            for layer in data["layers"]
            for r in [*layer["biases"], *(v for row in layer["weights"] for v in row)]
            if not t.poly[r]
        ]
    except (KeyError, TypeError, IndexError):  # a later layer is malformed: that is what the reader says
        return False
    return all(not t.free(r) and all(t.nodes[n][0] in ("num", "add", "mul", "pow") for n in t.reach(r)) for r in refs)


def numeric_network(t: Table, data: Any) -> Numeric:
    """The document's network with its weights as Fractions; Malformed when it has free parameters."""
    try:
        net = read_network(t, data)
    except Malformed as exc:
        if exc.cls == "nonpolynomial-weight" and _arithmetic_constants(t, data):
            raise Undecided("a weight is a rational constant too big for the oracle to fold") from None
        raise
    expect(not net.params, f"a verification network has free parameters {sorted(net.params)[:3]}", "symbolic-network")
    layers = []
    for w, b, _name, var, expr in net.layers:
        wq = [[t.evaluate(r, {}) for r in row] for row in w]
        bq = [t.evaluate(r, {}) for r in b]
        layers.append((wq, bq, _kind(t, var, expr), var, expr))
    return Numeric(t, layers)


# ------------------------------------------------------------------ the grammar
def _vec(items: Any, n: int, where: str) -> list[Fraction]:
    expect(isinstance(items, list) and len(items) == n, f"{where} is not a list of {n} rationals", "json-type")
    return [_rational(v, where) for v in items]


def _row(item: Any, n: int, where: str) -> Row:
    expect(isinstance(item, list) and len(item) == 2, f"{where} is not [coefficients, constant]", "json-type")
    return _vec(item[0], n, f"{where}.c"), _rational(item[1], f"{where}.d")


def _property(data: Any, p: int, q: int) -> tuple[list[tuple[Fraction, Fraction]], list[Row], list[list[Row]]]:
    keys(data, {"box", "input_constraints", "disjuncts"}, set(), "property")
    box_data = data["box"]
    expect(isinstance(box_data, list) and len(box_data) == p, f"property.box does not list {p} intervals", "json-type")
    box = []
    for j, pair in enumerate(box_data):
        lo, hi = _vec(pair, 2, f"property.box[{j}]")
        expect(lo <= hi, f"property.box[{j}] is empty", "empty-box")
        box.append((lo, hi))
    cons_data = data["input_constraints"]
    expect(isinstance(cons_data, list), "property.input_constraints is not a list", "json-type")
    cons = [_row(r, p, "property.input_constraints") for r in cons_data]
    disj_data = data["disjuncts"]
    expect(isinstance(disj_data, list) and disj_data, "property.disjuncts is not a non-empty list", "json-type")
    disjuncts = []
    for conj in disj_data:
        expect(isinstance(conj, list), "a disjunct is not a list of rows", "json-type")
        disjuncts.append([_row(r, q, "property.disjuncts") for r in conj])
    return box, cons, disjuncts


def _tree(items: Any) -> None:
    """Only the tree's outline: a non-empty list of split and leaf nodes (the kernel judges the rest)."""
    expect(isinstance(items, list) and items, "tree is not a non-empty list", "json-type")
    for item in items:
        ok = isinstance(item, list) and item and item[0] in ("split", "leaf")
        expect(bool(ok), "a tree node is not ['split', ...] or ['leaf', ...]", "tree")
        if item[0] == "split":
            expect(len(item) == 4 and is_int(item[1]), "a split node is not [split, coordinate, value, proofs]", "tree")
            _rational(item[2], "a split value")


# ------------------------------------------------------------------ exact LPs
def _le(form: Affine) -> Any:
    """The ppl constraint ``form <= 0`` with integer coefficients."""
    coeffs, const = form
    den = math.lcm(const.denominator, *(c.denominator for c in coeffs))
    return Linear_Expression([int(-c * den) for c in coeffs], int(-const * den)) >= 0


class _LP:
    """Exact feasibility of a list of ``form <= 0`` over x in QQ^p, counting the LPs solved."""

    def __init__(self, p: int) -> None:
        self.p = p
        self.count = 0

    def point(self, forms: list[Affine], objective: list[Fraction] | None = None) -> list[Fraction] | None:
        """A point of {x : every form <= 0} (maximising ``objective . x`` if given, bounded), or None if empty."""
        self.count += 1
        if self.count > MAX_LPS:
            raise Undecided("more LPs than the oracle's limit")
        cs = Constraint_System()
        for f in forms:
            cs.insert(_le(f))
        if objective is None:
            obj = Linear_Expression([0] * self.p, 0)
        else:
            den = math.lcm(*(c.denominator for c in objective))
            obj = Linear_Expression([int(c * den) for c in objective], 0)
        m = MIP_Problem(self.p, cs, obj)
        if not m.is_satisfiable():
            return None
        g = m.optimizing_point()
        d = int(g.divisor())
        return [Fraction(int(c), d) for c in g.coefficients()]


def _combine(row: list[Fraction], b: Fraction, forms: list[Affine], p: int) -> Affine:
    coeffs = [Fraction(0)] * p
    const = b
    for w, (fc, fk) in zip(row, forms, strict=True):
        if w:
            coeffs = [c + w * v for c, v in zip(coeffs, fc, strict=True)]
            const += w * fk
    return coeffs, const


def _interval(form: Affine, box: list[tuple[Fraction, Fraction]]) -> tuple[Fraction, Fraction]:
    lo = hi = form[1]
    for c, (a, b) in zip(form[0], box, strict=True):
        lo, hi = (lo + c * a, hi + c * b) if c >= 0 else (lo + c * b, hi + c * a)
    return lo, hi


def _regions(net: Numeric, box: list[tuple[Fraction, Fraction]], base: list[Affine], lp: _LP) -> Any:
    """Yield (constraints, output forms) for every activation pattern whose region of X is non-empty."""
    p = len(box)

    def rec(l: int, k: int, prev: list[Affine], post: list[Affine], cs: list[Affine]) -> Any:
        if l == len(net.layers) - 1:
            w, b, _kind, _v, _e = net.layers[l]
            yield cs, [_combine(row, bk, prev, p) for row, bk in zip(w, b, strict=True)]
            return
        w, b, _kind, _v, _e = net.layers[l]
        if k == len(b):
            yield from rec(l + 1, 0, post, [], cs)
            return
        z = _combine(w[k], b[k], prev, p)
        lo, hi = _interval(z, box)
        zero: Affine = ([Fraction(0)] * p, Fraction(0))
        neg: Affine = ([-c for c in z[0]], -z[1])
        for active in (True, False):
            if (active and hi < 0) or (not active and lo > 0):
                continue
            implied = lo >= 0 if active else hi <= 0
            more = cs if implied else [*cs, neg if active else z]
            if implied or lp.point(more) is not None:
                yield from rec(l, k + 1, prev, [*post, z if active else zero], more)

    identity = [([Fraction(int(i == j)) for i in range(p)], Fraction(0)) for j in range(p)]
    yield from rec(0, 0, identity, [], base)


def _base(box: list[tuple[Fraction, Fraction]], cons: list[Row]) -> list[Affine]:
    p = len(box)
    out: list[Affine] = []
    for j, (lo, hi) in enumerate(box):
        e = [Fraction(int(i == j)) for i in range(p)]
        out.append(([-v for v in e], lo))  # lo - x_j <= 0
        out.append((e, -hi))  # x_j - hi <= 0
    out += [(list(a), e) for a, e in cons]
    return out


def _rows_on(rows: list[Row], outs: list[Affine], p: int) -> list[Affine]:
    return [_combine(c, d, outs, p) for c, d in rows]


def find_violation(
    net: Numeric, box: list[tuple[Fraction, Fraction]], cons: list[Row], disjuncts: list[list[Row]]
) -> list[Fraction] | None:
    """An input of X satisfying some disjunct, or None when there is none (exact; ReLU networks only)."""
    if net.neurons > MAX_NEURONS:
        raise Undecided(f"{net.neurons} hidden neurons: past the oracle's enumeration limit")
    p = len(box)
    lp = _LP(p)
    if lp.point(_base(box, cons)) is None:
        return None  # X is empty: nothing violates
    for cs, outs in _regions(net, box, _base(box, cons), lp):
        for rows in disjuncts:
            x = lp.point([*cs, *_rows_on(rows, outs, p)])
            if x is not None:
                return x
    return None


def extreme(net: Numeric, box: list[tuple[Fraction, Fraction]], cons: list[Row], c: list[Fraction]) -> Fraction | None:
    """The exact maximum of ``c . f(x)`` over X (ReLU networks only), None when X is empty."""
    p = len(box)
    lp = _LP(p)
    best: Fraction | None = None
    for cs, outs in _regions(net, box, _base(box, cons), lp):
        obj, k = _combine(c, Fraction(0), outs, p)
        x = lp.point(cs, obj)
        if x is not None:
            v = sum((a * b for a, b in zip(obj, x, strict=True)), k)
            best = v if best is None or v > best else best
    return best


# ------------------------------------------------------------------ truth
def _inside(x: list[Fraction], box: list[tuple[Fraction, Fraction]], cons: list[Row]) -> bool:
    if not all(lo <= v <= hi for v, (lo, hi) in zip(x, box, strict=True)):
        return False
    return all(sum((ai * xi for ai, xi in zip(a, x, strict=True)), e) <= 0 for a, e in cons)


def satisfied(y: list[Fraction], disjuncts: list[list[Row]]) -> int | None:
    """The first disjunct every row of which holds at the output y, or None."""
    for j, rows in enumerate(disjuncts):
        if all(sum((ci * yi for ci, yi in zip(c, y, strict=True)), d) <= 0 for c, d in rows):
            return j
    return None


def _violation_claim(data: dict[str, Any], net: Numeric, box: Any, cons: Any, disjuncts: Any) -> Verdict:
    p, q = len(box), len(net.layers[-1][1])
    expect(data.get("tree") is None, "a 'violated' document has a tree", "status")
    x = _vec(data.get("counterexample"), p, "counterexample")
    y = _vec(data.get("output"), q, "output")
    if not _inside(x, box, cons):
        return Verdict("false", VERIFICATION, "claim", "the counterexample is not in the input set")
    try:
        exact = net.forward(x)
    except Resample:
        return Verdict("false", VERIFICATION, "claim", "the network divides by zero at the counterexample")
    if exact != y:
        return Verdict("false", VERIFICATION, "claim", "the stated output is not the network's output there")
    if satisfied(exact, disjuncts) is None:
        return Verdict("false", VERIFICATION, "claim", "the output at the counterexample satisfies no disjunct")
    return Verdict("true", VERIFICATION)


def _sampled(net: Numeric, box: Any, cons: Any, disjuncts: Any, rng: random.Random) -> list[Fraction] | None:
    """A violating input among the box's centre, its corners and random points (any network)."""
    p = len(box)
    points = [[(lo + hi) / 2 for lo, hi in box]]
    points += [[box[j][(m >> j) & 1] for j in range(p)] for m in range(2**p)]
    points += [[lo + (hi - lo) * Fraction(rng.randint(0, 64), 64) for lo, hi in box] for _ in range(24)]
    for x in points:
        if _inside(x, box, cons):
            try:
                if satisfied(net.forward(x), disjuncts) is not None:
                    return x
            except (Undecided, Resample):
                continue
    return None


def _holds_claim(data: dict[str, Any], net: Numeric, box: Any, cons: Any, disjuncts: Any, rng: Any) -> Verdict:
    expect(
        data.get("counterexample") is None and data.get("output") is None, "a 'holds' document has a point", "status"
    )
    _tree(data.get("tree"))
    x = _sampled(net, box, cons, disjuncts, rng)
    if x is None and net.relu:
        x = find_violation(net, box, cons, disjuncts)
        if x is not None:  # confirm the LP's point with the forward pass before calling the claim false
            if not _inside(x, box, cons) or satisfied(net.forward(x), disjuncts) is None:
                return Verdict("undecided", VERIFICATION, "oracle-error", f"the LP's point {x} does not violate")
        else:
            return Verdict("true", VERIFICATION)
    if x is None:
        raise Undecided("hidden activations other than ReLU and no sampled violation")
    shown = ", ".join(str(v) for v in x)[:200]
    return Verdict("false", VERIFICATION, "claim", f"the input ({shown}) is in the set and violates")


def judge_verification(data: dict[str, Any], rng: random.Random) -> Verdict:
    """The oracle's verdict on a parsed verification document (Malformed / Undecided propagate)."""
    keys(
        data,
        {"format", "version", "expressions", "network", "property", "status"},
        {"counterexample", "output", "tree"},
        "the document",
    )
    _version(data)
    t = Table(data["expressions"])
    net = numeric_network(t, data["network"])
    expect(net.relu, "a hidden activation is not ReLU (the format is about ReLU networks)", "non-relu-hidden")
    p, q = len(net.layers[0][0][0]), len(net.layers[-1][1])
    box, cons, disjuncts = _property(data["property"], p, q)
    status = data["status"]
    if status == "violated":
        return _violation_claim(data, net, box, cons, disjuncts)
    expect(status == "holds", "status is not 'holds' or 'violated'", "status")
    return _holds_claim(data, net, box, cons, disjuncts, rng)
