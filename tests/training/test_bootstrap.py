"""training/bootstrap.py: intervals that hold the measured value, narrow with rows, and pair exactly."""

from __future__ import annotations

import numpy as np
import pytest

from configs.evaluation import BootstrapConfig, EvaluationConfig
from training.bootstrap import FoldPair, intervals, paired_fold_difference, paired_intervals, paired_rate_difference
from training.metrics import at_threshold, ranking

EVALUATION = EvaluationConfig(bootstrap=BootstrapConfig(resamples=300, seed=1))
METRICS = ("roc_auc", "pr_auc", "recall_at_fpr_0.001", "recall_at_fpr_0.01")


def _scored(rows: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Unwanted rows score about 2.5 standard deviations above ham: AUC ~0.96, recall@1% ~0.5."""
    rng = np.random.default_rng(seed)
    labels = (rng.random(rows) < 0.3).astype(int)
    return labels, rng.normal(2.5 * labels, 1.0)


def _width(result: dict[str, float], key: str) -> float:
    return result[f"{key}_ci_high"] - result[f"{key}_ci_low"]


def test_interval_holds_the_measured_value() -> None:
    labels, scores = _scored(2000)
    result = intervals(labels, scores, EVALUATION)
    for key in METRICS:
        assert result[f"{key}_ci_low"] <= result[key] <= result[f"{key}_ci_high"], key
        assert _width(result, key) > 0, key


def test_interval_narrows_with_more_rows() -> None:
    small, large = intervals(*_scored(1000), EVALUATION), intervals(*_scored(10_000), EVALUATION)
    for key in ("roc_auc", "pr_auc", "recall_at_fpr_0.01"):
        assert _width(large, key) < 0.6 * _width(small, key), key


def test_same_seed_same_interval_other_seed_other_interval() -> None:
    labels, scores = _scored(500)
    other_seed = EvaluationConfig(bootstrap=BootstrapConfig(resamples=300, seed=2))
    assert intervals(labels, scores, EVALUATION) == intervals(labels, scores, EVALUATION)
    assert intervals(labels, scores, EVALUATION) != intervals(labels, scores, other_seed)


def test_a_model_against_itself_differs_by_exactly_zero() -> None:
    labels, scores = _scored(1000)
    first, other, difference = paired_intervals(labels, scores, scores.copy(), EVALUATION)
    assert first == other == intervals(labels, scores, EVALUATION)
    assert difference == {f"{key}{part}": 0.0 for key in METRICS for part in ("", "_ci_low", "_ci_high")}


def test_paired_difference_sees_a_better_model() -> None:
    labels, scores = _scored(2000)
    sharper = scores + 1.0 * labels
    _, _, difference = paired_intervals(labels, sharper, scores, EVALUATION)
    assert difference["roc_auc_ci_low"] > 0 and difference["recall_at_fpr_0.01_ci_low"] > 0


@pytest.mark.parametrize("labels", [[1, 1, 1], [0, 0, 0]])
def test_one_class_is_refused(labels: list[int]) -> None:
    with pytest.raises(ValueError, match="both unwanted and normal"):
        intervals(np.array(labels), np.array([0.1, 0.2, 0.3]), EVALUATION)


def test_paired_scores_must_cover_the_same_rows() -> None:
    labels, scores = _scored(100)
    with pytest.raises(ValueError, match="same rows"):
        paired_intervals(labels, scores, scores[:-1], EVALUATION)


def test_paired_rate_difference_holds_the_gap_and_is_zero_for_identical_hits() -> None:
    rng = np.random.default_rng(0)
    hits = rng.random(900) < 0.55
    assert paired_rate_difference(hits, hits, EVALUATION) == (0.0, 0.0, 0.0)
    fewer = hits & (rng.random(900) < 0.85)  # the other model misses ~15 % of these hits
    difference, low, high = paired_rate_difference(fewer, hits, EVALUATION)
    assert difference == pytest.approx(fewer.mean() - hits.mean())
    assert low <= difference <= high < 0, "every row the first model hits the other hits too: the gap is real"


def _folds(sharpen: float, count: int = 3) -> list[FoldPair]:
    """Folds where the first model's unwanted rows score ``sharpen`` higher than the other's."""
    folds = []
    for seed in range(count):
        labels, scores = _scored(800, seed)
        folds.append(FoldPair(labels, scores + sharpen * labels, 1.5, scores, 1.5))
    return folds


def test_fold_difference_is_the_mean_of_the_folds_differences() -> None:
    folds = _folds(0.5)
    difference = paired_fold_difference(folds, EVALUATION)
    f1 = [at_threshold(f.labels, f.first, 1.5)["f1"] - at_threshold(f.labels, f.other, 1.5)["f1"] for f in folds]
    auc = [ranking(f.labels, f.first)["roc_auc"] - ranking(f.labels, f.other)["roc_auc"] for f in folds]
    assert difference["f1"] == pytest.approx(np.mean(f1))
    assert difference["roc_auc"] == pytest.approx(np.mean(auc))
    assert 0 < difference["f1_ci_low"] < difference["f1"] < difference["f1_ci_high"]
    assert 0 < difference["roc_auc_ci_low"] < difference["roc_auc"] < difference["roc_auc_ci_high"]


def test_fold_difference_of_a_model_with_itself_is_exactly_zero() -> None:
    same = [FoldPair(f.labels, f.other, 1.5, f.other.copy(), 1.5) for f in _folds(0.0)]
    assert set(paired_fold_difference(same, EVALUATION).values()) == {0.0}


def test_fold_difference_uses_each_models_own_threshold() -> None:
    labels, scores = _scored(800)
    # Same scores, but the first flags everything: its F1 is the all-positive F1, below the other's.
    difference = paired_fold_difference([FoldPair(labels, scores, -np.inf, scores, 1.5)], EVALUATION)
    assert difference["roc_auc"] == 0.0
    assert difference["f1_ci_high"] < 0


def test_fold_difference_needs_folds_with_matching_rows() -> None:
    labels, scores = _scored(100)
    with pytest.raises(ValueError, match="at least one fold"):
        paired_fold_difference([], EVALUATION)
    with pytest.raises(ValueError, match="fold 0: paired scores must cover the same rows"):
        paired_fold_difference([FoldPair(labels, scores, 0.5, scores[:-1], 0.5)], EVALUATION)


def test_a_bound_past_the_point_by_rounding_alone_is_the_point() -> None:
    """A perfect ranking: scikit-learn's PR-AUC sums to 0.9999999999999999, every resample's to
    1.0; the interval must still hold the figure it bounds (a real gap is kept)."""
    from training.bootstrap import _with_bounds

    bounded = _with_bounds({"pr_auc": 0.9999999999999999, "roc_auc": 0.5}, {"pr_auc": np.ones(200), "roc_auc": np.full(200, 0.7)}, 0.95)
    assert bounded["pr_auc_ci_low"] <= bounded["pr_auc"] <= bounded["pr_auc_ci_high"]
    assert bounded["roc_auc_ci_low"] == pytest.approx(0.7)  # not rounding: left as measured
