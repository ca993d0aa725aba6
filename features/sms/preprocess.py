"""First step of every SMS featuriser: raw records → normalised text, tokens and metadata."""

from __future__ import annotations

import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from features.sms.normalise import normalise_text
from features.sms.tokenise import get_tokenizer, tokenise

METADATA_COLUMNS = ("sender", "sent_at")


class RecordPreprocessor(TransformerMixin, BaseEstimator):
    """Records (``text`` plus optional metadata) → frame of ``norm``, ``tokens``, metadata.

    Normalising and tokenising once here means the char n-gram, word and pattern features all
    see the same text, in training and in serving alike.
    """

    def fit(self, records: pd.DataFrame, y=None) -> RecordPreprocessor:
        get_tokenizer()  # load jieba's dictionary now, not on the first scored message
        return self

    def transform(self, records: pd.DataFrame) -> pd.DataFrame:
        if "text" not in records:
            raise ValueError("records need a 'text' column")
        # Plain lists and one DataFrame constructor: per-column assignment into a frame costs
        # more than normalising and tokenising one SMS.
        norm = [normalise_text(str(text)) for text in records["text"].tolist()]
        columns = {"norm": norm, "tokens": [" ".join(tokenise(text)) for text in norm]}
        for column in METADATA_COLUMNS:
            columns[column] = records[column].tolist() if column in records else [None] * len(norm)
        return pd.DataFrame(columns, index=records.index)

    def get_feature_names_out(self, input_features=None):
        return ["norm", "tokens", *METADATA_COLUMNS]
