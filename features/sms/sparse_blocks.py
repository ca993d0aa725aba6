"""Feature blocks side by side in one CSR matrix, built once.

For one SMS the features themselves cost less than scipy's plumbing around them: every
``sp.hstack``, fancy column selection and ``csr_matrix(dense)`` validates its input and builds
intermediate matrices (py-spy on the one-message path: about 40 % of featurising, see
docs/benchmarks.md). Here each block becomes (row, column, value) triples and the result is
constructed in one step. The output equals ``sp.hstack([selected sparse blocks, csr(dense)])``
entry for entry: the same stored entries (zeros of dense blocks dropped, NaN kept), sorted
column order within each row (pinned in ``tests/features/sms/test_sparse_blocks.py``).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

Triples = tuple[np.ndarray, np.ndarray, np.ndarray]  # rows, columns, values


def column_lookup(selected: np.ndarray, n_columns: int) -> np.ndarray:
    """For each of ``n_columns`` source columns its position among ``selected`` (ascending), or -1."""
    lookup = np.full(n_columns, -1, dtype=np.int64)
    lookup[selected] = np.arange(len(selected))
    return lookup


def sparse_triples(matrix: sp.csr_matrix, offset: int, lookup: np.ndarray | None = None) -> Triples:
    """The stored entries of ``matrix`` shifted by ``offset``; with a :func:`column_lookup`, only
    the columns it keeps, renumbered."""
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    if lookup is None:
        return rows, matrix.indices + offset, matrix.data
    columns = lookup[matrix.indices]
    keep = columns >= 0
    return rows[keep], columns[keep] + offset, matrix.data[keep]


def dense_triples(block: np.ndarray, offset: int) -> Triples:
    """The stored entries ``csr_matrix(block)`` would have (non-zero, NaN included), shifted by ``offset``."""
    rows, columns = np.nonzero(block)
    return rows, columns + offset, block[rows, columns]


def assemble(blocks: list[Triples], n_rows: int, n_columns: int) -> sp.csr_matrix:
    """One float32 CSR matrix from the blocks' triples, columns sorted within each row."""
    rows = np.concatenate([b[0] for b in blocks])
    columns = np.concatenate([b[1] for b in blocks])
    values = np.concatenate([np.asarray(b[2], dtype=np.float32) for b in blocks])
    order = np.lexsort((columns, rows))
    indptr = np.zeros(n_rows + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
    return sp.csr_matrix((values[order], columns[order].astype(np.int32), indptr), shape=(n_rows, n_columns))
