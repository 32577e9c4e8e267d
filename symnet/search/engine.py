"""The proof search: collapse a network with affine activations into one linear form.

``prove`` writes a certificate with up to two routes:

* layer-wise (always, when every activation is affine): starting from the
  output layer's augmented row ``C = [b_{L+1} | W_{L+1}]``, substitute the
  layers one by one from the output side; each hidden layer contributes the
  factor ``P_l = [[1, 0], [a_l b_l + d_l, a_l W_l]]`` for the activation
  ``t -> a_l t + d_l``, so ``(b* | W*) = C P_L ... P_1``.  The certificate has
  O(sum of n_l * n_(l-1)) entries: polynomial in depth, width and inputs.
* direct (below a size guard): expand the output and compare with the claim.

The engine does not check anything it writes; ``symnet.kernel`` does.
"""

from __future__ import annotations

from functools import cached_property, cmp_to_key
from typing import Any

import sympy
from sympy.core.basic import ordering_of_classes

from ..certificate import Certificate, Claim, Step
from ..certificate.polys import ClaimPolys, parse_terms
from ..errors import CertificateError, InvalidType, NotLinearError, SizeGuardError, SymnetError, UndecidedError
from ..kernel.gate import gate_activation
from ..kernel.generic import affine_coefficients
from ..kernel.ring import Exact, balanced_sum, exact
from ..model.activations import Activation
from ..model.network import Network
from ..model.size import EXPAND_COST_LIMIT, EXPAND_LIMIT, estimate_monomials, expansion_cost
from ..model.symbol_matrix import symbol_matrix
from ..model.symbols import flat_entries, paused_gc
from ..numbers import fast_rational
from ..results import Proof
from .generic import GenericNetwork, prove_generic
from .numeric import prove_numeric
from .refutation import refute
from .regions import prove_affine

__all__ = ["EXPAND_LIMIT", "ProofNotFound", "affine_coefficients", "decide", "prove"]


#: The name ``prove`` callers know; the same class as :class:`~symnet.UndecidedError`.
ProofNotFound = UndecidedError


def _factor(layer: Any, slope: sympy.Expr, intercept: sympy.Expr) -> sympy.ImmutableMatrix:
    """P_l = [[1, 0...0], [slope*b + intercept, slope*W]], exactly (a Network holds no Float)."""
    if slope == 1 and intercept == 0:  # the layer's own entries under the row (1, 0 ... 0)
        if layer.is_numeric:
            top = sympy.ImmutableMatrix([[sympy.Integer(1)] + [sympy.Integer(0)] * layer.fan_in])
            return sympy.ImmutableMatrix.vstack(top, sympy.ImmutableMatrix.hstack(layer.biases, layer.weights))
        return symbol_matrix(_augmented_flat(layer, True), layer.width + 1, layer.fan_in + 1)
    rows = [[sympy.Integer(1)] + [sympy.Integer(0)] * layer.fan_in]
    for k in range(layer.width):
        rows.append([slope * layer.biases[k] + intercept] + [slope * layer.weights[k, j] for j in range(layer.fan_in)])
    return sympy.ImmutableMatrix(rows)


def _augmented_flat(layer: Any, head: bool) -> list[sympy.Expr]:
    """The entries of ``[b | W]`` row by row, under the row ``(1, 0 ... 0)`` when ``head``."""
    n = layer.fan_in
    w, b = flat_entries(layer.weights), flat_entries(layer.biases)
    flat: list[sympy.Expr] = [sympy.S.One] + [sympy.S.Zero] * n if head else []
    for k in range(layer.width):
        flat.append(b[k])
        flat.extend(w[k * n : (k + 1) * n])
    return flat


_CANONICAL = cmp_to_key(sympy.Basic.compare)
_ORDER = {n: i for i, n in enumerate(ordering_of_classes)}
_UNKNOWN = len(ordering_of_classes) + 1


