"""The well-formedness gate (symnet.kernel.gate), against oracles outside the kernel.

* floats: the exact value of a binary float is computed here from its
  mantissa and exponent with fractions.Fraction;
* polynomials: python-flint results are compared with sympy's own
  expansion at small sizes (sympy.expand + Poly on trusted, Float-free input);
* the cost model: its degree and term estimates must bound what sympy's
  expansion actually gives.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symnet import CertificateError
from symnet.cost import estimate_cost
from symnet.kernel.gate import MAX_ACTIVATION_DEGREE, IllFormed, gate_activation, gate_network
from symnet.kernel.ring import MAX_BITS, Exact, exact
from symnet.model.activations import Activation, activation
from symnet.model.network import Network
from tests.budget import examples

a, b, c, t = sympy.symbols("a b c t")
SYMS = (a, b, c)


def float_value(f: sympy.Float) -> Fraction:
    sign, man, exp, _ = f._mpf_
    v = Fraction(int(man)) * (Fraction(2) ** int(exp))
    return -v if sign else v


@st.composite
def polys(draw, depth: int = 3):
    """Small Float-free polynomial expressions in a, b, c over the rationals, as sympy DAGs."""
    if depth == 0 or draw(st.booleans()):
        return (
            draw(st.sampled_from(SYMS))
            if draw(st.booleans())
            else sympy.Rational(draw(st.integers(-5, 5)), draw(st.integers(1, 4)))
        )
    op = draw(st.sampled_from(["add", "mul", "pow"]))
    x = draw(polys(depth - 1))
    if op == "pow":
        return x ** draw(st.integers(0, 3))
    y = draw(polys(depth - 1))
    return x + y if op == "add" else x * y


@settings(max_examples=examples(60), deadline=None)
@given(polys())
def test_flint_polynomial_equals_sympy_expansion(e):
    ring = Exact(list(SYMS))
    got = ring.show(ring.poly(exact(e), "e"))
    assert sympy.expand(got - e) == 0


@settings(max_examples=examples(60), deadline=None)
@given(polys())
def test_cost_model_bounds_the_expansion(e):
    cost = estimate_cost(e)
    degree, terms, polynomial = cost.degree, cost.terms, cost.polynomial
    assert polynomial
    expanded = sympy.Poly(sympy.expand(e), *SYMS)
    if not expanded.is_zero:
        assert expanded.total_degree() <= degree
    assert len(expanded.terms()) <= max(terms, 1)


@settings(max_examples=examples(60), deadline=None)
@given(st.integers(1, 2**300), st.integers(-400, 400), st.sampled_from([53, 113, 300, 1000]))
def test_floats_are_read_at_their_exact_binary_value(m, e, prec):
    f = sympy.Float(sympy.Integer(m) * sympy.Rational(2) ** e, max(prec, m.bit_length()))
    got = exact(f * a)
    coeff = got.as_coeff_Mul()[0]
    assert Fraction(int(coeff.p), int(coeff.q)) == float_value(f)


def test_a_float_above_53_bits_is_not_rounded_by_the_gate():
    f = sympy.Float(sympy.Rational(1, 2) + sympy.Rational(1, 2**200), 300)
    ring = Exact([a])
    poly = ring.poly(exact(f * a), "e")
    assert poly != ring.poly(sympy.Rational(1, 2) * a, "e")


@pytest.mark.parametrize("bad", [sympy.nan, sympy.zoo, sympy.oo, -sympy.oo, sympy.I, sympy.Float("nan"), a * sympy.zoo])
def test_non_finite_and_non_real_refused(bad):
    with pytest.raises(IllFormed):
        exact(bad)


@pytest.mark.parametrize("bad", [sympy.Integral(a, a), sympy.Function("f")(a), sympy.Piecewise((a, a > 0), (0, True))])
def test_unknown_heads_refused(bad):
    with pytest.raises(IllFormed, match="not allowed"):
        exact(bad)


def test_non_commutative_refused():
    A = sympy.Symbol("A", commutative=False)
    with pytest.raises(IllFormed, match="commutative"):
        exact(A)
    with pytest.raises(IllFormed, match="commutative"):
        exact(A * a + 1)


def test_undeclared_symbol_refused():
    with pytest.raises(IllFormed, match="not declared"):
        Exact([a]).poly(a + b, "e")


def test_non_polynomial_refused():
    for e in (1 / a, sympy.sqrt(a), sympy.Max(a, 0), sympy.exp(a)):
        with pytest.raises(IllFormed, match="not a polynomial"):
            Exact([a]).poly(exact(e), "e")


def test_activation_variable_is_a_fresh_dummy():
    form = gate_activation(activation(sympy.Lambda(t, t**2 + a * t)), (), "act")
    assert isinstance(form.variable, sympy.Dummy) and t not in form.body.free_symbols
    assert form.coeffs == (0, a, 1) and form.degree == 2


def test_activation_degree_limit():
    with pytest.raises(IllFormed, match="degree"):
        gate_activation(activation(sympy.Lambda(t, t ** (MAX_ACTIVATION_DEGREE + 1))), (), "act")


@pytest.mark.parametrize("name", ["identity", "relu", "leaky_relu", "tanh", "sigmoid", "softplus", "square", "cube"])
def test_registered_names_match_their_formulas(name):
    act = activation(name)
    assert gate_activation(act, (), "act").name == name
    other = "square" if name != "square" else "cube"
    with pytest.raises(IllFormed, match="named"):
        gate_activation(Activation(name, activation(other).function), (), "act")


def test_non_polynomial_activation_with_parameters_refused():
    with pytest.raises(IllFormed, match="non-polynomial"):
        gate_activation(activation(sympy.Lambda(t, sympy.Max(a * t, t))), (), "act")


def test_gate_network_declares_parameters_in_order():
    net = Network.from_matrices([[[b, a]], [[c]]], None, sympy.Lambda(t, 2 * t))
    form = gate_network(net)
    assert form.parameters == (b, a, c)
    assert form.activations[0].slope_intercept() == (2, 0)


def test_gate_network_refuses_non_networks():
    with pytest.raises(CertificateError):
        gate_network("not a network")


@pytest.mark.parametrize("spec", ["dense-3-10-10", "affine-2", "square", "rational"])
def test_engine_claims_are_canonical_sympy(spec):
    """The engine builds W* and b* directly in sympy's canonical form: the same objects sympy's own
    Add/Mul constructors give (so structural comparisons with user expressions hold)."""
    import symnet
    from symnet.search.engine import _Expander

    net = {
        "dense-3-10-10": lambda: symnet.dense(3, [10, 10]),
        "affine-2": lambda: symnet.dense(2, [3], outputs=2, activation=sympy.Lambda(t, 2 * t + 1)),
        "square": lambda: symnet.dense(2, [2], activation="square"),
        "rational": lambda: Network.from_matrices([[[1, 2], [3, -4]], [[sympy.Rational(1, 3), 5]]], [[1, 2], [0]]),
    }[spec]()
    ex = _Expander(net)
    for o in ex.output():
        terms = []
        for monom, coeff in o.terms():
            f = sympy.Rational(int(coeff.p), int(coeff.q))
            for g, k in zip(ex.gens, monom[: len(ex.gens)], strict=True):
                f = f * g ** int(k)  # an fmpz exponent is no integer to sympy under python ground types
            terms.append(f)
        assert sympy.srepr(ex.as_expr(o)) == sympy.srepr(sympy.Add(*terms))


# ----------------------------------------------- many plain symbols: the C-level passes of gate_network
def _hostile(net: Network, layer: int, where: str, position: int, entry: sympy.Basic) -> Network:
    """``net`` with one weight (or bias) entry of ``layer`` replaced, bypassing the model's own validation."""
    old = net.layers[layer]
    matrix = old.weights if where == "weights" else old.biases
    flat = list(matrix)
    flat[position % len(flat)] = entry
    new = object.__new__(type(old))
    for field in ("stored_weights", "stored_biases", "activation"):  # the fields the kernel reads
        object.__setattr__(new, field, getattr(old, field))
    object.__setattr__(new, f"stored_{where}", sympy.ImmutableMatrix(matrix.rows, matrix.cols, flat))
    hostile = object.__new__(type(net))
    object.__setattr__(hostile, "inputs", net.inputs)
    object.__setattr__(hostile, "layers", net.layers[:layer] + (new,) + net.layers[layer + 1 :])
    return hostile


