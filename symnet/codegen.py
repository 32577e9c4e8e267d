"""Code generation: symnet's symbol names as identifiers, and functions that run.

symnet names its symbols as the blog post's notation writes them, in LaTeX
(``b_{1,0}``, ``b^{(2)}_{1,2}``, ``c_1``), so that ``sympy.latex`` prints them
as subscripts.  Those names are not identifiers of Python or C; this module
maps each to one, by these rules (applied in order):

1. a layer superscript ``^{(l)}`` after the stem joins the stem: ``b^{(2)}`` -> ``b2``;
2. an index ``_{i,j}`` becomes ``_i_j`` and ``_{i}`` becomes ``_i``: ``b_{1,0}`` -> ``b_1_0``;
3. any other character that cannot appear in an identifier becomes ``_``
   (runs of ``_`` are collapsed, trailing ones dropped); a leading digit
   gets a leading ``_``, and ``_`` alone or a Python or C keyword a trailing ``_``;
4. :func:`identifiers` makes the names of one network distinct: when two
   symbols would get one identifier, the later one (in the order inputs,
   then :attr:`~symnet.Network.parameters`) gets ``_2``, ``_3``, ...; so
   does a symbol whose identifier is one of the generated code's own names
   (``Fraction``, ``math``, ``f``, ``x``, ``w``, ``out``).

So ``x_1`` -> ``x_1``, ``b_{1,0}`` -> ``b_1_0``, ``b^{(2)}_{1,2}`` -> ``b2_1_2``,
``c_{2,0}`` -> ``c_2_0``.  The names that are already identifiers are kept.

>>> import symnet
>>> from symnet import codegen
>>> [codegen.identifier(n) for n in ("b_{1,0}", "b^{(2)}_{1,2}", "c_1")]
['b_1_0', 'b2_1_2', 'c_1']
>>> proof = symnet.prove(symnet.dense(1, [1]))
>>> codegen.pycode(proof.offset[0])
'b_1_0*c_1 + c_0'
>>> print(proof.to_python(), end="")
from fractions import Fraction
<BLANKLINE>
def f(x_1, b_1_0, b_1_1, c_0, c_1):
    return (b_1_0*c_1 + b_1_1*c_1*x_1 + c_0,)
>>> proof.lambdify()(2, 1, 3, 0, 1)
(7,)

Importing symnet's results (``symnet.prove`` and the rest) loads this module,
which also teaches sympy's own code printers these identifiers
(:func:`install_code_printer_names`): ``sympy.pycode``, ``sympy.ccode``,
``sympy.lambdify`` and every printer built on sympy's ``CodePrinter`` then
write ``b_{1,0}`` as ``b_1_0`` instead of the invalid ``b_1,0``:

>>> import sympy
>>> sympy.pycode(proof.offset[0]), sympy.ccode(proof.offset[0]), sympy.latex(proof.offset[0])
('b_1_0*c_1 + c_0', 'b_1_0*c_1 + c_0', 'b_{1,0} c_{1} + c_{0}')

The generated Python is exact: rationals are written as ``Fraction(p, q)``,
so ``int`` and ``Fraction`` arguments give exact results (floats give
floats).  :func:`to_c` writes a C99 function over ``double``.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import sympy
from sympy.printing.c import C99CodePrinter
from sympy.printing.codeprinter import CodePrinter
from sympy.printing.pycode import PythonCodePrinter

from .certificate import Certificate
from .conversion import exact_ratio
from .errors import InvalidArgument, InvalidType
from .model.exact import as_sympy
from .model.network import Network, as_network

__all__ = [
    "DOMAIN_KEY",
    "ccode",
    "certificate_of",
    "domain_rows",
    "identifier",
    "identifiers",
    "install_code_printer_names",
    "lambdify",
    "linear_form",
    "pycode",
    "to_c",
    "to_python",
]

_C_KEYWORDS = frozenset(
    "auto break case char const continue default do double else enum extern float for goto if inline int long "
    "register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while "
    "_Bool _Complex _Imaginary".split()
)
#: Names the generated code uses itself: ``Fraction``, ``math``, the default function name ``f``,
#: the C function's arrays ``x``, ``w`` and ``out``, and the domain guard's ``_point``.
_RESERVED = frozenset({"Fraction", "math", "f", "x", "w", "out", "_point"})

_LAYER = re.compile(r"\^\{\(([0-9]+)\)\}")
_INDEX = re.compile(r"_\{([^{}]*)\}")


def identifier(name: str) -> str:
    """The identifier of one symbol name, by rules 1-3 of the module docstring.

    sympy's own code printers spell symnet's names this way too
    (:func:`install_code_printer_names`).

    >>> identifier("b^{(3)}_{2,1}")
    'b3_2_1'
    """
    if not isinstance(name, str):
        raise InvalidType(f"name={name!r} must be a str")
    text = _LAYER.sub(r"\1", name)
    text = _INDEX.sub(lambda m: "_" + m.group(1).replace(",", "_"), text)
    text = re.sub(r"[^0-9A-Za-z_]", "_", text)
    text = re.sub(r"_+", "_", text)
    text = text.rstrip("_") if text.rstrip("_") else text
    text = text or "_"
    if text[0].isdigit():
        text = "_" + text
    if text == "_" or keyword.iskeyword(text) or text in _C_KEYWORDS:
        text += "_"
    return text


_ASCII_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _identifier_printer(original: Callable[..., Any]) -> Callable[..., str]:
    """A ``CodePrinter`` method printing a name as ``original`` does, unless it holds ``{`` and is no identifier."""

    def print_name(printer: CodePrinter, expr: Any, **kwargs: Any) -> str:
        name = str(original(printer, expr, **kwargs))
        if "{" not in name or _ASCII_IDENTIFIER.match(name):
            return name
        ident = identifier(str(expr.name))
        if ident in printer.reserved_words:
            ident += printer._settings["reserved_word_suffix"]
        return ident

    print_name.__wrapped__ = original  # type: ignore[attr-defined]
    return print_name


def install_code_printer_names() -> None:
    """Make sympy's code printers write symnet's LaTeX names as identifiers (done when this module is imported).

    It wraps ``sympy.printing.codeprinter.CodePrinter``'s ``_print_Symbol``
    and ``_print_MatrixSymbol`` and changes only what would be no identifier
    anyway: a name holding ``{`` whose printed form is no ASCII identifier
    (sympy's Python printer writes ``b_{1,2}`` as ``b_1,2``, its C printer as
    ``b_{1,2}``); such a name prints as :func:`identifier` spells it.  Every
    other symbol prints as before, and the symbols themselves (names,
    ``str``, LaTeX, equality, hashing, pickling, certificates) do not change.
    Idempotent.
    """
    for method in ("_print_Symbol", "_print_MatrixSymbol"):
        current = getattr(CodePrinter, method)
        if not hasattr(current, "__wrapped__"):
            setattr(CodePrinter, method, _identifier_printer(current))


def identifiers(net: Network) -> dict[sympy.Symbol, str]:
    """Every symbol of ``net`` (inputs, then parameters) mapped to a distinct identifier (rule 4).

    The identifiers also avoid the names the generated code uses itself
    (``Fraction``, ``math``, ``f``, ``x``, ``w``, ``out``).

    >>> import symnet
    >>> list(identifiers(symnet.dense(1, [2, 1])).values())[:4]
    ['x_1', 'b1_1_0', 'b1_1_1', 'b1_2_0']
    """
    if not isinstance(net, Network):
        raise InvalidType(f"net={net!r} of type {type(net).__name__} is not a symnet.Network")
    used: set[str] = set(_RESERVED)
    out: dict[sympy.Symbol, str] = {}
    for sym in (*net.inputs, *net.parameters):
        base = identifier(sym.name)
        ident, n = base, 1
        while ident in used:
            n += 1
            ident = f"{base}_{n}"
        used.add(ident)
        out[sym] = ident
    return out


def _names_for(expr: sympy.Basic, names: Mapping[sympy.Symbol, str] | None) -> dict[sympy.Symbol, str]:
    given = dict(names or {})
    return {s: given.get(s, identifier(s.name)) for s in expr.free_symbols if isinstance(s, sympy.Symbol)}


class _Python(PythonCodePrinter):  # type: ignore[misc]
    """sympy's Python printer with symnet's identifiers and exact rationals (``Fraction(p, q)``)."""

    def __init__(self, names: Mapping[sympy.Symbol, str], exact: bool = True) -> None:
        super().__init__({"fully_qualified_modules": False, "standard": "python3", "strict": True})
        self._names = names
        self._exact = exact

    def _print_Symbol(self, expr: sympy.Symbol) -> str:
        return self._names.get(expr) or identifier(expr.name)

    def _print_Rational(self, expr: sympy.Rational) -> str:
        if not self._exact:
            return str(super()._print_Rational(expr))
        return f"Fraction({expr.p}, {expr.q})"

    def _print_Half(self, expr: sympy.Rational) -> str:
        return self._print_Rational(expr)


class _C(C99CodePrinter):  # type: ignore[misc]
    """sympy's C99 printer with symnet's identifiers."""

    def __init__(self, names: Mapping[sympy.Symbol, str]) -> None:
        super().__init__({"strict": True})
        self._names = names

    def _print_Symbol(self, expr: sympy.Symbol) -> str:
        return self._names.get(expr) or identifier(expr.name)


def _expr(expr: Any) -> sympy.Expr:
    if not isinstance(expr, sympy.Basic):
        raise InvalidType(f"expr={expr!r} of type {type(expr).__name__} is not a sympy expression")
    return expr


def pycode(expr: sympy.Expr, names: Mapping[sympy.Symbol, str] | None = None, *, exact: bool = True) -> str:
    """``expr`` as Python source, its symbols written as identifiers.

    ``names`` overrides the identifier of some symbols (for example
    ``identifiers(net)``); the others follow :func:`identifier`.  With
    ``exact=True`` rationals are ``Fraction(p, q)`` (``from fractions import
    Fraction`` must be in scope); with ``exact=False`` they are float divisions.
    """
    e = _expr(expr)
    return str(_Python(_names_for(e, names), exact).doprint(e))


def ccode(expr: sympy.Expr, names: Mapping[sympy.Symbol, str] | None = None) -> str:
    """``expr`` as a C99 expression over ``double``, its symbols written as identifiers."""
    e = _expr(expr)
    return str(_C(_names_for(e, names)).doprint(e))


def _dot(row: list[sympy.Expr], factor: sympy.ImmutableMatrix, j: int) -> sympy.Expr:
    """sum_k row[k] * factor[k, j], nested and unexpanded (built unevaluated: it is only a DAG)."""
    terms = []
    for k, a in enumerate(row):
        b = factor[k, j]
        if a == 0 or b == 0:
            continue
        terms.append(b if a == 1 else a if b == 1 else sympy.Mul(a, b, evaluate=False))
    if not terms:
        return sympy.Integer(0)
    return terms[0] if len(terms) == 1 else sympy.Add(*terms, evaluate=False)


def linear_form(certificate: Certificate) -> tuple[sympy.ImmutableMatrix, sympy.ImmutableMatrix]:
    """The claim ``(W*, b*)`` of a linear certificate: written out, or the product of its steps' factors.

    For a ``product`` claim the entries are nested, unexpanded expressions
    ``C P_L ... P_1`` (printing them in full can be huge).
    """
    claim = certificate.claim
    if claim.form == "explicit":
        assert claim.matrix is not None and claim.offset is not None
        return as_sympy(claim.matrix), as_sympy(claim.offset)
    reads = ("read_output_layer", "substitute_layer")
    factors = [as_sympy(s.matrix) for s in certificate.steps if s.rule in reads and s.matrix is not None]
    rows = [list(factors[0].row(i)) for i in range(factors[0].rows)]
    for factor in factors[1:]:
        rows = [[_dot(row, factor, j) for j in range(factor.cols)] for row in rows]
    return sympy.ImmutableMatrix([r[1:] for r in rows]), sympy.ImmutableMatrix([r[0] for r in rows])


def certificate_of(source: Any) -> Certificate:
    """The linear certificate itself, or a proof's ``certificate``; InvalidType for anything else."""
    cert = source if isinstance(source, Certificate) else getattr(source, "certificate", None)
    if not isinstance(cert, Certificate):
        raise InvalidType(f"proof={source!r} of type {type(source).__name__} is not a symnet.Proof or its certificate")
    return cert


#: ``Certificate.meta`` key of the rows ``(b, a_1, ..., a_p)`` -- meaning ``b + a . x >= 0`` -- of the domain a
#: claim holds on, when that is not all of R^p (a piecewise proof over a box or a polytope).
DOMAIN_KEY = "domain_rows"


def domain_rows(certificate: Certificate) -> tuple[tuple[Fraction, ...], ...]:
    """The rows of the domain the certificate's claim holds on (empty: all of R^p)."""
    rows = certificate.meta.get(DOMAIN_KEY, ())
    return tuple(tuple(Fraction(v) for v in row) for row in rows)


def _outputs(source: Any) -> tuple[Network, tuple[sympy.Expr, ...], tuple[tuple[Fraction, ...], ...]]:
    cert = certificate_of(source)
    net = as_network(cert.network)
    matrix, offset = linear_form(cert)
    x = net.inputs
    exprs = tuple(
        sympy.Add(offset[i], *(sympy.Mul(matrix[i, j], x[j]) for j in range(len(x)))) for i in range(matrix.rows)
    )
    return net, exprs, domain_rows(cert)


def _check_name(name: str, names: Mapping[sympy.Symbol, str]) -> str:
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name) or name in _C_KEYWORDS:
        raise InvalidArgument(f"name={name!r} must be an identifier of Python and C")
    if name in names.values() or name in _RESERVED - {"f"}:
        raise InvalidArgument(f"name={name!r} is already the name of an argument or of the generated code's own")
    return name


def _fraction(v: Fraction) -> str:
    return f"Fraction({v.numerator}, {v.denominator})" if v.denominator != 1 else f"Fraction({v.numerator})"


def _guard(rows: Sequence[Sequence[Fraction]], inputs: Sequence[str]) -> list[str]:
    """Source lines refusing a point outside the domain ``b + a . x >= 0`` (compared exactly, as Fractions)."""
    if not rows:
        return []
    lines = ["    _point = (" + ", ".join(f"Fraction({name})" for name in inputs) + ",)"]
    tests = []
    for row in rows:
        terms = [_fraction(row[0])] + [f"{_fraction(a)}*_point[{j}]" for j, a in enumerate(row[1:]) if a]
        tests.append(" + ".join(terms) + " >= 0")
    lines.append(f"    if not ({' and '.join(tests)}):")
    lines.append('        raise ValueError("the point is outside the domain on which the proof holds")')
    return lines


def _source(net: Network, exprs: Sequence[sympy.Expr], rows: Sequence[Sequence[Fraction]], name: str) -> str:
    names = identifiers(net)
    printer = _Python(names, exact=True)
    body = ", ".join(printer.doprint(e) for e in exprs)
    args = ", ".join(names.values())
    imports = ["from fractions import Fraction"]
    imports += [
        f"from {module} import {', '.join(sorted(fns))}" for module, fns in sorted(printer.module_imports.items())
    ]
    guard = _guard(rows, [names[s] for s in net.inputs])
    lines = [f"def {_check_name(name, names)}({args}):", *guard, f"    return ({body},)"]
    return "\n".join(imports) + "\n\n" + "\n".join(lines) + "\n"


def to_python(proof: Any, name: str = "f") -> str:
    """The source of a plain Python function computing the proved form ``W* x + b*``.

    ``proof`` is a linear certificate (or a Proof, for its certificate).  The
    function's arguments are the inputs, then the parameters (named by
    :func:`identifiers`); it returns a tuple with one value per output.
    Rationals are ``Fraction``: exact for ``int`` / ``Fraction`` arguments.
    When the claim holds on a domain only (a piecewise proof over a box), the
    function first raises ValueError for a point outside it.
    """
    net, exprs, rows = _outputs(proof)
    return _source(net, exprs, rows, name)


def to_c(proof: Any, name: str = "symnet_f") -> str:
    """A C99 function ``void name(const double *x, const double *w, double *out)`` for ``W* x + b*``.

    ``x`` holds the inputs, ``w`` the parameters in the order of
    :attr:`~symnet.Network.parameters`, and ``out`` receives one value per
    output.  Link with ``-lm`` if an entry uses a math function.  A claim
    that holds on a domain only is refused (doubles cannot test it exactly).
    """
    net, exprs, rows = _outputs(proof)
    if rows:
        raise InvalidArgument("the proof holds on a domain only (a box or a polytope); C code cannot guard it exactly")
    names = identifiers(net)
    printer = _C(names)
    signature = f"void {_check_name(name, names)}(const double *x, const double *w, double *out) {{"
    lines = ["#include <math.h>", "", signature]
    for j, s in enumerate(net.inputs):
        lines.append(f"    const double {names[s]} = x[{j}];")
    for j, s in enumerate(net.parameters):
        lines.append(f"    const double {names[s]} = w[{j}];")
    for i, e in enumerate(exprs):
        lines.append(f"    out[{i}] = {printer.doprint(e)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _inside(rows: Sequence[Sequence[Fraction]], point: Sequence[Any]) -> bool:
    x = [Fraction(*exact_ratio(v, f"x[{j}]")) for j, v in enumerate(point)]  # a float at its binary value
    return all(row[0] + sum((a * v for a, v in zip(row[1:], x, strict=True)), Fraction(0)) >= 0 for row in rows)


def _guarded(
    fn: Callable[..., tuple[Any, ...]], rows: Sequence[Sequence[Fraction]], p: int
) -> Callable[..., tuple[Any, ...]]:
    """``fn`` refusing (InvalidArgument) any input point outside the domain; arrays are tested point by point."""

    def guarded(*args: Any) -> tuple[Any, ...]:
        inputs = args[:p]
        if any(hasattr(v, "shape") and getattr(v, "shape", ()) != () for v in inputs):
            import numpy as np  # only an array argument brings numpy here

            columns = [np.ravel(c) for c in np.broadcast_arrays(*inputs)]
            points: Any = zip(*columns, strict=True)
        else:
            points = [inputs]
        for point in points:
            if not _inside(rows, point):
                raise InvalidArgument(f"the point {tuple(point)} is outside the domain on which the proof holds")
        return fn(*args)

    return guarded


def lambdify(proof: Any, modules: str | Sequence[Any] | None = None) -> Callable[..., tuple[Any, ...]]:
    """A function for ``W* x + b*``: arguments as in :func:`to_python`, one result per output.

    With ``modules=None`` it runs :func:`to_python`'s exact source (ints and
    Fractions stay exact); with ``modules="numpy"`` (or any ``modules`` of
    :func:`sympy.lambdify`) it is sympy's lambdified function over the
    renamed symbols, which takes numpy arrays.  When the claim holds on a
    domain only, a point outside it raises InvalidArgument (tested exactly).
    """
    net, exprs, rows = _outputs(proof)
    names = identifiers(net)
    if modules is None:
        namespace: dict[str, Any] = {}
        # the source is generated from validated identifiers only (rule 3): no user text is evaluated
        exec(compile(_source(net, exprs, (), "f"), "<symnet.codegen>", "exec"), namespace)  # noqa: S102
        fn: Callable[..., tuple[Any, ...]] = namespace["f"]
    else:
        renamed = {s: sympy.Symbol(i) for s, i in names.items()}
        args = [renamed[s] for s in names]
        body = tuple(e.xreplace(renamed) for e in exprs)
        fn = sympy.lambdify(args, body, modules=modules)
    return _guarded(fn, rows, net.p) if rows else fn


install_code_printer_names()
