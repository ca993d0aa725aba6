"""Columns of a CSR matrix read straight from its arrays.

scipy's column indexing (``matrix[:, columns]``) validates the key, builds an index matrix and a
new sparse matrix on every call: for the one-message scoring path that plumbing cost more than
what is read (the watched drift columns, the base-margin column). These helpers return the same
values as ``matrix[:, columns].toarray()``, in the matrix's dtype, NaN entries included.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def as_csr(matrix) -> sp.csr_matrix:
    """``matrix`` in CSR form, without a copy (or a constructor call) when it already is."""
    return matrix if getattr(matrix, "format", None) == "csr" else sp.csr_matrix(matrix)


def csr_columns(matrix, columns: np.ndarray) -> np.ndarray:
    """Rows × ``columns`` of a sparse ``matrix``, dense, equal to ``matrix[:, columns].toarray()``."""
    return ColumnReader(columns, as_csr(matrix).shape[1])(matrix)


class ColumnReader:
    """:func:`csr_columns` for one set of columns of matrices ``width`` columns wide, with its
    table (column → output position) built once: a model reads its watched drift columns from
    every scored message, where building that table of ~2,700 entries was most of the read."""

    def __init__(self, columns: np.ndarray, width: int) -> None:
        self.columns = np.asarray(columns, dtype=np.intp)
        self._position = np.full(width, -1, dtype=np.intp)
        self._position[self.columns] = np.arange(len(self.columns))

    def __call__(self, matrix) -> np.ndarray:
        matrix = as_csr(matrix)
        if matrix.shape[1] != len(self._position):
            raise ValueError(f"a reader of {len(self._position)} columns got a matrix of {matrix.shape[1]}")
        out = np.zeros((matrix.shape[0], len(self.columns)), dtype=matrix.dtype)
        if not len(self.columns) or not matrix.nnz:
            return out
        picked = self._position[matrix.indices]
        keep = picked >= 0
        rows = 0 if matrix.shape[0] == 1 else np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))[keep]
        out[rows, picked[keep]] = matrix.data[keep]
        return out


def csr_column(matrix, column: int) -> np.ndarray:
    """One column of a sparse ``matrix``, dense, equal to ``csr_columns(matrix, [column])[:, 0]``.

    Found by comparing the stored column indices with ``column``, without the lookup table of
    every column :func:`csr_columns` builds: the base margin reads one column per prediction,
    where that table (one entry per feature) cost more than the read."""
    matrix = as_csr(matrix)
    out = np.zeros(matrix.shape[0], dtype=matrix.dtype)
    stored = np.flatnonzero(matrix.indices == column)
    out[np.searchsorted(matrix.indptr, stored, side="right") - 1] = matrix.data[stored]
    return out
