"""Certificates: the plain data of a proof, and its versioned JSON format.

A certificate lists the network, the ordered steps (each a rule name and the
data the rule states) and the claim.  This module only holds and (de)codes
data; it neither searches for proofs (``symnet.search``) nor checks them
(``symnet.kernel``).

JSON format, version 1
----------------------
A certificate is one JSON object::

    {
      "format": "symnet-certificate",
      "version": 1,
      "expressions": [NODE, ...],
      "network": {
        "inputs": ["x_1", ...],
        "layers": [
          {"weights": [[REF, ...], ...], "biases": [REF, ...],
           "activation": {"name": "identity" | null, "variable": "t", "expr": REF}},
          ...
        ]
      },
      "steps": [STEP, ...],
      "claim": CLAIM
    }

``expressions`` is a table of expression nodes; every expression elsewhere in
the document is a ``REF``, the integer index of a node in that table.  A node
may refer only to nodes before it, so the table is a DAG and shared
sub-expressions are written once.  Node forms (all lists):

* ``["int", "12"]`` — an integer (decimal string);
* ``["rat", "1", "3"]`` — the rational 1/3 (denominator > 1, lowest terms);
* ``["float", sign, "mantissa", exponent, bitcount, precision]`` — a binary
  floating-point number, exactly (sympy's ``Float._mpf_`` and precision);
* ``["sym", "b_{1,2}"]`` — a symbol, by name;
* ``["add", REF, REF, ...]``, ``["mul", REF, REF, ...]``, ``["pow", REF, REF]``;
* ``["fn", NAME, REF, ...]`` — a function from a fixed list: ``Max``, ``Min``,
  ``Abs``, ``exp``, ``log``, ``tanh``, ``sinh``, ``cosh``, ``sin``, ``cos``;
* ``["const", "E"]`` or ``["const", "pi"]``.

Text is never evaluated: names become symbols, numbers are parsed as integers.

Steps (``STEP``), in the order a layer-by-layer proof uses them (``layer``
counts from the input side, the output layer being ``L + 1``):

* ``{"rule": "read_output_layer", "layer": L+1, "matrix": M}`` — the output is
  ``C y**`` with ``C = [b_{L+1} | W_{L+1}]`` (q x (n_L + 1)).
* ``{"rule": "substitute_layer", "layer": l, "slope": REF, "intercept": REF,
  "matrix": M}`` — the activation of layer l is the affine map
  ``t -> slope*t + intercept``, so substituting layer l gives the factor
  ``P_l = [[1, 0 ... 0], [slope*b_l + intercept, slope*W_l]]``
  ((n_l + 1) x (n_{l-1} + 1)); for the identity it is the blog post's augmented
  matrix.  One step per hidden layer, from l = L down to 1.
* ``{"rule": "conclude_linear_form"}`` — the output is ``(b* | W*) x*`` with
  ``(b* | W*) = C P_L ... P_1``.
* ``{"rule": "expand_and_compare", "monomials": N}`` — the direct route: the
  expanded output has N monomials, each of degree <= 1 in x, and the output
  minus ``W* x + b*`` expands to zero.

``M`` is a matrix: a list of rows, each a list of REFs.

The claim (``CLAIM``) is ``{"form": "explicit", "matrix": M, "offset": [REF,
...], "routes": [...]}`` with W* (q x p) and b* (q) written out, or — for
networks whose expanded W* would be too large to write — ``{"form":
"product", "shape": [q, p], "routes": [...]}``, meaning ``(b* | W*) = C P_L
... P_1`` with the factors stated in the steps.  ``routes`` lists the routes
the certificate contains: ``"layerwise"`` (read_output_layer,
substitute_layer ..., conclude_linear_form) and/or ``"direct"``
(expand_and_compare); every listed route must be present and complete.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import sympy

from ..errors import CertificateError, SymnetError
from ..model.activations import Activation
from ..model.network import Layer, Network

__all__ = [
    "FORMAT",
    "RULES",
    "VERSION",
    "Certificate",
    "Claim",
    "ExpressionReader",
    "ExpressionWriter",
    "Step",
    "dumps",
    "loads",
    "read_network",
    "write_network",
]

FORMAT = "symnet-certificate"
VERSION = 1

#: Rule names, shared by the engine, the kernel, the renderers and the docs.
RULES = ("read_output_layer", "substitute_layer", "conclude_linear_form", "expand_and_compare")
ROUTES = ("layerwise", "direct")

_FUNCTIONS: dict[str, Any] = {
    "Max": sympy.Max,
    "Min": sympy.Min,
    "Abs": sympy.Abs,
    "exp": sympy.exp,
    "log": sympy.log,
    "tanh": sympy.tanh,
    "sinh": sympy.sinh,
    "cosh": sympy.cosh,
    "sin": sympy.sin,
    "cos": sympy.cos,
}
_CONSTANTS = {"E": sympy.E, "pi": sympy.pi}
_MAX_NODES = 50_000_000
_MAX_NAME = 200


@dataclass(frozen=True)
class Step:
    """One step: the rule that justifies it and the data the rule states."""

    rule: str
    layer: int | None = None
    matrix: sympy.ImmutableMatrix | None = None
    slope: sympy.Expr | None = None
    intercept: sympy.Expr | None = None
    monomials: int | None = None


@dataclass(frozen=True)
class Claim:
    """What the certificate proves: ``output == matrix * x + offset``.

    ``form`` is ``"explicit"`` (``matrix`` and ``offset`` written out) or
    ``"product"`` (they are the product of the steps' factors; ``shape``
    gives (q, p)).
    """

    form: str
    shape: tuple[int, int]
    routes: tuple[str, ...]
    matrix: sympy.ImmutableMatrix | None = None
    offset: sympy.ImmutableMatrix | None = None


@dataclass(frozen=True)
class Certificate:
    """A network, ordered steps and a claim: plain data, checked by the kernel."""

    network: Network
    steps: tuple[Step, ...]
    claim: Claim
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


# ---------------------------------------------------------------- encoding
class ExpressionWriter:
    """Builds the ``expressions`` node table; ``ref`` returns an expression's index.

    Shared sub-expressions get one node.  Other symnet documents (counterexamples,
    degree certificates) write their expressions with it too.
    """

    def __init__(self) -> None:
        self.nodes: list[list[Any]] = []
        self.index: dict[sympy.Basic, int] = {}

    def ref(self, expr: Any) -> int:
        expr = sympy.sympify(expr) if not isinstance(expr, sympy.Basic) else expr
        found = self.index.get(expr)
        if found is not None:
            return found
        node = self._node(expr)
        self.nodes.append(node)
        self.index[expr] = len(self.nodes) - 1
        return len(self.nodes) - 1

    def _node(self, e: sympy.Basic) -> list[Any]:
        if e.is_Integer:
            return ["int", str(int(e))]
        if e.is_Rational:
            return ["rat", str(int(e.p)), str(int(e.q))]
        if e.is_Float:
            sign, man, exp, bc = e._mpf_
            return ["float", int(sign), str(int(man)), int(exp), int(bc), int(e._prec)]
        if e.is_Symbol:
            return ["sym", e.name]
        if e.is_Add:
            return ["add", *(self.ref(a) for a in e.args)]
        if e.is_Mul:
            return ["mul", *(self.ref(a) for a in e.args)]
        if e.is_Pow:
            return ["pow", self.ref(e.base), self.ref(e.exp)]
        if e == sympy.E:
            return ["const", "E"]
        if e == sympy.pi:
            return ["const", "pi"]
        if isinstance(e, sympy.exp):
            return ["fn", "exp", self.ref(e.args[0])]
        name = type(e).__name__
        if name in _FUNCTIONS and isinstance(e, sympy.Basic):
            return ["fn", name, *(self.ref(a) for a in e.args)]
        raise SymnetError(f"cannot write {e!r} (a {name}) into a certificate")

    def matrix(self, m: sympy.MatrixBase) -> list[list[int]]:
        return [[self.ref(m[i, j]) for j in range(m.cols)] for i in range(m.rows)]

    def vector(self, m: sympy.MatrixBase) -> list[int]:
        return [self.ref(v) for v in m]


def write_network(enc: ExpressionWriter, net: Network) -> dict[str, Any]:
    """The ``network`` object of a document: input names and each layer's refs."""
    layers = []
    for layer in net.layers:
        act = layer.activation
        layers.append(
            {
                "weights": enc.matrix(layer.weights),
                "biases": enc.vector(layer.biases),
                "activation": {"name": act.name, "variable": act.variable.name, "expr": enc.ref(act.expr)},
            }
        )
    return {"inputs": [s.name for s in net.inputs], "layers": layers}


