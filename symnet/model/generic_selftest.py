"""What each rule of the generic kernel states, and the self-test that verifies the rule against it.

A rule of :mod:`symnet.kernel.generic` (its :data:`~symnet.kernel.generic.RULES`)
gives what a step citing it states (its ``result``).  Its *statement* here says
why that result is right: ``lhs = rhs`` (``rhs`` built from the result), or
``rank(lhs) <= r``, over operands of symbolic shape.  :func:`self_check`
verifies a rule *on fresh symbols for a spread of concrete sizes*: every operand
becomes an explicit matrix of fresh symbols and both sides are multiplied out and
compared exactly.

No certificate can change a rule, so the kernel does not re-run this on every
check: the test suite runs it for every rule on every commit (a wrong edit of a
rule is caught there), and :meth:`symnet.theorems.Theorem.check` runs it before
it uses a rule.  The kernel never imports this module (it is not in the trusted
base); renderers read the statements' text.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

import sympy

from ..errors import CertificateError
from .generic_build import ExplicitOps

__all__ = ["STATEMENTS", "Statement", "check_instance", "self_check"]

#: A rule body: the operations (:class:`ExplicitOps` here) and the operands by name, to a matrix.
Body = Callable[[Any, Mapping[str, Any]], Any]


class Rule(Protocol):
    """What the self-test reads of a kernel rule (:class:`symnet.kernel.generic.GenericRule`)."""

    @property
    def name(self) -> str: ...

    @property
    def operands(self) -> tuple[tuple[str, str, str], ...]: ...

    @property
    def result(self) -> Body: ...

    def __hash__(self) -> int: ...  # self_check's results are cached per rule


@dataclass(frozen=True)
class Statement:
    """What a rule states: ``lhs = rhs`` (``rhs`` from the rule's result; by default the result itself), or
    (kind ``"rank"``) ``rank(lhs) <= bound``.

    ``text`` is the statement as the renderers print it; ``scalars`` name the
    rule's scalar operands; ``spread`` the size assignments it is checked at
    (by default every dim in 1..3 and two larger, uneven assignments).
    """

    text: str
    lhs: Body
    rhs: Callable[[Any, Mapping[str, Any], Any], Any] = lambda o, e, r: r
    scalars: tuple[str, ...] = ()
    kind: str = "equation"
    bound: str | None = None
    spread: tuple[tuple[int, ...], ...] = ()


#: Each generic rule's statement, by the rule's name.
STATEMENTS: dict[str, Statement] = {
    "read_output_layer": Statement(
        text="W u + b = [b | W] (1, u)   for W: q x m, b: q x 1, u: m x 1",
        lhs=lambda o, e: o.add(o.mul(e["W"], e["u"]), e["b"]),
        rhs=lambda o, e, r: o.mul(r, o.stack1(e["u"])),
    ),
    "substitute_layer": Statement(
        text=(
            "(1, a (W u + b) + d 1_m) = [[1, 0], [a b + d 1_m, a W]] (1, u)   "
            "for W: m x n, b: m x 1, u: n x 1, scalars a, d"
        ),
        lhs=lambda o, e: o.stack1(
            o.add(o.scale(e["a"], o.add(o.mul(e["W"], e["u"]), e["b"])), o.scale(e["d"], o.ones(e["m"])))
        ),
        rhs=lambda o, e, r: o.mul(r, o.stack1(e["u"])),
        scalars=("a", "d"),
    ),
    "multiply_augmented": Statement(
        text=(
            "[[1, 0], [c, V]] [[1, 0], [v, M]] = [[1, 0], [c + V v, V M]]   for V: k x m, c: k x 1, M: m x n, v: m x 1"
        ),
        lhs=lambda o, e: o.mul(o.aug(e["c"], e["V"]), o.aug(e["v"], e["M"])),
    ),
    "apply_output_row": Statement(
        text="[c | C] [[1, 0], [v, M]] = [c + C v | C M]   for C: q x m, c: q x 1, M: m x n, v: m x 1",
        lhs=lambda o, e: o.mul(o.outrow(e["c"], e["C"]), o.aug(e["v"], e["M"])),
    ),
    "conclude_linear_form": Statement(
        text="[c | C] (1, x) = C x + c   for C: q x n, c: q x 1, x: n x 1",
        lhs=lambda o, e: o.mul(o.outrow(e["c"], e["C"]), o.stack1(e["x"])),
    ),
    "factor_rank": Statement(
        text="rank(A B) <= r   for A: m x r, B: r x n",
        lhs=lambda o, e: o.mul(e["A"], e["B"]),
        kind="rank",
        bound="r",
        spread=tuple(itertools.product((1, 2, 3), repeat=3)),
    ),
}


def dims(rule: Rule) -> tuple[str, ...]:
    """The sizes the rule's operands' shapes name, in order of first appearance (``"1"`` is the size 1, not a name)."""
    return tuple(dict.fromkeys(d for _, rows, cols in rule.operands for d in (rows, cols) if d != "1"))


def _fresh(rule: Rule, statement: Statement, sizes: Mapping[str, int]) -> dict[str, Any]:
    """Explicit operands of fresh symbols at these sizes, the rule's scalars, and its dims as Integers."""
    env: dict[str, Any] = {}
    sizes = {"1": 1, **sizes}
    for name, rdim, cdim in rule.operands:
        env[name] = sympy.ImmutableMatrix(sizes[rdim], sizes[cdim], lambda i, j, n=name: sympy.Dummy(f"{n}_{i}{j}"))
    for s in statement.scalars:
        env[s] = sympy.Dummy(s)
    env.update({d: sympy.Integer(sizes[d]) for d in dims(rule)})
    return env


def _minors_vanish(m: sympy.MatrixBase, order: int) -> bool:
    for rows in itertools.combinations(range(m.rows), order):
        for cols in itertools.combinations(range(m.cols), order):
            if sympy.expand(m.extract(list(rows), list(cols)).det(method="berkowitz")) != 0:
                return False
    return True


def check_instance(rule: Rule, sizes: Mapping[str, int]) -> None:
    """Verify the rule against its statement on fresh symbols at one assignment of concrete sizes.

    Raises CertificateError (naming the rule and the sizes) when the two
    sides differ, or (rank rules) when some (r+1)-minor does not vanish.
    """
    statement = _statement(rule)
    ops = ExplicitOps()
    env = _fresh(rule, statement, sizes)
    where = ", ".join(f"{d}={sizes[d]}" for d in dims(rule))
    try:
        result, lhs = rule.result(ops, env), statement.lhs(ops, env)
        # the sides' difference: sides of different shapes, or not both matrices, raise one of the errors below
        diff = None if statement.kind == "rank" else (lhs - statement.rhs(ops, env, result)).applyfunc(sympy.expand)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:  # sympy's ShapeError and symnet's are ValueErrors
        raise CertificateError(f"self-check at {where}: the rule does not apply ({exc})", rule=rule.name) from None
    if diff is None:
        r = sizes[statement.bound] if statement.bound else 0
        if r < min(lhs.shape) and not _minors_vanish(lhs, r + 1):
            raise CertificateError(f"self-check at {where}: rank(lhs) exceeds {r}", rule=rule.name)
    elif any(v != 0 for v in diff):
        raise CertificateError(f"self-check at {where}: lhs - rhs = {diff.tolist()} is not zero", rule=rule.name)


def _statement(rule: Rule) -> Statement:
    if rule.name not in STATEMENTS:
        raise CertificateError(f"no statement of the generic rule {rule.name!r}", rule=rule.name)
    return STATEMENTS[rule.name]


@cache
def _self_check_cached(rule: Rule, statement: Statement) -> int:
    large = (4, 5, 6)[: len(dims(rule))]
    spread = statement.spread or (*itertools.product((1, 2, 3), repeat=len(dims(rule))), large, large[::-1])
    for values in spread:
        check_instance(rule, dict(zip(dims(rule), values, strict=True)))
    return len(spread)


def self_check(rule: Rule) -> int:
    """Verify a kernel rule against its statement on fresh symbols for the statement's spread of concrete sizes.

    Returns the number of size assignments checked; raises CertificateError
    naming the rule when any instance fails.  Results are cached per rule and
    statement object, so a changed rule or statement (a new object) is checked
    afresh.
    """
    return _self_check_cached(rule, _statement(rule))
