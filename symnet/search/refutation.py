"""Exact refutations: a network whose output is not affine in its inputs x.

``refute(net)`` returns a :class:`Counterexample` -- exact rational values
for the network's weight symbols, two exact rational input points u and v,
and an output k with

    f_k((u + v)/2)  !=  (f_k(u) + f_k(v))/2,

which no affine function can satisfy -- or ``None`` when the network *is*
affine in x (proved, never guessed).  The inequality is established with
exact arithmetic; for transcendental activations (tanh, sigmoid, softplus)
by rigorous interval arithmetic on the exact symbolic values.

How it searches (``check()`` trusts none of it):

* **structure** -- if every unit that reaches an output is affine in x
  (affine activations, or a non-affine activation applied to a constant),
  the network is affine: ``None``;
* **polynomial activations** -- along a random line ``a + s*d`` the output
  is a polynomial in s; degree >= 2 gives the two points directly; if no
  line shows it, the output is expanded exactly (sparse ring) to decide;
* **piecewise-linear activations** (relu, leaky_relu, Abs, Max/Min of affine
  pieces) -- the restriction to a line is analysed exactly (its kinks);
  a kink where the slope changes gives u, v; if no line shows one, the exact
  linear regions (:func:`symnet.regions`) decide;
* **other activations** -- random exact points, screened with interval
  arithmetic.

When none of these decides (e.g. a sigmoid network that cancels to an
affine function), :class:`UndecidedError` is raised rather than a guess.

>>> import symnet
>>> cx = symnet.refute(symnet.dense(1, [1], activation="relu"))
>>> cx.check()
True
>>> symnet.refute(symnet.dense(2, [3])) is None
True
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy

from ..certificate import ExpressionReader, ExpressionWriter, check_version, load_json, read_network, write_network
from ..errors import CertificateError, InvalidType, SizeGuardError, UndecidedError
from ..kernel import counterexample as checker
from ..kernel.gate import gate_activation
from ..model.display import Displayable
from ..model.network import Network
from ..render import refutation as _render
from .degree import degree_bounds, non_polynomial_entry, expanded_degrees, line_outputs, random_values

__all__ = ["Counterexample", "UndecidedError", "refute"]

FORMAT = "symnet.counterexample"
VERSION = 1


# ---------------------------------------------------------------------- data
@dataclass(frozen=True)
class Counterexample(Displayable, display_key="counterexample"):
    """An exact, self-checking refutation of "the output is affine in x".

    ``weights`` maps each weight symbol of ``network`` to an exact Rational
    (empty for a numeric network); ``points`` is ``(u, v)``, tuples of exact
    Rationals; ``output`` is the 0-based index k of an output with
    ``f_k((u+v)/2) != (f_k(u)+f_k(v))/2``.  ``values`` are the exact
    ``f_k(u), f_k(v), f_k((u+v)/2)`` and ``enclosure`` two rationals
    ``lo <= defect <= hi`` that exclude 0, where ``defect`` is
    ``f_k((u+v)/2) - (f_k(u)+f_k(v))/2``.  ``layer`` is the first hidden
    layer (1-based) whose activation is not affine.
    """

    network: Network
    weights: dict[sympy.Symbol, sympy.Rational]
    points: tuple[tuple[sympy.Rational, ...], tuple[sympy.Rational, ...]]
    output: int
    values: tuple[sympy.Expr, sympy.Expr, sympy.Expr]
    enclosure: tuple[sympy.Rational, sympy.Rational]
    layer: int | None = None

    def __hash__(self) -> int:
        return hash((self.network, self.points, self.output))

    @property
    def midpoint(self) -> tuple[sympy.Rational, ...]:
        """``(u + v)/2``."""
        u, v = self.points
        return tuple((a + b) / 2 for a, b in zip(u, v))

    @property
    def defect(self) -> sympy.Expr:
        """The exact ``f_k((u+v)/2) - (f_k(u)+f_k(v))/2`` (non-zero)."""
        fu, fv, fm = self.values
        return fm - (fu + fv) / 2

    @property
    def is_exact_rational(self) -> bool:
        """True when the defect is a rational number (no interval arithmetic needed)."""
        return self.defect.is_Rational

    def check(self) -> bool:
        """Re-verify independently; True, or CertificateError on any defect."""
        return checker.check_counterexample(
            self.network, self.weights, self.points, self.output, self.values, self.enclosure
        )

    # ------------------------------------------------------------ rendering
    def _weight_items(self) -> list[tuple[sympy.Symbol, sympy.Rational]]:
        return [(s, self.weights[s]) for s in self.network.parameters if s in self.weights]

    def to_text(self, *, digits: int | None = _render.DEFAULT_DIGITS) -> str:
        """A plain-text refutation (deterministic, within 78 columns): the network, its weights, the points, the defect."""
        return _render.to_text(self, digits=digits)

    def to_markdown(self, *, digits: int | None = _render.DEFAULT_DIGITS) -> str:
        """A Markdown refutation with ``$...$`` math."""
        return _render.to_markdown(self, digits=digits)

    def to_latex(self, document: bool = False, *, digits: int | None = _render.DEFAULT_DIGITS) -> str:
        """An amsmath refutation; ``document=True`` gives a complete pdflatex document (the derivations' preamble)."""
        return _render.to_latex(self, document=document, digits=digits)

    # ----------------------------------------------------------------- JSON
    def to_coq(self, *, standalone: bool = True) -> str:
        """A Coq file proving the two points, the exact defect and non-affinity (see :mod:`symnet.interop.coq`)."""
        from ..interop import coq

        return coq.counterexample_to_coq(self, standalone=standalone)  # its fields are the data

    def to_json(self) -> str:
        """A JSON document; :meth:`from_json` reads it back (and never evaluates text)."""
        enc = checker.encode_rational
        table = ExpressionWriter()
        network = write_network(table, self.network)
        values = [table.ref(e) for e in self.values]
        doc = {
            "format": FORMAT,
            "version": VERSION,
            "expressions": table.nodes,
            "network": network,
            "weights": {s.name: enc(val) for s, val in self._weight_items()},
            "points": [[enc(c) for c in pt] for pt in self.points],
            "output": self.output,
            "values": values,
            "enclosure": [enc(c) for c in self.enclosure],
            "layer": self.layer,
        }
        return json.dumps(doc, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> Counterexample:
        """Read a counterexample written by :meth:`to_json`; CertificateError if malformed."""
        doc = load_json(text, "counterexample")
        keys = {"format", "version", "expressions", "network", "weights", "points", "output", "values", "enclosure", "layer"}
        if not isinstance(doc, dict) or set(doc) != keys:
            raise CertificateError(f"a counterexample document has exactly the keys {sorted(keys)}")
        check_version(doc, VERSION, "counterexample")
        if doc["format"] != FORMAT:
            raise CertificateError(f"unknown format {doc['format']!r} version {doc['version']!r}")
        table = ExpressionReader(doc["expressions"])
        net = read_network(table, doc["network"])
        names = {s.name: s for s in net.parameters}
        if not isinstance(doc["weights"], dict) or not set(doc["weights"]) <= set(names):
            raise CertificateError("weights must map parameter names of the network to rationals")
        weights = {names[n]: checker.decode_rational(v, f"weights[{n!r}]") for n, v in doc["weights"].items()}
        pts = doc["points"]
        if not isinstance(pts, list) or len(pts) != 2 or not all(isinstance(p, list) for p in pts):
            raise CertificateError("points must be a list of two coordinate lists")
        points = tuple(tuple(checker.decode_rational(c, "points") for c in p) for p in pts)
        if isinstance(doc["output"], bool) or not isinstance(doc["output"], int):
            raise CertificateError("output must be an integer")
        if not isinstance(doc["values"], list) or len(doc["values"]) != 3:
            raise CertificateError("values must be a list of three expressions")
        values = tuple(table.ref(e, "values") for e in doc["values"])
        if not isinstance(doc["enclosure"], list) or len(doc["enclosure"]) != 2:
            raise CertificateError("enclosure must be a list of two rationals")
        enclosure = tuple(checker.decode_rational(c, "enclosure") for c in doc["enclosure"])
        layer = doc["layer"]
        if layer is not None and (isinstance(layer, bool) or not isinstance(layer, int)):
            raise CertificateError("layer must be an integer or null")
        return cls(net, weights, points, doc["output"], values, enclosure, layer)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return (
            f"Counterexample(output={self.output}, u={_tuple(self.points[0])}, v={_tuple(self.points[1])}, "
            f"defect={self.defect})"
        )


def _tuple(pt: Any) -> str:
    return "(" + ", ".join(str(c) for c in pt) + ")"


def _round(q: Fraction, digits: int, direction: str) -> tuple[int, int]:
    """(n, e) with n * 10**e the outward rounding of q (``down`` or ``up``) to ``digits`` significant digits."""
    if q == 0:
        return 0, 0
    e = len(str(abs(q.numerator) // q.denominator)) - digits if abs(q) >= 1 else -digits
    while abs(q) < Fraction(10) ** (e + digits - 1):
        e -= 1
    scaled = q / Fraction(10) ** e
    n = scaled.numerator // scaled.denominator if direction == "down" else -((-scaled.numerator) // scaled.denominator)
    return n, e


# -------------------------------------------------------------------- search
_AFFINE, _POLY, _KINK, _OTHER = "affine", "poly", "kink", "other"


def _exact(e: sympy.Expr) -> sympy.Expr:
    floats = e.atoms(sympy.Float)
    return e.xreplace({f: sympy.Rational(f) for f in floats}) if floats else e


def _kind(body: sympy.Expr, var: sympy.Symbol) -> str:
    if body.is_polynomial(var):
        return _AFFINE if sympy.Poly(body, var).degree() <= 1 else _POLY
    if not (body.free_symbols - {var}) and checker.pl_pieces(body, var) is not None:
        return _KINK
    return _OTHER


def _structure(net: Network) -> tuple[bool, int | None]:
    """(affine proved by structure, first hidden layer whose activation is not affine)."""
    affine = [True] * net.p
    constant = [False] * net.p
    first = None
    for l, layer in enumerate(net.layers):
        kind = _kind(_exact(layer.activation.expr), layer.activation.variable)
        if kind != _AFFINE and first is None and l < net.depth:
            first = l + 1
        next_aff, next_const = [], []
        for k in range(layer.width):
            reads = [j for j in range(layer.fan_in) if layer.weights[k, j] != 0]
            z_aff = all(affine[j] for j in reads)
            z_const = all(constant[j] for j in reads)
            next_const.append(z_const)
            next_aff.append(z_const or (z_aff and kind == _AFFINE))
        affine, constant = next_aff, next_const
    return all(affine), first


def _build(net: Network, values: dict[sympy.Symbol, sympy.Rational], u: list[Any], v: list[Any], layer: int | None) -> Counterexample | None:
    """The verified counterexample at (values, u, v), or None if no output shows a non-zero defect."""
    u = [sympy.Rational(c) for c in u]
    v = [sympy.Rational(c) for c in v]
    if u == v:
        return None
    m = [(a + b) / 2 for a, b in zip(u, v)]
    outs = [checker.exact_outputs(net, values, pt) for pt in (u, v, m)]
    for k in range(net.q):
        fu, fv, fm = outs[0][k], outs[1][k], outs[2][k]
        defect = fm - (fu + fv) / 2
        if defect.is_Rational:
            if defect == 0:
                continue
            enclosure = (defect, defect)
        else:
            enclosure = _enclosure(defect)
            if enclosure is None:
                continue
        cx = Counterexample(net, dict(values), (tuple(u), tuple(v)), k, (fu, fv, fm), enclosure, layer)
        try:
            cx.check()
        except CertificateError:
            continue
        return cx
    return None


def _enclosure(defect: sympy.Expr) -> tuple[sympy.Rational, sympy.Rational] | None:
    """Short rational bounds lo < defect < hi excluding 0, or None if the sign cannot be shown."""
    for prec in checker.PRECISIONS:
        try:
            lo, hi = checker.enclose(defect, prec)
        except checker._NoBound:
            return None
        if lo > 0 or hi < 0:
            for digits in (8, 16, 40, 120, 400):
                nlo, elo = _round(lo, digits, "down")
                nhi, ehi = _round(hi, digits, "up")
                rlo = Fraction(nlo - 1) * Fraction(10) ** elo
                rhi = Fraction(nhi + 1) * Fraction(10) ** ehi
                if rlo > 0 or rhi < 0:
                    return sympy.Rational(rlo.numerator, rlo.denominator), sympy.Rational(rhi.numerator, rhi.denominator)
            return None
    return None


def _ints(rng: random.Random, n: int, spread: int, nonzero: bool = False) -> list[sympy.Integer]:
    while True:
        out = [sympy.Integer(rng.randint(-spread, spread)) for _ in range(n)]
        if not nonzero or any(out):
            return out


# --- polynomial activations
def _refute_polynomial(net: Network, layer: int | None, seed: int) -> Counterexample | None:
    if all(b is None or b <= 1 for b in degree_bounds(net)[-1]):
        return None
    rng = random.Random(seed)
    for attempt in range(12):
        spread = 2 + attempt // 3
        values = random_values(net, rng, spread)
        a = _ints(rng, net.p, spread)
        d = _ints(rng, net.p, spread, nonzero=True)
        for g in line_outputs(net, values, a, d):
            if g and g.degree() >= 2:
                for s1, s2 in ((-1, 1), (0, 1), (0, 2), (-1, 2), (1, 3), (-2, 1), (0, 3)):
                    u = [ai + s1 * di for ai, di in zip(a, d)]
                    v = [ai + s2 * di for ai, di in zip(a, d)]
                    cx = _build(net, values, u, v, layer)
                    if cx is not None:
                        return cx
    if all(deg is None or deg <= 1 for deg in expanded_degrees(net)):
        return None
    raise UndecidedError("the expanded output has degree >= 2 but no witness line was found; try another seed")


# --- piecewise-linear activations
def _numeric_layers(net: Network, values: Mapping[sympy.Symbol, Any]) -> list[tuple[Any, Any, tuple[Any, ...]]]:
    """Each layer as (weights, biases, activation pieces) in Fractions, with ``values`` substituted."""

    def frac(r: Any) -> Fraction:
        return Fraction(int(r.p), int(r.q))

    layers = []
    for layer in net.layers:
        w = _exact(layer.weights.xreplace(values))
        b = _exact(layer.biases.xreplace(values))
        pieces = checker.pl_pieces(_exact(layer.activation.expr.xreplace(values)), layer.activation.variable)
        if pieces is None:  # pragma: no cover - callers classify first
            raise UndecidedError(f"activation {layer.activation.label()} is not piecewise affine")
        if pieces[0] == _AFFINE:
            act = (_AFFINE, frac(pieces[1]), frac(pieces[2]))
        else:
            act = (_KINK, frac(pieces[1]), tuple(map(frac, pieces[2])), tuple(map(frac, pieces[3])))
        wf = [[frac(w[k, j]) for j in range(layer.fan_in)] for k in range(layer.width)]
        layers.append((wf, [frac(b[k]) for k in range(layer.width)], act))
    return layers


def line_pieces(layers: list[Any], a: list[Fraction], d: list[Fraction]) -> list[tuple[Any, Any, list[tuple[Fraction, Fraction]]]]:
    """The network along ``a + s*d``: consecutive intervals (lo, hi) of s with each output's (slope, intercept)."""
    pieces = [(None, None, [(dj, aj) for aj, dj in zip(a, d)])]
    for wf, bf, act in layers:
        out = []
        for lo, hi, forms in pieces:
            z = []
            for k in range(len(wf)):
                alpha = sum((wf[k][j] * forms[j][0] for j in range(len(forms))), Fraction(0))
                beta = bf[k] + sum((wf[k][j] * forms[j][1] for j in range(len(forms))), Fraction(0))
                z.append((alpha, beta))
            if act[0] == _AFFINE:
                m, c = act[1], act[2]
                out.append((lo, hi, [(m * al, m * be + c) for al, be in z]))
                continue
            t0, low, high = act[1], act[2], act[3]
            cuts = sorted(
                {(t0 - be) / al for al, be in z if al != 0}
                - {lo, hi},
            )
            cuts = [c for c in cuts if (lo is None or c > lo) and (hi is None or c < hi)]
            ends = [lo, *cuts, hi]
            for s_lo, s_hi in zip(ends, ends[1:]):
                if s_lo is None and s_hi is None:
                    rep = Fraction(0)
                elif s_lo is None:
                    rep = s_hi - 1
                elif s_hi is None:
                    rep = s_lo + 1
                else:
                    rep = (s_lo + s_hi) / 2
                forms2 = []
                for al, be in z:
                    m, c = high if al * rep + be >= t0 else low
                    forms2.append((m * al, m * be + c))
                out.append((s_lo, s_hi, forms2))
        pieces = out
    return pieces


def _kink_points(pieces: list[Any], a: list[Fraction], d: list[Fraction]) -> list[tuple[list[Fraction], list[Fraction]]]:
    """Pairs (u, v) straddling each kink where some output's slope changes."""
    found = []
    for (lo1, hi1, f1), (lo2, hi2, f2) in zip(pieces, pieces[1:]):
        if all(x[0] == y[0] for x, y in zip(f1, f2)):
            continue
        s0 = hi1
        gaps = [g for g in ((s0 - lo1) if lo1 is not None else None, (hi2 - s0) if hi2 is not None else None) if g is not None]
        eps = min(gaps) / 2 if gaps else Fraction(1)
        eps = min(eps, Fraction(1))
        u = [ai + (s0 - eps) * di for ai, di in zip(a, d)]
        v = [ai + (s0 + eps) * di for ai, di in zip(a, d)]
        found.append((u, v))
    return found


def _refute_piecewise(net: Network, layer: int | None, seed: int) -> Counterexample | None:
    rng = random.Random(seed)
    symbolic = bool(net.parameters)
    for attempt in range(16):
        spread = 2 + attempt // 4
        values = random_values(net, rng, spread) if symbolic else {}
        layers = _numeric_layers(net, values)
        a = [Fraction(int(c)) for c in _ints(rng, net.p, spread)]
        d = [Fraction(int(c)) for c in _ints(rng, net.p, spread, nonzero=True)]
        for u, v in _kink_points(line_pieces(layers, a, d), a, d):
            cx = _build(net, values, u, v, layer)
            if cx is not None:
                return cx
    if symbolic:
        raise UndecidedError(
            "no exact counterexample was found for random rational weights and the network is not affine "
            "by its structure; symnet cannot decide this symbolic piecewise-linear network"
        )
    from .regions import regions  # regions imports nothing from here; deferred to keep refute light

    regs = regions(net)
    if regs.is_affine:
        return None
    layers = _numeric_layers(net, {})
    items = list(regs)
    for i, r1 in enumerate(items):
        for r2 in items[i + 1 :]:
            if r1.matrix == r2.matrix and r1.offset == r2.offset:
                continue
            a = [Fraction(int(c.p), int(c.q)) for c in r1.interior_point]
            b = [Fraction(int(c.p), int(c.q)) for c in r2.interior_point]
            for j in range(-1, net.p):
                bb = list(b)
                if j >= 0:
                    step = Fraction(1, 2)
                    while step > Fraction(1, 2**40):
                        bb = list(b)
                        bb[j] += step
                        if r2.contains(bb, strict=True):
                            break
                        step /= 2
                d = [y - x for x, y in zip(a, bb)]
                if not any(d):
                    continue
                for u, v in _kink_points(line_pieces(layers, a, d), a, d):
                    cx = _build(net, {}, u, v, layer)
                    if cx is not None:
                        return cx
    raise UndecidedError("the regions differ but no straddling pair was found")  # pragma: no cover


# --- any other activation
def _refute_general(net: Network, layer: int | None, seed: int) -> Counterexample | None:
    rng = random.Random(seed)
    for attempt in range(40):
        spread = 2 + attempt // 10
        values = random_values(net, rng, spread)
        den = (1, 2, 10, 1000)[attempt % 4]
        u = [sympy.Rational(rng.randint(-3 * den, 3 * den), den) for _ in range(net.p)]
        v = [sympy.Rational(rng.randint(-3 * den, 3 * den), den) for _ in range(net.p)]
        if u == v:
            continue
        m = [(x + y) / 2 for x, y in zip(u, v)]
        try:
            iv = [checker.interval_outputs(net, values, pt, 96) for pt in (u, v, m)]
        except checker._NoBound:
            continue
        for k in range(net.q):
            (ul, uh), (vl, vh), (ml, mh) = iv[0][k], iv[1][k], iv[2][k]
            lo, hi = ml - (uh + vh) / 2, mh - (ul + vl) / 2
            if lo > 0 or hi < 0:
                cx = _build(net, values, u, v, layer)
                if cx is not None:
                    return cx
                break
    if net.size() <= 400:
        exprs = [sympy.expand(_exact(e)) for e in net.output]
        if all(e.is_polynomial(*net.inputs) and sympy.Poly(e, *net.inputs).total_degree() <= 1 for e in exprs):
            return None
    raise UndecidedError(
        "no exact counterexample was found at random rational points and symnet cannot prove the network "
        "affine; its activations may cancel"
    )


#: refute refuses networks with more hidden units than this.
MAX_UNITS = 2000
#: ... and networks whose polynomial activations' degrees multiply past this.
MAX_REFUTE_DEGREE = 256


def refute(net: Network, *, seed: int = 0) -> Counterexample | None:
    """An exact counterexample to "the output is affine in x", or None when it is affine.

    ``None`` is returned only when linearity is proved (by the network's
    structure, by exact expansion, or by exact linear regions).  Raises
    :class:`UndecidedError` when neither can be established, InvalidType
    for a non-network and SizeGuardError for networks beyond the guards.
    The search is deterministic for a given ``seed``.
    """
    if not isinstance(net, Network):
        raise InvalidType(f"net must be a symnet.Network, got {type(net).__name__}")
    units = sum(net.hidden)
    if units > MAX_UNITS:
        raise SizeGuardError(
            f"net has {units} hidden units, more than refute's guard of {MAX_UNITS}", estimate=units, limit=MAX_UNITS
        )
    degree_product = 1
    for act in net.activations:
        if not act.is_identity and act.expr.is_polynomial(act.variable):
            degree_product *= max(gate_activation(act, (), "the activation").degree, 1)
    if degree_product > MAX_REFUTE_DEGREE:
        raise SizeGuardError(
            f"the activations' degrees multiply to {degree_product}, above refute's guard of {MAX_REFUTE_DEGREE} "
            "(exact values along a line would have that degree)",
            estimate=degree_product,
            limit=MAX_REFUTE_DEGREE,
        )
    affine, layer = _structure(net)
    if affine:
        return None
    bad = non_polynomial_entry(net)
    if bad is not None:
        raise UndecidedError(f"refute reads exact rational arithmetic, but {bad}")
    kinds = {_kind(_exact(act.expr), act.variable) for act in net.activations}
    if kinds <= {_AFFINE, _POLY}:
        return _refute_polynomial(net, layer, seed)
    if kinds <= {_AFFINE, _KINK}:
        return _refute_piecewise(net, layer, seed)
    return _refute_general(net, layer, seed)