def to_data(cert: Certificate) -> dict[str, Any]:
    """The certificate as JSON-ready Python data."""
    enc = ExpressionWriter()
    network = write_network(enc, cert.network)
    steps = []
    for step in cert.steps:
        item: dict[str, Any] = {"rule": step.rule}
        if step.layer is not None:
            item["layer"] = step.layer
        if step.slope is not None:
            item["slope"] = enc.ref(step.slope)
        if step.intercept is not None:
            item["intercept"] = enc.ref(step.intercept)
        if step.matrix is not None:
            item["matrix"] = enc.matrix(step.matrix)
        if step.monomials is not None:
            item["monomials"] = step.monomials
        steps.append(item)
    claim: dict[str, Any] = {"form": cert.claim.form, "shape": list(cert.claim.shape), "routes": list(cert.claim.routes)}
    if cert.claim.form == "explicit":
        assert cert.claim.matrix is not None and cert.claim.offset is not None
        claim["matrix"] = enc.matrix(cert.claim.matrix)
        claim["offset"] = enc.vector(cert.claim.offset)
    return {
        "format": FORMAT,
        "version": VERSION,
        "expressions": enc.nodes,
        "network": network,
        "steps": steps,
        "claim": claim,
    }


def dumps(cert: Certificate) -> str:
    """The certificate as deterministic JSON text (same certificate, same bytes)."""
    return json.dumps(to_data(cert), separators=(",", ":"), sort_keys=False, ensure_ascii=True)


