"""The fast TF-IDF transform must equal sklearn's, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from features.sms.preprocess import RecordPreprocessor
from features.sms.tfidf import tfidf_transform
from training.data.demo_sms import generate_demo_sms


@pytest.fixture(scope="module")
def frame():
    return RecordPreprocessor().fit_transform(generate_demo_sms(n=400, seed=3))


@pytest.mark.parametrize(
    "options, column",
    [
        ({"analyzer": "char", "ngram_range": (1, 3), "min_df": 2}, "norm"),
        ({"tokenizer": str.split, "token_pattern": None, "ngram_range": (1, 2), "min_df": 2}, "tokens"),
    ],
)
def test_equals_sklearn_transform(frame, options, column):
    documents = list(frame[column])
    vectoriser = TfidfVectorizer(lowercase=False, sublinear_tf=True, dtype=np.float32, **options)
    vectoriser.fit(documents[:300])  # the rest brings unseen n-grams
    expected = vectoriser.transform(documents[250:] + ["", "从未见过的词"])
    actual = tfidf_transform(vectoriser, documents[250:] + ["", "从未见过的词"])
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    assert np.array_equal(actual.indptr, expected.indptr)
    assert np.array_equal(actual.indices, expected.indices)
    assert np.array_equal(actual.data, expected.data)
