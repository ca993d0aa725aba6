"""Borrowed warnings: scams that quote anti-fraud language, beside official reminders (issue #10, session 18).

    OMP_NUM_THREADS=1 PYTHONPATH=. .venv/bin/python benchmarks/borrowed_warning.py [--seeds 7 8 9] [--cache DIR]

Real scams borrow warning language to look official ("本平台正规合法，请勿轻信他人"). Each scam of
the hand-written check, dev and family sets (``tests/hand_written_sms.py``) is scored as written
and with each phrase of ``BORROWED_WARNINGS`` inserted where a scammer puts it: mid-text, at the
clause break nearest the middle, before the ask. The mirror set: official reminders from an
institution sender whose only reminder words are a closing sign-off, and reminders quoting two or
three scripts. Prints, per quickstart model (``make run``'s demo data drawn with each seed): scams
flagged as written and with each phrase, and reminders allowed. Main's figures before the fix,
session 18's first try and session 19's (branch guard3): docs/benchmarks.md "session 18", "session 19".
"""

from __future__ import annotations

import argparse
import pickle
from pathlib import Path

import pandas as pd

from benchmarks.hand_written import fit_quickstart
from configs import default_config_path, load_config
from configs.sms import SmsConfig
from models.scam_model import ALLOW, ScamModel
from tests.hand_written_sms import (
    BORROWED_WARNINGS,
    CHECK_SCAMS,
    DEV_SCAMS,
    FAMILY_SCAMS,
    QUOTING_REMINDERS,
    SCAM_SENDERS,
    SERVICE,
    SIGN_OFF_REMINDERS,
)
from training.data.demo_sms import insert_mid_text


def scam_texts() -> list[str]:
    return [text for _, _, text in (*CHECK_SCAMS, *DEV_SCAMS, *FAMILY_SCAMS)]


def _records(texts: list[str], senders: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"text": texts, "sender": senders, "sent_at": [None] * len(texts)})


def flagged(model: ScamModel, texts: list[str]) -> int:
    senders = [SCAM_SENDERS[i % len(SCAM_SENDERS)] for i in range(len(texts))]
    return sum(d.action != ALLOW for d in model.decide(_records(texts, senders), explain=False))


def allowed(model: ScamModel, texts: tuple[str, ...]) -> tuple[int, list[tuple[str, str, list[str]]]]:
    decisions = model.decide(_records(list(texts), [SERVICE] * len(texts)))
    touched = [(t, d.action, d.reasons) for t, d in zip(texts, decisions, strict=True) if d.action != ALLOW]
    return len(texts) - len(touched), touched


def model_for(seed: int, cfg: SmsConfig, cache: Path | None) -> ScamModel:
    path = None if cache is None else cache / f"qs{seed}.pkl"
    if path is not None and path.exists():
        return pickle.loads(path.read_bytes())
    model = fit_quickstart(seed, cfg)
    if path is not None:
        path.write_bytes(pickle.dumps(model))
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs="*", type=int, default=[7, 8, 9])
    parser.add_argument("--cache", type=Path, help="folder of pickled quickstart models (fitted and kept there if absent)")
    args = parser.parse_args()
    cfg = load_config(default_config_path("sms"), SmsConfig)
    scams = scam_texts()
    print("| model | scams as written | + borrowed warning (all phrases) | per phrase | sign-off reminders allowed | quoting reminders allowed |")
    print("|---|---|---|---|---|---|")
    for seed in args.seeds:
        model = model_for(seed, cfg, args.cache)
        per_phrase = [flagged(model, [insert_mid_text(t, p) for t in scams]) for p in BORROWED_WARNINGS]
        sign_off, sign_touched = allowed(model, SIGN_OFF_REMINDERS)
        quoting, quote_touched = allowed(model, QUOTING_REMINDERS)
        print(f"| quickstart seed {seed} | {flagged(model, scams)}/{len(scams)} | {sum(per_phrase)}/{len(scams) * len(per_phrase)} "
              f"| {' '.join(map(str, per_phrase))} | {sign_off}/{len(SIGN_OFF_REMINDERS)} | {quoting}/{len(QUOTING_REMINDERS)} |", flush=True)
        for text, action, reasons in sign_touched + quote_touched:
            print(f"    touched ({action}): {text} {reasons[:3]}", flush=True)


if __name__ == "__main__":
    main()
