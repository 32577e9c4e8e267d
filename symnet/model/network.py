"""The network model: an immutable stack of affine layers with activations.

A network with inputs ``x = (x_1, ..., x_p)`` and layers ``1 .. L+1``
computes::

    u_0 = x
    z_l = W_l u_{l-1} + b_l          (l = 1 .. L+1)
    u_l = sigma_l(z_l)               (hidden layers l = 1 .. L)
    output = z_{L+1}                 (the output layer is linear)

``W_l`` has shape (width of layer l) x (width of layer l-1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import sympy

from ..errors import ActivationError, InvalidArgument, InvalidType, ShapeError
from . import display, forward
from .activations import Activation, ActivationSpec, activation
from .coerce import coerce_entry, coerce_matrix, coerce_vector, exact_matrix_of, symbol_from_name
from .exact import is_rational_matrix, qq_matrix
from .symbols import flat_entries, symbol_matrix

__all__ = ["Layer", "Network", "input_symbols"]

_IDENTITY = activation("identity")


_NON_FINITE_ATOMS = (sympy.S.NaN, sympy.S.Infinity, sympy.S.NegativeInfinity, sympy.S.ComplexInfinity)


def _check_entries(layer: Layer, index: int) -> None:
    """Every weight and bias is a finite, commutative scalar expression (InvalidArgument naming the entry)."""
    for what, m in (("weights", layer.weights), ("biases", layer.biases)):
        if not isinstance(m, sympy.MatrixBase):
            raise InvalidType(f"{what}[{index}] is a {type(m).__name__}, not a sympy matrix")
        if is_rational_matrix(m):  # held over QQ or ZZ: finite commutative numbers by construction
            continue
        cols = m.cols
        for n, e in enumerate(m.flat()):
            if isinstance(e, (sympy.Symbol, sympy.Rational)):
                continue
            where = f"{what}[{index}][{n // cols}][{n % cols}]" if what == "weights" else f"{what}[{index}][{n}]"
            if not isinstance(e, sympy.Expr):
                raise InvalidType(f"{where}={e!r} is not a scalar expression")
            if e in _NON_FINITE_ATOMS or e.has(*_NON_FINITE_ATOMS) or (e.is_Float and not e.is_finite):
                raise InvalidArgument(f"{where}={e} is not finite")
            if not e.is_commutative:
                raise InvalidArgument(f"{where}={e} is not commutative")


def input_symbols(p: int) -> tuple[sympy.Symbol, ...]:
    """The blog post's input symbols ``x_1, ..., x_p``."""
    return tuple(sympy.Symbol(f"x_{j}") for j in range(1, p + 1))


@dataclass(frozen=True)
class Layer(display.Displayable, display_key="layer"):
    """One affine layer ``z = W u + b`` followed by its activation.

    ``activation`` is applied to ``z``; it is the identity for the output layer.
    ``weights`` and ``biases`` are sympy ImmutableMatrices; when every entry
    is a number, :attr:`qq_weights` and :attr:`qq_biases` give the same
    matrices as python-flint ``fmpq_mat`` (exact, no sympy object made).
    """

    weights: sympy.ImmutableMatrix
    biases: sympy.ImmutableMatrix
    activation: Activation = _IDENTITY

    @property
    def width(self) -> int:
        """Number of nodes in this layer (rows of ``weights``)."""
        return int(self.weights.rows)

    @property
    def fan_in(self) -> int:
        """Number of inputs to this layer (columns of ``weights``)."""
        return int(self.weights.cols)

    def augmented(self) -> sympy.ImmutableMatrix:
        """The blog post's ``[b | W]``: row k is ``(b_k, W_{k,1}, ..., W_{k,n})``."""
        if self.is_numeric:
            return sympy.ImmutableMatrix.hstack(self.biases, self.weights)  # exact, over QQ
        n = self.fan_in
        w, b = flat_entries(self.weights), flat_entries(self.biases)
        flat = [e for k in range(self.width) for e in (b[k], *w[k * n : (k + 1) * n])]
        return symbol_matrix(flat, self.width, n + 1)

    @cached_property
    def qq_weights(self) -> Any:
        """``weights`` as a python-flint ``fmpq_mat`` when every entry is a number, else None.

        The exact accessor for numeric code: no sympy object is made.  The
        matrix is shared; do not modify it.
        """
        return qq_matrix(self.weights)

    @cached_property
    def qq_biases(self) -> Any:
        """``biases`` as a python-flint ``fmpq_mat`` (one column) when every entry is a number, else None."""
        return qq_matrix(self.biases)

    @property
    def is_numeric(self) -> bool:
        """True when every weight and bias is a number (held exactly over QQ)."""
        return is_rational_matrix(self.weights) and is_rational_matrix(self.biases)


