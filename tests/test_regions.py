"""regions: exact linear regions of relu-type networks, known counts, dense sampling, certificate."""

from fractions import Fraction

import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import symnet
from symnet import ActivationError, CertificateError, InvalidArgument, Network, SizeGuardError, regions

from .forward import forward

N = Network.from_matrices
small = st.integers(-3, 3)


@st.composite
def relu_nets(draw):
    p = draw(st.integers(1, 2))
    widths = draw(st.lists(st.integers(1, 3), min_size=1, max_size=2))
    sizes = [p, *widths, draw(st.integers(1, 2))]
    ws = [[[draw(small) for _ in range(sizes[i])] for _ in range(sizes[i + 1])] for i in range(len(sizes) - 1)]
    bs = [[draw(small) for _ in range(sizes[i + 1])] for i in range(len(sizes) - 1)]
    return ws, bs, draw(st.sampled_from(["relu", "leaky_relu"]))


@settings(max_examples=30)
@given(relu_nets(), st.lists(st.lists(st.fractions(-5, 5, max_denominator=7), min_size=2, max_size=2), min_size=12, max_size=12))
def test_regions_agree_with_dense_sampling(net_data, points):
    """Every sampled exact point lies in some region, and each region holding it gives the Fraction forward pass."""
    ws, bs, act = net_data
    net = N(ws, bs, activation=act)
    regs = regions(net)
    for point in points:
        x = point[: net.p]
        holders = regs.locate(x)
        assert holders, f"{x} is in no region"
        expected = forward(ws, bs, act, x)
        for r in holders:
            assert [Fraction(int(v.p), int(v.q)) for v in r.affine(x)] == expected
    for r in regs:
        # the interior point is strictly inside its own cell and strictly inside no other
        assert r.contains(r.interior_point, strict=True)
        assert sum(o.contains(r.interior_point, strict=True) for o in regs) == 1
        ip = [Fraction(int(v.p), int(v.q)) for v in r.interior_point]
        assert [Fraction(int(v.p), int(v.q)) for v in r.affine(r.interior_point)] == forward(ws, bs, act, ip)
    assert regs.check()


@given(st.lists(st.tuples(st.integers(1, 4) | st.integers(-4, -1), st.integers(-20, 20)), min_size=1, max_size=6))
def test_one_input_n_units_in_general_position(units):
    """One input, n relu units with distinct breakpoints and non-zero output weights: n + 1 regions."""
    breaks = [Fraction(-b, w) for w, b in units]
    assume(len(set(breaks)) == len(breaks))
    net = N([[[w] for w, _ in units], [[1] * len(units)]], [[b for _, b in units], [0]], activation="relu")
    assert len(regions(net)) == len(units) + 1


def test_two_inputs_two_units():
    """Two non-parallel lines cut the plane into 4 regions."""
    net = N([[[1, 2], [3, -1]], [[1, 1]]], [[0, 1], [0]], activation="relu")
    assert len(regions(net)) == 4


def test_two_inputs_three_units_general_position():
    """Three lines in general position: 7 regions (Zaslavsky: 1 + 3 + 3)."""
    net = N([[[1, 0], [0, 1], [1, 1]], [[1, 1, 1]]], [[0, 0, -1], [0]], activation="relu")
    regs = regions(net)
    assert len(regs) == 7
    assert sorted(r.pattern for r in regs) == sorted(
        tuple(int(c) for c in f"{i:03b}") for i in range(8) if i != 0b001  # off, off, on is empty
    )


@settings(max_examples=25)
@given(st.lists(st.tuples(small, small, small), min_size=3, max_size=3))
def test_two_inputs_three_units_at_most_seven(rows):
    net = N([[[a, b] for a, b, _ in rows], [[1, 1, 1]]], [[c for _, _, c in rows], [0]], activation="relu")
    assert 1 <= len(regions(net)) <= 7


def test_pattern_forms():
    """On each region, the form is the one the on/off pattern gives (hand-derived)."""
    net = N([[[1], [1]], [[1, 1]]], [[0, -1], [0]], activation="relu")
    forms = {r.pattern: (r.matrix[0, 0], r.offset[0]) for r in regions(net)}
    assert forms == {(0, 0): (0, 0), (1, 0): (1, 0), (1, 1): (2, -1)}


