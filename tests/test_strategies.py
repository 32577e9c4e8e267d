"""symnet.strategies: what each strategy draws, argument validation, docstrings, from_type via the entry point."""

import importlib.metadata
import inspect
import os
import subprocess
import sys
from fractions import Fraction

import pytest
import sympy
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import symnet
from symnet import Network
from symnet import strategies as sst

from .forward import forward
from .test_crosscheck import product_claim

t = sympy.Symbol("t")


# ------------------------------------------------------------------- drawing
@given(sst.architectures(min_inputs=2, max_inputs=3, min_depth=1, max_depth=2, max_width=3, max_outputs=2))
def test_architectures_respect_bounds(arch):
    assert 2 <= arch.inputs <= 3
    assert 1 <= len(arch.hidden) <= 2 and all(1 <= h <= 3 for h in arch.hidden)
    assert 1 <= arch.outputs <= 2
    net = symnet.dense(*arch)
    assert (net.p, net.hidden, net.q) == (arch.inputs, arch.hidden, arch.outputs)


@given(sst.activations())
def test_default_activations_are_affine(act):
    assert isinstance(act, symnet.Activation)
    poly = sympy.Poly(act.expr, act.variable)
    assert poly.degree() <= 1


@given(sst.activations(nonlinear=True, symbolic=True))
def test_all_activations_build_networks(act):
    net = Network.from_matrices([[[1]], [[1]]], None, activation=act)
    assert net.activations == (act,)


@given(sst.networks())
def test_symbolic_networks_are_dense(net):
    """Every weight and bias is its own symbol: as many parameters as entries (plus activation symbols)."""
    assert isinstance(net, Network)
    assert len(net.parameters) >= net.size()


@given(sst.networks(weights="exact", activation=st.just("identity")), st.data())
def test_exact_networks_evaluate_like_an_independent_forward_pass(net, data):
    """Exact networks: symnet's evaluate equals a plain-Fraction forward pass at drawn inputs."""
    assert net.is_numeric
    assert not any(layer.weights.has(sympy.Float) for layer in net.layers)
    x = data.draw(sst.inputs(net))
    ws = [[[Fraction(int(e.p), int(e.q)) for e in row] for row in layer.weights.tolist()] for layer in net.layers]
    bs = [[Fraction(int(e.p), int(e.q)) for e in layer.biases] for layer in net.layers]
    assert [Fraction(int(v.p), int(v.q)) for v in net.evaluate(x)] == forward(ws, bs, "identity", x)


@given(sst.networks(weights="float"))
def test_float_networks_have_float_or_zero_entries(net):
    for layer in net.layers:
        for e in (*layer.weights, *layer.biases):  # a float is stored as its binary value: a dyadic Rational
            assert e.is_Rational and (int(e.q) & (int(e.q) - 1)) == 0


@given(st.data())
def test_weights_cover_the_parameters(data):
    net = data.draw(sst.networks(architecture=sst.architectures(max_inputs=2, max_depth=1, max_width=2)))
    w = data.draw(sst.weights(net, kind="rational", min_value=-2, max_value=3, max_denominator=4))
    assert list(w) == list(net.parameters)
    assert all(-2 <= v <= 3 and Fraction(v).denominator <= 4 for v in w.values())
    x = data.draw(sst.inputs(net, kind="int", min_value=0, max_value=5))
    assert len(x) == net.p and all(isinstance(v, int) and 0 <= v <= 5 for v in x)
    assert len(net.evaluate(x, w)) == net.q


@given(st.data())
def test_crosscheck_agrees_on_drawn_linear_networks(data):
    """symnet's own cross-check over drawn identity networks and the independent product form."""
    arch = sst.architectures(max_inputs=3, max_depth=2, max_width=3)
    net = data.draw(sst.networks(architecture=arch, activation=st.just("identity")))
    assert symnet.crosscheck(net, samples=6, claim=product_claim(net)).agree


@given(sst.numbers("float", min_value=-1, max_value=1))
def test_numbers_float_are_finite_and_bounded(v):
    assert isinstance(v, float) and -1 <= v <= 1


@given(sst.numbers("rational", min_value=Fraction(1, 3), max_value=Fraction(2, 5), max_denominator=10))
def test_rationals_in_a_narrow_range_use_only_the_denominators_that_fit(v):
    """Between 1/3 and 2/5 no whole number fits; every drawn value is a Fraction in range."""
    assert isinstance(v, Fraction) and Fraction(1, 3) <= v <= Fraction(2, 5) and v.denominator <= 10


def test_rationals_shrink_to_the_simplest_value():
    """The simplest number above 5/2 is the integer 3; the simplest in (0, 1) is 1/2."""
    values = sst.numbers("rational", min_value=-10, max_value=10)
    assert find(values, lambda v: v > Fraction(5, 2)) == 3
    assert find(values, lambda v: 0 < v < 1) == Fraction(1, 2)
    assert find(sst.numbers("int"), lambda v: v < -3) == -4


SHRINK_ONLY = settings(database=None, phases=(Phase.generate, Phase.shrink))  # no explain phase: see the docs


def test_failing_network_property_shrinks_to_a_minimal_network():
    """'Some weight is not 0' is false only for all-zero networks: the minimum is 1 x [] x 1 with entries 1, 0."""
    net = find(
        sst.networks(weights="exact"),
        lambda n: any(e != 0 for layer in n.layers for e in layer.weights),
        settings=SHRINK_ONLY,
    )
    assert (net.p, net.hidden, net.q) == (1, (), 1)
    assert list(net.layers[0].weights) == [1] and list(net.layers[0].biases) == [0]


