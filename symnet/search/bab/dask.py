"""Subtree tasks on a Dask distributed cluster (the optional ``dask`` extra).

Each open box of the main process's search is one task (:func:`.verify._task`
run on a Dask worker); a violation cancels the rest, and every task stops at the
deadline on its own.
"""

from __future__ import annotations

import importlib
import time
from typing import Any

from ...errors import InvalidArgument
from .problem import Problem
from .tasks import subtree_task


def _distributed() -> Any:
    """The optional ``distributed`` package, imported on first use (it takes about 0.4 s: not for every verify)."""
    try:
        return importlib.import_module("distributed")
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise InvalidArgument("scheduler= needs Dask distributed: pip install 'symnet[dask]'") from None


__all__ = ["run_dask"]


def run_dask(scheduler: str, problem: Problem, tasks: list[Any], deadline: float, r: Any) -> list[Any]:
    """Run the subtree tasks on the Dask cluster at ``scheduler``; results in task order (None if not finished)."""
    distributed = _distributed()
    results: list[Any] = [None] * len(tasks)
    with distributed.Client(scheduler, timeout=30) as client:
        futs = [client.submit(subtree_task, problem, box, pr, deadline, pure=False) for box, pr in tasks]
        index = {f.key: i for i, f in enumerate(futs)}
        pending = set(futs)
        stopped = False
        while pending and not stopped:
            try:
                done = distributed.wait(list(pending), timeout=0.5, return_when="FIRST_COMPLETED").done
            except distributed.TimeoutError:
                done = set()
            for f in done:
                pending.discard(f)
                res = f.result()
                results[index[f.key]] = res
                r.add(res[5])
                r.stats["subtrees"] += 1
                stopped = stopped or res[0] != "holds"
            r.report(len(pending), r.stats["leaves"])
            if time.time() > deadline + 0.5:
                stopped = True
        if pending:
            client.cancel(list(pending))
    return results
