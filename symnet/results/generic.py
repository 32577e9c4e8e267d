"""``GenericProof``: the collapse of a network of symbolic size, for every size, and its concrete instances.

``proof.instantiate(p=5, h=2)`` gives the concrete :class:`~symnet.Proof`
for those sizes, with the same symbol names as ``symnet.dense(5, [2])``.
"""

from __future__ import annotations

import json
import numbers
from collections.abc import Mapping
from typing import Any

import sympy

from .. import codegen
from ..certificate import Certificate, Claim, Step
from ..errors import InvalidArgument
from ..interop import coq
from ..kernel.generic import affine_coefficients
from ..model import display
from ..model.generic import GenericCertificate, GenericNetwork, GenericStep, Lin, MatAtom, ones
from ..model.generic_build import explicit
from ..model.generic_selftest import STATEMENTS
from ..model.network import Network, input_symbols
from ..model.size import EXPAND_LIMIT, estimate_monomials
from ..render import _latex, _markdown, _text
from ..render._derivation import Derivation, without_rules
from ..render._reference import cited
from ..render.generic import GenericDerivation
from ..render.generic import lin_tex_claim as _lin_tex_claim
from ..render.generic import lin_txt as _lin_txt
from . import _documents
from ._generic_codec import GENERIC_FORMAT, to_data
from .proof import Proof

__all__ = ["GENERIC_FORMAT", "GenericProof", "instantiate_network", "matrix_expr", "matrix_symbol"]


# ------------------------------------------------------- concrete instances
def _entry(stem: str, node: int | None, index: int, layer: int | None) -> sympy.Symbol:
    """The entry names of :func:`symnet.dense` (see its module docstring)."""
    sup = f"^{{({layer})}}" if layer is not None else ""
    if node is None:
        return sympy.Symbol(f"{stem}{sup}_{index}" if not sup else f"{stem}{sup}_{{{index}}}")
    return sympy.Symbol(f"{stem}{sup}_{{{node},{index}}}")


def _sizes_from(net: GenericNetwork, values: Mapping[str, Any]) -> dict[sympy.Symbol, int]:
    names = {s.name: s for s in net.size_symbols}
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise InvalidArgument(
            f"{unknown[0]}={values[unknown[0]]!r}: the network has no size named {unknown[0]!r} "
            f"(sizes: {sorted(names)})"
        )
    missing = sorted(set(names) - set(values))
    if missing:
        raise InvalidArgument(
            f"missing a value for the size {missing[0]!r}: give one keyword per size ({sorted(names)})"
        )
    out = {}
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < 1:
            raise InvalidArgument(f"{name}={value!r} must be a positive integer")
        out[names[name]] = int(value)
    return out


def _explicit_atoms(
    net: GenericNetwork, sizes: Mapping[sympy.Symbol, int]
) -> tuple[list[int], dict[str, sympy.ImmutableMatrix]]:
    subs = {k: sympy.Integer(v) for k, v in sizes.items()}
    widths = [int(sympy.sympify(s).xreplace(subs)) for s in net.sizes]
    L, q = net.depth, widths[-1]
    atoms: dict[str, sympy.ImmutableMatrix] = {"x": sympy.ImmutableMatrix(input_symbols(widths[0]))}
    for l in range(1, L + 2):
        rows, cols = widths[l], widths[l - 1]
        is_output = l == L + 1
        stem, tag = ("c", None) if is_output and L > 0 else ("b", (l if L >= 2 else None))
        single = is_output and q == 1
        weights = [[_entry(stem, None if single else k + 1, j + 1, tag) for j in range(cols)] for k in range(rows)]
        atoms[net.weight(l).name] = sympy.ImmutableMatrix(rows, cols, [e for row in weights for e in row])
        atoms[net.bias(l).name] = sympy.ImmutableMatrix(
            rows, 1, [_entry(stem, None if single else k + 1, 0, tag) for k in range(rows)]
        )
    return widths, atoms


def instantiate_network(net: GenericNetwork, **sizes: int) -> Network:
    """The concrete network for the given sizes, named as :func:`symnet.dense` names it."""
    values = _sizes_from(net, sizes)
    widths, atoms = _explicit_atoms(net, values)
    L = net.depth
    weights = [atoms[net.weight(l).name] for l in range(1, L + 2)]
    biases = [atoms[net.bias(l).name] for l in range(1, L + 2)]
    return Network.from_matrices(weights, biases, list(net.activations), inputs=input_symbols(widths[0]))


