"""training/compare.py: both models on the same held-out rows, pooled, with a paired difference."""

from __future__ import annotations

import pytest

from configs.evaluation import BootstrapConfig, EvaluationConfig
from tests.models.conftest import SMALL_SMS_CONFIG
from training.compare import COMPARED, compare_refit_with_bag, compare_with_baseline
from training.data.demo_sms import generate_demo_sms

EVALUATION = EvaluationConfig(bootstrap=BootstrapConfig(resamples=200))
METRICS = ("roc_auc", "pr_auc", "recall_at_fpr_0.001", "recall_at_fpr_0.01")


@pytest.mark.slow
def test_pooled_out_of_fold_scores_with_paired_intervals() -> None:
    frame = generate_demo_sms(n=400, seed=8)
    result = compare_with_baseline(frame, SMALL_SMS_CONFIG, folds=3, seed=0, max_folds=2, evaluation=EVALUATION)
    assert result["folds_run"] == 2 and 0 < result["n_held_out"] < len(frame)
    pooled = result["pooled"]
    for key in METRICS:
        for model in ("yunmao", "baseline"):
            assert pooled[model][f"{key}_ci_low"] <= pooled[model][key] <= pooled[model][f"{key}_ci_high"], (model, key)
        assert pooled["difference"][key] == pytest.approx(pooled["yunmao"][key] - pooled["baseline"][key])
    assert set(COMPARED) <= set(result["yunmao"]) and set(COMPARED) <= set(result["baseline"])


@pytest.mark.slow
def test_refit_and_bag_of_one_fit_on_the_same_rows_with_their_own_thresholds() -> None:
    """Issue #12: the served refit against the fold bag, each cut at the model's warn / block."""
    frame = generate_demo_sms(n=400, seed=8)
    result = compare_refit_with_bag(frame, SMALL_SMS_CONFIG, folds=3, seed=0, max_folds=1, evaluation=EVALUATION)
    pooled = result["pooled"]
    for key in METRICS:
        assert pooled["difference"][key] == pytest.approx(pooled["refit"][key] - pooled["bag"][key])
    for model in ("refit", "bag"):
        assert all(0 <= result[model][f"{action}_{rate}"] <= 1 for action in ("warn", "block") for rate in ("recall", "fpr"))
        assert result[model]["warn_recall"] >= result[model]["block_recall"], "block is the stricter cut"
    for key in ("warn_recall", "warn_fpr", "block_recall", "block_fpr"):
        difference, low, high = result["at_thresholds"][key]
        assert difference == pytest.approx(result["refit"][key] - result["bag"][key])
        assert low <= difference <= high
