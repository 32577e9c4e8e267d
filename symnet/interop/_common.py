"""Shared by the importers: assemble a Network from a chain of affine maps and activations.

An importer walks its model and calls :class:`ChainBuilder`: ``linear`` for a
dense layer (each one becomes its own symnet layer, so the proof shows the
collapse), ``scale_shift`` for an element-wise affine map such as an
eval-mode batch norm (folded exactly into the neighbouring dense layer),
``activation`` for an element-wise nonlinearity.  Weights are exact: floats
enter as their binary rationals (:mod:`symnet.model.exact`).

A batch norm in eval mode is the map ``u -> scale * u + shift`` with
``scale = gamma / sqrt(var + eps)`` and ``shift = beta - mean * scale``
(:func:`batch_norm_fold`).  By default (``batchnorm="float"``) both are taken
as the framework computes them in the parameters' float type (torch's CPU
kernel: ``invstd = 1 / sqrt(var + eps)``, ``scale = invstd * gamma``, each
step rounded, and ``shift = beta - mean * scale`` rounded once, as a fused
multiply-add), at their exact binary
values: the network stays over the rationals.  ``batchnorm="exact"`` keeps
the real number ``gamma / sqrt(var + eps)`` as an exact algebraic number.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy
from sympy.polys.domains import QQ
from sympy.polys.matrices import DomainMatrix

from ..errors import InvalidArgument, ShapeError, UnsupportedModelError
from ..model.activations import Activation, activation
from ..model.arrays import exact_matrix, exact_vector
from ..model.domain import from_domain_matrix as _from_dm
from ..model.domain import sparse_rep
from ..model.exact import is_rational_matrix, sparse_matrix
from ..model.network import Layer, Network, input_symbols

__all__ = [
    "BATCHNORM_MODES",
    "ChainBuilder",
    "batch_norm_fold",
    "check_batchnorm_mode",
    "exact_number",
    "leaky_relu",
    "require",
    "unsupported",
]

_T = sympy.Symbol("t")


def require(module: str, extra: str) -> Any:
    """Import an optional library, or raise ImportError naming the extra that installs it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - the test environment has them all
        raise ImportError(f"{module} is needed for this; install it with: pip install 'symnet[{extra}]'") from exc


def unsupported(kind: str, position: str, source: str, hint: str = "") -> UnsupportedModelError:
    """The typed error for a layer or operator symnet does not translate."""
    extra = f"; {hint}" if hint else ""
    return UnsupportedModelError(
        f"{source}: {position} is {kind}, which symnet does not import{extra}", layer=kind, position=position
    )


def exact_number(value: Any, where: str) -> sympy.Rational:
    """A float or int as its exact rational (floats at their binary value)."""
    m = exact_vector([value], where)
    return m.args[2].args[0]


#: How a batch norm's scale is taken: as the framework computes it in floats (default), or as an exact real.
BATCHNORM_MODES = ("float", "exact")


def check_batchnorm_mode(mode: Any) -> str:
    """``mode`` if it is one of :data:`BATCHNORM_MODES` (InvalidArgument otherwise)."""
    if not isinstance(mode, str) or mode not in BATCHNORM_MODES:
        raise InvalidArgument(f"batchnorm={mode!r} is not one of {', '.join(map(repr, BATCHNORM_MODES))}")
    return mode


