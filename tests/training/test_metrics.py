"""training/metrics.py against values computed by hand on eight scored messages."""

from __future__ import annotations

import numpy as np
import pytest

from training.metrics import at_threshold, best_f1, binary_report

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
