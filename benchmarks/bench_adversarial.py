"""The adversarial campaign at scale (issues #11, #19, #21): >= 100,000 hostile documents.

Run by hand (not in CI)::

    PYTHONPATH=. python benchmarks/bench_adversarial.py --documents 100000 --workers 2

Worker processes draw documents from ``tests/adversarial/strategies.py``
(``documents()``, Hypothesis, each chunk with its own seed; ``--family
verification`` draws verification documents only, from
``tests/adversarial/verification_strategies.py``, ``--family regions``
regions documents only, from ``tests/adversarial/regions_strategies.py``), ask symnet to
check each one (API route, and ``symnet check`` on a fraction of them), and
judge each with the independent oracle.  The parent collects the results and
reports: documents tried, accepted, false accepts (must be 0), counts per
document format (tried, accepted, failing), every other
class of finding, the slowest document, peak memory (``ru_maxrss`` of the
workers), and how many documents took more than the 2 s target.  A
document's time is symnet's decision alone (reading and checking, API route
plus the command line when it runs), not the oracle's; each worker first
decides two real documents of every family, so the one-time cost of lazy
imports is not charged to the first hostile document.  A worker
that gives no answer for ``--kill-after`` seconds is killed and its document
counted as a ``hang``; each worker runs under an address-space limit
(``--memory-limit``, default 4 GiB) so that a runaway document fails with
MemoryError instead of taking the machine.  Examples of every class go to
``--examples`` (a JSON file).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections import Counter
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET_SECONDS = 2.0
TARGET_MIB = 1024


# ------------------------------------------------------------------ worker
class _Hang(BaseException):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Hang


def _format(text: str) -> str:
    """The document's format field, for the per-format counts ('?' when there is none)."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return "?"
    fmt = data.get("format") if isinstance(data, dict) else None
    return fmt if isinstance(fmt, str) and len(fmt) < 40 else "?"


def worker(seed: int, count: int, soft: float, cli_fraction: float, memory_limit: int, family: str) -> None:
    """Decide `count` documents; one JSON line per document on stdout."""
    sys.path.insert(0, ROOT)
    if memory_limit:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed

    from tests.adversarial import regions_strategies as R
    from tests.adversarial import strategies as S
    from tests.adversarial import verification_strategies as V
    from tests.adversarial.harness import classify, decide, failures

    for texts in S.real_pool().values():  # warm up: lazy imports and caches are not a document's cost
        for text in texts[:2]:
            decide(text, cli=True)
    for text, _spec in V.verification_pool()[:4]:
        decide(text, cli=True)
    for text in R.regions_pool()[:4]:
        classify(text, cli=True)  # the regions oracle's pplpy too
    families = {"verification": V.verification_documents, "regions": R.regions_documents}
    strategy = families[family]() if family in families else S.documents()
    out = sys.stdout
    signal.signal(signal.SIGALRM, _alarm)
    threshold = int(cli_fraction * 1000)

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        derandomize=False,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hseed(seed)
    @given(strategy)
    def run(text: str) -> None:
        head = {"start": len(text), "crc": zlib.crc32(text.encode())}
        out.write(json.dumps(head) + "\n")
        out.flush()
        with open(f"/tmp/bench_adversarial.{os.getpid()}.inflight", "w") as f:
            f.write(text)
        cli = zlib.crc32(text.encode()) % 1000 < threshold
        signal.setitimer(signal.ITIMER_REAL, soft, 1.0)  # again every second, should a _Hang be swallowed
        t0 = time.perf_counter()
        try:
            outcome = classify(text, cli=cli)
            found = failures(outcome)
            info = [f for f in outcome.findings if f not in found]
            accepted = outcome.decision.accepted
            kind, family = outcome.verdict.kind, outcome.verdict.family
            v, d = outcome.verdict, outcome.decision
            detail = f"oracle: {v.kind} {v.cls} {v.reason[:160]} | symnet: {d.api} {d.message[:160]}"
        except _Hang:
            outcome = None
            found, info, accepted, kind, family, detail = ["hang"], [], False, "?", None, f"no decision within {soft} s"
        except MemoryError:
            outcome = None
            found, info, accepted, kind, family, detail = ["memory"], [], False, "?", None, "MemoryError"
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        total = time.perf_counter() - t0
        seconds = outcome.seconds if outcome is not None else total
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if seconds > TARGET_SECONDS:
            found = [*found, "over-2s"]
        rec = {
            "accepted": accepted,
            "findings": found,
            "info": info,
            "seconds": round(seconds, 4),
            "total": round(total, 4),
            "rss_kib": rss,
            "kind": kind,
            "family": family,
            "detail": detail,
            "format": _format(text),
        }
        if found or info or seconds > 1.0:
            keep = 400_000 if found else 4000  # failures in full, to reproduce them
            rec["text"] = text if len(text) < keep else text[:keep] + "..."
        out.write(json.dumps(rec) + "\n")
        out.flush()

    run()
    out.write(json.dumps({"done": True}) + "\n")
    out.flush()


