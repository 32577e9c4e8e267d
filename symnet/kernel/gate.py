"""The well-formedness gate: what every checker reads before it applies any rule.

Every checker in :mod:`symnet.kernel` passes its document through this module
first.  The gate reads each expression into the kernel's own exact
representation -- a polynomial over QQ in the document's *declared*
generators (python-flint ``fmpq_mpoly``, :class:`~symnet.kernel.ring.Exact`) -- or, for an
activation, either such a polynomial in its bound variable or a closed
formula over a fixed list of functions; anything else is refused with
:class:`IllFormed` (a :class:`~symnet.CertificateError`).  The rules:

* **numbers are what they are**: a Float is its exact binary value, converted
  before anything else sees it (sympy's ``Poly`` would round a Float of more
  than 53 bits); NaN, infinities, ``zoo`` and the imaginary unit are refused;
* **symbols are declared**: inputs occur only as inputs (never in a weight,
  a claim or an activation; no plain weight or bias symbol even shares an
  input's name), every other symbol is a parameter of the network, and every
  symbol is commutative;
* **activations are confined**: the body depends only on its bound variable
  (replaced here by a fresh :class:`sympy.Dummy`, so no fixed name can
  collide with a parameter) and on the network's parameters; a polynomial
  body has degree at most :data:`MAX_ACTIVATION_DEGREE`; a non-polynomial
  body uses only :data:`~symnet.kernel.ring.FUNCTIONS`, rationals and the bound variable; a
  registered ``name`` must be the name of exactly that formula;
* **work is bounded**: before any expression is expanded, a cost model over
  its DAG (:mod:`symnet.cost`: degree, term count and the bit size of
  numbers through add, mul and pow) must stay below the limits of
  :mod:`symnet.kernel.ring` (degree, terms, bits a number, bits in all), and so must the
  bit size of the numbers the layers' products may build; the estimate is in
  the error.

The exact layer (numbers, the cost model's limits, :class:`~symnet.kernel.ring.Exact`) is
:mod:`symnet.kernel.ring`; this module applies it to activations, layers and claims.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import chain
from typing import Any

import flint
import sympy
from sympy.polys.matrices.sdm import SDM

from ..cost import CAP, MAX_BITS, estimate_cost, number_bits, show
from ..errors import IllFormed, SymnetError
from ..model.core import NAMED_ACTIVATIONS, Activation, check_structure
from ..model.core import NetworkData as Network
from ..model.symbols import flat_entries, generated_heads
from ..numbers import fast_rational
from .ring import Exact, exact, guard, monomials, radicals

__all__ = [
    "MAX_ACTIVATION_DEGREE",
    "ActivationForm",
    "IllFormed",
    "NetworkForm",
    "gate_activation",
    "gate_claim_entry",
    "gate_network",
    "matrix_entries",
    "numeric_matrix",
]

#: Largest degree of a polynomial activation in its variable.
MAX_ACTIVATION_DEGREE = 64
#: Largest sparse layer (rows x columns) the gate reads entry by entry: a sparse section states few entries of a
#: large matrix, so only the exact numeric route (kernel.qq, which never densifies a layer) checks larger ones.
MAX_SPARSE_READ = 1_000_000
_SYMBOL = {sympy.Symbol}
_NAME = operator.attrgetter("name")
_COMMUTATIVE = operator.attrgetter("is_commutative")


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
) -> tuple[tuple[sympy.Expr, ...] | None, int]:
    """Coefficients in ``var`` of a polynomial body and its degree, or (None, 0) when it is not a polynomial."""
    if not guard(body, where):  # not a polynomial (refused above the limits either way)
        return None, 0
    ring = Exact([var, *params])
    poly = ring.poly(body, where)
    degree = poly.degrees()[0] if not poly.is_zero() else -1
    if degree > MAX_ACTIVATION_DEGREE:
        raise IllFormed(
            f"{where}: the activation has degree {degree} in its variable, "
            f"above the kernel's limit {MAX_ACTIVATION_DEGREE}"
        )
    buckets: list[dict[tuple[int, ...], Any]] = [{} for _ in range(max(degree, 0) + 1)]
    for monom, c in poly.terms():
        buckets[monom[0]][(0, *monom[1:])] = c
    return tuple(ring.show(ring.ctx.from_dict(b)) for b in buckets), degree


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
    coeffs, degree = _coefficients(body, fresh, params, where)
    if coeffs is None and params:
        raise IllFormed(
            f"{where}: a non-polynomial activation may not use symbols besides its variable "
            f"(found {', '.join(s.name for s in params)})"
        )
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

    inputs: tuple[sympy.Symbol, ...]
    chunks: list[Sequence[sympy.Symbol]]  # every parameter symbol, in order of appearance (with repeats)
    flat_weights: list[Sequence[sympy.Expr]]  # validated entries, row-major (every float read as its exact value)
    biases: list[list[sympy.Expr]]
    activations: list[ActivationForm]
    radicals: tuple[sympy.Basic, ...] = ()  # radical constants in the entries, read as generators of their own
    entry_bits: int = 1  # the largest bit size of an entry (symnet.cost's estimate; a plain symbol counts 1)

    @cached_property
    def weights(self) -> list[list[list[sympy.Expr]]]:
        """Each layer's validated weights as rows (made on first use; the product route reads them flat)."""
        return [self.weight_rows(index) for index in range(len(self.flat_weights))]

    def weight_rows(self, index: int) -> list[list[sympy.Expr]]:
        """Layer ``index``'s (0-based) validated weights as rows."""
        flat, rows = self.flat_weights[index], len(self.biases[index])
        cols = len(self.biases[index - 1]) if index else len(self.inputs)
        return [list(flat[k * cols : (k + 1) * cols]) for k in range(rows)]

    @cached_property
    def parameters(self) -> tuple[sympy.Symbol, ...]:
        """Every symbol besides the inputs (weights, biases, activation parameters), in order of appearance."""
        params = tuple(dict.fromkeys(chain.from_iterable(self.chunks)))
        names = {s.name for s in params}
        if len(names) != len(params) or names & {s.name for s in self.inputs}:
            raise IllFormed("two different symbols share a name")
        return params

    def ring(self) -> Exact:
        """The exact polynomial ring: the inputs, then the parameters and the radical constants."""
        return Exact([*self.inputs, *self.parameters, *self.radicals])


