"""CSR columns read from the arrays equal scipy's column indexing, entry for entry."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from models.csr import ColumnReader, csr_column, csr_columns
from models.ensemble import base_margin


def test_csr_columns_equal_scipy_indexing() -> None:
    rng = np.random.default_rng(0)
    dense = rng.random((30, 40)).astype(np.float32)
    dense[dense < 0.7] = 0.0
    dense[3, 5] = np.nan
    matrix = sp.csr_matrix(dense)
    for columns in ([5, 0, 39, 17], [7], list(range(40))[::-1], []):
        expected = matrix[:, columns].toarray()
        got = csr_columns(matrix, np.array(columns, dtype=int))
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(csr_columns(sp.csr_matrix((0, 40), dtype=np.float32), [1, 2]), np.zeros((0, 2)))
    np.testing.assert_array_equal(csr_columns(matrix.tocsc(), [5, 1]), matrix[:, [5, 1]].toarray())


def test_base_margin_is_the_same_for_sparse_and_dense_features() -> None:
    dense = np.array([[0.0, 0.2], [1.0, 0.0], [0.0, 0.9]], dtype=np.float32)
    np.testing.assert_array_equal(base_margin(sp.csr_matrix(dense), 1), base_margin(dense, 1))
    assert base_margin(dense, None) is None


def test_one_csr_column_equals_the_columns_reader() -> None:
    """``csr_column`` (the base margin's read) against :func:`csr_columns` on every column of a
    matrix with empty rows, a NaN, a last column and a one-row slice."""
    rng = np.random.default_rng(1)
    dense = rng.random((25, 12)).astype(np.float32)
    dense[dense < 0.6] = 0.0
    dense[[0, 7, 24]] = 0.0  # empty rows, first and last included
    dense[4, 11] = np.nan
    matrix = sp.csr_matrix(dense)
    for source in (matrix, matrix[3], matrix[:0], matrix.tocsc()):
        for column in range(12):
            got = csr_column(source, column)
            assert got.dtype == np.float32
            np.testing.assert_array_equal(got, csr_columns(source, [column])[:, 0])


def test_a_column_reader_reads_what_csr_columns_reads_and_refuses_another_width() -> None:
    rng = np.random.default_rng(2)
    dense = rng.random((6, 30)).astype(np.float32)
    dense[dense < 0.5] = 0.0
    matrix = sp.csr_matrix(dense)
    reader = ColumnReader(np.array([29, 0, 7, 13]), 30)
    for source in (matrix, matrix[2], matrix[:0], sp.csr_matrix((1, 30), dtype=np.float32)):
        np.testing.assert_array_equal(reader(source), source[:, [29, 0, 7, 13]].toarray())
    with pytest.raises(ValueError, match="30 columns got a matrix of 31"):
        reader(sp.csr_matrix((1, 31), dtype=np.float32))
