"""Why is yunmao weak at the blocking point? Every part of its score against the baseline, on identical rows.

    OMP_NUM_THREADS=1 nice .venv/bin/python benchmarks/block_point.py [--sets mudou uci] [--folds 4]
        [--seed 0] [--sample N] [--groups text|template|none]
        [--keep-duplicates] [--save PREFIX]

Grouped outer cross-validation (training/split.py, the groups of training/compare.py): each fold
is held out once, yunmao and the char-TF-IDF+LR baseline train on the other folds, and every
score below is computed on the same held-out rows:

- ``baseline``: training/baseline.py;
- ``yunmao``: the shipped score (calibrated);
- ``linear``: the stacked linear text score alone (the column the boosters start from);
- ``trees``: the boosters' correction alone (without the linear base margin);
- ``λ=…``: linear margin + λ × trees, a blend of the two (λ=1 is yunmao's ranking): the whole
  curve on held-out rows, a diagnostic, not a model (a λ read off held-out rows would be tuned on them).

Metrics per held-out fold, averaged over folds (each model's scores are only ranked against
scores of the same fit): ROC-AUC, PR-AUC, recall at FPR 0.1% and 1% (the threshold set on the
held-out negatives themselves: what the score *could* do at that FPR). ``pooled`` recalls
rank all folds' held-out rows together, as one carrier threshold would (calibrated scores only).
``saturated`` counts held-out rows whose linear probability sits at the clip of the base margin.

``--groups template`` keeps near-duplicate templates (features/sms/templates.py: MinHash LSH,
connected components) on one side of the outer *and* the inner folds, instead of exact
normalised text.
"""

from __future__ import annotations

import argparse
from collections import defaultdict

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from configs import default_config_path, load_config
from configs.campaigns import CampaignsConfig
from configs.paths import PROJECT_ROOT
from configs.sms import SmsConfig
from features.sms.normalise import normalise_text
from features.sms.templates import TemplateSigner
from features.sms.text import LINEAR_SCORE_NAME
from models.ensemble import base_margin
from training.baseline import build_baseline
from training.data.sms import load_labelled
from training.metrics import ranking
from training.split import grouped_folds
from training.thresholds import threshold_for_fpr
from training.train import fit_sms

DATA = PROJECT_ROOT.parent / "shared" / "data"
SETS = {
    "mudou": DATA / "mudou_spam" / "mudou_spam.train",
    "uci": DATA / "uci_sms_spam" / "SMSSpamCollection.train30",
}
FPRS = (0.001, 0.01)
LAMBDAS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
CLIP_LOGIT = 13.8  # |logit| of models.ensemble's probability clip (1e-6): the base margin cannot exceed it


def recall_at_fpr(labels: np.ndarray, scores: np.ndarray, max_fpr: float) -> float:
    """Share of positives at or above the lowest threshold whose FPR on these negatives is <= ``max_fpr``."""
    threshold = threshold_for_fpr(scores, labels, max_fpr)
    return float(np.mean(scores[labels == 1] >= threshold))


