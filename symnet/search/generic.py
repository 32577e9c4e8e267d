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
from ..render._derivation import DOTS, VDOTS, A, Derivation, Line, Section
from ..render._math import Atom, Math, Matrix, Row

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
class GenericProof:
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
    def derivation(self, fmt: str = "text") -> Derivation:
        """The format-neutral derivation (sections of prose and displays)."""
        return _GenericDerivation(self, fmt).build()

    def to_text(self) -> str:
        """The derivation as plain Unicode text."""
        return _text.render(self.derivation("text"))

    def to_markdown(self) -> str:
        """The derivation as Markdown with ``$…$`` math."""
        return _markdown.render(self.derivation("latex"))

    def to_latex(self, *, document: bool = False) -> str:
        """The derivation as LaTeX; ``document=True`` gives a document that compiles with pdflatex."""
        return _latex.render(self.derivation("latex"), document=document)

    def _repr_latex_(self) -> str:
        return "$" + _lin_tex_claim(self) + "$"

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


# --------------------------------------------------------------- rendering
def _term_key(word: tuple[gm.MatAtom, ...]) -> tuple[int, tuple[str, ...]]:
    return (len(word), tuple(a.name for a in word))


def _coeff(c: sympy.Expr, fmt: str) -> tuple[bool, str]:
    neg = bool(c.is_number and c < 0)
    mag = -c if neg else c
    if mag == 1:
        return neg, ""
    if fmt == "latex":
        s = sympy.latex(mag)
        return neg, (r"\left(" + s + r"\right) " if mag.is_Add else s + " ")
    s = sympy.sstr(mag)
    return neg, ("(" + s + ") " if mag.is_Add or (mag.is_Rational and not mag.is_Integer) else s + " ")


def _lin_str(x: Lin, fmt: str) -> str:
    if not x.terms:
        return "0"
    out = ""
    for i, (word, c) in enumerate(sorted(x.terms, key=lambda t: _term_key(t[0]))):
        neg, cs = _coeff(c, fmt)
        body = cs + " ".join(a.tex if fmt == "latex" else a.txt for a in word)
        out += ("-" if neg else "") + body if i == 0 else (" - " if neg else " + ") + body
    return out


def _lin_txt(x: Lin) -> str:
    return _lin_str(x, "text")


def _lin_math(x: Lin) -> Atom:
    return Atom(_lin_str(x, "latex"), _lin_str(x, "text"))


def _lin_tex_claim(proof: GenericProof) -> str:
    return r"\hat{y} = " + _lin_str(proof.matrix, "latex") + " x + " + _lin_str(proof.offset, "latex")


def _shapes_tex(shapes: str) -> str:
    """``W: q x m, b: q x 1, scalars a, d`` as LaTeX math."""
    tex = shapes.replace("scalars ", r"\text{scalars } ").replace(": ", r" \colon ").replace(" x ", r" \times ")
    return r"\text{for } " + tex


