"""Exact multipliers for a box the float LP's rounded multipliers fail to close (pplpy, rational simplex).

Given exact affine functions ``g_k(x) = c_k + a_k . x`` (the kernel's lower
bounds of a disjunct's rows, and the input constraints' negations) and a box,
find ``lambda >= 0`` with ``sum lambda = 1`` maximising
``min over the box of sum_k lambda_k g_k(x)``: the LP

    maximise  sum_k lambda_k c_k + sum_i s_i
    subject to s_i <= lo_i (sum_k lambda_k a_ki),  s_i <= hi_i (sum_k lambda_k a_ki)

over QQ.  Untrusted like the rest of the search: the kernel re-checks what it returns.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from flint import fmpq

__all__ = ["exact_multipliers"]


def _integer_row(values: Sequence[fmpq]) -> list[int]:
    """``values`` times the lcm of their denominators: integers with the same ratios."""
    den = math.lcm(*(int(v.q) for v in values))
    return [int(v.p) * (den // int(v.q)) for v in values]


def exact_multipliers(
    rows: Sequence[tuple[int, Sequence[fmpq]]], box: Sequence[tuple[fmpq, fmpq]]
) -> list[tuple[int, fmpq]] | None:
    """Multipliers ``[(k, lambda_k), ...]`` (non-zero, summing to 1) for the rows ``(k, [c, a_1 .. a_p])`` whose
    combination has a positive minimum over the box; None when the best combination's minimum is <= 0."""
    import ppl  # type: ignore[import-untyped]  # pplpy takes ~70 ms to load: only a box that needs it loads it

    m, p = len(rows), len(box)
    if not m:
        return None
    lam = [ppl.Variable(k) for k in range(m)]
    cs = ppl.Constraint_System()
    for v in lam:
        cs.insert(v >= 0)
    cs.insert(ppl.Linear_Expression([1] * m + [0] * p, -1) == 0)
    for i, (lo, hi) in enumerate(box):
        for end in (lo, hi):  # s_i - end * sum_k lambda_k a_ki <= 0
            coeffs = _integer_row([-end * g[1 + i] for _, g in rows] + [fmpq(1)])
            cs.insert(ppl.Linear_Expression(coeffs[:m] + [0] * i + [coeffs[m]] + [0] * (p - i - 1), 0) <= 0)
    objective = _integer_row([g[0] for _, g in rows] + [fmpq(1)] * p)
    prob: Any = ppl.MIP_Problem(m + p, cs, ppl.Linear_Expression(objective, 0), "maximization")
    if prob.solve()["status"] != "optimized":
        return None
    pt = prob.optimizing_point()
    d = int(pt.divisor())
    values = [fmpq(int(v), d) for v in pt.coefficients()]
    if sum((g[0] * v for (_, g), v in zip(rows, values[:m], strict=True)), fmpq(0)) + sum(values[m:], fmpq(0)) <= 0:
        return None
    return [(k, v) for (k, _), v in zip(rows, values[:m], strict=True) if v != 0]
