"""The rules of the generic kernel: facts about matrices of symbolic size, and their self-checks.

Every fact about matrices of symbolic shape that a generic proof uses is a
rule in :data:`RULES`: a documented statement ``lhs = rhs`` (or
``rank(...) <= r``) over operands of symbolic shape.  A rule is trusted only
after :func:`self_check` has verified it *on fresh symbols for a spread of
concrete sizes*: every operand becomes an explicit matrix of fresh symbols and
both sides are multiplied out and compared exactly.  :mod:`symnet.kernel.generic`
checks certificates with these rules.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import sympy

from ..errors import CertificateError, ShapeError
from ..model.generic import ExplicitOps, Size, SymbolicOps, _same_size, _shape_text

# --------------------------------------------------------------- the rules
Body = Callable[[Any, Mapping[str, Any]], Any]


@dataclass(frozen=True)
class GenericRule:
    """One rule about matrices of symbolic size.

    ``operands`` name the matrices and their shapes in terms of ``dims``
    (``"1"`` is the size 1); ``scalars`` name scalar operands.  ``result``
    builds what a step citing the rule states; ``lhs`` and ``rhs`` build the
    two sides of the rule's statement (``rhs`` from ``result``; by default
    ``result`` itself).  A rule of
    kind ``"rank"`` states ``rank(lhs) <= dims[bound]`` instead.
    """

    name: str
    statement: str
    operands: tuple[tuple[str, str, str], ...]
    result: Body
    lhs: Body
    rhs: Callable[[Any, Mapping[str, Any], Any], Any] = lambda o, e, r: r
    scalars: tuple[str, ...] = ()
    kind: str = "equation"
    bound: str | None = None
    spread: tuple[tuple[int, ...], ...] = ()

    @property
    def dims(self) -> tuple[str, ...]:
        """The sizes the operands' shapes name, in order of first appearance (``"1"`` is the size 1, not a name)."""
        return tuple(dict.fromkeys(d for _, rows, cols in self.operands for d in (rows, cols) if d != "1"))

    def derive(self, env: Mapping[str, Any]) -> Any:
        """The rule's result for symbolic-shape operands, after unifying their shapes with the rule's dims
        (ShapeError on a mismatch)."""
        dims: dict[str, Size] = {"1": sympy.Integer(1)}
        for name, rdim, cdim in self.operands:
            if name not in env:
                raise ShapeError(f"rule {self.name}: operand {name} is missing")
            shape = env[name].shape
            for dim, got in zip((rdim, cdim), shape, strict=True):
                have = dims.setdefault(dim, got)
                if not _same_size(have, got):
                    raise ShapeError(
                        f"rule {self.name}: operand {name} has shape {_shape_text(shape)}, but {dim} = {have} "
                        f"(the rule needs {name}: {rdim} x {cdim})"
                    )
        for d in self.dims:  # a size also given as a scalar operand (substitute_layer's m) must be the operands'
            if d in env and not _same_size(env[d], dims[d]):
                raise ShapeError(f"rule {self.name}: {d} = {env[d]} but the operands give {d} = {dims[d]}")
        return self.result(SymbolicOps(), env)


_RULE_LIST = (
    GenericRule(
        name="read_output_layer",
        statement="W u + b = [b | W] (1, u)   for W: q x m, b: q x 1, u: m x 1",
        operands=(("W", "q", "m"), ("b", "q", "1"), ("u", "m", "1")),
        result=lambda o, e: o.outrow(e["b"], e["W"]),
        lhs=lambda o, e: o.add(o.mul(e["W"], e["u"]), e["b"]),
        rhs=lambda o, e, r: o.mul(r, o.stack1(e["u"])),
    ),
    GenericRule(
        name="substitute_layer",
        statement=(
            "(1, a (W u + b) + d 1_m) = [[1, 0], [a b + d 1_m, a W]] (1, u)   "
            "for W: m x n, b: m x 1, u: n x 1, scalars a, d"
        ),
        operands=(("W", "m", "n"), ("b", "m", "1"), ("u", "n", "1")),
        scalars=("a", "d"),
        result=lambda o, e: o.aug(
            o.add(o.scale(e["a"], e["b"]), o.scale(e["d"], o.ones(e["m"]))), o.scale(e["a"], e["W"])
        ),
        lhs=lambda o, e: o.stack1(
            o.add(o.scale(e["a"], o.add(o.mul(e["W"], e["u"]), e["b"])), o.scale(e["d"], o.ones(e["m"])))
        ),
        rhs=lambda o, e, r: o.mul(r, o.stack1(e["u"])),
    ),
    GenericRule(
        name="multiply_augmented",
        statement=(
            "[[1, 0], [c, V]] [[1, 0], [v, M]] = [[1, 0], [c + V v, V M]]   for V: k x m, c: k x 1, M: m x n, v: m x 1"
        ),
        operands=(("V", "k", "m"), ("c", "k", "1"), ("M", "m", "n"), ("v", "m", "1")),
        result=lambda o, e: o.aug(o.add(e["c"], o.mul(e["V"], e["v"])), o.mul(e["V"], e["M"])),
        lhs=lambda o, e: o.mul(o.aug(e["c"], e["V"]), o.aug(e["v"], e["M"])),
    ),
    GenericRule(
        name="apply_output_row",
        statement="[c | C] [[1, 0], [v, M]] = [c + C v | C M]   for C: q x m, c: q x 1, M: m x n, v: m x 1",
        operands=(("C", "q", "m"), ("c", "q", "1"), ("M", "m", "n"), ("v", "m", "1")),
        result=lambda o, e: o.outrow(o.add(e["c"], o.mul(e["C"], e["v"])), o.mul(e["C"], e["M"])),
        lhs=lambda o, e: o.mul(o.outrow(e["c"], e["C"]), o.aug(e["v"], e["M"])),
    ),
    GenericRule(
        name="conclude_linear_form",
        statement="[c | C] (1, x) = C x + c   for C: q x n, c: q x 1, x: n x 1",
        operands=(("C", "q", "n"), ("c", "q", "1"), ("x", "n", "1")),
        result=lambda o, e: o.add(o.mul(e["C"], e["x"]), e["c"]),
        lhs=lambda o, e: o.mul(o.outrow(e["c"], e["C"]), o.stack1(e["x"])),
    ),
    GenericRule(
        name="factor_rank",
        statement="rank(A B) <= r   for A: m x r, B: r x n",
        operands=(("A", "m", "r"), ("B", "r", "n")),
        result=lambda o, e: o.mul(e["A"], e["B"]),
        lhs=lambda o, e: o.mul(e["A"], e["B"]),
        kind="rank",
        bound="r",
        spread=tuple(itertools.product((1, 2, 3), repeat=3)),
    ),
)

