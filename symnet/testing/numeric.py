"""Compiled numeric evaluation of networks and claimed linear forms.

Used by :mod:`symnet.crosscheck` and :mod:`symnet.testing`.  A sympy
expression is turned into straight-line Python code (one line per distinct
sub-expression, so shared sub-expressions are computed once) and compiled
once; each instantiation then costs a function call, never a ``subs``.

Three modes:

* ``"exact"``: integer arithmetic on numerators over a common denominator
  (see :class:`_Val`), so rational inputs give exact rational outputs;
* ``"float"``: constants become ``float``;
* ``"abs"``: every constant is replaced by its absolute value, so evaluating
  at the absolute values of the arguments gives ``|e|_abs``, the bound used
  for float round-off (see :func:`gamma`).

Alongside the code, the compiler tracks each value's *depth*: the longest
chain of floating-point operations that produced it.  For an expression
built from ``+``, ``*``, integer powers, ``max``, ``min`` and ``abs`` with
exactly representable leaves, the computed float ``fl(e)`` satisfies
``|fl(e) - e| <= gamma(depth) * |e|_abs`` (Higham, *Accuracy and Stability
of Numerical Algorithms*, ch. 3).

Only those operations are supported; anything else raises
:class:`~symnet.InvalidArgument` naming the unsupported node.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np
import sympy

from ..conversion import exact_ratio
from ..errors import InvalidArgument
from ..model.network import Network

__all__ = [
    "UNIT_ROUNDOFF",
    "CompiledClaim",
    "CompiledEntries",
    "CompiledForward",
    "compile_claim",
    "compile_entries",
    "compile_forward",
    "gamma",
]

#: Unit round-off of IEEE double precision, 2**-53.
UNIT_ROUNDOFF = 2.0**-53

_MODES = ("exact", "float", "abs")


def gamma(k: int) -> float:
    """Higham's ``gamma_k = k u / (1 - k u)``: the relative error bound of ``k`` roundings."""
    ku = k * UNIT_ROUNDOFF
    if ku >= 0.5:
        return float("inf")
    return ku / (1 - ku)


class _Val(NamedTuple):
    """An emitted value: its code, its rounding depth, and (exact mode) its scale.

    In exact mode the code holds an integer ``N`` and the value is
    ``N / (D**g * k)``: ``D`` is the sample's common denominator (its powers
    are passed in as ``P``) and ``g``, ``k`` are known when compiling.  So
    exact rational evaluation is integer arithmetic, with one division per
    output at the end.
    """

    code: str
    depth: int
    g: int = 0
    k: int = 1


class _Code:
    """Straight-line code under construction: lines, constants, a name counter."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.lines: list[str] = []
        self.constants: dict[str, Any] = {}
        self.max_g = 0
        self._counter = itertools.count()

    def fresh(self, stem: str = "t") -> str:
        return f"_{stem}{next(self._counter)}"

    def constant(self, value: sympy.Expr) -> _Val:
        """A number: exact in exact mode, a float (depth 1 if rounded) otherwise."""
        num, den = exact_ratio(value, "a constant")  # a Float at its exact binary value
        if self.mode == "abs":
            num = abs(num)
        if self.mode == "exact":
            return _Val(f"({num})", 0, 0, den)
        if den == 1 and abs(num) < 2**53:
            return _Val(f"({num})", 0)
        as_float = num / den
        exact = Fraction(as_float) == Fraction(num, den)
        name = self.fresh("c")
        self.constants[name] = as_float
        return _Val(name, 0 if exact else 1)

    def assign(self, code: str) -> str:
        name = self.fresh()
        self.lines.append(f"    {name} = {code}")
        return name

    def common(self, parts: Sequence[_Val]) -> tuple[list[str], int, int]:
        """Exact mode: the parts' numerators brought to one scale (g, k)."""
        if self.mode != "exact":
            return [p.code for p in parts], 0, 1
        g = max(p.g for p in parts)
        k = math.lcm(*(p.k for p in parts))
        self.max_g = max(self.max_g, g)
        codes = []
        for p in parts:
            factors = [p.code]
            if g > p.g:
                factors.append(f"P[{g - p.g}]")
            if k != p.k:
                factors.append(f"({k // p.k})")
            codes.append(" * ".join(factors))
        return codes, g, k

    def combine(self, parts: Sequence[_Val], op: str, depth: int) -> _Val:
        """The sum (op ``+``) or product (op ``*``) of parts."""
        if op == " + ":
            codes, g, k = self.common(parts)
        else:
            codes = [p.code for p in parts]
            g = sum(p.g for p in parts)
            k = math.prod(p.k for p in parts)
            self.max_g = max(self.max_g, g)
        return _Val(self.assign(op.join(codes)), depth, g, k)


