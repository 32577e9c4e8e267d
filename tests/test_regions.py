"""regions: exact linear regions of relu-type networks, known counts, dense sampling, certificate."""

from fractions import Fraction

import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import symnet
from symnet import ActivationError, CertificateError, InvalidArgument, Network, SizeGuardError, regions
from tests.budget import examples

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


@settings(max_examples=examples(30))
@given(
    relu_nets(),
    st.lists(st.lists(st.fractions(-5, 5, max_denominator=7), min_size=2, max_size=2), min_size=12, max_size=12),
)
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


@settings(max_examples=examples(25))
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


# ------------------------------------------------------------------ domains and counts
def _general_lines(draw_rows):
    """True when no two lines are parallel and no three meet in one point."""
    from itertools import combinations

    for (a1, b1, _), (a2, b2, _) in combinations(draw_rows, 2):
        if a1 * b2 - a2 * b1 == 0:
            return False
    for r1, r2, r3 in combinations(draw_rows, 3):
        det = sympy.Matrix([list(r) for r in (r1, r2, r3)]).det()
        if det == 0:
            return False
    return True


@settings(max_examples=examples(15))
@given(st.lists(st.tuples(st.integers(-4, 4), st.integers(-4, 4), st.integers(-6, 6)), min_size=1, max_size=6))
def test_zaslavsky_count_in_a_large_box(rows):
    """n lines in general position: 1 + n + C(n, 2) regions inside a box holding every crossing."""
    assume(all(a or b for a, b, _ in rows) and _general_lines(rows))
    # crossings of lines with integer coefficients in [-4, 4] and offsets in [-6, 6] lie within |x| <= 6 * 8 / 1
    net = N([[[a, b] for a, b, _ in rows], [[1] * len(rows)]], [[c for _, _, c in rows], [0]], activation="relu")
    n = len(rows)
    regs = regions(net, box=[(-100, 100), (-100, 100)])
    assert len(regs) == 1 + n + n * (n - 1) // 2
    assert len(regions(net)) == 1 + n + n * (n - 1) // 2  # all of R^2: the same count
    assert regs.check()


def _euler_count(rows, lo, hi):
    """Regions of lines (a, b, c): a x + b y + c = 0 in the open box (lo, hi)^2, by Euler: 1 + lines + crossings.

    Independent float-free geometry (general position assumed): a line counts when it meets the open
    box, a crossing when it lies strictly inside.
    """
    from itertools import combinations

    lines = 0
    for a, b, c in rows:
        values = [a * x + b * y + c for x in (lo, hi) for y in (lo, hi)]
        if min(values) < 0 < max(values):
            lines += 1
    crossings = 0
    for (a1, b1, c1), (a2, b2, c2) in combinations(rows, 2):
        det = Fraction(a1 * b2 - a2 * b1)
        x, y = (b1 * c2 - b2 * c1) / det, (a2 * c1 - a1 * c2) / det
        if lo < x < hi and lo < y < hi:
            crossings += 1
    return 1 + lines + crossings


@settings(max_examples=examples(15))
@given(st.lists(st.tuples(st.integers(-4, 4), st.integers(-4, 4), st.integers(-6, 6)), min_size=1, max_size=6))
def test_counts_in_a_small_box_agree_with_euler(rows):
    """Inside [-1, 1]^2 the count is 1 + (lines meeting the box) + (crossings inside it)."""
    assume(all(a or b for a, b, _ in rows) and _general_lines(rows))
    for a, b, c in rows:  # no line through a corner, no crossing on the boundary (general position w.r.t. the box)
        assume(all(a * x + b * y + c != 0 for x in (-1, 1) for y in (-1, 1)))
    net = N([[[a, b] for a, b, _ in rows], [[1] * len(rows)]], [[c for _, _, c in rows], [0]], activation="relu")
    assert len(regions(net, box=[(-1, 1), (-1, 1)])) == _euler_count(rows, -1, 1)


