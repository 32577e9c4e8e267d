"""The subtree task a worker runs (a process of the pool, or a Dask worker), and its shared stop flag.

:func:`subtree_task` runs the search (:func:`.search.run`) on one box and
returns plain picklable data: (status, preorder fragment, counterexample,
output, reason, stats).  In a process pool, :func:`init_worker` installs the
pool's shared stop event (set by the first violation) and closed-leaf counter.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .problem import Problem, prepared
from .search import Outcome, fmpq_box, fraction_point, preorder, run

__all__ = ["init_worker", "stats_of", "subtree_task"]

_STOP: Any = None
_CLOSED: Any = None


def init_worker(stop: Any, closed: Any) -> None:
    global _STOP, _CLOSED
    _STOP, _CLOSED = stop, closed


def subtree_task(
    problem: Problem, box: tuple[tuple[Fraction, Fraction], ...], proved: frozenset[int], deadline: float
) -> Any:
    """One subtree in a worker: (status, preorder fragment, counterexample, output, reason, stats)."""
    prep = prepared(problem)
    last = [0]

    def tick(opened: int, closed: int) -> None:
        if _CLOSED is not None:
            with _CLOSED.get_lock():
                _CLOSED.value += closed - last[0]
            last[0] = closed

    stop = (lambda: bool(_STOP.is_set())) if _STOP is not None else (lambda: False)
    out = run(prep, fmpq_box(box), proved, deadline=deadline, stop=stop, tick=tick)
    if out.status == "violated" and _STOP is not None:
        _STOP.set()
    frag = preorder(out.nodes) if out.status == "holds" else []
    x = None if out.counterexample is None else fraction_point(out.counterexample)
    y = None if out.output is None else fraction_point(out.output)
    return out.status, frag, x, y, out.reason, stats_of(out)


def stats_of(out: Outcome) -> dict[str, int]:
    return {"leaves": out.leaves, "splits": out.splits, "lps": out.lps, "exact_failures": out.exact_failures}