def gate_network(net: Any, *, radicals: bool = False) -> NetworkForm:
    """Read a network through the gate; IllFormed naming the entry on any defect.

    ``radicals=True`` lets weights hold radical constants (``sqrt(21)``),
    read as generators of their own.  That is sound only for checkers that
    establish *identities* (a ring identity holds for every value of the
    generator, its real value included), so only the linear certificate's
    checker asks for it; a checker that establishes that something is *not*
    zero (a degree, a counterexample) reads such a network as ill-formed.
    """
    if not isinstance(net, Network):
        raise IllFormed(f"expected a Network, got {type(net).__name__}")
    try:  # NetworkData checked its structure when it was made, but a checker trusts no constructor
        inputs, layers = check_structure(net.inputs, net.layers)
    except SymnetError as e:
        raise IllFormed(f"the network's structure: {e}") from None
    inputs_, input_names = set(inputs), frozenset(s.name for s in inputs)
    input_heads = frozenset(name[:1] for name in input_names)  # a recorded name starting otherwise is no input's
    weights: list[Sequence[sympy.Expr]] = []
    biases: list[list[sympy.Expr]] = []
    acts: list[ActivationForm] = []
    params: dict[sympy.Symbol, None] = {}  # symbols of the entries that are not plain symbols, per layer
    roots: dict[sympy.Basic, None] = {}  # radical constants of the entries
    chunks: list[Sequence[sympy.Symbol]] = []
    previous = len(inputs)
    bits = widest = 0
    for l, layer in enumerate(layers, start=1):
        W, b = layer.stored_weights, layer.stored_biases  # the matrices read here are the ones checked
        (rows, cols), flat = matrix_entries(W, f"layer {l}")
        shape, column = matrix_entries(b, f"layer {l}")
        if cols != previous or shape != (rows, 1) or len(flat) != rows * cols or len(column) != rows:
            raise IllFormed(f"layer {l}: the weights and biases do not fit the previous layer")
        previous = rows
        read: list[Sequence[sympy.Expr]] = []
        done: dict[int, sympy.Expr] = {}  # an entry object read already in this layer (shared nodes)
        for entries, what, matrix in ((flat, "weight", W), (column, "bias", b)):
            heads = generated_heads(matrix)
            plain = entries if heads is not None and heads.isdisjoint(input_heads) else _plain(entries, input_names, l)
            chunks.append(plain)
            read.append(
                entries  # every entry a plain symbol, checked by _plain
                if len(plain) == len(entries)
                else [
                    e
                    if type(e) is sympy.Symbol
                    else done[id(e)]
                    if id(e) in done
                    else done.setdefault(id(e), _entry(e, _where(l, what, n, cols), inputs_, params, roots, radicals))
                    for n, e in enumerate(entries)
                ]
            )
        checked, column = read
        symbols_only = sum(map(len, chunks[-2:])) == len(flat) + len(column)
        weights.append(checked)
        biases.append(list(column))
        form = gate_activation(layer.activation, inputs, f"layer {l}'s activation")
        distinct = () if symbols_only else {id(e): e for e in chain(checked, column)}.values()  # shared nodes once
        entry = max(map(_entry_bits, distinct), default=1)
        widest, bits = max(widest, entry), _layer_bits(bits, entry, cols, form, l)
        if l == len(layers) and not form.is_identity:
            raise IllFormed("the output layer's activation must be the identity")
        chunks.append(list(params))
        params.clear()
        chunks.append(sorted(form.body.free_symbols - {form.variable}, key=lambda s: s.name))
        acts.append(form)
    return NetworkForm(inputs, chunks, weights, biases, acts, tuple(roots), widest)


