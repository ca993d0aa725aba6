"""Quality on real data: yunmao vs the char-TF-IDF + LogisticRegression baseline.

    .venv/bin/python benchmarks/quality.py [--folds 4] [--seeds 2] [--max-folds N] [--sets mudou_spam ...]
        [--views grouped,random] [--sample N] [--serve | --candidate YUNMAO_SMS__KEY=VALUE ...]

For each set in ../shared/data and each view (training/compare.py: ``grouped`` folds by
normalised text, each distinct message held out once; ``random``: stratified random folds over
every row, copies crossing as in the sealed hold-outs), outer cross-validation with both models
trained on the other folds, repeated with several seeds so one
lucky partition cannot carry the claim. Per set and seed, a Markdown table: ROC-AUC, PR-AUC and
recall at the configured false positive rates (configs/evaluation.yaml) on the pooled
out-of-fold scores of all held-out folds, each with its bootstrap interval, then the paired
difference yunmao − baseline on the same resamples; best F1 is the mean of per-fold values,
and fraud-type macro-F1 on Telecom_Fraud_Texts_5 is pooled over the held-out folds.

``--serve`` (issue #12) compares instead what one fit can serve: the refitted booster per head
(``refit``) against the fold boosters averaged (``bag``), same fit, same held-out rows, with recall
and FPR at the model's own warn / block thresholds (set on the fold boosters' out-of-fold scores).

``--candidate`` compares instead a candidate configuration (the shipped ``configs/sms.yaml`` with
those overrides, training/candidate.py) against the shipped one, both yunmao, on identical rows:
``difference`` is candidate − shipped. ``--sample N`` draws N rows (stratified by label, seeded)
from the set's rows before the folds, so a slow set finishes.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from functools import partial

import pandas as pd

from configs import default_config_path, load_config
from configs.evaluation import load_evaluation_config
from configs.paths import PROJECT_ROOT
from configs.sms import SmsConfig
from training.candidate import candidate_config
from training.compare import VIEWS, compare_candidate, compare_refit_with_bag, compare_with_baseline
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
    parser.add_argument("--views", default="grouped", help=f"comma-separated, of {', '.join(VIEWS)}")
    parser.add_argument("--sample", type=int, default=None, help="N rows per set, stratified by label (seed 0)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--serve", action="store_true", help="refitted booster vs the fold bag of the same fit (issue #12)")
    mode.add_argument("--candidate", action="append", metavar="YUNMAO_SMS__KEY=VALUE",
                      help="a candidate config (repeat for several settings) vs the shipped one")
    args = parser.parse_args()
    cfg = load_config(default_config_path("sms"), SmsConfig)
    views = [view.strip() for view in args.views.split(",")]
    if unknown := [view for view in views if view not in VIEWS]:
        parser.error(f"--views: unknown {unknown}; expected some of {', '.join(VIEWS)}")
    try:
        compare, models = _comparison(args, cfg)
    except ValueError as exc:
        parser.error(str(exc))
    evaluation = load_evaluation_config()
    keys = ("roc_auc", "pr_auc", *map(recall_key, evaluation.recall_at_fpr))
    rates = " | ".join(f"recall@FPR {rate:.1%}" for rate in evaluation.recall_at_fpr)
    boot = evaluation.bootstrap
    folds_run = args.max_folds or args.folds
    print(f"{args.folds}-fold outer CV ({folds_run} held out) x {args.seeds} seeds, views {', '.join(views)}; "
          f"pooled out-of-fold scores, {boot.level:.0%} paired percentile bootstrap ({boot.resamples} resamples, "
          f"seed {boot.seed}); best F1: mean of per-fold values"
          + (f"; candidate: {' '.join(args.candidate)}" if args.candidate else "") + "\n")
    at_cuts = " | warn recall / FPR | block recall / FPR" if models[0] != "yunmao" else ""
    print(f"| set | view | seed | held-out messages (unwanted) | model | ROC-AUC | PR-AUC | {rates} | best F1 | fraud-type macro-F1{at_cuts} |")
    print("|---|---|---|---|---|---|---|" + "---|" * (len(evaluation.recall_at_fpr) + (2 if at_cuts else 0)) + "---|---|")
    for name in args.sets:
        frame = _sampled(load_labelled(SETS[name], dedupe=False).frame, args.sample)
        for view in views:
            for seed in range(args.seeds):
                run = compare(frame, folds=args.folds, seed=seed, max_folds=args.max_folds, evaluation=evaluation, view=view)
                size = f"{run['n_held_out']} ({run['positives_held_out']})"
                for model in (*models, "difference"):
                    pooled = run["pooled"][model]
                    cells = " | ".join(with_interval(pooled, key, signed=model == "difference") for key in keys)
                    per_fold = run.get(model, {})
                    f1_cell = f"{per_fold['best_f1']:.4f}" if "best_f1" in per_fold else ""
                    type_cell = f"{per_fold['fraud_type_macro_f1']:.4f}" if "fraud_type_macro_f1" in per_fold else ""
                    label = " − ".join(models) if model == "difference" else model
                    cuts = "".join(_at_threshold_cell(run, model, action) for action in ("warn", "block")) if at_cuts else ""
                    print(f"| {name} | {view} | {seed} | {size} | {label} | {cells} | {f1_cell} | {type_cell}{cuts} |", flush=True)


def _comparison(args: argparse.Namespace, cfg: SmsConfig) -> tuple[Callable[..., dict], tuple[str, str]]:
    """The paired comparison the flags ask for, with ``cfg`` bound, and its two contenders' names.

    Raises:
        ValueError: a ``--candidate`` override is malformed, names no setting or changes nothing.
    """
    if args.serve:
        return partial(compare_refit_with_bag, cfg=cfg), ("refit", "bag")
    if args.candidate:
        candidate = candidate_config(args.candidate, cfg)
        return partial(compare_candidate, cfg=cfg, candidate=candidate), ("candidate", "shipped")
    return partial(compare_with_baseline, cfg=cfg), ("yunmao", "baseline")


def _sampled(frame: pd.DataFrame, rows: int | None) -> pd.DataFrame:
    """``rows`` rows of ``frame`` drawn per label in proportion (seed 0), or all of it."""
    if rows is None or rows >= len(frame):
        return frame
    share = rows / len(frame)
    return frame.groupby("label", group_keys=False).sample(frac=share, random_state=0).sort_index().reset_index(drop=True)


def _at_threshold_cell(run: dict, model: str, action: str) -> str:
    """Recall / FPR at the model's own ``action`` threshold; for the difference, each with its interval."""
    if model != "difference":
        metrics = run[model]
        return f" | {metrics[f'{action}_recall']:.4f} / {metrics[f'{action}_fpr']:.4f}"
    paired = run["at_thresholds"]
    return " | " + " / ".join("{:+.4f} [{:+.4f}, {:+.4f}]".format(*paired[f"{action}_{rate}"]) for rate in ("recall", "fpr"))


def with_interval(metrics: dict[str, float], key: str, *, signed: bool) -> str:
    """A table cell: ``metrics[key]`` and its ``_ci_low`` / ``_ci_high`` bounds; ``signed`` for differences."""
    shape = "{:+.4f}" if signed else "{:.4f}"
    low, high = shape.format(metrics[f"{key}_ci_low"]), shape.format(metrics[f"{key}_ci_high"])
    return f"{shape.format(metrics[key])} [{low}, {high}]"


if __name__ == "__main__":
    main()
