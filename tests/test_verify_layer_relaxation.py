"""One hidden layer's relaxation in the verification kernel (``_layer_ext``), against a hand derivation.

Layer: z_0 = x_1 - 2 x_2 + 1/4, z_1 = 3 x_1 + x_2 / 2 - 1, so D = 4 and D [b | W] = [[1, 4, -8], [-4, 12, 2]];
T = D 2^(2 GRID_BITS).  Neuron 0 on [-1, 3] is unstable: upper line s (z - l) with s = 3/4 (on the grid), so
c = -s l = 3/4, and lower slope 1 (u >= -l); neuron 1 on [1/2, 2] is the identity.  Keeping only the columns of
the bias and x_2: slope rows T [s b + c, s W_2], keep rows T a [b, W_2], and the difference on neuron 0 alone.
"""

from __future__ import annotations

from fractions import Fraction

from flint import fmpq, fmpq_mat

from symnet.kernel import verification as kv

T = 4 << 2 * kv.GRID_BITS


def _ints(M: object) -> list[list[int]]:
    return [[int(v) for v in r] for r in M.tolist()]  # type: ignore[attr-defined]


def _layer() -> kv._Fixed:
    return kv._Fixed(fmpq_mat([[1, 0, 0], [fmpq(1, 4), 1, -2], [-1, 3, fmpq(1, 2)]]))


def test_an_unstable_and_an_active_neuron_by_hand() -> None:
    M, U, scale, live = kv._layer_ext(_layer(), [(fmpq(-1), fmpq(3)), (fmpq(1, 2), fmpq(2))], [1])
    b0, w0, b1, w1 = Fraction(1, 4), Fraction(-2), Fraction(-1), Fraction(1, 2)
    s, c = Fraction(3, 4), Fraction(3, 4)
    slope0 = [T * (s * b0 + c), T * s * w0]
    slope1 = [T * b1, T * w1]
    diff0 = [T * b0 - slope0[0], T * w0 - slope0[1]]
    assert (U, int(scale), live) == ([0], T, [0, 1])
    assert _ints(M) == [[slope0[0], slope1[0], diff0[0]], [slope0[1], slope1[1], diff0[1]]]


def test_a_stated_slope_and_a_dead_neuron() -> None:
    """alpha = 1/2 on neuron 0 (keep row T/2 [b | W]); neuron 1 dead (u <= 0) is left out; all columns kept."""
    M, U, _, live = kv._layer_ext(_layer(), [(fmpq(-1), fmpq(3)), (fmpq(-3), fmpq(0))], None, {0: fmpq(1, 2)})
    row = [Fraction(1, 4), Fraction(1), Fraction(-2)]
    slope = [T * Fraction(3, 4) * v for v in row]
    slope[0] += T * Fraction(3, 4)
    keep = [T * Fraction(1, 2) * v for v in row]
    assert (U, live) == ([0], [0])
    assert _ints(M) == [[a, k - a] for a, k in zip(slope, keep, strict=True)]


def test_every_neuron_dead() -> None:
    M, U, _, live = kv._layer_ext(_layer(), [(fmpq(-2), fmpq(-1)), (fmpq(-3), fmpq(0))], None)
    assert (M.nrows(), M.ncols(), U, live) == (3, 0, [], [])
