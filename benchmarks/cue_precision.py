"""How often each script cue and lexicon group fires on legitimate messages versus on fraud.

    PYTHONPATH=. .venv/bin/python benchmarks/cue_precision.py [--examples REASON] [--corpus NAME] [--n N]

A cue is evidence only if it fires on fraud far more often than on legitimate mail: a cue that
fires on a kindergarten's fee notice teaches a model trained on the demo data (whose ordinary
messages never contain cue words) "cue ⇒ block". For every cue and lexicon group of
``features/sms/resources/patterns.yaml`` this prints its firing rate (%) on the legitimate
messages of the real sets (mudou ham, sms80w ham, Telecom_Fraud_Texts_5's normal class: operator
and service notices), on real fraud (Telecom_Fraud_Texts_5's four fraud classes, fbs_sms ``FR:*``),
and on the hand-written sets' ordinary and scam messages (``tests/hand_written_sms.py``; the
held-back set is left out: it is looked at once, at the end). Run it before and after a cue
change (``PYTHONPATH`` at each tree). ``--examples`` prints legitimate messages a feature fires on;
``--words`` shows, for one script cue, how many messages of each corpus fire only through each of
its words (they would stop firing without it): the loose words are those legitimate mail needs.
"""

from __future__ import annotations

import argparse
import dataclasses

import numpy as np
import pandas as pd

from benchmarks.sources import SOURCES
from features.sms.normalise import normalise_text
from features.sms.patterns import ENTITY_REASONS, SHAPE_FEATURES, Cue, PatternFeatures, cue_fires, script_cues
from tests.hand_written_sms import HELD_BACK, SETS
from training.data.sms import load_labelled

LEGIT = ("mudou ham", "sms80w ham", "TFT5 normal", "hand-written ordinary")


def corpora() -> dict[str, list[str]]:
    """Corpus name → raw texts: legitimate corpora first, then fraud, then hand-written scams."""
    mudou, sms80w, tft5, fbs = (load_labelled(SOURCES[name]).frame
                                for name in ("mudou_spam", "sms80w_sample", "telecom_fraud_texts_5", "fbs_sms"))
    sets = [hand_written for hand_written in SETS if hand_written is not HELD_BACK]
    return {
        "mudou ham": _texts(mudou, "ham"),
        "sms80w ham": _texts(sms80w, "ham"),
        "TFT5 normal": _texts(tft5, "ham"),
        "hand-written ordinary": [text for hw in sets for *_, text in hw.ordinary],
        "TFT5 fraud": _texts(tft5, "fraud"),
        "fbs FR": _texts(fbs, "fraud"),
        "hand-written scams": [text for hw in sets for *_, text in hw.scams],
    }


def _texts(frame: pd.DataFrame, category: str) -> list[str]:
    return frame.loc[frame["category"] == category, "text"].tolist()


def firing(texts: list[str]) -> pd.DataFrame:
    """Texts × (lexicon groups and script cues): True where the feature fires (count > 0)."""
    features = PatternFeatures().fit(texts)
    names = features.get_feature_names_out()
    values = features.transform([normalise_text(text) for text in texts])
    kept = [i for i, name in enumerate(names) if name not in ENTITY_REASONS.values() and name not in SHAPE_FEATURES.values()]
    return pd.DataFrame(values[:, kept] > 0, columns=names[kept])


def word_reliance(cue: Cue, texts: dict[str, list[str]]) -> pd.DataFrame:
    """(list, word) × corpus: messages on which ``cue`` fires but would not without that word."""
    normalised = {name: [normalise_text(text) for text in corpus] for name, corpus in texts.items()}
    fired = {name: [text for text in corpus if cue_fires(text, cue)] for name, corpus in normalised.items()}
    rows = {}
    for i, words in enumerate(cue.word_lists):
        for word in words:
            lists = (*cue.word_lists[:i], tuple(w for w in words if w != word), *cue.word_lists[i + 1 :])
            without = dataclasses.replace(cue, word_lists=lists)
            rows[(i, word)] = {name: sum(not cue_fires(text, without) for text in corpus) for name, corpus in fired.items()}
    return pd.DataFrame.from_dict(rows, orient="index")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", help="a feature name (reason): print legitimate messages it fires on")
    parser.add_argument("--corpus", choices=LEGIT, help="only this legitimate corpus for --examples")
    parser.add_argument("--n", type=int, default=20, help="examples per corpus")
    parser.add_argument("--words", help="a script cue's reason: the messages each of its words alone makes it fire on")
    args = parser.parse_args()
    if args.words and args.words not in script_cues():
        parser.error(f"--words {args.words!r} is not a script cue's reason; cues: {', '.join(script_cues())}")
    if args.examples and args.examples not in firing(["任意文本"]).columns:
        parser.error(f"--examples {args.examples!r} is not a cue's or lexicon group's reason; "
                     f"reasons: {', '.join(firing(['任意文本']).columns)}")
    texts = corpora()
    if args.words:
        reliance = word_reliance(script_cues()[args.words], texts)
        print(reliance[reliance.sum(axis=1) > 0].to_string())
        return
    fired = {name: firing(corpus) for name, corpus in texts.items()}
    if args.examples:
        for name in [args.corpus] if args.corpus else LEGIT:
            hits = np.flatnonzero(fired[name][args.examples].to_numpy())
            print(f"\n{name}: {len(hits)} of {len(texts[name])}")
            for i in hits[: args.n]:
                print("  ", texts[name][i][:160].replace("\n", " "))
        return
    print("| feature | " + " | ".join(f"{name} (n={len(texts[name])})" for name in texts) + " |")
    print("|---" * (len(texts) + 1) + "|")
    for feature in fired["mudou ham"].columns:
        cells = []
        for name, frame in fired.items():
            hits = int(frame[feature].sum())
            cells.append(f"{hits}" if name.startswith("hand-written") else f"{100 * hits / len(frame):.1f}")
        print(f"| {feature} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
