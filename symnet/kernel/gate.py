"""The well-formedness gate: what every checker reads before it applies any rule.

Every checker in :mod:`symnet.kernel` passes its document through this module
first.  The gate reads each expression into the kernel's own exact
representation -- a polynomial over QQ in the document's *declared*
generators (python-flint ``fmpq_mpoly``) -- or, for an activation, either
such a polynomial in its bound variable or a closed formula over a fixed list
of functions; anything else is refused with :class:`IllFormed` (a
:class:`~symnet.CertificateError`).  The rules:

* **numbers are what they are**: a Float is its exact binary value, converted
  before anything else sees it (sympy's ``Poly`` would round a Float of more
  than 53 bits); NaN, infinities, ``zoo`` and the imaginary unit are refused;
* **symbols are declared**: inputs occur only as inputs (never in a weight,
  a claim or an activation), every other symbol is a parameter of the
  network, and every symbol is commutative;
* **activations are confined**: the body depends only on its bound variable
  (replaced here by a fresh :class:`sympy.Dummy`, so no fixed name can
  collide with a parameter) and on the network's parameters; a polynomial
  body has degree at most :data:`MAX_ACTIVATION_DEGREE`; a non-polynomial
  body uses only :data:`FUNCTIONS`, rationals and the bound variable; a
  registered ``name`` must be the name of exactly that formula;
* **work is bounded**: before any expression is expanded, a cost model over
  its DAG (:mod:`symnet.cost`: degree, term count and the bit size of
  numbers through add, mul and pow) must stay below :data:`MAX_DEGREE`,
  :data:`MAX_TERMS`, :data:`MAX_BITS` and :data:`MAX_SIZE`, and so must the
  bit size of the numbers the layers' products may build; the estimate is in
  the error.

Nothing here calls ``sympy.Poly``, ``expand``, ``simplify`` or ``sympify``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import chain
from operator import attrgetter
from typing import Any

import flint
import sympy

from ..cost import CAP, FUNCTION_BITS, MAX_BITS, estimate_cost, number_bits, postorder, show
from ..errors import CertificateError
from ..model.activations import NAMED_ACTIVATIONS, Activation
from ..model.network import Network

__all__ = [
    "FUNCTIONS",
    "MAX_ACTIVATION_DEGREE",
    "MAX_BITS",
    "MAX_DEGREE",
    "MAX_SIZE",
    "MAX_TERMS",
    "ActivationForm",
    "Exact",
    "IllFormed",
    "NetworkForm",
    "estimate",
    "exact",
    "gate_network",
]

#: Largest estimated total degree of any one expression the kernel expands.
MAX_DEGREE = 4096
#: Largest estimated number of terms of any one expression (or of one product's work).
MAX_TERMS = 2_000_000
#: Largest estimated size of an expansion in bits (terms times the bits of a number).
MAX_SIZE = 2**31
#: Largest degree of a polynomial activation in its variable.
MAX_ACTIVATION_DEGREE = 64
#: Functions a non-polynomial activation may use (besides +, *, integer powers).
FUNCTIONS: tuple[type, ...] = (
    sympy.Max,
    sympy.Min,
    sympy.Abs,
    sympy.exp,
    sympy.log,
    sympy.tanh,
    sympy.sinh,
    sympy.cosh,
    sympy.sin,
    sympy.cos,
)
_COMMUTATIVE = attrgetter("is_commutative")


class IllFormed(CertificateError):
    """A document (or a Python-built certificate) breaks a well-formedness rule of the gate."""

    def __init__(self, message: str) -> None:
        super().__init__(f"ill-formed: {message}")


def _float_value(f: sympy.Float, where: str) -> sympy.Rational:
    sign, man, exp, bc = f._mpf_
    if not man and (exp or bc):  # mpmath's special values: nan, +inf, -inf
        raise IllFormed(f"{where}: {f} is not a finite number")
    m = -int(man) if sign else int(man)
    if exp >= 0:
        return sympy.Integer(m << int(exp))
    return sympy.Rational(m, 1 << -int(exp))


def _refuse_atom(e: sympy.Basic, where: str) -> None:
    if e in (sympy.S.NaN, sympy.S.ComplexInfinity, sympy.S.Infinity, sympy.S.NegativeInfinity):
        raise IllFormed(f"{where}: {e} is not a finite number")
    if e is sympy.S.ImaginaryUnit:
        raise IllFormed(f"{where}: {e} is not a real number")


def _plain_symbols(e: sympy.Basic) -> set[sympy.Symbol] | None:
    """The symbols of a sum of monomials (rationals times commutative symbols), or None for anything else."""
    out: set[sympy.Symbol] = set()
    for term in e.args if e.is_Add else (e,):
        for a in term.args if term.is_Mul else (term,):
            if a.is_Symbol:
                if not a.is_commutative:
                    return None
                out.add(a)
            elif not a.is_Rational:
                return None
    return out


def exact(e: Any, where: str = "expression") -> sympy.Expr:
    """``e`` validated, with every Float replaced by its exact binary value.

    Refuses non-expressions, NaN and infinities, non-commutative symbols and
    any head other than +, *, powers, E, pi and :data:`FUNCTIONS`.
    """
    if not isinstance(e, sympy.Expr) or isinstance(e, sympy.MatrixBase):
        raise IllFormed(f"{where}: {e!r} is not a scalar expression")
    if e.is_Symbol:
        if not e.is_commutative:
            raise IllFormed(f"{where}: the symbol {e} is not commutative")
        return e
    if e.is_Rational:
        return e
    if e.is_Float:
        return _float_value(e, where)
    if _plain_symbols(e) is not None:
        return e
    out: dict[int, sympy.Basic] = {}
    for node in postorder(e):
        if node.is_Symbol:
            if not node.is_commutative:
                raise IllFormed(f"{where}: the symbol {node} is not commutative")
            out[id(node)] = node
        elif node.is_Rational:
            out[id(node)] = node
        elif node.is_Float:
            out[id(node)] = _float_value(node, where)
        elif node is sympy.E or node is sympy.pi:
            out[id(node)] = node
        elif node.is_Add or node.is_Mul or node.is_Pow or isinstance(node, FUNCTIONS):
            args = [out[id(a)] for a in node.args]
            if isinstance(node, FUNCTIONS) and any(a.is_Number and sum(number_bits(a)) > FUNCTION_BITS for a in args):
                raise IllFormed(f"{where}: {type(node).__name__} of a number of more than {FUNCTION_BITS} bits")
            changed = any(a is not b for a, b in zip(args, node.args, strict=True))
            out[id(node)] = node.func(*args) if changed else node
        else:
            _refuse_atom(node, where)
            raise IllFormed(f"{where}: {type(node).__name__} ({show(node, 60)}) is not allowed in a symnet document")
        _refuse_atom(out[id(node)], where)
        if not out[id(node)].is_commutative:
            raise IllFormed(f"{where}: {show(node, 60)} is not commutative")
    return out[id(e)]


def is_radical(e: sympy.Basic) -> bool:
    """True for a real radical constant ``r**(m/n)`` (r > 0 rational, m/n not an integer), e.g. ``sqrt(21)``."""
    return bool(e.is_Pow and e.base.is_Rational and e.base.is_positive and e.exp.is_Rational and not e.exp.is_Integer)


def radicals(e: sympy.Basic) -> list[sympy.Basic]:
    """The radical constants of ``e`` (see :func:`is_radical`), in order of first appearance."""
    return list(dict.fromkeys(n for n in postorder(e) if is_radical(n)))


def estimate(e: sympy.Expr, atoms: frozenset[sympy.Basic] = frozenset()) -> tuple[int, int, bool]:
    """(degree, terms, polynomial) estimated over the DAG of an exact expression, before any expansion.

    ``degree`` bounds the total degree, ``terms`` the number of terms of the
    expansion (and the work of each product along the way); both saturate at
    10**15.  ``polynomial`` is False when a node is not a polynomial operation
    (a function, a negative or fractional power) and not one of ``atoms``
    (radical constants that the caller reads as generators of their own).
    The bit size of the numbers is in :func:`symnet.cost.estimate_cost`.
    """
    c = estimate_cost(e, atoms)
    return c.degree, c.terms, c.polynomial


def guard(
    e: sympy.Expr,
    where: str,
    *,
    max_degree: int = MAX_DEGREE,
    max_terms: int = MAX_TERMS,
    atoms: frozenset[sympy.Basic] = frozenset(),
) -> tuple[int, int, bool]:
    """The estimate of ``e``; IllFormed (with the estimate) above the limits of degree, terms and bit size."""
    c = estimate_cost(e, atoms)
    d, t, bits = c.degree, c.terms, c.bits
    if d > max_degree or t > max_terms or bits > MAX_BITS or t * bits > MAX_SIZE:
        raise IllFormed(
            f"{where}: expanding it needs an estimated degree {d}, {t} terms and numbers of {bits} bits, above the "
            f"kernel's limits (degree {max_degree}, {max_terms} terms, {MAX_BITS} bits a number, "
            f"{MAX_SIZE} bits in all)"
        )
    return d, t, c.polynomial


# ---------------------------------------------------------- exact polynomials
def balanced_sum(parts: list[Any], zero: Any) -> Any:
    """The sum of polynomials, added in pairs (a left-to-right sum copies the growing total each time: quadratic)."""
    while len(parts) > 1:
        pairs = [parts[i] + parts[i + 1] for i in range(0, len(parts) - 1, 2)]
        parts = pairs + parts[-1:] if len(parts) % 2 else pairs
    return parts[0] if parts else zero


class Exact:
    """Polynomials over QQ (python-flint ``fmpq_mpoly``) in a fixed list of declared generators.

    :meth:`poly` reads an (already :func:`exact`) sympy expression; a symbol
    that is not a generator, or a non-polynomial node, is refused.  A
    generator may also be a radical constant (``sqrt(21)``, from an exactly
    folded batch norm): it is read as a variable of its own, so an identity
    the ring proves holds for every value of it, its real value included
    (sound; an identity that needs ``sqrt(3)**2 = 3`` is not found, which only
    rejects).
    """

    def __init__(self, gens: Sequence[sympy.Basic]) -> None:
        self.gens = list(gens)
        self.index = {g: i for i, g in enumerate(self.gens)}
        self.atoms = frozenset(g for g in self.gens if not g.is_Symbol)
        self.ctx = flint.fmpq_mpoly_ctx.get(("g", max(len(self.gens), 1)), "lex")
        self.gen_polys = list(self.ctx.gens())[: len(self.gens)]
        self.zero = self.ctx.constant(0)
        self.one = self.ctx.constant(1)
        self.memo: dict[int, tuple[sympy.Basic, Any]] = {}

    def constant(self, r: sympy.Rational) -> Any:
        return self.ctx.constant(flint.fmpq(int(r.p), int(r.q)))

    def _generator(self, s: sympy.Basic, where: str) -> Any:
        """The generator of the symbol ``s``; IllFormed if it is not declared."""
        i = self.index.get(s)
        if i is None:
            raise IllFormed(f"{where}: the symbol {s} is not declared here (an input or a parameter of the network)")
        return self.gen_polys[i]

    def poly(self, e: sympy.Expr, where: str) -> Any:
        """``e`` as an fmpq_mpoly; IllFormed if it is not a polynomial in the generators or too big."""
        if e.is_Symbol:
            return self._generator(e, where)
        if e.is_Rational:
            return self.constant(e)
        hit = self.memo.get(id(e))
        if hit is not None:
            return hit[1]
        fast = self._monomial_sum(e, where)
        if fast is not None:
            self.memo[id(e)] = (e, fast)
            return fast
        _, _, polynomial = guard(e, where, atoms=self.atoms)
        if not polynomial:
            raise IllFormed(f"{where}: {show(e, 80)} is not a polynomial with rational coefficients")
        values: dict[int, Any] = {}
        for node in postorder(e):
            key = id(node)
            if key in self.memo:
                values[key] = self.memo[key][1]
                continue
            if node.is_Symbol:
                v = self._generator(node, where)
            elif node.is_Rational:
                v = self.constant(node)
            elif node.is_Float:
                v = self.constant(_float_value(node, where))
            elif node.is_Add:
                v = balanced_sum([values[id(a)] for a in node.args], self.zero)
            elif node.is_Mul:
                v = self.one
                for a in node.args:
                    v = v * values[id(a)]
            elif node in self.atoms:
                v = self.gen_polys[self.index[node]]
            elif node.is_Pow and node.exp.is_Integer and node.exp >= 0:
                v = values[id(node.base)] ** int(node.exp)
            else:
                raise IllFormed(f"{where}: {show(node, 80)} is not a polynomial with rational coefficients")
            values[key] = v
            self.memo[key] = (node, v)  # keep node alive so its id stays unique
        return values[id(e)]

    def _monomial(self, e: sympy.Basic, where: str) -> Any:
        if e.is_Symbol:
            return self._generator(e, where)
        if e.is_Rational:
            return self.constant(e)
        if e.is_Mul and len(e.args) <= 64:
            v = None
            for a in e.args:
                if a.is_Symbol:
                    f = self._generator(a, where)
                elif a.is_Rational:
                    f = self.constant(a)
                else:
                    return None
                v = f if v is None else v * f
            return v
        return None

    def _monomial_sum(self, e: sympy.Basic, where: str) -> Any:
        """Fast path: a monomial, or a sum of monomials (rationals times distinct symbols), summed pairwise."""
        if not e.is_Add:
            return self._monomial(e, where)
        if len(e.args) > MAX_TERMS:
            return None
        parts = []
        for a in e.args:
            m = self._monomial(a, where)
            if m is None:
                return None
            parts.append(m)
        return balanced_sum(parts, self.zero)

    def show(self, poly: Any) -> sympy.Expr:
        """An fmpq_mpoly as a sympy expression in the generators (for messages)."""
        terms = []
        for monom, c in poly.terms():
            factor = sympy.Rational(int(c.p), int(c.q))
            for g, k in zip(self.gens, monom[: len(self.gens)], strict=True):
                if k:
                    factor *= g**k
            terms.append(factor)
        return sympy.Add(*terms)

    def x_degree(self, poly: Any, p: int) -> int:
        """Total degree of ``poly`` in the first ``p`` generators."""
        return max((sum(m[:p]) for m in poly.monoms()), default=0)

    def x_affine(self, poly: Any, p: int) -> bool:
        """True when ``poly`` has degree at most 1 in the first ``p`` generators.

        Exactly when every first derivative in an x_j is free of x (python-flint's
        derivative and degrees, no iteration over the terms).
        """
        degrees = poly.degrees()
        if all(d <= 0 for d in degrees[:p]):
            return True
        for j in range(p):
            if degrees[j] > 1:
                return False
            if degrees[j] == 1 and any(d > 0 for d in poly.derivative(j).degrees()[:p]):
                return False
        return True


# --------------------------------------------------------------- activations
@dataclass(frozen=True)
class ActivationForm:
    """An activation after the gate: its body in a fresh Dummy, and its kind.

    ``coeffs`` (polynomial activations) are the exact coefficients c_0..c_d
    of the body in the variable, each a sympy expression in the parameters;
    ``degree`` is d (-1 for the zero polynomial).  Non-polynomial bodies have
    ``coeffs`` None and use no parameter.
    """

    name: str | None
    variable: sympy.Dummy
    body: sympy.Expr
    coeffs: tuple[sympy.Expr, ...] | None
    degree: int

    @property
    def is_polynomial(self) -> bool:
        return self.coeffs is not None

    @property
    def is_affine(self) -> bool:
        return self.coeffs is not None and self.degree <= 1

    @property
    def is_identity(self) -> bool:
        return bool(self.body == self.variable)

    def slope_intercept(self) -> tuple[sympy.Expr, sympy.Expr]:
        assert self.coeffs is not None and self.degree <= 1
        c = list(self.coeffs) + [sympy.Integer(0)] * 2
        return c[1], c[0]


def _coefficients(
    body: sympy.Expr, var: sympy.Dummy, params: Sequence[sympy.Symbol], where: str
) -> tuple[tuple[sympy.Expr, ...], int] | None:
    """Coefficients in ``var`` of a polynomial body, or None when it is not a polynomial."""
    d, _, polynomial = guard(body, where, max_degree=MAX_DEGREE)
    if not polynomial:
        return None
    ring = Exact([var, *params])
    poly = ring.poly(body, where)
    degree = poly.degrees()[0] if not poly.is_zero() else -1
    if degree > MAX_ACTIVATION_DEGREE:
        raise IllFormed(
            f"{where}: the activation has degree {degree} in its variable, "
            f"above the kernel's limit {MAX_ACTIVATION_DEGREE}"
        )
    buckets: list[list[sympy.Expr]] = [[] for _ in range(max(degree, 0) + 1)]
    for monom, c in poly.terms():
        factor: sympy.Expr = sympy.Rational(int(c.p), int(c.q))
        for g, k in zip(params, monom[1:], strict=True):
            if k:
                factor = factor * g**k
        buckets[monom[0]].append(factor)
    return tuple(sympy.Add(*b) for b in buckets), degree


def gate_activation(act: Activation, inputs: Iterable[sympy.Symbol], where: str) -> ActivationForm:
    """An activation through the gate (see the module docstring)."""
    if (
        not isinstance(act, Activation)
        or not isinstance(act.function, sympy.Lambda)
        or len(act.function.variables) != 1
    ):
        raise IllFormed(f"{where}: not a one-variable activation")
    var = act.variable
    if not isinstance(var, sympy.Symbol) or not var.is_commutative:
        raise IllFormed(f"{where}: the bound variable {var} is not a commutative symbol")
    fresh = sympy.Dummy("t")
    body = exact(act.expr, where).xreplace({var: fresh})
    free = body.free_symbols - {fresh}
    foreign = free & set(inputs)
    if foreign:
        raise IllFormed(f"{where}: the activation mentions the input(s) {', '.join(sorted(s.name for s in foreign))}")
    params = sorted(free, key=lambda s: s.name)
    found = _coefficients(body, fresh, params, where)
    if found is None:
        if params:
            raise IllFormed(
                f"{where}: a non-polynomial activation may not use symbols besides its variable "
                f"(found {', '.join(s.name for s in params)})"
            )
        coeffs, degree = None, 0
    else:
        coeffs, degree = found
    name = act.name
    if name is not None:
        if not isinstance(name, str) or name not in NAMED_ACTIVATIONS or name == "linear":
            raise IllFormed(f"{where}: {name!r} is not the name of a registered activation")
        named = NAMED_ACTIVATIONS[name]
        expected = exact(named).xreplace({next(iter(named.free_symbols)): fresh})
        if body != expected:
            raise IllFormed(
                f"{where}: the activation is named {name!r}, but its formula {act.function} is not {name}'s"
            )
    return ActivationForm(name, fresh, body, coeffs, degree)


# ------------------------------------------------------------------- network
@dataclass
class NetworkForm:
    """A network after the gate: exact entries, gated activations, declared generators."""

    network: Network
    inputs: tuple[sympy.Symbol, ...]
    chunks: list[list[sympy.Symbol]]  # every parameter symbol, in order of appearance (with repeats)
    weights: list[list[list[sympy.Expr]]]  # validated entries; a float stays a Float (see exact_weights)
    biases: list[list[sympy.Expr]]
    activations: list[ActivationForm]
    radicals: tuple[sympy.Basic, ...] = ()  # radical constants in the entries, read as generators of their own

    @cached_property
    def parameters(self) -> tuple[sympy.Symbol, ...]:
        """Every symbol besides the inputs (weights, biases, activation parameters), in order of appearance."""
        params = tuple(dict.fromkeys(chain.from_iterable(self.chunks)))
        names = {s.name for s in params}
        if len(names) != len(params) or names & {s.name for s in self.inputs}:
            raise IllFormed("two different symbols share a name")
        return params

    def exact_weights(self, layer: int) -> list[list[sympy.Expr]]:
        """Layer ``layer``'s weights (0-based) with every float read as its exact binary value."""
        return [[_float_value(w, "a weight") if w.is_Float else w for w in row] for row in self.weights[layer]]

    def exact_biases(self, layer: int) -> list[sympy.Expr]:
        """Layer ``layer``'s biases (0-based), floats read exactly."""
        return [_float_value(b, "a bias") if b.is_Float else b for b in self.biases[layer]]

    def ring(self, *, with_inputs: bool = True) -> Exact:
        """The exact polynomial ring: the inputs first (when asked), then the parameters."""
        return Exact((list(self.inputs) if with_inputs else []) + list(self.parameters) + list(self.radicals))