def _compare_key(x: Any) -> tuple[Any, ...]:
    """A sort key ordering sympy objects as ``Basic.compare`` does (class, content length, content)."""
    if isinstance(x, sympy.Basic):
        n = type(x).__name__
        i = _ORDER.get(n, _UNKNOWN)
        hc = x._hashable_content()
        return (i, n if i == _UNKNOWN else "", len(hc), tuple(_compare_key(e) for e in hc))
    if isinstance(x, (frozenset, set, dict)):
        raise TypeError("no key")
    return (x,)


def _first(pair: tuple[Any, Any]) -> Any:
    return pair[0]


def _generators(net: Network) -> list[sympy.Symbol]:
    """The inputs, then the parameters in the order the kernel's gate meets them (its ring's order, so a claim's
    polynomials need no renaming there): per layer the weight symbols, the bias symbols, the symbols inside
    other entries, the activation's own; any other parameter last."""
    seen: dict[sympy.Symbol, None] = dict.fromkeys(net.inputs)
    for layer in net.layers:
        inner: set[sympy.Symbol] = set()
        for entries in (layer.weights.flat(), layer.biases.flat()):
            for e in entries:
                if type(e) is sympy.Symbol:
                    seen.setdefault(e)
                elif not e.is_Number:
                    inner |= e.free_symbols
        for s in sorted(inner - set(seen), key=lambda s: s.name):
            seen.setdefault(s)
        act = layer.activation
        for s in sorted(act.expr.free_symbols - {act.variable}, key=lambda s: s.name):
            seen.setdefault(s)
    for s in net.parameters:
        seen.setdefault(s)
    return list(seen)


