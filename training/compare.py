"""yunmao against the baseline on data neither saw: the quality claim behind README's table.

Rows are deduplicated by the loader; held-out parts are chosen by group (normalised text),
so no copy of a test message is trained on. Both models train on the same development part.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from configs.sms import SmsConfig
from features.sms.normalise import normalise_text
from training.baseline import build_baseline
from training.metrics import best_f1, macro_f1, ranking
from training.split import grouped_folds
from training.train import fit_sms

COMPARED = ("roc_auc", "pr_auc", "best_f1")


def compare_with_baseline(frame: pd.DataFrame, cfg: SmsConfig, folds: int, seed: int, max_folds: int | None = None) -> dict:
    """Grouped outer cross-validation: each fold is held out once, both models train on the rest.

    Metrics are computed per held-out fold and averaged over the folds run (all ``folds``
    unless ``max_folds``): on a small set every message then counts once, while each model's
    scores are only ranked against scores of the same fitted model.
    """
    frame = frame.reset_index(drop=True)
    groups = frame["text"].map(normalise_text)
    labels = frame["label"].astype(int)
    per_fold: dict[str, list[dict[str, float]]] = {"yunmao": [], "baseline": []}
    held_out, positives, type_true, type_pred = 0, 0, [], []
    for dev_idx, test_idx in list(grouped_folds(labels, groups, folds, seed))[:max_folds]:
        dev, test = frame.iloc[dev_idx].reset_index(drop=True), frame.iloc[test_idx].reset_index(drop=True)
        fit = fit_sms(dev, cfg)
        y_test = test["label"].astype(int).to_numpy()
        features = fit.model.features(test)
        per_fold["yunmao"].append(_ranking_and_f1(y_test, fit.model.score_features(features)))
        baseline = build_baseline().fit(dev["text"], dev["label"].astype(int))
        per_fold["baseline"].append(_ranking_and_f1(y_test, baseline.predict_proba(test["text"])[:, 1]))
        held_out, positives = held_out + len(y_test), positives + int(y_test.sum())
        head = fit.model.fraud_type_head
        if head is not None:
            typed = np.flatnonzero((test["label"].astype(int) == 1).to_numpy() & test["fraud_type"].isin(head.classes).to_numpy())
            type_true += test["fraud_type"].iloc[typed].tolist()
            type_pred += head.predict(features[typed])[0]
    result = {
        "n_held_out": held_out,
        "positives_held_out": positives,
        **{model: {m: float(np.mean([fold[m] for fold in folds_])) for m in COMPARED} for model, folds_ in per_fold.items()},
    }
    if type_true:
        result["yunmao"]["fraud_type_macro_f1"] = macro_f1(type_true, type_pred)
        result["yunmao"]["fraud_type_n"] = len(type_true)
    return result


def _ranking_and_f1(labels: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    return {**ranking(labels, scores), "best_f1": best_f1(labels, scores)[0]}

