"""Template reputation replayed on real messages: block-point recall with the store vs without.

    .venv/bin/python benchmarks/template_replay.py [--report-rate 0.05] [--delay 500 …] [--seed 0]
        [--train-share 0.5] [--num-perm 128 …]

mudou (../shared/data/mudou_spam) is split by normalised text, so no text is on both sides:
the shipped SMS pipeline is trained on one part, the other part is replayed once in a seeded
order, every copy kept (campaigns repeat). Each spam message is reported with probability
``--report-rate``; an analyst's confirmation of its template reaches the store ``--delay``
messages later (``POST /v1/admin/templates`` in the service). Every message is scored by the
model, then by template reputation exactly as the service does it (same store code, automatic
confirmation on).

Printed, at the model's own block threshold (set at FPR 0.1% on its out-of-fold training scores,
``thresholds`` in configs/sms.yaml): recall and FPR of "block" on the replay, without the store
and with it; and recall at FPR 0.1% measured on the replay itself, where a message raised by an
analyst's template ranks above every unraised one. Also the reputation lookup's time per message
(template, signature, index query, floor, automatic watch): wall time, and this thread's CPU time,
which is what the lookup costs on a core not shared with other processes.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from configs import default_config_path, load_config
from configs.campaigns import load_campaigns_config
from configs.paths import PROJECT_ROOT
from configs.sms import SmsConfig
from features.sms.normalise import normalise_text
from serving.reputation import TemplateReputation
from serving.template_store import open_template_store
from training.data.sms import load_labelled
from training.metrics import at_threshold
from training.thresholds import threshold_for_fpr
from training.train import fit_sms

MUDOU = PROJECT_ROOT.parent / "shared" / "data" / "mudou_spam" / "mudou_spam.train"
TARGET_FPR = 0.001


def split_by_text(frame: pd.DataFrame, train_share: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, replay): whole groups of identical normalised text go to one side."""
    groups = frame["text"].map(normalise_text)
    unique = groups.drop_duplicates().sample(frac=1.0, random_state=seed)
    train_groups = set(unique.iloc[: int(len(unique) * train_share)])
    in_train = groups.isin(train_groups)
    return frame[in_train].reset_index(drop=True), frame[~in_train].sample(frac=1.0, random_state=seed).reset_index(drop=True)


def replay(frame: pd.DataFrame, model, report_rate: float, delay: int, seed: int, num_perm: int) -> dict:
    """Score ``frame`` in order with the store; analyst confirmations arrive ``delay`` messages late."""
    config = load_campaigns_config()
    config = config.model_copy(update={"template": config.template.model_copy(update={"num_perm": num_perm})})
    rng = np.random.default_rng(seed)
    decisions = model.decide(frame, explain=False)  # what the service's cache would hold: the model's alone
    now = [0.0]  # one "second" per message: automatic confirmation windows count messages
    with tempfile.TemporaryDirectory() as folder:
        store = open_template_store(config.reputation, f"sqlite:///{Path(folder) / 'templates.db'}")
        reputation = TemplateReputation(config, store, clock=lambda: now[0])
        due: dict[int, list[str]] = {}
        raised, lookup_ms = [], []
        for i, (record, decision) in enumerate(zip(frame.to_dict("records"), decisions, strict=True)):
            now[0] = float(i)
            for text in due.pop(i, []):
                try:
                    reputation.confirm(text, 1, None)
                except ValueError:  # a reminder or too short: an analyst could not confirm it either
                    pass
            wall, cpu = time.perf_counter(), time.thread_time()
            [final] = reputation.apply(model, [record], [decision])
            lookup_ms.append(((time.perf_counter() - wall) * 1e3, (time.thread_time() - cpu) * 1e3))
            reputation.index.save_queued()  # the sync thread's job in the service, kept out of the timing
            raised.append(final.action == "block" and decision.action != "block")
            if record["label"] == 1 and rng.random() < report_rate:
                due.setdefault(i + 1 + delay, []).append(record["text"])  # delay 0: before the next message
    return {"raised": np.array(raised), "lookup_ms": np.array(lookup_ms)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report-rate", type=float, default=0.05, help="share of spam an analyst confirms")
    parser.add_argument("--delay", type=int, nargs="+", default=[500], help="messages between a report and its confirmation")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-share", type=float, default=0.5)
    parser.add_argument("--num-perm", type=int, nargs="+", default=None, help="MinHash permutations (default: configs/campaigns.yaml)")
    args = parser.parse_args()
    frame = load_labelled([MUDOU], dedupe=False).frame
    train, replayed = split_by_text(frame, args.train_share, args.seed)
    model = fit_sms(train, load_config(default_config_path("sms"), SmsConfig)).model
    labels = replayed["label"].astype(int).to_numpy()
    print(f"mudou replay: train {len(train)} rows, replay {len(replayed)} rows ({labels.sum()} spam), seed {args.seed}, "
          f"report rate {args.report_rate}; block threshold {model.thresholds.block:.4f}\n")
    print("| store | num_perm | delay | recall at block threshold | FPR at block threshold | recall at FPR 0.1% (replay) "
          "| spam / normal raised by a template | lookup ms wall mean / p50 / p99 | lookup ms CPU mean / p50 / p99 |")
    print("|---|---|---|---|---|---|---|---|---|")
    scores = np.array([d.score for d in model.decide(replayed, explain=False)])
    print(row("without", "–", "–", labels, scores, np.zeros(len(labels), dtype=bool), model.thresholds.block, None) + " – |")
    for num_perm in args.num_perm or [load_campaigns_config().template.num_perm]:
        for delay in args.delay:
            result = replay(replayed, model, args.report_rate, delay, args.seed, num_perm)
            print(row("with", num_perm, delay, labels, scores, result["raised"], model.thresholds.block, result["lookup_ms"]), flush=True)


def row(store: str, num_perm: object, delay: object, labels: np.ndarray, scores: np.ndarray, raised: np.ndarray,
        block: float, lookup_ms: np.ndarray | None) -> str:
    """One table row: block-threshold recall/FPR with raised messages blocked, and recall at FPR
    0.1% on the replay where raised messages rank above every other."""
    at_block = at_threshold(labels, np.where(raised, np.inf, scores), block)
    ranked = np.where(raised, 2.0 + scores, scores)
    at_target = at_threshold(labels, ranked, threshold_for_fpr(ranked, labels, TARGET_FPR))["recall"]
    timing = "–" if lookup_ms is None else " | ".join(
        f"{ms.mean():.3f} / {np.median(ms):.3f} / {np.percentile(ms, 99):.3f}" for ms in lookup_ms.T)
    return (f"| {store} | {num_perm} | {delay} | {at_block['recall']:.4f} | {at_block['fpr']:.4f} | {at_target:.4f} "
            f"| {int((raised & (labels == 1)).sum())} / {int((raised & (labels == 0)).sum())} | {timing} |")


if __name__ == "__main__":
    main()
