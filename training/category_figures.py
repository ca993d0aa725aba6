"""How a category head is graded: one definition for ``yunmao evaluate`` and ``yunmao report``,
and so for the retraining gates, which read evaluate's figures. Per true category, what the
head called the rows (:func:`category_rows`) is one table for both too.

Category macro-F1 counts the rows whose true category is known. fraud_score (P(fraud)) is
ranked on the fraud and ham rows only, what fraud-vs-normal sets are judged on: spam and illegal
rows are what the head must tell apart from fraud, and would grade it on another question.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from configs.evaluation import EvaluationConfig
from training.bootstrap import intervals
from training.metrics import macro_f1

NONE_KEY = "(none)"  # the row of the records a slice or true category is unknown for


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


def category_order(names: Iterable[str], order: Sequence[str]) -> list[str]:
    """The distinct ``names`` in ``order`` (the taxonomy's), any it does not list after them, sorted."""
    present = set(names)
    return [name for name in order if name in present] + sorted(present - set(order))


def category_columns(predicted: Sequence[str], order: Sequence[str]) -> list[str]:
    """The categories a table of ``predicted`` shows: every one of ``order`` (the taxonomy's), so
    a category the model never called reads 0, then any other it called."""
    return category_order([*order, *predicted], order)


def category_rows(true: Sequence[str | None], predicted: Sequence[str], order: Sequence[str]) -> list[dict[str, Any]]:
    """Per true category (in ``order``, records whose category is unknown last): count, how many
    the model called each of :func:`category_columns` and recall (the share it called right; None
    when unknown). Macro-F1 sums up the head; these rows say which categories it mistakes for which."""
    known = known_categories(true)
    keys = np.array([category if k else NONE_KEY for category, k in zip(true, known, strict=True)], dtype=object)
    columns = category_columns(predicted, order)
    predicted = np.asarray(predicted, dtype=object)
    rows = []
    for key in [*category_order(keys[known], order), *([NONE_KEY] if not known.all() else [])]:
        called = predicted[keys == key]
        rows.append({"category": key, "count": len(called), "called": {c: int(np.sum(called == c)) for c in columns},
                     "recall": None if key == NONE_KEY else float(np.mean(called == key))})
    return rows
