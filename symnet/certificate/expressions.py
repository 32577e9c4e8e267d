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
import re
from collections.abc import Iterable
from itertools import takewhile
from typing import Any

import sympy
from flint import fmpq, fmpq_mat
from sympy.polys.domains import QQ
from sympy.polys.matrices.sdm import SDM

from ..cost import CAP, FUNCTION_BITS, MAX_BITS, Cost, combine, leaf
from ..errors import CertificateError
from ..grammar import is_name
from ..model.core import Activation, Layer, NetworkData
from ..model.symbols import paused_gc
from ..numbers import fast_rational
from .numbers import MAX_FLOAT_PRECISION, MAX_NODE_DIGITS, decimal, decode_q

__all__ = [
    "MAX_COMPARISONS",
    "MAX_FUNCTION_DEPTH",
    "MAX_FUNCTION_WORK",
    "MAX_NODE_BITS",
    "MAX_NODE_DEGREE",
    "MAX_NODE_TERMS",
    "ExpressionReader",
    "check_version",
    "index",
    "keys",
    "load_json",
    "pairs",
    "read_activation",
    "read_network",
    "start",
]


#: The functions a ``fn`` node may name: these sympy functions, by their sympy name.
_FUNCTIONS: dict[str, Any] = {
    name: getattr(sympy, name) for name in ("Max", "Min", "Abs", "exp", "log", "tanh", "sinh", "cosh", "sin", "cos")
}
_OPERATIONS: dict[str, Any] = {"add": sympy.Add, "mul": sympy.Mul, "pow": sympy.Pow}
_CONSTANTS = {"E": sympy.E, "pi": sympy.pi}
#: How many values each leaf node takes.
_LEAVES = {"int": 1, "rat": 2, "float": 5, "sym": 1, "const": 1}
_MAX_NODES = 50_000_000
#: The reader's limits on each node, estimated by :mod:`symnet.cost` (degree, term count and the bit size of
#: its numbers, through add, mul and pow) and on the total work of sympy's flattening of add/mul chains;
#: a table past these is refused before sympy builds the node.
MAX_NODE_DEGREE = 4096
MAX_NODE_TERMS = 2_000_000
MAX_FLATTEN_WORK = 200_000
MAX_NODE_BITS = MAX_BITS
#: Largest work of flattening *nested* sums and products (a chain of add nodes each holding the previous one
#: costs quadratic time in sympy; symnet's writer never nests them).
MAX_NESTED_WORK = 20_000
_MAX_EXPONENT = 10_000
#: Most function nodes on one path of the table: sympy evaluates a function's argument numerically when it builds
#: the node, each nested function again at a higher precision (14 nested tanh of sums of tanh take 1.7 s, 20 far
#: more; 800 nested ``sin`` of a symbol 5 s).  symnet writes one per non-polynomial layer of a network (two for
#: softplus).
MAX_FUNCTION_DEPTH = 12
#: Largest total work of building the function nodes: sympy evaluates each function's argument numerically, as a
#: tree, at a precision that grows with the functions nested in it; the work of one node is its argument's tree
#: size times 2 to the nesting depth below it (a chain of 10 ``a + tanh(a + 1)``, 4,000,000, reads in 1.7 s).
MAX_FUNCTION_WORK = 4_000_000
#: Largest sum over the ``Max``/``Min`` nodes of their argument count squared (sympy compares the arguments
#: pairwise, numerically; symnet writes two arguments a node).
MAX_COMPARISONS = 10_000
_INT = re.compile(rf"-?[0-9]{{1,{MAX_NODE_DIGITS}}}")
_NON_FINITE = (sympy.S.NaN, sympy.S.ComplexInfinity, sympy.S.Infinity, sympy.S.NegativeInfinity)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        key = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise CertificateError(f"malformed document: the key {key!r} appears twice in one object")
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
        with paused_gc():  # a document is millions of acyclic containers: collections would rescan them all
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
    if not (isinstance(v, str) and _INT.fullmatch(v)):  # the message is built only on failure: this runs per number
        raise _fail(f"{where}={str(v)[:40]!r} is not a decimal integer")
    return decimal(v)


def _name(v: Any, where: str) -> str:
    if not is_name(v):
        raise _fail(f"{where}={str(v)[:60]!r} is not a symnet name (such as 'x_1', 'b_{{1,2}}', '\\alpha')")
    return str(v)