class _Emitter:
    """Emits code for sympy expressions given the values bound to their symbols.

    One method per node type; an unknown node raises InvalidArgument.
    """

    def __init__(self, code: _Code, names: dict[sympy.Symbol, _Val], where: str) -> None:
        self.code = code
        self.names = names
        self.where = where
        self.memo: dict[sympy.Expr, _Val] = {}

    def emit(self, expr: sympy.Expr) -> _Val:
        """The value of ``expr``: where it is held, its depth and scale."""
        hit = self.memo.get(expr)
        if hit is None:
            hit = self._dispatch(expr)
            self.memo[expr] = hit
        return hit

    def _dispatch(self, expr: sympy.Expr) -> _Val:
        if isinstance(expr, sympy.Symbol):
            return self._symbol(expr)
        if expr.is_Number:
            return self.code.constant(expr)
        if isinstance(expr, sympy.Add):
            return self._nary(expr, " + ")
        if isinstance(expr, sympy.Mul):
            return self._nary(expr, " * ")
        if isinstance(expr, sympy.Pow):
            return self._pow(expr)
        if isinstance(expr, (sympy.Max, sympy.Min)):
            return self._minmax(expr)
        if isinstance(expr, sympy.Abs):
            arg = self.emit(expr.args[0])
            return _Val(self.code.assign(f"abs({arg.code})"), arg.depth, arg.g, arg.k)
        raise InvalidArgument(
            f"{self.where} contains {type(expr).__name__} ({expr}); numeric cross-checks support "
            "+, *, non-negative integer powers, Max, Min and Abs of numbers and symbols"
        )

    def _symbol(self, sym: sympy.Symbol) -> _Val:
        if sym not in self.names:
            raise InvalidArgument(f"{self.where} contains the symbol {sym}, which is not a parameter of the network")
        return self.names[sym]

    def _nary(self, expr: sympy.Expr, op: str) -> _Val:
        parts = [self.emit(a) for a in expr.args]
        return self.code.combine(parts, op, max(p.depth for p in parts) + len(parts) - 1)

    def _pow(self, expr: sympy.Pow) -> _Val:
        base, exp = expr.args
        if not (exp.is_Integer and int(exp) >= 0):
            raise InvalidArgument(
                f"{self.where} contains the power {expr}; numeric cross-checks support only "
                "non-negative integer exponents"
            )
        k = int(exp)
        val = self.emit(base)
        if k == 0:
            return _Val("(1)", 0)
        if k == 1:
            return val
        return self.code.combine([val] * k, " * ", val.depth + k - 1)

    def _minmax(self, expr: sympy.Expr) -> _Val:
        parts = [self.emit(a) for a in expr.args]
        fn = "_min" if isinstance(expr, sympy.Min) and self.code.mode != "abs" else "_max"
        codes, g, k = self.code.common(parts)
        nested = codes[0]
        for c in codes[1:]:  # binary calls, so numpy's elementwise maximum/minimum can stand in
            nested = f"{fn}({nested}, {c})"
        return _Val(self.code.assign(nested), max(p.depth for p in parts), g, k)


def _source(code: _Code, name: str, outputs: Sequence[_Val]) -> str:
    body = "\n".join(code.lines)
    returns = "(" + "".join(f"{o.code}, " for o in outputs) + ")"
    return f"def {name}(v, x, P):\n{body}\n    return {returns}\n"


