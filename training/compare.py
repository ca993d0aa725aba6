"""yunmao against the baseline on data neither saw: the quality claim behind README's table.

Rows are deduplicated by the loader; the held-out part is chosen by group (normalised text),
so no copy of a test message is trained on. Both models train on the same development part.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from configs.sms import SmsConfig
from features.factory import build_sms_featuriser
from features.normalise import normalise_text
from training.baseline import build_baseline
from training.evaluate import evaluate_model
from training.fit import fit_scam_model
from training.metrics import best_f1, ranking
from training.split import grouped_split

COMPARED = ("roc_auc", "pr_auc", "best_f1")


def compare_with_baseline(frame: pd.DataFrame, cfg: SmsConfig, test_fraction: float, seed: int) -> dict:
    """Fit yunmao and the baseline on one development part; score both on the held-out part."""
    frame = frame.reset_index(drop=True)
    groups = frame["text"].map(normalise_text)
    dev_idx, test_idx = grouped_split(frame["label"].astype(int), groups, test_fraction, seed)
    dev, test = frame.iloc[dev_idx].reset_index(drop=True), frame.iloc[test_idx].reset_index(drop=True)
    fit = fit_scam_model(
        dev,
        kind="sms",
        featuriser=build_sms_featuriser(cfg.features, seed=cfg.split.seed),
        groups=groups.iloc[dev_idx].reset_index(drop=True),
        lightgbm=cfg.lightgbm,
        thresholds=cfg.thresholds,
        split=cfg.split,
        fraud_type=cfg.fraud_type,
    )
    yunmao = evaluate_model(fit.model, test)
    baseline_model = build_baseline().fit(dev["text"], dev["label"].astype(int))
    y_test = test["label"].astype(int).to_numpy()
    baseline_scores = baseline_model.predict_proba(test["text"])[:, 1]
    baseline = {**ranking(y_test, baseline_scores), "best_f1": best_f1(y_test, baseline_scores)[0]}
    return {"n_dev": len(dev), "n_test": len(test), "positives_test": int(y_test.sum()), "yunmao": yunmao, "baseline": baseline}


def summarise(runs: list[dict]) -> dict[str, dict[str, float]]:
    """Mean of each compared metric over runs (e.g. several seeds), per model."""
    return {
        model: {metric: float(np.mean([run[model][metric] for run in runs])) for metric in COMPARED}
        for model in ("yunmao", "baseline")
    }
