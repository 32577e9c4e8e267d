"""The exact numeric collapse: W* and b* of a network whose weights are numbers.

For a network with numeric weights (integers, rationals, floats -- a float is
its exact binary rational) and affine hidden activations, the layer-wise
product ``(b* | W*) = C P_L ... P_1`` is computed as exact rational matrices
with sympy's ``DomainMatrix`` over QQ (python-flint's ``fmpq_mat`` under
flint ground types), multiplying from the output side so every intermediate
product has only q rows.  The certificate has the usual layer-wise steps and
an explicit claim whose entries are exact ``Rational``\\s.

Small networks (below the expansion guard) keep the engine's general route,
which also writes the direct route; symbolic and mixed networks, and
networks with non-affine activations, are not handled here (``prove_numeric``
returns None).
"""

from __future__ import annotations

from typing import Any

import sympy
from sympy.polys.domains import EXRAW, QQ
from sympy.polys.matrices import DomainMatrix
from sympy.polys.matrices.sdm import SDM

from ..certificate import Certificate, Claim, Step
from ..errors import IllFormed, OverBudget, SizeGuardError
from ..kernel import qq
from ..kernel.linear import KERNEL_LIMIT
from ..model.activations import Activation
from ..model.domain import domain_matrix, sparse_rep
from ..model.exact import is_rational_matrix, qq_dense, qq_domain, qq_stored
from ..model.network import Network
from ..model.size import EXPAND_COST_LIMIT
from ..proof import Proof

__all__ = ["numeric_affine", "numeric_monomials", "prove_numeric"]


def _number(e: sympy.Expr) -> Any | None:
    """An exact QQ element for a Rational, else None (a Network holds no Float)."""
    if e.is_Rational:
        return QQ(int(e.p), int(e.q))
    return None


def numeric_affine(act: Activation) -> tuple[Any, Any] | None:
    """``(slope, intercept)`` in QQ when the activation is ``t -> slope*t + intercept`` with numbers."""
    if act.is_identity:
        return QQ(1), QQ(0)
    if act.parameters:
        return None
    try:
        poly = sympy.Poly(act.expr, act.variable)
    except sympy.PolynomialError:
        return None
    if poly.degree() > 1:
        return None
    slope, intercept = _number(poly.coeff_monomial(act.variable)), _number(poly.coeff_monomial(1))
    if slope is None or intercept is None:
        return None
    return slope, intercept


def _small(net: Network, product: DomainMatrix, limit: int) -> bool:
    """Whether the engine's size guards call the network small (then its general route runs).

    The path count is at least the number of nonzero entries of (b* | W*), so
    a product with more nonzeros than the guards allow is large without
    counting paths.
    """
    rep = getattr(product.rep, "rep", None)
    entries = rep.entries() if rep is not None else product.to_list_flat()
    nonzero = sum(1 for a in entries if a)
    if nonzero > limit or nonzero * net.p > EXPAND_COST_LIMIT:
        return False
    estimate = numeric_monomials(net)
    return estimate <= limit and estimate * net.p <= EXPAND_COST_LIMIT


def _augment(w: DomainMatrix, b: DomainMatrix, top: bool) -> DomainMatrix | None:
    """[b | W] (with the row (1, 0 ... 0) on top when ``top``) built in flint; None without flint."""
    wr, br = getattr(w.rep, "rep", None), getattr(b.rep, "rep", None)
    if w.domain != QQ or b.domain != QQ or wr is None or br is None:
        return None
    import flint
    from sympy.polys.matrices._dfm import DFM

    m, n = w.shape
    we, be = wr.entries(), br.entries()
    flat: list[Any] = [1] + [0] * n if top else []
    for k in range(m):
        flat.append(be[k])
        flat.extend(we[k * n : (k + 1) * n])
    rows = m + 1 if top else m
    return DomainMatrix.from_rep(DFM._new(flint.fmpq_mat(rows, n + 1, flat), (rows, n + 1), QQ))


def _factor(w: DomainMatrix, b: DomainMatrix, slope: Any, intercept: Any) -> DomainMatrix:
    """P_l = [[1, 0...0], [slope*b + intercept, slope*W]] over QQ."""
    n = w.shape[1]
    if _is_sparse(w):  # a convolution: stays sparse
        top = DomainMatrix({0: {0: QQ.one}}, (1, n + 1), QQ)
        if slope != 1:
            w, b = w * slope, b * slope
        if intercept != 0:
            b = b + DomainMatrix([[intercept] for _ in range(b.shape[0])], b.shape, QQ).to_sparse()
        return top.vstack(b.to_sparse().hstack(w))
    if slope == 1 and intercept == 0:
        fast = _augment(w, b, True)
        if fast is not None:
            return fast
    K = w.domain
    top = DomainMatrix([[K.one] + [K.zero] * n], (1, n + 1), K)
    if slope != 1:
        w, b = w * slope, b * slope
    if intercept != 0:
        b = b + DomainMatrix([[intercept] for _ in range(b.shape[0])], b.shape, K)
    lower = b.hstack(w)
    return _dense(top).vstack(_dense(lower))