class _GenericDerivation:
    """The seed's story for general sizes: rows b_{k,0} … b_{k,p}, h rows, the augmented matrix."""

    def __init__(self, proof: GenericProof, fmt: str) -> None:
        self.proof = proof
        self.net = proof.network
        self.fmt = fmt
        self.L = self.net.depth
        self.n = 0
        self.by_rule: dict[str, list[GenericStep]] = {}
        for s in proof.steps:
            self.by_rule.setdefault(s.rule, []).append(s)

    # notation ------------------------------------------------------------
    @staticmethod
    def sz(n: sympy.Expr) -> Atom:
        return Atom(sympy.latex(n), sympy.sstr(n))

    def indices(self, n: sympy.Expr, first: int = 1) -> list[Math]:
        """Index labels first .. n: all of them when few, else the first ones, …, n."""
        if n.is_Integer and int(n) - first + 1 <= 4:
            return [A(str(i)) for i in range(first, int(n) + 1)]
        start = [A(str(first)), A(str(first + 1))] + ([A(str(first + 2))] if first == 0 else [])
        return [*start, DOTS, self.sz(n)]

    @staticmethod
    def ix(i: Math) -> tuple[str, str]:
        assert isinstance(i, Atom)
        return i.tex, i.txt

    def entry(self, stem: str, layer: int | None, k: Math | None, j: Math) -> Math:
        """``b_{k,j}`` (or ``b^{(l)}_{k,j}``), with ``…`` standing for a whole index."""
        if j is DOTS or k is DOTS:
            return DOTS
        sup_t = f"^{{({layer})}}" if layer else ""
        sup_x = f"^({layer})" if layer else ""
        jt, jx = self.ix(j)
        if k is None:
            return Atom(f"{stem}{sup_t}_{{{jt}}}" if len(jt) > 1 or sup_t else f"{stem}_{jt}", f"{stem}{sup_x}_{jx}" if len(jx) == 1 else f"{stem}{sup_x}_{{{jx}}}")
        kt, kx = self.ix(k)
        return Atom(f"{stem}{sup_t}_{{{kt},{jt}}}", f"{stem}{sup_x}_{{{kx},{jx}}}")

    def tag(self, l: int) -> int | None:
        return l if self.L >= 2 else None

    def x(self, j: Math) -> Math:
        return DOTS if j is DOTS else self.entry("x", None, None, j)

    def rows_of(self, stem: str, layer: int | None, rows: sympy.Expr, cols: sympy.Expr, single: bool) -> list[list[Math]]:
        ks = self.indices(rows)
        js = self.indices(cols, first=0)
        out: list[list[Math]] = []
        for k in ks:
            if k is DOTS:
                out.append([VDOTS if j is not DOTS else A("") for j in js])
            else:
                out.append([self.entry(stem, layer, None if single else k, j) for j in js])
        return out

    def sum_line(self, stem: str, layer: int | None, k: Math | None, vars_: list[Math], n: sympy.Expr) -> Math:
        """``b_{k,0} + b_{k,1} v_1 + … + b_{k,n} v_n``."""
        parts: list[Math] = [self.entry(stem, layer, k, A("0"))]
        for j, v in zip(self.indices(n), vars_):
            parts.append(A(" + "))
            parts.append(DOTS if j is DOTS else Row(self.entry(stem, layer, k, j), A(" "), v))
        return Row(*parts)

    def title(self, what: str) -> str:
        self.n += 1
        return f"Step {self.n} ({what})"

    def sizes_phrase(self) -> str:
        syms = [s.name for s in self.net.size_symbols]
        if not syms:
            return "these sizes"
        return "every positive integer " + (syms[0] if len(syms) == 1 else ", ".join(syms[:-1]) + " and " + syms[-1])

    def act(self, l: int) -> tuple[sympy.Expr, sympy.Expr]:
        c = affine_coefficients(self.net.activations[l - 1])
        assert c is not None
        return c

    def identity(self) -> bool:
        return all(self.act(l) == (1, 0) for l in range(1, self.L + 1))

    # sections ------------------------------------------------------------
    def build(self) -> Derivation:
        secs = [self.network_section()]
        if self.L == 0:
            secs.append(self.single_node())
        else:
            secs += [self.node_outputs(), self.matrix_form(), self.output_node()]
            secs += [self.substitute(s) for s in self.by_rule["substitute_layer"]]
            secs += [self.multiply(s) for s in self.by_rule.get("multiply_augmented", [])]
            secs.append(self.collapse(self.by_rule["apply_output_row"][0]))
        secs.append(self.conclusion())
        secs.append(self.rank())
        secs.append(self.rules())
        return Derivation(f"A network with linear activation is a linear regression, for {self.sizes_phrase()}", tuple(secs))

    def network_section(self) -> Section:
        net = self.net
        xs = Row(*self._commas([self.x(j) for j in self.indices(net.p)]))
        pdesc = Row(A("p = "), self.sz(net.p)) if net.p.is_Integer else Row(self.sz(net.p), A(r"\text{ inputs}", " inputs"))
        before: list[Any] = ["Inputs ", xs, " (", pdesc, "); "]
        if self.L == 0:
            before.append("no hidden layer: a single linear node")
        else:
            ws = Row(*self._commas([self.sz(h) for h in net.hidden]))
            if self.L == 1:
                before += ["one hidden layer of ", ws, " node" + ("" if net.hidden[0] == 1 else "s")]
            else:
                before += [f"{self.L} hidden layers of widths ", ws]
            if self.identity():
                before += [" with the identity activation (the seed's ", A(r"f(a_1, \dots, a_m) = \sum_i a_i", "f(a_1, …, a_m) = Σ_i a_i"), ")"]
            else:
                labels = sorted({a.label() for a in net.activations})
                before.append(" with the affine activation" + ("s " if len(labels) > 1 else " ") + ", ".join(labels))
        before.append(f"; {sympy.sstr(net.q)} linear output node{'s' if net.q != 1 else ''}. ")
        after = [
            "Every size written as a letter is an arbitrary positive integer: the derivation below is one proof for "
            "all of them, checked at the level of matrices of symbolic shape, not at a few sizes."
        ]
        return Section("Network", None, tuple(before), (), tuple(after))

    @staticmethod
    def _commas(items: list[Math]) -> list[Math]:
        out: list[Math] = []
        for i, it in enumerate(items):
            if i:
                out.append(A(", "))
            out.append(it)
        return out

    def single_node(self) -> Section:
        net = self.net
        single = net.q == 1
        xs = [self.x(j) for j in self.indices(net.p)]
        k = None if single else A("i")
        line = Line(A(r"\hat{y}", "ŷ") if single else A(r"\hat{y}_i", "ŷ_i"), "=", self.sum_line("b", None, k, xs, net.p))
        before = ["The single node adds its bias to its weighted inputs (the seed's first network):"]
        after = ["In matrix form ", A(r"\hat{y} = b_0 + B x", "ŷ = b_0 + B x"), ", with B of shape ",
                 Row(self.sz(net.q), A(r" \times ", " × "), self.sz(net.p)), "."]
        return Section(self.title("the node"), "read_output_layer", tuple(before), (line,), tuple(after))

    def hidden_name(self, l: int) -> tuple[str, str]:
        return ("y", "y") if self.L == 1 else (f"y^{{({l})}}", f"y^({l})")

    def yaug(self, l: int) -> Atom:
        """The augmented output ``(1, y)`` of hidden layer l."""
        return A("y^{**}", "y**") if self.L == 1 else Atom(f"y^{{({l})**}}", f"y^({l})**")

    def hy(self, l: int, k: Math) -> Math:
        """Output k of hidden layer l (``…`` stays ``…``)."""
        if k is DOTS:
            return DOTS
        yt, yx = self.hidden_name(l)
        kt, kx = self.ix(k)
        return Atom(f"{yt}_{{{kt}}}" if len(kt) > 1 else f"{yt}_{kt}", f"{yx}_{kx}" if len(kx) == 1 else f"{yx}_{{{kx}}}")

    def node_outputs(self) -> Section:
        net = self.net
        lines = []
        for l in range(1, self.L + 1):
            a, d = self.act(l)
            prev = [self.x(j) if l == 1 else self.hy(l - 1, j) for j in self.indices(net.sizes[l - 1])]
            yt, yx = self.hidden_name(l)
            lhs = Atom(f"{yt}_k", f"{yx}_k")
            body = self.sum_line("b", self.tag(l), A("k"), prev, net.sizes[l - 1])
            if (a, d) != (1, 0):
                body = Row(self.sigma(l), A(r"\left(", "("), body, A(r"\right)", ")"))
            ks = Row(*self._commas(self.indices(net.sizes[l])))
            lines.append(Line(lhs, "=", Row(body, A(r", \qquad k = ", ",   k = "), ks, A("."))))
        before = ["Each hidden node adds its bias to the weighted outputs of the layer below"
                  + (" and applies the activation:" if not self.identity() else ":")]
        return Section(self.title("node outputs"), "define_layer", tuple(before), tuple(lines))

    def sigma(self, l: int) -> Atom:
        return A(r"\sigma", "σ") if self.L == 1 else Atom(rf"\sigma_{{{l}}}", f"σ_{l}")

    def matrix_form(self) -> Section:
        net = self.net
        p, h = net.p, net.sizes[1]
        ys = self.indices(h)
        yt, yx = self.hidden_name(1)
        col = Matrix([[VDOTS if k is DOTS else self.hy(1, k)] for k in ys])
        W = Matrix(self.rows_of("b", self.tag(1), h, p, single=False))
        Wn = A("W", "W") if self.L == 1 else Atom(r"W^{(1)}", "W^(1)")
        shape = Row(A(r"\quad (", "   ("), self.sz(h), A(r" \times (", " × ("), self.sz(p), A("+1))", "+1))"))
        lines = (
            Line(Row(A("y^* = " if self.L == 1 else r"y^{(1)*} = ", "y* = " if self.L == 1 else "y^(1)* = "), col), "=", Row(Wn, A(" x^*", " x*"), A(","))),
            Line(Wn, "=", Row(W, shape, A(","))),
            Line(None, "", Row(Wn, A(" = "), A(r"\begin{bmatrix} b_0 & B \end{bmatrix}" if self.L == 1 else r"\begin{bmatrix} b^{(1)}_0 & B^{(1)} \end{bmatrix}", "[ b_0  B ]" if self.L == 1 else "[ b^(1)_0  B^(1) ]"), A("."))),
        )
        xs = Row(*self._commas([A("1")] + [self.x(j) for j in self.indices(p)]))
        before = ["With the augmented input ", Row(A("x^* = (", "x* = ("), xs, A(")^T")), " (a constant 1 first, for the biases), the first layer is one matrix product:"]
        after = ["The matrix ", Wn, " has one row per hidden node: ", self.sz(h), " rows, not ", self.sz(p),
                 "; its first column is the bias column ", A("b_0" if self.L == 1 else "b^{(1)}_0", "b_0" if self.L == 1 else "b^(1)_0"),
                 " and the rest is the weight matrix ", A("B" if self.L == 1 else "B^{(1)}", "B" if self.L == 1 else "B^(1)"), "."]
        return Section(self.title("matrix form, augmented input"), "define_layer", tuple(before), lines, tuple(after))

    def output_node(self) -> Section:
        net = self.net
        hL = net.sizes[self.L]
        yt, yx = self.hidden_name(self.L)
        single = net.q == 1
        ks = self.indices(hL)
        ys = [self.hy(self.L, k) for k in ks]
        cs = Row(*self._commas([self.entry("c", None, None if single else A("i"), j) for j in self.indices(hL)]))
        lhs = A(r"\hat{y}", "ŷ") if single else A(r"\hat{y}_i", "ŷ_i")
        lines = (
            Line(self.yaug(self.L), "=", Row(A("(1, "), Row(*self._commas(ys)), A(")^T,"))),
            Line(lhs, "=", Row(self.sum_line("c", None, None if single else A("i"), ys, hL), A(","))),
            Line(A(r"\hat{y}", "ŷ"), "=", Row(A(r"\begin{bmatrix} c_0 & C \end{bmatrix}", "[ c_0  C ]"), A(" "), self.yaug(self.L), A("."))),
        )
        shape = Row(self.sz(net.q), A(r" \times ", " × "), self.sz(hL))
        before = ["The output node adds its bias to the weighted outputs of the last hidden layer:"]
        after = ["Here ", A("c_0", "c_0"), " is the output bias and ", A("C", "C"), " = (", cs, ") the output weights (",
                 shape, "); for one output this is the seed's ", A(r"\hat{y} = c^T y^{**}", "ŷ = c^T y**"), "."]
        return Section(self.title("output node"), "read_output_layer", tuple(before), lines, tuple(after))

    def aug_name(self, l: int) -> Atom:
        return A(r"\widetilde{W}", "W~") if self.L == 1 else Atom(rf"\widetilde{{W}}^{{({l})}}", f"W~^({l})")

    def substitute(self, step: GenericStep) -> Section:
        net = self.net
        l = step.layer
        rows, cols = net.sizes[l], net.sizes[l - 1]
        a, d = self.act(l)
        if (a, d) == (1, 0):
            body = self.rows_of("b", self.tag(l), rows, cols, single=False)
        else:
            body = [[c if c in (DOTS, VDOTS) or (isinstance(c, Atom) and c.tex == "") else self._affine_cell(c, a, d, j == 0) for j, c in enumerate(r)]
                    for r in self.rows_of("b", self.tag(l), rows, cols, single=False)]
        top = [A("1")] + [A("0") if not (isinstance(c, Atom) and c.tex == r"\dots") else DOTS for c in body[0][1:]]
        M = Matrix([top, *body])
        shape = Row(A(r"\quad ((", "   (("), self.sz(rows), A(r"+1) \times (", "+1) × ("), self.sz(cols), A("+1))", "+1))"))
        value = step.value
        block = Atom(
            r"\begin{bmatrix} 1 & 0 \\ " + _lin_str(value.v, "latex") + " & " + _lin_str(value.M, "latex") + r" \end{bmatrix}",
            "[[1, 0], [" + _lin_str(value.v, "text") + ", " + _lin_str(value.M, "text") + "]]",
        )
        below = A("x^*", "x*") if l == 1 else self.yaug(l - 1)
        here = self.yaug(l)
        lines = (
            Line(here, "=", Row(self.aug_name(l), A(" "), below, A(","))),
            Line(self.aug_name(l), "=", Row(M, shape)),
            Line(None, "", Row(A("= "), block, A("."))),
        )
        first = "the first layer" if l == 1 else f"layer {l}"
        before = ["Since ", here, " only prepends a constant 1 to the layer's outputs, it is one matrix product with the augmented matrix:"]
        after = ["The first row ", A(r"(1, 0, \dots, 0)", "(1, 0, …, 0)"), " keeps the constant 1; the other ", self.sz(rows),
                 " rows are the layer's own. The shape is ", Row(A("("), self.sz(rows), A(r"+1) \times (", "+1) × ("), self.sz(cols), A("+1)")),
                 " for every size."]
        return Section(self.title(f"substitute {first}"), "substitute_layer", tuple(before), lines, tuple(after))

    def _affine_cell(self, c: Math, a: sympy.Expr, d: sympy.Expr, bias: bool) -> Math:
        assert isinstance(c, Atom)
        at, ax = sympy.latex(a), sympy.sstr(a)
        if bias:
            dt, dx = sympy.latex(d), sympy.sstr(d)
            return Atom(f"{at} {c.tex} + {dt}" if a != 1 else f"{c.tex} + {dt}", f"{ax} {c.txt} + {dx}" if a != 1 else f"{c.txt} + {dx}")
        return Atom(f"{at} {c.tex}" if a != 1 else c.tex, f"{ax} {c.txt}" if a != 1 else c.txt)

    def multiply(self, step: GenericStep) -> Section:
        l = step.layer
        prod = Row(*[Row(self.aug_name(k), A(" ")) for k in range(l, 0, -1)])
        v = step.value
        block = Atom(
            r"\begin{bmatrix} 1 & 0 \\ " + _lin_str(v.v, "latex") + " & " + _lin_str(v.M, "latex") + r" \end{bmatrix}",
            "[[1, 0], [" + _lin_str(v.v, "text") + ", " + _lin_str(v.M, "text") + "]]",
        )
        before = ["Two augmented matrices multiply into one of the same form (the inductive step: affine after affine is affine):"]
        return Section(self.title(f"compose layers 1 to {l}"), "multiply_augmented", tuple(before), (Line(prod, "=", Row(block, A("."))),))

    def collapse(self, step: GenericStep) -> Section:
        v = step.value
        prod = Row(*[Row(self.aug_name(k), A(" ")) for k in range(self.L, 0, -1)])
        lines = (
            Line(A(r"\hat{y}", "ŷ"), "=", Row(A(r"\begin{bmatrix} c_0 & C \end{bmatrix} ", "[ c_0  C ] "), prod, A("x^*", "x*"))),
            Line(None, "", Row(A("= "), Atom(r"\begin{bmatrix} " + _lin_str(v.c, "latex") + " & " + _lin_str(v.C, "latex") + r" \end{bmatrix}",
                                           "[ " + _lin_str(v.c, "text") + "  " + _lin_str(v.C, "text") + " ]"), A(" x^*.", " x*."))),
        )
        before = ["Multiplying the output row into the augmented matrices gives one row block of shape ",
                  Row(self.sz(self.net.q), A(r" \times (", " × ("), self.sz(self.net.p), A("+1)")), ":"]
        return Section(self.title("collapse"), "apply_output_row", tuple(before), lines)

    def conclusion(self) -> Section:
        net, proof = self.net, self.proof
        lines = [
            Line(A(r"\hat{y}", "ŷ"), "=", A(r"W^* x + b^*,", "W* x + b*,")),
            Line(A("W^*", "W*"), "=", Row(_lin_math(proof.matrix), Row(A(r"\quad (", "   ("), self.sz(net.q), A(r" \times ", " × "), self.sz(net.p), A(")")), A(","))),
            Line(A("b^*", "b*"), "=", Row(_lin_math(proof.offset), A("."))),
        ]
        after: list[Any] = []
        if self.L == 1 and net.q == 1:
            a, d = self.act(1)
            h = net.sizes[1]
            scale_t = "" if a == 1 else sympy.latex(a) + " "
            scale_x = "" if a == 1 else sympy.sstr(a) + " "
            bias_t = r"b_{k,0}" if d == 0 else r"(" + (scale_t or "") + r"b_{k,0} + " + sympy.latex(d) + ")"
            bias_x = "b_{k,0}" if d == 0 else "(" + scale_x + "b_{k,0} + " + sympy.sstr(d) + ")"
            ht, hx = sympy.latex(h), sympy.sstr(h)
            xs = [self.x(j) for j in self.indices(net.p)]
            betas = [DOTS if j is DOTS else Row(Atom(rf"\beta_{{{self.ix(j)[0]}}}", f"β_{self.ix(j)[1]}"), A(" "), x) for j, x in zip(self.indices(net.p), xs)]
            terms: list[Math] = [A(r"\beta_0", "β_0")]
            for b in betas:
                terms += [A(" + "), b]
            lines.append(Line(A(r"\hat{y}", "ŷ"), "=", Row(*terms, A(","))))
            lines.append(Line(A(r"\beta_0", "β_0"), "=", Atom(rf"c_0 + \sum_{{k=1}}^{{{ht}}} c_k {bias_t},", f"c_0 + Σ_{{k=1..{hx}}} c_k {bias_x},")))
            lines.append(Line(A(r"\beta_j", "β_j"), "=", Atom(rf"{scale_t}\sum_{{k=1}}^{{{ht}}} c_k b_{{k,j}}, \qquad j = 1, \dots, {sympy.latex(net.p)}.",
                                                               f"{scale_x}Σ_{{k=1..{hx}}} c_k b_{{k,j}},   j = 1, …, {sympy.sstr(net.p)}.")))
        before = ["Reading off the block ", A(r"\begin{bmatrix} b^* & W^* \end{bmatrix}", "[ b*  W* ]"), " gives"]
        after = ["This is a multiple linear regression in ", Row(*self._commas([self.x(j) for j in self.indices(net.p)])),
                 f", for {self.sizes_phrase()}. ", A(r"\blacksquare", "∎")]
        return Section("Conclusion", "conclude_linear_form", tuple(before), tuple(lines), tuple(after))

    def rank(self) -> Section:
        net = self.net
        widths = Row(*self._commas([self.sz(s) for s in net.sizes]))
        lines = (Line(Atom(r"\operatorname{rank} W^*", "rank W*"), r"\le" if self.fmt == "latex" else "≤", Row(A(r"\min(", "min("), widths, A(").", ")."))),)
        if self.L:
            before = ["For each hidden layer k, ", A("W^*", "W*"), " is a product ", A("A B", "A B"), " whose inner size is the width of layer k (",
                      A("B", "B"), " maps the inputs into layer k, ", A("A", "A"), " maps layer k to the output), so its rank is at most that width; ",
                      "with the shape of ", A("W^*", "W*"), " itself:"]
        else:
            before = ["The rank of a matrix is at most its number of rows and of columns:"]
        after = ["The narrowest layer bounds the rank of the collapsed regression, at every size."]
        return Section("Rank bound", "factor_rank", tuple(before), lines, tuple(after))

    def rules(self) -> Section:
        used = []
        for s in self.proof.steps:
            if s.rule not in used:
                used.append(s.rule)
        lines = []
        for name in used:
            rule = gk.RULES[name]
            eq, _, shapes = rule.statement.partition("   for ")
            lines.append(Line(Atom(r"\text{" + name.replace("_", r"\_") + "}", name), ":", Atom(rule.latex, eq)))
            if shapes:
                lines.append(Line(None, "", Atom(_shapes_tex(shapes), "for " + shapes)))
        before = ["Each step above is an instance of one rule about matrices of symbolic shape; the generic kernel re-derives every step "
                  "from the network's matrices and checks every shape symbolically, and each rule is itself verified on fresh symbols "
                  "at a spread of concrete sizes:"]
        return Section("Rules", None, tuple(before), tuple(lines))
