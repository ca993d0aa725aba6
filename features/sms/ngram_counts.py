"""N-gram counts of many messages at once, with NumPy instead of one Python string per n-gram.

sklearn's analyzers build every n-gram of a message as a Python string and look each up in the
vocabulary: ~220 character strings for a 74-character SMS (about 60 µs per message of a
256-message batch), and a space-joined string per word pair. Here each n-gram becomes an integer
key — its ``n`` units (code points for characters, token ids for words) as digits of one unsigned
64-bit number — found in sorted arrays of the vocabulary's keys, and
``np.unique`` counts (message, column) pairs. The counts are exactly the analyzer's (the same
whitespace folding for characters, the same ``str.split`` tokens for words, n-grams never running
from one message into the next), so the TF-IDF built from them equals sklearn's bit for bit
(``tests/features/sms/test_tfidf.py``).

For one message the NumPy calls cost more than the strings they replace, so
:func:`features.sms.tfidf.tfidf_transform` counts a lone message with :func:`string_ngrams`:
the analyzer's n-gram strings, built by ``map`` over shifted copies of the text instead of the
analyzer's Python loop of slices.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain, repeat
from operator import add

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

# Unicode code points need 21 bits; a key holds max_n units in one unsigned 64-bit integer.
_CODE_POINT_BITS = 21
_KEY_BITS = 64
# Lone surrogates (possible in Python strings, never valid UTF-8) keep their code point as the
# analyzer's one-character string does, instead of failing the encoding.
_ENCODING, _ERRORS = "utf-32-le", "surrogatepass"

CsrParts = tuple[np.ndarray, np.ndarray, np.ndarray]  # counts, column indices, row pointers


def array_counter(vectoriser: TfidfVectorizer) -> NgramCounter | None:
    """The counter that counts exactly what this fitted vectoriser's analyzer does, or None where
    none does (preprocessing, stop words, another tokenizer, n-grams too long for one key)."""
    kind = _plain_kind(vectoriser)
    counter: NgramCounter | None = None
    if kind == "char":
        counter = CharGramCounter(vectoriser)
    elif kind == "word":
        counter = WordGramCounter(vectoriser)
    return counter if counter is not None and counter.fits_keys else None


def string_ngrams(vectoriser: TfidfVectorizer) -> Callable[[str], Iterable[str]] | None:
    """The fitted vectoriser's analyzer — the same n-gram strings, as many times, for one text —
    for the vectorisers :func:`array_counter` reads (any n-gram length), else None.

    sklearn's analyzer slices every n-gram in a Python loop behind three wrapper calls; here the
    n-grams of length n are those of length n − 1 joined to the unit that follows each, one
    ``map`` per length: characters after the analyzer's whitespace folding, ``str.split`` tokens
    joined by one space as the analyzer joins them."""
    kind = _plain_kind(vectoriser)
    if kind is None:
        return None
    min_n, max_n = vectoriser.ngram_range
    if kind == "char":
        fold = vectoriser._white_spaces.sub
        return lambda text: _joined_ngrams(fold(" ", text), min_n, max_n, "")
    return lambda text: _joined_ngrams(text.split(), min_n, max_n, " ")


def _joined_ngrams(units: Sequence[str], min_n: int, max_n: int, separator: str) -> Iterable[str]:
    """Every run of ``min_n`` to ``max_n`` consecutive units, joined by ``separator``, shorter first."""
    levels: list[Iterable[str]] = [units] if min_n == 1 else []
    grams: Iterable[str] = units
    for n in range(2, max_n + 1):
        joined = map(add, grams, repeat(separator)) if separator else grams
        grams = list(map(add, joined, units[n - 1 :]))
        if n >= min_n:
            levels.append(grams)
    return chain.from_iterable(levels)


def _plain_kind(vectoriser: TfidfVectorizer) -> str | None:
    """"char" or "word" for a vectoriser whose analyzer only folds whitespace (characters) or
    splits on it (``str.split`` words) before making n-grams; None for any other."""
    plain = (not vectoriser.lowercase and vectoriser.strip_accents is None and vectoriser.preprocessor is None
             and vectoriser.input == "content" and vectoriser.stop_words is None)
    if plain and vectoriser.analyzer == "char":
        return "char"
    if plain and vectoriser.analyzer == "word" and vectoriser.tokenizer is str.split:
        return "word"
    return None


class NgramCounter:
    """A fitted vectoriser's vocabulary as sorted integer keys, one table per n-gram length.

    A text is a sequence of units (code points, token ids) below ``radix``; an n-gram's key is its
    units as digits in base ``radix``, the first the most significant. Subclasses say what the
    units are (``_prepare``, ``_term_units``, ``_document_units``)."""

    radix: int

    def __init__(self, vectoriser: TfidfVectorizer) -> None:
        self.min_n, self.max_n = vectoriser.ngram_range
        self.n_columns = len(vectoriser.vocabulary_)
        terms = list(vectoriser.vocabulary_)
        self._prepare(vectoriser, terms)
        self.fits_keys = self.radix**self.max_n <= 2**_KEY_BITS
        if not self.fits_keys:
            return
        columns = np.fromiter(vectoriser.vocabulary_.values(), dtype=np.int64, count=len(terms))
        units = [self._term_units(term) for term in terms]
        lengths = np.fromiter(map(len, units), dtype=np.int64, count=len(units))
        keys = np.array([self._key(term_units) for term_units in units], dtype=np.uint64)
        self._tables: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for n in range(self.min_n, self.max_n + 1):
            of_n = lengths == n
            order = np.argsort(keys[of_n])
            self._tables[n] = (keys[of_n][order], columns[of_n][order])

    def counts(self, documents: Sequence[str]) -> CsrParts:
        """CSR parts of the documents' vocabulary n-gram counts, columns ascending within each row."""
        found_rows, found_columns = [], []
        for n, keys, rows in self._keyed_ngrams(documents):
            table_keys, table_columns = self._tables[n]
            if not len(table_keys):
                continue
            at = np.minimum(np.searchsorted(table_keys, keys), len(table_keys) - 1)
            known = table_keys[at] == keys
            found_rows.append(rows[known])
            found_columns.append(table_columns[at[known]])
        pairs = np.concatenate([np.zeros(0, dtype=np.int64)] + [rows * self.n_columns + columns
                                                                for rows, columns in zip(found_rows, found_columns, strict=True)])
        unique, counts = np.unique(pairs, return_counts=True)
        indptr = np.zeros(len(documents) + 1, dtype=np.int32)
        np.cumsum(np.bincount(unique // self.n_columns, minlength=len(documents)), out=indptr[1:])
        return counts, (unique % self.n_columns).astype(np.int32), indptr

    def _key(self, units: Sequence[int]) -> int:
        key = 0
        for unit in units:
            key = key * self.radix + unit
        return key

    def _keyed_ngrams(self, documents: Sequence[str]) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """Per n from min_n to max_n: the keys of every n-gram of the documents and their rows, no
        n-gram running from one document into the next."""
        units, lengths = self._document_units(documents)
        row_of = np.repeat(np.arange(len(documents)), lengths)
        # Position just past each position's document: an n-gram starting at p fits if p + n <= end.
        end_of = np.cumsum(lengths)[row_of]
        starts = np.arange(len(units))
        keys = np.zeros(len(units), dtype=np.uint64)
        for n in range(1, self.max_n + 1):
            width = len(units) - n + 1
            if width <= 0:
                return
            keys = keys[:width] * np.uint64(self.radix) + units[n - 1 :]
            if n >= self.min_n:
                fits = starts[:width] + n <= end_of[:width]
                yield n, keys[fits], row_of[:width][fits]

    def _prepare(self, vectoriser: TfidfVectorizer, terms: list[str]) -> None:
        """Set ``radix`` and whatever the units need, before the terms are keyed."""
        raise NotImplementedError

    def _term_units(self, term: str) -> list[int]:
        raise NotImplementedError

    def _document_units(self, documents: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(every document's units, one uint64 array end to end; each document's unit count)."""
        raise NotImplementedError


class CharGramCounter(NgramCounter):
    """Character n-grams: units are code points (21 bits), after the analyzer's whitespace folding."""

    def _prepare(self, vectoriser: TfidfVectorizer, terms: list[str]) -> None:
        self.radix = 2**_CODE_POINT_BITS
        self._white_spaces = vectoriser._white_spaces  # the analyzer's own whitespace folding

    def _term_units(self, term: str) -> list[int]:
        return np.frombuffer(term.encode(_ENCODING, _ERRORS), dtype=np.uint32).tolist()

    def _document_units(self, documents: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        folded = [self._white_spaces.sub(" ", document) for document in documents]
        lengths = np.fromiter(map(len, folded), dtype=np.int64, count=len(folded))
        codes = np.frombuffer("".join(folded).encode(_ENCODING, _ERRORS), dtype=np.uint32).astype(np.uint64)
        return codes, lengths


class WordGramCounter(NgramCounter):
    """Word n-grams of ``str.split`` tokens: units are token ids. Ids number the tokens the
    vocabulary's terms contain; any other token gets one more id, which no term holds, so no
    n-gram through it is found."""

    def _prepare(self, vectoriser: TfidfVectorizer, terms: list[str]) -> None:
        tokens = {token for term in terms for token in term.split(" ")}
        self._ids = {token: index for index, token in enumerate(sorted(tokens))}
        self._unknown = len(self._ids)
        self.radix = self._unknown + 1

    def _term_units(self, term: str) -> list[int]:
        return [self._ids[token] for token in term.split(" ")]

    def _document_units(self, documents: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        tokens = [document.split() for document in documents]
        lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
        flat = [token for document in tokens for token in document]
        return np.fromiter(map(self._ids.get, flat, repeat(self._unknown)), dtype=np.uint64, count=len(flat)), lengths
