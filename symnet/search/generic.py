"""Dimension-generic networks and proofs: the theorem for every p and every width.

``symnet.dense("p", [3])`` or ``symnet.dense("p", ["h"])`` build a
:class:`~symnet.kernel.generic.GenericNetwork` whose sizes are symbols;
``symnet.prove`` on it returns a :class:`GenericProof`, valid for every
positive integer value of the sizes.  The proof works with matrices of
symbolic shape (:mod:`symnet.kernel.generic`): the output row ``[c_0 | C]``,
one augmented factor ``[[1, 0 ... 0], [a b_0 + d 1, a B]]`` per hidden layer,
their products, and the conclusion ``y_hat = W* x + b*``; each step cites a
rule of the generic kernel, which re-derives it.

``proof.instantiate(p=5, h=2)`` gives the concrete :class:`~symnet.Proof`
for those sizes, with the same symbol names as ``symnet.dense(5, [2])``.

>>> import symnet
>>> proof = symnet.prove(symnet.dense("p", ["h"]))
>>> proof.claim_text()
'ŷ = C B x + c_0 + C b_0'
>>> proof.check()
True
>>> proof.instantiate(p=2, h=1).matrix
Matrix([[b_{1,1}*c_1, b_{1,2}*c_1]])
"""

from __future__ import annotations

import json
import numbers
from collections.abc import Mapping
from typing import Any

import sympy

from .. import certificate as _cert
from ..certificate import Certificate, Claim, Step
from ..errors import CertificateError, InvalidArgument, InvalidType, NotLinearError
from ..kernel import gate
from ..kernel import generic as gk
from ..kernel.generic import affine_coefficients
from ..model import generic as gm
from ..model import display
from ..model.activations import Activation
from ..model.generic import (
    Aug,
    GenericCertificate,
    GenericNetwork,
    GenericStep,
    Lin,
    OutRow,
    generic_dense,
    is_size_name,
)
from ..model.network import Network, input_symbols
from ..model.size import EXPAND_LIMIT, estimate_monomials
from ..proof import Proof
from ..render import _latex, _markdown, _text
from ..render._derivation import Derivation, without_rules
from ..render.generic import GenericDerivation
from ..render.generic import lin_tex_claim as _lin_tex_claim
from ..render.generic import lin_txt as _lin_txt

__all__ = [
    "GENERIC_FORMAT",
    "GenericNetwork",
    "GenericProof",
    "generic_dense",
    "is_size_name",
    "prove_generic",
]

GENERIC_FORMAT = "symnet-generic-certificate"
GENERIC_VERSION = 1

# ------------------------------------------------------------------ search
def prove_generic(net: GenericNetwork, *, expand: bool | None = None, limit: int | None = None) -> GenericProof:
    """Prove ``output = W* x + b*`` for every value of the network's symbolic sizes.

    ``expand=True`` is refused (a network of symbolic size has no finite
    expansion; instantiate it first).  Raises NotLinearError when a hidden
    activation is not affine.
    """
    if not isinstance(net, GenericNetwork):
        raise InvalidType(f"net={net!r} of type {type(net).__name__} is not a GenericNetwork")
    if expand is True:
        raise InvalidArgument("expand=True: a network of symbolic size cannot be expanded; use net.instantiate(...) first")
    L = net.depth
    coeffs = [affine_coefficients(a) for a in net.activations]
    for l, c in enumerate(coeffs, start=1):
        if c is None:
            raise NotLinearError(
                f"layer {l}'s activation {net.activations[l - 1].label()} is not affine, so the output is not "
                "linear in x for general sizes; instantiate the sizes and call symnet.refute for a counterexample",
                layer=l,
            )
    row = OutRow(Lin.of(net.bias(L + 1)), Lin.of(net.weight(L + 1)))
    steps = [GenericStep("read_output_layer", L + 1, row)]
    factors: dict[int, Aug] = {}
    for l in range(L, 0, -1):
        a, d = coeffs[l - 1]  # type: ignore[misc]
        v = Lin.of(net.bias(l)).scale(a) + Lin.of(gm.ones(net.sizes[l])).scale(d)
        factors[l] = Aug(v, Lin.of(net.weight(l)).scale(a))
        steps.append(GenericStep("substitute_layer", l, factors[l]))
    acc = factors.get(1)
    for l in range(2, L + 1):
        top = factors[l]
        acc = Aug(top.v + top.M @ acc.v, top.M @ acc.M)  # type: ignore[union-attr]
        steps.append(GenericStep("multiply_augmented", l, acc))
    final = row
    if L:
        assert acc is not None
        final = OutRow(row.c + row.C @ acc.v, row.C @ acc.M)
        steps.append(GenericStep("apply_output_row", L + 1, final))
    steps.append(GenericStep("conclude_linear_form", L + 1, (final.C, final.c)))
    steps.append(GenericStep("factor_rank", 0, tuple(net.sizes)))
    return GenericProof(GenericCertificate(net, tuple(steps), final.C, final.c))


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
        raise InvalidArgument(f"{unknown[0]}={values[unknown[0]]!r}: the network has no size named {unknown[0]!r} (sizes: {sorted(names)})")
    missing = sorted(set(names) - set(values))
    if missing:
        raise InvalidArgument(f"missing a value for the size {missing[0]!r}: give one keyword per size ({sorted(names)})")
    out = {}
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < 1:
            raise InvalidArgument(f"{name}={value!r} must be a positive integer")
        out[names[name]] = int(value)
    return out