def _float_tree_count(net, box):
    """Independent float enumeration: split unit by unit, keep a side when scipy's LP finds a ball in it."""
    np = pytest.importorskip("numpy")
    linprog = pytest.importorskip("scipy.optimize").linprog
    layers = [
        (np.array(layer.weights.tolist(), dtype=float), np.array(list(layer.biases), dtype=float))
        for layer in net.layers[:-1]
    ]
    units = [(l, k) for l, (W, _) in enumerate(layers) for k in range(W.shape[0])]
    p = net.p

    def form(pattern, upto):
        M, c = np.eye(p), np.zeros(p)
        for l in range(upto + 1):
            W, b = layers[l]
            M, c = W @ M, W @ c + b
            if l == upto:
                return M, c
            mask = np.array([pattern[(l, k)] for k in range(W.shape[0])], dtype=float)
            M, c = M * mask[:, None], c * mask

    def full(rows):
        A = np.array([np.append(-a / max(np.linalg.norm(a), 1e-300), 1.0) for a, _ in rows])
        rhs = np.array([b / max(np.linalg.norm(a), 1e-300) for a, b in rows])
        res = linprog(np.append(np.zeros(p), -1.0), A_ub=A, b_ub=rhs, bounds=list(box) + [(None, 1.0)], method="highs")
        return res.status == 0 and -res.fun > 1e-7

    def walk(depth, pattern, rows):
        if depth == len(units):
            return 1
        l, k = units[depth]
        M, c = form(pattern, l)
        total = 0
        for side, s in ((0, -1.0), (1, 1.0)):
            child = rows + [(s * M[k], s * c[k])]
            if full(child):
                total += walk(depth + 1, {**pattern, (l, k): side}, child)
        return total

    return walk(0, {}, [])


@pytest.mark.parametrize("p, hidden, seed", [(2, [6], 0), (2, [4, 4], 1), (3, [4, 3], 2)])
def test_counts_agree_with_an_independent_float_enumeration(p, hidden, seed):
    """Random float32 networks: the exact count equals a float LP tree search's count in [-1, 1]^p."""
    np = pytest.importorskip("numpy")
    rng = np.random.default_rng(seed)
    sizes = [p, *hidden, 1]
    ws = [
        rng.standard_normal((sizes[i + 1], sizes[i])).astype(np.float32).astype(float).tolist()
        for i in range(len(sizes) - 1)
    ]
    bs = [rng.standard_normal(sizes[i + 1]).astype(np.float32).astype(float).tolist() for i in range(len(sizes) - 1)]
    net = N(ws, bs, activation="relu")
    regs = regions(net, box=[(-1, 1)] * p)
    assert len(regs) == _float_tree_count(net, [(-1.0, 1.0)] * p)
    assert regs.check()


def test_float_weights_are_read_exactly():
    """A float weight is its binary value: 0.1 * x has the exact slope 3602879701896397/2^55."""
    regs = regions(N([[[0.1]], [[1]]], [[0], [0]], activation="relu"))
    slopes = sorted(r.matrix[0, 0] for r in regs)
    assert slopes == [0, sympy.Rational(3602879701896397, 2**55)]


def test_box_and_polytope_domains():
    """relu(x - 1) on [-1, 1] is one region; on the triangle x >= 0, y >= 0, x + y <= 4 the lines cut it in three."""
    assert len(regions(N([[[1]], [[1]]], [[-1], [0]], activation="relu"), box=[(-1, 1)])) == 1
    net = N([[[1, 0], [0, 1]], [[1, 1]]], [[-1, -1], [0]], activation="relu")
    tri = regions(net, polytope=([[-1, 0], [0, -1], [1, 1]], [0, 0, 4]))
    assert len(tri) == 4  # x = 1 and y = 1 cross inside the triangle
    assert tri.check()
    for r in tri:
        x, y = r.interior_point
        assert x > 0 and y > 0 and x + y < 4


def test_leaky_relu_and_abs():
    """leaky_relu and Abs are kinks too; |x| on R has the two forms -x and x."""
    t = sympy.Symbol("t")
    regs = regions(N([[[1]], [[1]]], [[0], [0]], activation=sympy.Lambda(t, sympy.Abs(t))))
    assert sorted(r.matrix[0, 0] for r in regs) == [-1, 1]
    assert regs.check()
    leaky = regions(N([[[1, 1]], [[1]]], [[0], [0]], activation="leaky_relu"))
    assert sorted(r.matrix[0, 0] for r in leaky) == [sympy.Rational(1, 100), 1]


def test_json_round_trip_is_deterministic():
    regs = _regs()
    text = regs.to_json()
    assert text == _regs().to_json()
    again = symnet.Regions.from_json(text)
    assert again.to_json() == text
    assert again.check()
    assert [r.pattern for r in again] == [r.pattern for r in regs]


