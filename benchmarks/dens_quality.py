"""Den ranking on the real Sichuan links, judged on labels it did not see (K-fold).

The sealed judge ranks dens without the hold-out labels and takes the top dens (5+ numbers)
until they hold 250 of the 1,230 numbers outside the training table; they must be ≥ 95 % fraud.
Here each fold of the 4,876 labelled numbers plays the hold-out: its labels are hidden, dens are
ranked with the other folds' labels, and the ranking is walked until the dens hold the same
*share* of the hidden numbers the judge asks for (N = ceil(250 / 1,230 × fold size) ≈ 199 of
975). Reports the fraud share among those hidden numbers per fold, its mean and a 95 % CI
(Wilson on the pooled counts).

Dens are community cores (``configs/dens.yaml`` core). By default the core setting of each
hidden fold is chosen by nested cross-validation on the other folds' labels only
(``core_selection``), and the setting the same procedure picks on all labels is printed: that
is the one to ship. ``--shipped`` measures the shipped core as it is instead (not nested);
``--whole`` measures whole communities (no core), as dens were before.

``--model-scores``: as ``yunmao dens --model --data`` runs, members are also scored by a call model:
per hidden fold, the shipped call model (contest + extra columns + graph features) is trained on the
visible folds' numbers only and scores the hidden numbers; visible numbers carry its out-of-fold
scores. A scored member must reach the model's threshold for ``core.member_score_action`` to be core.
About 2 minutes per fold on one core.

Run: nice .venv/bin/python benchmarks/dens_quality.py [--folds 5] [--resolution 1.0 ...] [--shipped | --whole] [--model-scores]
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

from configs import default_config_path, load_config
from configs.call import CallConfig
from configs.dens import DensConfig
from training.data.call_tables import load_links
from training.dens.build import den_graph, read_labels
from training.dens.evaluation import (
    MemberScores,
    choose_core,
    cross_validated_precision,
    describe_core,
    fold_splits,
    nested_precision,
)

CALLS = Path(__file__).resolve().parents[2] / "shared/data/sichuan_fraud_calls"
JUDGE_NUMBERS, UNLABELLED_NUMBERS = 250, 6106 - 4876


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    if not total:
        return float("nan"), float("nan")
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return centre - half, centre + half


def fold_member_scores(labels, links, call: CallConfig, folds: int, seed: int) -> list[MemberScores]:
    """Per fold of ``labels``: a call model trained on the other folds scores the fold's numbers;
    the numbers it trained on carry its out-of-fold scores."""
    import pandas as pd

    from features.graph.knowledge import add_graph_features
    from features.graph.links import CallGraph
    from training.train_call import fit_call_model, load_call_frame

    frame, _ = load_call_frame([CALLS / "number_features_train.csv"], call, "profiles", [CALLS / "number_features_extra.csv"])
    frame = frame.set_index(frame["phone_no_m"].astype(str)).loc[labels.index].reset_index(drop=True)
    graph = CallGraph.from_links(links, frame["phone_no_m"], call.graph)
    scored = []
    for fold, (seen, held) in enumerate(fold_splits(labels, folds, seed)):
        started = time.perf_counter()
        train, test = frame.iloc[seen].reset_index(drop=True), frame.iloc[held].reset_index(drop=True)
        fitted = fit_call_model(train, call, graph).fit
        records = add_graph_features(test.drop(columns="label"), graph, fitted.model.graph, evaluation=True)
        scores = pd.concat([pd.Series(fitted.oof_scores, index=train["phone_no_m"].astype(str)),
                            pd.Series(fitted.model.score(records), index=test["phone_no_m"].astype(str))])
        scored.append(MemberScores(scores, fitted.model.thresholds))
        print(f"fold {fold}: call model trained on {len(train)} numbers in {time.perf_counter() - started:.0f} s", flush=True)
    return scored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--resolution", type=float, nargs="*", help="Leiden resolutions to compare (default: configs/dens.yaml)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--shipped", action="store_true", help="measure the core of configs/dens.yaml as it is (not nested)")
    mode.add_argument("--whole", action="store_true", help="measure whole communities (no core)")
    parser.add_argument("--model-scores", action="store_true", help="members also scored by a call model per fold (slow)")
    args = parser.parse_args()
    data = CALLS
    links = load_links([data / "number_links.parquet"])
    labels = read_labels([data / "number_features_train.csv"])
    call = load_config(default_config_path("call"), CallConfig)
    base = load_config(default_config_path("dens"), DensConfig)
    share = JUDGE_NUMBERS / UNLABELLED_NUMBERS
    needed = math.ceil(share * len(labels) / args.folds)
    print(f"{len(labels)} labelled numbers, {args.folds} folds, N = {needed} hidden numbers per fold")
    scored = fold_member_scores(labels, links, call, args.folds, args.seed) if args.model_scores else None
    print("| resolution | fold | core setting | dens taken | hidden numbers in them | fraud share |\n"
          "| ---: | ---: | --- | ---: | ---: | ---: |")
    for resolution in args.resolution or [base.leiden_resolution]:
        config = base.model_copy(update={"leiden_resolution": resolution})
        started = time.perf_counter()
        graph = den_graph(links, labels, call, config)
        if args.whole:
            config = config.model_copy(update={"core": config.core.model_copy(update={"enabled": False})})
        if args.whole or args.shipped:
            results = cross_validated_precision(graph, links, labels, config, args.folds, share, args.seed, scored)
        else:
            results = nested_precision(graph, links, labels, config, args.folds, share, args.seed, scored)
            if scored is None:  # with scores the all-labels choice would need a model fitted on all labels
                print(f"chosen on all labels (ship this): {describe_core(choose_core(graph, links, labels, config, share, args.seed))}")
        for r in results:
            print(f"| {resolution} | {r.fold} | {r.setting} | {r.dens_taken} | {r.hidden_in_top} | {r.precision:.3f} |")
        fraud, total = sum(r.fraud_in_top for r in results), sum(r.hidden_in_top for r in results)
        low, high = wilson(fraud, total)
        worst = min(r.precision for r in results)
        print(f"| {resolution} | pooled | | | {total} | {fraud / total:.3f} (95 % CI {low:.3f}-{high:.3f}; "
              f"worst fold {worst:.3f}) |  <!-- {time.perf_counter() - started:.0f} s -->")


if __name__ == "__main__":
    main()
