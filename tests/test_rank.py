"""Rank bound: rank W* <= the narrowest width, certified for numeric networks."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import symnet
from symnet import CertificateError, InvalidArgument, NotLinearError, RankBound, rank_bound


def fraction_rank(rows: list[list[Fraction]]) -> int:
    """Rank by Gaussian elimination over Fractions (independent of sympy)."""
    m = [list(r) for r in rows]
    rank, col, ncols = 0, 0, len(m[0]) if m else 0
    while rank < len(m) and col < ncols:
        pivot = next((i for i in range(rank, len(m)) if m[i][col] != 0), None)
        if pivot is None:
            col += 1
            continue
        m[rank], m[pivot] = m[pivot], m[rank]
        for i in range(len(m)):
            if i != rank and m[i][col] != 0:
                f = m[i][col] / m[rank][col]
                m[i] = [a - f * b for a, b in zip(m[i], m[rank], strict=True)]
        rank += 1
        col += 1
    return rank


def fraction_product(weights: list[list[list[int]]], slope: int) -> list[list[Fraction]]:
    """W* = slope^L W_{L+1} ... W_1 with Fractions."""
    acc = [[Fraction(v) for v in row] for row in weights[0]]
    for w in weights[1:]:
        acc = [
            [sum(Fraction(w[i][k]) * acc[k][j] for k in range(len(acc))) for j in range(len(acc[0]))]
            for i in range(len(w))
        ]
    scale = Fraction(slope) ** (len(weights) - 1)
    return [[scale * v for v in row] for row in acc]


def test_hand_example():
    """A bottleneck of width 1 gives rank 1 (hand-computed W* = [[3, 7]] has rank 1 anyway; here q = 2)."""
    net = symnet.Network.from_matrices([[[1, 2, 0], [0, 1, 1]], [[1, 1]], [[2], [3]]], None)
    rb = rank_bound(net)
    assert isinstance(rb, RankBound)
    assert (rb.rank, rb.bound, rb.narrowest, rb.widths) == (1, 1, 2, (3, 2, 1, 2))
    assert rb.matrix == sympy.Matrix([[2, 6, 2], [3, 9, 3]])
    assert rb.check() is True
    assert rb.to_text().startswith("rank W* = 1 <= min(3, 2, 1, 2) = 1")


@st.composite
def numeric_nets(draw):
    widths = draw(st.lists(st.integers(1, 4), min_size=2, max_size=5))
    entry = st.integers(-2, 2)
    weights = [[[draw(entry) for _ in range(widths[l])] for _ in range(widths[l + 1])] for l in range(len(widths) - 1)]
    slope = draw(st.sampled_from([1, 2, -1, 0]))
    return widths, weights, slope


@given(numeric_nets())
def test_rank_bound_property(case):
    """rank_bound's rank equals an independent Fraction computation and never exceeds the narrowest width."""
    widths, weights, slope = case
    t = sympy.Symbol("t")
    net = symnet.Network.from_matrices(weights, None, sympy.Lambda(t, slope * t + 1))
    rb = rank_bound(net)
    assert rb.check() is True
    assert rb.rank == fraction_rank(fraction_product(weights, slope)) <= min(widths) == rb.bound


def test_tampered_certificates_are_rejected():
    """Wrong rank, wrong bound layer, or a factor that is not W* are all rejected."""
    net = symnet.Network.from_matrices([[[1, 2], [3, 4]], [[1, 0], [0, 1]]], None)
    rb = rank_bound(net)
    assert rb.rank == 2
    for bad in (
        dataclasses.replace(rb, rank=1, minor=((0,), (0,))),
        dataclasses.replace(rb, bound=1),
        dataclasses.replace(rb, left=rb.left * 2),
        dataclasses.replace(rb, minor=((0, 0), (0, 1))),
    ):
        with pytest.raises(CertificateError):
            bad.check()


def test_symbolic_and_nonlinear_networks_are_refused():
    """Symbolic weights raise InvalidArgument; relu raises NotLinearError."""
    with pytest.raises(InvalidArgument):
        rank_bound(symnet.dense(2, [2]))
    with pytest.raises(NotLinearError):
        rank_bound(symnet.Network.from_matrices([[[1]], [[1]]], None, "relu"))


def test_generic_statement_in_derivation():
    """The generic proof's derivation states rank W* <= min of the widths."""
    assert "rank W* ≤ min(p, 3, h, 1)" in symnet.prove(symnet.dense("p", [3, "h"])).to_text()
