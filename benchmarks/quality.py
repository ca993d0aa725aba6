"""Quality on real data: yunmao vs the char-TF-IDF + LogisticRegression baseline.

    .venv/bin/python benchmarks/quality.py [--seeds 3] [--test-fraction 0.25]

For each set in ../shared/data, repeats a grouped development/held-out split with several
seeds (so one lucky split cannot carry the claim) and prints mean metrics for both models on
the held-out parts, plus fraud-type macro-F1 on Telecom_Fraud_Texts_5.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from configs import default_config_path, load_config
from configs.paths import PROJECT_ROOT
from configs.sms import SmsConfig
from training.compare import COMPARED, compare_with_baseline, summarise
from training.loaders import load_labelled

DATA = PROJECT_ROOT.parent / "shared" / "data"
SETS = {
    "mudou_spam": [DATA / "mudou_spam" / "mudou_spam.train"],
    "uci_sms_spam": [DATA / "uci_sms_spam" / "SMSSpamCollection.train30"],
    "sms80w_sample": [DATA / "sms80w_sample" / "junk_message.txt"],
    "telecom_fraud_texts_5": sorted((DATA / "telecom_fraud_texts_5").glob("label0*-last.csv")),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--test-fraction", type=float, default=0.25)
    parser.add_argument("--sets", nargs="*", default=list(SETS))
    args = parser.parse_args()
    cfg = load_config(default_config_path("sms"), SmsConfig)
    print("| set | held-out n (fraud) | model | ROC-AUC | PR-AUC | best F1 | extra |")
    print("|---|---|---|---|---|---|---|")
    for name in args.sets:
        frame = load_labelled(SETS[name]).frame
        started = time.perf_counter()
        runs = [compare_with_baseline(frame, cfg, args.test_fraction, seed) for seed in range(args.seeds)]
        means = summarise(runs)
        type_f1 = [run["yunmao"].get("fraud_type_macro_f1") for run in runs]
        extra = f"fraud-type macro-F1 {sum(type_f1) / len(type_f1):.4f}" if None not in type_f1 else ""
        size = f"{runs[0]['n_test']} ({runs[0]['positives_test']})"
        for model in ("yunmao", "baseline"):
            cells = " | ".join(f"{means[model][m]:.4f}" for m in COMPARED)
            print(f"| {name} | {size} | {model} | {cells} | {extra if model == 'yunmao' else ''} |", flush=True)
        Path("/dev/stderr").write_text(json.dumps({name: runs, "seconds": time.perf_counter() - started}, default=str) + "\n")


if __name__ == "__main__":
    main()
