"""fraud_score thresholds are set on out-of-fold scores of non-fraud rows (ham, spam, illegal)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from configs.sms import ThresholdConfig
from models.scam_model import CategoryHead
from training.fit import fraud_score_thresholds

CLASSES = ["fraud", "ham", "spam"]


def _proba(fraud_scores: list[float]) -> np.ndarray:
    fraud = np.asarray(fraud_scores)
    return np.column_stack([fraud, 1 - fraud, np.zeros_like(fraud)])


def test_spam_counts_as_a_negative_and_unknown_rows_take_no_part() -> None:
    head = CategoryHead(boosters=[], classes=CLASSES)
    categories = pd.Series(["ham", "spam", None, "fraud", "fraud"])
    cfg = ThresholdConfig(block_max_fpr=0.1, warn_max_fpr=0.1, block_min_score=0.0, warn_min_score=0.0)
    cut = fraud_score_thresholds(head, _proba([0.1, 0.8, 0.99, 0.9, 0.95]), categories, cfg)
    assert cut is not None
    assert 0.8 < cut.warn <= 0.9, "the spam row at 0.8 is a negative; the unknown row at 0.99 is ignored"


def test_floors_apply_as_for_the_unwanted_thresholds() -> None:
    head = CategoryHead(boosters=[], classes=CLASSES)
    categories = pd.Series(["ham", "ham", "fraud"])
    cut = fraud_score_thresholds(head, _proba([0.01, 0.02, 0.9]), categories, ThresholdConfig())
    assert (cut.warn, cut.block) == (0.2, 0.5)


def test_no_thresholds_without_a_fraud_class_or_non_fraud_rows() -> None:
    no_fraud = CategoryHead(boosters=[], classes=["ham", "spam"])
    proba = np.array([[0.9, 0.1], [0.2, 0.8]])
    assert fraud_score_thresholds(no_fraud, proba, pd.Series(["ham", "spam"]), ThresholdConfig()) is None
    only_fraud = CategoryHead(boosters=[], classes=CLASSES)
    assert fraud_score_thresholds(only_fraud, _proba([0.9, 0.8]), pd.Series(["fraud", "fraud"]), ThresholdConfig()) is None
