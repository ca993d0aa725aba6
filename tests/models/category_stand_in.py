"""A category-head model whose scores are read straight off its records (margin, P(fraud), spam
share), for tests of what fraud_score's thresholds and category actions do to served actions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.scam_model import CategoryHead, PlattCalibrator, ScamModel, Thresholds

UNWANTED = Thresholds(block=0.9, warn=0.5)
FRAUD = Thresholds(block=0.95, warn=0.6)
CLASSES = ["fraud", "ham", "spam"]
LOW, WARNED, BLOCKED = -3.0, 1.0, 3.0  # margins: calibrated 0.05, 0.73, 0.95


class _Columns:
    """Featuriser stand-in: records already carry the unwanted margin, P(fraud) and, optionally,
    the share of the rest that is spam (default 0.3)."""

    def transform(self, records: pd.DataFrame) -> np.ndarray:
        spam_share = records["spam_share"] if "spam_share" in records else pd.Series(0.3, index=records.index)
        return np.column_stack([records[["margin", "p_fraud"]].to_numpy(dtype=float), spam_share.to_numpy(dtype=float)])


class _MarginBooster:
    def raw_margin(self, features: np.ndarray) -> np.ndarray:
        return features[:, 0]


class _FixedHead(CategoryHead):
    """P(fraud) from the record, the rest split between ham and spam."""

    def proba(self, features: np.ndarray) -> np.ndarray:
        fraud, spam_share = features[:, 1], features[:, 2]
        return np.column_stack([fraud, (1 - fraud) * (1 - spam_share), (1 - fraud) * spam_share])


def category_model(fraud_thresholds: Thresholds | None, allowed_category_from_head: bool = False) -> ScamModel:
    # kind "call": the stand-in reads its columns from the frame as a call featuriser does (an SMS
    # model normalises its records' text before featurising them).
    return ScamModel(
        kind="call", featuriser=_Columns(), booster=_MarginBooster(), calibrator=PlattCalibrator(1.0, 0.0),
        thresholds=UNWANTED, feature_names=["margin", "p_fraud"], max_reasons=0,
        category_head=_FixedHead(boosters=[], classes=CLASSES), category_actions={"ham": "allow", "spam": "by_threshold",
                                                                                "fraud": "by_threshold"},
        fraud_thresholds=fraud_thresholds, allowed_category_from_head=allowed_category_from_head,
    )