def _compile(source: str, name: str, constants: dict[str, Any], vector: bool = False) -> Callable[..., Any]:
    """Compile generated source; ``vector=True`` makes max/min numpy's elementwise ones."""
    namespace = dict(constants)
    if vector:
        namespace.update(_max=np.maximum, _min=np.minimum)
    else:
        namespace.update(_max=max, _min=min)
    exec(compile(source, f"<symnet {name}>", "exec"), namespace)  # noqa: S102 -- our own generated code
    function: Callable[..., Any] = namespace[name]
    return function


def _bind(code: _Code, source: str, count: int) -> list[_Val]:
    return [_Val(code.assign(f"{source}[{i}]"), 0, 1, 1) for i in range(count)]


def _affine_rows(
    code: _Code, emitter: _Emitter, matrix: sympy.ImmutableMatrix, offset: sympy.ImmutableMatrix, u: Sequence[_Val]
) -> list[_Val]:
    """``offset + matrix u``, row by row, in the order a forward pass computes it."""
    rows = []
    for k in range(matrix.rows):
        terms = [emitter.emit(offset[k])]
        for j in range(matrix.cols):
            w = matrix[k, j]
            if w == 0:
                continue
            wv = emitter.emit(w)
            terms.append(code.combine([wv, u[j]], " * ", max(wv.depth, u[j].depth) + 1))
        rows.append(code.combine(terms, " + ", max(t.depth for t in terms) + len(terms) - 1))
    return rows


class _Compiled:
    """A compiled function of parameter values ``v`` and inputs ``x``.

    In exact mode call it with integer numerators and their common
    denominator ``D`` (1 for integers); it returns ints and Fractions.  In
    float and abs modes call it with floats.  ``depth`` is the longest chain
    of roundings behind any output.
    """

    def __init__(self, code: _Code, name: str, outputs: Sequence[_Val]) -> None:
        self.mode = code.mode
        self.depth = max(o.depth for o in outputs)
        self.scales = [(o.g, o.k) for o in outputs]
        self.max_g = max([code.max_g, *(o.g for o in outputs)])
        self.outputs = len(outputs)
        self._name = name
        self._constants = dict(code.constants)
        self._source = _source(code, name, outputs)
        self.function = _compile(self._source, name, self._constants)
        self._vector: Callable[..., Any] | None = None

    def numerators(self, v: Sequence[int], x: Sequence[int], powers: Sequence[int]) -> tuple[int, ...]:
        """Exact mode: the outputs' integer numerators; output i is ``N_i / (D**g_i * k_i)`` (see :attr:`scales`).

        ``powers`` is ``[1, D, D**2, ...]`` up to at least ``D**max_g``.
        """
        numerators: tuple[int, ...] = self.function(v, x, powers)
        return numerators

    def vectorised(self, v: Any, x: Any) -> tuple[Any, ...]:
        """Float and abs modes: evaluate at many points at once.

        ``v`` and ``x`` are numpy arrays of shape (count, B), one column per
        point; returns one length-B float64 array per output.  numpy's
        elementwise float64 operations round like Python's, in the same
        order, so each column equals the scalar call's result.
        """
        if self.mode == "exact":
            raise InvalidArgument("vectorised evaluation is for the float and abs modes")
        if self._vector is None:
            self._vector = _compile(self._source, self._name, self._constants, vector=True)
        batch = (v.shape[1],) if v.ndim == 2 and v.shape[0] else (x.shape[1],)
        return tuple(np.broadcast_to(np.asarray(o, dtype=float), batch) for o in self._vector(v, x, None))

    def __call__(self, v: Sequence[Any], x: Sequence[Any], D: int = 1) -> tuple[Any, ...]:
        if self.mode != "exact":
            values: tuple[Any, ...] = self.function(v, x, None)
            return values
        powers = [1]
        for _ in range(self.max_g):
            powers.append(powers[-1] * D)
        out = []
        for n, (g, k) in zip(self.function(v, x, powers), self.scales, strict=True):
            den = powers[g] * k
            out.append(n if den == 1 else Fraction(n, den))
        return tuple(out)


