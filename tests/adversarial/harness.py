"""Run symnet on one document and classify the outcome against the oracle.

``decide(text)`` asks symnet through its public API, by the document's
``format`` (``Proof.from_json(...).check()``, ``GenericProof``,
``Counterexample``; degree documents through whatever loader symnet offers,
else ``symnet check``), and also through ``symnet check`` on the command line
(in-process, a temporary file).  ``classify(text)`` combines that with
:func:`.oracle.judge` into a list of findings:

* ``false-accept`` -- accepted, and the oracle shows the claim false;
* ``accept-malformed:<cls>`` -- accepted, but the document breaks the grammar
  (class ``cls``: a claim mentioning inputs, duplicate keys, a non-canonical
  float ...);
* ``accept-name-mismatch`` -- accepted with an activation name that does not
  match its formula;
* ``traceback:<Type>`` -- an exception that is not a SymnetError escaped;
* ``cli-exit`` -- the command line exited with a code other than 0, 1, 2, or
  said more than one line on stderr.

Informational (not failures): ``accept-undecided`` (accepted, the oracle could
not decide), ``oracle-error`` (a bug of the oracle itself, reported so).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

from .oracle import Verdict, judge

__all__ = ["Decision", "FAILURES", "classify", "decide"]

#: Finding prefixes that make the campaign fail.
FAILURES = ("false-accept", "accept-malformed", "accept-name-mismatch", "traceback", "cli-exit")


@dataclass
class Decision:
    accepted: bool
    api: str  # accepted | rejected:<Error> | traceback:<Type>
    message: str = ""
    cli_code: int | None = None
    cli_stderr: str = ""


def _sniff(text: str | bytes) -> Any:
    try:
        data = json.loads(text)
    except (ValueError, TypeError, RecursionError):
        return None
    return data.get("format") if isinstance(data, dict) else None


def _api(text: str | bytes) -> bool:
    import symnet

    fmt = _sniff(text)
    if fmt == "symnet-generic-certificate":
        return symnet.GenericProof.from_json(text).check()
    if fmt == "symnet.counterexample":
        return symnet.Counterexample.from_json(text).check()
    if fmt == "symnet.degree":
        loader = getattr(symnet.Degree, "from_json", None)
        if loader is not None:
            return loader(text).check()
        try:
            from symnet.cli.check import CHECKERS  # symnet check's reader of degree documents
        except ImportError:
            raise _NoLoader from None
        _net, check, _what = CHECKERS[fmt](text.encode("utf-8") if isinstance(text, str) else text)
        return check()
    return symnet.Proof.from_json(text).check()


class _NoLoader(Exception):
    pass


def _cli(text: str | bytes) -> tuple[int, str]:
    from symnet.cli.main import main

    data = text.encode("utf-8") if isinstance(text, str) else text
    fd, path = tempfile.mkstemp(suffix=".json", prefix="adv-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(["check", path])
            except SystemExit as exc:  # argparse
                code = int(exc.code or 0)
        return code, err.getvalue()
    finally:
        os.unlink(path)


def decide(text: str | bytes, *, cli: bool = True) -> Decision:
    """symnet's decision on a document (API route, and the command line unless cli=False)."""
    from symnet.errors import SymnetError

    accepted = False
    try:
        result = _api(text)
        accepted = result is True
        api = "accepted" if accepted else f"returned {result!r}"
        message = ""
    except _NoLoader:
        api, message = "no-api-loader", ""
    except SymnetError as exc:
        api, message = f"rejected:{type(exc).__name__}", str(exc)[:200]
    except Exception as exc:  # noqa: BLE001 - this is what the campaign looks for
        api, message = f"traceback:{type(exc).__name__}", str(exc)[:200]
    decision = Decision(accepted, api, message)
    if cli:
        try:
            code, err = _cli(text)
        except Exception as exc:  # noqa: BLE001
            code, err = -1, f"traceback:{type(exc).__name__}: {str(exc)[:200]}"
        decision.cli_code, decision.cli_stderr = code, err
        if code == 0:
            decision.accepted = True
    return decision


@dataclass
class Outcome:
    verdict: Verdict
    decision: Decision
    findings: list[str] = field(default_factory=list)
    seconds: float = 0.0  # symnet's decision alone (API and command line), not the oracle


def classify(text: str | bytes, *, cli: bool = True, seed: int = 0) -> Outcome:
    """The oracle's verdict, symnet's decision, and the findings (see the module docstring)."""
    verdict = judge(text, seed=seed)
    t0 = time.perf_counter()
    decision = decide(text, cli=cli)
    seconds = time.perf_counter() - t0
    findings = []
    if decision.api.startswith("traceback:"):
        findings.append(decision.api)
    if decision.cli_code is not None:
        if decision.cli_code == -1:
            findings.append("traceback:cli")
        elif decision.cli_code not in (0, 1, 2) or (decision.cli_code != 0 and decision.cli_stderr.count("\n") != 1):
            findings.append("cli-exit")
    if decision.accepted:
        if verdict.kind == "false":
            findings.append("false-accept")
        elif verdict.kind == "malformed":
            findings.append(f"accept-malformed:{verdict.cls}")
        elif verdict.kind == "undecided":
            findings.append("accept-undecided")
    if verdict.cls == "oracle-error":
        findings.append("oracle-error")
        if verdict.name_mismatch:
            findings.append("accept-name-mismatch")
    return Outcome(verdict, decision, findings, seconds)


def failures(outcome: Outcome) -> list[str]:
    """The findings that make the campaign fail."""
    return [f for f in outcome.findings if f.startswith(FAILURES)]