def block_metrics(labels: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    scores = np.asarray(scores, dtype=np.float64)
    return {**ranking(labels, scores), **{f"r@{fpr:.1%}": recall_at_fpr(labels, scores, fpr) for fpr in FPRS}}


def template_groups(texts: pd.Series) -> pd.Series:
    """Group id per message: connected components of the 'same template' LSH graph (short texts alone)."""
    signer = TemplateSigner(load_config(default_config_path("campaigns"), CampaignsConfig).template)
    index = signer.index()
    signatures = [signer.signature(text) for text in texts]
    for row, signature in enumerate(signatures):
        if signature is not None:
            index.insert(row, signature)
    pairs = [(row, match) for row, signature in enumerate(signatures) if signature is not None for match in index.query(signature)]
    rows, matches = np.array(pairs, dtype=int).reshape(-1, 2).T
    graph = coo_matrix((np.ones(len(rows)), (rows, matches)), shape=(len(texts), len(texts)))
    return pd.Series(connected_components(graph, directed=False)[1], index=texts.index)


def held_out_scores(dev: pd.DataFrame, test: pd.DataFrame, cfg: SmsConfig, dev_groups: pd.Series | None) -> tuple[dict, dict]:
    """Every score of the comparison on ``test`` after training on ``dev``, and fit diagnostics."""
    fit = fit_sms(dev, cfg, groups=dev_groups)
    features = fit.model.features(test)
    base = base_margin(features, fit.model.feature_names.index(LINEAR_SCORE_NAME))
    trees = fit.model.booster.raw_margin(features) - base
    y_dev = dev["label"].astype(int).to_numpy()
    scores = {
        "baseline": build_baseline().fit(dev["text"], y_dev).predict_proba(test["text"])[:, 1],
        "yunmao": fit.model.score_features(features),
        "linear": 1.0 / (1.0 + np.exp(-base)),
        "trees": trees,
        **{f"λ={value}": base + value * trees for value in LAMBDAS},
    }
    y_test = test["label"].astype(int).to_numpy()
    block = fit.model.thresholds.block
    diagnostics = {
        "saturated linear (pos, neg)": (int(np.sum(base[y_test == 1] >= CLIP_LOGIT)), int(np.sum(base[y_test == 0] >= CLIP_LOGIT))),
        "block threshold": round(block, 4),
        "held-out FPR, recall at block": (
            round(float(np.mean(scores["yunmao"][y_test == 0] >= block)), 4),
            round(float(np.mean(scores["yunmao"][y_test == 1] >= block)), 4),
        ),
        "best iterations": fit.metrics["best_iterations"],
    }
    return scores, diagnostics


def outer_groups(texts: pd.Series, grouping: str) -> pd.Series:
    if grouping == "template":
        return template_groups(texts)
    if grouping == "none":
        return pd.Series(np.arange(len(texts)), index=texts.index)
    return texts.map(normalise_text)


def run(name: str, frame: pd.DataFrame, cfg: SmsConfig, folds: int, seed: int, grouping: str, save: str | None) -> None:
    frame = frame.reset_index(drop=True)
    groups = outer_groups(frame["text"], grouping)
    labels = frame["label"].astype(int)
    per_fold: dict[str, list[dict[str, float]]] = defaultdict(list)
    pooled: dict[str, list[np.ndarray]] = defaultdict(list)
    pooled_labels = []
    print(f"\n## {name}: {len(frame)} messages ({int(labels.sum())} unwanted), {grouping} groups "
          f"({groups.nunique()}), {folds}-fold outer CV, seed {seed}")
    for k, (dev_idx, test_idx) in enumerate(grouped_folds(labels, groups, folds, seed)):
        dev, test = frame.iloc[dev_idx].reset_index(drop=True), frame.iloc[test_idx].reset_index(drop=True)
        scores, diagnostics = held_out_scores(dev, test, cfg, None if grouping == "none" else groups.iloc[dev_idx])
        y_test = test["label"].astype(int).to_numpy()
        pooled_labels.append(y_test)
        for model, values in scores.items():
            per_fold[model].append(block_metrics(y_test, values))
            pooled[model].append(np.asarray(values))
        print(f"fold {k}: {len(test)} held out ({int(y_test.sum())} unwanted); {diagnostics}", flush=True)
    all_labels = np.concatenate(pooled_labels)
    if save:
        np.savez(save, labels=all_labels, **{model: np.concatenate(values) for model, values in pooled.items()})
    print("\n| model | ROC-AUC | PR-AUC | recall@FPR0.1% | recall@FPR1% | pooled r@0.1% | pooled r@1% |")
    print("|---|---|---|---|---|---|---|")
    for model, folds_ in per_fold.items():
        means = " | ".join(f"{np.mean([fold[m] for fold in folds_]):.4f}" for m in folds_[0])
        comparable = model in ("baseline", "yunmao", "linear")  # one probability scale across folds
        pooled_cells = " | ".join(
            f"{recall_at_fpr(all_labels, np.concatenate(pooled[model]), fpr):.4f}" if comparable else "–" for fpr in FPRS
        )
        print(f"| {model} | {means} | {pooled_cells} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="*", default=list(SETS), choices=list(SETS))
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sample", type=int, default=None, help="random subsample of each set (exploration only)")
    parser.add_argument("--groups", choices=("text", "template", "none"), default="text",
                        help="outer fold groups; none: every row alone (with --keep-duplicates: copies cross folds)")
    parser.add_argument("--keep-duplicates", action="store_true", help="do not deduplicate the file (memory regime)")
    parser.add_argument("--save", default=None, help="write every held-out score to this .npz")
    args = parser.parse_args()
    cfg = load_config(default_config_path("sms"), SmsConfig)
    for name in args.sets:
        frame = load_labelled([SETS[name]], dedupe=not args.keep_duplicates).frame
        if args.sample and args.sample < len(frame):
            frame = frame.sample(args.sample, random_state=args.seed)
        run(name, frame, cfg, args.folds, args.seed, args.groups, args.save and f"{args.save}.{name}.npz")


if __name__ == "__main__":
    main()
