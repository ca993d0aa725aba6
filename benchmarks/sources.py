"""Leave-one-data-set-out: does a model trained on the *other* real sets work on this one?

    PYTHONPATH=. .venv/bin/python benchmarks/sources.py [--held-out telecom_fraud_texts_5 ...] [--max-per-set N]
        [--demo N] [--fbs-folds K --fbs-max-folds N]

For each held-out set: train on every other set in ../shared/data (deduplicated across sets;
rows whose normalised text also appears in the held-out set are dropped from training), once
with the demo generator's data added (``--demo`` messages) and once without, then score the
held-out set. Reports ROC-AUC of ``score`` (unwanted vs ham) and of ``fraud_score`` (fraud vs
ham rows) and, where the set has categories, the share of each category predicted as itself.
A model trained on mudou alone scored Telecom_Fraud_Texts_5 with ROC-AUC 0.22 (issue #10):
advertising-as-spam teaches "promotional = bad". Telecom_Fraud_Texts_5 and fbs_sms are for
measurement only: the shipped default model is never trained on them.
"""

from __future__ import annotations

import argparse
import dataclasses

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from benchmarks.quality import DATA, SETS
from configs import default_config_path, load_config
from configs.sms import SmsConfig
from features.sms.normalise import normalise_text
from training.data.demo_sms import generate_demo_sms
from training.data.sms import load_labelled
from training.data.sms.dedupe import drop_duplicates
from training.split import grouped_folds
from training.train import fit_sms

SOURCES = {**SETS, "fbs_sms": [DATA / "fbs_sms" / "fbs_sms.train.tsv"]}


def sample(frame: pd.DataFrame, cap: int | None, seed: int) -> pd.DataFrame:
    """At most ``cap`` rows of ``frame`` (all of them when ``cap`` is None), drawn with ``seed``."""
    return frame if cap is None or len(frame) <= cap else frame.sample(cap, random_state=seed)


def training_frame(held_out: str, frames: dict[str, pd.DataFrame], demo: int, seed: int) -> pd.DataFrame:
    """All other sets (plus ``demo`` generated messages), deduplicated, minus the held-out texts."""
    parts = [frame for name, frame in frames.items() if name != held_out]
    if demo:
        parts.append(generate_demo_sms(demo, seed=seed))
    merged = drop_duplicates(pd.concat(parts, ignore_index=True)).frame
    held_keys = set(frames[held_out]["text"].map(normalise_text))
    return merged[~merged["text"].map(normalise_text).isin(held_keys)].reset_index(drop=True)


def held_out_figures(model, frame: pd.DataFrame) -> dict[str, float]:
    """ROC-AUC of score and fraud_score, per-category hit rates, and how many messages (ham ones
    among them) fraud_score's own thresholds move to another action, on the held-out set."""
    decisions = model.decide(frame, explain=False)
    if model.fraud_thresholds is not None:
        before = dataclasses.replace(model, fraud_thresholds=None).decide(frame, explain=False)
        moved = np.array([d.action != b.action for d, b in zip(decisions, before, strict=True)])
        figures_moved = {"moved": int(moved.sum()), "ham_moved": int((moved & (frame["category"] == "ham").to_numpy()).sum())}
    else:
        figures_moved = {}
    scores = np.array([d.score for d in decisions])
    figures: dict[str, float] = {"n": len(frame), **figures_moved}
    if frame["label"].nunique() == 2:
        figures["score_auc"] = roc_auc_score(frame["label"], scores)
    versus = frame["category"].isin(["fraud", "ham"]).to_numpy()
    if decisions[0].fraud_score is not None and frame["category"][versus].nunique() == 2:
        fraud_scores = np.array([d.fraud_score for d in decisions])
        figures["fraud_auc"] = roc_auc_score(frame["category"][versus] == "fraud", fraud_scores[versus])
    predicted = pd.Series([d.category for d in decisions], index=frame.index)
    for category in sorted(frame["category"].dropna().unique()):
        rows = frame["category"] == category
        figures[f"as_{category}"] = float((predicted[rows] == category).mean())
    return figures


def _hits(figures: dict[str, float]) -> str:
    """Per-category shares, then how many messages (ham among them) fraud_score's thresholds moved."""
    hits = ", ".join(f"{k[3:]} {v:.3f}" for k, v in figures.items() if k.startswith("as_"))
    if "moved" in figures:
        hits += f"; moved by fraud_score: {figures['moved']} (ham {figures['ham_moved']})"
    return hits


def fbs_own_folds(frames: dict[str, pd.DataFrame], cfg: SmsConfig, folds: int, max_folds: int, demo: int, seed: int) -> None:
    """fbs_sms on its own grouped folds: train on every other set plus fbs's other folds, then
    the share of held-out ``FR:*`` rows categorised fraud and ``AD:*`` rows spam (target 97%)."""
    fbs = frames["fbs_sms"]
    groups = fbs["text"].map(normalise_text)
    strata = (fbs["category"] == "fraud").astype(int)  # every fbs row is unwanted: stratify on fraud
    for fold, (train_idx, held_idx) in enumerate(grouped_folds(strata, groups, folds, seed)):
        if fold >= max_folds:
            break
        others = {**frames, "fbs_sms": fbs.iloc[held_idx], "fbs_train": fbs.iloc[train_idx]}
        model = fit_sms(training_frame("fbs_sms", others, demo, seed), cfg).model
        figures = held_out_figures(model, fbs.iloc[held_idx])
        print(f"| fbs_sms fold {fold + 1}/{folds} ({figures['n']}) | other real sets + other fbs folds"
              f"{f' + {demo} demo' if demo else ''} | | | | {_hits(figures)} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--held-out", nargs="*", default=["telecom_fraud_texts_5"], choices=list(SOURCES))
    parser.add_argument("--max-per-set", type=int, default=None, help="subsample each set (faster)")
    parser.add_argument("--demo", type=int, default=3000, help="demo messages added in the 'with demo' runs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fbs-folds", type=int, default=0, help="also score fbs_sms on K grouped folds of its own")
    parser.add_argument("--fbs-max-folds", type=int, default=1, help="hold out only the first N of those folds")
    args = parser.parse_args()
    cfg = load_config(default_config_path("sms"), SmsConfig)
    frames = {name: sample(load_labelled(paths).frame, args.max_per_set, args.seed) for name, paths in SOURCES.items()}
    print("| held out | trained on | n train | score ROC-AUC | fraud_score ROC-AUC | per category: share predicted as itself |")
    print("|---|---|---|---|---|---|")
    for held_out in args.held_out:
        for demo in (args.demo, 0):
            train = training_frame(held_out, frames, demo, args.seed)
            model = fit_sms(train, cfg).model
            figures = held_out_figures(model, frames[held_out])
            trained_on = "other real sets" + (f" + {demo} demo" if demo else "")
            print(f"| {held_out} ({figures['n']}) | {trained_on} | {len(train)} | {figures.get('score_auc', float('nan')):.4f} "
                  f"| {figures.get('fraud_auc', float('nan')):.4f} | {_hits(figures)} |", flush=True)
    if args.fbs_folds:
        fbs_own_folds(frames, cfg, args.fbs_folds, args.fbs_max_folds, args.demo, args.seed)


if __name__ == "__main__":
    main()