def test_gate_network_reads_a_layer_of_plain_symbols_as_it_is():
    import symnet

    net = symnet.dense(100, [100])
    form = gate_network(net)
    for layer, W, b in zip(net.layers, form.weights, form.biases, strict=True):
        assert [list(layer.weights.row(k)) for k in range(layer.weights.rows)] == W
        assert list(layer.biases) == b
    assert set(form.parameters) == set(net.parameters) and len(form.parameters) == len(net.parameters)


@pytest.fixture(scope="module")
def dense_100() -> Network:
    """``symnet.dense(100, [100, 100])``, built once: _hostile and _generated copy the layer they change."""
    import symnet

    return symnet.dense(100, [100, 100])


HIDDEN = [
    ("non-commutative", lambda x: sympy.Symbol("w_hidden", commutative=False), "commutative"),
    ("an input", lambda x: x, "input"),
    ("an input's name, other assumptions", lambda x: sympy.Symbol(x.name, positive=True), "input"),
    ("an input times a symbol", lambda x: 3 * x * sympy.Symbol("w_hidden"), "input"),
    ("NaN", lambda x: sympy.nan, "finite"),
    ("a number too big to compose", lambda x: sympy.Integer(2) ** (MAX_BITS + 1), "bits"),
    ("the imaginary unit", lambda x: sympy.I, "real"),
    ("a function", lambda x: sympy.sin(sympy.Symbol("w_hidden")), "polynomial"),
]