def numeric_matrix(m: Any, where: str) -> flint.fmpq_mat | SDM | None:
    """A layer's stored matrix of numbers (exactly an ``fmpq_mat``, or exactly an ``SDM`` of ``fmpq`` inside its
    shape), else None for a sympy matrix (its entries are read one by one); IllFormed for anything else."""
    if type(m) is flint.fmpq_mat or isinstance(m, sympy.MatrixBase):  # python-flint's own type: no subclass's methods
        return m if type(m) is flint.fmpq_mat else None
    if type(m) is not SDM:
        raise IllFormed(f"{where} is a {type(m).__name__}, not a matrix")
    if not vars(m).keys() <= {"shape", "rows", "cols", "domain"}:  # an instance can shadow a dict method it reads
        raise IllFormed(f"{where}: a sparse matrix with attributes of its own ({sorted(vars(m))})")
    dims = m.shape
    if not (type(dims) is tuple and len(dims) == 2 and all(type(n) is int and n > 0 for n in dims)):
        raise IllFormed(f"{where}: a sparse matrix without a shape")
    rows, cols = dims
    outside = f"{where}: a sparse matrix holds an entry outside its shape or not an fmpq"
    if not all(type(i) is int and 0 <= i < rows and type(r) is dict for i, r in m.items()):
        raise IllFormed(outside)
    if not all(type(j) is int and 0 <= j < cols and type(v) is flint.fmpq for _, r in m.items() for j, v in r.items()):
        raise IllFormed(outside)
    return m


