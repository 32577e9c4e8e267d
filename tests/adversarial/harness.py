"""Run symnet on one document and classify the outcome against the oracle.

``decide(text)`` asks symnet through its public API, by the document's
``format`` (``Proof.from_json(...).check()``, ``GenericProof``,
``Counterexample``, ``Verdict``, ``Regions``; degree documents through whatever loader symnet offers,
else ``symnet check``), and also through ``symnet check`` on the command line
(in-process, a temporary file).  ``classify(text)`` combines that with
the oracle (:func:`.oracle.judge`; regions documents: :func:`.regions_oracle.judge_regions`)
into a list of findings:

* ``false-accept`` -- accepted, and the oracle shows the claim false;
* ``accept-malformed:<cls>`` -- accepted, but the document breaks the grammar
  (class ``cls``: a claim mentioning inputs, duplicate keys, a non-canonical
  float ...);
* ``accept-name-mismatch`` -- accepted with an activation name that does not
  match its formula;
* ``traceback:<Type>`` -- an exception that is not a SymnetError escaped;
* ``cli-exit`` -- the command line exited with a code other than 0, 1, 2, or
  said more than one line on stderr;
* ``unsafe-render:<format>`` -- an accepted certificate rendered to LaTeX with a
  control word that reads or writes files or redefines anything (or ``^^``),
  to Markdown with raw HTML or a ``javascript:`` link, or to Coq with a
  comment or string that does not close, or the raw text of a name holding a
  string or comment mark outside a comment
  (judged by the independent checks below, not by symnet.names).

Informational (not failures): ``accept-undecided`` (accepted, the oracle could
not decide), ``oracle-error`` (a bug of the oracle itself, reported so).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

from .oracle import Verdict, judge

__all__ = ["Decision", "FAILURES", "classify", "decide"]

#: Finding prefixes that make the campaign fail.
FAILURES = ("false-accept", "accept-malformed", "accept-name-mismatch", "traceback", "cli-exit", "unsafe-render")


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
    if fmt == "symnet.verification":
        return symnet.Verdict.from_json(text).check()
    if fmt == "symnet.regions":
        return symnet.Regions.from_json(text).check()
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


_DANGEROUS_TEX = re.compile(
    r"\\(?:input|include|InputIfFileExists|write|openin|openout|read|readline|catcode|def|edef|gdef|xdef|let|"
    r"csname|immediate|newcommand|renewcommand|providecommand|usepackage|special|directlua|endinput|scantokens|"
    r"lowercase|uppercase|loop|jobname)(?![A-Za-z])|\^\^"
)


def _coq_unclosed(text: str) -> str:
    """'' when every Coq comment closes (strings inside comments lexed as Coq does), else what is wrong."""
    depth, in_str, i, n = 0, False, 0, len(text)
    outside: list[str] = []
    while i < n:
        if in_str:
            if text.startswith('""', i):
                i += 2
                continue
            in_str = text[i] != '"'
        elif text.startswith("(*", i):
            depth, i = depth + 1, i + 2
            continue
        elif depth and text.startswith("*)", i):
            depth, i = depth - 1, i + 2
            continue
        elif text[i] == '"':
            in_str = True
        elif not depth:
            outside.append(text[i])
        i += 1
    if depth or in_str:
        return f"comment depth {depth}, inside a string {in_str} at the end"
    return "".join(outside)


def _markdown_html(text: str) -> bool:
    from markdown_it import MarkdownIt

    stack = list(MarkdownIt("commonmark").parse(text))
    while stack:
        tok = stack.pop()
        if tok.type in ("html_inline", "html_block"):
            return True
        if tok.type == "link_open" and str(tok.attrs.get("href", "")).lower().startswith("javascript:"):
            return True
        stack.extend(tok.children or [])
    return False


def render_findings(text: str | bytes, names: set[str]) -> list[str]:
    """Render an accepted certificate to LaTeX, Markdown and Coq; what the independent checks find unsafe."""
    import symnet
    from symnet.errors import SymnetError

    found: list[str] = []
    proof = symnet.Proof.from_json(text)
    renders = {"latex": lambda: proof.to_latex(), "markdown": proof.to_markdown, "coq": proof.to_coq}
    for fmt, render in renders.items():
        if fmt == "coq" and len(text) > 20_000:
            continue
        try:
            out = render()
        except SymnetError:
            continue  # refused: safe
        except Exception as exc:  # noqa: BLE001 - what the campaign looks for
            found.append(f"traceback:render-{fmt}:{type(exc).__name__}")
            continue
        if fmt == "latex" and _DANGEROUS_TEX.search(out):
            found.append("unsafe-render:latex")
        elif fmt == "markdown" and (_DANGEROUS_TEX.search(out) or _markdown_html(out)):
            found.append("unsafe-render:markdown")
        elif fmt == "coq":
            code = _coq_unclosed(out)
            delimiters = [n for n in names if '"' in n or "(*" in n or "*)" in n]  # Coq's string and comment marks
            if code.startswith("comment depth") or any(n in code for n in delimiters):
                found.append("unsafe-render:coq")
    return found


def _symbol_names(text: str | bytes) -> set[str]:
    try:
        data = json.loads(text)
        return {n[1] for n in data["expressions"] if isinstance(n, list) and n[:1] == ["sym"] and isinstance(n[1], str)}
    except (ValueError, TypeError, KeyError, IndexError, RecursionError):
        return set()


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
        if verdict.name_mismatch:
            findings.append("accept-name-mismatch")
    if decision.accepted and _sniff(text) == "symnet-certificate":
        findings += render_findings(text, _symbol_names(text))
    if verdict.cls == "oracle-error":
        findings.append("oracle-error")
    return Outcome(verdict, decision, findings, seconds)


def failures(outcome: Outcome) -> list[str]:
    """The findings that make the campaign fail."""
    return [f for f in outcome.findings if f.startswith(FAILURES)]
