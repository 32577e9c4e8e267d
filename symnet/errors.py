"""The exception hierarchy: one root, argument errors that are also builtins.

Every error symnet raises on purpose is a :class:`SymnetError`.  Errors about
the arguments a caller passed also subclass :class:`ValueError` or
:class:`TypeError`, so ``except ValueError`` keeps working in user code.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ActivationError",
    "CertificateError",
    "CoqExportError",
    "ExactLPError",
    "IllFormed",
    "OverBudget",
    "InvalidArgument",
    "InvalidType",
    "LogitsWarning",
    "MissingDependency",
    "NotLinearError",
    "ProofNotFound",
    "ShapeError",
    "SizeGuardError",
    "SymnetError",
    "UndecidedError",
    "UnknownName",
    "UnsupportedModelError",
]


class SymnetError(Exception):
    """Root of every exception symnet raises on purpose."""


class InvalidArgument(SymnetError, ValueError):
    """An argument has the right type but a value symnet cannot accept."""


class InvalidType(SymnetError, TypeError):
    """An argument has a type symnet cannot accept."""


class ShapeError(InvalidArgument):
    """Matrix or vector shapes do not fit together; the message names both."""


class ActivationError(InvalidArgument):
    """An activation is unknown or is not a function of one variable."""


class SizeGuardError(SymnetError, ValueError):
    """Work refused up front because its estimated size exceeds a guard.

    ``estimate`` is the estimated size (for example a monomial count) and
    ``limit`` the guard it exceeds.
    """

    def __init__(self, message: str, *, estimate: int, limit: int) -> None:
        super().__init__(message)
        self.estimate = estimate
        self.limit = limit


class CertificateError(SymnetError):
    """A certificate is malformed or one of its steps does not check.

    ``step`` is the index of the offending step (``None`` when the defect is
    not in a step, e.g. in the document's header) and ``rule`` the name of
    the rule that step cites.
    """

    def __init__(self, message: str, *, step: int | None = None, rule: str | None = None) -> None:
        where = []
        if step is not None:
            where.append(f"step {step}")
        if rule is not None:
            where.append(f"rule {rule!r}")
        prefix = f"{', '.join(where)}: " if where else ""
        super().__init__(prefix + message)
        self.step = step
        self.rule = rule


class IllFormed(CertificateError):
    """A document (or a Python-built certificate) breaks a well-formedness rule of the kernel's gate."""

    def __init__(self, message: str) -> None:
        super().__init__(f"ill-formed: {message}")


class OverBudget(IllFormed):
    """A check the kernel refuses up front: its estimated work ``estimate`` is past the kernel's limit."""

    def __init__(self, message: str, *, estimate: int) -> None:
        super().__init__(message)
        self.estimate = estimate


class CoqExportError(SymnetError, ValueError):
    """The object cannot be exported to Coq (unsupported expression, route or size)."""


class ExactLPError(SymnetError, ArithmeticError):
    """The exact polyhedral computation gave an answer that failed its own verification; no answer is given."""


class NotLinearError(SymnetError):
    """The network's output is not a linear (affine) form in its inputs.

    ``counterexample`` holds the exact refutation when one is known,
    ``layer`` the index of the first layer whose activation is not affine.
    """

    def __init__(self, message: str, *, counterexample: Any = None, layer: int | None = None) -> None:
        super().__init__(message)
        self.counterexample = counterexample
        self.layer = layer


class UndecidedError(SymnetError):
    """Neither a proof nor a counterexample was found: the question stays open.

    ``prove`` raises it when an activation is not affine and no other route
    applies; ``refute`` when it can neither show linearity nor find a witness.
    """


class LogitsWarning(UserWarning):
    """An imported network is a classifier's logits: its output activation is left out."""


#: The old name of :class:`UndecidedError` (``symnet.ProofNotFound``): the same class.
ProofNotFound = UndecidedError


class UnsupportedModelError(InvalidArgument):
    """A model to import has a layer or operator symnet does not translate.

    ``layer`` names it (``"Conv2d"``, ``"Softmax"``), ``position`` says where
    (``"layer 3"``, ``"node 2 ('gemm_1')"``); nothing is silently skipped.
    """

    def __init__(self, message: str, *, layer: str | None = None, position: str | None = None) -> None:
        super().__init__(message)
        self.layer = layer
        self.position = position



class UnknownName(InvalidArgument, KeyError):
    """A name (of a parameter) the object does not have; the message lists the closest names it has.

    A ``KeyError`` and a ``ValueError``; its text is the message, not a quoted repr.
    """

    __str__ = Exception.__str__


class MissingDependency(SymnetError, ImportError):
    """An optional library a feature needs is not installed (``name``); the message names the extra to install."""
