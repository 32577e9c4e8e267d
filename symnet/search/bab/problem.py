"""A verification query prepared for the search: exact and float forms of the network and the property.

:class:`Problem` is what travels to worker processes (plain picklable data: the
network and the property's rationals); :func:`prepared` builds, once per process,
the exact layers (through the kernel's gate), the float layers and the property's
rows in both forms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
from flint import fmpq, fmpq_mat

from ...certificate.verification import Row
from ...conversion import exact_fmpq
from ...kernel.regions_cert import forward, network_pieces
from ...kernel.verification import ReluLayers, relu_layers
from ...model.network import Network
from .relax import Array, FloatNet

__all__ = ["Prepared", "Problem", "prepared", "to_fraction", "to_fmpq"]

FRow = tuple[tuple[Fraction, ...], Fraction]


def to_fmpq(v: Fraction | int) -> fmpq:
    """A Fraction as fmpq."""
    return exact_fmpq(v)


def to_fraction(v: fmpq) -> Fraction:
    """An fmpq as Fraction."""
    return Fraction(int(v.p), int(v.q))


@dataclass(frozen=True)
class Problem:
    """A network, an input box, input constraints ``a . x + e <= 0`` and the violation (disjuncts of rows).

    ``layers`` are the network's gated layers as plain data (what workers receive: a
    pickled Problem leaves the Network object out).
    """

    key: str
    network: Network | None
    box: tuple[tuple[Fraction, Fraction], ...]
    input_constraints: tuple[FRow, ...]
    disjuncts: tuple[tuple[FRow, ...], ...]
    layers: tuple[Any, ...] = ()

    def __reduce__(self) -> Any:
        return (Problem, (self.key, None, self.box, self.input_constraints, self.disjuncts, self.layers))

    @classmethod
    def of(cls, key: str, net: Network, box: Any, cons: Any, disjuncts: Any) -> Problem:
        """The problem, with the network's layers read through the kernel's gate."""
        return cls(key, net, box, cons, disjuncts, tuple(_plain(aug, act) for aug, act in network_pieces(net)))


def _plain_value(v: Any) -> Any:
    return (
        (int(v.p), int(v.q))
        if isinstance(v, fmpq)
        else tuple(_plain_value(w) for w in v)
        if isinstance(v, tuple)
        else v
    )


def _from_plain(v: Any) -> Any:
    if isinstance(v, tuple) and len(v) == 2 and all(isinstance(w, int) for w in v):
        return fmpq(v[0], v[1])
    return tuple(_from_plain(w) for w in v) if isinstance(v, tuple) else v


def _plain(aug: fmpq_mat, act: Any) -> tuple[Any, ...]:
    return aug.nrows(), aug.ncols(), tuple((int(v.p), int(v.q)) for v in aug.entries()), _plain_value(act)


def _pieces(layers: tuple[Any, ...]) -> list[Any]:
    return [(fmpq_mat(r, c, [fmpq(a, b) for a, b in flat]), _from_plain(act)) for r, c, flat, act in layers]


@dataclass
class Prepared:
    """What the search computes with: exact layers, float layers and the property's rows in both forms."""

    problem: Problem
    layers: ReluLayers
    pieces: Any
    fnet: FloatNet
    C: Array
    d: Array
    offsets: list[int]
    cons: Array
    exact_rows: list[tuple[Row, ...]]
    exact_cons: tuple[Row, ...]
    cache: dict[str, Any] = field(default_factory=dict)

    def rows_of(self, j: int) -> range:
        return range(self.offsets[j], self.offsets[j + 1])

    def exact_output(self, x: list[fmpq]) -> list[fmpq]:
        """The network's exact outputs at x (the kernel's forward pass)."""
        return list(forward(self.pieces, x))

    def violates(self, x: list[fmpq]) -> list[fmpq] | None:
        """The exact output at x if x is in the input set and the output satisfies a disjunct, else None."""
        box = self.problem.box
        if not all(to_fmpq(lo) <= v <= to_fmpq(hi) for v, (lo, hi) in zip(x, box, strict=True)):
            return None
        for a, e in self.exact_cons:
            if sum((c * v for c, v in zip(a, x, strict=True)), e) > 0:
                return None
        y = self.exact_output(x)
        for conj in self.exact_rows:
            if all(sum((c * v for c, v in zip(cr, y, strict=True)), d) <= 0 for cr, d in conj):
                return y
        return None


_PREPARED: dict[str, Prepared] = {}


def _exact_row(row: FRow) -> Row:
    return tuple(to_fmpq(c) for c in row[0]), to_fmpq(row[1])


def prepared(problem: Problem) -> Prepared:
    """The prepared form of ``problem`` (cached per process by its key)."""
    got = _PREPARED.get(problem.key)
    if got is not None:
        return got
    pieces = _pieces(problem.layers)
    layers = relu_layers(pieces)
    rows = [r for conj in problem.disjuncts for r in conj]
    p, q = len(problem.box), pieces[-1][0].nrows() - 1
    C = np.array([[float(c) for c in r[0]] for r in rows]).reshape(len(rows), q)
    d = np.array([float(r[1]) for r in rows])
    offsets = [0]
    for conj in problem.disjuncts:
        offsets.append(offsets[-1] + len(conj))
    cons = np.array([[float(e), *(float(c) for c in a)] for a, e in problem.input_constraints]).reshape(-1, p + 1)
    prep = Prepared(
        problem,
        layers,
        pieces,
        FloatNet.from_layers(layers),
        C,
        d,
        offsets,
        cons,
        [tuple(_exact_row(r) for r in conj) for conj in problem.disjuncts],
        tuple(_exact_row(r) for r in problem.input_constraints),
    )
    if len(_PREPARED) > 8:
        _PREPARED.clear()
    _PREPARED[problem.key] = prep
    return prep
