"""Networks of symbolic size and the matrix-expression algebra they are stated in.

A *generic* network has sizes that may be symbols (``p``, ``h``): positive
integers that are never fixed.  What it computes is stated with matrices of
symbolic shape, in a small matrix-expression layer of symnet's own:

* :class:`MatAtom` -- a named matrix of symbolic shape (``B``: h x p), or the
  all-ones column ``1_n``;
* :class:`Lin` -- a finite sum ``sum_i s_i A_i1 A_i2 ... A_ik`` of scalar
  multiples of products of atoms, kept in a normal form (terms sorted by their
  word of atoms, coefficients expanded).  Two ``Lin`` that are equal as data
  are equal as matrices *for every size*, because the normal form only uses
  distributivity, associativity and the fact that scalars commute with
  matrices.  Shapes are checked on every product and sum (sympy does not
  check symbolic shapes), raising :class:`~symnet.ShapeError`;
* :class:`Aug` -- the augmented matrix ``[[1, 0 ... 0], [v, M]]``
  ((m+1) x (n+1)), and :class:`OutRow` -- ``[c | C]`` (q x (m+1)).

This module is plain data: the rules about these matrices and the check of a
generic certificate are in :mod:`symnet.kernel.generic`; the builder
:func:`~symnet.model.generic_build.generic_dense` (re-exported by
:func:`symnet.dense`) and the instantiation :func:`~symnet.model.generic_build.explicit`
live in :mod:`symnet.model.generic_build`, and the rules' statements and
self-test in :mod:`symnet.model.generic_selftest`, outside the trusted base.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import sympy

from ..errors import ShapeError
from .core import Activation

__all__ = [
    "STEP_RULES",
    "Aug",
    "GenericCertificate",
    "GenericNetwork",
    "GenericStep",
    "Lin",
    "MatAtom",
    "OutRow",
    "SymbolicOps",
    "is_size_name",
    "ones",
    "size_symbol",
]

#: A size: a positive sympy Integer or a size symbol (sympy is untyped, so this is Any to mypy).
Size: TypeAlias = sympy.Expr


def size_symbol(name: str) -> sympy.Symbol:
    """The size symbol ``name``: a positive integer (names are validated by the builder)."""
    return sympy.Symbol(name, integer=True, positive=True)


def _same_size(a: Size, b: Size) -> bool:
    return bool(a == b or sympy.expand(a - b) == 0)


def _shape_text(shape: tuple[Size, Size]) -> str:
    return f"{shape[0]} x {shape[1]}"


# ------------------------------------------------------------ matrix layer
@dataclass(frozen=True, order=False)
class MatAtom:
    """A named matrix of symbolic shape ``rows x cols``.

    ``name`` identifies it (two atoms with one name must be the same atom);
    ``tex`` and ``txt`` are how derivations print it.
    """

    name: str
    rows: Size
    cols: Size
    tex: str = ""
    txt: str = ""


def ones(n: Size) -> MatAtom:
    """The all-ones column ``1_n`` (n x 1)."""
    return MatAtom(
        f"1[{sympy.sstr(n)}]", n, sympy.Integer(1), r"\mathbf{1}_{" + sympy.latex(n) + "}", f"1_{sympy.sstr(n)}"
    )


Word = tuple[MatAtom, ...]


@dataclass(frozen=True)
class Lin:
    """``sum_i coeff_i * word_i`` in normal form; every word is a product of atoms.

    Build with :meth:`of`, :meth:`zero`, ``+``, ``@`` (matrix product) and
    ``scale``; shapes are checked on each operation.
    """

    rows: Size
    cols: Size
    terms: tuple[tuple[Word, sympy.Expr], ...] = ()

    @property
    def shape(self) -> tuple[Size, Size]:
        return (self.rows, self.cols)

    @staticmethod
    def of(atom: MatAtom) -> Lin:
        return Lin(atom.rows, atom.cols, (((atom,), sympy.Integer(1)),))

    @staticmethod
    def zero(rows: Size, cols: Size) -> Lin:
        return Lin(rows, cols, ())

    @staticmethod
    def _normal(rows: Size, cols: Size, items: Sequence[tuple[Word, sympy.Expr]]) -> Lin:
        acc: dict[tuple[str, ...], tuple[Word, sympy.Expr]] = {}
        for word, coeff in items:
            key = tuple(a.name for a in word)
            acc[key] = (word, acc[key][1] + coeff) if key in acc else (word, coeff)
        expanded = ((word, sympy.expand(coeff)) for word, coeff in (acc[key] for key in sorted(acc)))
        return Lin(rows, cols, tuple((word, coeff) for word, coeff in expanded if coeff != 0))

    def __add__(self, other: Lin) -> Lin:
        if not isinstance(other, Lin):
            return NotImplemented
        if not (_same_size(self.rows, other.rows) and _same_size(self.cols, other.cols)):
            raise ShapeError(f"cannot add matrices of shapes {_shape_text(self.shape)} and {_shape_text(other.shape)}")
        return Lin._normal(self.rows, self.cols, self.terms + other.terms)

    def __matmul__(self, other: Lin) -> Lin:
        if not isinstance(other, Lin):
            return NotImplemented
        if not _same_size(self.cols, other.rows):
            raise ShapeError(
                f"cannot multiply a {_shape_text(self.shape)} matrix by a {_shape_text(other.shape)} matrix: "
                f"{self.cols} columns against {other.rows} rows"
            )
        items = [(w1 + w2, c1 * c2) for w1, c1 in self.terms for w2, c2 in other.terms]
        return Lin._normal(self.rows, other.cols, items)

    def scale(self, s: sympy.Expr) -> Lin:
        return Lin._normal(self.rows, self.cols, [(w, s * c) for w, c in self.terms])


@dataclass(frozen=True)
class Aug:
    """The augmented matrix ``[[1, 0 ... 0], [v, M]]`` of shape (m+1) x (n+1)."""

    v: Lin
    M: Lin

    def __post_init__(self) -> None:
        if not (_same_size(self.v.rows, self.M.rows) and _same_size(self.v.cols, 1)):
            raise ShapeError(f"[[1, 0], [v, M]] needs v of shape {self.M.rows} x 1, got {_shape_text(self.v.shape)}")


@dataclass(frozen=True)
class OutRow:
    """The output block ``[c | C]`` of shape q x (m+1): bias column, then weights."""

    c: Lin
    C: Lin

    def __post_init__(self) -> None:
        if not (_same_size(self.c.rows, self.C.rows) and _same_size(self.c.cols, 1)):
            raise ShapeError(f"[c | C] needs c of shape {self.C.rows} x 1, got {_shape_text(self.c.shape)}")


# ------------------------------------------------------------ rule bodies
class SymbolicOps:
    """Rule bodies evaluated on matrices of symbolic shape (normal forms): Lin's own operations (the
    self-test's explicit matrices are :class:`symnet.model.generic_build.ExplicitOps`)."""

    mul = staticmethod(operator.matmul)
    add = staticmethod(operator.add)
    aug = staticmethod(Aug)
    outrow = staticmethod(OutRow)

    def scale(self, s: sympy.Expr, a: Lin) -> Lin:
        return a.scale(s)

    def ones(self, n: Size) -> Lin:
        return Lin.of(ones(n))


