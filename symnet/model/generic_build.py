"""Generic networks built and instantiated: :func:`generic_dense`, and :func:`explicit` over :class:`ExplicitOps`.

None is needed to *check* a generic certificate, so they live outside the
trusted base (:mod:`symnet.model.generic` holds the data the kernel reads).
"""

from __future__ import annotations

import numbers
import operator
from collections.abc import Mapping, Sequence
from typing import TypeAlias

import sympy

from ..errors import InvalidArgument, InvalidType, ShapeError
from .activations import ActivationSpec
from .generic import (
    RESERVED_SIZE_NAMES,
    Aug,
    GenericNetwork,
    Lin,
    MatAtom,
    OutRow,
    Size,
    is_size_name,
    size_symbol,
)
from .network import _hidden_activations

__all__ = ["ExplicitOps", "explicit", "generic_dense"]

#: What :func:`explicit` instantiates: a matrix expression, an augmented matrix or an output block.
Value: TypeAlias = Lin | Aug | OutRow | sympy.Expr


class ExplicitOps:
    """Rule bodies evaluated on explicit sympy ImmutableMatrices (concrete sizes): sympy's own operations, which
    check the shapes (sympy's ShapeError, a ValueError)."""

    mul = staticmethod(operator.mul)
    add = staticmethod(operator.add)

    def scale(self, s: sympy.Expr, a: sympy.MatrixBase) -> sympy.ImmutableMatrix:
        return a * s

    def ones(self, n: Size) -> sympy.ImmutableMatrix:
        return sympy.ImmutableMatrix.ones(int(n), 1)

    def aug(self, v: sympy.MatrixBase, M: sympy.MatrixBase) -> sympy.ImmutableMatrix:
        top = sympy.ImmutableMatrix([[1] + [0] * M.cols])
        return sympy.ImmutableMatrix.vstack(top, sympy.ImmutableMatrix.hstack(v, M))

    def outrow(self, c: sympy.MatrixBase, C: sympy.MatrixBase) -> sympy.ImmutableMatrix:
        return sympy.ImmutableMatrix.hstack(c, C)

    def stack1(self, u: sympy.MatrixBase) -> sympy.ImmutableMatrix:
        """``(1, u)``: a constant 1 on top of the column u."""
        return sympy.ImmutableMatrix.vstack(sympy.ImmutableMatrix([[1]]), u)


def explicit(
    value: Value, sizes: Mapping[sympy.Symbol, int], atoms: Mapping[str, sympy.MatrixBase]
) -> sympy.ImmutableMatrix:
    """A symbolic-shape value as an explicit matrix, given the sizes and each atom's entries.

    ``atoms`` maps an atom's name to its explicit matrix; ``1_n`` needs no entry.
    Shapes are checked against the sizes.
    """
    ops = ExplicitOps()

    def size(n: Size) -> int:
        v = sympy.sympify(sympy.sympify(n).xreplace({k: sympy.Integer(x) for k, x in sizes.items()}))
        if not v.is_Integer or v < 1:
            raise ShapeError(f"size {n} is not a positive integer under {dict(sizes)}")
        return int(v)

    def atom(a: MatAtom) -> sympy.ImmutableMatrix:
        if a.name.startswith("1["):
            return ops.ones(size(a.rows))
        m = sympy.ImmutableMatrix(atoms[a.name])
        if m.shape != (size(a.rows), size(a.cols)):
            raise ShapeError(
                f"atom {a.name} has shape {a.rows} x {a.cols} = {(size(a.rows), size(a.cols))}, got {m.shape}"
            )
        return m

    def lin(x: Lin) -> sympy.ImmutableMatrix:
        total = sympy.ImmutableMatrix.zeros(size(x.rows), size(x.cols))
        for word, coeff in x.terms:
            prod = atom(word[0])
            for a in word[1:]:
                prod = ops.mul(prod, atom(a))
            total = ops.add(total, ops.scale(coeff, prod))
        return total

    if isinstance(value, Lin):
        return lin(value)
    if isinstance(value, Aug):
        return ops.aug(lin(value.v), lin(value.M))
    if isinstance(value, OutRow):
        return ops.outrow(lin(value.c), lin(value.C))
    raise TypeError(f"cannot make {type(value).__name__} explicit")


def _size(value: object, where: str) -> sympy.Expr:
    if isinstance(value, str):
        if not is_size_name(value):
            raise InvalidArgument(
                f"{where}={value!r} is not a size name: use a positive integer or a plain identifier "
                f"(a letter, then letters or digits, at most 16, not one of {sorted(RESERVED_SIZE_NAMES)})"
            )
        return size_symbol(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidType(f"{where}={value!r} must be a positive integer or a size name such as 'p'")
    if int(value) < 1:
        raise InvalidArgument(f"{where}={value!r} must be a positive integer")
    return sympy.Integer(int(value))


def generic_dense(
    inputs: int | str,
    hidden: Sequence[int | str] | int | str,
    outputs: int | str = 1,
    activation: ActivationSpec | Sequence[ActivationSpec] = "identity",
) -> GenericNetwork:
    """A dense network whose sizes may be names (``"p"``, ``"h"``): every size a positive integer.

    >>> generic_dense("p", ["h"])
    GenericNetwork(inputs='p', hidden=['h'], outputs=1, activation='identity')
    """
    p = _size(inputs, "inputs")
    layers: object = hidden
    if isinstance(hidden, numbers.Integral) and not isinstance(hidden, bool):
        layers = [hidden]
    if isinstance(layers, (str, bytes)) or not isinstance(layers, Sequence):
        raise InvalidType(f"hidden={hidden!r} must be a list of widths (positive integers or size names)")
    widths = [_size(h, f"hidden[{i}]") for i, h in enumerate(layers)]
    q = _size(outputs, "outputs")
    acts = _hidden_activations(activation, len(widths))
    return GenericNetwork((p, *widths, q), acts)
