"""What every ``symnet`` sub-command shares: the exit codes, the error line, the output writer.

Sub-commands import from here, never from :mod:`symnet.cli.main` (which
imports them), so the command line has no import cycle.

Exit codes (one table for every sub-command):

====  ==========================================================================
code  meaning
====  ==========================================================================
0     proved, checked, agreed, written
1     refuted, rejected (by the kernel or by Coq), disagreement, property violated
2     bad usage or bad input: argparse's usage line and one error line, no traceback
130   interrupted (Ctrl-C)
====  ==========================================================================
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from ..errors import NotLinearError, SymnetError, UndecidedError

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_REJECTED",
    "EXIT_USAGE",
    "NOTATION",
    "emit",
    "guarded",
    "one_line",
    "progress_line",
    "say",
]

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

#: Where the names come from (the help epilog of ``symnet`` and ``symnet prove``; docs/index.md says the same).
NOTATION = (
    "Names follow the notation of the blog post symnet grew from (linear regression written as a neural "
    "network): inputs x_1..x_p, hidden node k with bias b_{k,0} and weights b_{k,1}..b_{k,p}, the output "
    "node c_0 + c_1 y_1 + ..., and the collapsed form y-hat = W* x*; layer l of a deeper network adds a "
    "superscript, b^{(l)}_{k,j}. --inputs 3 --hidden 3 is the post's network."
)

#: Longest error line written to standard error.
MAX_MESSAGE = 2000


def one_line(exc: BaseException) -> str:
    """The exception's message on one line (at most :data:`MAX_MESSAGE` characters), or its type's name."""
    text = str(exc) or type(exc).__name__
    return " ".join(text.split())[:MAX_MESSAGE]


def say(message: str) -> None:
    """One line on standard error, prefixed ``symnet:``."""
    print(f"symnet: {' '.join(message.split())[:MAX_MESSAGE]}", file=sys.stderr)


def progress_line(message: str, *, overwrite: bool = False) -> None:
    """A progress line on standard error, prefixed ``symnet:``; ``overwrite`` rewrites the current line in place.

    Only on a terminal: in a script or a pipe standard error holds errors alone (one line for bad input).
    """
    if not sys.stderr.isatty():
        return
    if overwrite:
        print(f"\rsymnet: {message}", end="", file=sys.stderr, flush=True)
    else:
        print(f"symnet: {message}", file=sys.stderr, flush=True)


def emit(text: str, path: str | None) -> None:
    """Write ``text`` (with a final newline) to ``path``, or to standard output as UTF-8 whatever its encoding."""
    if not text.endswith("\n"):
        text += "\n"
    if path is not None:
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        return
    stream = sys.stdout
    if hasattr(stream, "buffer") and (stream.encoding or "").lower().replace("-", "") != "utf8":
        stream.flush()
        stream.buffer.write(text.encode("utf-8"))
        stream.buffer.flush()
    else:
        stream.write(text)


def _os_error(exc: BaseException) -> str:
    assert isinstance(exc, OSError)
    return f"error: {exc.filename or ''}: {exc.strerror or exc}"


#: Exception -> (exit code, the error line); the first matching row wins.
_Kinds = type[BaseException] | tuple[type[BaseException], ...]
ERRORS: tuple[tuple[_Kinds, int, Callable[[BaseException], str]], ...] = (
    (NotLinearError, EXIT_REJECTED, lambda exc: f"not linear: {one_line(exc)}"),
    (UndecidedError, EXIT_REJECTED, lambda exc: f"not proved: {one_line(exc)}"),
    (SymnetError, EXIT_USAGE, lambda exc: f"error: {one_line(exc)}"),
    (OSError, EXIT_USAGE, _os_error),
    ((ValueError, TypeError, RecursionError, MemoryError), EXIT_USAGE,
     lambda exc: f"error: {type(exc).__name__}: {one_line(exc)}"),
    (KeyboardInterrupt, EXIT_INTERRUPTED, lambda exc: "interrupted"),
)


def guarded(run: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a sub-command; an error of :data:`ERRORS` becomes one line on standard error and its exit code."""
    try:
        return int(run(args))
    except (Exception, KeyboardInterrupt) as exc:
        for kinds, code, line in ERRORS:
            if isinstance(exc, kinds):
                say(line(exc))
                return code
        raise
