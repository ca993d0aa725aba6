"""The one place an SMS featuriser is assembled: raw records in, sparse matrix out."""

from __future__ import annotations

from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline

from configs.sms import FeatureConfig
from features.metadata import MetadataFeatures
from features.patterns import PatternFeatures
from features.preprocess import RecordPreprocessor
from features.text import TextFeatures


def build_sms_featuriser(cfg: FeatureConfig, seed: int = 0) -> Pipeline:
    """An unfitted pipeline; ``fit_transform(records, labels)`` fits it, ``transform`` serves."""
    columns = ColumnTransformer(
        [
            (
                "text",
                TextFeatures(
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
                    random_state=seed,
                ),
                ["norm", "tokens"],
            ),
            ("patterns", PatternFeatures(), "norm"),
            ("meta", MetadataFeatures(), ["sender", "sent_at"]),
        ],
        sparse_threshold=1.0,
        verbose_feature_names_out=False,
    )
    return Pipeline([("preprocess", RecordPreprocessor()), ("columns", columns)])
