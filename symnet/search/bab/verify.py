"""``verify(net, prop)``: branch and bound over the input box, across processes or Dask workers.

The main process attacks the box with random points, then runs the search
(:mod:`.search`) breadth-first until there are enough open boxes to share; each
open box goes to a worker as one subtree task.  The first violation stops every
worker; ``timeout`` is honoured within about a second.  The assembled
certificate is checked by the kernel (:func:`symnet.kernel.check`) before a
"holds" or "violated" verdict is returned; anything else is "unknown".
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import os
import time
from collections.abc import Callable
from fractions import Fraction
from multiprocessing.connection import Connection, wait
from typing import Any

import numpy as np

from ... import kernel
from ...errors import CertificateError, InvalidArgument
from ...kernel import verification as kernel_verification
from ...model.network import Network
from ...results.verdict import Verdict, VerifyProgress
from .dask import run_dask
from .problem import Prepared, Problem, prepared, to_fmpq
from .search import Box, Outcome, fmpq_box, fraction_point, preorder, run
from .tasks import init_worker, one_blas_thread, stats_of, subtree_task

__all__ = ["verify"]

_KEYS = itertools.count()


def _problem(net: Network, prop: Any) -> Problem:
    if not isinstance(net, Network):
        raise InvalidArgument(f"verify needs a Network, got {type(net).__name__}")
    if getattr(prop, "alternatives", None):  # a union of input boxes: one verify per prop.cases()
        raise InvalidArgument("verify takes one input set; this property is a union of boxes: verify each prop.cases()")
    box = tuple((Fraction(lo), Fraction(hi)) for lo, hi in prop.box)
    if len(box) != net.p or any(lo > hi for lo, hi in box):
        raise InvalidArgument(f"the property's box must give {net.p} intervals lo <= hi")
    cons = tuple((tuple(map(Fraction, a)), Fraction(e)) for a, e in getattr(prop, "input_constraints", []) or [])
    disj = tuple(tuple((tuple(map(Fraction, c)), Fraction(d)) for c, d in conj) for conj in prop.disjuncts)
    if any(len(a) != net.p for a, _ in cons) or any(len(c) != net.q for conj in disj for c, _ in conj):
        raise InvalidArgument(f"the property's rows must have {net.p} input / {net.q} output coefficients")
    if not disj:
        raise InvalidArgument("the property has no disjunct")
    key = f"{os.getpid()}-{next(_KEYS)}-{time.time()}"
    return Problem.of(key, net, box, cons, disj)


def _attack(prep: Prepared, samples: int = 512) -> list[Any] | None:
    """Random points of the box, evaluated in floats; the exact point and output of a violation, or None."""
    box = prep.problem.box
    lo = np.array([float(a) for a, _ in box])
    hi = np.array([float(b) for _, b in box])
    rng = np.random.default_rng(0)
    X = lo + (hi - lo) * rng.random((samples, lo.size))
    V = prep.fnet(X) @ prep.C.T + prep.d
    worst = np.array(
        [
            np.max(V[:, prep.rows_of(j)], axis=1) if len(prep.rows_of(j)) else -np.ones(samples)
            for j in range(len(prep.offsets) - 1)
        ]
    ).min(axis=0)
    for i in np.argsort(worst)[:8]:
        if worst[i] > 1e-9:
            break
        x = [min(max(Fraction(float(v)), a), b) for v, (a, b) in zip(X[i], box, strict=True)]
        point = [to_fmpq(v) for v in x]
        y = prep.violates(point)
        if y is not None:
            return [point, y]
    return None


def _check_child(v: Verdict, shard: tuple[int, int], conn: Any) -> None:
    try:
        kernel_verification.check_document(v.certificate, shard)
        conn.send(None)
    except CertificateError as exc:
        conn.send(f"the certificate failed the kernel check: {exc}")


def _checked(v: Verdict, deadline: float, n: int) -> str | None:
    """None when the kernel accepts the verdict's certificate; else why not ("timeout" past the deadline).

    The kernel's check runs in ``n`` forked processes, shard k of n each (every
    shard checks the tree's structure and one n-th of the nodes' proofs); they are
    ended at the deadline (they build the document themselves, so the whole check is bounded).
    """
    if time.time() >= deadline:
        return "timeout"
    if v.status == "violated" or n == 1 and deadline == float("inf"):
        try:
            kernel.check(v.certificate)
        except CertificateError as exc:
            return f"the certificate failed the kernel check: {exc}"
        return None
    ctx = mp.get_context("fork")
    procs, pipes = [], []
    for k in range(n):
        here, there = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_check_child, args=(v, (k, n), there), daemon=True)
        proc.start()
        there.close()
        procs.append(proc)
        pipes.append(here)
    try:
        for here in pipes:
            wait_for = None if deadline == float("inf") else max(0.0, deadline - time.time())
            if not here.poll(wait_for):
                return "timeout"
            got: str | None = here.recv()
            if got is not None:
                return got
        return None
    except EOFError:
        return "the kernel check ended without an answer"
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.kill()
            proc.join()
        for here in pipes:
            here.close()


class _Run:
    def __init__(
        self, net: Network, problem: Problem, start: float, deadline: float, progress: Any, workers: int
    ) -> None:
        self.workers = workers
        self.net, self.problem, self.start, self.deadline, self.progress = net, problem, start, deadline, progress
        self.stats: dict[str, float] = {"leaves": 0, "splits": 0, "lps": 0, "exact_failures": 0, "subtrees": 0}
        self.last_report = start

    def report(self, opened: int, closed: int, bound: float | None = None, force: bool = False) -> None:
        now = time.time()
        if self.progress is not None and (force or now - self.last_report >= 1.0):
            self.last_report = now
            self.progress(VerifyProgress(opened, closed, bound, now - self.start))

    def verdict(self, status: str, **kw: Any) -> Verdict:
        p = self.problem
        v = Verdict(
            status,
            self.net,
            p.box,
            p.input_constraints,
            p.disjuncts,
            elapsed=time.time() - self.start,
            stats=dict(self.stats),
            **kw,
        )
        if status in ("holds", "violated"):
            t0 = time.time()
            failure = _checked(v, self.deadline, self.workers)
            if failure is not None:
                return Verdict(
                    "unknown",
                    self.net,
                    p.box,
                    p.input_constraints,
                    p.disjuncts,
                    reason=failure,
                    elapsed=time.time() - self.start,
                    stats=dict(self.stats),
                )
            self.stats["check_seconds"] = round(time.time() - t0, 3)
            object.__setattr__(v, "elapsed", time.time() - self.start)
            object.__setattr__(v, "stats", dict(self.stats))
        return v

    def add(self, stats: dict[str, int]) -> None:
        for k, val in stats.items():
            self.stats[k] = self.stats.get(k, 0) + val


def verify(
    net: Network,
    prop: Any,
    *,
    timeout: float | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[VerifyProgress], None] | None = None,
) -> Verdict:
    """Decide whether no input of ``prop``'s input set violates it: a checked :class:`~symnet.Verdict`.

    ``prop`` is a :class:`~symnet.search.vnnlib.VnnProperty` (box, optional
    ``input_constraints``, the violation's ``disjuncts``).  ``workers``
    processes (all cores by default; 1 runs in this process), or Dask workers
    of the distributed ``scheduler`` address.  ``timeout`` (seconds) gives
    "unknown" with reason "timeout"; ``progress`` is called about once a second.
    "holds" and "violated" are returned only after the kernel accepted the certificate.
    """
    start = time.time()  # the budget starts here: limiting the BLAS threads the first time takes a while
    with one_blas_thread():
        return _verify(net, prop, start, timeout=timeout, workers=workers, scheduler=scheduler, progress=progress)


def _verify(
    net: Network,
    prop: Any,
    start: float,
    *,
    timeout: float | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[VerifyProgress], None] | None = None,
) -> Verdict:
    """:func:`verify` with the BLAS limited (see there), started at ``start``."""
    deadline = start + timeout if timeout is not None else float("inf")
    try:
        problem = _problem(net, prop)
        prep = prepared(problem)
    except CertificateError as exc:
        raise InvalidArgument(f"verify: {exc}") from None
    n = (os.cpu_count() or 1) if workers is None else max(1, int(workers))
    r = _Run(net, problem, start, deadline, progress, n)
    hit = _attack(prep)
    if hit is not None:
        return r.verdict("violated", counterexample=fraction_point(hit[0]), output=fraction_point(hit[1]))
    share = scheduler is not None or n > 1
    root: Box = fmpq_box(problem.box)
    out = run(
        prep,
        root,
        frozenset(),
        deadline=deadline,
        max_open=4 * n if share else None,
        tick=lambda o, c, b: r.report(o, c, b),
    )
    r.add(stats_of(out))
    if out.status == "violated":
        assert out.counterexample is not None and out.output is not None
        return r.verdict(
            "violated", counterexample=fraction_point(out.counterexample), output=fraction_point(out.output)
        )
    if out.status == "holds":
        return r.verdict("holds", tree=tuple(preorder(out.nodes)))
    if out.status == "unknown":
        return r.verdict("unknown", reason=out.reason)
    opened = [i for i, rec in enumerate(out.nodes) if rec.kind == "open"]
    tasks = [
        (
            tuple((Fraction(int(a.p), int(a.q)), Fraction(int(b.p), int(b.q))) for a, b in out.nodes[i].box),
            out.nodes[i].proved,
        )
        for i in opened
    ]
    if scheduler is not None:
        results = run_dask(scheduler, problem, tasks, deadline, r)
    else:
        results = _run_pool(n, problem, tasks, deadline, r)
    return _assemble(r, out, opened, results)


def _assemble(r: _Run, out: Outcome, opened: list[int], results: list[Any]) -> Verdict:
    for res in results:
        if res is not None and res[0] == "violated":
            return r.verdict("violated", counterexample=res[2], output=res[3])
    if any(res is None or res[0] != "holds" for res in results):  # the first real reason; a stopped task has none
        why = [res[4] for res in results if res is not None and res[0] != "holds" and res[4] != "stopped"]
        return r.verdict("unknown", reason=why[0] if why else "timeout")
    if time.time() >= r.deadline:
        return r.verdict("unknown", reason="timeout")
    frags = {i: res[1] for i, res in zip(opened, results, strict=True)}
    return r.verdict("holds", tree=tuple(preorder(out.nodes, frags)))


def _run_pool(n: int, problem: Problem, tasks: list[Any], deadline: float, r: _Run) -> list[Any]:
    """The subtree tasks on ``n`` forked processes; results in task order (None if not finished).

    The first violation, or the deadline, ends the run: the workers are killed, not waited for (a
    worker sees the stop flag only between steps of its search).  Each worker sends its results
    down a pipe of its own, so a worker killed while it sends holds no lock this process needs
    (``multiprocessing.Pool.terminate`` can hang forever when one does: its task thread waits on the
    result queue's lock).
    """
    ctx = mp.get_context("fork")
    stop, closed, taken = ctx.Event(), ctx.Value("q", 0), ctx.Value("q", 0)
    results: list[Any] = [None] * len(tasks)
    before = r.stats["leaves"]
    workers: dict[Connection[Any, Any], Any] = {}  # the read end of a worker's pipe -> the worker
    try:
        for _ in range(n):
            receive, send = ctx.Pipe(duplex=False)
            worker = ctx.Process(target=_pool_worker, args=(send, problem, tasks, deadline, stop, closed, taken))
            worker.start()
            send.close()  # the worker holds the only write end: its exit is this end's EOF
            workers[receive] = worker
        pending = len(tasks)
        # The loop ends on a result it has collected, never on the stop flag alone: a worker sets the flag
        # when it finds a violation, before its result (the counterexample) reaches this process.
        finished = False
        while pending and not finished and workers:
            left = deadline - time.time()
            if left <= 0:
                break
            ready = set(wait(list(workers), min(0.05, left)))
            for receive in [c for c in workers if c in ready]:
                try:
                    i, res = receive.recv()
                except EOFError:
                    del workers[receive]
                    continue
                if isinstance(res, BaseException):
                    raise res
                results[i] = res
                pending -= 1
                r.add(res[5])
                r.stats["subtrees"] += 1
                if res[0] != "holds" and res[4] != "stopped":  # a violation, or a real reason to give up
                    stop.set()
                    finished = True
            r.report(pending, r.stats["leaves"] + closed.value)
    finally:
        stop.set()
        for worker in workers.values():
            worker.kill()
            worker.join()
        # the killed workers' leaves too (read without the lock, which a killed worker may hold)
        r.stats["leaves"] = max(r.stats["leaves"], before + closed.get_obj().value)
    return results


def _pool_worker(
    send: Any, problem: Problem, tasks: list[Any], deadline: float, stop: Any, closed: Any, taken: Any
) -> None:
    """One worker: take the next task until none is left or the run is stopped, and send ``(index, result)``."""
    init_worker(stop, closed)
    while not stop.is_set():
        with taken.get_lock():
            i = taken.value
            taken.value += 1
        if i >= len(tasks):
            break
        box, proved = tasks[i]
        try:
            res = subtree_task(problem, box, proved, deadline)
        except Exception as exc:  # raised again in the parent, as a pool would
            send.send((i, exc))
            break
        send.send((i, res))
    send.close()
