"""Writing documents: the expression node table, the network section, the fingerprint and the linear certificate.

The inverse of :mod:`symnet.certificate.expressions` and :mod:`symnet.certificate.linear`.
Nothing here is needed to *check* a document, so the kernel never loads it
(``symnet.certificate`` imports it on first use).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sympy
from flint import fmpq, fmpq_mat, fmpz
from sympy.polys.matrices.sdm import SDM

from ..errors import SizeGuardError, SymnetError
from ..model.core import NetworkData as Network
from ..model.exact import SparseQQMatrix
from ..numbers import fast_rational
from .expressions import _FUNCTIONS
from .linear import FORMAT, VERSION, Certificate
from .numbers import MAX_DIGITS, MAX_FLOAT_PRECISION, MAX_NODE_DIGITS

__all__ = ["ExpressionWriter", "dumps", "encode_q", "network_fingerprint", "to_data", "write_network"]


def _digits(n: int, limit: int) -> str:
    """The decimal text of ``n`` (python-flint prints past the 4,300 digits Python's ``str`` refuses);
    SizeGuardError when it has more than ``limit`` digits, which no symnet reader would read back."""
    text = str(n) if n.bit_length() <= _STR_BITS else str(fmpz(n))
    if len(text) - (n < 0) > limit:
        raise SizeGuardError(
            f"a number of {len(text) - (n < 0)} digits is above the {limit} digits a document may hold",
            estimate=len(text) - (n < 0),
            limit=limit,
        )
    return text


#: Below this many bits an int has fewer than 4,300 digits, which Python's ``str`` prints.
_STR_BITS = 14_000


def encode_q(value: Any) -> str:
    """``"p/q"`` (or ``"p"``) for an exact rational (fmpq, int, Fraction, sympy Rational); SizeGuardError for a
    numerator or denominator of more than :data:`~symnet.certificate.numbers.MAX_DIGITS` digits."""
    if isinstance(value, sympy.Basic):
        r = sympy.Rational(value)
        value = fmpq(int(r.p), int(r.q))
    elif not isinstance(value, (int, fmpq)):
        value = fmpq(int(value.numerator), int(value.denominator))
    v = fmpq(value)
    p, q = _digits(int(v.p), MAX_DIGITS), _digits(int(v.q), MAX_DIGITS)
    return p if q == "1" else f"{p}/{q}"


class ExpressionWriter:
    """Builds the ``expressions`` node table; ``ref`` returns an expression's index.

    Shared sub-expressions get one node.  Other symnet documents (counterexamples,
    degree certificates) write their expressions with it too.
    """

    def __init__(self) -> None:
        self.nodes: list[list[Any]] = []
        self.index: dict[sympy.Basic, int] = {}
        self.by_value: dict[tuple[int, int], int] = {}  # rational numbers' refs by (numerator, denominator)

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
            return ["int", _digits(int(e), MAX_NODE_DIGITS)]
        if e.is_Rational:
            return ["rat", _digits(int(e.p), MAX_NODE_DIGITS), _digits(int(e.q), MAX_NODE_DIGITS)]
        if e.is_Float:
            r = sympy.Rational(e)  # a Float's exact binary value
            num, den = int(r.p), int(r.q)
            shift = (num & -num).bit_length() - 1 if num else 0  # make the mantissa odd
            man, exp = abs(num) >> shift, shift - (den.bit_length() - 1) if num else 0
            prec = max(int(e._prec), man.bit_length())  # _prec: sympy has no public accessor for a Float's precision
            if prec > MAX_FLOAT_PRECISION:
                raise SizeGuardError(
                    f"a float of {prec} bits of precision is above the {MAX_FLOAT_PRECISION} a document may hold",
                    estimate=prec,
                    limit=MAX_FLOAT_PRECISION,
                )
            return ["float", int(num < 0), _digits(man, MAX_NODE_DIGITS), exp, man.bit_length(), prec]
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

    def matrix(self, m: Any) -> Any:
        """A matrix as rows of refs; a sparse one (sympy's ``SDM`` of a layer or a factor, or a
        :class:`~symnet.model.exact.SparseQQMatrix`) as sorted triplets."""
        if isinstance(m, (SDM, SparseQQMatrix)):
            return self.sparse(m._rep.rep if isinstance(m, SparseQQMatrix) else m)
        if isinstance(m, fmpq_mat):
            refs = [self.number(v) for v in m.entries()]
            cols = m.ncols()
            return [refs[i * cols : (i + 1) * cols] for i in range(m.nrows())]
        flat, cols = m.flat(), m.cols  # row-major, as m[i, j] would give them one by one
        return [[self.ref(flat[i * cols + j]) for j in range(cols)] for i in range(m.rows)]

    def number(self, v: Any) -> int:
        """The ref of a rational number (an ``fmpq`` or one of sympy's QQ elements)."""
        key = (int(v.numerator), int(v.denominator))
        r = self.by_value.get(key)
        if r is None:
            r = self.by_value[key] = self.ref(fast_rational(*key))
        return r

    def sparse(self, m: SDM) -> dict[str, Any]:
        """``{"shape": [rows, cols], "entries": [[i, j, REF], ...]}``: the nonzero entries, sorted by (i, j)."""
        entries = [[i, j, self.number(row[j])] for i, row in sorted(m.items()) for j in sorted(row)]
        return {"shape": list(m.shape), "entries": entries}

    def vector(self, m: Any) -> list[int]:
        if isinstance(m, fmpq_mat):
            return [self.number(v) for v in m.entries()]
        return [self.ref(v) for v in m]


def write_network(enc: ExpressionWriter, net: Network) -> dict[str, Any]:
    """The ``network`` object of a document: input names and each layer's refs."""
    layers = []
    for layer in net.layers:
        act = layer.activation
        layers.append(
            {
                "weights": enc.matrix(layer.stored_weights),
                "biases": enc.vector(layer.stored_biases),
                "activation": {"name": act.name, "variable": act.variable.name, "expr": enc.ref(act.expr)},
            }
        )
    return {"inputs": [s.name for s in net.inputs], "layers": layers}


def network_fingerprint(net: Network) -> str:
    """``sha256:<hex>`` of the canonical network section (node table + network object, sorted keys).

    Two documents about the same network have the same fingerprint however
    their node tables are laid out; ``symnet prove`` and ``symnet check`` print it.
    """
    enc = ExpressionWriter()
    section = write_network(enc, net)
    text = json.dumps(
        {"expressions": enc.nodes, "network": section}, separators=(",", ":"), sort_keys=True, ensure_ascii=True
    )
    return "sha256:" + hashlib.sha256(text.encode("ascii")).hexdigest()


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
    claim: dict[str, Any] = {
        "form": cert.claim.form,
        "shape": list(cert.claim.shape),
        "routes": list(cert.claim.routes),
    }
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