def _explicit_atoms(net: GenericNetwork, sizes: Mapping[sympy.Symbol, int]) -> tuple[list[int], dict[str, sympy.ImmutableMatrix]]:
    widths = [int(s.xreplace({k: sympy.Integer(v) for k, v in sizes.items()})) for s in net.sizes]
    L, q = net.depth, widths[-1]
    atoms: dict[str, sympy.ImmutableMatrix] = {"x": sympy.ImmutableMatrix(input_symbols(widths[0]))}
    for l in range(1, L + 2):
        rows, cols = widths[l], widths[l - 1]
        is_output = l == L + 1
        stem, tag = ("c", None) if is_output and L > 0 else ("b", (l if L >= 2 else None))
        single = is_output and q == 1
        atoms[net.weight(l).name] = sympy.ImmutableMatrix(
            rows, cols, lambda k, j: _entry(stem, None if single else k + 1, j + 1, tag)
        )
        atoms[net.bias(l).name] = sympy.ImmutableMatrix(rows, 1, lambda k, _j: _entry(stem, None if single else k + 1, 0, tag))
    return widths, atoms


def instantiate_network(net: GenericNetwork, **sizes: int) -> Network:
    """The concrete network for the given sizes, named as :func:`symnet.dense` names it."""
    values = _sizes_from(net, sizes)
    widths, atoms = _explicit_atoms(net, values)
    L = net.depth
    weights = [atoms[net.weight(l).name] for l in range(1, L + 2)]
    biases = [atoms[net.bias(l).name] for l in range(1, L + 2)]
    return Network.from_matrices(weights, biases, list(net.activations), inputs=input_symbols(widths[0]))


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

    @property
    def size_symbols(self) -> tuple[sympy.Symbol, ...]:
        """The symbolic sizes; ``instantiate`` takes one keyword per symbol."""
        return self.network.size_symbols

    def check(self) -> bool:
        """Re-derive every step with the generic kernel: True, or CertificateError naming step and rule."""
        return gk.check(self.certificate)

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
                steps.append(Step("read_output_layer", layer=step.layer, matrix=gm.explicit(step.value, values, atoms)))
            elif step.rule == "substitute_layer":
                a, d = affine_coefficients(net.activations[step.layer - 1])  # type: ignore[misc]
                steps.append(Step("substitute_layer", layer=step.layer, slope=a, intercept=d, matrix=gm.explicit(step.value, values, atoms)))
        steps.append(Step("conclude_linear_form"))
        shape = (concrete.q, concrete.p)
        if estimate_monomials(concrete) <= EXPAND_LIMIT:
            matrix = gm.explicit(self.matrix, values, atoms).applyfunc(sympy.expand)
            offset = gm.explicit(self.offset, values, atoms).applyfunc(sympy.expand)
            claim = Claim("explicit", shape, ("layerwise",), sympy.ImmutableMatrix(matrix), sympy.ImmutableMatrix(offset))
        else:
            claim = Claim("product", shape, ("layerwise",))
        meta = {"instantiated_from": repr(net), "sizes": {s.name: v for s, v in values.items()}}
        return Proof(Certificate(concrete, tuple(steps), claim, meta))

    # ------------------------------------------------------------ renderers
    def derivation(self, fmt: str = "text", *, rules: bool = True) -> Derivation:
        """The format-neutral derivation (sections of prose and displays); ``rules=False`` drops the rule tags."""
        d = GenericDerivation(self, fmt, gk.RULES, affine_coefficients).build()
        return d if rules else without_rules(d)

    def to_text(self, *, rules: bool = True) -> str:
        """The derivation as plain Unicode text."""
        return _text.render(self.derivation("text", rules=rules))

    def to_markdown(self, *, rules: bool = True) -> str:
        """The derivation as Markdown with ``$…$`` math."""
        return _markdown.render(self.derivation("latex", rules=rules))

    def to_latex(self, *, document: bool = False, rules: bool = True) -> str:
        """The derivation as LaTeX; ``document=True`` gives a document that compiles with pdflatex."""
        return _latex.render(self.derivation("latex", rules=rules), document=document)

    def _repr_latex_(self) -> str:
        return "$" + _lin_tex_claim(self) + "$"

    def to_coq(self, *, standalone: bool = True) -> str:
        """A Coq file stating the collapse for every size, proved from the generic rules (see :mod:`symnet.interop.coq`)."""
        from ..interop import coq

        return coq.generic_to_coq(self.certificate, standalone=standalone)

    def to_json(self) -> str:
        """The generic certificate as deterministic JSON (format ``symnet-generic-certificate``)."""
        return json.dumps(_to_data(self.certificate), separators=(",", ":"), ensure_ascii=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> GenericProof:
        """Load a generic certificate; CertificateError if malformed.  Call ``check()`` to verify it."""
        data = _cert.load_json(text, "generic certificate")
        try:
            return cls(_from_data(data))
        except CertificateError:
            raise
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
            raise CertificateError(f"malformed generic certificate: {type(exc).__name__}: {exc}") from None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GenericProof) and self.certificate == other.certificate

    def __hash__(self) -> int:
        return hash(self.certificate)

    def __repr__(self) -> str:
        return f"GenericProof({self.network!r}, steps=[{', '.join(s.rule for s in self.steps)}])"