# ------------------------------------------------------------------ parent
class Totals:
    def __init__(self) -> None:
        self.tried = 0
        self.accepted = 0
        self.findings: Counter[str] = Counter()
        self.info: Counter[str] = Counter()
        self.kinds: Counter[str] = Counter()
        self.examples: dict[str, dict[str, Any]] = {}
        self.slowest: dict[str, Any] = {"seconds": 0.0}
        self.peak_kib = 0
        self.over = 0
        self.slowest_decided = 0.0  # the slowest document symnet decided (hangs left out)
        #: per document format: [tried, accepted, failures, over the 2 s target]
        self.formats: dict[str, list[int]] = {}

    def add(self, rec: dict[str, Any]) -> None:
        self.tried += 1
        self.accepted += bool(rec["accepted"])
        self.kinds[rec["kind"]] += 1
        row = self.formats.setdefault(rec.get("format", "?"), [0, 0, 0, 0])
        row[0] += 1
        row[1] += bool(rec["accepted"])
        row[2] += bool([f for f in rec["findings"] if f != "over-2s"])
        row[3] += rec["seconds"] > TARGET_SECONDS
        self.peak_kib = max(self.peak_kib, rec.get("rss_kib", 0))
        for f in rec["findings"]:
            self.findings[f] += 1
            old = self.examples.get(f)
            if "text" in rec and (old is None or len(rec["text"]) < len(old["text"])):
                self.examples[f] = {"detail": rec["detail"], "seconds": rec["seconds"], "text": rec["text"]}
        for f in rec["info"]:
            self.info[f] += 1
            self.examples.setdefault(
                f, {"detail": rec["detail"], "seconds": rec["seconds"], "text": rec.get("text", "")}
            )
        if "hang" not in rec["findings"] and rec["seconds"] > self.slowest_decided:
            self.slowest_decided = rec["seconds"]
        if rec["seconds"] > self.slowest["seconds"]:
            self.slowest = {
                "seconds": rec["seconds"],
                "family": rec["family"],
                "format": rec.get("format"),
                "detail": rec["detail"][:200],
                "text": (rec.get("text") or "")[:300],
            }
        self.over += rec["seconds"] > TARGET_SECONDS

    def report(self, wall: float) -> str:
        false_accepts = self.findings.get("false-accept", 0)
        lines = [
            f"documents tried:   {self.tried}",
            f"accepted:          {self.accepted}",
            f"false accepts:     {false_accepts}",
            f"oracle verdicts:   {dict(sorted(self.kinds.items()))}",
            "per format:        "
            + "; ".join(
                f"{k}: {t} tried, {a} accepted, {f} failing, {o} over {TARGET_SECONDS:g} s"
                for k, (t, a, f, o) in sorted(self.formats.items())
            ),
            f"findings:          {dict(sorted(self.findings.items()))}",
            f"informational:     {dict(sorted(self.info.items()))}",
            f"slowest document:  {self.slowest['seconds']:.2f} s "
            f"({self.slowest.get('format')}; {self.slowest.get('detail', '')[:120]})",
            f"slowest decided:   {self.slowest_decided:.2f} s (hangs left out)",
            f"over {TARGET_SECONDS:g} s:          {self.over}",
            f"peak memory:       {self.peak_kib / 1024:.0f} MiB "
            f"(max ru_maxrss of a worker process; target {TARGET_MIB} MiB)",
            f"wall time:         {wall:.0f} s",
        ]
        return "\n".join(lines)


