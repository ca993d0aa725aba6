"""How a category head is graded: one definition for ``yunmao evaluate`` and ``yunmao report``,
and so for the retraining gates, which read evaluate's figures.

Category macro-F1 counts the rows whose true category is known. fraud_score (P(fraud)) is
ranked on the fraud and ham rows only, what fraud-vs-normal sets are judged on: spam and illegal
rows are what the head must tell apart from fraud, and would grade it on another question.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from configs.evaluation import EvaluationConfig
from training.bootstrap import intervals
from training.metrics import macro_f1


def known_categories(true: Sequence[str | None]) -> np.ndarray:
    """Per row: its true category is known (neither None nor NaN, as a frame's empty cell reads)."""
    return np.asarray(pd.notna(np.asarray(true, dtype=object)), dtype=bool)


def fraud_versus_ham(true: Sequence[str | None], fraud: str, ham: str) -> tuple[np.ndarray, np.ndarray]:
    """The rows fraud_score is ranked on (true category ``fraud`` or ``ham``), and which of them
    are fraud (one 0/1 label per such row)."""
    versus = np.array([category in (fraud, ham) for category in true], dtype=bool)
    is_fraud = np.array([category == fraud for category in true], dtype=bool)[versus]
    return versus, is_fraud.astype(int)


def category_figures(
    true: Sequence[str | None], predicted: Sequence[str | None], fraud_scores: np.ndarray,
    fraud: str, ham: str, evaluation: EvaluationConfig,
) -> dict:
    """``category_macro_f1`` and ``category_n`` over the rows whose true category is known (absent
    when none is), and ``fraud``: ROC-AUC, PR-AUC and recall at the configured FPRs of
    ``fraud_scores`` on the fraud vs ham rows with bootstrap intervals and their count ``n``
    (absent unless both are present). ``predicted`` and ``fraud_scores``: the model's served
    categories and P(fraud) for the same rows (:meth:`models.scam_model.ScamModel.acted`)."""
    known = known_categories(true)
    figures: dict = {}
    if known.any():
        figures["category_macro_f1"] = macro_f1([c for c, k in zip(true, known, strict=True) if k],
                                                [c for c, k in zip(predicted, known, strict=True) if k])
        figures["category_n"] = int(known.sum())
    versus, is_fraud = fraud_versus_ham(true, fraud, ham)
    if 0 < is_fraud.sum() < len(is_fraud):
        figures["fraud"] = {**intervals(is_fraud, np.asarray(fraud_scores)[versus], evaluation), "n": int(versus.sum())}
    return figures