#: The generic rule table, by name.  The same names label the certificate's
#: steps, the derivations and the docs.
RULES: dict[str, GenericRule] = {r.name: r for r in _RULE_LIST}


def _fresh(rule: GenericRule, sizes: Mapping[str, int]) -> dict[str, Any]:
    env: dict[str, Any] = {}
    sizes = {"1": 1, **sizes}
    for name, rdim, cdim in rule.operands:
        env[name] = sympy.ImmutableMatrix(sizes[rdim], sizes[cdim], lambda i, j, n=name: sympy.Dummy(f"{n}_{i}{j}"))
    for s in rule.scalars:
        env[s] = sympy.Dummy(s)
    env.update({d: sympy.Integer(sizes[d]) for d in rule.dims})
    return env


def _minors_vanish(m: sympy.MatrixBase, order: int) -> bool:
    for rows in itertools.combinations(range(m.rows), order):
        for cols in itertools.combinations(range(m.cols), order):
            if sympy.expand(m.extract(list(rows), list(cols)).det(method="berkowitz")) != 0:
                return False
    return True


def check_instance(rule: GenericRule, sizes: Mapping[str, int]) -> None:
    """Verify the rule on fresh symbols at one assignment of concrete sizes.

    Raises CertificateError (naming the rule and the sizes) when the two
    sides differ, or (rank rules) when some (r+1)-minor does not vanish.
    """
    ops = ExplicitOps()
    env = _fresh(rule, sizes)
    where = ", ".join(f"{d}={sizes[d]}" for d in rule.dims)
    try:
        result, lhs = rule.result(ops, env), rule.lhs(ops, env)
        # the sides' difference: sides of different shapes, or not both matrices, raise one of the errors below
        diff = None if rule.kind == "rank" else (lhs - rule.rhs(ops, env, result)).applyfunc(sympy.expand)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:  # sympy's ShapeError and symnet's are ValueErrors
        raise CertificateError(f"self-check at {where}: the rule does not apply ({exc})", rule=rule.name) from None
    if diff is None:
        r = sizes[rule.bound] if rule.bound else 0
        if r < min(lhs.shape) and not _minors_vanish(lhs, r + 1):
            raise CertificateError(f"self-check at {where}: rank(lhs) exceeds {r}", rule=rule.name)
    elif any(v != 0 for v in diff):
        raise CertificateError(f"self-check at {where}: lhs - rhs = {diff.tolist()} is not zero", rule=rule.name)


@cache
def _self_check_cached(rule: GenericRule) -> int:
    """Check the rule at its own spread of concrete sizes, or every dim in 1..3 and two larger, uneven assignments."""
    large = (4, 5, 6)[: len(rule.dims)]
    spread = rule.spread or (*itertools.product((1, 2, 3), repeat=len(rule.dims)), large, large[::-1])
    for values in spread:
        check_instance(rule, dict(zip(rule.dims, values, strict=True)))
    return len(spread)


def self_check(rule: GenericRule | str) -> int:
    """Verify a rule on fresh symbols for its spread of concrete sizes.

    Returns the number of size assignments checked; raises CertificateError
    naming the rule when any instance fails.  Results are cached per rule
    object, so a changed rule (a new object) is checked afresh.
    """
    if isinstance(rule, str):
        if rule not in RULES:
            raise CertificateError(f"unknown generic rule {rule!r}")
        rule = RULES[rule]
    return _self_check_cached(rule)