def batch_norm_fold(
    gamma: Any, beta: Any, mean: Any, var: Any, eps: float, mode: str, where: str, source: str
) -> tuple[list[sympy.Expr], list[sympy.Expr]]:
    """Per-feature ``(scale, shift)`` of an eval-mode batch norm (1-D numpy arrays in, exact numbers out).

    ``mode="float"``: ``invstd = 1/sqrt(var + eps)``, ``scale = invstd * gamma`` and
    ``shift = beta - mean * scale`` (one fused rounding), each rounded in the parameters' float type
    (float32 for float32 and narrower, float64 for float64), at their exact
    binary values.  ``mode="exact"``: ``scale = gamma / sqrt(var + eps)`` as an
    exact algebraic number, ``shift = beta - mean * scale``.
    InvalidArgument when ``var + eps <= 0`` (the model's forward pass is NaN there).
    """
    import numpy as np

    check_batchnorm_mode(mode)
    arrays = [np.asarray(a) for a in (gamma, beta, mean, var)]
    dtype: Any = np.float64 if any(a.dtype == np.float64 for a in arrays) else np.float32
    g, b, m, v = (np.asarray(a, dtype=dtype) for a in arrays)
    eps_exact = exact_number(float(dtype(eps)), f"{where} epsilon")
    var_exact = exact_vector(v, f"{where} variance").args[2].args
    for k, x in enumerate(var_exact):
        if not x + eps_exact > 0:
            raise InvalidArgument(
                f"{source}: {where} has variance[{k}] + eps = {x + eps_exact} <= 0, so its eval-mode forward pass "
                "divides by sqrt(var + eps) and gives NaN"
            )
    if mode == "float":
        with np.errstate(all="ignore"):
            invstd = dtype(1) / np.sqrt(v + dtype(eps))
            scale = invstd * g
        exact_scale = list(exact_vector(scale, f"{where} scale").args[2].args)
        be, me = (exact_vector(a, f"{where} {k}").args[2].args for a, k in ((b, "bias"), (m, "mean")))
        precision = 53 if dtype == np.float64 else 24
        shift = [_round_float(c - d * s, precision) for c, d, s in zip(be, me, exact_scale, strict=True)]
        return exact_scale, shift
    ge, be, me = (exact_vector(a, f"{where} {k}").args[2].args for a, k in ((g, "scale"), (b, "bias"), (m, "mean")))
    exact_scale = [x / sympy.sqrt(y + eps_exact) for x, y in zip(ge, var_exact, strict=True)]
    return exact_scale, [c - d * s for c, d, s in zip(be, me, exact_scale, strict=True)]


def _round_float(x: sympy.Rational, precision: int) -> sympy.Rational:
    """``x`` rounded once to the nearest float of ``precision`` significant bits (ties to even), exactly.

    This is a fused multiply-add's single rounding (torch's eval-mode batch norm
    computes its shift ``beta - mean * scale`` that way); the exponent range is
    float32's or float64's (subnormals included).
    """
    value = Fraction(int(x.p), int(x.q))
    if value == 0:
        return sympy.Integer(0)
    a = abs(value)
    e = a.numerator.bit_length() - a.denominator.bit_length()
    if Fraction(2) ** e > a:
        e -= 1
    emin = -1022 if precision == 53 else -126
    step = Fraction(2) ** (max(e, emin) - (precision - 1))
    rounded = round(a / step) * step  # Fraction rounds half to even
    signed = rounded if value > 0 else -rounded
    return sympy.Rational(signed.numerator, signed.denominator)


def leaky_relu(slope: sympy.Rational) -> Activation:
    """``t -> max(t, 0) + slope*min(t, 0)``, exactly; the identity when slope is 1."""
    if slope == 1:
        return activation("identity")
    if slope == sympy.Rational(1, 100):
        return activation("leaky_relu")
    # unnamed: a name is a claim the kernel binds to one registered formula, and this slope has none
    return Activation(None, sympy.Lambda(_T, sympy.Max(0, _T) + slope * sympy.Min(0, _T)))


def _weights(dm: DomainMatrix) -> sympy.ImmutableMatrix:
    """A network's weight matrix or bias: exact, with the flint rep kept for the numeric route."""
    return _from_dm(dm, dense=True)


def _all_rational(values: list[Any]) -> bool:
    """True when every value is a sympy Rational (the exact QQ route applies)."""
    return all(v.is_Rational for v in values)


def _qq(m: sympy.ImmutableMatrix) -> DomainMatrix | None:
    return m._rep.convert_to(QQ).to_dense() if is_rational_matrix(m) else None


