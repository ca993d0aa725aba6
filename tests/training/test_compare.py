"""training/compare.py: both models on the same held-out rows, pooled, with a paired difference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from configs.evaluation import BootstrapConfig, EvaluationConfig
from configs.obfuscation import load_obfuscation_config
from configs.sms import DuplicatesConfig
from features.sms.normalise import normalise_text
from tests.models.conftest import SMALL_SMS_CONFIG
from training.compare import (
    COMPARED,
    compare_candidate,
    compare_refit_with_bag,
    compare_with_baseline,
    outer_folds,
    training_rows,
)
from training.data.demo_sms import generate_demo_sms
from training.data.sms.dedupe import WEIGHT_COLUMN
from training.obfuscate import unwanted_obfuscated

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


@pytest.mark.slow
def test_variants_of_the_held_out_rows_are_scored_by_the_same_fits() -> None:
    """Issue #11's obfuscated view: one fit per fold scores the clean and the rewritten rows, paired."""
    frame = generate_demo_sms(n=400, seed=8)
    variants = {"same": lambda rows: rows, "obfuscated": unwanted_obfuscated(load_obfuscation_config())}
    result = compare_with_baseline(frame, SMALL_SMS_CONFIG, folds=3, seed=0, max_folds=1, evaluation=EVALUATION, variants=variants)
    same, obfuscated = result["variants"]["same"], result["variants"]["obfuscated"]
    assert {model: same[model] for model in ("yunmao", "baseline", "difference")} == result["pooled"]
    assert all(value == 0 for drop in same["drop"].values() for value in drop.values())
    for key in METRICS:
        assert obfuscated["difference"][key] == pytest.approx(obfuscated["yunmao"][key] - obfuscated["baseline"][key])
        for model in ("yunmao", "baseline"):
            assert obfuscated["drop"][model][key] == pytest.approx(result["pooled"][model][key] - obfuscated[model][key])
    assert obfuscated["yunmao"] != result["pooled"]["yunmao"], "the rewritten rows are scored, not the clean ones"


def _with_copies(n: int = 400, copies: int = 120) -> pd.DataFrame:
    """Demo SMS plus repeated copies of some of them, as a campaign resends a template."""
    frame = generate_demo_sms(n=n, seed=8)
    return pd.concat([frame, frame.iloc[:copies]], ignore_index=True)


def test_grouped_view_keeps_copies_on_one_side_and_random_view_lets_them_cross() -> None:
    frame = _with_copies()
    groups, labels = frame["text"].map(normalise_text), frame["label"].astype(int)
    grouped = outer_folds("grouped", labels, groups, 3, seed=0)
    random = outer_folds("random", labels, groups, 3, seed=0)
    assert all(not set(groups.iloc[dev]) & set(groups.iloc[held]) for dev, held in grouped)
    assert any(set(groups.iloc[dev]) & set(groups.iloc[held]) for dev, held in random)
    for folds in (grouped, random):
        assert sorted(np.concatenate([held for _, held in folds]).tolist()) == list(range(len(frame)))
    with pytest.raises(ValueError, match="unknown view 'sealed'"):
        outer_folds("sealed", labels, groups, 3, seed=0)


def test_the_weight_policy_trains_each_development_text_once_weighted_by_its_copies() -> None:
    """``compare_candidate`` fits a ``weight`` candidate on what ``yunmao train`` would fit on."""
    frame = _with_copies()
    weigh = SMALL_SMS_CONFIG.model_copy(update={"duplicates": DuplicatesConfig(policy="weight")})
    rows = training_rows(frame, weigh)
    keys = frame["text"].map(normalise_text)
    assert len(rows) == keys.nunique() and not rows["text"].map(normalise_text).duplicated().any()
    copies = rows["text"].map(normalise_text).map(keys.value_counts())
    assert rows[WEIGHT_COLUMN].to_numpy() == pytest.approx(1 + np.log(copies.to_numpy(dtype=float)))
    assert WEIGHT_COLUMN not in training_rows(frame, SMALL_SMS_CONFIG)


@pytest.mark.slow
def test_candidate_against_shipped_on_the_same_random_rows_copies_included() -> None:
    """The random view scores every held-out row (copies too); the grouped view each distinct text once."""
    frame = _with_copies()
    candidate = SMALL_SMS_CONFIG.model_copy(update={"duplicates": DuplicatesConfig(policy="keep_max", max_copies=3)})
    random = compare_candidate(frame, SMALL_SMS_CONFIG, candidate, folds=3, seed=0, max_folds=1,
                               evaluation=EVALUATION, view="random")
    held = next(iter(outer_folds("random", frame["label"].astype(int), frame["text"].map(normalise_text), 3, 0)))[1]
    assert random["view"] == "random" and random["n_held_out"] == len(held)
    pooled = random["pooled"]
    for key in METRICS:
        assert pooled["difference"][key] == pytest.approx(pooled["candidate"][key] - pooled["shipped"][key])
    grouped = compare_with_baseline(frame, SMALL_SMS_CONFIG, folds=3, seed=0, max_folds=3, evaluation=EVALUATION)
    assert grouped["n_held_out"] == frame["text"].map(normalise_text).nunique()
