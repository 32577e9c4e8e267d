"""Forward passes at a point: exact (rational arithmetic) and float (double precision).

The exact pass multiplies python-flint ``fmpq_mat``\\ s while every value is
rational and the layer's weights are numbers, and falls back to sympy
arithmetic (still exact) for symbolic weights or once an activation leaves
the rationals (``tanh(1/2)``).  The float pass rounds everything to doubles.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import flint
import sympy

from ..errors import InvalidArgument
from ..numbers import fast_rational
from .activations import Activation
from .exact import SparseQQMatrix, qq_dense

__all__ = ["exact_forward", "float_forward"]


def _activation(act: Activation, subs: Mapping[sympy.Symbol, sympy.Expr]) -> sympy.Lambda:
    return act.function if not subs else sympy.Lambda(act.variable, act.expr.xreplace(subs))


def _sympy_affine(layer: Any, u: Sequence[sympy.Expr], subs: Mapping[sympy.Symbol, sympy.Expr]) -> list[sympy.Expr]:
    w = layer.weights.xreplace(subs) if subs else layer.weights
    b = layer.biases.xreplace(subs) if subs else layer.biases
    rows, cols = w.shape
    return [sympy.Add(b[k], *(sympy.Mul(w[k, j], u[j]) for j in range(cols))) for k in range(rows)]


def exact_forward(
    layers: Sequence[Any], point: Sequence[sympy.Expr], subs: Mapping[sympy.Symbol, sympy.Expr]
) -> list[sympy.Expr]:
    """The outputs at ``point`` (exact sympy numbers), parameters given by ``subs``."""
    u = list(point)
    for layer in layers:
        sparse, bq = isinstance(layer.weights, SparseQQMatrix), qq_dense(layer.stored_biases)
        wq = None if sparse else qq_dense(layer.stored_weights)
        if sparse and bq is not None and all(v.is_Rational for v in u):  # row k: b_k + its nonzero terms
            x, rows = [flint.fmpq(int(v.p), int(v.q)) for v in u], layer.weights._rep.rep
            sums = [sum((c * x[j] for j, c in rows.get(k, {}).items()), b) for k, b in enumerate(bq.entries())]
            z = [fast_rational(int(a.p), int(a.q)) for a in sums]
        elif wq is not None and bq is not None and all(v.is_Rational for v in u):
            column = flint.fmpq_mat(len(u), 1, [flint.fmpq(int(v.p), int(v.q)) for v in u])
            z = [fast_rational(int(a.p), int(a.q)) for a in (wq * column + bq).entries()]
        else:
            z = _sympy_affine(layer, u, subs)
        act = layer.activation
        if not act.is_identity:
            fn = _activation(act, subs)
            z = [fn(v) for v in z]
        u = z
    return u


def _double(v: sympy.Expr, where: str) -> float:
    """The nearest double to an exact real number (Rationals rounded correctly)."""
    if v.is_Rational:
        return int(v.p) / int(v.q)  # int true division rounds correctly
    value = sympy.N(v, 30)
    if not value.is_real or not value.is_finite:
        raise InvalidArgument(f"{where}={v} is not a finite real number")
    return float(value)


def _float_matrix(m: sympy.ImmutableMatrix, qq: Any, subs: Mapping[sympy.Symbol, sympy.Expr]) -> Any:
    """The matrix rounded entrywise to float64 (from the flint matrix when it is numeric)."""
    import numpy as np

    if qq is not None:
        flat = [int(a.p) / int(a.q) for a in qq.entries()]
    else:
        flat = [_double(e, "a weight") for e in (m.xreplace(subs) if subs else m)]
    return np.array(flat, dtype=np.float64).reshape(m.shape)


def float_forward(
    layers: Sequence[Any], point: Sequence[sympy.Expr], subs: Mapping[sympy.Symbol, sympy.Expr]
) -> list[float]:
    """The outputs at ``point`` computed in double precision (see ``Network.evaluate(exact=False)``)."""
    import numpy as np

    u = np.array([_double(v, f"x[{j}]") for j, v in enumerate(point)], dtype=np.float64)
    for index, layer in enumerate(layers):
        bf = _float_matrix(layer.biases, qq_dense(layer.stored_biases), subs)
        if isinstance(layer.weights, SparseQQMatrix):  # sum the nonzero terms of each row
            t = [
                (i, j, int(c.numerator) / int(c.denominator))
                for i, r in layer.weights._rep.rep.items()
                for j, c in r.items()
            ]
            i, j, c = (np.array([e[n] for e in t], dtype=np.int64 if n < 2 else np.float64) for n in range(3))
            z = np.bincount(i, weights=c * u[j], minlength=layer.width) + bf[:, 0]
        else:
            z = _float_matrix(layer.weights, qq_dense(layer.stored_weights), subs) @ u + bf[:, 0]
        act = layer.activation
        if not act.is_identity:
            body = act.expr.xreplace(subs) if subs else act.expr
            var = act.variable
            where = f"layer {index + 1}'s activation"
            z = np.array([_double(body.xreplace({var: sympy.Float(float(v))}), where) for v in z])
        u = z
    return [float(v) for v in u]
