"""The fast TF-IDF transform must equal sklearn's, bit for bit, one message or many."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from features.sms.ngram_counts import CharGramCounter, array_counter, string_ngrams
from features.sms.preprocess import RecordPreprocessor
from features.sms.tfidf import tfidf_transform
from training.data.demo_sms import generate_demo_sms

# Texts the character path must count exactly as sklearn's analyzer does: whitespace runs folded
# to one space (a lone tab or newline kept), characters outside the Basic Multilingual Plane, a
# lone surrogate, empty and one-character texts, and back-to-back texts whose n-grams must not
# run from one message into the next ("ab" then "c": no "bc").
EDGE_TEXTS = ["", " ", "a", "ab", "c", "bc", "ab  \t c\n\nd", "a\tb\nc", "😂😂👍", "\ud800x", "从未见过的词", "从未见过的词从未见过的词"]


@pytest.fixture(scope="module")
def frame():
    return RecordPreprocessor().fit_transform(generate_demo_sms(n=400, seed=3))


def _assert_same(actual, expected) -> None:
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    assert np.array_equal(actual.indptr, expected.indptr)
    assert np.array_equal(actual.indices, expected.indices)
    assert np.array_equal(actual.data, expected.data)


@pytest.mark.parametrize(
    "options, column",
    [
        ({"analyzer": "char", "ngram_range": (1, 3), "min_df": 2}, "norm"),
        ({"analyzer": "char", "ngram_range": (2, 3), "min_df": 1}, "norm"),
        ({"analyzer": "char", "ngram_range": (1, 4), "min_df": 2}, "norm"),  # too long for one key: the analyzer counts
        ({"tokenizer": str.split, "token_pattern": None, "ngram_range": (1, 2), "min_df": 2}, "tokens"),
        ({"tokenizer": str.split, "token_pattern": None, "ngram_range": (1, 3), "min_df": 1}, "tokens"),
        ({"tokenizer": str.split, "token_pattern": None, "ngram_range": (2, 2), "min_df": 1}, "tokens"),
        ({"token_pattern": r"(?u)\b\w+\b", "ngram_range": (1, 2)}, "tokens"),  # another tokenizer: the analyzer counts
    ],
)
def test_equals_sklearn_transform(frame, options, column):
    documents = list(frame[column])
    vectoriser = TfidfVectorizer(lowercase=False, sublinear_tf=True, dtype=np.float32, **options)
    vectoriser.fit(documents[:300] + EDGE_TEXTS)  # the rest brings unseen n-grams
    scored = documents[250:] + EDGE_TEXTS
    _assert_same(tfidf_transform(vectoriser, scored), vectoriser.transform(scored))
    for one in [documents[300], *EDGE_TEXTS]:  # a lone message takes the analyzer's path
        _assert_same(tfidf_transform(vectoriser, [one]), vectoriser.transform([one]))
    for pair in zip(EDGE_TEXTS, EDGE_TEXTS[1:], strict=False):  # two already take the arrays' path
        _assert_same(tfidf_transform(vectoriser, list(pair)), vectoriser.transform(list(pair)))


@pytest.mark.parametrize(
    "options",
    [{"analyzer": "char", "ngram_range": (1, 3)}, {"analyzer": "char", "ngram_range": (2, 5)},
     {"tokenizer": str.split, "token_pattern": None, "ngram_range": (1, 2)},
     {"tokenizer": str.split, "token_pattern": None, "ngram_range": (2, 3)}],
)
def test_string_ngrams_are_the_analyzers_ngrams(frame, options):
    """The one-message analyzer gives sklearn's n-grams, each as often (order aside)."""
    vectoriser = TfidfVectorizer(lowercase=False, **options).fit(list(frame["norm"][:50]) + ["a b"])
    analyse, reference = string_ngrams(vectoriser), vectoriser.build_analyzer()
    for text in [*EDGE_TEXTS, "a b  c\td", *frame["norm"][:50], *frame["tokens"][:50]]:
        assert sorted(analyse(text)) == sorted(reference(text)), text


def test_no_string_ngrams_where_the_analyzer_does_more():
    assert string_ngrams(TfidfVectorizer(analyzer="char", lowercase=True).fit(["Ab"])) is None
    assert string_ngrams(TfidfVectorizer(analyzer="word", lowercase=False).fit(["ab cd"])) is None


def test_character_counts_never_cross_from_one_message_into_the_next():
    vectoriser = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), lowercase=False).fit(["abc", "bc"])
    counts, indices, indptr = CharGramCounter(vectoriser).counts(["ab", "c"])
    names = vectoriser.get_feature_names_out()
    first, second = indices[indptr[0] : indptr[1]], indices[indptr[1] : indptr[2]]
    assert sorted(names[first]) == ["a", "ab", "b"] and list(names[second]) == ["c"]
    assert counts.tolist() == [1, 1, 1, 1]


def test_word_counts_never_pair_across_messages_or_through_an_unknown_word():
    vectoriser = TfidfVectorizer(tokenizer=str.split, token_pattern=None, ngram_range=(1, 2), lowercase=False)
    vectoriser.fit(["a b c", "b c", "x y"])
    counts, indices, indptr = array_counter(vectoriser).counts(["a", "b c a", "a zz b", ""])
    names = vectoriser.get_feature_names_out()
    rows = [sorted(names[indices[indptr[i] : indptr[i + 1]]]) for i in range(4)]
    assert rows == [["a"], ["a", "b", "b c", "c"], ["a", "b"], []]  # no "a b" from "a" + "b c", none through "zz"


@pytest.mark.parametrize(
    "options",
    [{"analyzer": "char", "lowercase": True}, {"analyzer": "char", "strip_accents": "unicode"},
     {"analyzer": "char", "ngram_range": (1, 4)}, {"analyzer": "word"},
     {"analyzer": "word", "tokenizer": str.split, "token_pattern": None, "stop_words": ["b"]}, {"analyzer": "char_wb"}],
    ids=["lowercase", "accents", "four_characters", "regex_words", "stop_words", "char_wb"],
)
def test_vectorisers_the_counters_would_miscount_get_none(options):
    vectoriser = TfidfVectorizer(**{"lowercase": False, **options}).fit(["abcd efg", "bcd"])
    assert array_counter(vectoriser) is None


def test_a_pickled_models_word_vectoriser_still_gets_its_counter():
    """Models are pickled in the registry: ``str.split`` must come back as itself."""
    vectoriser = TfidfVectorizer(tokenizer=str.split, token_pattern=None, lowercase=False).fit(["a b", "b c"])
    assert array_counter(pickle.loads(pickle.dumps(vectoriser))) is not None
