"""The network as the kernel reads it: an immutable stack of exact affine layers with activations.

A network with inputs ``x = (x_1, ..., x_p)`` and layers ``1 .. L+1``
computes::

    u_0 = x
    z_l = W_l u_{l-1} + b_l          (l = 1 .. L+1)
    u_l = sigma_l(z_l)               (hidden layers l = 1 .. L)
    output = z_{L+1}                 (the output layer is linear)

``W_l`` has shape (width of layer l) x (width of layer l-1).

:class:`NetworkData` is the form every document reader builds and every
checker accepts: exact entries (numbers over QQ, or sympy expressions with no
Float), activations as one-variable Lambdas, and the structural rules checked
once at construction.  The user-facing :class:`symnet.Network`
(:mod:`symnet.model.network`: coercion of user input, evaluation, display,
builders) is a subclass, outside the trusted base; a checker accepts either.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import flint
import sympy
from sympy.polys.matrices.sdm import SDM

from ..errors import InvalidArgument, InvalidType, ShapeError
from .symbols import flat_entries

__all__ = ["NAMED_ACTIVATIONS", "Activation", "Layer", "NetworkData", "check_structure", "shape_of"]

_T = sympy.Symbol("t")

#: The activations symnet knows by name, each as its formula in ``t``.
NAMED_ACTIVATIONS: dict[str, sympy.Expr] = {
    "identity": _T,
    "linear": _T,
    "relu": sympy.Max(0, _T),
    "leaky_relu": sympy.Max(sympy.Rational(1, 100) * _T, _T),
    "tanh": sympy.tanh(_T),
    "sigmoid": 1 / (1 + sympy.exp(-_T)),
    "softplus": sympy.log(1 + sympy.exp(_T)),
    "square": _T**2,
    "cube": _T**3,
}


@dataclass(frozen=True)
class Activation:
    """An activation function: a name (or ``None``) and a one-variable Lambda."""

    name: str | None
    function: sympy.Lambda

    @property
    def variable(self) -> sympy.Symbol:
        """The Lambda's bound variable."""
        return self.function.variables[0]

    @property
    def expr(self) -> sympy.Expr:
        """The body of the Lambda, a formula in :attr:`variable`."""
        return self.function.expr

    @property
    def parameters(self) -> tuple[sympy.Symbol, ...]:
        """Free symbols of the body other than the variable, sorted by name."""
        free = self.expr.free_symbols - {self.variable}
        return tuple(sorted(free, key=lambda s: s.name))

    @property
    def is_identity(self) -> bool:
        """True when the activation is exactly ``t -> t``."""
        return bool(self.expr == self.variable)

    def __call__(self, arg: sympy.Expr) -> sympy.Expr:
        """Apply the activation to a sympy expression or number."""
        return self.expr.xreplace({self.variable: sympy.sympify(arg)}) if not self.is_identity else arg

    def label(self) -> str:
        """A short human name: the registered name or the Lambda's text."""
        return self.name if self.name is not None else str(self.function)


_IDENTITY = Activation("identity", sympy.Lambda(_T, _T))


def shape_of(m: Any) -> tuple[int, int]:
    """The shape of a stored matrix (a python-flint ``fmpq_mat``, a sparse ``SDM`` or a sympy matrix); (-1, -1),
    which fits nothing, when its ``shape`` is not a pair of ints (an SDM's is a plain attribute, anything)."""
    shape = (m.nrows(), m.ncols()) if isinstance(m, flint.fmpq_mat) else getattr(m, "shape", None)
    return shape if type(shape) is tuple and len(shape) == 2 and all(type(n) is int for n in shape) else (-1, -1)


@dataclass(frozen=True, eq=False)
class Layer:
    """One affine layer ``z = W u + b`` followed by its activation.

    ``activation`` is applied to ``z``; it is the identity for the output layer.
    The layer stores ``W`` and ``b`` in their exact form: numbers as a
    python-flint ``fmpq_mat``, or as sympy's sparse ``SDM`` over QQ whose
    values are ``fmpq`` (a convolution: ``{row: {column: nonzero value}}``);
    entries with symbols as sympy ImmutableMatrices.  The kernel reads the
    stored form; :attr:`weights` and :attr:`biases` show every layer as sympy
    matrices (for numbers, a view made on first request by
    :mod:`symnet.model.exact`, whose ``qq_dense`` gives a stored matrix as a
    dense ``fmpq_mat`` to numeric code outside the kernel).
    """

    stored_weights: Any
    stored_biases: Any
    activation: Activation = _IDENTITY

    def _shown(self, m: Any) -> sympy.ImmutableMatrix:
        if isinstance(m, sympy.MatrixBase):
            return m
        # The sympy view of stored numbers is display, for users and renderers: no checker asks for it, so the
        # module that makes it (which imports nothing of this one) loads only when one is asked for.
        from .exact import view

        return view(m)

    @cached_property
    def weights(self) -> sympy.ImmutableMatrix:
        """The weights as a sympy ImmutableMatrix (for numbers, made on first request)."""
        return self._shown(self.stored_weights)

    @cached_property
    def biases(self) -> sympy.ImmutableMatrix:
        """The biases as a one-column sympy ImmutableMatrix (for numbers, made on first request)."""
        return self._shown(self.stored_biases)

    @property
    def width(self) -> int:
        """Number of nodes in this layer (rows of ``weights``)."""
        return shape_of(self.stored_weights)[0]

    @property
    def fan_in(self) -> int:
        """Number of inputs to this layer (columns of ``weights``)."""
        return shape_of(self.stored_weights)[1]

    @property
    def is_numeric(self) -> bool:
        """True when every weight and bias is a number (stored over QQ)."""
        return not isinstance(self.stored_weights, sympy.MatrixBase) and not isinstance(
            self.stored_biases, sympy.MatrixBase
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Layer):
            return NotImplemented
        return bool(
            self.activation == other.activation and self.weights == other.weights and self.biases == other.biases
        )

    def __hash__(self) -> int:
        return hash((self.weights, self.biases, self.activation))


