"""features/sms/sparse_blocks.py builds exactly what scipy's hstack of the same blocks builds."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from features.sms.sparse_blocks import assemble, column_lookup, dense_triples, sparse_triples


def _same(actual: sp.csr_matrix, expected: sp.csr_matrix) -> None:
    expected = sp.csr_matrix(expected, dtype=np.float32)
    expected.sort_indices()
    assert actual.shape == expected.shape and actual.dtype == expected.dtype
    np.testing.assert_array_equal(actual.indptr, expected.indptr)
    np.testing.assert_array_equal(actual.indices, expected.indices)
    np.testing.assert_array_equal(actual.data, expected.data)  # NaN where scipy keeps NaN


def test_selected_columns_and_dense_blocks_equal_scipy_hstack() -> None:
    rng = np.random.default_rng(0)
    grams = sp.random(6, 40, density=0.2, format="csr", dtype=np.float32, random_state=1)
    selected = np.array([1, 4, 5, 17, 30, 39])
    dense = rng.random((6, 5)).astype(np.float32)
    dense[dense < 0.4] = 0.0  # zeros are not stored, as in csr_matrix(dense)
    dense[2, 3] = np.nan  # NaN (a missing timestamp's hour) is stored
    expected = sp.hstack([grams[:, selected], sp.csr_matrix(dense)], format="csr")
    blocks = [sparse_triples(grams, 0, column_lookup(selected, 40)), dense_triples(dense, len(selected))]
    _same(assemble(blocks, 6, len(selected) + 5), expected)


def test_rows_without_any_entry_and_whole_sparse_blocks_keep_their_place() -> None:
    text = sp.csr_matrix(np.array([[0, 0.5, 0], [0, 0, 0], [0.25, 0, 1.0]], dtype=np.float32))
    dense = np.array([[0, 0], [0, 0], [3, 0]], dtype=np.float32)
    blocks = [sparse_triples(text, 0), dense_triples(dense, 3)]
    _same(assemble(blocks, 3, 5), sp.hstack([text, sp.csr_matrix(dense)]))