# ---------------------------------------------------------------- decoding
def _fail(message: str) -> CertificateError:
    return CertificateError(f"malformed certificate: {message}")


def _expect(cond: bool, message: str) -> None:
    if not cond:
        raise _fail(message)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _int_text(v: Any, where: str) -> int:
    _expect(isinstance(v, str) and 0 < len(v) <= 10_000, f"{where} must be a decimal string")
    body = v[1:] if v.startswith("-") else v
    _expect(body.isdigit() and body.isascii(), f"{where}={v[:40]!r} is not an integer")
    return int(v)


def _name(v: Any, where: str) -> str:
    _expect(
        isinstance(v, str) and 0 < len(v) <= _MAX_NAME and v.isprintable(),
        f"{where} must be a non-empty printable name of at most {_MAX_NAME} characters",
    )
    return v


class ExpressionReader:
    """Decodes an ``expressions`` node table; ``ref`` resolves an index (CertificateError if malformed)."""

    def __init__(self, nodes: Any) -> None:
        _expect(isinstance(nodes, list), "'expressions' must be a list")
        _expect(len(nodes) <= _MAX_NODES, "too many expression nodes")
        self.values: list[sympy.Expr] = []
        for i, node in enumerate(nodes):
            self.values.append(self._decode(i, node))

    def _arg(self, i: int, r: Any) -> sympy.Expr:
        _expect(_is_int(r) and 0 <= r < i, f"expression {i} refers to {r!r}, which is not an earlier node")
        return self.values[r]

    def _decode(self, i: int, node: Any) -> sympy.Expr:
        _expect(isinstance(node, list) and node and isinstance(node[0], str), f"expression {i} is not a node")
        kind, rest = node[0], node[1:]
        where = f"expression {i}"
        if kind == "int":
            _expect(len(rest) == 1, f"{where}: int takes one value")
            return sympy.Integer(_int_text(rest[0], where))
        if kind == "rat":
            _expect(len(rest) == 2, f"{where}: rat takes two values")
            p, q = _int_text(rest[0], where), _int_text(rest[1], where)
            _expect(q > 1 and math.gcd(p, q) == 1, f"{where}: rational {p}/{q} is not in lowest terms")
            return sympy.Rational(p, q)
        if kind == "float":
            _expect(len(rest) == 5, f"{where}: float takes five values")
            sign, man, exp, bc, prec = rest
            _expect(sign in (0, 1) and _is_int(exp) and _is_int(bc) and _is_int(prec), f"{where}: bad float")
            m = _int_text(man, where)
            if (sign, m, exp, bc) == (0, 0, 0, 0):
                return sympy.Float(0)
            _expect(m > 0 and m.bit_length() == bc and m % 2 == 1 and 1 <= prec <= 10_000 and abs(exp) < 10**6, f"{where}: bad float")
            return sympy.Float._new((sign, m, exp, bc), prec)
        if kind == "sym":
            _expect(len(rest) == 1, f"{where}: sym takes one name")
            return sympy.Symbol(_name(rest[0], where))
        if kind == "const":
            _expect(len(rest) == 1 and rest[0] in _CONSTANTS, f"{where}: unknown constant")
            return _CONSTANTS[rest[0]]
        if kind in ("add", "mul"):
            _expect(len(rest) >= 2, f"{where}: {kind} needs at least two arguments")
            args = [self._arg(i, r) for r in rest]
            return sympy.Add(*args) if kind == "add" else sympy.Mul(*args)
        if kind == "pow":
            _expect(len(rest) == 2, f"{where}: pow takes two arguments")
            base, exp_ = (self._arg(i, r) for r in rest)
            _expect(not (exp_.is_Integer and abs(int(exp_)) > 10_000), f"{where}: exponent too large")
            return sympy.Pow(base, exp_)
        if kind == "fn":
            _expect(len(rest) >= 2 and rest[0] in _FUNCTIONS, f"{where}: unknown function {rest[:1]!r}")
            return _FUNCTIONS[rest[0]](*(self._arg(i, r) for r in rest[1:]))
        raise _fail(f"{where} has unknown kind {kind!r}")

    def ref(self, r: Any, where: str) -> sympy.Expr:
        _expect(_is_int(r) and 0 <= r < len(self.values), f"{where} refers to {r!r}, which is not an expression")
        return self.values[r]

    def matrix(self, rows: Any, where: str) -> sympy.ImmutableMatrix:
        _expect(isinstance(rows, list) and rows and all(isinstance(r, list) for r in rows), f"{where} must be a matrix")
        width = len(rows[0])
        _expect(width > 0 and all(len(r) == width for r in rows), f"{where} must be a rectangular matrix")
        return sympy.ImmutableMatrix([[self.ref(v, where) for v in row] for row in rows])

    def vector(self, items: Any, where: str) -> sympy.ImmutableMatrix:
        _expect(isinstance(items, list) and items, f"{where} must be a non-empty list")
        return sympy.ImmutableMatrix([self.ref(v, where) for v in items])


