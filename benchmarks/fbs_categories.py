"""fbs_sms categories at the judged size: does a model trained on every real set name fbs's kinds?

    OMP_NUM_THREADS=1 PYTHONPATH=. nice -n 10 .venv/bin/python benchmarks/fbs_categories.py
        [--folds 4] [--max-folds N | --fold K] [--max-per-set N] [--without telecom_fraud_texts_5] [--no-demo-mix] [--save DIR]

Issue #10's target: on fbs_sms's sealed part, from a model trained on all real sets, >= 97% of
``FR:*`` messages get category ``fraud`` and >= 97% of ``AD:*`` get ``spam``. fbs_sms is held out
by grouped folds whose groups are near-duplicate templates (``benchmarks.block_point.template_groups``:
campaigns resend one template, so exact-text groups would let a held-out message's template be
trained on); every other real set and fbs's other folds train the model. Figures carry Wilson
95% intervals (pooled over the held-out folds).

Each fold's model trains as ``yunmao train sms`` does by default: the real rows, then the demo mix
of configs/sms.yaml (``demo_mix``). ``--no-demo-mix`` trains on the real rows alone, as every figure
before session 30 did (docs/benchmarks.md).

Where a miss comes from, per held-out row:

- ``rule``: the category head's best class is the right one, but the unwanted thresholds allowed
  the message, so the model calls it ``ham`` (category follows the action);
- ``head``: the message was flagged, but named as another unwanted category;
- ``both``: the message was allowed and the head's best class (over every category, ham
  included) is wrong too.

``--save DIR`` writes each held-out row's native label, text, score, action, category and the
head's probabilities (``DIR/fbs_fold_K.parquet``), so other category rules can be read off
without retraining, and the fold's model with the normalised texts it trained on
(``DIR/model_fold_K.pkl``, ``DIR/trained_fold_K.parquet``) for ``benchmarks/category_rule.py``.
"""

from __future__ import annotations

import argparse
import pickle
from pathlib import Path

import pandas as pd

from benchmarks.block_point import template_groups
from benchmarks.dens_quality import wilson
from benchmarks.sources import SOURCES, sample
from configs import default_config_path, load_config
from configs.sms import SmsConfig
from features.sms.normalise import normalise_text
from models.scam_model import ALLOW
from training.data.demo_mix import with_demo_mix
from training.data.sms import load_labelled
from training.data.sms.dedupe import drop_duplicates
from training.split import grouped_folds
from training.train import fit_sms

FBS = "fbs_sms"
TARGETS = {"FR:": "fraud", "AD:": "spam"}  # native label prefix -> the category it must get


def fbs_frame() -> pd.DataFrame:
    """fbs_sms with its native label (``AD:Retail``…) beside the taxonomy's category."""
    path = SOURCES[FBS][0]
    frame = load_labelled([path]).frame
    natives = [line.split("\t", 1)[0] for line in path.read_text(encoding="utf-8").splitlines()]
    lines = frame["id"].str.rsplit(":", n=1).str[1].astype(int)  # ids are ``<stem>:<line>``, 1-based
    return frame.assign(native=[natives[line - 1] for line in lines]).reset_index(drop=True)


def held_out_rows(model, held: pd.DataFrame) -> pd.DataFrame:
    """Per held-out row: the model's decision and the category head's probabilities."""
    decisions = model.decide(held, explain=False)
    head = model.category_head
    proba = head.proba(model.features(held))
    rows = pd.DataFrame({
        "native": held["native"].to_numpy(),
        "text": held["text"].to_numpy(),
        "score": [d.score for d in decisions],
        "fraud_score": [d.fraud_score for d in decisions],
        "action": [d.action for d in decisions],
        "category": [d.category for d in decisions],
        "head_best": [head.classes[i] for i in proba.argmax(axis=1)],
    })
    for k, name in enumerate(head.classes):
        rows[f"p_{name}"] = proba[:, k]
    return rows


def miss_sources(rows: pd.DataFrame, wanted: str) -> dict[str, int]:
    """Misses of ``wanted`` split by cause (module docstring)."""
    miss = rows["category"] != wanted
    allowed = rows["action"] == ALLOW
    head_right = rows["head_best"] == wanted
    return {
        "rule": int((miss & allowed & head_right).sum()),
        "head": int((miss & ~allowed).sum()),
        "both": int((miss & allowed & ~head_right).sum()),
    }