def _float(rest: list[Any], where: str) -> sympy.Float:
    """A canonical float node ``[sign, "mantissa", exponent, bitcount, precision]``, read exactly."""
    sign, man, exp, bc, prec = rest
    _expect(_is_int(sign) and sign in (0, 1) and _is_int(exp) and _is_int(bc) and _is_int(prec), f"{where}: bad float")
    m = _int_text(man, where)
    if (sign, m, exp, bc) == (0, 0, 0, 0):
        _expect(1 <= prec <= MAX_FLOAT_PRECISION, f"{where}: bad float")
        return sympy.Float(0)
    _expect(
        m > 0 and m.bit_length() == bc and m % 2 == 1 and bc <= prec <= MAX_FLOAT_PRECISION and abs(exp) < 10**6,
        f"{where}: not a canonical float (odd mantissa of exactly bitcount <= precision bits)",
    )
    exact = sympy.Rational((-1) ** sign * m * 2 ** max(exp, 0), 2 ** max(-exp, 0))
    value = sympy.Float(exact, precision=prec)
    _expect(sympy.Rational(value) == exact, f"{where}: the float is not read exactly")
    return value


class ExpressionReader:
    """Decodes an ``expressions`` node table; ``ref`` resolves an index (CertificateError if malformed).

    Each symbol name appears in one ``sym`` node only; a float node must be
    canonical (odd mantissa of exactly ``bitcount`` bits, at most
    ``precision`` bits, so it is read exactly); NaN and infinities (``1/0``)
    are refused; and the cost model of :mod:`symnet.cost` and sympy's
    flattening work refuse a node past :data:`MAX_NODE_DEGREE`,
    :data:`MAX_NODE_TERMS`, :data:`MAX_NODE_BITS` and :data:`MAX_FLATTEN_WORK`
    before it is built.
    """

    def __init__(self, nodes: Any) -> None:
        _expect(isinstance(nodes, list), "'expressions' must be a list")
        _expect(len(nodes) <= _MAX_NODES, "too many expression nodes")
        self.values: list[sympy.Expr] = []
        self.cost: list[Cost] = []
        self.size: list[int] = []  # the number of arguments of the node once sympy flattens it
        self.children: list[tuple[int, ...]] = []
        self.names: set[str] = set()
        self.work = 0
        self.nested = 0
        self.depth: list[int] = []  # the most function nodes on a path from each node down
        self.tree: list[int] = []  # each node's size as a tree (capped)
        self.comparisons = 0
        self.evaluation = 0  # the work of sympy's numeric evaluation of the function nodes' arguments
        self.numbers: dict[int, fmpq | None] = {}  # the rational nodes as python-flint numbers, made once each
        self.rationals: dict[int, fmpq] = {}  # the int and rat nodes' numbers, made as they are read
        for i, node in enumerate(nodes):
            _expect(isinstance(node, list) and node and isinstance(node[0], str), f"expression {i} is not a node")
            kind, rest = node[0], node[1:]
            where = f"expression {i}"
            if kind in _LEAVES:
                _expect(len(rest) == _LEAVES[kind], f"{where}: {kind} takes {_LEAVES[kind]} value(s)")
                value = self._leaf(where, kind, rest)
                if kind in ("int", "rat"):
                    self.rationals[i] = fmpq(value.p, value.q)
                self.cost.append(leaf(value))
                self.size.append(1)
                self.children.append(())
                self.depth.append(0)
                self.tree.append(1)
            else:
                value = self._compound(where, kind, rest)
            self.values.append(value)

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
            if self.values[r].is_Symbol:
                out.add(self.values[r].name)
            stack.extend(self.children[r])
        return out

    def _leaf(self, where: str, kind: str, rest: list[Any]) -> sympy.Expr:
        if kind == "int":
            return sympy.Integer(_int_text(rest[0], where))
        if kind == "rat":
            p, q = _int_text(rest[0], where), _int_text(rest[1], where)
            _expect(q > 1 and math.gcd(p, q) == 1, f"{where}: a rational is not in lowest terms")
            return fast_rational(p, q)
        if kind == "float":
            return _float(rest, where)
        if kind == "sym":
            name = _name(rest[0], where)
            _expect(name not in self.names, f"{where}: the symbol {name!r} has a node already; a symbol appears once")
            self.names.add(name)
            return sympy.Symbol(name)
        _expect(isinstance(rest[0], str) and rest[0] in _CONSTANTS, f"{where}: unknown constant")
        return _CONSTANTS[rest[0]]

    def _compound(self, where: str, kind: str, rest: list[Any]) -> sympy.Expr:
        """An add, mul, pow or fn node; a float argument enters it at its exact binary value (sympy would
        otherwise combine it with other numbers in binary floating point: 0.1 - 1/10 would become 0)."""
        if kind == "fn":
            fn = rest[0] if rest and isinstance(rest[0], str) else None
            _expect(fn in _FUNCTIONS and len(rest) >= 2, f"{where}: unknown function {str(rest[:1])[:40]}")
            _expect(len(rest) == 2 or fn in ("Max", "Min"), f"{where}: {fn} takes one argument")
            refs = rest[1:]
        else:
            _expect(kind in _OPERATIONS, f"{where} has unknown kind {kind[:20]!r}")
            _expect(len(rest) >= 2 and (kind != "pow" or len(rest) == 2), f"{where}: {kind} has a wrong argument count")
            refs = rest
        args = [self.ref(r, where, exact=True) for r in refs]  # the table holds only the earlier nodes yet
        depth = max(self.depth[r] for r in refs) + (kind == "fn")
        _expect(depth <= MAX_FUNCTION_DEPTH, f"{where}: functions nest {depth} deep (limit {MAX_FUNCTION_DEPTH})")
        tree = min(1 + sum(self.tree[r] for r in refs), CAP)
        self.evaluation += sum(min(self.tree[r] << self.depth[r], CAP) for r in refs) if kind == "fn" else 0
        _expect(
            self.evaluation <= MAX_FUNCTION_WORK,
            f"{where}: evaluating the function nodes costs {self.evaluation} (limit {MAX_FUNCTION_WORK})",
        )
        self.comparisons += len(refs) ** 2 if kind == "fn" and rest[0] in ("Max", "Min") else 0
        _expect(
            self.comparisons <= MAX_COMPARISONS,
            f"{where}: the Max and Min nodes compare {self.comparisons} pairs of arguments (limit {MAX_COMPARISONS})",
        )
        self._estimate(where, kind, refs, args)  # before sympy builds (and flattens) anything
        if kind == "fn":
            bits = max(self.cost[r].bits for r in refs)
            _expect(bits <= FUNCTION_BITS, f"{where}: {fn} of a number too long ({bits} bits, limit {FUNCTION_BITS})")
            try:
                value = _FUNCTIONS[rest[0]](*args)
            except (TypeError, ValueError) as exc:
                raise _fail(f"{where}: {rest[0]} does not apply ({exc})") from None
        else:
            if kind == "pow":
                _expect(not (args[1].is_Integer and abs(int(args[1])) > _MAX_EXPONENT), f"{where}: exponent too large")
            value = _OPERATIONS[kind](*args)
        _expect(value not in _NON_FINITE and not any(v in _NON_FINITE for v in value.args), f"{where} is not finite")
        big = [value] if value.is_Pow else value.args if value.is_Mul or value.is_Add else []
        _expect(
            not any(a.is_Pow and a.exp.is_Integer and abs(int(a.exp)) > _MAX_EXPONENT for a in big),
            f"{where}: exponent too large",
        )
        self.children.append(tuple(refs))
        self.depth.append(depth)
        self.tree.append(tree)
        return value

    def _estimate(self, where: str, kind: str, refs: list[int], args: list[sympy.Expr]) -> None:
        """Refuse the node if its estimated cost, or the flattening work so far, is past the limits."""
        exponent = abs(int(args[1])) if kind == "pow" and args[1].is_Integer else None
        cost = combine(kind, [self.cost[r] for r in refs], exponent)
        flat = sympy.Add if kind == "add" else sympy.Mul if kind == "mul" else None
        size = sum(self.size[r] if isinstance(a, flat) else 1 for r, a in zip(refs, args, strict=True)) if flat else 1
        self.work += size
        self.nested += size - len(refs) if flat else 0
        _expect(
            cost.bits <= MAX_NODE_BITS,
            f"{where} is too big to read: its numbers may reach {cost.bits} bits (limit {MAX_NODE_BITS})",
        )
        _expect(
            self.nested <= MAX_NESTED_WORK,
            f"{where} is too big to read: flattening nested sums and products costs {self.nested} "
            f"(limit {MAX_NESTED_WORK})",
        )
        _expect(
            cost.degree <= MAX_NODE_DEGREE and cost.terms <= MAX_NODE_TERMS and self.work <= MAX_FLATTEN_WORK,
            f"{where} is too big to read: estimated degree {cost.degree}, {cost.terms} terms, flattening work "
            f"{self.work} (limits {MAX_NODE_DEGREE}, {MAX_NODE_TERMS}, {MAX_FLATTEN_WORK})",
        )
        self.cost.append(cost)
        self.size.append(min(size, CAP))

    def ref(self, r: Any, where: str, *, exact: bool = False) -> sympy.Expr:
        """The expression of node ``r``; when ``exact``, a float node at its exact binary value."""
        if not (_is_int(r) and 0 <= r < len(self.values)):
            raise _fail(f"{where} refers to {str(r)[:20]!r}, which is not an earlier node of the table")
        value = self.values[r]
        return sympy.Rational(value) if exact and value.is_Float else value

    def matrix(self, rows: Any, where: str, *, exact: bool = False) -> Any:
        """A matrix of REFs or a sparse section.  When every entry is a rational number, the stored form a layer
        holds (a python-flint ``fmpq_mat``; a sparse section: sympy's ``SDM`` of ``fmpq``), else a sympy
        ImmutableMatrix; when ``exact``, a float entry is read at its exact binary value (the form a network's
        layers take)."""
        if isinstance(rows, dict):
            return self.sparse(rows, where)
        _expect(isinstance(rows, list) and rows and all(isinstance(r, list) for r in rows), f"{where} must be a matrix")
        n, width = len(rows), len(rows[0])
        _expect(width > 0 and all(len(r) == width for r in rows), f"{where} must be a rectangular matrix")
        refs = [v for row in rows for v in row]
        if all(type(v) is int for v in refs):  # every entry an int or rat node: the common case, read at once
            got = [self.rationals.get(v) for v in refs]
            if None not in got:
                return fmpq_mat(n, width, got)  # type: ignore[arg-type]  # no None in it
        numbers = list(takewhile(lambda x: x is not None, (self.number(v, where, exact) for v in refs)))
        if len(numbers) == len(refs):
            return fmpq_mat(n, width, numbers)  # type: ignore[arg-type]  # takewhile stopped at no None
        return sympy.ImmutableMatrix(n, width, [self.ref(v, where, exact=exact) for v in refs])

    def number(self, r: Any, where: str, exact: bool = True) -> fmpq | None:
        """Node ``r`` as an ``fmpq`` when it is a rational number (a float node too, when ``exact``), else None."""
        if not (_is_int(r) and 0 <= r < len(self.values)):
            self.ref(r, where)  # refused with the reader's message
        if r not in self.numbers:
            value = self.values[r]
            q = sympy.Rational(value) if value.is_Float else value
            self.numbers[r] = fmpq(int(q.p), int(q.q)) if q.is_Rational else None
        return None if not exact and self.values[r].is_Float else self.numbers[r]

    def sparse(self, data: dict[str, Any], where: str) -> SDM:
        """A sparse matrix section: in-range triplets of nonzero numbers in strictly increasing (row, column) order."""
        keys(data, {"shape", "entries"}, set(), where)
        shape, entries, last = data["shape"], data["entries"], (-1, -1)
        rows: dict[int, dict[int, Any]] = {}
        ok = isinstance(shape, list) and len(shape) == 2 and all(_is_int(n) and 0 < n <= _MAX_NODES for n in shape)
        _expect(ok and isinstance(entries, list), f"{where} must have a shape [rows, cols] and a list of entries")
        for e in entries:
            _expect(type(e) is list and len(e) == 3 and all(type(v) is int for v in e), f"{where}: bad triplet")
            i, j, r = e
            _expect(0 <= i < shape[0] and 0 <= j < shape[1] and (i, j) > last, f"{where}: entry ({i}, {j}) misplaced")
            last = (i, j)
            x = self.number(r, where)
            _expect(x is not None, f"{where}: the entry ({i}, {j}) is not a number")
            _expect(x != 0, f"{where}: the entry ({i}, {j}) is 0; only nonzero entries are listed")
            rows.setdefault(i, {})[j] = x
        return SDM(rows, (shape[0], shape[1]), QQ)

    def vector(self, items: Any, where: str, *, exact: bool = False) -> Any:
        """A column of REFs (see :meth:`matrix`)."""
        _expect(isinstance(items, list) and not any(isinstance(v, list) for v in items), f"{where} must be a vector")
        return self.matrix([[v] for v in items], where, exact=exact)


