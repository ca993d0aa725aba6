"""Quality of the call model on ``number_features_train.csv``.

``--nested`` (issue #9): the shipped call model with the extra table and graph features
against default LightGBM on the 93 contest columns, by nested grouped cross-validation on
identical outer folds (:mod:`training.compare_call`); F1 at each model's own warn threshold.

    .venv/bin/python benchmarks/call_quality.py --nested [--max-folds N] [--serve] [--candidate NAME]

``--candidate NAME`` (configs/call_candidates.yaml; repeatable) fits the shipped config and each
candidate instead of the default-LightGBM baseline, and adds each difference (candidate −
shipped) per outer fold and with a paired bootstrap interval of its mean over folds.
``--scores-out PATH`` writes the held-out scores of the variants this run fits (after each outer
fold); ``--reuse PATH`` (repeatable) reads such files and fits only the variants they lack, so the
shipped model is fitted once for several candidate runs and a run with nothing left to fit only
pairs (the pairing checks that each fold holds the same numbers). ``--candidates-only`` fits and
scores the candidates alone (to run beside a run that fits the shipped model; pair them later).

``--pair BEFORE AFTER`` pairs the shipped model's held-out scores in two ``--scores-out`` files
written by two checkouts (a code change before and after: same folds, no refit) and prints
after − before per fold and with its paired bootstrap interval.

``--serve`` (issue #12) adds, for every fit, its fold boosters averaged (``, fold bag``) beside the
refitted booster it serves, and their paired per-fold difference.

Without ``--nested``: CV-tuned LightGBM vs defaults on the contest columns. A stratified
hold-out (``--holdout``, default 20 %) is set aside first and touched once at the end;
candidate params are compared by 5-fold CV on the rest (mean and spread of F1), so the choice
does not ride on one lucky split.

    .venv/bin/python benchmarks/call_quality.py [--trials N]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import lightgbm as lgb
import numpy as np
from sklearn.metrics import f1_score, precision_score, recall_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from configs import default_config_path, load_config
from configs.call import CallConfig
from configs.call_candidates import CallCandidatesConfig
from features.calls.featuriser import build_call_featuriser
from training.data.cdr import load_profile_table

CALLS = Path(__file__).resolve().parents[2] / "shared/data/sichuan_fraud_calls"
DATA = CALLS / "number_features_train.csv"
OUTER_FOLDS = 5


def nested(
    max_folds: int | None, with_bag: bool = False, candidates: Sequence[tuple[str, CallConfig]] = (),
    scores_out: Path | None = None, reuse: Sequence[Path] = (), candidates_only: bool = False,
) -> None:
    """Print the nested-CV table (mean ± 95 % CI over outer folds, then per-fold values)."""
    from features.graph.links import CallGraph
    from training.compare_call import REPORTED, Variant, compare, contest_baseline, load_scores, nested_scores, save_scores
    from training.data.call_tables import load_links
    from training.train_call import load_call_frame

    config = load_config(default_config_path("call"), CallConfig)
    contest, _ = load_call_frame([DATA], config, "profiles")
    frame, _ = load_call_frame([DATA], config, "profiles", [CALLS / "number_features_extra.csv"])
    graph = CallGraph.from_links(load_links([CALLS / "number_links.parquet"]), frame["phone_no_m"], config.graph)
    contest_columns = [c for c in contest.columns if c not in ("phone_no_m", "label")]
    shipped = Variant("yunmao: contest + extra columns + graph", None, config, graph=True)
    variants, paired = [contest_baseline(config, contest_columns), shipped], []
    if candidates:
        variants = [shipped, *(Variant(f"candidate {name}", None, config, graph=True) for name, config in candidates)]
        paired = [pair for variant in variants[1:] for pair in (
            (variant.name, shipped.name), (f"{variant.name}, no graph", f"{shipped.name}, no graph"))]
        if candidates_only:
            variants, paired = variants[1:], []
    previous = {name: folds for path in reuse for name, folds in load_scores(path).items()}
    scored = {name: folds[:max_folds] for name, folds in previous.items() if any(name.startswith(v.name) for v in variants)}
    to_fit = [v for v in variants if v.name not in scored]
    save_so_far = None if scores_out is None else (lambda so_far: save_scores(so_far, scores_out))
    scored |= nested_scores(frame, graph, to_fit, OUTER_FOLDS, config.split.seed, max_folds, with_bag, save_so_far)
    try:
        result = compare(scored, paired, with_bag)
    except ValueError as exc:  # reused scores from other data, folds or fewer folds than run
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    print(f"{len(frame)} numbers, {len(contest_columns)} contest columns, {frame.shape[1] - 2} with the extra table; "
          f"outer folds run: {next(iter(result.values()))['folds']} of {OUTER_FOLDS}")
    print("| model | " + " | ".join(REPORTED) + " |")
    print("|---|" + "---|" * len(REPORTED))
    for name, metrics in result.items():
        print(f"| {name} | " + " | ".join(f"{metrics[m]['mean']:.4f} ± {metrics[m]['ci95']:.4f}" for m in REPORTED) + " |")
    for name, metrics in result.items():
        if "bootstrap" in metrics:
            bounds = metrics["bootstrap"]
            print(f"{name}, paired bootstrap 95 % interval of the mean over folds: " + "; ".join(
                f"{m} {bounds[m]:+.4f} [{bounds[m + '_ci_low']:+.4f}, {bounds[m + '_ci_high']:+.4f}]" for m in ("f1", "roc_auc", "pr_auc")))
    print(json.dumps({name: {m: metrics[m]["per_fold"] for m in REPORTED} for name, metrics in result.items()}))


def pair_checkouts(before: Path, after: Path) -> None:
    """after − before for the shipped variant of two ``--scores-out`` files: per fold and paired bootstrap."""
    from training.compare_call import compare, load_scores

    shipped = "yunmao: contest + extra columns + graph"
    try:
        difference = compare({"before": load_scores(before)[shipped], "after": load_scores(after)[shipped]},
                             [("after", "before")])["after − before"]
    except (KeyError, ValueError) as exc:  # not a --scores-out of the shipped model, or other folds
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    for metric in ("f1", "roc_auc", "pr_auc"):
        bounds = difference["bootstrap"]
        per_fold = " / ".join(f"{value:+.4f}" for value in difference[metric]["per_fold"])
        print(f"{metric}: {bounds[metric]:+.4f} [{bounds[metric + '_ci_low']:+.4f}, {bounds[metric + '_ci_high']:+.4f}] (folds {per_fold})")


def fit_predict(params: dict, rounds: int, X_train, y_train, X_test) -> np.ndarray:
    booster = lgb.train({**params, "objective": "binary", "verbose": -1, "num_threads": 1},
                        lgb.Dataset(X_train, y_train), num_boost_round=rounds)
    return booster.predict(X_test)


def oof_scores(params: dict, rounds: int, X, y, seed: int) -> np.ndarray:
    """Out-of-fold scores over 5 stratified folds: every training number scored by a model that never saw it."""
    scores = np.zeros(len(y))
    for train, test in StratifiedKFold(5, shuffle=True, random_state=seed).split(X, y):
        scores[test] = fit_predict(params, rounds, X[train], y[train], X[test])
    return scores


def cv_summary(scores: np.ndarray, y: np.ndarray, seed: int) -> tuple[float, float, float, float]:
    """Per-fold F1 at 0.5, and at the F1-best threshold of the pooled out-of-fold scores."""
    grid = np.round(np.arange(0.20, 0.61, 0.02), 2)
    threshold = float(grid[np.argmax([f1_score(y, scores >= t) for t in grid])])
    folds = list(StratifiedKFold(5, shuffle=True, random_state=seed).split(scores, y))
    at_half = [f1_score(y[test], scores[test] >= 0.5) for _, test in folds]
    at_best = [f1_score(y[test], scores[test] >= threshold) for _, test in folds]
    return float(np.mean(at_half)), float(np.mean(at_best)), float(np.std(at_best)), threshold


def sample_params(rng: np.random.Generator) -> tuple[dict, int]:
    params = {
        "learning_rate": float(rng.choice([0.02, 0.03, 0.05])),
        "num_leaves": int(rng.choice([7, 15, 31, 63])),
        "min_child_samples": int(rng.choice([5, 10, 20, 40])),
        "feature_fraction": float(rng.choice([0.5, 0.7, 0.9])),
        "bagging_fraction": float(rng.choice([0.7, 0.8, 1.0])),
        "bagging_freq": 1,
        "lambda_l2": float(rng.choice([0.0, 1.0, 5.0])),
    }
    rounds = int({0.02: 600, 0.03: 400, 0.05: 250}[params["learning_rate"]])
    return params, rounds


def holdout_metrics(params: dict, rounds: int, threshold: float, X_fit, y_fit, X_hold, y_hold) -> dict:
    score = fit_predict(params, rounds, X_fit, y_fit, X_hold)
    pred = score >= threshold
    return {"f1": f1_score(y_hold, pred), "precision": precision_score(y_hold, pred),
            "recall": recall_score(y_hold, pred), "roc_auc": roc_auc_score(y_hold, score)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=12)
    parser.add_argument("--holdout", type=float, default=0.2, help="share of numbers set aside, never seen in tuning")
    parser.add_argument("--all-columns", action="store_true", help="every numeric column of the table, not only builder ones")
    parser.add_argument("--nested", action="store_true", help="graph model vs default LightGBM, nested CV (issue #9)")
    parser.add_argument("--max-folds", type=int, default=None, help="with --nested: run only the first N outer folds")
    parser.add_argument("--serve", action="store_true", help="with --nested: also each fit's fold bag and refit − bag (issue #12)")
    parser.add_argument("--candidate", action="append", default=[],
                        help="with --nested: shipped config vs this configs/call_candidates.yaml entry, paired (repeatable)")
    parser.add_argument("--scores-out", type=Path, help="with --nested: write every variant's held-out scores (JSON)")
    parser.add_argument("--reuse", type=Path, action="append", default=[],
                        help="with --nested: held-out scores of an earlier --scores-out (repeatable); refit only the rest")
    parser.add_argument("--candidates-only", action="store_true", help="with --candidate: fit only the candidates, no pairing")
    parser.add_argument("--pair", type=Path, nargs=2, metavar=("BEFORE", "AFTER"),
                        help="the shipped model's scores in two --scores-out files (two checkouts): after − before")
    args = parser.parse_args()
    if args.pair:
        pair_checkouts(*args.pair)
        return
    config = load_config(default_config_path("call"), CallConfig)
    if args.nested:
        candidates = load_config(default_config_path("call_candidates"), CallCandidatesConfig).candidates
        missing = [path for path in args.reuse if not path.is_file()]
        if missing:
            parser.error(f"--reuse: no file {missing[0]}")
        if args.candidates_only and not args.candidate:
            parser.error("--candidates-only needs at least one --candidate")
        unknown = [name for name in args.candidate if name not in candidates]
        if unknown:
            parser.error(f"--candidate: no {unknown[0]!r} in configs/call_candidates.yaml (have: {', '.join(candidates)})")
        nested(args.max_folds, args.serve, [(name, candidates[name].applied_to(config)) for name in args.candidate],
               args.scores_out, args.reuse, args.candidates_only)
        return
    profiles, _ = load_profile_table(DATA)
    featuriser = build_call_featuriser(config)
    if args.all_columns:
        featuriser.set_params(columns=tuple(c for c in profiles.columns if c not in ("phone_no_m", "label")))
    featuriser.fit(profiles)
    X, y = featuriser.transform(profiles), profiles["label"].to_numpy()
    seed = config.split.seed
    X_fit, X_hold, y_fit, y_hold = train_test_split(X, y, test_size=args.holdout,
                                                    stratify=y, random_state=seed)
    print(f"{X.shape[1]} features; fit {len(y_fit)}, hold-out {len(y_hold)} (fraud {y.mean():.1%})")
    candidates = [("defaults", {}, 100), ("configs/call.yaml", dict(config.lightgbm.params), config.lightgbm.num_boost_round)]
    rng = np.random.default_rng(seed)
    candidates += [(f"trial {i}", *sample_params(rng)) for i in range(args.trials)]
    results = []
    for name, params, rounds in candidates:
        at_half, mean, std, threshold = cv_summary(oof_scores(params, rounds, X_fit, y_fit, seed), y_fit, seed)
        results.append((mean, std, threshold, name, params, rounds))
        print(f"{name:18s} CV F1@0.5 {at_half:.4f}; CV F1@{threshold:.2f} {mean:.4f} ± {std:.4f}  rounds={rounds} {json.dumps(params)}", flush=True)
    for label, (_mean, _std, threshold, name, params, rounds) in (("defaults", results[0]), ("best by CV", max(results, key=lambda r: r[0]))):
        for t in (0.5, threshold):
            metrics = holdout_metrics(params, rounds, t, X_fit, y_fit, X_hold, y_hold)
            print(f"{label} ({name}) threshold {t:.2f}: hold-out " + ", ".join(f"{k} {v:.4f}" for k, v in metrics.items()))

if __name__ == "__main__":
    main()
