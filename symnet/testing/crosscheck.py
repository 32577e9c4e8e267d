"""Numeric cross-checks: does the network compute the claimed linear form?

:func:`crosscheck` draws numeric instantiations of a network's weights and
inputs with Hypothesis, evaluates the network's forward pass (layer by
layer, as the network computes it) and the claimed form ``W* x + b*``, and
reports whether they agree:

* for ``int`` and ``rational`` instantiations, exactly (Python ``int`` and
  ``fractions.Fraction`` arithmetic);
* for ``float`` instantiations, within a tolerance derived for each sample
  from the magnitudes and the depth of the computation::

      |forward - claim| <= gamma(D_net) * M_net + gamma(D_claim) * M_claim

  where ``gamma(k) = k u / (1 - k u)`` with ``u = 2**-53``, ``D`` is the
  longest chain of floating-point operations behind an output (the depth:
  about ``sum of (fan_in + 1)`` over the layers for the forward pass), and
  ``M`` is the same computation done on absolute values (``|W| |u| + |b|``
  layer by layer), which bounds every partial sum.  This is the standard
  a-priori bound for sums and products (Higham, ch. 3); every drawn float is
  exactly representable, so it is a bound, not a guess.

Each Hypothesis example is a batch of instantiations drawn by numpy from a
seed and a style (see :mod:`symnet.testing.sampling`).  Both sides are
compiled once (:mod:`symnet.testing.numeric`): exact kinds run the compiled
integer code per instantiation and compare the two sides' numerators
cross-multiplied; floats run the compiled code once on numpy arrays holding
the whole batch.

On disagreement the first failing instantiation is shrunk (blocks of values
set to zero, then each value made as simple as possible while the two sides
still differ) and the report carries that example.

>>> import sympy, symnet
>>> net = symnet.Network.from_matrices([[["a", "b"]], [["c"]]], [["d"], ["e"]])
>>> a, b, c, d, e = sympy.symbols("a b c d e")
>>> report = symnet.crosscheck(net, samples=30, claim=([[c * a, c * b]], [c * d + e]))
>>> bool(report), report.samples
(True, 30)
>>> wrong = symnet.crosscheck(net, samples=30, claim=([[c * a, b]], [c * d + e]))
>>> wrong.agree
False
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import sympy

from ..conversion import exact_rational
from ..errors import InvalidArgument, InvalidType, ShapeError
from ..model.coerce import coerce_matrix, coerce_vector
from ..model.network import Network
from ..proof import Proof
from ..search.engine import prove
from .numeric import compile_claim, compile_forward, gamma
from .report import FLOAT_TOLERANCE_RULE, CrosscheckReport, Disagreement, KindResult
from .sampling import KINDS, Batch, allow_nesting, batch_size, check_int, draw_batch, search, shrink

__all__ = ["FLOAT_TOLERANCE_RULE", "MAX_SAMPLES", "CrosscheckReport", "Disagreement", "KindResult", "crosscheck"]

#: Largest number of samples one call accepts.
MAX_SAMPLES = 1_000_000


# ------------------------------------------------------------------ arguments
def _check_kinds(kinds: Any) -> tuple[str, ...]:
    if isinstance(kinds, str):
        kinds = (kinds,)
    if not isinstance(kinds, Sequence) or not kinds:
        raise InvalidArgument(f"kinds={kinds!r} must be a non-empty sequence drawn from {KINDS}")
    for k in kinds:
        if k not in KINDS:
            raise InvalidArgument(f"kinds={tuple(kinds)!r} contains {k!r}; the kinds are {KINDS}")
    if len(set(kinds)) != len(kinds):
        raise InvalidArgument(f"kinds={tuple(kinds)!r} repeats a kind")
    return tuple(kinds)


def _check_claim(claim: Any, net: Network) -> tuple[sympy.ImmutableMatrix, sympy.ImmutableMatrix]:
    if isinstance(claim, (str, bytes)) or not isinstance(claim, Sequence) or len(claim) != 2:
        raise InvalidArgument(f"claim must be a pair (matrix, offset), got {type(claim).__name__}")
    matrix = coerce_matrix(claim[0], "claim matrix")
    offset = coerce_vector(claim[1], "claim offset")
    if matrix.shape != (net.q, net.p):
        raise ShapeError(
            f"claim matrix has shape {matrix.shape} but the network has {net.q} outputs and {net.p} inputs: "
            f"it needs shape ({net.q}, {net.p})"
        )
    if offset.rows != net.q:
        raise ShapeError(f"claim offset has {offset.rows} entries but the network has {net.q} outputs")
    free = matrix.free_symbols | offset.free_symbols
    on_inputs = free & set(net.inputs)
    if on_inputs:
        names = ", ".join(sorted(s.name for s in on_inputs))
        raise InvalidArgument(f"claim entries depend on the inputs ({names}); W* and b* must not")
    unknown = free - set(net.parameters)
    if unknown:
        names = ", ".join(sorted(s.name for s in unknown))
        raise InvalidArgument(f"claim uses symbols {names} that are not parameters of the network")
    return matrix, offset


def _resolve(proof_or_net: Any, claim: Any) -> tuple[Network, sympy.ImmutableMatrix, sympy.ImmutableMatrix, str]:
    if isinstance(proof_or_net, Network):
        net = proof_or_net
        if claim is None:
            proof = prove(net)
            matrix, offset = sympy.ImmutableMatrix(proof.matrix), sympy.ImmutableMatrix(proof.offset)
            return net, matrix, offset, "W*, b* of symnet.prove"
    elif isinstance(proof_or_net, Proof):
        net = proof_or_net.network
        if claim is None:
            return (
                net,
                sympy.ImmutableMatrix(proof_or_net.matrix),
                sympy.ImmutableMatrix(proof_or_net.offset),
                "W*, b* of the given proof",
            )
    else:
        raise InvalidType(
            f"proof_or_net={proof_or_net!r} of type {type(proof_or_net).__name__} is neither a "
            "symnet.Network nor a symnet.Proof"
        )
    matrix, offset = _check_claim(claim, net)
    return net, matrix, offset, "the given (matrix, offset)"


# --------------------------------------------------------------------- search
def _as_exact(value: Any) -> sympy.Expr:
    return exact_rational(value, "a drawn value")


class _Checker:
    """Evaluates both sides for one kind and says whether they differ.

    Batches are checked by :meth:`first_failure` (exact kinds: compiled
    integer code per instantiation; floats: the compiled code run once on
    numpy arrays holding the whole batch); single instantiations, as the
    shrinker tries them, by :meth:`compare`.
    """

    def __init__(self, kind: str, net: Network, matrix: sympy.ImmutableMatrix, offset: sympy.ImmutableMatrix):
        self.kind = kind
        self.net = net
        self.n = len(net.parameters)
        self.count = self.n + net.p
        mode = "float" if kind == "float" else "exact"
        self.forward = compile_forward(net, mode)
        self.claim = compile_claim(matrix, offset, net.parameters, mode)
        if kind == "float":
            self.forward_abs = compile_forward(net, "abs")
            self.claim_abs = compile_claim(matrix, offset, net.parameters, "abs")
            self.g_net = gamma(self.forward.depth)
            self.g_claim = gamma(self.claim.depth)
        else:
            # output i agrees when  N_fwd * D**(g_c - m) * k_c == N_claim * D**(g_f - m) * k_f,  m = min(g_f, g_c)
            self._cross = [
                (gc - min(gf, gc), kc, gf - min(gf, gc), kf)
                for (gf, kf), (gc, kc) in zip(self.forward.scales, self.claim.scales, strict=True)
            ]
            self._max_g = max(self.forward.max_g, self.claim.max_g)
        self.max_tolerance = 0.0
        self.max_error = 0.0

    # ------------------------------------------------------------ batches
    def first_failure(self, batch: Batch) -> int | None:
        """The index of the first instantiation in ``batch`` at which the sides differ, or None.

        For floats, the statistics are updated with the instantiations
        before that one (all of them when none fails).
        """
        if self.kind == "float":
            return self._first_float_failure(batch)
        n = self.n
        forward, claim, cross = self.forward.numerators, self.claim.numerators, self._cross
        for s in range(batch.size):
            values, den = batch.scaled(s)
            v, x = values[:n], values[n:]
            powers = [1]
            for _ in range(self._max_g):
                powers.append(powers[-1] * den)
            for a, b, (ga, ka, gb, kb) in zip(forward(v, x, powers), claim(v, x, powers), cross, strict=True):
                if a * powers[ga] * ka != b * powers[gb] * kb:
                    return s
        return None

    def _first_float_failure(self, batch: Batch) -> int | None:
        values = batch.floats.T  # (count, B): row i holds value i of every instantiation
        v, x = values[: self.n], values[self.n :]
        av, ax = np.abs(v), np.abs(x)
        with np.errstate(all="ignore"):  # overflow gives inf (and inf - inf nan) silently, as Python floats do
            got, want = self.forward.vectorised(v, x), self.claim.vectorised(v, x)
            m_net, m_claim = self.forward_abs.vectorised(av, ax), self.claim_abs.vectorised(av, ax)
            err = np.stack([np.abs(a - b) for a, b in zip(got, want, strict=True)])
            tol = np.stack([self.g_net * mn + self.g_claim * mc for mn, mc in zip(m_net, m_claim, strict=True)])
            ok = (err <= tol).all(axis=0)  # also False for nan and inf
        bad = np.flatnonzero(~ok)
        first = int(bad[0]) if bad.size else None
        upto = batch.size if first is None else first
        if upto:
            self.max_error = max(self.max_error, float(err[:, :upto].max()))
            self.max_tolerance = max(self.max_tolerance, float(tol[:, :upto].max()))
        return first

    # ---------------------------------------------------- one instantiation
    def compare(self, values: list[Any]) -> tuple[tuple[Any, ...], tuple[Any, ...], int | None, Any]:
        """(network value, claim value, first differing output or None, float tolerances)."""
        v, x = values[: self.n], values[self.n :]
        if self.kind != "float":
            den = math.lcm(*(Fraction(t).denominator for t in values))
            vn = [int(t * den) for t in v]
            xn = [int(t * den) for t in x]
            got = self.forward(vn, xn, den)
            want = self.claim(vn, xn, den)
            for i, (a, b) in enumerate(zip(got, want, strict=True)):
                if a != b:
                    return got, want, i, None
            return got, want, None, None
        got = self.forward(v, x)
        want = self.claim(v, x)
        av = [abs(t) for t in v]
        ax = [abs(t) for t in x]
        m_net = self.forward_abs(av, ax)
        m_claim = self.claim_abs(av, ax)
        tols = tuple(self.g_net * mn + self.g_claim * mc for mn, mc in zip(m_net, m_claim, strict=True))
        bad = None
        for i, (a, b, tol) in enumerate(zip(got, want, tols, strict=True)):
            if not abs(a - b) <= tol:  # also catches nan and inf
                bad = i
                break
        return got, want, bad, tols

    def fails(self, values: list[Any]) -> bool:
        """True when the two sides differ at ``values``."""
        return self.compare(values)[2] is not None

    def disagreement(self, values: list[Any], fallback_output: int = 0) -> Disagreement:
        got, want, bad, tols = self.compare(values)
        if bad is None:  # pragma: no cover - the batch and the single evaluation round alike
            bad = fallback_output
        v, x = values[: self.n], values[self.n :]
        if self.kind == "float":
            weights = dict(zip(self.net.parameters, v, strict=True))
            xs, gv, wv = tuple(x), got, want
        else:
            weights = {s: _as_exact(t) for s, t in zip(self.net.parameters, v, strict=True)}
            xs = tuple(_as_exact(t) for t in x)
            gv = tuple(_as_exact(t) for t in got)
            wv = tuple(_as_exact(t) for t in want)
        return Disagreement(self.kind, weights, xs, gv, wv, bad, tols)


def _run_kind(checker: _Checker, samples: int, rng: random.Random) -> KindResult:
    """Draw batches with Hypothesis until ``samples`` instantiations are checked or one disagrees."""
    done = 0
    failing: list[Any] = []  # [values, drawn] once found
    size = batch_size(checker.count)

    def disagrees(drawn: tuple[int, int, int]) -> bool:
        nonlocal done
        if failing:  # Hypothesis replays the failing example once: it must fail again
            return bool(drawn == failing[1])
        if done >= samples:
            return False
        batch = draw_batch(checker.kind, drawn, min(size, samples - done), checker.count)
        first = checker.first_failure(batch)
        if first is None:
            done += batch.size
            return False
        done += first + 1
        failing.extend((batch.values(first), drawn))
        return True

    with allow_nesting():
        search(disagrees, lambda: done >= samples, -(-samples // size), rng)
    exact = checker.kind != "float"
    tolerance = None if exact else checker.max_tolerance
    error = None if exact else checker.max_error
    if not failing:
        return KindResult(checker.kind, done, done > 0, exact, max_tolerance=tolerance, max_error=error)
    values = failing[0]
    if checker.fails(values):
        values = shrink(values, checker.fails)
    example = checker.disagreement(values)
    return KindResult(checker.kind, done, False, exact, example, max_tolerance=tolerance, max_error=error)


def _has_float(*objects: Any) -> bool:
    return any(o.has(sympy.Float) for o in objects)


def crosscheck(
    proof_or_net: Any,
    samples: int = 300,
    seed: int = 0,
    claim: Any = None,
    kinds: Sequence[str] = KINDS,
) -> CrosscheckReport:
    """Cross-check a linear form against the network's forward pass on numbers.

    ``proof_or_net`` is a proof (its ``.network``, ``.matrix`` W* and
    ``.offset`` b* are checked) or a :class:`~symnet.Network` (proved first
    with ``symnet.prove``, which raises :class:`~symnet.NotLinearError` for a
    non-linear network).  ``claim=(matrix, offset)`` checks that form instead:
    a q x p matrix and a q-vector (sympy matrices or nested lists) whose
    entries are numbers or expressions in the network's parameters.

    ``samples`` instantiations in total are split evenly over ``kinds``
    (``"int"``, ``"rational"``, ``"float"``); each kind is a Hypothesis
    search with its own seed derived from ``seed``, so the report is the
    same for the same arguments.  A network or claim holding float
    constants skips the exact kinds (exact agreement with rounded
    constants is not expected).

    Activations and claim entries may use ``+``, ``*``, non-negative
    integer powers, ``Max``, ``Min`` and ``Abs`` (identity, affine,
    polynomial, relu, leaky_relu); anything else raises
    :class:`~symnet.InvalidArgument`.
    """
    samples = check_int(samples, "samples", 1, MAX_SAMPLES)
    seed = check_int(seed, "seed", 0)
    kinds = _check_kinds(kinds)
    net, matrix, offset, source = _resolve(proof_or_net, claim)

    floats = _has_float(matrix, offset, *(m for layer in net.layers for m in (layer.weights, layer.biases)))
    floats = floats or any(a.expr.has(sympy.Float) for a in net.activations)
    run = [k for k in kinds if k == "float" or not floats]
    if not run:
        raise InvalidArgument(
            f"kinds={kinds!r}: the network or claim holds float constants, so exact kinds cannot agree "
            "exactly; include 'float'"
        )
    share = {k: samples // len(run) + (1 if i < samples % len(run) else 0) for i, k in enumerate(run)}

    results = []
    for k in kinds:
        if k not in run:
            results.append(KindResult(k, 0, True, True, skipped="float constants in the network or claim"))
            continue
        if share[k] == 0:
            results.append(KindResult(k, 0, True, k != "float", skipped="no samples left for this kind"))
            continue
        checker = _Checker(k, net, matrix, offset)
        results.append(_run_kind(checker, share[k], random.Random(f"symnet-crosscheck:{seed}:{k}")))

    evaluated = sum(r.samples for r in results)
    agree = evaluated > 0 and all(r.agree for r in results if r.skipped is None)
    first = next((r.counterexample for r in results if r.counterexample is not None), None)
    rule = FLOAT_TOLERANCE_RULE if "float" in run and share["float"] > 0 else None
    return CrosscheckReport(agree, evaluated, tuple(results), seed, net, source, first, rule)