def start(data: Any, what: str, required: set[str], optional: Iterable[str] = ()) -> ExpressionReader:
    """The node table of a version-1 document with the fields ``required`` (besides ``format``, ``version`` and
    ``expressions``) and ``optional``."""
    keys(data, required | {"format", "version", "expressions"}, set(optional), "the document")
    check_version(data, 1, what)
    return ExpressionReader(data["expressions"])


def index(v: Any, bound: int, where: str) -> int:
    """``v`` when it is an integer in ``[0, bound)``; CertificateError otherwise."""
    _expect(_is_int(v) and 0 <= v < bound, f"{where}: {str(v)[:20]!r} is not an index below {bound}")
    return int(v)


def pairs(items: Any, bound: int, where: str, bits: int | None = None) -> list[tuple[int, fmpq]]:
    """A list of ``[index, rational]`` pairs, each index below ``bound`` (see :func:`decode_q` for ``bits``)."""
    _expect(isinstance(items, list), f"{where} must be a list of [index, value]")
    out = []
    for k, pair in enumerate(items):
        _expect(isinstance(pair, list) and len(pair) == 2, f"{where}[{k}] must be [index, value]")
        out.append((index(pair[0], bound, f"{where}[{k}]"), decode_q(pair[1], f"{where}[{k}]", bits)))
    return out