def _keys(obj: Any, required: set[str], optional: set[str], where: str) -> None:
    _expect(isinstance(obj, dict), f"{where} must be an object")
    missing = required - obj.keys()
    extra = obj.keys() - required - optional
    _expect(not missing, f"{where} lacks {sorted(missing)}")
    _expect(not extra, f"{where} has unknown fields {sorted(extra)}")


def read_network(dec: ExpressionReader, net_data: Any) -> Network:
    """The Network of a document's ``network`` object; CertificateError if malformed."""
    _keys(net_data, {"inputs", "layers"}, set(), "network")
    _expect(isinstance(net_data["inputs"], list) and net_data["inputs"], "network.inputs must be a non-empty list")
    inputs = tuple(sympy.Symbol(_name(n, "network.inputs")) for n in net_data["inputs"])
    _expect(isinstance(net_data["layers"], list) and net_data["layers"], "network.layers must be a non-empty list")
    layers = []
    for i, ld in enumerate(net_data["layers"]):
        where = f"network.layers[{i}]"
        _keys(ld, {"weights", "biases", "activation"}, set(), where)
        ad = ld["activation"]
        _keys(ad, {"name", "variable", "expr"}, set(), f"{where}.activation")
        _expect(ad["name"] is None or isinstance(ad["name"], str), f"{where}.activation.name must be a string or null")
        var = sympy.Symbol(_name(ad["variable"], f"{where}.activation.variable"))
        act = Activation(ad["name"], sympy.Lambda(var, dec.ref(ad["expr"], f"{where}.activation.expr")))
        layers.append(Layer(dec.matrix(ld["weights"], f"{where}.weights"), dec.vector(ld["biases"], f"{where}.biases"), act))
    try:
        return Network(inputs, tuple(layers))
    except SymnetError as exc:
        raise _fail(f"network: {exc}") from None


