"""The expression node table and the network section shared by every symnet document.

Every document (see :mod:`symnet.certificate.formats`) writes its expressions
into one node table and its network section (:mod:`symnet.certificate.writing`); this module
reads them back (:class:`ExpressionReader`, :func:`read_network`).

``expressions`` is a table of expression nodes; every expression elsewhere in
the document is a ``REF``, the integer index of a node in that table.  A node
may refer only to nodes before it, so the table is a DAG and shared
sub-expressions are written once.  Node forms (all lists):

* ``["int", "12"]`` — an integer (decimal string);
* ``["rat", "1", "3"]`` — the rational 1/3 (denominator > 1, lowest terms);
* ``["float", sign, "mantissa", exponent, bitcount, precision]`` — a binary
  floating-point number, exactly (its value is ``(-1)**sign * mantissa * 2**exponent``);
* ``["sym", "b_{1,2}"]`` — a symbol, by name;
* ``["add", REF, REF, ...]``, ``["mul", REF, REF, ...]``, ``["pow", REF, REF]``;
* ``["fn", NAME, REF, ...]`` — a function from a fixed list: ``Max``, ``Min``,
  ``Abs``, ``exp``, ``log``, ``tanh``, ``sinh``, ``cosh``, ``sin``, ``cos``;
* ``["const", "E"]`` or ``["const", "pi"]``.

The network section is ``{"inputs": ["x_1", ...], "layers": [{"weights": [[REF,
...], ...], "biases": [REF, ...], "activation": {"name": NAME | null,
"variable": "t", "expr": REF}}, ...]}``.

A matrix (a layer's ``weights``, a step's ``matrix``) is a list of rows of
REFs, or, for a sparse matrix of numbers (a convolution), the object
``{"shape": [rows, cols], "entries": [[i, j, REF], ...]}``: its nonzero
entries as 0-based (row, column, value) triplets in strictly increasing
(row, column) order, each value a nonzero number (every other entry is 0).

Text is never evaluated: names become symbols, numbers are parsed as integers,
and a cost model (degree, term count and the bit size of numbers, through add,
mul and pow) refuses a table before sympy builds anything from it.
"""

from __future__ import annotations

import json
import math
from typing import Any

import sympy
from sympy.polys.domains import QQ
from sympy.polys.matrices import DomainMatrix
from sympy.polys.matrices.sdm import SDM

from ..cost import FUNCTION_BITS, MAX_BITS, leaf_bits, node_bits
from ..errors import CertificateError, SymnetError
from ..grammar import is_name
from ..model.core import Activation, Layer, NetworkData
from ..model.exact import rational_matrix, sparse_matrix

__all__ = [
    "MAX_NODE_BITS",
    "MAX_NODE_DEGREE",
    "MAX_NODE_TERMS",
    "ExpressionReader",
    "check_version",
    "keys",
    "load_json",
    "read_network",
]


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
#: The reader's cost model over the node table: estimated degree and term
#: count of each node (through add, mul and pow), and the total work of
#: sympy's flattening of add/mul chains; a table past these is refused.
MAX_NODE_DEGREE = 4096
MAX_NODE_TERMS = 2_000_000
MAX_FLATTEN_WORK = 200_000
#: Largest bit size (numerator plus denominator, estimated through add, mul
#: and pow by :mod:`symnet.cost`) of the numbers one node may build.
MAX_NODE_BITS = MAX_BITS
#: Largest work of flattening *nested* sums and products (a chain of add nodes each holding the previous one
#: costs quadratic time in sympy; symnet's writer never nests them).
MAX_NESTED_WORK = 20_000
_MAX_EXPONENT = 10_000
_CAP = 10**15
_NON_FINITE = (sympy.S.NaN, sympy.S.ComplexInfinity, sympy.S.Infinity, sympy.S.NegativeInfinity)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise CertificateError(f"malformed document: the key {k!r} appears twice in one object")
        out[k] = v
    return out


