"""Activations: named ones and one-variable ``sympy.Lambda`` functions.

Every activation is held as a one-variable :class:`sympy.Lambda`, so the
network, the engine and the kernel all apply it the same way: by
substituting an expression for its variable.  Symbols in the body other than
the variable (``a`` and ``d`` in ``Lambda(t, a*t + d)``) are the activation's
*parameters*; they become parameters of every network that uses it.

>>> import sympy
>>> from symnet.model.activations import activation
>>> activation("relu")
Activation('relu', Lambda(t, Max(0, t)))
>>> activation("identity")(sympy.Symbol("z") + 1)
z + 1
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

import sympy

from ..errors import ActivationError, InvalidArgument, InvalidType
from ..numbers import exact_floats
from .display import Displayable

__all__ = ["NAMED_ACTIVATIONS", "Activation", "ActivationSpec", "activation"]

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
class Activation(Displayable, display_key="activation"):
    """An activation function: a name (or ``None``) and a one-variable Lambda."""

    name: str | None
    function: sympy.Lambda

    def __repr__(self) -> str:
        return f"Activation({self.name!r}, {self.function})"

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


ActivationSpec: TypeAlias = str | sympy.Lambda | Activation


def activation(spec: ActivationSpec) -> Activation:
    """Turn a name, a one-variable ``sympy.Lambda`` or an Activation into an Activation.

    Floats in a Lambda's body are replaced by their exact binary values.
    Raises :class:`~symnet.ActivationError` for unknown names and for Lambdas
    of more or fewer than one variable, :class:`~symnet.InvalidType` for
    anything else (plain Python callables and sympy expressions included:
    they do not say which symbol is the variable).
    """
    if isinstance(spec, Activation):
        return spec
    if isinstance(spec, str):
        key = spec.strip().lower()
        if key not in NAMED_ACTIVATIONS:
            known = ", ".join(sorted(NAMED_ACTIVATIONS))
            raise ActivationError(f"unknown activation={spec!r}; known names are {known}")
        canonical = "identity" if key == "linear" else key
        return Activation(canonical, sympy.Lambda(_T, NAMED_ACTIVATIONS[key]))
    if isinstance(spec, sympy.Lambda):
        variables = spec.variables
        if len(variables) != 1 or not isinstance(variables[0], sympy.Symbol):
            raise ActivationError(
                f"activation={spec} must be a function of one variable, "
                f"got {len(variables)} variables {tuple(variables)}"
            )
        body = spec.expr
        if not isinstance(body, sympy.Expr) or isinstance(body, sympy.MatrixBase):
            raise ActivationError(f"activation={spec} must return a scalar expression")
        if body.has(sympy.Float):  # a float coefficient is its exact binary value, as everywhere in symnet
            try:
                spec = sympy.Lambda(variables[0], exact_floats(body, f"activation={spec}"))
            except InvalidArgument as exc:
                raise ActivationError(str(exc)) from None
            body = spec.expr
        name = "identity" if body == variables[0] else None
        return Activation(name, spec)
    raise InvalidType(
        f"activation={spec!r} of type {type(spec).__name__} is neither a name "
        "such as 'identity' or 'relu' nor a one-variable sympy.Lambda"
    )