class _Expander:
    """Polynomial arithmetic over QQ (python-flint ``fmpq_mpoly``) in the inputs and parameters."""

    def __init__(self, net: Network) -> None:
        self.net = net
        self.gens = _generators(net)
        self.ring = Exact(self.gens)
        self.p = net.p

    def element(self, e: sympy.Expr) -> Any:
        return self.ring.poly(e if e.is_Symbol or e.is_Rational else exact(e), "an entry")

    @cached_property
    def _rank(self) -> list[int]:
        """Each generator's position in sympy's canonical argument order (Basic.compare)."""
        order = sorted(range(len(self.gens)), key=lambda i: _CANONICAL(self.gens[i]))
        rank = [0] * len(self.gens)
        for position, i in enumerate(order):
            rank[i] = position
        return rank

    @cached_property
    def _keys(self) -> dict[sympy.Symbol, tuple[Any, ...]]:
        return {g: _compare_key(g) for g in self.gens if g.is_Symbol}

    @cached_property
    def _mul_key(self) -> int:
        return _ORDER.get("Mul", _UNKNOWN)

    @cached_property
    def _names(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.ring.ctx.names())}

    def _terms(self, poly: Any) -> list[tuple[int, int, list[int], list[int] | None]]:
        """``(p, q, generator indices, their exponents or None when all are 1)`` for every term of ``poly``.

        Read from python-flint's printed form, which costs a fraction of
        ``poly.terms()`` (that makes one fmpz per generator per term: 100 us a
        term at 300 generators); anything unexpected falls back to ``terms()``.
        The kernel checks whatever the engine writes, so this reader is not trusted.
        """
        try:
            return parse_terms(poly.str(), self._names)
        except (ValueError, KeyError):
            out: list[tuple[int, int, list[int], list[int] | None]] = []
            for monom, c in poly.terms():
                idx = [i for i, k in enumerate(monom) if k]
                powers = [int(monom[i]) for i in idx]
                out.append((int(c.p), int(c.q), idx, powers if any(k != 1 for k in powers) else None))
            return out

    @cached_property
    def _symbol_gens(self) -> bool:
        return all(g.is_Symbol for g in self.gens)

    def as_expr(self, poly: Any) -> sympy.Expr:
        """A ring element as a sympy expression in the network's symbols, in sympy's canonical form.

        Square-free monomials of symbols are built directly in canonical
        argument order (what ``Mul(*factors)`` and ``Add(*terms)`` would
        produce, without re-flattening), and the terms sorted once by a
        precomputed key equal to ``Basic.compare``'s order; anything else
        goes through sympy.
        """
        gens, rank = self.gens, self._rank
        keys, mul = self._keys, self._mul_key
        mul_name = "Mul" if mul == _UNKNOWN else ""
        coefficient_keys: dict[tuple[int, int], tuple[Any, ...]] = {}
        terms: list[tuple[Any, sympy.Expr]] = []
        constant: sympy.Expr = sympy.S.Zero
        plain = self._symbol_gens
        from_args = sympy.Mul._from_args
        for p, q, idx, powers in self._terms(poly):
            if not idx:
                constant = fast_rational(p, q)
                continue
            if not plain or powers:  # a power, or a generator that is not a symbol
                plain = False
                coeff = fast_rational(p, q)
                exps = powers or [1] * len(idx)
                terms.append((None, sympy.Mul(coeff, *(gens[i] ** k for i, k in zip(idx, exps, strict=True)))))
                continue
            if len(idx) > 1:
                idx.sort(key=rank.__getitem__)
            syms = [gens[i] for i in idx]
            if p == 1 and q == 1:
                if len(syms) == 1:
                    terms.append((keys[syms[0]], syms[0]))
                    continue
                term = from_args(syms, is_commutative=True)
                arg_keys = tuple(map(keys.__getitem__, syms))
            else:
                coeff = fast_rational(p, q)
                ck = coefficient_keys.get((p, q))
                if ck is None:
                    ck = coefficient_keys[(p, q)] = _compare_key(coeff)
                term = from_args([coeff, *syms], is_commutative=True)
                arg_keys = (ck, *(keys[a] for a in syms))
            terms.append(((mul, mul_name, len(arg_keys), arg_keys), term))
        if not plain:
            return sympy.Add(constant, *(t for _, t in terms))
        if not terms:
            return constant
        if len(terms) == 1 and constant == 0:
            return terms[0][1]
        try:
            terms.sort(key=_first)
        except TypeError:  # keys of unlike shapes: let sympy order them
            terms.sort(key=lambda pair: _CANONICAL(pair[1]))
        args = ([constant] if constant != 0 else []) + [t for _, t in terms]
        return sympy.Add._from_args(args, is_commutative=True)

    def product_claim(self, factors: list[sympy.ImmutableMatrix]) -> list[list[Any]]:
        """The rows of C P_L ... P_1 as ring elements."""
        zero = self.ring.zero
        first = factors[0]
        flat = first.flat()
        rows = [[self.element(v) for v in flat[i * first.cols : (i + 1) * first.cols]] for i in range(first.rows)]
        for factor in factors[1:]:
            ff = factor.flat()
            f = [[self.element(v) for v in ff[k * factor.cols : (k + 1) * factor.cols]] for k in range(factor.rows)]
            columns = list(zip(*f, strict=True))
            rows = [
                [balanced_sum([r * v for r, v in zip(row, column, strict=True) if r and v], zero) for column in columns]
                for row in rows
            ]
        return rows

    def output(self) -> list[Any]:
        """The network's output, expanded, one ring element per output."""
        zero = self.ring.zero
        u = list(self.ring.gen_polys[: self.p])
        for layer in self.net.layers:
            wf, bf = layer.weights.flat(), layer.biases.flat()
            z = []
            for k in range(layer.width):
                acc = self.element(bf[k])
                for j in range(layer.fan_in):
                    w = wf[k * layer.fan_in + j]
                    if w != 0:
                        acc = acc + self.element(w) * u[j]
                z.append(acc)
            act = layer.activation
            if not act.is_identity:
                form = gate_activation(act, (), "the activation")
                assert form.coeffs is not None
                coeffs = [self.element(c) for c in reversed(form.coeffs)]
                z = [self._horner(coeffs, v) for v in z]
            u = z
        del zero
        return u

    @staticmethod
    def _horner(coeffs: list[Any], v: Any) -> Any:
        acc = coeffs[0]
        for c in coeffs[1:]:
            acc = acc * v + c
        return acc

    def x_degree(self, poly: Any) -> int:
        return self.ring.x_degree(poly, self.p)

    def split(self, poly: Any) -> tuple[list[sympy.Expr], sympy.Expr]:
        """Coefficients of x_1..x_p and the constant term of a poly of x-degree <= 1."""
        ctx = self.ring.ctx
        n = max(len(self.gens), 1)
        coeffs: list[dict[tuple[int, ...], Any]] = [{} for _ in range(self.p + 1)]
        for monom, c in poly.terms():
            xs = monom[: self.p]
            slot = 0 if not any(xs) else 1 + xs.index(1)
            rest = (0,) * self.p + tuple(monom[self.p :])
            coeffs[slot][rest + (0,) * (n - len(rest))] = c
        exprs = [self.as_expr(ctx.from_dict(d)) if d else sympy.Integer(0) for d in coeffs]
        return exprs[1:], exprs[0]