@dataclass(frozen=True)
class GenericNetwork:
    """A dense network whose sizes may be symbols: ``sizes = (p, h_1, ..., h_L, q)``.

    Every size is a positive sympy Integer or a positive-integer Symbol;
    every hidden layer has an activation (the output layer is linear).
    Layer l has the weight matrix ``B^{(l)}`` (n_l x n_(l-1)) and the bias
    column ``b^{(l)}_0`` (n_l x 1); the output layer has ``C`` and ``c_0`` (with no
    hidden layer it is the blog post's single node, ``B`` and ``b_0``).
    Entry names follow :func:`symnet.dense`.
    """

    sizes: tuple[Size, ...]
    activations: tuple[Activation, ...]

    def __post_init__(self) -> None:
        if len(self.sizes) < 2:
            raise ShapeError(f"sizes={self.sizes} needs at least the inputs and the outputs")
        if len(self.activations) != len(self.sizes) - 2:
            raise ShapeError(f"{len(self.sizes) - 2} hidden layers but {len(self.activations)} activations")
        for s in self.sizes:
            if not ((s.is_Integer and s >= 1) or (s.is_Symbol and s.is_integer and s.is_positive)):
                raise ShapeError(f"size {s!r} is not a positive integer or a positive-integer symbol")

    @property
    def p(self) -> Size:
        return self.sizes[0]

    @property
    def q(self) -> Size:
        return self.sizes[-1]

    @property
    def hidden(self) -> tuple[Size, ...]:
        return self.sizes[1:-1]

    @property
    def depth(self) -> int:
        return len(self.sizes) - 2

    @property
    def size_symbols(self) -> tuple[sympy.Symbol, ...]:
        """The symbolic sizes, in order of first appearance (inputs first)."""
        return tuple(dict.fromkeys(s for s in self.sizes if s.is_Symbol))

    def weight(self, layer: int) -> MatAtom:
        """Layer ``layer``'s weight matrix (layers count from 1; the output layer is L+1)."""
        return self._atom("W", layer, self.sizes[layer - 1], "C", "B", "")

    def bias(self, layer: int) -> MatAtom:
        """Layer ``layer``'s bias column."""
        return self._atom("b", layer, sympy.Integer(1), "c_0", "b", "_0")

    def _atom(self, kind: str, layer: int, cols: Size, output: str, hidden: str, tail: str) -> MatAtom:
        """The atom ``kind_layer``, shown as ``output`` for the output layer of a network with hidden layers, else
        as ``hidden`` (with a layer superscript when there are several hidden layers) then ``tail``."""
        name, rows = f"{kind}_{layer}", self.sizes[layer]
        if layer == self.depth + 1 and self.depth > 0:
            return MatAtom(name, rows, cols, output, output)
        if self.depth <= 1:
            return MatAtom(name, rows, cols, hidden + tail, hidden + tail)
        return MatAtom(name, rows, cols, f"{hidden}^{{({layer})}}{tail}", f"{hidden}^({layer}){tail}")

    def input(self) -> MatAtom:
        """The input column x (p x 1)."""
        return MatAtom("x", self.p, sympy.Integer(1), "x", "x")

    def atoms(self) -> dict[str, MatAtom]:
        """Every atom of the network by name (weights, biases, input)."""
        layers = range(1, self.depth + 2)
        return {a.name: a for a in (self.input(), *(f(l) for l in layers for f in (self.weight, self.bias)))}


