"""Activations: named ones and one-variable ``sympy.Lambda`` functions, read from what users write.

Every activation is held as a one-variable :class:`sympy.Lambda`
(:class:`~symnet.model.core.Activation`), so the network, the engine and the
kernel all apply it the same way: by substituting an expression for its
variable.  Symbols in the body other than the variable (``a`` and ``d`` in
``Lambda(t, a*t + d)``) are the activation's *parameters*; they become
parameters of every network that uses it.  :func:`activation` reads a user's
specification (a name, a Lambda with float coefficients); the kernel never
loads it.

>>> import sympy
>>> from symnet.model.activations import activation
>>> activation("relu")
Activation('relu', Lambda(t, Max(0, t)))
>>> activation("identity")(sympy.Symbol("z") + 1)
z + 1
"""

from __future__ import annotations

from typing import TypeAlias

import sympy

from ..conversion import exact_floats
from ..errors import ActivationError, InvalidArgument, InvalidType
from . import display  # noqa: F401  (gives Activation and Layer their display hooks)
from .core import NAMED_ACTIVATIONS, Activation

__all__ = ["NAMED_ACTIVATIONS", "Activation", "ActivationSpec", "activation"]

_T = sympy.Symbol("t")  # the variable of the named formulas


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