def _is_polynomial(act: Activation) -> bool:
    if act.is_identity:
        return True
    return gate_activation(act, (), "the activation").is_polynomial


def prove(net: Network, *, expand: bool | None = None, limit: int = EXPAND_LIMIT) -> Proof:
    """Prove that the network's output is one linear form ``W* x + b*``.

    Returns a :class:`~symnet.Proof` whose certificate ``check()`` re-verifies.
    ``expand`` controls the direct route (expand the output and compare):
    ``None`` runs it when the estimated monomial count is at most ``limit``
    (and monomials x variables at most ``symnet.model.size.EXPAND_COST_LIMIT``),
    ``True`` demands it (``SizeGuardError`` with the estimate above the limit),
    ``False`` skips it.  Raises :class:`~symnet.NotLinearError` (with a
    counterexample when one is found) if the output is not linear in x.

    >>> import symnet
    >>> proof = symnet.prove(symnet.dense(2, [2]))
    >>> proof.matrix
    Matrix([[b_{1,1}*c_1 + b_{2,1}*c_2, b_{1,2}*c_1 + b_{2,2}*c_2]])
    >>> proof.check()
    True
    """
    if isinstance(net, GenericNetwork):
        return prove_generic(net, expand=expand, limit=limit)  # type: ignore[return-value]
    return _prove(net, expand, limit)


def _prove(net: Network, expand: bool | None, limit: int) -> Proof:
    if not isinstance(net, Network):
        raise InvalidType(f"net={net!r} of type {type(net).__name__} is not a symnet.Network")
    if isinstance(expand, bool) is False and expand is not None:
        raise InvalidType(f"expand={expand!r} must be True, False or None")
    numeric = prove_numeric(net, expand=expand, limit=limit)  # large numeric networks: exact matrices
    if numeric is not None:
        return numeric
    estimate = estimate_monomials(net)
    small = estimate <= limit and expansion_cost(net, estimate) <= EXPAND_COST_LIMIT
    if expand is True and not small:
        raise SizeGuardError(
            f"refusing to expand: the output has an estimated {estimate} monomials in "
            f"{net.p + len(net.parameters)} variables; the limits are {limit} monomials and "
            f"{EXPAND_COST_LIMIT} monomials x variables",
            estimate=estimate,
            limit=limit,
        )
    hidden = net.layers[:-1]
    coefficients = [affine_coefficients(layer.activation) for layer in hidden]
    bad = [l for l, c in enumerate(coefficients, start=1) if c is None]
    if bad:
        return _prove_non_affine(net, bad[0], small and expand is not False)
    with paused_gc():  # millions of long-lived objects at dense(500, [500]*10): no cycle to find
        return _prove_layerwise(net, coefficients, small, expand)


