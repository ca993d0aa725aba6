"""training/thresholds.py: the lowest threshold whose FPR on validation negatives meets the target."""

from __future__ import annotations

import numpy as np
import pytest

from training.metrics import at_threshold
from training.thresholds import threshold_for_fpr

NEGATIVES = np.round(np.linspace(0.05, 0.95, 10), 2)  # ten distinct negative scores
POSITIVES = np.array([0.5, 0.97, 0.99])
SCORES = np.concatenate([NEGATIVES, POSITIVES])
LABELS = np.array([0] * len(NEGATIVES) + [1] * len(POSITIVES))


@pytest.mark.parametrize("k", range(0, 10))
def test_fpr_target_of_k_negatives_is_met_exactly(k: int) -> None:
    """A target of k/n lets exactly k negatives through, and no lower threshold would."""
    max_fpr = k / len(NEGATIVES)
    threshold = threshold_for_fpr(SCORES, LABELS, max_fpr)
    assert at_threshold(LABELS, SCORES, threshold)["fp"] == k
    assert at_threshold(LABELS, SCORES, threshold)["fpr"] <= max_fpr
    lower = np.sort(NEGATIVES)[::-1][k]  # the next negative: including it breaks the target
    assert threshold > lower
    assert at_threshold(LABELS, SCORES, lower)["fpr"] > max_fpr


@pytest.mark.parametrize("max_fpr, allowed", [(0.001, 0), (0.15, 1), (0.299, 2), (0.3, 3), (0.999, 9)])
def test_between_achievable_rates_the_stricter_one_is_used(max_fpr: float, allowed: int) -> None:
    assert at_threshold(LABELS, SCORES, threshold_for_fpr(SCORES, LABELS, max_fpr))["fp"] == allowed


def test_full_fpr_budget_flags_every_negative() -> None:
    assert threshold_for_fpr(SCORES, LABELS, 1.0) == NEGATIVES.min()


def test_tied_negatives_are_excluded_together() -> None:
    scores = np.array([0.8, 0.8, 0.8, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
    labels = np.zeros(10, dtype=int)
    threshold = threshold_for_fpr(scores, labels, 0.1)
    assert at_threshold(labels, scores, threshold)["fp"] == 0


def test_positives_do_not_move_the_threshold() -> None:
    more_positives = np.concatenate([SCORES, [0.01, 0.6]])
    labels = np.concatenate([LABELS, [1, 1]])
    assert threshold_for_fpr(more_positives, labels, 0.2) == threshold_for_fpr(SCORES, LABELS, 0.2)


def test_no_negatives_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="without negative examples"):
        threshold_for_fpr(POSITIVES, np.ones(len(POSITIVES), dtype=int), 0.01)