class CompiledForward(_Compiled):
    """The network's forward pass, layer by layer, as compiled code (parameters in ``net.parameters`` order)."""

    def __init__(self, net: Network, mode: str) -> None:
        if mode not in _MODES:
            raise InvalidArgument(f"mode={mode!r} must be one of {_MODES}")
        code = _Code(mode)
        params = dict(zip(net.parameters, _bind(code, "v", len(net.parameters)), strict=True))
        u = _bind(code, "x", net.p)
        emitter = _Emitter(code, params, "the network")
        for index, layer in enumerate(net.layers):
            z = _affine_rows(code, emitter, layer.weights, layer.biases, u)
            act = layer.activation
            if not act.is_identity:
                where = f"the activation of layer {index + 1} ({act.label()})"
                z = [_Emitter(code, {**params, act.variable: zk}, where).emit(act.expr) for zk in z]
            u = z
        super().__init__(code, "forward", u)


class CompiledClaim(_Compiled):
    """A claimed linear form ``matrix x + offset`` whose entries are expressions in the parameters."""

    def __init__(
        self,
        matrix: sympy.ImmutableMatrix,
        offset: sympy.ImmutableMatrix,
        parameters: Sequence[sympy.Symbol],
        mode: str,
    ) -> None:
        if mode not in _MODES:
            raise InvalidArgument(f"mode={mode!r} must be one of {_MODES}")
        code = _Code(mode)
        params = dict(zip(parameters, _bind(code, "v", len(parameters)), strict=True))
        x = _bind(code, "x", matrix.cols)
        emitter = _Emitter(code, params, "the claim")
        super().__init__(code, "claim", _affine_rows(code, emitter, matrix, offset, x))


@functools.lru_cache(maxsize=32)
def compile_forward(net: Network, mode: str) -> CompiledForward:
    """The compiled forward pass of ``net`` in ``mode`` (``exact``, ``float`` or ``abs``).

    Cached (networks are immutable), so repeated checks of one network,
    as in a Hypothesis test that replays examples, compile it once.
    """
    return CompiledForward(net, mode)


def compile_claim(
    matrix: sympy.ImmutableMatrix, offset: sympy.ImmutableMatrix, parameters: Sequence[sympy.Symbol], mode: str
) -> CompiledClaim:
    """The compiled claim ``matrix x + offset`` in ``mode`` (cached like :func:`compile_forward`)."""
    return _compile_claim(sympy.ImmutableMatrix(matrix), sympy.ImmutableMatrix(offset), tuple(parameters), mode)


@functools.lru_cache(maxsize=32)
def _compile_claim(
    matrix: sympy.ImmutableMatrix, offset: sympy.ImmutableMatrix, parameters: tuple[sympy.Symbol, ...], mode: str
) -> CompiledClaim:
    return CompiledClaim(matrix, offset, parameters, mode)


@functools.lru_cache(maxsize=32)
def compile_entries(exprs: tuple[sympy.Expr, ...], parameters: tuple[sympy.Symbol, ...], mode: str) -> CompiledEntries:
    """The compiled :class:`CompiledEntries` (cached like :func:`compile_forward`)."""
    return CompiledEntries(exprs, parameters, mode)


class CompiledEntries(_Compiled):
    """Expressions in the parameters (e.g. a network's weight entries), evaluated together."""

    def __init__(self, exprs: Sequence[sympy.Expr], parameters: Sequence[sympy.Symbol], mode: str) -> None:
        if mode not in _MODES:
            raise InvalidArgument(f"mode={mode!r} must be one of {_MODES}")
        code = _Code(mode)
        params = dict(zip(parameters, _bind(code, "v", len(parameters)), strict=True))
        emitter = _Emitter(code, params, "the network")
        super().__init__(code, "entries", [emitter.emit(e) for e in exprs])
