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
    matrix = as_csr(matrix)
    columns = np.asarray(columns, dtype=np.intp)
    out = np.zeros((matrix.shape[0], len(columns)), dtype=matrix.dtype)
    if not len(columns) or not matrix.nnz:
        return out
    lookup = np.full(matrix.shape[1], -1, dtype=np.intp)
    lookup[columns] = np.arange(len(columns))
    picked = lookup[matrix.indices]
    keep = picked >= 0
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    out[rows[keep], picked[keep]] = matrix.data[keep]
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
