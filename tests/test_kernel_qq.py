"""The linear checker's exact matrices over QQ (symnet.kernel.qq): comparisons across dense and sparse forms."""

from __future__ import annotations

import flint
import pytest
from sympy import QQ
from sympy.polys.matrices.sdm import SDM

from symnet.errors import CertificateError
from symnet.kernel import qq


def _sdm(rows: dict[int, dict[int, int]], shape: tuple[int, int]) -> SDM:
    return SDM({i: {j: flint.fmpq(v) for j, v in r.items()} for i, r in rows.items()}, shape, QQ)


def test_a_dense_and_a_sparse_matrix_with_the_same_entries_are_equal() -> None:
    dense = flint.fmpq_mat(2, 3, [0, 5, 0, 0, 0, 7])
    sparse = _sdm({0: {1: 5}, 1: {2: 7}}, (2, 3))
    qq.equal(dense, sparse, "M", CertificateError)
    qq.equal(sparse, dense, "M", CertificateError)
    qq.equal(sparse, _sdm({0: {1: 5}, 1: {2: 7}}, (2, 3)), "M", CertificateError)


@pytest.mark.parametrize(
    ("stated", "message"),
    [
        (flint.fmpq_mat(2, 3, [0, 5, 0, 0, 1, 7]), r"M entry \(1, 1\) is 1, but the network gives 0"),
        (_sdm({0: {1: 5}, 1: {2: 6}}, (2, 3)), r"M entry \(1, 2\) is 6, but the network gives 7"),
        (_sdm({0: {1: 5}}, (2, 3)), r"M entry \(1, 2\) is 0, but the network gives 7"),
        (_sdm({0: {1: 5, 2: 0}, 1: {2: 7}}, (2, 3)), "stores a zero entry"),
        (flint.fmpq_mat(3, 2, [0] * 6), "has shape"),
    ],
)
def test_a_differing_entry_is_named(stated: qq.Mat, message: str) -> None:
    derived = _sdm({0: {1: 5}, 1: {2: 7}}, (2, 3))
    with pytest.raises(CertificateError, match=message):
        qq.equal(stated, derived, "M", CertificateError)
