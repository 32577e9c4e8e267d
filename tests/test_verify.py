"""symnet.verify (issue 21): near-threshold properties whose answer is known from symnet.bound's exact enumeration.

The threshold of each property is the exact maximum (or minimum) of the
output over the box, from :func:`symnet.bound` (an independent route: region
enumeration with exact LPs), moved by a tiny epsilon: "y >= max + eps" can never
happen (holds), "y >= max - eps" happens near the maximiser (violated).  Every
answer must be exact, and its certificate must pass the kernel (and the JSON
round trip); a violated answer's point is re-evaluated with the network's own
exact evaluation.
"""

from __future__ import annotations

import importlib
import time
from fractions import Fraction

import numpy as np
import pytest

import symnet
from symnet.search.bab import tasks
from symnet.search.vnnlib import VnnProperty


def _net(p: int, hidden: list[int], seed: int) -> symnet.Network:
    rng = np.random.default_rng(seed)
    sizes = [p, *hidden, 1]
    W = [rng.standard_normal((sizes[i + 1], sizes[i])) / np.sqrt(sizes[i]) for i in range(len(sizes) - 1)]
    b = [rng.standard_normal(sizes[i + 1]) / 4 for i in range(len(sizes) - 1)]
    return symnet.Network.from_matrices(W, b, "relu")


def _fr(v: object) -> Fraction:
    return Fraction(str(v))


def _cases(p: int, hidden: list[int], seed: int, eps: Fraction) -> list[tuple[symnet.Network, VnnProperty, str]]:
    """Four properties on one network: above the max / below the min, each just past and just short of it."""
    net = _net(p, hidden, seed)
    box = [(Fraction(-1), Fraction(1))] * p
    bd = symnet.bound(net, box)
    top, bottom = _fr(bd.maximum[0]), _fr(bd.minimum[0])
    up = lambda t: [[([Fraction(-1)], t)]]  # noqa: E731 - violation y >= t, i.e. -y + t <= 0
    down = lambda t: [[([Fraction(1)], -t)]]  # noqa: E731 - violation y <= t
    return [
        (net, VnnProperty(p, 1, box, up(top + eps)), "holds"),
        (net, VnnProperty(p, 1, box, up(top - eps)), "violated"),
        (net, VnnProperty(p, 1, box, down(bottom - eps)), "holds"),
        (net, VnnProperty(p, 1, box, down(bottom + eps)), "violated"),
    ]


def _assert_exact(
    net: symnet.Network, prop: VnnProperty, want: str, workers: int = 1, timeout: float | None = 120
) -> symnet.Verdict:
    v = symnet.verify(net, prop, workers=workers, timeout=timeout)
    assert v.status == want, (v, v.reason)
    assert v.check() is True
    again = symnet.Verdict.from_json(v.to_json())
    assert again.status == want and again.check() is True
    if want == "violated":
        x = v.counterexample
        assert x is not None and all(lo <= xi <= hi for xi, (lo, hi) in zip(x, prop.box, strict=True))
        y = _fr(net.evaluate(list(x), exact=True)[0])
        assert v.output == (y,)
        ((c, d),) = prop.disjuncts[0]
        assert c[0] * y + d <= 0
    return v


def test_near_threshold_quick() -> None:
    for net, prop, want in _cases(2, [16, 16], 3, Fraction(1, 10**6)):
        _assert_exact(net, prop, want)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("p", "hidden", "seed", "eps"),
    [
        (2, [16, 16], 11, Fraction(1, 10**6)),
        (2, [16, 16], 12, Fraction(1, 10**9)),
        (2, [16, 16], 13, Fraction(1, 10**4)),
        (3, [16, 16, 16], 14, Fraction(1, 10**6)),
        (3, [16, 16, 16], 15, Fraction(1, 10**6)),
        (3, [16, 16, 16], 16, Fraction(1, 10**5)),
        (2, [16, 16], 17, Fraction(1, 10**7)),
    ],
)
def test_near_threshold(p: int, hidden: list[int], seed: int, eps: Fraction) -> None:
    # with the quick test: 8 networks x 4 properties = 32 near-threshold queries.  (Seeds 14 and 15 were left
    # out while verify split inputs by width times influence: "unknown" on their "holds" cases -- seed 14, eps
    # 1e-6: 890,406 boxes in 300 s.  With strong branching and alpha-CROWN: 632 and 73 boxes, under 2 s each.)
    for net, prop, want in _cases(p, hidden, seed, eps):
        _assert_exact(net, prop, want)