@pytest.mark.parametrize(("kind", "make", "message"), HIDDEN, ids=[h[0] for h in HIDDEN])
@pytest.mark.parametrize("where", ["weights", "biases"])
@pytest.mark.parametrize("position", [0, 4321, 9999])
def test_one_bad_entry_among_ten_thousand_plain_symbols_is_refused(kind, make, message, where, position, dense_100):
    net = dense_100  # layer 2: 10,000 weight symbols, 100 bias symbols
    hostile = _hostile(net, 1, where, position, make(net.inputs[position % 100]))
    with pytest.raises(IllFormed, match=message):
        gate_network(hostile)


def test_a_certificate_over_a_hostile_network_is_refused_by_the_kernel():
    import dataclasses

    import symnet
    from symnet.kernel import check

    net = symnet.dense(100, [100])
    cert = symnet.prove(net).certificate
    assert check(cert)
    for _, make, _ in HIDDEN:
        hostile = _hostile(net, 0, "weights", 5555, make(net.inputs[7]))
        with pytest.raises(CertificateError):
            check(dataclasses.replace(cert, network=hostile))


# ------------------------------------- layers symnet.dense generates: known to the gate by construction
def _generated(net: Network, layer: int, where: str, position: int, entry: sympy.Basic) -> Network:
    """Like _hostile, but the new matrix is made and recorded as the builders make theirs."""
    from symnet.model.symbol_matrix import symbol_matrix
    from symnet.model.symbols import recorded

    hostile = _hostile(net, layer, where, position, entry)
    old = hostile.layers[layer]
    matrix = getattr(old, f"stored_{where}")
    object.__setattr__(old, f"stored_{where}", recorded(symbol_matrix(list(matrix), matrix.rows, matrix.cols)))
    return hostile


def test_dense_layers_are_recorded_and_nothing_else_is():
    import symnet
    from symnet.model.symbol_matrix import symbol_matrix
    from symnet.model.symbols import generated_heads

    net = symnet.dense(3, [4, 5])
    assert [generated_heads(layer.weights) for layer in net.layers] == [frozenset("b")] * 2 + [frozenset("c")]
    assert all(generated_heads(layer.biases) is not None for layer in net.layers)
    W = net.layers[0].weights
    assert generated_heads(symbol_matrix(list(W), W.rows, W.cols)) is None  # the same symbols, another matrix
    assert generated_heads(sympy.ImmutableMatrix(W.rows, W.cols, list(W))) is None
    assert generated_heads(list(W)) is None


@pytest.mark.parametrize(("kind", "make", "message"), HIDDEN, ids=[h[0] for h in HIDDEN])
@pytest.mark.parametrize("position", [0, 4321, 9999])
def test_a_bad_entry_in_a_generated_matrix_is_refused(kind, make, message, position, dense_100):
    from symnet.model.symbols import generated_heads

    net = dense_100
    hostile = _generated(net, 1, "weights", position, make(net.inputs[position % 100]))
    heads = generated_heads(hostile.layers[1].weights)
    assert heads is None or "x" in heads  # not recorded, or recorded with a name that starts as an input's
    with pytest.raises(IllFormed, match=message):
        gate_network(hostile)


def _sharing(names: list[str], **assumptions: bool) -> list[sympy.Symbol]:
    """Symbols that share one assumptions record, as plain_symbols makes them, with these assumptions."""
    from sympy.core.expr import Expr

    template = sympy.Symbol.__xnew__(sympy.Symbol, "template", **assumptions)
    out = []
    for name in names:
        s = Expr.__new__(sympy.Symbol)
        s.name = name
        s._assumptions, s._assumptions_orig = template._assumptions, template._assumptions_orig
        s._assumptions0 = template._assumptions0
        out.append(s)
    return out


def test_non_commutative_symbols_sharing_one_record_are_not_recorded():
    import symnet
    from symnet.model.symbol_matrix import symbol_matrix
    from symnet.model.symbols import generated_heads, recorded

    net = symnet.dense(100, [100, 100])
    W = net.layers[1].weights
    shared = _sharing([f"w_{k}" for k in range(W.rows * W.cols)], commutative=False)
    nc = recorded(symbol_matrix(shared, W.rows, W.cols))
    assert generated_heads(nc) is None
    hostile = _hostile(net, 1, "weights", 0, sympy.Symbol("w_0"))
    object.__setattr__(hostile.layers[1], "stored_weights", nc)
    with pytest.raises(IllFormed, match="commutative"):
        gate_network(hostile)


