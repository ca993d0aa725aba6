"""training/metrics.py against values computed by hand on eight scored messages."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from training.metrics import (
    at_threshold,
    best_f1,
    binary_report,
    curve_metrics,
    fraud_type_recall,
    operating_points,
    recall_key,
    tie_groups,
)

LABELS = np.array([1, 1, 1, 0, 0, 0, 0, 1])
SCORES = np.array([0.9, 0.8, 0.3, 0.7, 0.2, 0.1, 0.4, 0.6])


@pytest.mark.parametrize(
    "threshold, expected",
    [
        # flagged .9 .8 .7 .6: tp 3 fp 1 fn 1 tn 3
        (0.5, {"tp": 3, "fp": 1, "fn": 1, "tn": 3, "precision": 0.75, "recall": 0.75, "f1": 0.75, "fpr": 0.25}),
        # flagged .9 .8 .7 .6 .4 .3: tp 4 fp 2
        (0.25, {"tp": 4, "fp": 2, "fn": 0, "tn": 2, "precision": 2 / 3, "recall": 1.0, "f1": 0.8, "fpr": 0.5}),
        # score == threshold counts as flagged
        (0.9, {"tp": 1, "fp": 0, "fn": 3, "tn": 4, "precision": 1.0, "recall": 0.25, "f1": 0.4, "fpr": 0.0}),
        # nothing flagged: precision and F1 are 0, not NaN
        (0.95, {"tp": 0, "fp": 0, "fn": 4, "tn": 4, "precision": 0.0, "recall": 0.0, "f1": 0.0, "fpr": 0.0}),
    ],
)
def test_at_threshold(threshold: float, expected: dict) -> None:
    metrics = at_threshold(LABELS, SCORES, threshold)
    assert metrics["threshold"] == threshold
    assert {key: metrics[key] for key in expected} == pytest.approx(expected)


@pytest.mark.parametrize(
    "labels, undefined, measured",
    [
        # all normal (a carrier's sample of good traffic): FPR is measured, recall and F1 cannot be
        (np.zeros(8, dtype=int), {"recall", "f1"}, {"fpr": 0.5}),
        # all fraud (victim reports): recall is measured, FPR cannot be
        (np.ones(8, dtype=int), {"fpr"}, {"recall": 0.5, "f1": 2 / 3}),
    ],
)
def test_at_threshold_leaves_undefined_rates_none(labels: np.ndarray, undefined: set, measured: dict) -> None:
    """0.0 would read as measured: an all-normal file has no recall of 0, it has none."""
    metrics = at_threshold(labels, SCORES, 0.5)
    assert {key for key, value in metrics.items() if value is None} == undefined
    assert {key: metrics[key] for key in measured} == pytest.approx(measured)


def test_best_f1_is_the_best_cut() -> None:
    # cuts by descending score give F1 .4 .667 .571 .75 .667 .8 .727 .667: best .8 at score .3
    assert best_f1(LABELS, SCORES) == pytest.approx((0.8, 0.3))


def test_binary_report() -> None:
    report = binary_report(LABELS, SCORES, block=0.5, warn=0.25)
    assert report["n"] == 8 and report["positives"] == 4
    assert report["roc_auc"] == pytest.approx(13 / 16)  # 13 of 16 positive/negative pairs ordered right
    assert report["pr_auc"] == pytest.approx((1 + 1 + 3 / 4 + 4 / 6) / 4)
    assert (report["best_f1"], report["best_f1_threshold"]) == pytest.approx((0.8, 0.3))
    assert (report["f1"], report["precision"], report["recall"], report["fpr"]) == pytest.approx((0.75, 0.75, 0.75, 0.25))
    assert report["warn"]["fpr"] == pytest.approx(0.5) and report["warn"]["recall"] == 1.0


# Ten ham rows and five unwanted rows, with ties across the classes at 0.9 and 0.7 and two ham
# rows tied at 0.7. By descending threshold (flag score >= t): 0.95 → tp 1 fp 0; 0.9 → tp 2 fp 1;
# 0.8 → tp 3 fp 1; 0.7 → tp 4 fp 3; 0.6 → tp 5 fp 3; lower thresholds only add ham.
TIED_HAM = [0.9, 0.7, 0.7, 0.5, 0.4, 0.3, 0.2, 0.2, 0.1, 0.05]
TIED_UNWANTED = [0.95, 0.9, 0.8, 0.7, 0.6]
TIED_LABELS = np.array([0] * len(TIED_HAM) + [1] * len(TIED_UNWANTED))
TIED_SCORES = np.array(TIED_HAM + TIED_UNWANTED)


@pytest.mark.parametrize(
    "max_fpr, recall",
    [
        (0.001, 1 / 5),  # 0 false positives allowed: only the 0.95 above every ham row
        (0.05, 1 / 5),  # floor(0.5) = 0 false positives
        (0.1, 3 / 5),  # 1 allowed: down to 0.8; the unwanted 0.7 ties with two ham rows
        (0.2, 3 / 5),  # 2 allowed: the tied pair of ham rows at 0.7 cannot be split, so still 0.8
        (0.3, 5 / 5),  # 3 allowed: down to 0.6
    ],
)
def test_recall_at_fpr_by_hand_with_ties(max_fpr: float, recall: float) -> None:
    assert operating_points(TIED_LABELS, TIED_SCORES, (max_fpr,)) == {recall_key(max_fpr): pytest.approx(recall)}


def test_recall_at_fpr_is_zero_when_a_ham_row_scores_highest() -> None:
    assert operating_points(np.array([0, 1, 0]), np.array([0.9, 0.5, 0.1]), (0.01,)) == {"recall_at_fpr_0.01": 0.0}


def test_curve_metrics_match_sklearn_and_weights_mean_repeated_rows() -> None:
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 2, 300)
    scores = np.round(rng.normal(labels, 1.0), 1)  # rounded: many ties
    weights = rng.integers(0, 4, 300)
    group, groups = tie_groups(scores)
    curves = curve_metrics(np.bincount(group[labels == 1], weights[labels == 1], groups),
                           np.bincount(group[labels == 0], weights[labels == 0], groups), ())
    repeated = np.repeat(np.arange(300), weights)
    assert (curves["roc_auc"][0], curves["pr_auc"][0]) == pytest.approx(
        (roc_auc_score(labels[repeated], scores[repeated]), average_precision_score(labels[repeated], scores[repeated])))


def test_fraud_type_recall_counts_typed_fraud_rows_only_most_frequent_first() -> None:
    """Of LABELS' four fraud rows three name a type; NaN (a frame's empty cell), None and "" name
    none, and a ham row's type is not counted."""
    types = ["贷款", "刷单", float("nan"), "刷单", None, "", "", "刷单"]
    blocked = np.array([1, 0, 0, 1, 0, 0, 0, 1], dtype=bool)
    acted_on = np.array([1, 1, 0, 1, 0, 0, 0, 1], dtype=bool)
    assert fraud_type_recall(LABELS, types, blocked, acted_on) == [
        {"fraud_type": "刷单", "count": 2, "recall_block": 0.5, "recall_warn": 1.0},  # rows 1 and 7
        {"fraud_type": "贷款", "count": 1, "recall_block": 1.0, "recall_warn": 1.0},
    ]
    assert fraud_type_recall(LABELS, None, blocked, acted_on) == []