def _exact_layer(layer: Layer, index: int) -> Layer:
    """The layer with every numeric entry exact (numbers over QQ, Floats at their binary values)."""
    if not isinstance(layer, Layer):
        raise InvalidType(f"layers[{index}] is a {type(layer).__name__}, not a symnet Layer")
    for what, m in (("weights", layer.weights), ("biases", layer.biases)):
        if not isinstance(m, sympy.MatrixBase):
            raise InvalidType(f"{what}[{index}] is a {type(m).__name__}, not a sympy matrix")
    w = exact_matrix_of(layer.weights, f"weights[{index}]")
    b = exact_matrix_of(layer.biases, f"biases[{index}]")
    if w is layer.weights and b is layer.biases:
        return layer
    return Layer(w, b, layer.activation)


def _hidden_activations(spec: ActivationSpec | Sequence[ActivationSpec], hidden: int) -> tuple[Activation, ...]:
    if isinstance(spec, (list, tuple)):
        if len(spec) != hidden:
            raise InvalidArgument(
                f"activation is a list of {len(spec)} activations but the network has "
                f"{hidden} hidden layers; give one per hidden layer, or a single one for all"
            )
        return tuple(activation(s) for s in spec)
    one = activation(spec)
    return (one,) * hidden


@dataclass(frozen=True)
class Network(display.Displayable, display_key="network"):
    """A feed-forward network whose weights are exact: rationals over QQ, or polynomials in symbols.

    Every numeric entry is an exact rational from construction, whatever the
    route (a float is its exact binary value: ``0.1`` is
    ``3602879701896397/36028797018963968``); a layer whose entries are all
    numbers is held over QQ (python-flint underneath, see
    :attr:`Layer.qq_weights`); no sympy ``Float`` survives in a Network.
    Build one with :func:`symnet.dense` or :meth:`Network.from_matrices`.
    Networks are immutable and hashable; two networks are equal when their
    inputs and layers are.

    >>> import symnet
    >>> net = symnet.Network.from_matrices([[[1, 2]], [[3]]], [[0], [1]])
    >>> net.output
    (3*x_1 + 6*x_2 + 1,)
    >>> net.evaluate([1, 1])
    (10,)
    """

    inputs: tuple[sympy.Symbol, ...]
    layers: tuple[Layer, ...]

    def __post_init__(self) -> None:
        if not self.layers:
            raise InvalidArgument("a network needs at least one layer (the output layer)")
        if not self.inputs:
            raise InvalidArgument("a network needs at least one input")
        if not isinstance(self.inputs, tuple):
            object.__setattr__(self, "inputs", tuple(self.inputs))
        object.__setattr__(self, "layers", tuple(_exact_layer(layer, i) for i, layer in enumerate(self.layers)))
        if len(set(self.inputs)) != len(self.inputs):
            raise InvalidArgument(f"inputs={self.inputs} has repeated symbols")
        previous = len(self.inputs)
        for index, layer in enumerate(self.layers):
            if layer.fan_in != previous:
                raise ShapeError(
                    f"weights[{index}] has shape {layer.weights.shape} but its input has "
                    f"{previous} entries: weights[{index}] needs {previous} columns"
                )
            if layer.biases.shape != (layer.width, 1):
                raise ShapeError(
                    f"biases[{index}] has shape {layer.biases.shape[0]} but weights[{index}] has "
                    f"shape {layer.weights.shape}: biases[{index}] needs {layer.width} entries"
                )
            previous = layer.width
        if not self.layers[-1].activation.is_identity:
            raise InvalidArgument("the output layer of a network is linear: its activation must be the identity")
        for j, s in enumerate(self.inputs):
            if not isinstance(s, sympy.Symbol) or not s.is_commutative:
                raise InvalidArgument(f"inputs[{j}]={s!r} is not a commutative symbol")
        for index, layer in enumerate(self.layers):
            _check_entries(layer, index)
        weight_symbols = self._weight_symbols()
        for s in sorted(weight_symbols, key=lambda s: s.name):
            if not s.is_commutative:
                raise InvalidArgument(f"the weight symbol {s} is not commutative; symnet's algebra is commutative")
        input_set = set(self.inputs)
        for index, layer in enumerate(self.layers):
            act = layer.activation
            params = set(act.parameters)
            bad = params & input_set
            if bad:
                raise ActivationError(
                    f"layer {index + 1}'s activation {act.function} mentions the input(s) "
                    f"{', '.join(sorted(s.name for s in bad))}; "
                    "an activation depends only on its variable and its own parameters"
                )
            if any(not s.is_commutative for s in act.expr.free_symbols):
                raise ActivationError(f"layer {index + 1}'s activation {act.function} has a non-commutative symbol")
            if act.expr.has(*_NON_FINITE_ATOMS):
                raise ActivationError(f"layer {index + 1}'s activation {act.function} is not finite")
        every = set(self.inputs) | weight_symbols
        for layer in self.layers:
            every |= set(layer.activation.parameters)
        if len({sym.name for sym in every}) != len(every):
            seen: dict[str, int] = {}
            for sym in every:
                seen[sym.name] = seen.get(sym.name, 0) + 1
            name = min(n for n, count in seen.items() if count > 1)
            raise InvalidArgument(
                f"two different symbols are named {name!r} (different assumptions?); "
                "names must identify symbols, or certificates and derivations would confuse them"
            )
        clash = set(self.inputs) & weight_symbols
        if clash:
            names = ", ".join(sorted(s.name for s in clash))
            raise InvalidArgument(f"symbols {names} are used both as inputs and as weights")

    # ------------------------------------------------------------------ build
    @classmethod
    def from_matrices(
        cls,
        weights: Sequence[Any],
        biases: Sequence[Any] | None,
        activation: ActivationSpec | Sequence[ActivationSpec] = "identity",
        *,
        inputs: Sequence[str | sympy.Symbol] | None = None,
    ) -> Network:
        """Build a network from explicit weight matrices and bias vectors.

        ``weights[l]`` has shape (width of layer l) x (width of layer l-1), the
        first one (h_1 x p); the last matrix is the linear output layer, so a
        single matrix is a network with no hidden layer.  ``biases[l]`` is a
        vector of layer l's width (``None`` means all biases are zero).
        Entries may be ints, ``Fraction``, sympy numbers or expressions,
        floats, symbol names, nested lists or numpy arrays (any int or float
        dtype; booleans and complex numbers are refused), or a mix.  Every
        number is stored exactly (a float at its binary value); NaN and
        infinities are refused with InvalidArgument naming the entry.
        ``activation`` applies to every hidden layer (or give a list, one per
        hidden layer).  ``inputs`` names the inputs (default ``x_1 .. x_p``).
        """
        if isinstance(weights, (str, bytes)) or not isinstance(weights, Sequence) and not hasattr(weights, "__len__"):
            raise InvalidType(f"weights must be a sequence of matrices, got {type(weights).__name__}")
        mats = [coerce_matrix(w, f"weights[{i}]") for i, w in enumerate(weights)]
        if not mats:
            raise InvalidArgument("weights is empty; a network needs at least the output layer's matrix")
        if biases is None:
            vecs = [sympy.ImmutableMatrix.zeros(m.rows, 1) for m in mats]
        else:
            if isinstance(biases, (str, bytes)) or not hasattr(biases, "__len__"):
                raise InvalidType(f"biases must be a sequence of vectors, got {type(biases).__name__}")
            if len(biases) != len(mats):
                raise ShapeError(f"there are {len(mats)} weight matrices but {len(biases)} bias vectors")
            vecs = [coerce_vector(b, f"biases[{i}]") for i, b in enumerate(biases)]
        for i, (w, b) in enumerate(zip(mats, vecs, strict=True)):
            if b.rows != w.rows:
                raise ShapeError(
                    f"biases[{i}] has {b.rows} entries but weights[{i}] has shape {w.shape}: "
                    f"biases[{i}] needs {w.rows} entries"
                )
        for i in range(1, len(mats)):
            if mats[i].cols != mats[i - 1].rows:
                raise ShapeError(
                    f"weights[{i}] has shape {mats[i].shape} but weights[{i - 1}] has shape "
                    f"{mats[i - 1].shape}: weights[{i}] needs {mats[i - 1].rows} columns"
                )
        p = mats[0].cols
        if inputs is None:
            xs = input_symbols(p)
        else:
            if isinstance(inputs, (str, bytes)) or len(inputs) != p:
                raise ShapeError(f"inputs={inputs!r} must name {p} inputs (weights[0] has shape {mats[0].shape})")
            xs = tuple(
                s if isinstance(s, sympy.Symbol) else symbol_from_name(s, f"inputs[{j}]") for j, s in enumerate(inputs)
            )
        acts = _hidden_activations(activation, len(mats) - 1) + (_IDENTITY,)
        layers = tuple(Layer(w, b, a) for w, b, a in zip(mats, vecs, acts, strict=True))
        return cls(xs, layers)

    @classmethod
    def _built(
        cls, inputs: tuple[sympy.Symbol, ...], layers: tuple[Layer, ...], parameters: tuple[sympy.Symbol, ...]
    ) -> Network:
        """A network from parts a symnet builder made valid by construction, without re-checking them.

        Only builders call this (:func:`symnet.dense`): distinct well-named
        symbols, consistent shapes, identity output layer, ``parameters`` in
        the documented order.  Everything else goes through ``__init__``.
        """
        net = object.__new__(cls)
        object.__setattr__(net, "inputs", inputs)
        object.__setattr__(net, "layers", layers)
        net.__dict__["parameters"] = parameters  # the cached_property's value
        return net

    # ------------------------------------------------------------- structure
    @property
    def p(self) -> int:
        """Number of inputs."""
        return len(self.inputs)

    @property
    def q(self) -> int:
        """Number of outputs."""
        return self.layers[-1].width

    @property
    def hidden(self) -> tuple[int, ...]:
        """Widths of the hidden layers (empty for a single linear node layer)."""
        return tuple(layer.width for layer in self.layers[:-1])

    @property
    def depth(self) -> int:
        """Number of hidden layers L."""
        return len(self.layers) - 1

    @property
    def activations(self) -> tuple[Activation, ...]:
        """The activation of each hidden layer."""
        return tuple(layer.activation for layer in self.layers[:-1])

    def _weight_symbols(self) -> set[sympy.Symbol]:
        free: set[sympy.Symbol] = set()
        for layer in self.layers:
            for m in (layer.weights, layer.biases):
                if not is_rational_matrix(m):  # exact numbers over QQ have no symbols: skip the scan
                    free |= m.free_symbols
        return free

    @cached_property
    def parameters(self) -> tuple[sympy.Symbol, ...]:
        """Every symbol the output depends on besides the inputs, in a fixed order.

        Order: layer by layer from the input side; within a layer node by node;
        within a node its bias first, then its weights by input (the rows of
        the blog post's augmented matrix ``[b | W]``), each symbol at its first
        appearance; last, the activations' own coefficients, sorted by name.
        """
        seen: dict[sympy.Symbol, None] = {}
        for layer in self.layers:
            if is_rational_matrix(layer.weights) and is_rational_matrix(layer.biases):
                continue  # exact numbers over QQ (an imported model): no symbol to collect
            for entry in layer.augmented():
                if entry.is_Symbol:
                    seen.setdefault(entry, None)
                elif not entry.is_Number:
                    for s in sorted(entry.free_symbols, key=sympy.default_sort_key):
                        seen.setdefault(s, None)
        extra = set()
        for act in self.activations:
            extra |= set(act.parameters)
        for s in sorted(extra - set(seen) - set(self.inputs), key=lambda s: s.name):
            seen.setdefault(s, None)
        return tuple(seen)

    @property
    def is_numeric(self) -> bool:
        """True when no weight, bias or activation coefficient is a symbol."""
        return not self.parameters

    # ------------------------------------------------------------- semantics
    @cached_property
    def output(self) -> tuple[sympy.Expr, ...]:
        """One sympy expression per output, unexpanded, as the network computes it."""
        return tuple(forward.exact_forward(self.layers, self.inputs, {}))

    def evaluate(
        self,
        x: Sequence[Any],
        weights: Mapping[sympy.Symbol | str, Any] | None = None,
        *,
        exact: bool = True,
    ) -> tuple[Any, ...]:
        """The network's outputs at input ``x`` with the given parameter values.

        ``weights`` maps every symbol in :attr:`parameters` (or its name) to a
        number.  By default (``exact=True``) every number is read exactly (a
        float at its binary value) and the result is exact: sympy
        ``Rational``\\s when every activation maps rationals to rationals (the
        same values ``symnet.regions``, ``symnet.bound`` and ``prove`` work
        with), exact symbolic numbers such as ``tanh(1/2)`` otherwise.

        ``exact=False`` is a float evaluation: every weight, bias, input and
        parameter value is rounded to the nearest double, each layer's affine
        step is computed in float64 (as numpy would) and each activation is
        evaluated at double precision; the result is a tuple of Python
        floats.  It agrees with the exact outputs up to floating-point
        rounding (typically a relative 1e-12 or better for trained networks),
        and no error bound is claimed: use the exact evaluation to decide
        anything.
        """
        if isinstance(x, (str, bytes)) or not hasattr(x, "__len__"):
            raise InvalidType(f"x must be a sequence of {self.p} numbers, got {type(x).__name__}")
        if len(x) != self.p:
            raise ShapeError(f"x has {len(x)} entries but the network has {self.p} inputs")
        if not isinstance(exact, bool):
            raise InvalidType(f"exact={exact!r} must be True or False")
        point = [coerce_entry(v, f"x[{j}]") for j, v in enumerate(x)]
        for j, v in enumerate(point):
            if v.free_symbols:
                raise InvalidArgument(f"x[{j}]={v} is not a number")
        subs = self._parameter_values(weights)
        if exact:
            return tuple(forward.exact_forward(self.layers, point, subs))
        return tuple(forward.float_forward(self.layers, point, subs))

    def _parameter_values(self, weights: Mapping[Any, Any] | None) -> dict[sympy.Symbol, sympy.Expr]:
        given: dict[sympy.Symbol, sympy.Expr] = {}
        by_name = {s.name: s for s in self.parameters}
        for key, value in (weights or {}).items():
            sym = by_name.get(key) if isinstance(key, str) else key
            if sym is None or sym not in by_name.values():
                raise InvalidArgument(f"weights names {key!r}, which is not a parameter of this network")
            val = coerce_entry(value, f"weights[{sym.name!r}]")
            if val.free_symbols:
                raise InvalidArgument(f"weights[{sym.name!r}]={val} is not a number")
            given[sym] = val
        missing = [s.name for s in self.parameters if s not in given]
        if missing:
            shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
            raise InvalidArgument(f"weights is missing values for {len(missing)} parameters: {shown}")
        return given

    def __repr__(self) -> str:
        acts = {a.label() for a in self.activations}
        act = acts.pop() if len(acts) == 1 else [a.label() for a in self.activations]
        return f"Network(inputs={self.p}, hidden={list(self.hidden)}, outputs={self.q}, activation={act!r})"

    def size(self) -> int:
        """Number of weight and bias entries."""
        return sum(layer.width * (layer.fan_in + 1) for layer in self.layers)


