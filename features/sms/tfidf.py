"""A fitted ``TfidfVectorizer``'s transform without sklearn's per-call validation.

``TfidfVectorizer.transform`` on one SMS spends most of its ~1 ms in input validation,
parameter checks and sparse-container conversions, not in counting n-grams. This function
does the same steps in the same order on the same dtypes — count the vectoriser's own
analyzer's n-grams in its vocabulary (for several messages with the NumPy counters of
:mod:`features.sms.ngram_counts`, for one with its :func:`~features.sms.ngram_counts.string_ngrams`;
both count the same), sublinear tf, idf,
l2 norm with sklearn's own kernel — so its output equals ``vectoriser.transform`` bit for bit
(pinned in ``tests/features/sms/test_tfidf.py``).
"""

from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

from features.sms.ngram_counts import NgramCounter, array_counter, string_ngrams
from features.sms.sparse_blocks import csr_from_parts

# From this many messages on, n-grams are counted with NumPy (``features.sms.ngram_counts``); a
# lone message is counted faster as strings (characters: 158 vs 124 µs with the analyzer's own
# loop), two already faster with NumPy (70 vs 110 µs per message; docs/benchmarks.md, session 21).
# The service's warm-up scores two messages, so the counters are built before the first request.
_MIN_DOCUMENTS_FOR_ARRAYS = 2
# Fitted vectoriser → its NumPy counter (None: its analyzer has none), built on first use; weak
# keys, so a counter never outlives its model (and is never pickled with it).
_COUNTERS: weakref.WeakKeyDictionary[TfidfVectorizer, NgramCounter | None] = weakref.WeakKeyDictionary()
# Fitted vectoriser → its ``string_ngrams`` (None: sklearn's analyzer, built per call: it holds the
# vectoriser, which a cached value must not, or the weak key would never go).
_STRING_NGRAMS: weakref.WeakKeyDictionary[TfidfVectorizer, Callable[[str], Iterable[str]] | None] = weakref.WeakKeyDictionary()


def tfidf_transform(vectoriser: TfidfVectorizer, documents: Sequence[str]) -> sp.csr_matrix:
    """``vectoriser.transform(documents)`` for a vectoriser fitted with ``norm="l2"``, no ``binary``."""
    counter = _counter(vectoriser) if len(documents) >= _MIN_DOCUMENTS_FOR_ARRAYS else None
    if counter is not None:
        counts, indices, indptr = counter.counts(documents)
    else:
        counts, indices, indptr = _analyzer_counts(vectoriser, documents)
    matrix = csr_from_parts(np.asarray(counts, dtype=vectoriser.dtype), indices, indptr, len(vectoriser.vocabulary_))
    matrix.sort_indices()
    tfidf = vectoriser._tfidf
    if tfidf.sublinear_tf:
        np.log(matrix.data, matrix.data)
        matrix.data += 1.0
    matrix.data *= tfidf.idf_[matrix.indices]
    inplace_csr_row_normalize_l2(matrix)
    return matrix


def _counter(vectoriser: TfidfVectorizer) -> NgramCounter | None:
    if vectoriser not in _COUNTERS:
        _COUNTERS[vectoriser] = array_counter(vectoriser)
    return _COUNTERS[vectoriser]


def _analyzer(vectoriser: TfidfVectorizer) -> Callable[[str], Iterable[str]]:
    if vectoriser not in _STRING_NGRAMS:
        _STRING_NGRAMS[vectoriser] = string_ngrams(vectoriser)
    return _STRING_NGRAMS[vectoriser] or vectoriser.build_analyzer()


def _analyzer_counts(vectoriser: TfidfVectorizer, documents: Sequence[str]) -> tuple[list[int], np.ndarray, np.ndarray]:
    """CSR parts of the documents' vocabulary term counts, counted from the vectoriser's analyzer's n-grams."""
    analyse = _analyzer(vectoriser)
    lookup = vectoriser.vocabulary_.get
    indices: list[int] = []
    counts: list[int] = []
    indptr = [0]
    for document in documents:
        # One dict lookup per n-gram, counted in C (``Counter`` over a ``map``); unknown n-grams
        # all count under None, dropped after.
        counter = Counter(map(lookup, analyse(document)))
        counter.pop(None, None)
        indices.extend(counter.keys())
        counts.extend(counter.values())
        indptr.append(len(indices))
    return counts, np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int32)
