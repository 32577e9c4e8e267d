"""symnet.testing.assert_forward_matches: correct implementations pass, buggy ones fail readably."""

from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

import symnet
from symnet import InvalidArgument, InvalidType, Network
from symnet import strategies as sst
from symnet.testing import assert_forward_matches

from .forward import PY_ACTIVATIONS


def plain(activation="identity"):
    """A forward pass in plain Python lists (independent of symnet)."""
    act = PY_ACTIVATIONS[activation]

    def fn(weights, biases, x):
        u = list(x)
        for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
            z = [b[k] + sum(w[k][j] * u[j] for j in range(len(u))) for k in range(len(w))]
            u = z if i == len(weights) - 1 else [act(v) for v in z]
        return u

    return fn


def numpy_mlp(weights, biases, x):
    h = x
    for w, b in zip(weights[:-1], biases[:-1], strict=True):
        h = w @ h + b
    return weights[-1] @ h + biases[-1]


@pytest.mark.parametrize("kind", ["int", "rational", "float"])
@pytest.mark.parametrize(("p", "hidden", "q"), [(1, [], 1), (3, [3], 1), (2, [3, 2], 2)])
def test_correct_plain_python_passes(kind, p, hidden, q):
    assert_forward_matches(plain(), symnet.dense(p, hidden, q), kind=kind, samples=30)


@pytest.mark.parametrize("kind", ["rational", "float"])
def test_correct_numpy_passes(kind):
    assert_forward_matches(numpy_mlp, symnet.dense(3, [4, 2], 2), kind=kind, samples=30, convert=np.array)


@pytest.mark.parametrize("activation", ["relu", "square", "leaky_relu"])
def test_non_linear_activations(activation):
    net = symnet.dense(2, [2], activation=activation)
    assert_forward_matches(plain(activation), net, samples=30)


def test_numeric_network_keeps_its_weights():
    net = Network.from_matrices([[[1, 2]], [[3]]], [[Fraction(1, 2)], [1]])
    seen = []

    def fn(weights, biases, x):
        seen.append((weights, biases))
        return plain()(weights, biases, x)

    assert_forward_matches(fn, net, samples=10)
    assert all(w == [[[1, 2]], [[3]]] and b == [[Fraction(1, 2)], [1]] for w, b in seen)


def test_missing_bias_is_caught_with_a_minimal_counterexample():
    """Forgetting the hidden layers' biases fails; the shrunk example has one non-zero bias."""

    def buggy(weights, biases, x):
        h = x
        for w, _b in zip(weights[:-1], biases[:-1], strict=True):
            h = w @ h
        return weights[-1] @ h + biases[-1]

    with pytest.raises(AssertionError) as info:
        assert_forward_matches(buggy, symnet.dense(2, [2]), convert=np.array, samples=50)
    message = str(info.value)
    assert "shrunk counterexample" in message
    assert "biases[0]  = [0, 1]" in message or "biases[0]  = [1, 0]" in message
    assert "x = [0, 0]" in message
    assert "symnet (exact): [1]" in message


def test_transposed_weights_are_caught():
    def transposed(weights, biases, x):
        swapped = [[list(col) for col in zip(*w, strict=True)] if len(w) == len(w[0]) else w for w in weights]
        return plain()(swapped, biases, x)

    with pytest.raises(AssertionError, match="differs"):
        assert_forward_matches(transposed, symnet.dense(2, [2]), samples=50)


def test_float_rounding_is_not_a_bug_but_a_real_error_is():
    """numpy float64 passes the float kind; a relative error of 1e-9 does not."""
    net = symnet.dense(3, [3, 3])
    assert_forward_matches(numpy_mlp, net, kind="float", samples=50, convert=np.array)

    def slightly_off(weights, biases, x):
        return numpy_mlp(weights, biases, x) * (1 + 1e-9)

    with pytest.raises(AssertionError, match="round-off bound"):
        assert_forward_matches(slightly_off, net, kind="float", samples=50, convert=np.array)


def test_float_results_fail_the_exact_kinds():
    def floaty(weights, biases, x):
        return [float(v) for v in plain()(weights, biases, x)]

    with pytest.raises(AssertionError):
        assert_forward_matches(floaty, symnet.dense(1, [1]), kind="rational", samples=50)


def test_exceptions_from_fn_are_reported():
    def crashes(weights, biases, x):
        if x[0] != 0:
            raise ZeroDivisionError("boom")
        return plain()(weights, biases, x)

    with pytest.raises(AssertionError, match="ZeroDivisionError"):
        assert_forward_matches(crashes, symnet.dense(1, []), samples=30)


