"""Feature blocks side by side in one CSR matrix, built once.

For one SMS the features themselves cost less than scipy's plumbing around them: every
``sp.hstack``, fancy column selection and ``csr_matrix(dense)`` validates its input and builds
intermediate matrices (py-spy on the one-message path: about 40 % of featurising, see
docs/benchmarks.md). Here each block becomes (row, column, value) triples and the result is
constructed in one step. The output equals ``sp.hstack([selected sparse blocks, csr(dense)])``
entry for entry: the same stored entries (zeros of dense blocks dropped, NaN kept), sorted
column order within each row (pinned in ``tests/features/sms/test_sparse_blocks.py``).
Matrices built here from consistent arrays skip scipy's constructor checks (:func:`csr_from_parts`).
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
    return csr_from_parts(values[order], columns[order].astype(np.int32), indptr, n_columns)


def csr_from_parts(data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, n_columns: int) -> sp.csr_matrix:
    """``csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, n_columns))`` without scipy's checks.

    For parts built consistently by this package: int32 ``indices`` below ``n_columns`` and int32
    ``indptr`` from 0 to ``len(data)`` (sorting is not assumed: scipy derives that flag on first
    use, as after its constructor). The constructor re-derives the index dtype and checks the
    shape and every array, 25–50 µs a call, and a scored message builds three matrices (its
    character and word TF-IDF rows, the assembled row). The instance gets the attributes scipy's
    constructor leaves on it; that this scipy leaves exactly those is checked once, at import,
    against the constructor's own result, and the checked constructor is used where it does not.
    """
    if not _PARTS_MATCH_CONSTRUCTOR:
        return sp.csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, n_columns))
    matrix = object.__new__(sp.csr_matrix)
    matrix.__dict__.update(_shape=(len(indptr) - 1, n_columns), maxprint=_MAXPRINT, data=data, indices=indices, indptr=indptr)
    return matrix


def _parts_match_constructor() -> bool:
    """Whether :func:`csr_from_parts`'s instance is the one scipy's constructor makes of the same parts."""
    data, indices, indptr = np.array([1.0, 2.0], dtype=np.float32), np.array([2, 0], dtype=np.int32), np.array([0, 1, 2], dtype=np.int32)
    built = sp.csr_matrix((data, indices, indptr), shape=(2, 3))
    fast = object.__new__(sp.csr_matrix)
    fast.__dict__.update(_shape=(2, 3), maxprint=built.maxprint, data=data, indices=indices, indptr=indptr)
    same_arrays = all(np.array_equal(getattr(fast, name), getattr(built, name)) and getattr(fast, name).dtype == getattr(built, name).dtype
                      for name in ("data", "indices", "indptr"))
    return set(vars(fast)) == set(vars(built)) and fast.shape == built.shape and same_arrays


_MAXPRINT = sp.csr_matrix((1, 1)).maxprint
_PARTS_MATCH_CONSTRUCTOR = _parts_match_constructor()