# -------------------------------------------------------------------- JSON
def _size_data(s: sympy.Expr) -> int | str:
    return int(s) if s.is_Integer else s.name


def _lin_data(x: Lin, enc: Any) -> dict[str, Any]:
    return {
        "shape": [_size_data(x.rows), _size_data(x.cols)],
        "terms": [[[a.name for a in word], enc.ref(coeff)] for word, coeff in x.terms],
    }


def _value_data(v: Any, enc: Any) -> dict[str, Any]:
    if isinstance(v, Aug):
        return {"aug": [_lin_data(v.v, enc), _lin_data(v.M, enc)]}
    if isinstance(v, OutRow):
        return {"outrow": [_lin_data(v.c, enc), _lin_data(v.C, enc)]}
    if isinstance(v, tuple) and v and isinstance(v[0], Lin):
        return {"pair": [_lin_data(v[0], enc), _lin_data(v[1], enc)]}
    return {"sizes": [_size_data(s) for s in v]}


def _to_data(cert: GenericCertificate) -> dict[str, Any]:
    enc = _cert.ExpressionWriter()
    net = cert.network
    acts = [{"name": a.name, "variable": a.variable.name, "expr": enc.ref(a.expr)} for a in net.activations]
    steps = [{"rule": s.rule, "layer": s.layer, "value": _value_data(s.value, enc)} for s in cert.steps]
    claim = {"matrix": _lin_data(cert.matrix, enc), "offset": _lin_data(cert.offset, enc)}
    return {
        "format": GENERIC_FORMAT,
        "version": GENERIC_VERSION,
        "expressions": enc.nodes,
        "network": {"sizes": [_size_data(s) for s in net.sizes], "activations": acts},
        "steps": steps,
        "claim": claim,
    }


def _bad(message: str) -> CertificateError:
    return CertificateError(f"malformed generic certificate: {message}")


