"""training/compare.py: both models on the same held-out rows, pooled, with a paired difference."""

from __future__ import annotations

import pytest

from configs.evaluation import BootstrapConfig, EvaluationConfig
from tests.models.conftest import SMALL_SMS_CONFIG
from training.compare import COMPARED, compare_with_baseline
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