# ------------------------------------------------------- sympy MatrixExpr
def matrix_symbol(atom: MatAtom, *, identifiers: bool = False) -> sympy.MatrixExpr:
    """The sympy matrix of an atom: ``OneMatrix(n, 1)`` for ``1_n``, else a ``MatrixSymbol`` named by its LaTeX.

    The names are the ones derivations print (``B``, ``C``, ``B^{(2)}``,
    ``b_0``, ``c_0``; ``x`` for the input), or with ``identifiers=True`` the
    same as identifiers (``B2``, :func:`symnet.codegen.identifier`), which
    ``sympy.lambdify`` needs for matrix arguments; the shape is the atom's
    own, in size symbols.

    >>> import symnet
    >>> net = symnet.dense("p", ["h"])
    >>> matrix_symbol(net.weight(1)), matrix_symbol(net.weight(1)).shape
    (B, (h, p))
    """
    if atom == ones(atom.rows):
        return sympy.OneMatrix(atom.rows, atom.cols)
    name = atom.tex or atom.name
    return sympy.MatrixSymbol(codegen.identifier(name) if identifiers else name, atom.rows, atom.cols)


def matrix_expr(lin: Lin, *, identifiers: bool = False) -> sympy.MatrixExpr:
    """A generic proof's matrix expression (:class:`~symnet.model.generic.Lin`) as a sympy ``MatrixExpr``.

    The same sum of products, over :func:`matrix_symbol` of each atom, with
    the symbolic shape ``rows x cols``; substituting sizes and then concrete
    matrices for the ``MatrixSymbol`` matrices and calling ``doit()`` gives
    the concrete product.  An empty sum is a ``ZeroMatrix``.  ``identifiers``
    names the matrices as :func:`matrix_symbol` does.
    """
    if not lin.terms:
        return sympy.ZeroMatrix(lin.rows, lin.cols)
    parts = [
        coeff * sympy.MatMul(*(matrix_symbol(a, identifiers=identifiers) for a in word)) for word, coeff in lin.terms
    ]
    return parts[0] if len(parts) == 1 else sympy.MatAdd(*parts)