def _stated(dm: DomainMatrix) -> Any:
    """A factor or W*, b* as a certificate states them: over QQ in the stored form (an ``fmpq_mat``, sparse kept
    sparse as an ``SDM``), else an exact ImmutableMatrix."""
    if dm.domain == QQ:
        return qq_stored(dm)
    return sympy.ImmutableMatrix(dm.to_Matrix())


def _is_sparse(m: DomainMatrix) -> bool:
    return bool(m.rep.fmt == "sparse")


def _times(product: DomainMatrix, factor: DomainMatrix) -> DomainMatrix:
    """product * factor, exactly; a sparse factor is multiplied sparsely (the product has only q rows)."""
    if _is_sparse(factor):
        from sympy.polys.matrices._dfm import DFM

        flat = qq.sparse_times(product.to_dense().to_dfm().rep, factor.rep)
        return DomainMatrix.from_rep(DFM._new(flat, (flat.nrows(), flat.ncols()), QQ))
    return product * factor


def _flat(m: sympy.ImmutableMatrix) -> tuple[sympy.Expr, ...]:
    """The entries, row by row, as a plain tuple (no per-entry conversion)."""
    return tuple(m.args[2].args)


def _nonzero(m: Any) -> list[bool]:
    """Which entries of a layer's stored matrix are nonzero, row by row (from the flint matrix when there is one)."""
    dense = qq_dense(m)
    if dense is not None:
        return [bool(a) for a in dense.entries()]
    rep = getattr(m, "_rep", None)
    if rep is not None and hasattr(rep.rep, "rep") and (rep.domain == QQ or rep.domain.is_ZZ):
        return [bool(a) for a in rep.rep.rep.entries()]
    return [(e.p != 0) if e.is_Rational else not e.is_zero for e in _flat(m)]


def numeric_monomials(net: Network, *, peak: bool = False) -> int:
    """``symnet.model.size.estimate_monomials`` for a numeric network, from the nonzero patterns (``peak``: the
    largest layer's count, as the kernel's own guard counts: an output of zeros may follow wide hidden layers).

    A nonzero number is one term; an affine activation ``a t + d`` multiplies a
    count by its number of terms, as in the general estimate.  Counted in
    floats: exact below 2**53, and only compared with the guards above.
    """
    import numpy as np

    counts, top = np.ones(net.p + 1), 0.0
    for layer in net.layers:
        bias = np.array(_nonzero(layer.stored_biases), dtype=float)
        stored_w = layer.stored_weights
        sparse = stored_w if layer.is_numeric else getattr(sparse_rep(layer.weights), "rep", None)
        sparse = sparse if isinstance(sparse, SDM) else None
        if sparse is not None:  # the nonzero pattern row by row, without densifying
            tail = counts[1:]
            z = bias * counts[0] + np.array(
                [sum(tail[j] for j in sparse.get(k, {})) for k in range(layer.width)], dtype=float
            )
        else:
            weights = np.array(_nonzero(stored_w), dtype=float).reshape(layer.width, layer.fan_in)
            z = bias * counts[0] + weights @ counts[1:]
        act = layer.activation
        if not act.is_identity:
            z = np.maximum(z, 1) * len(sympy.Add.make_args(act.expr))
        counts = np.concatenate([[1.0], z])
        top = max(top, float(counts[1:].sum()))
    return int(top if peak else counts[1:].sum())


def _is_number_matrix(m: sympy.ImmutableMatrix) -> bool:
    """Every entry a real number (exact over QQ, or an exact algebraic number such as ``1/sqrt(2)``)."""
    if is_rational_matrix(m):
        return True
    flat = m.flat()
    if any(e.is_Symbol for e in flat):
        return False
    return not m.free_symbols and all(e.is_number and e.is_real for e in flat)


def _is_number_layer(layer: Any) -> bool:
    return _is_number_matrix(layer.weights) and _is_number_matrix(layer.biases)


def _exraw(m: sympy.ImmutableMatrix) -> DomainMatrix:
    """Over EXRAW (exact sympy numbers such as ``1/sqrt(2)``)."""
    rows = [[m[i, j] for j in range(m.cols)] for i in range(m.rows)]
    return DomainMatrix(rows, m.shape, EXRAW)


def _dense(m: DomainMatrix) -> DomainMatrix:
    return m.to_dense()  # DFM (flint fmpq_mat) under flint ground types, else DDM