#: The generic certificate's rules, in the order a proof uses them: the reader admits these names, and the
#: kernel (:func:`symnet.kernel.generic.derived_steps`) derives a proof's steps in this order.
STEP_RULES = (
    "read_output_layer",
    "substitute_layer",
    "multiply_augmented",
    "apply_output_row",
    "conclude_linear_form",
    "factor_rank",
)


@dataclass(frozen=True)
class GenericStep:
    """One step: the rule, the layer it concerns, and what it states.

    ``value`` is an :class:`OutRow` (read_output_layer, apply_output_row), an
    :class:`Aug` (substitute_layer, multiply_augmented), a pair ``(W*, b*)``
    of :class:`Lin` (conclude_linear_form) or the bound (factor_rank: the
    stated upper bound of rank W*, a size, with ``layer`` the layer whose
    width it is, 0 for the inputs).
    """

    rule: str
    layer: int
    value: Any


@dataclass(frozen=True)
class GenericCertificate:
    """A generic network, ordered steps, and the claim ``output = W* x + b*``."""

    network: GenericNetwork
    steps: tuple[GenericStep, ...]
    matrix: Lin
    offset: Lin
    kind = "generic"


# ---------------------------------------------------------------- builder
#: A size name: a plain identifier of letters and digits (``p``, ``h``, ``h2``).
_SIZE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]{0,15}")
#: Names the derivation already uses for something else.
RESERVED_SIZE_NAMES = frozenset({"x", "y", "b", "c", "t", "k", "j", "i", "l", "B", "C", "W", "P", "Q", "L", "I", "E"})


def is_size_name(text: object) -> bool:
    """True for a usable size name: a plain identifier, not reserved by the notation."""
    return isinstance(text, str) and _SIZE_NAME.fullmatch(text) is not None and text not in RESERVED_SIZE_NAMES