def load_json(text: Any, what: str = "document") -> Any:
    """JSON text (str or UTF-8 bytes) as Python data; duplicate keys, NaN/Infinity literals and
    non-UTF-8 text are malformed (CertificateError)."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            raise CertificateError(f"malformed {what}: not UTF-8 text") from None
    if not isinstance(text, str):
        raise CertificateError(f"malformed {what}: expected JSON text, got {type(text).__name__}")

    def constant(name: str) -> Any:
        raise CertificateError(f"malformed {what}: {name} is not a JSON number")

    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=constant)
    except CertificateError:
        raise
    except (ValueError, RecursionError) as exc:
        raise CertificateError(f"malformed {what}: not JSON ({exc})") from None


def check_version(data: Any, version: int, what: str = "document") -> None:
    """``data['version']`` must be exactly the integer ``version`` (a boolean is not an integer)."""
    v = data.get("version") if isinstance(data, dict) else None
    if isinstance(v, bool) or not isinstance(v, int) or v != version:
        raise CertificateError(f"malformed {what}: version {v!r} is not supported (this is version {version})")


# ---------------------------------------------------------------- decoding
def _fail(message: str) -> CertificateError:
    return CertificateError(f"malformed certificate: {message}")


def _expect(cond: object, message: str) -> None:
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
    _expect(is_name(v), f"{where}={v[:60]!r} is not a symnet name (see symnet.names: 'x_1', 'b_{{1,2}}', '\\alpha')")
    return str(v)


class ExpressionReader:
    """Decodes an ``expressions`` node table; ``ref`` resolves an index (CertificateError if malformed).

    Each symbol name appears in one ``sym`` node only; a float node must be
    canonical (odd mantissa of exactly ``bitcount`` bits, at most
    ``precision`` bits, so it is read exactly); NaN and infinities (``1/0``)
    are refused; and a cost model (degree and term count of each node,
    sympy's flattening work) refuses tables past :data:`MAX_NODE_DEGREE`,
    :data:`MAX_NODE_TERMS` and :data:`MAX_FLATTEN_WORK` before they are built.
    """

    def __init__(self, nodes: Any) -> None:
        _expect(isinstance(nodes, list), "'expressions' must be a list")
        _expect(len(nodes) <= _MAX_NODES, "too many expression nodes")
        self.values: list[sympy.Expr] = []
        self.cost: list[tuple[int, int, int]] = []  # (degree, terms, flattened size)
        self.bits: list[int] = []  # bound on the bit size of the numbers each node builds
        self.names: set[str] = set()
        self.children: list[tuple[int, ...]] = []
        self.sym_nodes: dict[int, str] = {}
        self.work = 0
        self.nested = 0
        for i, node in enumerate(nodes):
            self.values.append(self._decode(i, node))
            kind = node[0]
            if kind == "sym":
                self.sym_nodes[i] = node[1]
                self.children.append(())
            elif kind in ("add", "mul", "pow"):
                self.children.append(tuple(node[1:]))
            elif kind == "fn":
                self.children.append(tuple(node[2:]))
            else:
                self.children.append(())

    def names_under(self, refs: Any) -> set[str]:
        """Every symbol name the nodes ``refs`` refer to in the table (before sympy simplifies anything)."""
        out: set[str] = set()
        seen: set[int] = set()
        stack = [r for r in refs if _is_int(r) and 0 <= r < len(self.values)]
        while stack:
            r = stack.pop()
            if r in seen:
                continue
            seen.add(r)
            name = self.sym_nodes.get(r)
            if name is not None:
                out.add(name)
            stack.extend(self.children[r])
        return out

    def _check_refs(self, i: int, kind: str, rest: list[Any]) -> None:
        _expect(
            kind in ("int", "rat", "float", "sym", "const", "add", "mul", "pow", "fn"),
            f"expression {i} has unknown kind {kind[:20]!r}",
        )
        if kind in ("add", "mul", "pow"):
            _expect(
                len(rest) >= 2 and (kind != "pow" or len(rest) == 2),
                f"expression {i}: {kind} has the wrong number of arguments",
            )
            for r in rest:
                self._arg(i, r)
        elif kind == "fn":
            _expect(len(rest) >= 2, f"expression {i}: fn needs a name and arguments")
            for r in rest[1:]:
                self._arg(i, r)

    def _estimate(self, i: int, kind: str, rest: list[Any]) -> None:
        if kind in ("int", "rat", "float", "const"):
            self.cost.append((0, 1, 1))
            self.bits.append(leaf_bits(kind, rest))
            return
        if kind == "sym":
            self.cost.append((1, 1, 1))
            self.bits.append(1)
            return
        refs = rest[1:] if kind == "fn" else rest
        parts = [self.cost[r] for r in refs]
        self.bits.append(
            node_bits(
                kind,
                [self.bits[r] for r in (dict.fromkeys(refs) if kind == "add" else refs)],
                self.values[rest[1]] if kind == "pow" else None,
            )
        )
        _expect(
            self.bits[-1] <= MAX_NODE_BITS,
            f"expression {i} is too big to read: its numbers may reach {self.bits[-1]} bits (limit {MAX_NODE_BITS})",
        )
        if kind == "add":
            d, t = max(p[0] for p in parts), min(sum(p[1] for p in parts), _CAP)
            size = sum(
                p[2] if self.values[r].is_Add else 1 for p, r in zip(parts, refs, strict=True)
            )  # sympy flattens nested sums
        elif kind == "mul":
            d, t = min(sum(p[0] for p in parts), _CAP), 1
            for p in parts:
                t = min(t * p[1], _CAP)
            size = sum(p[2] if self.values[r].is_Mul else 1 for p, r in zip(parts, refs, strict=True))
        elif kind == "pow":
            (bd, bt, _), _ = parts
            e = self.values[rest[1]]
            n = abs(int(e)) if e.is_Integer else 1
            d = min(bd * n, _CAP)
            t = 1 if bt <= 1 else (_CAP if n * math.log2(bt) > 50 else min(bt**n, _CAP))
            size = 1
        else:
            d, t, size = max(p[0] for p in parts), max(p[1] for p in parts), 1
        self.work += size
        if kind in ("add", "mul"):
            self.nested += size - len(refs)
            _expect(
                self.nested <= MAX_NESTED_WORK,
                f"expression {i} is too big to read: flattening nested sums and products costs {self.nested} "
                f"(limit {MAX_NESTED_WORK})",
            )
        _expect(
            d <= MAX_NODE_DEGREE and t <= MAX_NODE_TERMS and self.work <= MAX_FLATTEN_WORK,
            f"expression {i} is too big to read: estimated degree {d}, {t} terms, flattening work {self.work} "
            f"(limits {MAX_NODE_DEGREE}, {MAX_NODE_TERMS}, {MAX_FLATTEN_WORK})",
        )
        self.cost.append((d, t, min(size, _CAP)))

    def _exact_arg(self, i: int, r: Any) -> sympy.Expr:
        """An argument of a compound node; a float leaf enters it as its exact binary value.

        sympy would otherwise combine a Float with other numbers in binary
        floating point (0.1 - 1/10 becomes 0), changing the value.
        """
        v = self._arg(i, r)
        if v.is_Float:
            return sympy.Rational(v)  # exact: a canonical float is read without rounding
        return v

    def _arg(self, i: int, r: Any) -> sympy.Expr:
        _expect(_is_int(r) and 0 <= r < i, f"expression {i} refers to {r!r}, which is not an earlier node")
        return self.values[r]

    def _decode(self, i: int, node: Any) -> sympy.Expr:
        _expect(isinstance(node, list) and node and isinstance(node[0], str), f"expression {i} is not a node")
        kind, rest = node[0], node[1:]
        where = f"expression {i}"
        self._check_refs(i, kind, rest)
        self._estimate(i, kind, rest)  # before sympy builds (and flattens) anything
        value = self._build(i, kind, rest, where)
        _expect(value not in _NON_FINITE and not any(v in _NON_FINITE for v in value.args), f"{where} is not finite")
        if value.is_Pow and value.exp.is_Integer:
            _expect(abs(int(value.exp)) <= _MAX_EXPONENT, f"{where}: exponent too large")
        elif value.is_Mul or value.is_Add:
            _expect(
                all(not (a.is_Pow and a.exp.is_Integer and abs(int(a.exp)) > _MAX_EXPONENT) for a in value.args),
                f"{where}: exponent too large",
            )
        return value

    def _build(self, i: int, kind: str, rest: list[Any], where: str) -> sympy.Expr:
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
            _expect(
                _is_int(sign) and sign in (0, 1) and _is_int(exp) and _is_int(bc) and _is_int(prec),
                f"{where}: bad float",
            )
            m = _int_text(man, where)
            if (sign, m, exp, bc) == (0, 0, 0, 0):
                _expect(1 <= prec <= 10_000, f"{where}: bad float")
                return sympy.Float(0)
            _expect(
                m > 0 and m.bit_length() == bc and m % 2 == 1 and bc <= prec <= 10_000 and abs(exp) < 10**6,
                f"{where}: not a canonical float (odd mantissa of exactly bitcount <= precision bits)",
            )
            exact = sympy.Rational((-1) ** sign * m * 2 ** max(exp, 0), 2 ** max(-exp, 0))
            value = sympy.Float(exact, precision=prec)
            _expect(sympy.Rational(value) == exact, f"{where}: the float is not read exactly")
            return value
        if kind == "sym":
            _expect(len(rest) == 1, f"{where}: sym takes one name")
            name = _name(rest[0], where)
            _expect(
                name not in self.names, f"{where}: the symbol {name!r} already has a node; each symbol appears once"
            )
            self.names.add(name)
            return sympy.Symbol(name)
        if kind == "const":
            _expect(len(rest) == 1 and rest[0] in _CONSTANTS, f"{where}: unknown constant")
            return _CONSTANTS[rest[0]]
        if kind in ("add", "mul"):
            _expect(len(rest) >= 2, f"{where}: {kind} needs at least two arguments")
            args = [self._exact_arg(i, r) for r in rest]
            return sympy.Add(*args) if kind == "add" else sympy.Mul(*args)
        if kind == "pow":
            _expect(len(rest) == 2, f"{where}: pow takes two arguments")
            base, exp_ = (self._exact_arg(i, r) for r in rest)
            _expect(not (exp_.is_Integer and abs(int(exp_)) > 10_000), f"{where}: exponent too large")
            return sympy.Pow(base, exp_)
        if kind == "fn":
            _expect(
                len(rest) >= 2 and isinstance(rest[0], str) and rest[0] in _FUNCTIONS,
                f"{where}: unknown function {str(rest[:1])[:40]}",
            )
            _expect(max(self.bits[r] for r in rest[1:]) <= FUNCTION_BITS, f"{where}: {rest[0]} of a number too long")
            unary = rest[0] not in ("Max", "Min")
            _expect(len(rest) == 2 or not unary, f"{where}: {rest[0]} takes one argument")
            try:
                return _FUNCTIONS[rest[0]](*(self._exact_arg(i, r) for r in rest[1:]))
            except (TypeError, ValueError) as exc:
                raise _fail(f"{where}: {rest[0]} does not apply ({exc})") from None
        raise _fail(f"{where} has unknown kind {kind!r}")

    def ref(self, r: Any, where: str) -> sympy.Expr:
        _expect(_is_int(r) and 0 <= r < len(self.values), f"{where} refers to {r!r}, which is not an expression")
        return self.values[r]

    def _table(self, rows: Any, where: str) -> tuple[list[sympy.Expr], int, int]:
        """The entries of a list of rows of REFs, row-major, and its shape."""
        _expect(isinstance(rows, list) and rows and all(isinstance(r, list) for r in rows), f"{where} must be a matrix")
        width = len(rows[0])
        _expect(width > 0 and all(len(r) == width for r in rows), f"{where} must be a rectangular matrix")
        return [self.ref(v, where) for row in rows for v in row], len(rows), width

    def matrix(self, rows: Any, where: str) -> sympy.ImmutableMatrix:
        if isinstance(rows, dict):
            return self.sparse(rows, where)
        flat, n, width = self._table(rows, where)
        return sympy.ImmutableMatrix(n, width, flat)

    def exact_matrix(self, rows: Any, where: str, *, column: bool = False) -> sympy.ImmutableMatrix:
        """:meth:`matrix` (:meth:`vector` when ``column``) with a float entry at its exact binary value, held over QQ
        when every entry is a number (the form a network's layers take)."""
        if column:
            _expect(isinstance(rows, list) and not any(isinstance(v, list) for v in rows), f"{where} must be a vector")
            rows = [[v] for v in rows]
        elif isinstance(rows, dict):
            return self.sparse(rows, where)
        flat, n, width = self._table(rows, where)
        flat = [sympy.Rational(e) if e.is_Float else e for e in flat]  # a canonical float node is read exactly
        if all(e.is_Rational for e in flat):
            return rational_matrix(flat, n, width)
        return sympy.ImmutableMatrix(n, width, flat)

    def sparse(self, data: dict[str, Any], where: str) -> sympy.ImmutableMatrix:
        """A sparse matrix section: in-range triplets of nonzero numbers in strictly increasing (row, column) order."""
        keys(data, {"shape", "entries"}, set(), where)
        shape, entries, values, last = data["shape"], data["entries"], {}, (-1, -1)
        rows: dict[int, dict[int, Any]] = {}
        ok = isinstance(shape, list) and len(shape) == 2 and all(_is_int(n) and 0 < n <= _MAX_NODES for n in shape)
        _expect(ok and isinstance(entries, list), f"{where} must have a shape [rows, cols] and a list of entries")
        for e in entries:
            _expect(type(e) is list and len(e) == 3 and all(type(v) is int for v in e), f"{where}: bad triplet")
            i, j, r = e
            _expect(0 <= i < shape[0] and 0 <= j < shape[1] and (i, j) > last, f"{where}: entry ({i}, {j}) misplaced")
            last = (i, j)
            if r not in values:
                x = self.ref(r, where)
                _expect(x.is_Rational or x.is_Float, f"{where}: the entry ({i}, {j}) is not a number")
                x = sympy.Rational(x)  # a Float at its exact binary value
                _expect(x != 0, f"{where}: the entry ({i}, {j}) is 0; only nonzero entries are listed")
                values[r] = QQ(int(x.p), int(x.q))
            rows.setdefault(i, {})[j] = values[r]
        return sparse_matrix(DomainMatrix.from_rep(SDM(rows, (shape[0], shape[1]), QQ)))

    def vector(self, items: Any, where: str) -> sympy.ImmutableMatrix:
        _expect(isinstance(items, list) and items, f"{where} must be a non-empty list")
        return sympy.ImmutableMatrix([self.ref(v, where) for v in items])


def keys(obj: Any, required: set[str], optional: set[str], where: str) -> None:
    """``obj`` is an object with every ``required`` key and no key outside ``required | optional``."""
    _expect(isinstance(obj, dict), f"{where} must be an object")
    missing = required - obj.keys()
    extra = obj.keys() - required - optional
    _expect(not missing, f"{where} lacks {sorted(missing)}")
    _expect(not extra, f"{where} has unknown fields {sorted(extra)}")


def read_network(dec: ExpressionReader, net_data: Any) -> NetworkData:
    """The network of a document's ``network`` object, as the kernel reads it; CertificateError if malformed."""
    keys(net_data, {"inputs", "layers"}, set(), "network")
    _expect(isinstance(net_data["inputs"], list) and net_data["inputs"], "network.inputs must be a non-empty list")
    inputs = tuple(sympy.Symbol(_name(n, "network.inputs")) for n in net_data["inputs"])
    _expect(isinstance(net_data["layers"], list) and net_data["layers"], "network.layers must be a non-empty list")
    layers = []
    for i, ld in enumerate(net_data["layers"]):
        where = f"network.layers[{i}]"
        keys(ld, {"weights", "biases", "activation"}, set(), where)
        ad = ld["activation"]
        keys(ad, {"name", "variable", "expr"}, set(), f"{where}.activation")
        _expect(ad["name"] is None or isinstance(ad["name"], str), f"{where}.activation.name must be a string or null")
        var = sympy.Symbol(_name(ad["variable"], f"{where}.activation.variable"))
        body = dec.ref(ad["expr"], f"{where}.activation.expr")
        named = dec.names_under([ad["expr"]]) - {var.name}
        foreign = named & set(net_data["inputs"])
        _expect(
            not foreign,
            f"{where}.activation refers to the input(s) {sorted(foreign)}; "
            "an activation depends only on its variable and parameters",
        )
        act = Activation(ad["name"], sympy.Lambda(var, body))
        weights = dec.exact_matrix(ld["weights"], f"{where}.weights")
        layers.append(Layer(weights, dec.exact_matrix(ld["biases"], f"{where}.biases", column=True), act))
    try:
        return NetworkData(inputs, tuple(layers))
    except SymnetError as exc:
        raise _fail(f"network: {exc}") from None
