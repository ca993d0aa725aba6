"""The one place an SMS featuriser is assembled: raw records in, sparse matrix out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from configs.sms import FeatureConfig
from features.fitted import require_fitted
from features.sms.metadata import MetadataFeatures
from features.sms.patterns import PatternFeatures, cue_rows
from features.sms.preprocess import NormalisedSms, RecordPreprocessor, Records, prepare_records
from features.sms.sparse_blocks import Triples, assemble, dense_triples, sparse_triples
from features.sms.text import TextFeatures


class SmsFeaturiser(TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):
    """Records → [text n-grams + linear score | patterns | metadata], one sparse row each.

    Composed by hand rather than with ``ColumnTransformer``: its per-call validation and
    dispatch cost several milliseconds, more than the features themselves for one message,
    and this object sits on the interception hot path. For the same reason it and its parts
    opt out of scikit-learn's ``set_output`` wrapping (``auto_wrap_output_keys=None``): the
    wrapper reads the global config on every ``transform`` (tens of µs per message), to offer
    pandas output that a sparse matrix never takes.
    """

    def __init__(self, text: TextFeatures, patterns: PatternFeatures, metadata: MetadataFeatures) -> None:
        self.text = text
        self.patterns = patterns
        self.metadata = metadata

    def fit(self, records: pd.DataFrame, y=None) -> SmsFeaturiser:
        self.fit_transform(records, y)
        return self

    def fit_transform(self, records: pd.DataFrame, y=None, folds=None, sample_weight=None, **fit_params) -> sp.csr_matrix:
        """Fit and return the training matrix; ``folds`` are the boosters' (train, held-out) pairs,
        ``sample_weight`` (per record, None: each counts once) weighs the text's linear models.

        ``fold_column_masks_[k]`` (None without folds) marks the columns fold ``k``'s boosters
        may use: only the text n-grams are chosen with labels, so only they are ever masked.
        ``head_only_columns_`` marks the text's category scores, which the unwanted booster never uses.
        """
        self.preprocess_ = RecordPreprocessor().fit(records)
        frame = self.preprocess_.transform(records)
        text = self.text.fit_transform(
            frame, y, fraud_type=records.get("fraud_type"), folds=folds, category=records.get("category"), sample_weight=sample_weight
        )
        stacked = self._stack(text, self.patterns.fit_transform(frame["norm"]), self.metadata.fit_transform(frame))
        unsupervised = np.ones(stacked.shape[1] - text.shape[1], dtype=bool)
        masks = self.text.fold_column_masks_
        self.fold_column_masks_ = None if masks is None else [np.concatenate([m, unsupervised]) for m in masks]
        self.head_only_columns_ = np.concatenate([self.text.head_only_columns_, ~unsupervised])
        return stacked

    def transform(self, records: Records | NormalisedSms) -> sp.csr_matrix:
        """Features of a frame, a list of record dicts, or messages the caller already
        normalised (serving: its decision cache and template lookup read the same text)."""
        require_fitted(self, "preprocess_")
        prepared = prepare_records(records)
        cues = cue_rows(prepared.norm)  # once per message: read by the text model's input and the pattern features
        blocks, n_text = self.text.transform_blocks(prepared, cues=cues)
        return self._assemble(blocks, n_text, self.patterns.transform(prepared.norm, cues), self.metadata.transform(prepared))

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        require_fitted(self, "preprocess_")
        parts = (self.text, self.patterns, self.metadata)
        return np.concatenate([part.get_feature_names_out() for part in parts])

    @classmethod
    def _stack(cls, text: sp.csr_matrix, patterns: np.ndarray, metadata: np.ndarray) -> sp.csr_matrix:
        return cls._assemble([sparse_triples(text, 0)], text.shape[1], patterns, metadata)

    @staticmethod
    def _assemble(text: list[Triples], n_text: int, patterns: np.ndarray, metadata: np.ndarray) -> sp.csr_matrix:
        """[text | patterns | metadata] in one float32 CSR matrix (training and serving alike)."""
        blocks = [*text, dense_triples(patterns, n_text), dense_triples(metadata, n_text + patterns.shape[1])]
        return assemble(blocks, len(patterns), n_text + patterns.shape[1] + metadata.shape[1])


def build_sms_featuriser(cfg: FeatureConfig, seed: int = 0) -> SmsFeaturiser:
    """An unfitted featuriser; ``fit_transform(records, labels)`` fits it, ``transform`` serves."""
    return SmsFeaturiser(
        text=TextFeatures(
            char_min_n=cfg.char.min_n,
            char_max_n=cfg.char.max_n,
            char_max_features=cfg.char.max_features,
            char_min_df=cfg.char.min_df,
            word_max_ngram=cfg.word.max_ngram,
            word_max_features=cfg.word.max_features,
            word_min_df=cfg.word.min_df,
            linear_folds=cfg.linear_score.folds,
            linear_C=cfg.linear_score.C,
            booster_grams=cfg.booster_grams.max_features,
            cue_weight=cfg.linear_score.cue_weight,
            category_scores=tuple(cfg.linear_score.categories),
            type_loss=cfg.linear_score.types.loss,
            type_C=cfg.linear_score.types.C,
            random_state=seed,
        ),
        patterns=PatternFeatures(),
        metadata=MetadataFeatures(),
    )