def test_an_input_made_with_the_weights_is_caught_by_its_name():
    """Inputs and weights from one plain_symbols call share a record: the matrix is recorded, but its names
    start as an input's does, so the gate reads every entry and finds the input."""
    import symnet
    from symnet.model.plain import plain_symbols
    from symnet.model.symbol_matrix import symbol_matrix
    from symnet.model.symbols import generated_heads, recorded

    net = symnet.dense(100, [100, 100])
    W = net.layers[1].weights
    made = plain_symbols([f"x_{k + 1}" for k in range(100)] + [f"w_{k}" for k in range(W.rows * W.cols)])
    inputs, weights = made[:100], made[100:]
    weights[4321] = inputs[21]
    m = recorded(symbol_matrix(weights, W.rows, W.cols))
    assert generated_heads(m) == frozenset("wx")
    hostile = _hostile(net, 1, "weights", 0, sympy.Symbol("w_0"))
    object.__setattr__(hostile, "inputs", tuple(inputs))
    object.__setattr__(hostile.layers[1], "stored_weights", m)
    with pytest.raises(IllFormed, match="input"):
        gate_network(hostile)


def test_a_tampered_identity_factor_is_refused_where_it_differs():
    import dataclasses

    import symnet
    from symnet.kernel import check
    from symnet.model.symbol_matrix import symbol_matrix

    net = symnet.dense(30, [30, 30, 30])
    cert = symnet.prove(net).certificate
    assert cert.claim.form == "product" and check(cert)
    step = cert.steps[2]
    flat = list(step.matrix.flat())
    for position, entry in [(0, sympy.Integer(2)), (5, sympy.Integer(1)), (31 * 7 + 3, sympy.Symbol("w")), (31 * 9, a)]:
        changed = flat.copy()
        changed[position] = entry
        tampered = dataclasses.replace(step, matrix=symbol_matrix(changed, step.matrix.rows, step.matrix.cols))
        steps = cert.steps[:2] + (tampered,) + cert.steps[3:]
        with pytest.raises(CertificateError, match="entry"):
            check(dataclasses.replace(cert, steps=steps))


def test_a_factor_with_fewer_entries_than_its_shape_is_refused():
    import dataclasses

    import symnet
    from symnet.kernel import check
    from symnet.model.symbol_matrix import symbol_matrix

    net = symnet.dense(3, [3, 3])
    cert = symnet.prove(net, expand=False).certificate
    step = cert.steps[1]
    short = symbol_matrix(list(step.matrix.flat())[:-1], step.matrix.rows, step.matrix.cols)
    steps = cert.steps[:1] + (dataclasses.replace(step, matrix=short),) + cert.steps[2:]
    with pytest.raises(CertificateError, match="entries"):
        check(dataclasses.replace(cert, steps=steps))


def test_an_identity_step_stating_no_matrix_is_refused():
    import dataclasses

    import symnet
    from symnet.kernel import check

    cert = symnet.prove(symnet.dense(3, [3, 3]), expand=False).certificate
    for matrix in (None, sympy.ImmutableMatrix([[1]]), sympy.ImmutableMatrix.zeros(4, 4)):
        steps = cert.steps[:1] + (dataclasses.replace(cert.steps[1], matrix=matrix),) + cert.steps[2:]
        with pytest.raises(CertificateError):
            check(dataclasses.replace(cert, steps=steps))


@pytest.mark.parametrize(
    ("attribute", "value", "message"),
    [
        ("layers", (), "at least one layer"),
        ("layers", (1,), "not a symnet Layer"),
        ("layers", ("weights",), "not a symnet Layer"),
        ("inputs", (), "at least one input"),
        ("inputs", (1, 2), "not a commutative symbol"),
        ("inputs", (sympy.Symbol("x_1"), sympy.Symbol("x_1")), "repeated"),
        ("inputs", (sympy.Symbol("x_1"), sympy.Symbol("x_1", positive=True)), "distinct names"),
    ],
)
def test_a_network_changed_after_it_was_made_is_refused_by_its_structure(attribute, value, message):
    """NetworkData checks its structure when made; object.__setattr__ changes it afterwards, and the gate refuses
    what the constructor would have (an empty network once reached a checker and raised IndexError)."""
    import dataclasses

    import symnet
    from symnet.kernel import check
    from symnet.model.core import NetworkData

    numeric = symnet.Network.from_matrices([[[1, 2], [3, 4]], [[5, 6]]], [[0, 1], [2]])
    for net in (symnet.dense(2, [2]), numeric):  # the numeric route reads the layers before the gate does
        cert = symnet.prove(net).certificate
        changed = NetworkData(net.inputs, net.layers)
        object.__setattr__(changed, attribute, value)
        with pytest.raises(IllFormed, match=message):
            gate_network(changed)
        with pytest.raises(CertificateError):
            check(dataclasses.replace(cert, network=changed))