def test_progress_is_reported():
    seen = []
    net = N([[[1, 0], [0, 1], [1, 1]], [[1, 1, 1]]], [[0, 0, -1], [0]], activation="relu")
    regions(net, progress=lambda a, b: seen.append((a, b)))
    assert seen and seen[-1][0] == 7 and seen[-1][1] >= 7


# ------------------------------------------------------------------ proofs for affine networks
def test_decide_returns_a_checked_proof_for_a_globally_affine_relu_network():
    """relu(x) - relu(-x) + relu(y - 5) * 0 ... = x: decide gives a PiecewiseProof the kernel checks."""
    net = N([[[1, 0], [-1, 0], [0, 1]], [[2, -2, 0]]], [[0, 0, -5], [3]], activation="relu")
    proof = symnet.decide(net)
    assert isinstance(proof, symnet.Proof)
    assert proof.matrix == sympy.Matrix([[2, 0]]) and proof.offset == sympy.Matrix([3])
    assert proof.check()
    from symnet import certificate, kernel

    assert certificate.read(proof.to_json()).kind == "regions" and kernel.check(proof.to_json())
    assert proof.to_text().startswith("Claim: y = 3 + 2*x_1")
    assert symnet.prove(net).check()


def test_decide_still_refutes_a_non_affine_relu_network():
    net = N([[[1]], [[1]]], [[0], [0]], activation="relu")
    ce = symnet.decide(net)
    assert isinstance(ce, symnet.Counterexample) and ce.check()


# ------------------------------------------------------------------ certificate
def _regs():
    return regions(N([[[1, 0], [0, 1], [1, 1]], [[1, 1, 1]]], [[0, 0, -1], [0]], activation="relu"))


def test_check_rejects_a_wrong_form_in_the_object():
    regs = _regs()
    regs[1]._out = [[regs[1]._out[0][0] + 1] + regs[1]._out[0][1:]]
    with pytest.raises(CertificateError, match="region_form"):
        regs.check()


def test_check_rejects_a_dropped_region_in_the_object():
    regs = _regs()
    keep = [r for r in regs if r.pattern != (1, 1, 1)]

    def repoint(nb):
        """The neighbour index in the shorter list; None for the one across to (1,1,1) (it is lost)."""
        if nb is None or regs[nb].pattern == (1, 1, 1):
            return None
        return keep.index(regs[nb])

    for r in keep:  # re-point every neighbour index into the shorter list
        r.facets = [(i, repoint(nb), w) for i, nb, w in r.facets]
    regs._regions = tuple(keep)
    with pytest.raises(CertificateError):
        regs.check()


# ------------------------------------------------------------------ bad input
def test_nan_weights_are_refused():
    with pytest.raises(InvalidArgument):
        regions(N([[[float("nan")]], [[1]]], [[0], [0]], activation="relu"))


def test_symbolic_weights_are_refused():
    with pytest.raises(InvalidArgument, match="numeric"):
        regions(symnet.dense(1, [1], activation="relu"))


def test_other_activations_are_refused():
    with pytest.raises(ActivationError):
        regions(N([[[1]], [[1]]], [[0], [0]], activation="tanh"))


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"box": [(0, 1)]}, symnet.ShapeError),
        ({"box": [(1, 1), (0, 1)]}, InvalidArgument),
        ({"box": [(0, 1), (0, "a")]}, InvalidArgument),
        ({"box": [(0, 1), (0, 1)], "polytope": ([[1, 0]], [1])}, InvalidArgument),
        ({"polytope": ([[1, 0], [-1, 0]], [0, -1])}, InvalidArgument),  # empty
        ({"max_regions": 0}, InvalidArgument),
    ],
)
def test_bad_domains_are_refused(kwargs, error):
    net = N([[[1, 2]], [[1]]], [[0], [0]], activation="relu")
    with pytest.raises(error):
        regions(net, **kwargs)


def test_size_guards():
    from symnet.search.regions import MAX_REGION_UNITS

    width = MAX_REGION_UNITS + 1
    net = N([[[1]] * width, [[1] * width]], [[0] * width, [0]], activation="relu")
    with pytest.raises(SizeGuardError) as info:
        regions(net)
    assert info.value.estimate == width
    net = N([[[1]] * 5, [[1] * 5]], [[k] for k in range(5)] and [list(range(5)), [0]], activation="relu")
    with pytest.raises(SizeGuardError):
        regions(net, max_regions=3)


