"""What the renderers read from a Proof or a certificate: plain data, never the engine or the kernel."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy
from flint import fmpq_mat
from sympy.polys.matrices import DomainMatrix
from sympy.polys.matrices.sdm import SDM

from ..conversion import exact_ratio
from ..model.exact import as_sympy
from ._numbers import exact


@dataclass(frozen=True)
class View:
    """What the renderers read from a Proof (or a Certificate).

    ``matrix`` is W* (q × p) and ``offset`` b* (q × 1) when they are written
    out (an explicit claim, or computed here from the steps' factors when the
    caller forces explicit coefficients or every factor is numeric), else None.
    """

    network: Any
    steps: tuple[Any, ...]
    explicit: bool
    matrix: sympy.ImmutableMatrix | None
    offset: sympy.ImmutableMatrix | None
    forced: bool = False


def _domain(m: Any) -> Any:
    """The ground domain of a sympy matrix's internal DomainMatrix (ZZ/QQ when it holds only numbers), or None.

    ``_rep`` is sympy-private; it is read only as a shortcut (the public
    ``to_DM()`` would first build a polynomial domain for a symbolic matrix).
    Without it every entry is looked at, with the same answer.
    """
    rep = getattr(m, "_rep", None)
    return getattr(rep, "domain", None)


def _is_numeric(m: Any) -> bool:
    if _domain(m) in (sympy.ZZ, sympy.QQ):
        return True
    return all(isinstance(e, (sympy.Rational, sympy.Float)) for e in m)


def _as_qq(f: Any) -> Any:
    """A numeric sympy matrix as a DomainMatrix over QQ (no per-entry sympy objects when it is already one)."""
    if _domain(f) in (sympy.ZZ, sympy.QQ):
        return f.to_DM().convert_to(sympy.QQ)
    rows = f.tolist()
    return DomainMatrix([[_qq(e) for e in row] for row in rows], f.shape, sympy.QQ)


def _qq(e: sympy.Expr) -> Any:
    """A number as an exact element of QQ (a Float is its exact binary value)."""
    return sympy.QQ(*exact_ratio(e, "a factor entry"))


def _product(steps: Sequence[Any]) -> tuple[sympy.ImmutableMatrix, sympy.ImmutableMatrix] | None:
    """W* and b* multiplied out from the steps' factors ``C P_L … P_1`` (None without factors).

    Numeric factors are multiplied exactly over QQ (sympy's DomainMatrix, flint
    underneath when installed), from the output side so every product has q
    rows; others with sympy and expanded.  Only the renderer's reading: the
    kernel checks the certificate's own claim.
    """
    factors = [s.matrix for s in steps if s.rule in ("read_output_layer", "substitute_layer")]
    if not factors or any(f is None for f in factors):
        return None
    if all(_is_numeric(f) for f in factors):
        dms = [_as_qq(f) for f in factors]
        prod_ = dms[0]
        for f in dms[1:]:
            prod_ = prod_ * f
        full = sympy.ImmutableMatrix(prod_.to_Matrix())
    else:
        out = sympy.ImmutableMatrix(factors[0]).applyfunc(exact)
        for f in factors[1:]:
            out = (out * sympy.ImmutableMatrix(f).applyfunc(exact)).applyfunc(sympy.expand)
        full = sympy.ImmutableMatrix(out)
    return full[:, 1:], full[:, 0]


def view(obj: Any, explicit: bool = False) -> View:
    """The data of a Proof or a certificate, without calling the engine or the kernel.

    ``explicit=True`` makes W* and b* explicit even when the certificate keeps
    them as a product of factors (they are multiplied out here).
    """
    cert = getattr(obj, "certificate", obj)
    claim = getattr(cert, "claim", None)
    if claim is None:
        raise TypeError(f"cannot render {type(obj).__name__}: expected a symnet Proof or Certificate")
    steps = tuple(  # a document's numeric factors are stored as python-flint matrices: drawn as sympy's
        dataclasses.replace(s, matrix=as_sympy(s.matrix)) if isinstance(s.matrix, (fmpq_mat, SDM)) else s
        for s in cert.steps
    )
    matrix, offset = as_sympy(claim.matrix), as_sympy(claim.offset)
    is_explicit = claim.form == "explicit" and matrix is not None
    if not is_explicit:
        factors = [s.matrix for s in steps if s.rule in ("read_output_layer", "substitute_layer")]
        numeric = bool(factors) and all(f is not None and _is_numeric(f) for f in factors)
        if explicit or numeric or len(factors) == 1:  # one factor (no hidden layer) is the product itself
            got = _product(steps)
            if got is not None:
                matrix, offset = got
                is_explicit = True
    elif matrix is not None:
        matrix, offset = matrix.applyfunc(exact), offset.applyfunc(exact)
    return View(cert.network, steps, is_explicit, matrix, offset, explicit)


def _slope_intercept(step: Any, layer: Any) -> tuple[sympy.Expr, sympy.Expr]:
    if step is not None and step.slope is not None and step.intercept is not None:
        return step.slope, step.intercept
    act = layer.activation
    t = act.variable
    expr = act.expr
    return sympy.expand(expr).coeff(t, 1), expr.subs(t, 0)


_DENSE = re.compile(
    r"^(?P<stem>[A-Za-z]+(?:\^\{\(\d+\)\})?)_(?:\{(?P<k>\d+),(?P<j>\d+)\}|(?P<one>\d+)|\{(?P<onb>\d+)\})$"
)


def augmented(layer: Any) -> sympy.ImmutableMatrix:
    """A layer's ``[b | W]``: row k is ``(b_k, W_{k,1}, ..., W_{k,n})``."""
    return sympy.ImmutableMatrix.hstack(layer.biases, layer.weights)


def dense_pattern(layer: Any) -> str | None:
    """``"b_{{{k},{j}}}"`` when every entry of ``[b | W]`` is the dense builder's symbol, else None."""
    first = layer.biases[0]
    if not first.is_Symbol:
        return None
    m = _DENSE.match(first.name)
    if m is None or m.group("k") is None:
        return None
    stem = m.group("stem")
    pattern = stem.replace("{", "{{").replace("}", "}}") + "_{{{k},{j}}}"
    for k in range(layer.weights.rows):
        if layer.biases[k] != sympy.Symbol(pattern.format(k=k + 1, j=0)):
            return None
        for j in range(layer.weights.cols):
            if layer.weights[k, j] != sympy.Symbol(pattern.format(k=k + 1, j=j + 1)):
                return None
    return pattern