def gate_network(net: Any, *, radicals: bool = False) -> NetworkForm:
    """Read a network through the gate; IllFormed naming the entry on any defect.

    ``radicals=True`` lets weights hold radical constants (see :func:`is_radical`),
    read as generators of their own.  That is sound only for checkers that
    establish *identities* (a ring identity holds for every value of the
    generator, its real value included), so only the linear certificate's
    checker asks for it; a checker that establishes that something is *not*
    zero (a degree, a counterexample) reads such a network as ill-formed.
    """
    if not isinstance(net, Network):
        raise IllFormed(f"expected a Network, got {type(net).__name__}")
    inputs = tuple(net.inputs)
    if not inputs or len({getattr(s, "name", None) for s in inputs}) != len(inputs):
        raise IllFormed("the inputs must be distinct symbols with distinct names")
    for j, s in enumerate(inputs):
        if not isinstance(s, sympy.Symbol) or not s.is_commutative:
            raise IllFormed(f"input {j} ({s}) is not a commutative symbol")
    input_set = set(inputs)
    weights: list[list[list[sympy.Expr]]] = []
    biases: list[list[sympy.Expr]] = []
    acts: list[ActivationForm] = []
    params: dict[sympy.Symbol, None] = {}  # symbols of the entries that are not plain symbols, per layer
    roots: dict[sympy.Basic, None] = {}  # radical constants of the entries
    chunks: list[list[sympy.Symbol]] = []
    previous = len(inputs)
    bits = 0
    for l, layer in enumerate(net.layers, start=1):
        W, b = layer.weights, layer.biases
        if (
            not isinstance(W, sympy.MatrixBase)
            or not isinstance(b, sympy.MatrixBase)
            or W.cols != previous
            or b.shape != (W.rows, 1)
        ):
            raise IllFormed(f"layer {l}: the weights and biases do not fit the previous layer")
        previous = W.rows
        flat, cols = W.flat(), W.cols
        for entries in (flat, b.flat()):
            # plain symbols (the common symbolic case) are checked in C-level passes; everything else entry by entry
            plain = [e for e in entries if type(e) is sympy.Symbol]
            if not input_set.isdisjoint(plain):
                bad = sorted(s.name for s in set(plain) & input_set)
                raise IllFormed(f"layer {l}: the input(s) {', '.join(bad)} occur inside a weight or bias")
            if not all(map(_COMMUTATIVE, plain)):
                raise IllFormed(f"layer {l}: a weight symbol is not commutative")
            chunks.append(plain)
        checked = [
            e
            if type(e) is sympy.Symbol
            else _entry(e, f"layer {l} weight ({n // cols + 1}, {n % cols + 1})", input_set, params, roots, radicals)
            for n, e in enumerate(flat)
        ]
        weights.append([checked[k * cols : (k + 1) * cols] for k in range(W.rows)])
        biases.append(
            [
                v
                if type(v) is sympy.Symbol
                else _entry(v, f"layer {l} bias {k + 1}", input_set, params, roots, radicals)
                for k, v in enumerate(b.flat())
            ]
        )
        form = gate_activation(layer.activation, inputs, f"layer {l}'s activation")
        bits = _layer_bits(bits, checked, biases[-1], cols, form, l)
        if l == len(net.layers) and not form.is_identity:
            raise IllFormed("the output layer's activation must be the identity")
        chunks.append(list(params))
        params.clear()
        chunks.append(sorted(form.body.free_symbols - {form.variable}, key=lambda s: s.name))
        acts.append(form)
    return NetworkForm(net, inputs, chunks, weights, biases, acts, tuple(roots))