def test_not_a_network():
    with pytest.raises(symnet.InvalidType):
        regions([[1]])


# ------------------------------------------------------------------ renderings
def test_size_rule_and_long_rationals():
    """Past 12 regions the rest are counted; float32-length rationals are shown as decimals marked ≈."""
    net = N([[[1], [1], [1], [1], [1], [1], [1], [1], [1], [1], [1], [1], [1], [1]], [[0.1] * 14]],
            [[-k for k in range(14)], [0]], activation="relu")
    regs = regions(net)
    assert len(regs) == 15
    text = regs.to_text()
    assert text.count("\n  region ") == 12 and "... and 3 more region(s)" in text
    # 0.1 is 3602879701896397/36028797018963968: rounded to 6 digits once, the form marked ≈ (not each term)
    assert "y ≈ 0.100000*x_1" in text and "≈0.1" not in text and text.count("rounded to 6 significant digits") == 1
    assert r"\approx" in regs.to_latex() and "more region(s)" in regs.to_markdown()
    assert regs.to_latex(document=True).startswith("\\documentclass")


def test_plot_needs_two_inputs(tmp_path):
    pytest.importorskip("matplotlib")
    with pytest.raises(InvalidArgument):
        regions(N([[[1]], [[1]]], [[0], [0]], activation="relu")).plot()
    fig = _regs().plot(str(tmp_path / "r.pdf"), window=[(-2, 2), (-2, 2)])
    assert (tmp_path / "r.pdf").read_bytes()[:4] == b"%PDF" and fig is not None


# ------------------------------------------- the float shortcuts of the search change no document
def _documents(net, box, *, shortcuts):
    """(regions JSON, bound JSON) with the float / domain shortcuts of the search on or off."""
    from symnet.search import _polyhedra
    from symnet.search.regions import _Search

    with pytest.MonkeyPatch.context() as mp:
        if shortcuts:
            mp.setattr(_polyhedra, "FLOAT_MIN_PRODUCTS", 0)  # floats for every minimisation
        else:
            mp.setattr(_polyhedra, "FLOAT_MIN_PRODUCTS", 10**9)  # the exact product everywhere
            mp.setattr(_Search, "_implied_by_domain", lambda self, uints: None)  # PPL sees every row
        regs = regions(net, box=box)
        assert regs.check() is True
        b = symnet.bound(net, box=box)
        assert b.check() is True
        return regs.to_json(), b.to_json()


@settings(max_examples=examples(20), deadline=None)
@given(relu_nets(), st.integers(1, 4))
def test_float_shortcuts_give_the_exact_routes_documents(net_data, half):
    """Integer weights (ties between vertices are common): the same vertex, multipliers and bytes either way."""
    ws, bs, act = net_data
    net = N(ws, bs, activation=act)
    box = [(-half, Fraction(half, 2))] * net.p
    assert _documents(net, box, shortcuts=True) == _documents(net, box, shortcuts=False)


@pytest.mark.parametrize("p, hidden, width", [(2, [8, 8, 8], Fraction(1, 2)), (3, [6, 6], Fraction(1, 4))])
def test_float_shortcuts_on_deep_float32_networks(p, hidden, width):
    """Float32 weights, a small box (most units stable: rows the domain implies), several layers."""
    import numpy as np

    rng = np.random.default_rng(7)
    sizes = [p, *hidden, 2]
    ws = [rng.standard_normal((sizes[i + 1], sizes[i])).astype(np.float32).tolist() for i in range(len(sizes) - 1)]
    bs = [rng.standard_normal(sizes[i + 1]).astype(np.float32).tolist() for i in range(len(sizes) - 1)]
    net = N(ws, bs, activation="relu")
    box = [(Fraction(j, 7) - width, Fraction(j, 7) + width) for j in range(p)]
    assert _documents(net, box, shortcuts=True) == _documents(net, box, shortcuts=False)


def test_doubles_refuses_numbers_outside_the_normal_range():
    from flint import fmpq

    from symnet.search._polyhedra import _doubles

    assert _doubles([[fmpq(1, 3), fmpq(-2)]]).tolist() == [[1 / 3, -2.0]]
    assert _doubles([[fmpq(10**400)]]) is None  # overflows
    assert _doubles([[fmpq(1, 10**300)]]) is None  # below the normal range: its relative error is unbounded
    assert _doubles([[fmpq(0), fmpq(1)]]).tolist() == [[0.0, 1.0]]
