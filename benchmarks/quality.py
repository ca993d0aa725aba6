"""Quality on real data: yunmao vs the char-TF-IDF + LogisticRegression baseline.

    .venv/bin/python benchmarks/quality.py [--folds 4] [--seeds 2] [--max-folds N] [--sets mudou_spam ...] [--serve]

For each set in ../shared/data: grouped outer cross-validation (deduplicated; each message
held out once, both models trained on the other folds), repeated with several seeds so one
lucky partition cannot carry the claim. Per set and seed, a Markdown table: ROC-AUC, PR-AUC and
recall at the configured false positive rates (configs/evaluation.yaml) on the pooled
out-of-fold scores of all held-out folds, each with its bootstrap interval, then the paired
difference yunmao − baseline on the same resamples; best F1 is the mean of per-fold values,
and fraud-type macro-F1 on Telecom_Fraud_Texts_5 is pooled over the held-out folds.

``--serve`` (issue #12) compares instead what one fit can serve: the refitted booster per head
(``refit``) against the fold boosters averaged (``bag``), same fit, same held-out rows, with recall
and FPR at the model's own warn / block thresholds (set on the fold boosters' out-of-fold scores).
"""

from __future__ import annotations

import argparse

from configs import default_config_path, load_config
from configs.evaluation import load_evaluation_config
from configs.paths import PROJECT_ROOT
from configs.sms import SmsConfig
from training.compare import compare_refit_with_bag, compare_with_baseline
from training.data.sms import load_labelled
from training.metrics import recall_key

DATA = PROJECT_ROOT.parent / "shared" / "data"
SETS = {
    "mudou_spam": [DATA / "mudou_spam" / "mudou_spam.train"],
    "uci_sms_spam": [DATA / "uci_sms_spam" / "SMSSpamCollection.train30"],
    "sms80w_sample": [DATA / "sms80w_sample" / "junk_message.txt"],
    "telecom_fraud_texts_5": sorted((DATA / "telecom_fraud_texts_5").glob("label0*-last.csv")),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--max-folds", type=int, default=None, help="hold out only the first N folds (faster)")
    parser.add_argument("--sets", nargs="*", default=list(SETS), choices=list(SETS))
    parser.add_argument("--serve", action="store_true", help="refitted booster vs the fold bag of the same fit (issue #12)")
    args = parser.parse_args()
    compare, models = (compare_refit_with_bag, ("refit", "bag")) if args.serve else (compare_with_baseline, ("yunmao", "baseline"))
    cfg = load_config(default_config_path("sms"), SmsConfig)
    evaluation = load_evaluation_config()
    keys = ("roc_auc", "pr_auc", *map(recall_key, evaluation.recall_at_fpr))
    rates = " | ".join(f"recall@FPR {rate:.1%}" for rate in evaluation.recall_at_fpr)
    boot = evaluation.bootstrap
    folds_run = args.max_folds or args.folds
    print(f"grouped {args.folds}-fold outer CV ({folds_run} held out) x {args.seeds} seeds; pooled out-of-fold scores, "
          f"{boot.level:.0%} paired percentile bootstrap ({boot.resamples} resamples, seed {boot.seed}); "
          "best F1: mean of per-fold values\n")
    at_cuts = " | warn recall / FPR | block recall / FPR" if args.serve else ""
    print(f"| set | seed | held-out messages (fraud) | model | ROC-AUC | PR-AUC | {rates} | best F1 | fraud-type macro-F1{at_cuts} |")
    print("|---|---|---|---|---|---|" + "---|" * (len(evaluation.recall_at_fpr) + (2 if args.serve else 0)) + "---|---|")
    for name in args.sets:
        frame = load_labelled(SETS[name], dedupe=True).frame
        for seed in range(args.seeds):
            run = compare(frame, cfg, args.folds, seed, args.max_folds, evaluation)
            size = f"{run['n_held_out']} ({run['positives_held_out']})"
            for model in (*models, "difference"):
                pooled = run["pooled"][model]
                cells = " | ".join(_with_interval(pooled, key, signed=model == "difference") for key in keys)
                per_fold = run.get(model, {})
                f1_cell = f"{per_fold['best_f1']:.4f}" if "best_f1" in per_fold else ""
                type_cell = f"{per_fold['fraud_type_macro_f1']:.4f}" if "fraud_type_macro_f1" in per_fold else ""
                label = " − ".join(models) if model == "difference" else model
                cuts = "".join(_at_threshold_cell(run, model, action) for action in ("warn", "block")) if args.serve else ""
                print(f"| {name} | {seed} | {size} | {label} | {cells} | {f1_cell} | {type_cell}{cuts} |", flush=True)


def _at_threshold_cell(run: dict, model: str, action: str) -> str:
    """Recall / FPR at the model's own ``action`` threshold; for the difference, each with its interval."""
    if model != "difference":
        metrics = run[model]
        return f" | {metrics[f'{action}_recall']:.4f} / {metrics[f'{action}_fpr']:.4f}"
    paired = run["at_thresholds"]
    return " | " + " / ".join("{:+.4f} [{:+.4f}, {:+.4f}]".format(*paired[f"{action}_{rate}"]) for rate in ("recall", "fpr"))


def _with_interval(metrics: dict[str, float], key: str, *, signed: bool) -> str:
    shape = "{:+.4f}" if signed else "{:.4f}"
    low, high = shape.format(metrics[f"{key}_ci_low"]), shape.format(metrics[f"{key}_ci_high"])
    return f"{shape.format(metrics[key])} [{low}, {high}]"


if __name__ == "__main__":
    main()