def _reader(proc: subprocess.Popen[str], q: queue.Queue[Any]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        q.put(line)
    q.put(None)


def run_chunk(seed: int, count: int, args: argparse.Namespace, totals: Totals, lock: threading.Lock) -> None:
    """Run one chunk in a worker process; restart after a hang with the remaining count."""
    remaining = count
    attempt = 0
    while remaining > 0:
        cmd = [
            sys.executable,
            os.path.abspath(__file__),
            "--worker",
            "--seed",
            str(seed + 7919 * attempt),
            "--count",
            str(remaining),
            "--soft",
            str(args.kill_after),
            "--cli-fraction",
            str(args.cli_fraction),
            "--memory-limit",
            str(args.memory_limit),
            "--family",
            args.family,
        ]
        env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT)
        q: queue.Queue[Any] = queue.Queue()
        threading.Thread(target=_reader, args=(proc, q), daemon=True).start()
        started = False
        while True:
            try:
                line = q.get(timeout=args.kill_after + 30 if started else 600)
            except queue.Empty:
                proc.kill()
                inflight = f"/tmp/bench_adversarial.{proc.pid}.inflight"
                text = open(inflight).read() if os.path.exists(inflight) else ""
                with lock:
                    totals.add(
                        {
                            "accepted": False,
                            "findings": ["hang"],
                            "info": [],
                            "seconds": float(args.kill_after + 30),
                            "kind": "?",
                            "family": None,
                            "detail": "worker killed",
                            "text": text[:4000],
                        }
                    )
                remaining -= 1
                break
            if line is None:  # the worker died
                proc.wait()
                inflight = f"/tmp/bench_adversarial.{proc.pid}.inflight"
                if started:
                    text = open(inflight).read() if os.path.exists(inflight) else ""
                    with lock:
                        totals.add(
                            {
                                "accepted": False,
                                "findings": ["crash"],
                                "info": [],
                                "seconds": 0.0,
                                "kind": "?",
                                "family": None,
                                "detail": f"worker exited {proc.returncode}",
                                "text": text[:4000],
                            }
                        )
                    remaining -= 1
                else:
                    remaining = 0  # the worker could not start (or finished): do not loop
                break
            rec = json.loads(line)
            if "start" in rec:
                started = True
                continue
            if rec.get("done"):
                remaining = 0
                proc.wait()
                break
            started = False
            with lock:
                totals.add(rec)
            remaining -= 1
        try:
            os.unlink(f"/tmp/bench_adversarial.{proc.pid}.inflight")
        except OSError:
            pass
        attempt += 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--documents", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chunk", type=int, default=500)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--kill-after", type=float, default=30.0, help="seconds before a document counts as a hang")
    ap.add_argument(
        "--cli-fraction", type=float, default=0.25, help="fraction of documents also run through `symnet check`"
    )
    ap.add_argument(
        "--memory-limit", type=int, default=4 * 2**30, help="address-space limit of a worker, bytes (0: none)"
    )
    ap.add_argument("--examples", default=os.path.join(tempfile.gettempdir(), "bench_adversarial_examples.json"),
                    help="where to write the report and the shortest example of each finding (JSON)")
    ap.add_argument(
        "--family",
        choices=["all", "verification", "regions"],
        default="all",
        help="every kind of document (verification documents about one in five, regions one in eight), "
        "or verification or regions documents only",
    )
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--count", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--soft", type=float, default=30.0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.seed, args.count, args.soft, args.cli_fraction, args.memory_limit, args.family)
        return 0
    totals = Totals()
    lock = threading.Lock()
    chunks = [
        (args.seed * 100_003 + i, min(args.chunk, args.documents - i * args.chunk))
        for i in range((args.documents + args.chunk - 1) // args.chunk)
    ]
    work: queue.Queue[tuple[int, int]] = queue.Queue()
    for c in chunks:
        work.put(c)
    t0 = time.time()

    def save(wall: float, partial: bool) -> None:
        with open(args.examples, "w") as f:
            json.dump(
                {
                    "partial": partial,
                    "report": totals.report(wall),
                    "slowest": totals.slowest,
                    "examples": totals.examples,
                },
                f,
                indent=1,
            )

    def loop() -> None:
        while True:
            try:
                s, n = work.get_nowait()
            except queue.Empty:
                return
            run_chunk(s, n, args, totals, lock)
            with lock:
                print(
                    f"[{time.time() - t0:7.0f} s] {totals.tried} documents, {totals.accepted} accepted, "
                    f"findings {dict(totals.findings)}",
                    flush=True,
                )
                save(time.time() - t0, partial=True)

    threads = [threading.Thread(target=loop) for _ in range(args.workers)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.time() - t0
    print(totals.report(wall), flush=True)
    save(wall, partial=False)
    return 1 if totals.findings.get("false-accept") else 0


if __name__ == "__main__":
    raise SystemExit(main())
