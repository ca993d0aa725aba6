"""Fraud-type head on Telecom_Fraud_Texts_5: nested CV, so no choice is tuned to the judging rows.

    OMP_NUM_THREADS=1 PYTHONPATH=. nice -n 10 .venv/bin/python benchmarks/fraud_type_nested.py
        [--folds 4] [--max-folds N] [--seed 0] [--heads shipped ...] [--weights 0 0.25 ...]

Outer loop: grouped folds of the deduplicated set (the same folds as ``benchmarks/quality.py`` and
``tests/quality/test_telecom_fraud_texts.py``). Per outer fold, the featuriser is fitted on the
development part once; every candidate head is cross-fitted on the development part's own grouped
folds (the shipped model's cross-fitting folds), and its *out-of-fold* fraud-type macro-F1 there
is the inner score. The candidate with the best inner score is chosen, and only then is every
candidate scored on the outer held-out rows, which are the same rows for all of them. The table
shows both, so a choice that only the outer rows would have made is visible as such.

Candidates: the LightGBM head as shipped and with one setting changed (:data:`CANDIDATES`), each
alone and with its probabilities blended with the linear per-type text score
(``TYPE_SCORE_NAME`` columns) at weight ``w``.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from benchmarks.dens_quality import wilson
from benchmarks.quality import SETS
from configs import default_config_path, load_config
from configs.sms import ServeConfig, SmsConfig
from features.sms.factory import build_sms_featuriser
from features.sms.normalise import normalise_text
from features.sms.text import TYPE_SCORE_NAME
from models.scam_model import MulticlassHead
from training.data.sms import load_labelled
from training.fit import _fit_multiclass, fold_rows
from training.metrics import macro_f1
from training.split import grouped_folds

WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)  # weight of the linear per-type score in the blend
# LightGBM settings of the head tried beside the shipped ones (configs/sms.yaml fraud_type.lightgbm).
CANDIDATES = {
    "shipped": {},
    "feature_fraction=1.0": {"feature_fraction": 1.0},
    "num_leaves=7": {"num_leaves": 7},
    "learning_rate=0.05": {"learning_rate": 0.05},
    "min_data_in_leaf=20": {"min_data_in_leaf": 20},
    "lambda_l2=1.0": {"lambda_l2": 1.0},
}


def blended(head_proba: np.ndarray, linear_proba: np.ndarray, weight: float) -> np.ndarray:
    return (1 - weight) * head_proba + weight * linear_proba


def linear_columns(names: list[str], classes: list[str]) -> list[int]:
    return [names.index(TYPE_SCORE_NAME.format(fraud_type=c)) for c in classes]


def dense(features, columns: list[int]) -> np.ndarray:
    part = features[:, columns]
    return part.toarray() if hasattr(part, "toarray") else np.asarray(part)


def outer_fold(
    dev: pd.DataFrame, test: pd.DataFrame, cfg: SmsConfig, heads: list[str], weights: list[float]
) -> dict[tuple[str, float], dict[str, float]]:
    """Inner (out-of-fold on ``dev``) and outer (``test``) macro-F1 of every candidate head."""
    dev = dev.reset_index(drop=True)
    y = dev["label"].astype(int)
    groups = dev["text"].map(normalise_text)
    folds = list(grouped_folds(y, groups, cfg.split.folds, cfg.split.seed))
    featuriser = build_sms_featuriser(cfg.features, seed=cfg.split.seed)
    features = featuriser.fit_transform(dev, y.to_numpy(), folds=folds)
    cross_fit = fold_rows(folds, featuriser.fold_column_masks_, y, groups, cfg.split)
    names = [str(n) for n in featuriser.get_feature_names_out()]
    is_fraud = (dev["category"] == "fraud").to_numpy()
    typed_names = dev["fraud_type"].where(is_fraud)
    results = {}
    for candidate in heads:
        overrides = CANDIDATES[candidate]
        lightgbm = cfg.fraud_type.lightgbm.model_copy(update={"params": {**cfg.fraud_type.lightgbm.params, **overrides}})
        head_cfg = cfg.fraud_type.model_copy(update={"lightgbm": lightgbm})
        fitted = _fit_multiclass(head_cfg, ServeConfig(booster="bag"), typed_names, features, cross_fit, cfg.split.seed)
        columns = linear_columns(names, fitted.classes)
        inner_rows = np.flatnonzero(is_fraud & dev["fraud_type"].isin(fitted.classes).to_numpy())
        inner_true = dev["fraud_type"].iloc[inner_rows].tolist()
        test_rows = np.flatnonzero(((test["category"] == "fraud") & test["fraud_type"].isin(fitted.classes)).to_numpy())
        test_true = test["fraud_type"].iloc[test_rows].tolist()
        test_features = featuriser.transform(test.iloc[test_rows])
        test_head = MulticlassHead(fitted.boosters, fitted.classes).proba(test_features)
        for weight in weights:
            inner = blended(fitted.oof_proba[inner_rows], dense(features[inner_rows], columns), weight).argmax(axis=1)
            outer_pred = [fitted.classes[i] for i in blended(test_head, dense(test_features, columns), weight).argmax(axis=1)]
            results[candidate, weight] = {
                "inner": macro_f1(inner_true, [fitted.classes[i] for i in inner]),
                "outer": macro_f1(test_true, outer_pred),
                "outer_correct": int(sum(t == p for t, p in zip(test_true, outer_pred, strict=True))),
                "outer_n": len(test_true),
            }
        print(f"  {candidate}: inner {[round(results[candidate, w]['inner'], 4) for w in weights]}", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--max-folds", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--heads", nargs="*", default=list(CANDIDATES), choices=list(CANDIDATES))
    parser.add_argument("--weights", nargs="*", type=float, default=list(WEIGHTS))
    args = parser.parse_args()
    cfg = load_config(default_config_path("sms"), SmsConfig)
    frame = load_labelled(SETS["telecom_fraud_texts_5"]).frame.reset_index(drop=True)
    groups = frame["text"].map(normalise_text)
    print("| outer fold | head | linear weight | inner macro-F1 (OOF on dev) | chosen | outer macro-F1 | outer accuracy [95% Wilson] |")
    print("|---|---|---|---|---|---|---|")
    splits = list(grouped_folds(frame["label"].astype(int), groups, args.folds, args.seed))[:args.max_folds]
    for fold, (dev_idx, test_idx) in enumerate(splits):
        results = outer_fold(frame.iloc[dev_idx], frame.iloc[test_idx].reset_index(drop=True), cfg, args.heads, args.weights)
        chosen = max(results, key=lambda key: results[key]["inner"])  # first best: the shipped head on ties
        for (candidate, weight), r in results.items():
            low, high = wilson(r["outer_correct"], r["outer_n"])
            print(f"| {fold + 1}/{args.folds} | {candidate} | {weight} | {r['inner']:.4f} | {'**yes**' if (candidate, weight) == chosen else ''} "
                  f"| {r['outer']:.4f} | {r['outer_correct'] / r['outer_n']:.4f} [{low:.4f}, {high:.4f}] |", flush=True)


if __name__ == "__main__":
    main()