def check_structure(inputs: Any, layers: Any) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """``inputs`` and ``layers`` as tuples, once they follow the structural rules of a network: at least one input
    and one layer, commutative input symbols with distinct names, symnet Layers of sympy matrices that fit one
    another.

    InvalidArgument, InvalidType or ShapeError otherwise.  :class:`NetworkData` applies the rules when it is
    made, and the kernel's gate again when it reads one (a checker trusts no constructor: a frozen dataclass is
    still changed by ``object.__setattr__``).
    """
    if not layers:
        raise InvalidArgument("a network needs at least one layer (the output layer)")
    if not inputs:
        raise InvalidArgument("a network needs at least one input")
    inputs, layers = tuple(inputs), tuple(layers)  # a tuple stays the same object
    for j, s in enumerate(inputs):
        if not isinstance(s, sympy.Symbol) or not s.is_commutative:
            raise InvalidArgument(f"inputs[{j}]={s!r} is not a commutative symbol")
    if len({s.name for s in inputs}) != len(inputs):  # names identify symbols in documents and messages
        raise InvalidArgument(f"inputs={inputs} has repeated symbols: the inputs need distinct names")
    previous = len(inputs)
    for index, layer in enumerate(layers):
        if not isinstance(layer, Layer):
            raise InvalidType(f"layers[{index}] is a {type(layer).__name__}, not a symnet Layer")
        for what, m in (("weights", layer.stored_weights), ("biases", layer.stored_biases)):
            if not isinstance(m, (sympy.MatrixBase, flint.fmpq_mat, SDM)):
                raise InvalidType(f"{what}[{index}] is a {type(m).__name__}, not a sympy or python-flint matrix")
        (rows, cols), bias = shape_of(layer.stored_weights), shape_of(layer.stored_biases)
        if cols != previous:
            raise ShapeError(
                f"weights[{index}] has shape {(rows, cols)} but its input has "
                f"{previous} entries: weights[{index}] needs {previous} columns"
            )
        if bias != (rows, 1):
            raise ShapeError(
                f"biases[{index}] has shape {bias[0]} but weights[{index}] has "
                f"shape {(rows, cols)}: biases[{index}] needs {rows} entries"
            )
        previous = rows
    return inputs, layers


@dataclass(frozen=True, eq=False)
class NetworkData:
    """A feed-forward network as plain, exact data: its input symbols and its layers.

    Built by the document readers (and, through its subclass
    :class:`symnet.Network`, by users).  Only the structure is checked at
    construction (layers that fit, a linear output layer,
    commutative input symbols with distinct names): what the entries and activations may hold is
    the gate's to check (:mod:`symnet.kernel.gate`), before any checker reads
    them, and :class:`symnet.Network` checks it for users.  Two networks are
    equal when their inputs and layers are, whichever class holds them.
    """

    inputs: tuple[sympy.Symbol, ...]
    layers: tuple[Layer, ...]

    def __post_init__(self) -> None:
        inputs, layers = check_structure(self.inputs, self.layers)
        object.__setattr__(self, "inputs", inputs)
        object.__setattr__(self, "layers", layers)
        if not self.layers[-1].activation.is_identity:
            raise InvalidArgument("the output layer of a network is linear: its activation must be the identity")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NetworkData):
            return NotImplemented
        return self.inputs == other.inputs and self.layers == other.layers

    def __hash__(self) -> int:
        return hash((self.inputs, self.layers))

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
            if layer.is_numeric:
                continue  # exact numbers over QQ (an imported model): no symbol to collect
            w, b, n = flat_entries(layer.weights), flat_entries(layer.biases), layer.fan_in
            for entry in (e for k in range(layer.width) for e in (b[k], *w[k * n : (k + 1) * n])):
                if entry.is_Symbol:
                    seen.setdefault(entry, None)
                elif not entry.is_Number:
                    for s in sorted(entry.free_symbols, key=sympy.default_sort_key):
                        seen.setdefault(s, None)
        extra = {s for act in self.activations for s in act.parameters} - set(seen) - set(self.inputs)
        seen.update(dict.fromkeys(sorted(extra, key=lambda s: s.name)))
        return tuple(seen)
