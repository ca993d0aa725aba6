"""Text features: character n-grams beside jieba words, plus a stacked linear text score.

SMS are short, so neither words nor characters alone are enough: jieba misses obfuscated or
unseen words that character n-grams still catch, while words carry meaning n-grams blur.
A gradient-boosted model on sparse n-grams alone loses to a plain linear model (each tree
sees few n-grams), so the linear model's out-of-fold score is fed to LightGBM as one more
feature: LightGBM then combines that evidence with the dense pattern and metadata features.
LightGBM itself only sees the ``booster_grams`` most class-related n-grams (chi²): training
time grows steeply with sparse columns while the linear score already carries the rest.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.feature_selection import SelectKBest, chi2
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.validation import check_is_fitted

LINEAR_SCORE_NAME = "文本整体与诈骗短信相似"


class TextFeatures(TransformerMixin, BaseEstimator):
    """Frame with ``norm`` and ``tokens`` → [selected char/word TF-IDF columns | linear score].

    ``fit_transform`` returns the linear score *out of fold*, so LightGBM never trains on a
    score that has memorised its own rows; ``transform`` uses the model fitted on all rows.
    """

    def __init__(
        self,
        char_min_n: int = 1,
        char_max_n: int = 3,
        char_max_features: int = 60000,
        char_min_df: int = 2,
        word_max_ngram: int = 2,
        word_max_features: int = 30000,
        word_min_df: int = 2,
        linear_folds: int = 5,
        linear_C: float = 4.0,
        booster_grams: int = 2000,
        random_state: int = 0,
    ) -> None:
        self.char_min_n = char_min_n
        self.char_max_n = char_max_n
        self.char_max_features = char_max_features
        self.char_min_df = char_min_df
        self.word_max_ngram = word_max_ngram
        self.word_max_features = word_max_features
        self.word_min_df = word_min_df
        self.linear_folds = linear_folds
        self.linear_C = linear_C
        self.booster_grams = booster_grams
        self.random_state = random_state

    def fit(self, frame: pd.DataFrame, y=None) -> "TextFeatures":
        self.fit_transform(frame, y)
        return self

    def fit_transform(self, frame: pd.DataFrame, y=None, **fit_params) -> sp.csr_matrix:
        if y is None:
            raise ValueError("TextFeatures needs labels: its linear text score is supervised")
        y = np.asarray(y)
        self.char_ = TfidfVectorizer(
            analyzer="char",
            ngram_range=(self.char_min_n, self.char_max_n),
            lowercase=False,
            sublinear_tf=True,
            min_df=self.char_min_df,
            max_features=self.char_max_features,
            dtype=np.float32,
        )
        self.word_ = TfidfVectorizer(
            tokenizer=str.split,
            token_pattern=None,
            lowercase=False,
            ngram_range=(1, self.word_max_ngram),
            sublinear_tf=True,
            min_df=self.word_min_df,
            max_features=self.word_max_features,
            dtype=np.float32,
        )
        grams = sp.hstack(
            [self.char_.fit_transform(frame["norm"]), self.word_.fit_transform(frame["tokens"])], format="csr"
        )
        oof = np.zeros(len(y), dtype=np.float32)
        folds = StratifiedKFold(self.linear_folds, shuffle=True, random_state=self.random_state)
        for train_idx, score_idx in folds.split(grams, y):
            oof[score_idx] = self._linear().fit(grams[train_idx], y[train_idx]).predict_proba(grams[score_idx])[:, 1]
        self.linear_ = self._linear().fit(grams, y)
        self.select_ = SelectKBest(chi2, k=min(self.booster_grams, grams.shape[1])).fit(grams, y)
        return self._output(grams, oof)

    def transform(self, frame: pd.DataFrame) -> sp.csr_matrix:
        check_is_fitted(self, "linear_")
        grams = sp.hstack([self.char_.transform(frame["norm"]), self.word_.transform(frame["tokens"])], format="csr")
        return self._output(grams, self.linear_.predict_proba(grams)[:, 1])

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "linear_")
        chars = [f"字: {gram}" for gram in self.char_.get_feature_names_out()]
        words = [f"词: {gram}" for gram in self.word_.get_feature_names_out()]
        selected = np.array(chars + words, dtype=object)[self.select_.get_support()]
        return np.append(selected, LINEAR_SCORE_NAME)

    def _output(self, grams: sp.csr_matrix, linear_score: np.ndarray) -> sp.csr_matrix:
        score_column = sp.csr_matrix(np.asarray(linear_score, dtype=np.float32)[:, None])
        return sp.hstack([self.select_.transform(grams), score_column], format="csr")

    def _linear(self) -> LogisticRegression:
        return LogisticRegression(C=self.linear_C, solver="liblinear", max_iter=1000)
