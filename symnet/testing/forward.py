"""Compare a user's forward pass with the exact output (see :mod:`symnet.testing`)."""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from hypothesis import currently_in_test_context, event
from hypothesis.control import current_build_context

from ..conversion import exact_ratio
from ..errors import InvalidArgument, InvalidType, SymnetError
from ..model.kinks import AIM_RATE, Aimer, ForwardCheck, Shot
from ..model.network import Network
from .numeric import compile_entries, compile_forward, gamma
from .sampling import KINDS, allow_nesting, batch_size, check_int, draw_batch, search, shrink

__all__ = ["ForwardCheck", "assert_forward_matches", "last_forward_check"]

#: The float comparison allows this multiple of the a-priori round-off bound.
FLOAT_SLACK = 2.0


def _fraction(value: Any) -> Fraction | None:
    """The exact value of a number ``fn`` returned (a float at its binary value), or None for a non-number."""
    try:
        return Fraction(*exact_ratio(value, "fn's output"))
    except SymnetError:
        return None


def _flatten(result: Any, q: int) -> list[Any]:
    """The function's result as a list of q numbers (accepts a scalar for q = 1, arrays, column vectors)."""
    if hasattr(result, "tolist"):
        result = result.tolist()
    if not isinstance(result, (list, tuple)):
        return [result]
    items = list(result)
    if len(items) == q and all(isinstance(v, (list, tuple)) and len(v) == 1 for v in items):
        items = [v[0] for v in items]
    if len(items) == 1 and isinstance(items[0], (list, tuple)):
        items = list(items[0])
    return items


