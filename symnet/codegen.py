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

The generated Python is exact: rationals are written as ``Fraction(p, q)``,
so ``int`` and ``Fraction`` arguments give exact results (floats give
floats).  :func:`to_c` writes a C99 function over ``double``.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sympy
from sympy.printing.c import C99CodePrinter
from sympy.printing.pycode import PythonCodePrinter

from .errors import InvalidArgument, InvalidType
from .model.network import Network

__all__ = ["ccode", "identifier", "identifiers", "lambdify", "pycode", "to_c", "to_python"]

_C_KEYWORDS = frozenset(
    "auto break case char const continue default do double else enum extern float for goto if inline int long "
    "register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while "
    "_Bool _Complex _Imaginary".split()
)
#: Names the generated code uses itself: ``Fraction``, ``math``, the default function name ``f``
#: and the C function's arrays ``x``, ``w`` and ``out``.
_RESERVED = frozenset({"Fraction", "math", "f", "x", "w", "out"})

_LAYER = re.compile(r"\^\{\(([0-9]+)\)\}")
_INDEX = re.compile(r"_\{([^{}]*)\}")


def identifier(name: str) -> str:
    """The identifier of one symbol name, by rules 1-3 of the module docstring.

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


class _Python(PythonCodePrinter):
    """sympy's Python printer with symnet's identifiers and exact rationals (``Fraction(p, q)``)."""

    def __init__(self, names: Mapping[sympy.Symbol, str], exact: bool = True) -> None:
        super().__init__({"fully_qualified_modules": False, "standard": "python3", "strict": True})
        self._names = names
        self._exact = exact

    def _print_Symbol(self, expr: sympy.Symbol) -> str:
        return self._names.get(expr) or identifier(expr.name)

    def _print_Rational(self, expr: sympy.Rational) -> str:
        if not self._exact:
            return super()._print_Rational(expr)
        return f"Fraction({expr.p}, {expr.q})"

    def _print_Half(self, expr: sympy.Rational) -> str:
        return self._print_Rational(expr)


class _C(C99CodePrinter):
    """sympy's C99 printer with symnet's identifiers."""

    def __init__(self, names: Mapping[sympy.Symbol, str]) -> None:
        super().__init__({"strict": True})
        self._names = names

    def _print_Symbol(self, expr: sympy.Symbol) -> str:
        return self._names.get(expr) or identifier(expr.name)


def _expr(expr: Any) -> sympy.Expr:
    if not isinstance(expr, sympy.Basic):
        raise InvalidType(f"expr={expr!r} of type {type(expr).__name__} is not a sympy expression")
    return expr  # type: ignore[return-value]


def pycode(expr: sympy.Expr, names: Mapping[sympy.Symbol, str] | None = None, *, exact: bool = True) -> str:
    """``expr`` as Python source, its symbols written as identifiers.

    ``names`` overrides the identifier of some symbols (for example
    ``identifiers(net)``); the others follow :func:`identifier`.  With
    ``exact=True`` rationals are ``Fraction(p, q)`` (``from fractions import
    Fraction`` must be in scope); with ``exact=False`` they are float divisions.
    """
    e = _expr(expr)
    return _Python(_names_for(e, names), exact).doprint(e)


def ccode(expr: sympy.Expr, names: Mapping[sympy.Symbol, str] | None = None) -> str:
    """``expr`` as a C99 expression over ``double``, its symbols written as identifiers."""
    e = _expr(expr)
    return _C(_names_for(e, names)).doprint(e)


def _outputs(proof: Any) -> tuple[Network, tuple[sympy.Expr, ...]]:
    net = getattr(proof, "network", None)
    if not isinstance(net, Network) or not hasattr(proof, "as_expr"):
        raise InvalidType(f"proof={proof!r} of type {type(proof).__name__} is not a symnet.Proof")
    return net, tuple(proof.as_expr())


def _check_name(name: str, names: Mapping[sympy.Symbol, str]) -> str:
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name) or name in _C_KEYWORDS:
        raise InvalidArgument(f"name={name!r} must be an identifier of Python and C")
    if name in names.values() or name in _RESERVED - {"f"}:
        raise InvalidArgument(f"name={name!r} is already the name of an argument or of the generated code's own")
    return name


def to_python(proof: Any, name: str = "f") -> str:
    """The source of a plain Python function computing the proved form ``W* x + b*``.

    Its arguments are the inputs, then the parameters (named by
    :func:`identifiers`); it returns a tuple with one value per output.
    Rationals are ``Fraction``: exact for ``int`` / ``Fraction`` arguments.
    """
    net, exprs = _outputs(proof)
    names = identifiers(net)
    printer = _Python(names, exact=True)
    body = ", ".join(printer.doprint(e) for e in exprs)
    args = ", ".join(names.values())
    imports = ["from fractions import Fraction"]
    imports += [
        f"from {module} import {', '.join(sorted(fns))}" for module, fns in sorted(printer.module_imports.items())
    ]
    return "\n".join(imports) + f"\n\ndef {_check_name(name, names)}({args}):\n    return ({body},)\n"


def to_c(proof: Any, name: str = "symnet_f") -> str:
    """A C99 function ``void name(const double *x, const double *w, double *out)`` for ``W* x + b*``.

    ``x`` holds the inputs, ``w`` the parameters in the order of
    :attr:`~symnet.Network.parameters`, and ``out`` receives one value per
    output.  Link with ``-lm`` if an entry uses a math function.
    """
    net, exprs = _outputs(proof)
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


def lambdify(proof: Any, modules: str | Sequence[Any] | None = None) -> Callable[..., tuple[Any, ...]]:
    """A function for ``W* x + b*``: arguments as in :func:`to_python`, one result per output.

    With ``modules=None`` it runs :func:`to_python`'s exact source (ints and
    Fractions stay exact); with ``modules="numpy"`` (or any ``modules`` of
    :func:`sympy.lambdify`) it is sympy's lambdified function over the
    renamed symbols, which takes numpy arrays.
    """
    net, exprs = _outputs(proof)
    names = identifiers(net)
    if modules is None:
        namespace: dict[str, Any] = {}
        # the source is generated from validated identifiers only (rule 3): no user text is evaluated
        exec(compile(to_python(proof), "<symnet.codegen>", "exec"), namespace)  # noqa: S102
        fn: Callable[..., tuple[Any, ...]] = namespace["f"]
        return fn
    renamed = {s: sympy.Symbol(i) for s, i in names.items()}
    args = [renamed[s] for s in names]
    body = tuple(e.xreplace(renamed) for e in exprs)
    return sympy.lambdify(args, body, modules=modules)  # type: ignore[no-any-return]