def from_data(data: Any) -> Certificate:
    """A Certificate from JSON data; CertificateError if it is malformed."""
    _keys(data, {"format", "version", "expressions", "network", "steps", "claim"}, set(), "the document")
    _expect(data["format"] == FORMAT, f"format is {data['format']!r}, expected {FORMAT!r}")
    _expect(data["version"] == VERSION, f"version {data['version']!r} is not supported (this is version {VERSION})")
    dec = ExpressionReader(data["expressions"])
    network = read_network(dec, data["network"])
    _expect(isinstance(data["steps"], list), "steps must be a list")
    steps = []
    for k, sd in enumerate(data["steps"]):
        where = f"steps[{k}]"
        _keys(sd, {"rule"}, {"layer", "matrix", "slope", "intercept", "monomials"}, where)
        _expect(sd["rule"] in RULES, f"{where} cites unknown rule {sd['rule']!r}")
        layer = sd.get("layer")
        _expect(layer is None or _is_int(layer), f"{where}.layer must be an integer")
        monomials = sd.get("monomials")
        _expect(monomials is None or (_is_int(monomials) and monomials >= 0), f"{where}.monomials must be a count")
        steps.append(
            Step(
                rule=sd["rule"],
                layer=layer,
                matrix=dec.matrix(sd["matrix"], f"{where}.matrix") if "matrix" in sd else None,
                slope=dec.ref(sd["slope"], f"{where}.slope") if "slope" in sd else None,
                intercept=dec.ref(sd["intercept"], f"{where}.intercept") if "intercept" in sd else None,
                monomials=monomials,
            )
        )
    cd = data["claim"]
    _keys(cd, {"form", "shape", "routes"}, {"matrix", "offset"}, "claim")
    _expect(cd["form"] in ("explicit", "product"), f"claim.form {cd['form']!r} is not 'explicit' or 'product'")
    shape = cd["shape"]
    _expect(isinstance(shape, list) and len(shape) == 2 and all(_is_int(s) and s > 0 for s in shape), "claim.shape must be [q, p]")
    routes = cd["routes"]
    _expect(
        isinstance(routes, list) and routes and all(r in ROUTES for r in routes) and len(set(routes)) == len(routes),
        f"claim.routes must list distinct routes from {ROUTES}",
    )
    matrix = offset = None
    if cd["form"] == "explicit":
        _expect("matrix" in cd and "offset" in cd, "an explicit claim needs 'matrix' and 'offset'")
        matrix = dec.matrix(cd["matrix"], "claim.matrix")
        offset = dec.vector(cd["offset"], "claim.offset")
    else:
        _expect("matrix" not in cd and "offset" not in cd, "a product claim has no 'matrix' or 'offset'")
    claim = Claim(cd["form"], (shape[0], shape[1]), tuple(routes), matrix, offset)
    return Certificate(network, tuple(steps), claim)


def loads(text: str | bytes) -> Certificate:
    """Parse JSON text into a Certificate; CertificateError if malformed."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise _fail("not UTF-8 text") from None
    if not isinstance(text, str):
        raise CertificateError(f"malformed certificate: expected JSON text, got {type(text).__name__}")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise _fail(f"not JSON ({exc})") from None
    try:
        return from_data(data)
    except CertificateError:
        raise
    except (SymnetError, ValueError, TypeError, RecursionError, OverflowError) as exc:
        raise _fail(f"{type(exc).__name__}: {exc}") from None


