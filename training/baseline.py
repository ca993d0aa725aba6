"""The baseline yunmao must beat: character 1–3-gram TF-IDF + logistic regression.

What a data scientist writes in an afternoon, with library defaults and no feature work.
"""

from __future__ import annotations

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline


def build_baseline() -> Pipeline:
    """Unfitted text → P(fraud) pipeline."""
    return make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True),
        LogisticRegression(max_iter=2000),
    )