def _entry_bits(e: sympy.Basic) -> int:
    kind = type(e)
    if kind is sympy.Symbol:
        return 1
    if kind is sympy.Float:  # the common numeric entry: mantissa bits plus the exponent's size
        _, _, exp, bc = e._mpf_
        return int(bc) + abs(int(exp))
    if e.is_Number:
        return sum(number_bits(e))
    return estimate_cost(e).bits


def _layer_bits(
    before: int, weights: list[sympy.Expr], biases: list[sympy.Expr], cols: int, act: ActivationForm, l: int
) -> int:
    """Bits of the numbers the layers up to ``l`` may build when composed; IllFormed above MAX_BITS."""
    entry = max(map(_entry_bits, chain(weights, biases)), default=1)
    bits = min(before + entry + (cols + 1).bit_length(), CAP)
    if act.coeffs is not None and act.degree > 1:
        coeff = max((estimate_cost(c).bits for c in act.coeffs), default=1)
        bits = min(act.degree * (bits + coeff + (act.degree + 1).bit_length()), CAP)
    if bits > MAX_BITS:
        raise IllFormed(
            f"layer {l}: the network's numbers may reach an estimated {bits} bits through its layers, "
            f"above the kernel's limit of {MAX_BITS} bits a number"
        )
    return bits


