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
        selected = np.flatnonzero(SelectKBest(chi2, k=min(self.booster_grams, grams.shape[1])).fit(grams, y).get_support())
        n_chars = len(self.char_.vocabulary_)
        self.char_columns_ = selected[selected < n_chars]
        self.word_columns_ = selected[selected >= n_chars] - n_chars
        return self._output(grams[:, selected], oof)

    def transform(self, frame: pd.DataFrame) -> sp.csr_matrix:
        """Per-message hot path: no hstack of the full n-gram space, no sklearn re-validation."""
        check_is_fitted(self, "linear_")
        chars = self.char_.transform(frame["norm"])
        words = self.word_.transform(frame["tokens"])
        n_chars = chars.shape[1]
        coef = self.linear_.coef_[0]
        margin = chars @ coef[:n_chars] + words @ coef[n_chars:] + self.linear_.intercept_[0]
        selected = sp.hstack([chars[:, self.char_columns_], words[:, self.word_columns_]], format="csr")
        return self._output(selected, 1.0 / (1.0 + np.exp(-margin)))

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "linear_")
        chars = [f"字: {gram}" for gram in self.char_.get_feature_names_out()]
        words = [f"词: {gram}" for gram in self.word_.get_feature_names_out()]
        selected = [chars[i] for i in self.char_columns_] + [words[i] for i in self.word_columns_]
        return np.array([*selected, LINEAR_SCORE_NAME], dtype=object)

    @staticmethod
    def _output(selected_grams: sp.csr_matrix, linear_score: np.ndarray) -> sp.csr_matrix:
        score_column = sp.csr_matrix(np.asarray(linear_score, dtype=np.float32).reshape(-1, 1))
        return sp.hstack([selected_grams, score_column], format="csr")

    def _linear(self) -> LogisticRegression:
        return LogisticRegression(C=self.linear_C, solver="liblinear", max_iter=1000)