def test_from_type_draws_every_kind_of_weights():
    kinds = set()

    @settings(max_examples=30, database=None, derandomize=True)
    @given(st.from_type(Network))
    def check(net):
        assert isinstance(net, Network)
        if not net.is_numeric:
            kinds.add("symbolic")
        elif any(
            e.q >= 2**20 and (e.q & (e.q - 1)) == 0 for layer in net.layers for e in (*layer.weights, *layer.biases)
        ):
            kinds.add("float")
        else:
            kinds.add("exact")

    check()
    assert kinds == {"symbolic", "exact", "float"}


def test_symbolic_networks_are_reused_per_architecture():
    arch = st.just(sst.Architecture(2, (3,), 1))
    first = find(sst.networks(architecture=arch, activation=st.just("identity")), lambda n: True)
    again = find(sst.networks(architecture=arch, activation=st.just("identity")), lambda n: True)
    assert first is again and first == symnet.dense(2, [3])


@settings(max_examples=5)
@given(st.sampled_from(["symbolic", "exact"]).flatmap(lambda weights: sst.networks(
    weights=weights, architecture=st.just(sst.Architecture(2, (2, 2), 1)), activation=st.just(["relu", "square"])
)))
def test_one_activation_per_hidden_layer(net):
    assert [a.name for a in net.activations[:2]] == ["relu", "square"]


@pytest.mark.parametrize(("name", "examples", "derandomize"), [
    ("symnet-dev", 50, False), ("symnet-ci", 40, True), ("symnet-thorough", 1000, False),
])
def test_profiles_are_registered_on_import(name, examples, derandomize):
    profile = settings.get_profile(name)
    assert profile.max_examples == examples and profile.derandomize is derandomize
    assert profile.deadline is None and HealthCheck.too_slow in profile.suppress_health_check
    sst.register_profiles()  # idempotent
    assert settings.get_profile(name).max_examples == examples


# ---------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: sst.numbers("complex"), "kind='complex'"),
        (lambda: sst.numbers(min_value=1.5), "min_value=1.5"),
        (lambda: sst.numbers(min_value=3, max_value=1), "Cannot have max_value=1 < min_value=3"),
        (lambda: sst.numbers("int", min_value=Fraction(1, 3), max_value=Fraction(2, 3)), "no integer"),
        (lambda: sst.numbers(max_denominator=0), "max_denominator=0"),
        (lambda: sst.numbers(min_value=Fraction(1, 3), max_value=Fraction(2, 5), max_denominator=2), "no fraction"),
        (lambda: sst.architectures(max_inputs=0), "max_inputs=0"),
        (lambda: sst.architectures(min_depth=3, max_depth=1), "Cannot have max_depth=1 < min_depth=3"),
        (lambda: sst.architectures(max_width=True), "max_width=True"),
        (lambda: sst.activations(nonlinear="yes"), "nonlinear='yes'"),
        (lambda: sst.networks(weights="sym"), "weights='sym'"),
        (lambda: sst.networks(architecture=(2, [2], 1)), "architecture="),
        (lambda: sst.weights("net"), "net='net'"),
        (lambda: sst.inputs(0), "net_or_p=0"),
        (lambda: sst.weights(symnet.dense(1, []), kind="real"), "kind='real'"),
    ],
)
def test_invalid_arguments_name_the_argument(call, match):
    with pytest.raises(InvalidArgument, match=match):
        call()


# ------------------------------------------------------------------- layout
def test_public_module_only_reexports():
    """symnet.strategies lists exactly its public names, all defined in private modules."""
    public = {n for n in dir(sst) if not n.startswith("_") and n not in {"annotations"}}
    modules = {n for n in public if inspect.ismodule(getattr(sst, n))}
    assert public - modules == set(sst.__all__)
    for name in sst.__all__:
        assert getattr(sst, name).__module__.startswith("symnet.strategies._")


@pytest.mark.parametrize("name", [n for n in sst.__all__ if inspect.isfunction(getattr(sst, n))])
def test_docstrings_end_by_saying_how_examples_shrink(name):
    doc = inspect.getdoc(getattr(sst, name))
    assert doc.strip().split("\n\n")[-1].startswith("Shrinks")


# ----------------------------------------------------------------- from_type
def test_from_type_in_process():
    @given(st.from_type(Network))
    def check(net):
        assert isinstance(net, Network)

    check()


def test_from_type_after_plain_install_uses_the_entry_point():
    """A fresh interpreter: importing Hypothesis loads symnet's plugin, and from_type(Network) works."""
    try:
        importlib.metadata.distribution("symnet")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a bare source tree
        pytest.skip("symnet is not installed")
    points = importlib.metadata.entry_points(group="hypothesis")
    assert "symnet._hypothesis_plugin:_hypothesis_setup_hook" in {p.value for p in points}
    code = (
        "import sys, hypothesis\n"
        "assert 'symnet' in sys.modules, 'the plugin did not load symnet'\n"
        "from hypothesis import strategies as st\n"
        "Network = sys.modules['symnet'].Network\n"
        "net = st.from_type(Network).example()\n"
        "assert isinstance(net, Network)\n"
        "print('ok')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_NO_PLUGINS"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, cwd="/")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