def _entry(
    e: Any,
    where: str,
    inputs: set[sympy.Symbol],
    params: dict[sympy.Symbol, None],
    roots: dict[sympy.Basic, None],
    allow_radicals: bool,
) -> sympy.Expr:
    if isinstance(e, sympy.Symbol):
        if not e.is_commutative:
            raise IllFormed(f"{where}: the symbol {e} is not commutative")
        if e in inputs:
            raise IllFormed(f"{where}: the input {e} occurs inside a weight")
        params.setdefault(e, None)
        return e
    if isinstance(e, sympy.Rational):
        return e
    if isinstance(e, sympy.Float):  # kept as the same object (structural comparisons stay cheap); read exactly on use
        _, man, exp, bc = e._mpf_
        if not man and (exp or bc):
            raise IllFormed(f"{where}: {e} is not a finite number")
        return e
    v = exact(e, where)
    found = radicals(v) if allow_radicals else []
    _, _, polynomial = guard(v, where, atoms=frozenset(found))
    if not polynomial:
        raise IllFormed(f"{where}: {show(v, 80)} is not a polynomial with rational coefficients in the parameters")
    roots.update(dict.fromkeys(found))
    for s in sorted(v.free_symbols, key=lambda s: s.name):
        if s in inputs:
            raise IllFormed(f"{where}: the input {s} occurs inside a weight")
        params.setdefault(s, None)
    return v


def gate_claim_entry(e: Any, where: str, net: NetworkForm) -> sympy.Expr:
    """A claimed coefficient: exact, and a polynomial in the network's parameters only (never in x)."""
    plain = _plain_symbols(e) if isinstance(e, sympy.Expr) and not isinstance(e, sympy.MatrixBase) else None
    if plain is not None:
        v, free = e, plain
    else:
        v = exact(e, where)
        guard(v, where)
        free = v.free_symbols
    bad = free & set(net.inputs)
    if bad:
        raise IllFormed(
            f"{where}: the claimed coefficient contains the input(s) {', '.join(sorted(s.name for s in bad))}"
        )
    extra = free - set(net.parameters)
    if extra:
        raise IllFormed(
            f"{where}: the claimed coefficient uses {', '.join(sorted(s.name for s in extra))}, "
            "not a parameter of the network"
        )
    return v
