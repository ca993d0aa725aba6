"""Character n-gram counts of many messages at once, with numpy instead of one Python string per n-gram.

sklearn's ``char`` analyzer builds every 1- to 3-character substring of a message as a Python
string and looks each up in the vocabulary: ~220 strings for a 74-character SMS, about 60 µs
per message of a 256-message batch (docs/benchmarks.md, session 21). Here a batch's characters
become one array of code points; the n-grams starting at each position are integer keys
(``n`` code points of 21 bits side by side) found in sorted arrays of the vocabulary's keys, and
``np.unique`` counts (message, column) pairs. The counts are exactly the analyzer's — the same
whitespace folding first, n-grams never crossing from one message into the next — so the
TF-IDF built from them equals sklearn's bit for bit (``tests/features/sms/test_tfidf.py``).

For one message the numpy calls cost more than the strings they replace, so
:func:`features.sms.tfidf.tfidf_transform` counts a lone message the analyzer's way.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

# Unicode code points need 21 bits; a key holds max_n of them in one unsigned 64-bit integer.
_CODE_POINT_BITS = 21
_KEY_BITS = 64
# Lone surrogates (possible in Python strings, never valid UTF-8) keep their code point as the
# analyzer's one-character string does, instead of failing the encoding.
_ENCODING, _ERRORS = "utf-32-le", "surrogatepass"


def supports(vectoriser: TfidfVectorizer) -> bool:
    """Whether :class:`CharGramCounter` counts exactly what this fitted vectoriser's analyzer does:
    plain ``char`` n-grams (no lowercasing, accent stripping or custom preprocessing) short enough
    for one 64-bit key."""
    return (
        vectoriser.analyzer == "char"
        and not vectoriser.lowercase
        and vectoriser.strip_accents is None
        and vectoriser.preprocessor is None
        and vectoriser.input == "content"
        and vectoriser.ngram_range[1] * _CODE_POINT_BITS <= _KEY_BITS
    )


class CharGramCounter:
    """A fitted char vectoriser's vocabulary as sorted integer keys, one table per n-gram length."""

    def __init__(self, vectoriser: TfidfVectorizer) -> None:
        if not supports(vectoriser):
            raise ValueError("CharGramCounter needs a fitted analyzer='char' vectoriser without preprocessing, max_n <= 3")
        self._white_spaces = vectoriser._white_spaces  # the analyzer's own whitespace folding
        self.min_n, self.max_n = vectoriser.ngram_range
        self.n_columns = len(vectoriser.vocabulary_)
        terms = list(vectoriser.vocabulary_)
        columns = np.fromiter(vectoriser.vocabulary_.values(), dtype=np.int64, count=len(terms))
        lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
        keys = np.array([_key(term) for term in terms], dtype=np.uint64)
        self._tables: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for n in range(self.min_n, self.max_n + 1):
            of_n = lengths == n
            order = np.argsort(keys[of_n])
            self._tables[n] = (keys[of_n][order], columns[of_n][order])

    def counts(self, documents: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR parts (counts, column indices, row pointers) of the documents' vocabulary n-gram
        counts, columns ascending within each row."""
        folded = [self._white_spaces.sub(" ", document) for document in documents]
        lengths = np.fromiter(map(len, folded), dtype=np.int64, count=len(folded))
        codes = np.frombuffer("".join(folded).encode(_ENCODING, _ERRORS), dtype=np.uint32).astype(np.uint64)
        row_of = np.repeat(np.arange(len(folded)), lengths)
        # Position of the first character after each position's message: an n-gram starting at p fits if p + n <= end.
        end_of = np.cumsum(lengths)[row_of]
        starts = np.arange(len(codes))
        found_rows, found_columns = [], []
        keys = np.zeros(len(codes), dtype=np.uint64)
        for n in range(1, self.max_n + 1):
            width = len(codes) - n + 1
            if width <= 0:
                break
            keys = (keys[:width] << np.uint64(_CODE_POINT_BITS)) | codes[n - 1 :]
            if n < self.min_n:
                continue
            fits = starts[:width] + n <= end_of[:width]
            rows, columns = self._lookup(n, keys[fits], row_of[:width][fits])
            found_rows.append(rows)
            found_columns.append(columns)
        pairs = np.concatenate([np.zeros(0, dtype=np.int64), *(r * self.n_columns + c for r, c in zip(found_rows, found_columns, strict=True))])
        unique, counts = np.unique(pairs, return_counts=True)
        indptr = np.zeros(len(folded) + 1, dtype=np.int32)
        np.cumsum(np.bincount(unique // self.n_columns, minlength=len(folded)), out=indptr[1:])
        return counts, (unique % self.n_columns).astype(np.int32), indptr

    def _lookup(self, n: int, keys: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(rows, vocabulary columns) of the keys that are n-grams of the vocabulary."""
        table_keys, table_columns = self._tables[n]
        if not len(table_keys):
            return rows[:0], table_columns[:0]
        at = np.minimum(np.searchsorted(table_keys, keys), len(table_keys) - 1)
        known = table_keys[at] == keys
        return rows[known], table_columns[at[known]]


def _key(term: str) -> int:
    """The term's code points side by side, the first in the highest bits (as ``counts`` builds them)."""
    key = 0
    for code in np.frombuffer(term.encode(_ENCODING, _ERRORS), dtype=np.uint32):
        key = (key << _CODE_POINT_BITS) | int(code)
    return key
