"""Exact rational matrices for numeric networks, built fast.

A trained model's weights are floats; symnet takes each at its exact binary
value (``0.1`` is ``3602879701896397/36028797018963968``).  At real size
(an MNIST MLP has 235,000 weights) building one sympy ``Rational`` per entry
the ordinary way costs seconds, so this module builds them directly from
``(numerator, denominator)`` pairs in lowest terms and keeps, next to each
``ImmutableMatrix``, its exact ``DomainMatrix`` over QQ (python-flint's
``fmpq_mat`` when sympy runs with flint ground types).

>>> m = rational_pairs([(1, 2), (13421773, 134217728)], 1, 2)
>>> m
Matrix([[1/2, 13421773/134217728]])
>>> is_rational_matrix(m)
True

Numpy arrays are read into these matrices by :mod:`symnet.model.arrays`.

A :class:`~symnet.model.core.Layer` stores numbers as python-flint matrices
(the form the kernel reads); this module makes their sympy views
(:func:`view`, which :attr:`Layer.weights <symnet.model.core.Layer.weights>` and
``biases`` return) and the stored form of a sympy matrix (:func:`stored`).
The sparse form is sympy's ``SDM`` over QQ with ``fmpq`` values: a dict
``{row: {column: nonzero value}}`` the kernel multiplies without densifying,
and the rep of a :class:`SparseQQMatrix` as it is (no copy) under flint ground types.
"""

from __future__ import annotations

import copyreg
from typing import Any

import flint
import sympy
from sympy.external.gmpy import GROUND_TYPES
from sympy.polys.domains import QQ, ZZ
from sympy.polys.matrices import DomainMatrix
from sympy.polys.matrices._dfm import DFM
from sympy.polys.matrices.sdm import SDM

from ..numbers import fast_rational

__all__ = [
    "ExactMatrix",
    "as_sympy",
    "SparseQQMatrix",
    "immutable",
    "is_rational_matrix",
    "qq_dense",
    "qq_domain",
    "qq_matrix",
    "qq_stored",
    "rational_matrix",
    "rational_pairs",
    "sparse_matrix",
    "stored",
    "view",
]

#: True when sympy's domains use python-flint's numbers (sympy's default when python-flint is installed).
_FLINT = GROUND_TYPES == "flint"


def rational_matrix(entries: list[sympy.Rational], rows: int, cols: int) -> sympy.ImmutableMatrix:
    """An exact matrix over QQ from sympy Rationals, row-major (sympy's sparse rep when small, flint's when large)."""
    return rational_pairs([(int(e.p), int(e.q)) for e in entries], rows, cols)


def rational_pairs(
    pairs: list[tuple[int, int]], rows: int, cols: int, *, dense: bool | None = None
) -> sympy.ImmutableMatrix:
    """An exact matrix over QQ from row-major ``(p, q)`` pairs in lowest terms (``q > 0``).

    ``dense`` as in :func:`immutable`; by default, dense above ``SPARSE_UP_TO`` entries.
    """
    if _FLINT:
        # DFM._new wraps a flint matrix as sympy's dense rep without re-reading it (sympy's own constructor for
        # DFM results): safe because the matrix is an fmpq_mat of exactly the shape given, over QQ, which is
        # what a DFM over QQ holds under flint ground types.
        fq = flint.fmpq_mat(rows, cols, [flint.fmpq(p, q) for p, q in pairs])
        dm = DomainMatrix.from_rep(DFM._new(fq, (rows, cols), QQ))
    else:
        dm = DomainMatrix(
            [[QQ(p, q) for p, q in pairs[i * cols : (i + 1) * cols]] for i in range(rows)], (rows, cols), QQ
        )
    return immutable(dm, dense=rows * cols > SPARSE_UP_TO if dense is None else dense)


def qq_matrix(m: sympy.MatrixBase) -> Any:
    """The python-flint ``fmpq_mat`` of an exact numeric matrix (held over QQ or ZZ), else None."""
    rep = _own_rep(m)
    if rep is None or not (rep.domain == QQ or rep.domain == ZZ):
        return None
    dense = (rep if rep.domain == QQ else rep.convert_to(QQ)).to_dense()  # convert_to would copy a matrix over QQ
    if _FLINT:
        return dense.rep.rep  # a dense rep over QQ is a DFM under flint ground types, and its .rep is its fmpq_mat
    rows, cols = dense.shape
    return flint.fmpq_mat(rows, cols, [flint.fmpq(int(a.numerator), int(a.denominator)) for a in dense.to_list_flat()])


# sympy internals used below, and why each is safe: Basic keeps ``args`` in the slot ``_args`` (its descriptor,
# _ARGS, is filled once, with the exact entries, before anything reads them); ``_rep``, ``_rows``, ``_cols``,
# ``_mhash`` and ``_assumptions`` are the attributes sympy's own ``ImmutableDenseMatrix._fromrep`` sets, so an
# ExactMatrix is an ImmutableMatrix built the way sympy builds one from a DomainMatrix (tests/test_numeric.py
# checks that they compare and hash like ordinary matrices).
_ARGS = sympy.Basic.__dict__["_args"]  # the slot Basic keeps its args in