def _budget(net: Network, limit: int) -> None:
    """SizeGuardError up front when the kernel would refuse to check the products of this network's proof for work
    (:func:`symnet.kernel.qq.work`: the layer-wise route, and the direct route the proof of a network of at most
    ``limit`` paths also has)."""
    limit = min(limit, KERNEL_LIMIT)
    try:
        layers = qq.network(net)
        if layers is None:
            return
        total = qq.estimate(layers, product=True, paths=lambda bits: limit)  # the most a direct route adds
        if total > qq.MAX_WORK:  # count the paths: only a small network's proof has the direct route
            total = qq.estimate(layers, product=True, paths=lambda bits: _paths(net, layers, limit, bits))
    except OverBudget as e:  # a layer's denominators alone
        message = f"refusing to prove: {str(e).removeprefix('ill-formed: ')}"
        raise SizeGuardError(message, estimate=e.estimate, limit=qq.MAX_WORK) from None
    except IllFormed:  # a network the kernel reads otherwise (or refuses for its own reason): as before
        return
    if total > qq.MAX_WORK:
        raise SizeGuardError(
            f"refusing to prove: the exact products need an estimated work of {total:.3g}, past the kernel's limit "
            f"of {qq.MAX_WORK:.3g}",
            estimate=total,
            limit=qq.MAX_WORK,
        )


def _paths(net: Network, layers: qq.Layers, limit: int, bits: int) -> int:
    """The paths of the direct route a proof of ``net`` has when it is small (at most ``limit`` paths), else 0;
    ``limit`` itself when the direct route's work at ``bits`` bits is under 1% of the budget (not counted)."""
    if qq.direct(layers, limit, bits) * 100 <= qq.MAX_WORK:
        return limit
    paths = numeric_monomials(net, peak=True)  # the kernel's count (linear._estimate): never below it
    return paths if paths <= limit else 0


def prove_numeric(net: Network, *, expand: bool | None, limit: int) -> Proof | None:
    """The exact layer-wise proof of a large numeric network, or None when another route applies.

    None when a weight is not a number, an activation is not affine with
    numeric coefficients, or the network is small enough for the engine's
    general route (which also writes the direct route).  ``expand=True``
    above the guard raises :class:`~symnet.SizeGuardError` as ``prove`` does.
    """
    if not all(layer.is_numeric or _is_number_layer(layer) for layer in net.layers):
        return None  # a symbol somewhere: the general route
    coefficients = [numeric_affine(layer.activation) for layer in net.layers[:-1]]
    if any(c is None for c in coefficients):
        return None
    mats: list[tuple[Any, Any]] = []
    for layer in net.layers:
        if layer.is_numeric:  # stored over QQ: wrapped as it is, no copy
            w, b = qq_domain(layer.stored_weights), qq_domain(layer.stored_biases)
        else:
            w, b = sparse_rep(layer.weights) or domain_matrix(layer.weights), domain_matrix(layer.biases)
        if w is None or b is None:
            mats = []
            break
        mats.append((w, b))
    rational = bool(mats)
    if not rational:  # exact algebraic numbers (a batch norm's 1/sqrt(var + eps))?
        if not all(_is_number_matrix(layer.weights) and _is_number_matrix(layer.biases) for layer in net.layers):
            return None
        mats = [(_exraw(layer.weights), _exraw(layer.biases)) for layer in net.layers]
        coefficients = [(EXRAW.from_sympy(QQ.to_sympy(a)), EXRAW.from_sympy(QQ.to_sympy(d))) for a, d in coefficients]  # type: ignore[misc]
    if rational:
        _budget(net, limit)
    L = net.depth
    w, b = mats[-1]
    output_row = _augment(w, b, False) or (b.hstack(w) if _is_sparse(w) else _dense(b.hstack(w)))
    factors = [output_row]
    product = output_row
    for l in range(L, 0, -1):
        slope, intercept = coefficients[l - 1]  # type: ignore[misc]
        factor = _factor(*mats[l - 1], slope, intercept)
        factors.append(factor)
        product = _times(product, factor)
    if rational and _small(net, product, limit):
        return None  # the general route writes the direct route too
    if rational and expand is True:
        estimate = numeric_monomials(net)
        raise SizeGuardError(
            f"refusing to expand: the output has an estimated {estimate} monomials in "
            f"{net.p} variables; the limits are {limit} monomials and "
            f"{EXPAND_COST_LIMIT} monomials x variables",
            estimate=estimate,
            limit=limit,
        )
    K = mats[0][0].domain
    steps = [Step("read_output_layer", layer=L + 1, matrix=_stated(output_row))]
    for l, factor in zip(range(L, 0, -1), factors[1:], strict=True):
        slope, intercept = coefficients[l - 1]  # type: ignore[misc]
        steps.append(
            Step(
                "substitute_layer",
                layer=l,
                slope=K.to_sympy(slope),
                intercept=K.to_sympy(intercept),
                matrix=_stated(factor),
            )
        )
    steps.append(Step("conclude_linear_form"))
    q = product.shape[0]
    matrix = _stated(product.extract(list(range(q)), list(range(1, net.p + 1))))
    offset = _stated(product.extract(list(range(q)), [0]))
    claim = Claim("explicit", (net.q, net.p), ("layerwise",), matrix, offset)
    return Proof(Certificate(net, tuple(steps), claim))