def matrix_entries(m: Any, where: str) -> tuple[tuple[int, int], Sequence[sympy.Expr]]:
    """A stored matrix's shape and its entries row by row, numbers as exact sympy Rationals."""
    num = numeric_matrix(m, where)
    if num is None:
        return m.shape, flat_entries(m)
    if isinstance(num, flint.fmpq_mat):
        return (num.nrows(), num.ncols()), [fast_rational(int(v.p), int(v.q)) for v in num.entries()]
    (rows, cols), zero = num.shape, sympy.Integer(0)
    if rows * cols > MAX_SPARSE_READ:  # a few triplets, many entries
        raise IllFormed(f"{where} is a sparse {num.shape} matrix; the gate reads at most {MAX_SPARSE_READ} entries")
    flat: list[sympy.Expr] = [zero] * (rows * cols)
    for i, r in num.items():
        for j, v in r.items():
            flat[i * cols + j] = fast_rational(int(v.p), int(v.q))
    return (rows, cols), flat


def _plain(entries: Sequence[Any], input_names: frozenset[str], l: int) -> Sequence[sympy.Symbol]:
    """The entries that are plain symbols (exactly ``sympy.Symbol``), each checked to be no input and commutative.

    One C-level pass each (``map`` of a builtin or an ``attrgetter``): the symbols
    are many and all distinct, so a Python-level loop per entry would cost more
    than reading them.  The input rule is tested on the names: two Symbols are
    equal only when their names are (and their assumptions), so a weight with
    no input's name is no input -- and a parameter may not share an input's name
    anyway (:attr:`NetworkForm.parameters`).  Every other entry is left to
    :func:`_entry`.  A matrix :func:`symnet.model.symbols.recorded` recorded
    (every layer :func:`symnet.dense` builds) is not read here when none of
    its names starts as an input's does: its symbols were checked when it was
    recorded.
    """
    plain = entries if set(map(type, entries)) <= _SYMBOL else [e for e in entries if type(e) is sympy.Symbol]
    if not input_names.isdisjoint(map(_NAME, plain)):
        bad = sorted(input_names.intersection(map(_NAME, plain)))
        raise IllFormed(f"layer {l}: the input(s) {', '.join(bad)} occur inside a weight or bias (by name)")
    if not all(map(_COMMUTATIVE, plain)):
        bad = sorted(str(s) for s in plain if not s.is_commutative)
        raise IllFormed(f"layer {l}: the weight symbol(s) {', '.join(bad[:5])} are not commutative")
    return plain


def _where(l: int, what: str, n: int, cols: int) -> str:
    """Where entry ``n`` of layer ``l``'s weights (row-major, ``cols`` columns) or biases is, for messages."""
    return f"layer {l} weight ({n // cols + 1}, {n % cols + 1})" if what == "weight" else f"layer {l} bias {n + 1}"


def _entry_bits(e: sympy.Basic) -> int:
    if type(e) is sympy.Symbol:
        return 1
    if e.is_Number:
        return sum(number_bits(e))
    return estimate_cost(e).bits


def _layer_bits(before: int, entry: int, cols: int, act: ActivationForm, l: int) -> int:
    """Bits of the numbers the layers up to ``l`` may build when composed (``entry``: the layer's widest entry, in
    bits); IllFormed above MAX_BITS."""
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
    if isinstance(e, sympy.Rational):
        return e
    v = exact(e, where)  # a Float becomes its exact binary value here, once
    found = radicals(v) if allow_radicals else []
    if not guard(v, where, frozenset(found)):
        raise IllFormed(f"{where}: {show(v, 80)} is not a polynomial with rational coefficients in the parameters")
    roots.update(dict.fromkeys(found))
    for s in sorted(v.free_symbols, key=lambda s: s.name):
        if s in inputs:
            raise IllFormed(f"{where}: the input {s} occurs inside a weight")
        params.setdefault(s, None)
    return v


def gate_claim_entry(e: Any, where: str, net: NetworkForm) -> sympy.Expr:
    """A claimed coefficient: exact, and a polynomial in the network's parameters only (never in x)."""
    terms = monomials(e) if isinstance(e, sympy.Expr) else None
    if terms is not None:
        v, free = e, {a for t in terms for a in t if a.is_Symbol}
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