def _flat_rationals(dm: DomainMatrix) -> list[sympy.Expr]:
    """The entries of a DomainMatrix over QQ or ZZ as sympy numbers, row by row (elements of both are normalised)."""
    return [fast_rational(int(a.numerator), int(a.denominator)) for a in dm.to_list_flat()]


class ExactMatrix(sympy.ImmutableDenseMatrix):  # type: ignore[misc]
    """An ImmutableMatrix of exact rationals whose sympy entries are made only when needed.

    It is an ordinary ``ImmutableMatrix`` (indexing, equality, arithmetic,
    printing) backed by its ``DomainMatrix`` over QQ; the tuple of sympy
    Rationals that sympy keeps as the matrix's ``args`` (used by hashing,
    ``subs``, pickling, tree walks) is built the first time something asks
    for it.  At real size (a 235,000-weight MLP) that keeps import and proof
    within a small factor of python-flint's own arithmetic.
    """

    @property
    def _args(self) -> tuple[sympy.Basic, ...]:
        try:
            return tuple(_ARGS.__get__(self))
        except AttributeError:
            rows, cols = self._rep.shape
            args = (sympy.Integer(rows), sympy.Integer(cols), sympy.Tuple(*_flat_rationals(self._rep), sympify=False))
            _ARGS.__set__(self, args)
            return args

    @_args.setter
    def _args(self, value: tuple[sympy.Basic, ...]) -> None:
        _ARGS.__set__(self, value)

    @classmethod
    def _fromrep(cls, rep: DomainMatrix) -> sympy.ImmutableDenseMatrix:
        if rep.domain == QQ or rep.domain == ZZ:
            return _lazy(rep)
        return sympy.ImmutableDenseMatrix._fromrep(rep)

    @property
    def free_symbols(self) -> set[sympy.Symbol]:
        return set()

    def __eq__(self, other: object) -> bool:
        # sympy compares reps format by format, and a flint-backed (DFM) rep never
        # equals a sparse (SDM) one; compare sparse forms when the formats differ.  A stored matrix of numbers
        # (a Layer's or a document's) compares as its view.
        if isinstance(other, (flint.fmpq_mat, SDM)):
            other = view(other)
        rep = getattr(other, "_rep", None)
        if isinstance(other, sympy.MatrixBase) and isinstance(rep, DomainMatrix):
            if self.shape != other.shape:
                return False
            a, b = self._rep, rep
            if type(a.rep) is not type(b.rep):
                a, b = a.to_sparse(), b.to_sparse()
            return bool(a.unify_eq(b))
        return bool(super().__eq__(other))

    def __hash__(self) -> int:
        return hash(("ImmutableDenseMatrix",) + self._hashable_content())

    def __iter__(self) -> Any:
        return iter(self._args[2].args)  # the entries, made once with the fast constructor


class SparseQQMatrix(ExactMatrix):
    """An exact matrix over QQ held sparsely (sympy's ``SDM``: only nonzero entries), e.g. a convolution.

    It is an ordinary sympy matrix to every reader; its sympy entries (all of
    them, zeros included) are made only when something asks.  Documents write
    it as ``(row, column, value)`` triplets, and the exact routes (prove,
    check) multiply it without densifying.  Matrices above ``SPARSE_UP_TO``
    entries hash by their nonzero entries (a dense matrix with the same
    entries compares equal but may hash differently).
    """

    def __hash__(self) -> int:
        rows, cols = self._rep.shape
        if rows * cols <= SPARSE_UP_TO:
            return super().__hash__()
        items = sorted(
            (i, j, int(v.numerator), int(v.denominator)) for i, r in self._rep.rep.items() for j, v in r.items()
        )
        return hash(("SparseQQMatrix", rows, cols, tuple(items)))

    @property
    def nnz(self) -> int:
        """Number of nonzero entries."""
        return int(self._rep.nnz())


def sparse_matrix(dm: DomainMatrix) -> SparseQQMatrix:
    """A :class:`SparseQQMatrix` over ``dm`` (converted to QQ and to the sparse format; zeros are not stored)."""
    rep = dm.convert_to(QQ).to_sparse()
    obj = _lazy(rep, SparseQQMatrix)
    assert isinstance(obj, SparseQQMatrix)
    return obj


def _lazy(dm: DomainMatrix, cls: type[ExactMatrix] = ExactMatrix) -> ExactMatrix:
    obj: ExactMatrix = object.__new__(cls)
    obj._assumptions = ExactMatrix.default_assumptions
    obj._mhash = None
    rows, cols = dm.shape
    obj._rows = rows
    obj._cols = cols
    obj._rep = dm
    return obj


#: Matrices with at most this many entries keep sympy's usual sparse rep (so
#: they compare equal to ordinary sympy matrices from either side); larger
#: ones keep python-flint's dense rep for fast exact arithmetic.
SPARSE_UP_TO = 50_000