def _prove_layerwise(net: Network, coefficients: list[Any], small: bool, expand: bool | None) -> Proof:
    """The layer-wise certificate (and the direct route when ``small``) of a network with affine activations."""
    L = net.depth
    last = net.layers[-1]
    output_row = (  # exact: a Network holds no Float
        sympy.ImmutableMatrix.hstack(last.biases, last.weights)
        if last.is_numeric
        else symbol_matrix(_augmented_flat(last, False), last.width, last.fan_in + 1)
    )
    steps = [Step("read_output_layer", layer=L + 1, matrix=output_row)]
    factors = [output_row]
    for l in range(L, 0, -1):
        slope, intercept = coefficients[l - 1]
        factor = _factor(net.layers[l - 1], slope, intercept)
        steps.append(Step("substitute_layer", layer=l, slope=slope, intercept=intercept, matrix=factor))
        factors.append(factor)
    steps.append(Step("conclude_linear_form"))
    routes = ["layerwise"]
    shape = (net.q, net.p)
    rows = None
    if small:
        ex = _Expander(net)
        try:
            rows = ex.product_claim(factors)
        except (ValueError, TypeError, sympy.PolynomialError, CertificateError):  # not a polynomial: product form only
            rows = None
    if rows is not None:
        # W* and b* stay exact polynomials; sympy expressions are built only if someone asks (Claim.matrix)
        polys = ClaimPolys(tuple(ex.gens), tuple(tuple(row[1:]) for row in rows), tuple(row[0] for row in rows))
        if expand is not False:
            # the output is b*_i + sum_j W*_ij x_j, and W*, b* have no x: its monomials are theirs, one for one
            steps.append(Step("expand_and_compare", monomials=sum(len(v) for row in rows for v in row)))
            routes.append("direct")
        claim = Claim.from_polys(shape, tuple(routes), polys)
    else:
        claim = Claim("product", shape, tuple(routes))
    return Proof(Certificate(net, tuple(steps), claim))


def _prove_non_affine(net: Network, layer: int, may_expand: bool) -> Proof:
    """A network with a non-affine activation: only the direct route can prove it linear."""
    act = net.layers[layer - 1].activation
    if may_expand and all(_is_polynomial(lay.activation) for lay in net.layers):
        ex = _Expander(net)
        outputs = ex.output()
        if all(ex.x_degree(o) <= 1 for o in outputs):
            parts = [ex.split(o) for o in outputs]
            matrix = sympy.ImmutableMatrix([coeffs for coeffs, _ in parts])
            offset = sympy.ImmutableMatrix([const for _, const in parts])
            steps = (Step("expand_and_compare", monomials=sum(len(o) for o in outputs)),)
            claim = Claim("explicit", (net.q, net.p), ("direct",), matrix, offset)
            return Proof(Certificate(net, steps, claim))
    counterexample = refute(net)  # raises UndecidedError when it can decide neither way
    message = f"layer {layer}'s activation {act.label()} is not affine, and the output is not linear in x"
    if counterexample is not None:
        raise NotLinearError(message, counterexample=counterexample, layer=layer)
    piecewise = _prove_piecewise(net)
    if piecewise is not None:
        return piecewise
    raise UndecidedError(
        f"layer {layer}'s activation {act.label()} is not affine; the network is nevertheless affine in x "
        "(refute showed it), but symnet has no certificate rule for that yet: see symnet.regions(net) "
        "for its exact affine form"
    )


def _prove_piecewise(net: Network) -> Proof | None:
    """The regions route: a numeric relu-type network affine on all of R^p gets a PiecewiseProof (else None)."""
    try:
        return prove_affine(net)
    except SymnetError:  # symbolic weights, size guards: no piecewise certificate
        return None


def decide(net: Network, **kwargs: Any) -> Any:
    """The Proof when the output is linear in x, else the Counterexample."""
    try:
        return prove(net, **kwargs)
    except NotLinearError as exc:
        if exc.counterexample is None:
            raise
        return exc.counterexample
