"""features/sms/sparse_blocks.py builds exactly what scipy's hstack of the same blocks builds."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from features.sms import sparse_blocks
from features.sms.sparse_blocks import assemble, column_lookup, csr_from_parts, dense_triples, sparse_triples


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


def _parts(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR parts of a random 5 × 30 float32 matrix with unsorted column indices in each row."""
    rng = np.random.default_rng(seed)
    per_row = rng.integers(0, 6, size=5)
    indices = np.concatenate([rng.permutation(30)[:n] for n in per_row]).astype(np.int32)
    indptr = np.concatenate([[0], np.cumsum(per_row)]).astype(np.int32)
    return rng.random(len(indices)).astype(np.float32), indices, indptr


@pytest.mark.parametrize("checked", [True, False], ids=["unchecked", "scipy-constructor fallback"])
def test_matrix_from_parts_behaves_as_scipys_constructor_builds_it(checked: bool, monkeypatch) -> None:
    """Everything the scoring path does with a matrix (read its parts and sorted flag, sort it,
    slice rows, multiply, densify, pickle) gives what the constructor's matrix gives, with the
    unchecked build and with the fallback a scipy of another layout gets."""
    import pickle

    monkeypatch.setattr(sparse_blocks, "_PARTS_MATCH_CONSTRUCTOR", checked)
    assert sparse_blocks._parts_match_constructor(), "this scipy lays out a constructed CSR matrix as csr_from_parts does"
    data, indices, indptr = _parts(3)
    fast = csr_from_parts(data.copy(), indices.copy(), indptr.copy(), 30)
    built = sp.csr_matrix((data, indices, indptr), shape=(5, 30))
    assert type(fast) is type(built) and fast.shape == built.shape and fast.dtype == built.dtype
    assert fast.has_sorted_indices == built.has_sorted_indices
    fast.sort_indices()
    built.sort_indices()
    _same(fast, built)
    weights = np.random.default_rng(4).random((30, 2))
    np.testing.assert_array_equal(fast @ weights, built @ weights)
    np.testing.assert_array_equal(fast[[0, 3]].toarray(), built[[0, 3]].toarray())
    _same(pickle.loads(pickle.dumps(fast)), built)