def immutable(dm: DomainMatrix, *, dense: bool = False) -> sympy.ImmutableMatrix:
    """An exact ImmutableMatrix over ``dm`` (QQ or ZZ).

    ``dense=True`` keeps the flint rep whatever the size (weights and factors,
    read by the exact arithmetic); otherwise matrices up to ``SPARSE_UP_TO``
    entries (a claim's W*) get sympy's usual sparse rep.
    """
    rows, cols = dm.shape
    if not dense and rows * cols <= SPARSE_UP_TO:
        dm = dm.to_sparse()
    return _lazy(dm)


def _own_rep(m: Any) -> DomainMatrix | None:
    """The matrix's DomainMatrix when it already has one (a lazy symbol matrix has none yet: it is symbolic)."""
    rep = getattr(m, "__dict__", {}).get("_rep")
    return rep if isinstance(rep, DomainMatrix) else None


def is_rational_matrix(m: sympy.MatrixBase) -> bool:
    """True when the matrix's exact representation is over ZZ or QQ (no symbol, no Float)."""
    rep = _own_rep(m)
    return rep is not None and (rep.domain == QQ or rep.domain == ZZ)


def _to_qq(sdm: SDM) -> SDM:
    """A stored sparse matrix with sympy's QQ elements (its fmpq values as they are under flint ground types)."""
    if _FLINT:
        return sdm
    return SDM({i: {j: QQ(int(v.p), int(v.q)) for j, v in r.items()} for i, r in sdm.items()}, sdm.shape, QQ)


def qq_domain(m: Any) -> DomainMatrix:
    """A stored matrix of numbers (``fmpq_mat`` or ``SDM``) as a DomainMatrix over QQ (under flint ground types
    the same python-flint matrix, not copied: sympy's DomainMatrix operations make new matrices)."""
    if isinstance(m, SDM):
        return DomainMatrix.from_rep(_to_qq(m))
    rows, cols = m.nrows(), m.ncols()
    if _FLINT:  # DFM._new wraps the fmpq_mat as sympy's dense rep over QQ (see rational_pairs)
        return DomainMatrix.from_rep(DFM._new(m, (rows, cols), QQ))
    return DomainMatrix([[QQ(int(v.p), int(v.q)) for v in row] for row in m.tolist()], (rows, cols), QQ)


def view(m: Any) -> sympy.ImmutableMatrix:
    """The sympy matrix of a stored matrix of numbers (``fmpq_mat`` or ``SDM``), its entries made on request."""
    if isinstance(m, SDM):
        return sparse_matrix(qq_domain(m))
    return immutable(qq_domain(m))


def as_sympy(m: Any) -> Any:
    """A matrix a document states, as sympy: a stored matrix of numbers as its :func:`view`, anything else as it is."""
    return view(m) if isinstance(m, (flint.fmpq_mat, SDM)) else m


def qq_stored(dm: DomainMatrix) -> Any:
    """A DomainMatrix over QQ or ZZ in the stored form (dense: its own python-flint matrix under flint ground types)."""
    dm = dm if dm.domain == QQ else dm.convert_to(QQ)
    if dm.rep.fmt == "sparse":
        return stored(sparse_matrix(dm))
    if _FLINT:
        return dm.rep.rep  # a dense rep over QQ is a DFM under flint ground types, and its .rep is its fmpq_mat
    return qq_matrix(immutable(dm, dense=True))


def stored(m: sympy.MatrixBase) -> Any:
    """The form a Layer stores a sympy matrix in: numbers as ``fmpq_mat`` (sparse: ``SDM`` of ``fmpq``), else ``m``."""
    if isinstance(m, SparseQQMatrix):
        sdm = m._rep.rep
        if _FLINT:
            return sdm
        return SDM({i: {j: flint.fmpq(int(v.numerator), int(v.denominator)) for j, v in r.items()}
                    for i, r in sdm.items()}, sdm.shape, QQ)
    q = qq_matrix(m)
    return m if q is None else q


def _reduce_fmpq_mat(m: flint.fmpq_mat) -> tuple[Any, tuple[int, int, list[flint.fmpq]]]:
    return flint.fmpq_mat, (m.nrows(), m.ncols(), m.entries())


def qq_dense(m: Any) -> flint.fmpq_mat | None:
    """A Layer's stored matrix as a dense ``fmpq_mat`` when every entry is a number (a sparse one densified; a dense
    one shared, do not modify it), else None: the exact accessor for numeric code, no sympy object made."""
    if not isinstance(m, SDM):
        return m if isinstance(m, flint.fmpq_mat) else None
    rows, cols = m.shape
    out = flint.fmpq_mat(rows, cols)
    for i, row in m.items():
        for j, v in row.items():
            out[i, j] = v
    return out


copyreg.pickle(flint.fmpq_mat, _reduce_fmpq_mat)  # a stored layer pickles (an fmpq_mat does not by itself)