def keys(obj: Any, required: set[str], optional: set[str], where: str) -> None:
    """``obj`` is an object with every ``required`` key and no key outside ``required | optional``."""
    _expect(isinstance(obj, dict), f"{where} must be an object")
    missing = required - obj.keys()
    extra = obj.keys() - required - optional
    _expect(not missing, f"{where} lacks {sorted(missing)}")
    _expect(not extra, f"{where} has unknown fields {sorted(extra)}")


def read_activation(dec: ExpressionReader, ad: Any, where: str) -> Activation:
    """An activation ``{"name": NAME | null, "variable": "t", "expr": REF}`` (the gate checks what it computes)."""
    keys(ad, {"name", "variable", "expr"}, set(), where)
    _expect(ad["name"] is None or isinstance(ad["name"], str), f"{where}.name must be a string or null")
    var = sympy.Symbol(_name(ad["variable"], f"{where}.variable"))
    return Activation(ad["name"], sympy.Lambda(var, dec.ref(ad["expr"], f"{where}.expr")))


def read_network(dec: ExpressionReader, net_data: Any) -> NetworkData:
    """The network of a document's ``network`` object, as the kernel reads it; CertificateError if malformed
    (layers that do not fit raise the model's SymnetError, which :func:`~.formats.read_data` reports as one)."""
    keys(net_data, {"inputs", "layers"}, set(), "network")
    _expect(isinstance(net_data["inputs"], list) and net_data["inputs"], "network.inputs must be a non-empty list")
    inputs = tuple(sympy.Symbol(_name(n, "network.inputs")) for n in net_data["inputs"])
    _expect(isinstance(net_data["layers"], list) and net_data["layers"], "network.layers must be a non-empty list")
    layers = []
    for i, ld in enumerate(net_data["layers"]):
        where = f"network.layers[{i}]"
        keys(ld, {"weights", "biases", "activation"}, set(), where)
        ad = ld["activation"]
        act = read_activation(dec, ad, f"{where}.activation")
        foreign = (dec.names_under([ad["expr"]]) - {ad["variable"]}) & set(net_data["inputs"])
        _expect(
            not foreign,
            f"{where}.activation refers to the input(s) {sorted(foreign)}; "
            "an activation depends only on its variable and parameters",
        )
        weights = dec.matrix(ld["weights"], f"{where}.weights", exact=True)
        layers.append(Layer(weights, dec.vector(ld["biases"], f"{where}.biases", exact=True), act))
    return NetworkData(inputs, tuple(layers))  # a structural error is made a CertificateError by formats.read_data