def test_conjunction_and_disjunction_and_input_constraint() -> None:
    """Two outputs; violation 'y0 >= 100 and y1 >= 0' or 'y0 - y1 >= t'; input constraint x1 + x2 <= s."""
    hidden_w, hidden_b = [[1, -1], [1, 1], [-1, 2]], [0, 0, Fraction(1, 4)]
    net = symnet.Network.from_matrices([hidden_w, [[1, 0, 1], [0, 1, -1]]], [hidden_b, [0, 0]], "relu")
    diff = symnet.Network.from_matrices([hidden_w, [[1, -1, 2]]], [hidden_b, [0]], "relu")  # y0 - y1
    box = [(Fraction(-1), Fraction(1))] * 2
    # y0 = relu(x1 - x2) + relu(-x1 + 2 x2 + 1/4) <= 2 + 13/4 on the box, so the first disjunct never holds
    first = [([Fraction(-1), Fraction(0)], Fraction(100)), ([Fraction(0), Fraction(-1)], Fraction(0))]
    for s in (Fraction(1, 2), Fraction(-1, 2)):
        # the polytope {box, x1 + x2 <= s} as A x <= b, and the exact max of y0 - y1 on it (region enumeration)
        A = [[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1]]
        top = _fr(symnet.bound(diff, polytope=(A, [1, 1, 1, 1, s])).maximum[0])
        cons = [([Fraction(1), Fraction(1)], -s)]
        for t, want in ((top, "violated"), (top + Fraction(1, 10**6), "holds")):
            prop = VnnProperty(2, 2, box, [first, [([Fraction(-1), Fraction(1)], t)]])
            v = symnet.verify(net, _with_constraints(prop, cons), workers=1)
            assert v.status == want, (s, t, v)
            assert v.check() is True
            if want == "violated":
                assert v.counterexample is not None and sum(v.counterexample) <= s


def _with_constraints(prop: VnnProperty, cons: list[tuple[list[Fraction], Fraction]]) -> VnnProperty:
    """The property with input constraints (the field VNN-LIB's reader adds; set here if absent)."""
    try:
        return VnnProperty(prop.inputs, prop.outputs, prop.box, prop.disjuncts, cons)  # type: ignore[call-arg]
    except TypeError:
        out = VnnProperty(prop.inputs, prop.outputs, prop.box, prop.disjuncts)
        object.__setattr__(out, "input_constraints", cons)
        return out


def test_fixed_coordinate_and_timeout_and_progress() -> None:
    net = _net(3, [16, 16], 5)
    box = [(Fraction(-1), Fraction(1)), (Fraction(1, 3), Fraction(1, 3)), (Fraction(-1), Fraction(1))]
    v = symnet.verify(net, VnnProperty(3, 1, box, [[([Fraction(-1)], Fraction(50))]]), workers=1)
    assert v.status == "holds" and v.check()
    v = symnet.verify(net, VnnProperty(3, 1, box, [[([Fraction(-1)], Fraction(50))]]), timeout=0.0, workers=1)
    assert v.status == "unknown" and v.reason == "timeout"
    with pytest.raises(symnet.InvalidArgument):
        v.to_json()


@pytest.mark.slow
def test_workers_agree() -> None:
    cases = _cases(2, [16, 16], 21, Fraction(1, 10**6))
    for net, prop, want in cases[:2]:
        _assert_exact(net, prop, want, workers=2)
        _assert_exact(net, prop, want, workers=2, timeout=None)


def _slow_violation(*args: object) -> object:
    """The worker's subtree task, its violation delivered late: the stop flag is set well before the result arrives."""
    res = tasks.subtree_task(*args)  # type: ignore[arg-type]
    if res[0] == "violated":
        time.sleep(0.5)
    return res


def test_a_violation_is_collected_after_its_worker_sets_the_stop_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pool waits for the violating worker's result; the stop flag alone never ends the run as "timeout"."""
    bab_verify = importlib.import_module("symnet.search.bab.verify")  # the module (the package exports the function)
    monkeypatch.setattr(bab_verify, "subtree_task", _slow_violation)  # forked workers inherit the patch
    violated = [case for case in _cases(2, [16, 16], 21, Fraction(1, 10**6)) if case[2] == "violated"]
    assert violated
    net, prop, want = violated[0]
    _assert_exact(net, prop, want, workers=2, timeout=None)


def _failing_task(*args: object) -> object:
    raise RuntimeError("a worker's own failure")


def test_a_workers_exception_reaches_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each worker sends its results down a pipe of its own; an exception in one is raised in the caller."""
    bab_verify = importlib.import_module("symnet.search.bab.verify")
    monkeypatch.setattr(bab_verify, "subtree_task", _failing_task)  # forked workers inherit the patch
    net, prop, _ = _cases(2, [16, 16], 21, Fraction(1, 10**6))[0]
    with pytest.raises(RuntimeError, match="a worker's own failure"):
        symnet.verify(net, prop, workers=2, timeout=120)


def test_refuses_non_relu_and_bad_shapes() -> None:
    net = symnet.Network.from_matrices([[[1, 2]], [[1]]], None, "tanh")
    prop = VnnProperty(2, 1, [(Fraction(0), Fraction(1))] * 2, [[([Fraction(1)], Fraction(0))]])
    with pytest.raises(symnet.InvalidArgument):
        symnet.verify(net, prop)
    relu = symnet.Network.from_matrices([[[1, 2]], [[1]]], None, "relu")
    with pytest.raises(symnet.InvalidArgument):
        symnet.verify(relu, VnnProperty(3, 1, [(Fraction(0), Fraction(1))] * 3, prop.disjuncts))