@pytest.mark.parametrize(
    "net, affine",
    [
        (N([[[1], [-1]], [[1, -1]]], [[0, 0], [0]], activation="relu"), True),  # relu(x) - relu(-x) = x
        (N([[[0, 0]], [[5]]], [[-1], [2]], activation="relu"), True),  # never active
        (N([[[1]], [[-1]], [[3]]], [[0], [-1], [1]], activation="relu"), True),  # second layer never active
        (N([[[1]], [[1]]], [[0], [0]], activation="relu"), False),
        (N([[[1]], [[1]]], [[0], [0]], activation="identity"), True),
    ],
)
def test_deciding_affine_on_all_of_rp(net, affine):
    regs = regions(net)
    assert regs.is_affine is affine
    if affine:
        matrix, offset = regs.affine_form
        for x in (-3, 0, Fraction(5, 2)):
            point = [x] * net.p
            assert list(matrix * sympy.Matrix(point) + offset) == list(net.evaluate(point))
        assert symnet.refute(net) is None
    else:
        assert regs.affine_form is None
        assert symnet.refute(net).check()


def test_contains_is_closed_and_exact():
    regs = regions(N([[[1]], [[1]]], [[0], [0]], activation="relu"))
    assert [len(regs.locate([v])) for v in (-1, 0, 1)] == [1, 2, 1]
    with pytest.raises(InvalidArgument):
        regs[0].contains([sympy.sqrt(2)])
    with pytest.raises(symnet.ShapeError):
        regs[0].contains([1, 2])


def test_text_is_deterministic():
    net = N([[[1, 2], [3, -1]], [[1, 1]]], [[0, 1], [0]], activation="relu")
    assert regions(net).to_text() == regions(net).to_text()
    assert "4 linear region(s)" in regions(net).to_text()


# ------------------------------------------------------------------ certificate
def _regs():
    return regions(N([[[1, 0], [0, 1], [1, 1]], [[1, 1, 1]]], [[0, 0, -1], [0]], activation="relu"))


def test_tampered_region_is_rejected():
    regs = _regs()
    r = regs[1]
    bad = type(r)(r.pattern, r.matrix + sympy.ImmutableMatrix([[1, 0]]), r.offset, r.inequalities, r.interior_point)
    regs._regions = (regs[0], bad, *regs[2:])
    with pytest.raises(CertificateError):
        regs.check()


def test_dropped_region_is_rejected():
    regs = _regs()
    regs._regions = regs._regions[:-1]
    with pytest.raises(CertificateError):
        regs.check()


def test_tampered_multipliers_are_rejected():
    regs = regions(N([[[1], [1]], [[1, 1]]], [[0, -1], [0]], activation="relu"))

    def find(node):
        if "implied" in node:
            return node
        for child in node.get("split", []):
            hit = find(child)
            if hit:
                return hit
        return None

    node = find(regs.tree)
    assert node is not None
    node["multipliers"] = [m + 1 for m in node["multipliers"]]
    with pytest.raises(CertificateError):
        regs.check()


def test_moved_interior_point_is_rejected():
    regs = _regs()
    r = regs[0]
    outside = tuple(-v + 100 for v in r.interior_point)
    regs._regions = (type(r)(r.pattern, r.matrix, r.offset, r.inequalities, outside), *regs[1:])
    with pytest.raises(CertificateError):
        regs.check()


# ------------------------------------------------------------------ bad input
def test_float_weights_are_refused():
    with pytest.raises(InvalidArgument, match="exact rational"):
        regions(N([[[0.5]], [[1]]], [[0], [0]], activation="relu"))


def test_nan_weights_are_refused():
    with pytest.raises(InvalidArgument):
        regions(N([[[float("nan")]], [[1]]], [[0], [0]], activation="relu"))


def test_symbolic_weights_are_refused():
    with pytest.raises(InvalidArgument, match="numeric"):
        regions(symnet.dense(1, [1], activation="relu"))


def test_other_activations_are_refused():
    with pytest.raises(ActivationError):
        regions(N([[[1]], [[1]]], [[0], [0]], activation="tanh"))


def test_size_guard_on_units():
    width = symnet.regions_module.MAX_REGION_UNITS + 1 if hasattr(symnet, "regions_module") else 25
    net = N([[[1]] * width, [[1] * width]], [[0] * width, [0]], activation="relu")
    with pytest.raises(SizeGuardError) as info:
        regions(net)
    assert info.value.estimate == width


def test_not_a_network():
    with pytest.raises(symnet.InvalidType):
        regions([[1]])