# ------------------------------------------------------------------- proof
class GenericProof(display.Displayable, display_key="generic_proof"):
    """A proof that a network of symbolic size computes ``W* x + b*``, for every size.

    ``matrix`` (W*, q x p) and ``offset`` (b*, q x 1) are matrix expressions
    (:class:`~symnet.kernel.generic.Lin`) in the layers' matrices;
    ``check()`` re-derives every step with :mod:`symnet.kernel.generic`;
    ``instantiate(p=..., h=...)`` gives the concrete :class:`~symnet.Proof`.
    """

    __slots__ = ("certificate",)

    def __init__(self, certificate: GenericCertificate) -> None:
        self.certificate = certificate

    @property
    def network(self) -> GenericNetwork:
        return self.certificate.network

    @property
    def steps(self) -> tuple[GenericStep, ...]:
        return self.certificate.steps

    @property
    def matrix(self) -> Lin:
        """W* as a matrix expression (q x p)."""
        return self.certificate.matrix

    @property
    def offset(self) -> Lin:
        """b* as a matrix expression (q x 1)."""
        return self.certificate.offset

    def as_matrix_expr(self, *, identifiers: bool = False) -> tuple[sympy.MatrixExpr, sympy.MatrixExpr]:
        """``(W*, b*)`` as sympy matrix expressions (``MatrixSymbol`` matrices of symbolic shape, :func:`matrix_expr`).

        Each layer's matrices are ``MatrixSymbol`` matrices named as the derivation
        prints them (:func:`matrix_symbol`), or as identifiers with
        ``identifiers=True`` (``sympy.lambdify`` takes only identifiers as
        matrix arguments); ``1_n`` is ``OneMatrix(n, 1)``.

        >>> import symnet, sympy
        >>> W, b = symnet.prove(symnet.dense("p", ["h"])).as_matrix_expr()
        >>> W, W.shape, b
        (C*B, (1, p), C*b_0 + c_0)
        """
        return matrix_expr(self.matrix, identifiers=identifiers), matrix_expr(self.offset, identifiers=identifiers)

    @property
    def size_symbols(self) -> tuple[sympy.Symbol, ...]:
        """The symbolic sizes; ``instantiate`` takes one keyword per symbol."""
        return self.network.size_symbols

    def check(self) -> bool:
        """Re-derive every step with the generic kernel: True, or CertificateError naming step and rule."""
        return _documents.check(self.certificate)

    def claim_text(self) -> str:
        """The claim ``ŷ = W* x + b*`` as one line of text."""
        return f"ŷ = {_lin_txt(self.matrix)} x + {_lin_txt(self.offset)}"

    def instantiate(self, **sizes: int) -> Proof:
        """The concrete Proof for these sizes (one keyword per size symbol).

        Every step of the generic certificate is made explicit: the output
        row, one factor per hidden layer, and the claim W*, b* (written out
        when small enough, else left as the product of the factors).  The
        generic certificate is checked first (CertificateError if it does
        not check), so no concrete proof is handed out for a forged claim.
        """
        self.check()
        net = self.network
        values = _sizes_from(net, sizes)
        concrete = instantiate_network(net, **sizes)
        _, atoms = _explicit_atoms(net, values)
        steps = []
        for step in self.steps:
            if step.rule == "read_output_layer":
                steps.append(Step("read_output_layer", layer=step.layer, matrix=explicit(step.value, values, atoms)))
            elif step.rule == "substitute_layer":
                a, d = affine_coefficients(net.activations[step.layer - 1])  # type: ignore[misc]
                steps.append(
                    Step(
                        "substitute_layer",
                        layer=step.layer,
                        slope=a,
                        intercept=d,
                        matrix=explicit(step.value, values, atoms),
                    )
                )
        steps.append(Step("conclude_linear_form"))
        shape = (concrete.q, concrete.p)
        if estimate_monomials(concrete) <= EXPAND_LIMIT:
            matrix = explicit(self.matrix, values, atoms).applyfunc(sympy.expand)
            offset = explicit(self.offset, values, atoms).applyfunc(sympy.expand)
            claim = Claim(
                "explicit", shape, ("layerwise",), sympy.ImmutableMatrix(matrix), sympy.ImmutableMatrix(offset)
            )
        else:
            claim = Claim("product", shape, ("layerwise",))
        meta = {"instantiated_from": repr(net), "sizes": {s.name: v for s, v in values.items()}}
        return Proof(Certificate(concrete, tuple(steps), claim, meta))

    # ------------------------------------------------------------ renderers
    def derivation(self, fmt: str = "text", *, rules: bool = True, reference: bool = True) -> Derivation:
        """The format-neutral derivation (sections of prose and displays); ``rules=False`` drops the rule tags,
        ``reference=False`` every mention of the blog post the notation follows."""
        d = cited(reference, GenericDerivation(self, fmt, STATEMENTS, affine_coefficients).build)
        return d if rules else without_rules(d)

    def to_text(self, *, rules: bool = True, reference: bool = True) -> str:
        """The derivation as plain Unicode text."""
        return _text.render(self.derivation("text", rules=rules, reference=reference))

    def to_markdown(self, *, rules: bool = True, reference: bool = True) -> str:
        """The derivation as Markdown with ``$…$`` math."""
        return _markdown.render(self.derivation("latex", rules=rules, reference=reference))

    def to_latex(self, *, document: bool = False, rules: bool = True, reference: bool = True) -> str:
        """The derivation as LaTeX; ``document=True`` gives a document that compiles with pdflatex."""
        return _latex.render(self.derivation("latex", rules=rules, reference=reference), document=document)

    def _repr_latex_(self) -> str:
        return "$" + _lin_tex_claim(self) + "$"

    def to_coq(self, *, standalone: bool = True) -> str:
        """A Coq file stating the collapse for every size, proved from the generic rules (:mod:`symnet.interop.coq`)."""
        return coq.generic_to_coq(self.certificate, standalone=standalone)

    def to_json(self) -> str:
        """The generic certificate as deterministic JSON (format ``symnet-generic-certificate``)."""
        return json.dumps(to_data(self.certificate), separators=(",", ":"), ensure_ascii=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> GenericProof:
        """Load a generic certificate; CertificateError if malformed.  Call ``check()`` to verify it."""
        return cls(_documents.read(text, "generic"))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GenericProof) and self.certificate == other.certificate

    def __hash__(self) -> int:
        return hash(self.certificate)

    def __repr__(self) -> str:
        return f"GenericProof({self.network!r}, steps=[{', '.join(s.rule for s in self.steps)}])"
