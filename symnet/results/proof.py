"""``Proof``: a linear certificate with the claim in reach and a ``check()`` that re-verifies it."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

import sympy

from .. import codegen, render
from ..certificate import Certificate, Step
from ..certificate.writing import dumps
from ..interop import coq
from ..interop import export as _export
from ..model.display import Displayable
from ..model.network import Network, as_network
from . import _documents

__all__ = ["Proof"]


class Proof(Displayable, display_key="proof"):
    """A proof that a network's output equals ``matrix * x + offset``.

    ``matrix`` is W* (q x p) and ``offset`` b* (q x 1), both sympy matrices.
    ``steps`` are the certificate's steps, each naming its rule.  ``check()``
    re-verifies everything with :mod:`symnet.kernel`, trusting nothing the
    engine wrote; ``to_json()`` and :meth:`from_json` round-trip the
    certificate.
    """

    def __init__(self, certificate: Certificate) -> None:
        self.certificate = certificate

    # ------------------------------------------------------------- the claim
    @property
    def network(self) -> Network:
        """The network the proof is about."""
        return as_network(self.certificate.network)

    @property
    def steps(self) -> tuple[Step, ...]:
        """The ordered steps, each with its rule name."""
        return self.certificate.steps

    @property
    def routes(self) -> tuple[str, ...]:
        """The routes the certificate contains: ``layerwise`` and/or ``direct``."""
        return self.certificate.claim.routes

    @property
    def is_explicit(self) -> bool:
        """True when W* and b* are written out (expanded) in the certificate.

        For large symbolic networks they are the product ``C P_L ... P_1`` of
        the steps' factors instead, and :attr:`matrix` builds them as nested,
        unexpanded expressions (printing those in full can be huge).
        """
        return self.certificate.claim.form == "explicit"

    @cached_property
    def _claim(self) -> tuple[sympy.ImmutableMatrix, sympy.ImmutableMatrix]:
        return codegen.linear_form(self.certificate)

    @property
    def matrix(self) -> sympy.ImmutableMatrix:
        """W*, the q x p matrix of the linear form (row i: beta_1..beta_p of output i)."""
        return self._claim[0]

    @property
    def offset(self) -> sympy.ImmutableMatrix:
        """b*, the q x 1 vector of intercepts (beta_0 of each output)."""
        return self._claim[1]

    def as_expr(self) -> tuple[sympy.Expr, ...]:
        """The linear form ``b*_i + sum_j W*_{i,j} x_j``, one expression per output."""
        x = self.network.inputs
        return tuple(
            sympy.Add(self.offset[i], *(sympy.Mul(self.matrix[i, j], x[j]) for j in range(len(x))))
            for i in range(self.matrix.rows)
        )

    # ---------------------------------------------------------- certificate
    def check(self) -> bool:
        """Re-verify every step with the kernel: True, or CertificateError naming step and rule."""
        return _documents.check(self.certificate)

    def to_json(self) -> str:
        """The certificate as JSON text (format in :mod:`symnet.certificate`)."""
        text: str = dumps(self.certificate)
        return text

    @classmethod
    def from_json(cls, text: str | bytes) -> Proof:
        """Load a certificate; CertificateError if malformed.  Call ``check()`` to verify it."""
        return cls(_documents.read(text, "linear"))

    # ------------------------------------------------------------- exports
    def to_sklearn(self) -> object:
        """The collapsed layer as a fitted scikit-learn ``LinearRegression`` (float64); needs ``symnet[sklearn]``."""
        return _export.to_sklearn(self.certificate)

    def to_torch(self, dtype: object = None) -> object:
        """The collapsed layer as a torch ``nn.Linear`` (float32 by default); needs ``symnet[torch]``."""
        return _export.to_torch(self.certificate, dtype)

    def to_onnx(self, dtype: str = "float32") -> object:
        """The collapsed layer as an ONNX model with one ``Gemm``; needs ``symnet[onnx]``."""
        return _export.to_onnx(self.certificate, dtype)

    def export_report(self, exported: object, inputs: object = None, original: object = None) -> _export.ExportReport:
        """Float error of an exported layer vs the exact collapse (and, on ``inputs``, vs ``original``)."""
        return _export.export_report(self.certificate, exported, inputs, original)

    # ---------------------------------------------------------- derivations
    def to_latex(
        self,
        *,
        document: bool = False,
        rules: bool = True,
        explicit: bool = False,
        digits: int | None = render.DEFAULT_DIGITS,
        reference: bool = True,
    ) -> str:
        """The step-by-step derivation as LaTeX (a complete document with ``document=True``).

        ``rules=False`` leaves out the rule tags, ``explicit=True`` writes every
        coefficient out term by term, ``digits`` sets the significant digits of
        rounded numbers (None: exact), ``reference=False`` leaves out the blog
        post the notation follows; see :mod:`symnet.render`.
        """
        return render.to_latex(
            self, document=document, rules=rules, explicit=explicit, digits=digits, reference=reference
        )

    def to_markdown(
        self, *, rules: bool = True, explicit: bool = False, digits: int | None = render.DEFAULT_DIGITS,
        reference: bool = True,
    ) -> str:
        """The derivation as Markdown with ``$...$`` math (options as :meth:`to_latex`)."""
        return render.to_markdown(self, rules=rules, explicit=explicit, digits=digits, reference=reference)

    def to_text(
        self, *, rules: bool = True, explicit: bool = False, digits: int | None = render.DEFAULT_DIGITS,
        reference: bool = True,
    ) -> str:
        """The derivation as plain text (options as :meth:`to_latex`)."""
        return render.to_text(self, rules=rules, explicit=explicit, digits=digits, reference=reference)

    # --------------------------------------------------------- code generation
    def lambdify(self, modules: str | list[object] | None = None) -> Callable[..., tuple[Any, ...]]:
        """A function computing ``W* x + b*`` (see :func:`symnet.codegen.lambdify`).

        Its arguments are the inputs, then :attr:`Network.parameters`, named as
        :func:`symnet.codegen.identifiers` names them (``b_{1,0}`` -> ``b_1_0``).
        """
        return codegen.lambdify(self.certificate, modules)

    def to_python(self, name: str = "f") -> str:
        """The source of a plain, exact Python function computing ``W* x + b*`` (see :mod:`symnet.codegen`)."""
        return codegen.to_python(self.certificate, name)

    def to_coq(self, *, standalone: bool = True) -> str:
        """A Coq file stating and proving the collapse identity layer by layer (see :mod:`symnet.interop.coq`)."""
        return coq.proof_to_coq(self.certificate, standalone=standalone)

    def _repr_latex_(self) -> str:
        return render.repr_latex(self)

    def _latex(self, printer: object = None) -> str:
        return render.latex_claim(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Proof) and self.certificate == other.certificate

    def __hash__(self) -> int:
        return hash(self.certificate)

    def __repr__(self) -> str:
        rules = ", ".join(s.rule for s in self.steps)
        return f"Proof({self.network!r}, steps=[{rules}])"