def _diag(values: list[Any]) -> DomainMatrix:
    n = len(values)
    return DomainMatrix.diag([QQ(int(v.p), int(v.q)) for v in values], QQ, (n, n)).to_dense()


def _scale_rows(w: sympy.ImmutableMatrix, s: list[Any]) -> sympy.ImmutableMatrix:
    """diag(s) W, exactly (a sparse W stays sparse)."""
    sw = sparse_rep(w)
    if sw is not None and _all_rational(s):
        return sparse_matrix(_diag(s).to_sparse() * sw)
    dm = _qq(w)
    if dm is not None and _all_rational(s):
        return _weights(_diag(s) * dm)
    return sympy.ImmutableMatrix(w.rows, w.cols, lambda i, j: s[i] * w[i, j])


def _scale_columns(w: sympy.ImmutableMatrix, s: list[Any]) -> sympy.ImmutableMatrix:
    """W diag(s), exactly (a sparse W stays sparse)."""
    sw = sparse_rep(w)
    if sw is not None and _all_rational(s):
        return sparse_matrix(sw * _diag(s).to_sparse())
    dm = _qq(w)
    if dm is not None and _all_rational(s):
        return _weights(dm * _diag(s))
    return sympy.ImmutableMatrix(w.rows, w.cols, lambda i, j: w[i, j] * s[j])


def _column(values: list[Any]) -> sympy.ImmutableMatrix:
    if _all_rational(values):
        dm = DomainMatrix([[QQ(int(v.p), int(v.q))] for v in values], (len(values), 1), QQ)
        return _weights(dm)
    return sympy.ImmutableMatrix(values)


def _add_product(b: sympy.ImmutableMatrix, w: sympy.ImmutableMatrix, c: list[Any]) -> sympy.ImmutableMatrix:
    """b + W c, exactly."""
    bd, wd = _qq(b), sparse_rep(w) or _qq(w)
    if bd is not None and wd is not None and _all_rational(c):
        cd = DomainMatrix([[QQ(int(v.p), int(v.q))] for v in c], (len(c), 1), QQ)
        cd = cd.to_sparse() if wd.rep.fmt == "sparse" else cd.to_dense()
        return _weights(bd + (wd * cd).to_dense())
    return sympy.ImmutableMatrix(
        [b[i] + sum((w[i, j] * c[j] for j in range(w.cols)), sympy.Integer(0)) for i in range(w.rows)]
    )