class _Harness:
    """Numeric layers for drawn values, the user's call, and the comparison."""

    def __init__(self, fn: Callable[..., Any], net: Network, kind: str, convert: Callable[[Any], Any] | None) -> None:
        self.fn = fn
        self.net = net
        self.kind = kind
        self.convert = convert
        self.n = len(net.parameters)
        self.count = self.n + net.p
        self.forward = compile_forward(net, "exact")
        exprs = tuple(e for layer in net.layers for e in (*layer.weights, *layer.biases))
        self.entries = compile_entries(exprs, tuple(net.parameters), "exact")
        if kind == "float":
            self.forward_abs = compile_forward(net, "abs")
            self.bound = FLOAT_SLACK * gamma(compile_forward(net, "float").depth)

    def layers(self, v: Sequence[Any]) -> tuple[list[list[list[Any]]], list[list[Any]]]:
        """Numeric weight matrices and bias vectors (ints/Fractions, or floats for the float kind)."""
        vn, _, den = self._scaled(v, [])
        flat = list(self.entries(vn, [], den))
        if self.kind == "float":
            flat = [float(e) for e in flat]
        weights, biases = [], []
        i = 0
        for layer in self.net.layers:
            rows, cols = layer.weights.shape
            weights.append([flat[i + r * cols : i + (r + 1) * cols] for r in range(rows)])
            i += rows * cols
            biases.append(flat[i : i + rows])
            i += rows
        return weights, biases

    @staticmethod
    def _den(v: Sequence[Any], x: Sequence[Any]) -> int:
        return math.lcm(*(Fraction(t).denominator for t in (*v, *x)))

    def _scaled(self, v: Sequence[Any], x: Sequence[Any]) -> tuple[list[int], list[int], int]:
        den = self._den(v, x)
        def scale(values: Sequence[Any]) -> list[int]:
            return [f.numerator * (den // f.denominator) for f in map(Fraction, values)]

        return scale(v), scale(x), den

    def expected(self, v: Sequence[Any], x: Sequence[Any]) -> tuple[Any, ...]:
        vn, xn, den = self._scaled(v, x)
        return self.forward(vn, xn, den)

    def call(self, values: list[Any]) -> tuple[list[Any], list[list[Any]], list[list[Any]], Any]:
        v, x = values[: self.n], values[self.n :]
        weights, biases = self.layers(v)
        conv = self.convert or (lambda a: a)
        try:
            result = self.fn([conv(w) for w in weights], [conv(b) for b in biases], conv(list(x)))
        except Exception as exc:  # the user's code failing is a finding, reported like a mismatch
            result = exc
        return weights, biases, list(x), result

    def mismatch(self, values: list[Any]) -> str | None:
        """None when the function's result matches; else a one-line reason."""
        v, x = values[: self.n], values[self.n :]
        _, _, _, result = self.call(values)
        if isinstance(result, Exception):
            return f"fn raised {type(result).__name__}: {result}"
        got = _flatten(result, self.net.q)
        want = self.expected(v, x)
        if len(got) != len(want):
            return f"fn returned {len(got)} values but the network has {len(want)} outputs"
        if self.kind == "float":
            mags = self.forward_abs([abs(t) for t in v], [abs(t) for t in x])
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            if self.kind != "float":
                if _fraction(g) != w:
                    return f"output {i + 1} differs"
                continue
            try:
                err = abs(float(g) - float(Fraction(w)))
            except (TypeError, ValueError, OverflowError):
                return f"output {i + 1} is not a number: {g!r}"
            tol = self.bound * mags[i]
            if not err <= tol:
                return f"output {i + 1} differs by {err:.3g}, more than the round-off bound {tol:.3g}"
        return None

    def report(self, values: list[Any], reason: str) -> str:
        v, x = values[: self.n], values[self.n :]
        weights, biases, xs, result = self.call(values)
        want = self.expected(v, x)
        show = (lambda t: str(t)) if self.kind != "float" else repr
        lines = [f"fn disagrees with symnet's exact forward pass ({self.kind} weights; shrunk counterexample):"]
        for l, (w, b) in enumerate(zip(weights, biases, strict=True)):
            lines.append(f"  weights[{l}] = [{', '.join('[' + ', '.join(show(e) for e in row) + ']' for row in w)}]")
            lines.append(f"  biases[{l}]  = [{', '.join(show(e) for e in b)}]")
        lines.append(f"  x = [{', '.join(show(e) for e in xs)}]")
        if isinstance(result, Exception):
            got = repr(result)
        else:
            got = "[" + ", ".join(show(_fraction(e) if self.kind != "float" and _fraction(e) is not None else e)
                                  for e in _flatten(result, self.net.q)) + "]"
        lines.append(f"  fn returned:    {got}")
        lines.append(f"  symnet (exact): [{', '.join(str(e) for e in want)}]")
        lines.append(f"  ({reason})")
        return "\n".join(lines)


def assert_forward_matches(
    fn: Callable[..., Any],
    net: Network,
    *,
    kind: str = "rational",
    samples: int = 100,
    seed: int = 0,
    convert: Callable[[Any], Any] | None = None,
) -> None:
    """Assert that ``fn(weights, biases, x)`` computes ``net``'s output.

    ``fn`` is your forward pass.  It receives ``weights`` (one matrix per
    layer, a list of rows, shape (width of layer l) x (width of layer l-1)),
    ``biases`` (one vector per layer) and the input ``x``, and returns the
    q outputs (a sequence, an array, a column vector, or a single number
    when q = 1).  ``convert`` is applied to every matrix, vector and ``x``
    first: pass ``numpy.array`` to get arrays (object arrays of Fractions
    for exact kinds).  The hidden layers' activation is ``net``'s: your
    function applies its own.

    ``kind`` picks the drawn numbers: ``"int"`` or ``"rational"`` (compared
    exactly, so ``fn`` must keep exact arithmetic) or ``"float"`` (compared
    with symnet's exact value at those floats, within twice the a-priori
    round-off bound ``gamma(depth) * |W||x| + |b|``).  The parameters of a
    symbolic ``net`` are drawn as well; a numeric ``net`` keeps its weights.

    When a hidden activation is piecewise (ReLU, leaky ReLU, a hard-tanh or
    hard-sigmoid written with ``Max``/``Min``, ...), about half of the
    instantiations are *aimed*: one unit's pre-activation is moved exactly
    onto a breakpoint or a hair beside it (:mod:`symnet.model.kinks`), where
    threshold bugs such as ``z > 1e-3`` show.  :func:`last_forward_check`
    then says how many were; inside a Hypothesis test the same is recorded
    as Hypothesis events.

    Raises ``AssertionError`` with a shrunk counterexample (the weights, x,
    what ``fn`` returned and symnet's exact value) when they differ or
    ``fn`` raises; symnet's own frames are hidden from pytest's traceback.
    """
    __tracebackhide__ = True
    _check_arguments(fn, net, kind, samples, seed, convert)
    harness = _Harness(fn, net, kind, convert)
    aimer = Aimer(net, kind, harness.n, harness.layers)
    tags = {"at": 0, "near": 0, "beside": 0}
    done = 0
    failing: list[Any] = []  # [values, drawn, shot] once found

    size = batch_size(harness.count)

    def fails(drawn: tuple[int, int, int]) -> bool:
        nonlocal done
        if failing:  # Hypothesis replays the failing example once: it must fail again
            return bool(drawn == failing[1])
        if done >= samples:
            return False
        batch = draw_batch(kind, drawn, min(size, samples - done), harness.count)
        aiming = random.Random(drawn[0]) if aimer.active else None
        for s in range(batch.size):
            values, shot = batch.values(s), None
            if aiming is not None and aiming.random() < AIM_RATE:
                values, tag, shot = aimer.aim(values, aiming)
                if tag is not None:
                    tags[tag] += 1
            done += 1
            if harness.mismatch(values) is not None:
                failing.extend((values, drawn, shot))
                return True
        return False

    rng = random.Random(f"symnet-testing:{seed}:{kind}")
    with allow_nesting():
        search(fails, lambda: done >= samples, -(-samples // size), rng)
    stats = ForwardCheck(done, sum(tags.values()), tags["at"], tags["near"])
    _LAST.check = stats
    _events(stats)
    if not failing:
        return
    values = failing[0]
    # While Hypothesis is still generating or shrinking an outer example, only the run it
    # reports is shown, so only that run pays for shrinking this one.
    if not _outer_search_is_exploring():
        values = _shrunk(values, failing[2], aimer, harness)
    reason = harness.mismatch(values)
    assert reason is not None
    raise AssertionError(harness.report(values, reason))


def _shrunk(values: list[Any], shot: Shot | None, aimer: Aimer, harness: _Harness) -> list[Any]:
    """The failing values shrunk; an aimed draw keeps its unit on target, then tries the plainest step off its kink."""
    __tracebackhide__ = True

    def fails(vals: list[Any]) -> bool:
        return harness.mismatch(vals) is not None

    if shot is None:
        return shrink(values, fails)
    values = shrink(values, fails, repair=lambda vals: aimer.shoot(vals, shot))
    step = shot.target - shot.point
    if step:
        sign = 1 if step > 0 else -1
        for e in range(1, 61):  # the plainest step that still fails: 1/2, 1/4, ..., down to the one found
            plain = Fraction(sign, 2**e)
            if abs(plain) >= abs(step):
                moved = aimer.shoot(values, shot._replace(target=shot.point + plain))
                if moved is not None and fails(moved):
                    return moved
    return values


_LAST = threading.local()


def last_forward_check() -> ForwardCheck | None:
    """What the last :func:`assert_forward_matches` of this thread drew (None before the first).

    >>> import symnet
    >>> def relu_net(weights, biases, x):
    ...     (w1, w2), (b1, b2) = weights, biases
    ...     h = [max(0, b + sum(a * v for a, v in zip(row, x))) for row, b in zip(w1, b1)]
    ...     return [b2[0] + sum(a * v for a, v in zip(w2[0], h))]
    >>> assert_forward_matches(relu_net, symnet.dense(2, [3], 1, "relu"))
    >>> check = last_forward_check()
    >>> check.samples, check.aimed > 25, check.at_breakpoint > 5, check.near_breakpoint > 10
    (100, True, True, True)
    """
    check: ForwardCheck | None = getattr(_LAST, "check", None)
    return check


def _events(stats: ForwardCheck) -> None:
    """Inside a Hypothesis test, record whether draws were aimed at a breakpoint (``--hypothesis-show-statistics``)."""
    if not currently_in_test_context():
        return
    if stats.at_breakpoint:
        event("symnet.testing: some pre-activation exactly at a breakpoint")
    if stats.near_breakpoint:
        event("symnet.testing: some pre-activation within 2**-10 of a breakpoint")
    if not stats.aimed:
        event("symnet.testing: no draw aimed at a breakpoint")


def _check_arguments(fn: Any, net: Any, kind: Any, samples: Any, seed: Any, convert: Any) -> None:
    """Typed errors for the arguments of :func:`assert_forward_matches`."""
    if not callable(fn):
        raise InvalidType(f"fn={fn!r} must be callable")
    if not isinstance(net, Network):
        raise InvalidType(f"net={net!r} of type {type(net).__name__} is not a symnet.Network")
    if kind not in KINDS:
        raise InvalidArgument(f"kind={kind!r} must be one of {KINDS}")
    check_int(samples, "samples", 1)
    check_int(seed, "seed", 0)
    if convert is not None and not callable(convert):
        raise InvalidType(f"convert={convert!r} must be callable or None")
    extra = [s for a in net.activations for s in a.parameters]
    if extra:
        names = ", ".join(sorted({s.name for s in extra}))
        raise InvalidArgument(
            f"net has activation coefficients {names}; fn receives only weights and biases, so give them values first"
        )


def _outer_search_is_exploring() -> bool:
    """True inside a Hypothesis test while it explores (any run but the final, reported one)."""
    if not currently_in_test_context():
        return False
    try:
        return not current_build_context().is_final
    except Exception:  # pragma: no cover - no build context: behave as outside a test
        return False


