"""Quality on real data: yunmao vs the char-TF-IDF + LogisticRegression baseline.

    .venv/bin/python benchmarks/quality.py [--folds 4] [--seeds 2] [--max-folds N] [--sets mudou_spam ...]

For each set in ../shared/data: grouped outer cross-validation (deduplicated; each message
held out once, both models trained on the other folds), repeated with several seeds so one
lucky partition cannot carry the claim. Prints a Markdown table of the means of per-fold
held-out metrics, and fraud-type macro-F1 on Telecom_Fraud_Texts_5.
"""

from __future__ import annotations

import argparse

import numpy as np

from configs import default_config_path, load_config
from configs.paths import PROJECT_ROOT
from configs.sms import SmsConfig
from training.compare import COMPARED, compare_with_baseline
from training.data.sms import load_labelled

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
    args = parser.parse_args()
    cfg = load_config(default_config_path("sms"), SmsConfig)
    folds_run = args.max_folds or args.folds
    print(f"grouped {args.folds}-fold outer CV ({folds_run} held out) x {args.seeds} seeds; mean of per-fold metrics\n")
    print("| set | messages (fraud) | model | ROC-AUC | PR-AUC | best F1 | fraud-type macro-F1 |")
    print("|---|---|---|---|---|---|---|")
    for name in args.sets:
        frame = load_labelled(SETS[name]).frame
        runs = [compare_with_baseline(frame, cfg, args.folds, seed, args.max_folds) for seed in range(args.seeds)]
        size = f"{runs[0]['n_held_out']} ({runs[0]['positives_held_out']})"
        for model in ("yunmao", "baseline"):
            cells = " | ".join(f"{np.mean([run[model][m] for run in runs]):.4f}" for m in COMPARED)
            types = [run[model].get("fraud_type_macro_f1") for run in runs]
            type_cell = f"{np.mean(types):.4f}" if None not in types else "–"
            print(f"| {name} | {size} | {model} | {cells} | {type_cell} |", flush=True)


if __name__ == "__main__":
    main()