class ChainBuilder:
    """Collects dense layers, element-wise affine maps and activations into a Network."""

    def __init__(self, source: str, inputs: int | None = None) -> None:
        self.source = source
        self.width = inputs
        self.inputs = inputs
        self.layers: list[list[Any]] = []  # [weights, biases, activation or None]
        self.pending: tuple[list[Any], list[Any]] | None = None  # scale, shift before the next dense layer

    # ------------------------------------------------------------ the chain
    def linear(self, weights: Any, biases: Any | None, where: str) -> None:
        """A dense layer ``z = W u + b``; ``weights`` is (out x in) as a numpy array or exact matrix."""
        w = weights if isinstance(weights, sympy.MatrixBase) else exact_matrix(weights, f"{where} weights")
        if biases is None:
            b = _weights(DomainMatrix.zeros((w.rows, 1), QQ))
        else:
            b = biases if isinstance(biases, sympy.MatrixBase) else exact_vector(biases, f"{where} bias")
        if b.shape != (w.rows, 1):
            raise ShapeError(f"{self.source}: {where} has a bias of {b.rows} entries for {w.rows} outputs")
        if self.width is None:
            self.width = self.inputs = w.cols
        if w.cols != self.width:
            raise ShapeError(f"{self.source}: {where} takes {w.cols} inputs, but the previous layer gives {self.width}")
        if self.pending is not None:  # u -> scale*u + shift before this layer: W diag(scale), b + W shift
            scale, shift = self.pending
            self.pending = None
            b = _add_product(b, w, shift)
            w = _scale_columns(w, scale)
        if self.layers and self.layers[-1][2] is None:
            self.layers[-1][2] = activation("identity")  # dense after dense: kept apart, joined by the identity
        self.layers.append([w, b, None])
        self.width = w.rows

    def scale_shift(self, scale: list[Any], shift: list[Any], where: str) -> None:
        """An element-wise affine map ``u -> scale * u + shift`` (exact sympy numbers), folded exactly.

        Every value must be a finite real number (InvalidArgument otherwise: the
        model's own forward pass would give NaN or an infinity there).
        """
        for k, v in enumerate(list(scale) + list(shift)):
            if not (isinstance(v, sympy.Expr) and v.is_number and v.is_extended_real is True and v.is_finite is True):
                half = "scale" if k < len(scale) else "shift"
                raise InvalidArgument(
                    f"{self.source}: {where} has the {half} {str(v)[:60]}, not a finite real number "
                    "(the model's forward pass is NaN or infinite there)"
                )
        if self.width is None:
            self.width = self.inputs = len(scale)
        if len(scale) != self.width or len(shift) != self.width:
            raise ShapeError(f"{self.source}: {where} has {len(scale)} features, but its input has {self.width}")
        if self.layers and self.layers[-1][2] is None:  # right after a dense layer: diag(scale) W, scale*b + shift
            w, b = self.layers[-1][0], self.layers[-1][1]
            if not all(v == 1 for v in scale):  # an Add is a shift alone
                self.layers[-1][0] = _scale_rows(w, scale)
            self.layers[-1][1] = _column([scale[i] * b[i] + shift[i] for i in range(b.rows)])
            return
        if self.pending is None:
            self.pending = (list(scale), list(shift))
        else:
            s0, c0 = self.pending
            scaled = [s * a for s, a in zip(scale, s0, strict=True)]
            self.pending = (scaled, [s * c + d for s, c, d in zip(scale, c0, shift, strict=True)])

    def activation(self, act: Activation, where: str) -> None:
        """An element-wise activation after the current layer."""
        if self.pending is not None:
            self._flush_pending()
        if not self.layers:
            raise unsupported(
                f"an activation ({act.label()}) before any dense layer",
                where,
                self.source,
                "symnet's networks start with a dense layer",
            )
        previous = self.layers[-1][2]
        if previous is None or previous.is_identity:
            self.layers[-1][2] = act
        else:  # two activations in a row: their composition
            body = act.expr.xreplace({act.variable: previous.expr.xreplace({previous.variable: _T})})
            self.layers[-1][2] = Activation(f"{act.label()}({previous.label()})", sympy.Lambda(_T, body))

    def _flush_pending(self) -> None:
        assert self.pending is not None and self.width is not None
        scale, shift = self.pending
        self.pending = None
        n = self.width
        if self.layers and self.layers[-1][2] is None:
            self.layers[-1][2] = activation("identity")
        eye = _weights(DomainMatrix.eye(n, QQ))
        self.layers.append([_scale_rows(eye, scale), _column(shift), None])

    # ----------------------------------------------------------- the result
    def network(self) -> Network:
        """The assembled network (an identity output layer is added after a final activation)."""
        if self.pending is not None:
            self._flush_pending()
        if not self.layers:
            raise unsupported("a model without any dense layer", "the whole model", self.source)
        last = self.layers[-1][2]
        if last is not None and not last.is_identity:
            n = self.layers[-1][0].rows
            eye = _weights(DomainMatrix.eye(n, QQ))
            self.layers.append([eye, _weights(DomainMatrix.zeros((n, 1), QQ)), None])
        identity = activation("identity")
        layers = tuple(Layer(w, b, a if a is not None else identity) for w, b, a in self.layers)
        layers = layers[:-1] + (Layer(layers[-1].weights, layers[-1].biases, identity),)
        assert self.inputs is not None
        return Network(input_symbols(self.inputs), layers)
