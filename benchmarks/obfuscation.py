"""Obfuscated scam text: yunmao vs the char-TF-IDF + LogisticRegression baseline, clean and respelt.

    OMP_NUM_THREADS=1 nice .venv/bin/python benchmarks/obfuscation.py [--sets mudou_spam uci_sms_spam]
        [--folds 4] [--max-folds N] [--seed 0] [--strength 0.2] [--view grouped]

Issue #11: "nothing lost on obfuscated text". Grouped outer cross-validation as benchmarks/quality.py
(training/compare.py): both models train on the same development folds; each fitted pair then scores
the held-out rows twice, clean and with only the unwanted (label 1) rows respelt by
training/obfuscate.py (``configs/obfuscation.yaml``; ``--strength`` overrides its share, ``--seed``
seeds the folds and the respelling). Ham stays clean (ordinary senders do not obfuscate), so the
threshold read off the clean ham holds in both views, and recall at each FPR is the recall at that
same threshold. Scores of the folds run are pooled.

Two Markdown tables per run:

1. clean and obfuscated (every configured evasion together): ROC-AUC, PR-AUC and recall at the
   configured FPRs (``configs/evaluation.yaml``) per model, with 95% paired bootstrap intervals; each
   model's drop (clean − obfuscated, paired on the same resamples); yunmao − baseline in each view.
2. each evasion alone: the share of the set's distinct unwanted messages it changes and, of those,
   the share whose normalised text (features/sms/normalise.py) equals the clean one's (what the
   normaliser undoes before any model sees it); per model the obfuscated value with obfuscated −
   clean in brackets; yunmao − baseline with its interval.
"""

from __future__ import annotations

import argparse

import pandas as pd
from pydantic import ValidationError

from benchmarks.quality import SETS, with_interval
from configs import default_config_path, load_config
from configs.evaluation import load_evaluation_config
from configs.obfuscation import ObfuscationConfig, load_obfuscation_config
from configs.sms import SmsConfig
from features.sms.normalise import normalise_text
from training.compare import VIEWS, compare_with_baseline
from training.data.sms import load_labelled
from training.metrics import recall_key
from training.obfuscate import Obfuscator, unwanted_obfuscated

ALL = "all"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="*", default=["mudou_spam", "uci_sms_spam"], choices=list(SETS))
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--max-folds", type=int, default=None, help="hold out only the first N folds (faster)")
    parser.add_argument("--seed", type=int, default=None, help="folds and respelling (default: configs/obfuscation.yaml's seed)")
    parser.add_argument("--strength", type=float, default=None, help="share of each evasion's spots rewritten (default: the config's)")
    parser.add_argument("--view", default="grouped", choices=VIEWS)
    args = parser.parse_args()
    try:
        obfuscation = _overridden(load_obfuscation_config(), args.seed, args.strength)
    except ValidationError as exc:
        parser.error(str(exc))
    cfg = load_config(default_config_path("sms"), SmsConfig)
    evaluation = load_evaluation_config()
    keys = ("roc_auc", "pr_auc", *map(recall_key, evaluation.recall_at_fpr))
    heads = " | ".join(("ROC-AUC", "PR-AUC", *(f"recall@FPR {rate:.1%}" for rate in evaluation.recall_at_fpr)))
    rewrites = {ALL: obfuscation, **{evasion: obfuscation.only(evasion) for evasion in obfuscation.evasions}}
    boot = evaluation.bootstrap
    print(f"{args.folds}-fold outer CV ({args.max_folds or args.folds} held out), view {args.view}, seed {obfuscation.seed}; "
          f"strength {obfuscation.strength}, evasions {', '.join(obfuscation.evasions)}; only unwanted rows respelt; pooled "
          f"out-of-fold scores, {boot.level:.0%} paired percentile bootstrap ({boot.resamples} resamples, seed {boot.seed})\n")
    runs = {}
    for name in args.sets:
        frame = load_labelled(SETS[name], dedupe=False).frame
        runs[name] = compare_with_baseline(
            frame, cfg, folds=args.folds, seed=obfuscation.seed, max_folds=args.max_folds, evaluation=evaluation,
            view=args.view, variants={evasion: unwanted_obfuscated(rewrite) for evasion, rewrite in rewrites.items()})
        runs[name]["undone"] = {evasion: _changed_and_undone(frame, Obfuscator(rewrite)) for evasion, rewrite in rewrites.items()}
    print(f"| set | held-out messages (unwanted) | model | view | {heads} |")
    print("|---|---|---|---|" + "---|" * len(keys))
    for name, run in runs.items():
        size = f"{run['n_held_out']} ({run['positives_held_out']})"
        obfuscated = run["variants"][ALL]
        rows = [("yunmao", "clean", run["pooled"]["yunmao"]), ("yunmao", "obfuscated", obfuscated["yunmao"]),
                ("yunmao", "drop (clean − obfuscated)", obfuscated["drop"]["yunmao"]),
                ("baseline", "clean", run["pooled"]["baseline"]), ("baseline", "obfuscated", obfuscated["baseline"]),
                ("baseline", "drop (clean − obfuscated)", obfuscated["drop"]["baseline"]),
                ("yunmao − baseline", "clean", run["pooled"]["difference"]),
                ("yunmao − baseline", "obfuscated", obfuscated["difference"])]
        for row, (model, view, metrics) in enumerate(rows):
            signed = view.startswith("drop") or "−" in model
            cells = " | ".join(with_interval(metrics, key, signed=signed) for key in keys)
            print(f"| {name if row == 0 else ''} | {size if row == 0 else ''} | {model} | {view} | {cells} |")
    print(f"\n| set | evasion | unwanted messages changed / of those normalised back | model | {heads} |")
    print("|---|---|---|---|" + "---|" * len(keys))
    for name, run in runs.items():
        for evasion in rewrites:
            measured = run["variants"][evasion]
            for row, model in enumerate(("yunmao", "baseline", "yunmao − baseline")):
                if model in measured["drop"]:
                    cells = " | ".join(f"{measured[model][key]:.4f} ({0.0 - measured['drop'][model][key]:+.4f})" for key in keys)
                else:
                    cells = " | ".join(with_interval(measured["difference"], key, signed=True) for key in keys)
                lead = f"| {name} | {evasion} | {run['undone'][evasion]}" if row == 0 else "| | |"
                print(f"{lead} | {model} | {cells} |", flush=True)


def _overridden(obfuscation: ObfuscationConfig, seed: int | None, strength: float | None) -> ObfuscationConfig:
    """The config with the command line's seed and strength, validated as the file is.

    Raises:
        ValidationError: a value the schema refuses (e.g. a strength outside (0, 1]).
    """
    given = {key: value for key, value in (("seed", seed), ("strength", strength)) if value is not None}
    return ObfuscationConfig.model_validate({**obfuscation.model_dump(), **given})


def _changed_and_undone(frame: pd.DataFrame, obfuscate: Obfuscator) -> str:
    """Of the set's distinct unwanted texts, the share the rewrite changes; of those, the share whose
    normalised rewrite equals their normalised clean text (the evasion undone before any model
    sees it; n/a where nothing changed, e.g. pinyin initials in English)."""
    texts = frame.loc[frame["label"].astype(int) == 1, "text"].drop_duplicates()
    respelt = texts.map(obfuscate)
    changed = respelt != texts
    undone = respelt[changed].map(normalise_text) == texts[changed].map(normalise_text)
    return f"{changed.mean():.1%} / " + (f"{undone.mean():.1%}" if changed.any() else "n/a")


if __name__ == "__main__":
    main()
