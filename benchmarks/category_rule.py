"""How ``allowed_category`` (configs/taxonomy.yaml) moves ``category_macro_f1``, which ``retrain`` gates on.

    OMP_NUM_THREADS=1 PYTHONPATH=. nice -n 10 .venv/bin/python benchmarks/category_rule.py
        --model DIR/model_fold_0.pkl --trained DIR/trained_fold_0.parquet [--ham-share 0.9] [--seed 0]

One model (saved by ``benchmarks/fbs_categories.py --save DIR``) scores a ham-heavy set twice:
with ``allowed_category: head`` (an allowed message is named by the head's best category other
than fraud) and with ``ham`` (every allowed message is ham, as models before the setting
answered). Actions are identical; only the names of allowed messages differ. The set: every
labelled row of ``../shared/data`` the model did not train on (by normalised text), all its ham
and a random share of its unwanted rows, so that ham is ``--ham-share`` of it, as in a carrier's
stream. A retrain gate with tolerance 0.01 compares a challenger under one rule with a champion
under the other unless both are scored alike: a difference beyond 0.01 here would refuse a model
exactly as good as the champion. Intervals: paired percentile bootstrap over rows (1,000 resamples).
"""

from __future__ import annotations

import argparse
import dataclasses
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score

from benchmarks.sources import SOURCES
from features.sms.normalise import normalise_text
from training.data.sms import load_labelled
from training.data.sms.dedupe import drop_duplicates

RESAMPLES = 1000


def ham_heavy_set(trained: set[str], ham_share: float, seed: int) -> pd.DataFrame:
    """Rows of every real set with a known category whose normalised text the model never saw;
    all their ham, and unwanted rows sampled down to ``1 - ham_share`` of the result."""
    frame = drop_duplicates(pd.concat([load_labelled(paths).frame for paths in SOURCES.values()], ignore_index=True)).frame
    frame = frame[frame["category"].notna() & ~frame["text"].map(normalise_text).isin(trained)]
    ham, unwanted = frame[frame["category"] == "ham"], frame[frame["category"] != "ham"]
    wanted = min(len(unwanted), round(len(ham) * (1 - ham_share) / ham_share))
    return pd.concat([ham, unwanted.sample(wanted, random_state=seed)], ignore_index=True)


def categories_under(model, frame: pd.DataFrame, from_head: bool) -> np.ndarray:
    return np.array([d.category for d in dataclasses.replace(model, allowed_category_from_head=from_head).decide(frame, explain=False)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--trained", type=Path, required=True)
    parser.add_argument("--ham-share", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    model = pickle.loads(args.model.read_bytes())
    frame = ham_heavy_set(set(pd.read_parquet(args.trained)["norm"]), args.ham_share, args.seed)
    true = frame["category"].to_numpy()
    rules = {"head": categories_under(model, frame, True), "ham": categories_under(model, frame, False)}
    labels = sorted(set(true))
    print(f"{len(frame)} rows: {frame['category'].value_counts().to_dict()}")
    print("| rule | category_macro_f1 | " + " | ".join(f"F1 {c}" for c in labels) + " |")
    print("|---|---|" + "---|" * len(labels))
    for rule, predicted in rules.items():
        per_class = f1_score(true, predicted, labels=labels, average=None)
        print(f"| {rule} | {f1_score(true, predicted, average='macro'):.4f} | " + " | ".join(f"{v:.4f}" for v in per_class) + " |")
    rng = np.random.default_rng(args.seed)
    differences = []
    for _ in range(RESAMPLES):
        rows = rng.integers(0, len(frame), len(frame))
        differences.append(f1_score(true[rows], rules["head"][rows], average="macro") - f1_score(true[rows], rules["ham"][rows], average="macro"))
    point = f1_score(true, rules["head"], average="macro") - f1_score(true, rules["ham"], average="macro")
    low, high = np.percentile(differences, [2.5, 97.5])
    renamed = rules["head"] != rules["ham"]
    print(f"head - ham: {point:+.4f} [{low:+.4f}, {high:+.4f}]; allowed messages named differently: {int(renamed.sum())} "
          f"({int((renamed & (true == 'ham')).sum())} of them ham)")


if __name__ == "__main__":
    main()