def _from_data(data: Any) -> GenericCertificate:
    if not isinstance(data, dict) or set(data) != {"format", "version", "expressions", "network", "steps", "claim"}:
        raise _bad("expected an object with format, version, expressions, network, steps, claim")
    _cert.check_version(data, GENERIC_VERSION, "generic certificate")
    if data["format"] != GENERIC_FORMAT:
        raise _bad(f"format {data['format']!r} version {data['version']!r} is not {GENERIC_FORMAT!r} version {GENERIC_VERSION}")
    dec = _cert.ExpressionReader(data["expressions"])
    nd = data["network"]
    if not isinstance(nd, dict) or set(nd) != {"sizes", "activations"}:
        raise _bad("network must have sizes and activations")

    def size(v: Any) -> sympy.Expr:
        if isinstance(v, str):
            if not is_size_name(v):
                raise _bad(f"{v[:40]!r} is not a size name")
            return gm.size_symbol(v)
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise _bad(f"size {v!r} is not a positive integer")
        return sympy.Integer(v)

    if not isinstance(nd["sizes"], list) or not isinstance(nd["activations"], list):
        raise _bad("network.sizes and network.activations must be lists")
    sizes = tuple(size(v) for v in nd["sizes"])
    acts = []
    for i, ad in enumerate(nd["activations"]):
        if not isinstance(ad, dict) or set(ad) != {"name", "variable", "expr"}:
            raise _bad(f"activation {i} must have name, variable, expr")
        if not (ad["name"] is None or isinstance(ad["name"], str)):
            raise _bad(f"activation {i} has a bad name")
        var = sympy.Symbol(_cert.codec._name(ad["variable"], f"activation {i}.variable"))
        acts.append(Activation(ad["name"], sympy.Lambda(var, dec.ref(ad["expr"], f"activation {i}"))))
    try:
        net = GenericNetwork(sizes, tuple(acts))
    except gm.ShapeError as exc:
        raise _bad(f"network: {exc}") from None
    known = net.atoms()

    def atom(name: Any) -> gm.MatAtom:
        if isinstance(name, str) and name in known:
            return known[name]
        if isinstance(name, str) and name.startswith("1[") and name.endswith("]"):
            return gm.ones(size(int(name[2:-1]) if name[2:-1].isdigit() else name[2:-1]))
        raise _bad(f"unknown matrix {str(name)[:40]!r}")

    def lin(d: Any) -> Lin:
        if not isinstance(d, dict) or set(d) != {"shape", "terms"} or not isinstance(d["terms"], list):
            raise _bad("a matrix expression must have shape and terms")
        rows, cols = (size(v) for v in d["shape"])
        total = Lin.zero(rows, cols)
        for term in d["terms"]:
            if not isinstance(term, list) or len(term) != 2 or not isinstance(term[0], list) or not term[0]:
                raise _bad("a term is [[matrix names...], coefficient]")
            prod = Lin.of(atom(term[0][0]))
            for name in term[0][1:]:
                prod = prod @ Lin.of(atom(name))
            coeff = gate.exact(dec.ref(term[1], "term coefficient"), "a term coefficient")
            gate.guard(coeff, "a term coefficient")
            total = total + prod.scale(coeff)
        return total

    def value(d: Any) -> Any:
        if not isinstance(d, dict) or len(d) != 1:
            raise _bad("a step value is one of aug, outrow, pair, sizes")
        (kind, body), = d.items()
        if kind == "sizes":
            return tuple(size(v) for v in body)
        if not isinstance(body, list) or len(body) != 2:
            raise _bad(f"{kind} takes two matrix expressions")
        a, b = lin(body[0]), lin(body[1])
        if kind == "aug":
            return Aug(a, b)
        if kind == "outrow":
            return OutRow(a, b)
        if kind == "pair":
            return (a, b)
        raise _bad(f"unknown step value kind {kind!r}")

    if not isinstance(data["steps"], list):
        raise _bad("steps must be a list")
    steps = []
    for i, sd in enumerate(data["steps"]):
        if not isinstance(sd, dict) or set(sd) != {"rule", "layer", "value"}:
            raise _bad(f"steps[{i}] must have rule, layer, value")
        if sd["rule"] not in gm.STEP_RULES or isinstance(sd["layer"], bool) or not isinstance(sd["layer"], int):
            raise _bad(f"steps[{i}] cites unknown rule {str(sd['rule'])[:40]!r} or has a bad layer")
        steps.append(GenericStep(sd["rule"], sd["layer"], value(sd["value"])))
    cd = data["claim"]
    if not isinstance(cd, dict) or set(cd) != {"matrix", "offset"}:
        raise _bad("claim must have matrix and offset")
    return GenericCertificate(net, tuple(steps), lin(cd["matrix"]), lin(cd["offset"]))