def report(rows: pd.DataFrame, title: str) -> None:
    print(f"\n{title}: {len(rows)} held-out fbs messages")
    print("| native | n | share as target [95% Wilson] | head's best class = target | allowed | misses: rule / head / both |")
    print("|---|---|---|---|---|---|")
    for prefix, wanted in TARGETS.items():
        part = rows[rows["native"].str.startswith(prefix)]
        _row(f"{prefix}* → {wanted}", part, wanted)
        for native, sub in part.groupby("native"):
            _row(f"  {native}", sub, wanted)
    il = rows[rows["native"].str.startswith("IL:")]
    _row("IL:* → illegal", il, "illegal")


def _row(label: str, part: pd.DataFrame, wanted: str) -> None:
    n, hits = len(part), int((part["category"] == wanted).sum())
    low, high = wilson(hits, n)
    head = float((part["head_best"] == wanted).mean()) if n else float("nan")
    allowed = float((part["action"] == ALLOW).mean()) if n else float("nan")
    causes = miss_sources(part, wanted)
    print(f"| {label} | {n} | {hits / max(n, 1):.3f} [{low:.3f}, {high:.3f}] | {head:.3f} | {allowed:.3f} "
          f"| {causes['rule']} / {causes['head']} / {causes['both']} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=4)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--max-folds", type=int, default=None, help="hold out only the first N folds (faster)")
    which.add_argument("--fold", type=int, default=None, help="hold out only fold K (1-based): choose a change on a fold you do not report")
    parser.add_argument("--without", nargs="*", default=[], choices=[s for s in SOURCES if s != FBS])
    parser.add_argument("--max-per-set", type=int, default=None, help="subsample each non-fbs set (faster; fbs stays whole)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-demo-mix", action="store_true", help="train on the real rows alone (yunmao train sms --no-demo-mix)")
    parser.add_argument("--save", type=Path, default=None)
    args = parser.parse_args()
    cfg = load_config(default_config_path("sms"), SmsConfig)
    others = [sample(load_labelled(paths).frame, args.max_per_set, args.seed)
              for name, paths in SOURCES.items() if name not in (FBS, *args.without)]
    fbs = fbs_frame()
    groups = template_groups(fbs["text"])
    strata = (fbs["category"] == "fraud").astype(int)  # every fbs row is unwanted: stratify on fraud
    pooled = []
    splits = list(enumerate(grouped_folds(strata, groups, args.folds, args.seed)))
    splits = splits[args.fold - 1:args.fold] if args.fold else splits[:args.max_folds]
    for fold, (train_idx, held_idx) in splits:
        held = fbs.iloc[held_idx]
        train = drop_duplicates(pd.concat([*others, fbs.iloc[train_idx].drop(columns="native")], ignore_index=True)).frame
        held_keys = set(held["text"].map(normalise_text))
        train = train[~train["text"].map(normalise_text).isin(held_keys)].reset_index(drop=True)
        if not args.no_demo_mix:
            train = with_demo_mix(train, cfg.demo_mix).frame
        model = fit_sms(train, cfg).model
        rows = held_out_rows(model, held)
        rows["fold"] = fold
        print(f"fold {fold + 1}/{args.folds}: trained on {len(train)} messages; thresholds block {model.thresholds.block:.4f} "
              f"warn {model.thresholds.warn:.4f}; fraud_score {model.fraud_thresholds}", flush=True)
        report(rows, f"fold {fold + 1}")
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            rows.to_parquet(args.save / f"fbs_fold_{fold}.parquet")
            (args.save / f"model_fold_{fold}.pkl").write_bytes(pickle.dumps(model))
            pd.DataFrame({"norm": train["text"].map(normalise_text)}).to_parquet(args.save / f"trained_fold_{fold}.parquet")
        pooled.append(rows)
    report(pd.concat(pooled, ignore_index=True), f"pooled over {len(pooled)} of {args.folds} folds")


if __name__ == "__main__":
    main()
