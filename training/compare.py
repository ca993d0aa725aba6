"""yunmao against the baseline on data neither saw: the quality claim behind README's table.

Rows are deduplicated by the caller (``load_labelled(..., dedupe=True)``: the comparison is over
distinct messages); held-out parts are chosen by group (normalised text), so no copy of a test
message is trained on. Both models train on the same development part.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from configs.evaluation import EvaluationConfig, load_evaluation_config
from configs.sms import SmsConfig
from features.sms.normalise import normalise_text
from training.baseline import build_baseline
from training.bootstrap import paired_intervals
from training.metrics import best_f1, macro_f1, ranking
from training.split import grouped_folds
from training.train import fit_sms

COMPARED = ("roc_auc", "pr_auc", "best_f1")


def compare_with_baseline(
    frame: pd.DataFrame, cfg: SmsConfig, folds: int, seed: int, max_folds: int | None = None,
    evaluation: EvaluationConfig | None = None,
) -> dict:
    """Grouped outer cross-validation: each fold is held out once, both models train on the rest.

    Two views of the same held-out rows:

    - ``yunmao`` / ``baseline``: :data:`COMPARED` metrics computed per held-out fold and averaged
      over the folds run (all ``folds`` unless ``max_folds``), so each model's scores are only
      ranked against scores of the same fitted model.
    - ``pooled``: the out-of-fold scores of every held-out fold together, with paired bootstrap
      intervals (:func:`training.bootstrap.paired_intervals`; ``evaluation`` or the shipped
      ``configs/evaluation.yaml``) for each model and for the difference yunmao − baseline. Pooling
      makes the interval reflect every held-out row, and recall at FPR 0.1% needs more ham rows
      than one fold holds to mean anything.
    """
    evaluation = evaluation or load_evaluation_config()
    frame = frame.reset_index(drop=True)
    groups = frame["text"].map(normalise_text)
    labels = frame["label"].astype(int)
    per_fold: dict[str, list[dict[str, float]]] = {"yunmao": [], "baseline": []}
    held_out: list[np.ndarray] = []
    pooled: dict[str, list[np.ndarray]] = {"yunmao": [], "baseline": []}
    type_true, type_pred = [], []
    for dev_idx, test_idx in list(grouped_folds(labels, groups, folds, seed))[:max_folds]:
        dev, test = frame.iloc[dev_idx].reset_index(drop=True), frame.iloc[test_idx].reset_index(drop=True)
        fit = fit_sms(dev, cfg)
        y_test = test["label"].astype(int).to_numpy()
        features = fit.model.features(test)
        baseline = build_baseline().fit(dev["text"], dev["label"].astype(int))
        scores = {"yunmao": fit.model.score_features(features), "baseline": baseline.predict_proba(test["text"])[:, 1]}
        for model, model_scores in scores.items():
            per_fold[model].append(_ranking_and_f1(y_test, model_scores))
            pooled[model].append(model_scores)
        held_out.append(y_test)
        head = fit.model.fraud_type_head
        if head is not None:
            typed = np.flatnonzero((test["label"].astype(int) == 1).to_numpy() & test["fraud_type"].isin(head.classes).to_numpy())
            type_true += test["fraud_type"].iloc[typed].tolist()
            type_pred += head.predict(features[typed])[0]
    y_pooled = np.concatenate(held_out)
    yunmao, baseline_ci, difference = paired_intervals(
        y_pooled, np.concatenate(pooled["yunmao"]), np.concatenate(pooled["baseline"]), evaluation)
    result = {
        "n_held_out": int(len(y_pooled)),
        "positives_held_out": int(y_pooled.sum()),
        "folds_run": len(held_out),
        **{model: {m: float(np.mean([fold[m] for fold in folds_])) for m in COMPARED} for model, folds_ in per_fold.items()},
        "pooled": {"yunmao": yunmao, "baseline": baseline_ci, "difference": difference},
    }
    if type_true:
        result["yunmao"]["fraud_type_macro_f1"] = macro_f1(type_true, type_pred)
        result["yunmao"]["fraud_type_n"] = len(type_true)
    return result


def _ranking_and_f1(labels: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    return {**ranking(labels, scores), "best_f1": best_f1(labels, scores)[0]}