def test_wrong_number_of_outputs():
    with pytest.raises(AssertionError, match="returned 1 values but the network has 2 outputs"):
        assert_forward_matches(lambda w, b, x: [0], symnet.dense(1, [], 2), samples=10)


@settings(max_examples=10)
@given(sst.networks(weights="exact", activation=st.sampled_from(["identity", "relu"])))
def test_works_inside_given_on_drawn_networks(net):
    act = net.activations[0].name if net.activations else "identity"
    assert_forward_matches(plain(act), net, samples=5)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"fn": 3}, InvalidType, "fn=3"),
        ({"net": "net"}, InvalidType, "net='net'"),
        ({"kind": "complex"}, InvalidArgument, "kind='complex'"),
        ({"samples": 0}, InvalidArgument, "samples=0"),
        ({"seed": -2}, InvalidArgument, "seed=-2"),
        ({"convert": 5}, InvalidType, "convert=5"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    args = {"fn": plain(), "net": symnet.dense(1, [])} | kwargs
    fn, net = args.pop("fn"), args.pop("net")
    with pytest.raises(error, match=match):
        assert_forward_matches(fn, net, **args)


def test_activation_coefficients_are_refused():
    t, a = sympy.symbols("t a")
    net = Network.from_matrices([[[1]], [[1]]], None, activation=sympy.Lambda(t, a * t))
    with pytest.raises(InvalidArgument, match="activation coefficients a"):
        assert_forward_matches(plain(), net)


def _no_hidden_biases(weights, biases, x):
    """A buggy forward pass: the hidden layers' biases are dropped."""
    u = list(x)
    for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
        last = i == len(weights) - 1
        u = [sum(w[k][j] * u[j] for j in range(len(u))) + (b[k] if last else 0) for k in range(len(w))]
    return u


def test_failure_inside_given_is_reported_shrunk():
    """Inside @given, Hypothesis reports the failure from its final run, and that report is fully shrunk.

    The smallest network with a hidden layer is 1 x [1] x 1, and the bug shows with one hidden bias 1
    and an output weight 1 (everything else 0): the network gives 1, the buggy pass 0.
    """
    runs = []

    @settings(max_examples=10, database=None, deadline=None, phases=(Phase.generate, Phase.shrink))
    @given(sst.networks(architecture=sst.architectures(max_inputs=2, min_depth=1, max_depth=1, max_width=2)))
    def check(net):
        runs.append(net)
        assert_forward_matches(_no_hidden_biases, net, samples=20)

    with pytest.raises(AssertionError) as info:
        check()
    message = str(info.value)
    assert len(runs) > 1  # Hypothesis explored (and shrank) before its final run
    assert "shrunk counterexample" in message
    assert "weights[0] = [[0]]" in message and "biases[0]  = [1]" in message
    assert "weights[1] = [[1]]" in message and "biases[1]  = [0]" in message
    assert "fn returned:    [0]" in message and "symnet (exact): [1]" in message


def test_failure_while_hypothesis_explores_is_not_shrunk(monkeypatch):
    """The runs before the final one skip the inner shrinking (same failure, cheaper)."""
    from symnet.testing import forward as forward_module

    monkeypatch.setattr(forward_module, "_outer_search_is_exploring", lambda: True)
    with pytest.raises(AssertionError) as info:
        assert_forward_matches(_no_hidden_biases, symnet.dense(3, [3]), samples=20)
    shrunk = str(info.value)
    monkeypatch.setattr(forward_module, "_outer_search_is_exploring", lambda: False)
    with pytest.raises(AssertionError) as info:
        assert_forward_matches(_no_hidden_biases, symnet.dense(3, [3]), samples=20)
    assert str(info.value) != shrunk
    assert str(info.value).count("0") > shrunk.count("0")  # the shrunk one is mostly zeros


def test_samples_counts_calls():
    calls = []

    def counting(weights, biases, x):
        calls.append(1)
        return plain()(weights, biases, x)

    assert_forward_matches(counting, symnet.dense(2, [2]), samples=77)
    assert len(calls) == 77


def test_inside_given_the_aimed_draws_are_hypothesis_events(monkeypatch):
    from symnet.testing import forward as forward_module

    events = []
    monkeypatch.setattr(forward_module, "event", events.append)

    @settings(max_examples=3, database=None, derandomize=True)
    @given(st.just(symnet.dense(2, [2], activation="relu")))
    def check(net):
        assert_forward_matches(plain("relu"), net, samples=40)

    check()
    assert "symnet.testing: some pre-activation exactly at a breakpoint" in events
    assert "symnet.testing: some pre-activation within 2**-10 of a breakpoint" in events
