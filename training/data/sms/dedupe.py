"""Remove repeated messages: spam campaigns resend one template thousands of times.

Two messages are duplicates when their ``normalise_text`` forms match (the same key the features
see), so copies differing only in spacing, width, phone number or link collapse into one. Without
this, copies land on both sides of a train/validation split and the validation score lies.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from features.labels import shipped_taxonomy
from features.sms.normalise import normalise_text


@dataclass(frozen=True)
class DedupeResult:
    frame: pd.DataFrame
    duplicates_removed: int
    conflicting_labels: int


def drop_duplicates(frame: pd.DataFrame) -> DedupeResult:
    """Keep the first record of each normalised text.

    Conflicts (one text labelled both 0 and 1) are resolved in favour of fraud: the kept record
    gets label 1 and the fraud_type of the group's first fraud record, because letting a scam
    template through costs far more than one extra warning. Likewise the kept category is the
    group's most severe one (the taxonomy's category order: later is more severe), so a text
    that one set calls spam and another fraud stays fraud. ``conflicting_labels`` counts texts
    (groups) whose 0/1 labels disagree, not rows.
    """
    keys = frame["text"].map(normalise_text)
    first = ~keys.duplicated()
    kept = frame[first].copy()
    if "label" not in frame:
        return DedupeResult(kept.reset_index(drop=True), int((~first).sum()), 0)
    label_count = frame.groupby(keys, sort=False)["label"].transform("nunique")
    conflicted = (label_count > 1)[first]
    if conflicted.any():
        fraud = frame["label"] == 1
        fraud_types = frame[fraud].groupby(keys[fraud], sort=False)["fraud_type"].first()
        kept.loc[conflicted, "label"] = 1
        resolved = keys[first][conflicted].map(fraud_types)
        kept.loc[conflicted, "fraud_type"] = resolved.where(resolved.notna(), None)
    if "category" in frame:
        kept["category"] = _most_severe_category(frame, keys)[first]
        # A bare 1 ("unwanted, kind unknown") outranks a copy's ham: the kind stays unknown.
        kept.loc[(kept["label"] == 1) & (kept["category"] == shipped_taxonomy().ham_category), "category"] = None
    return DedupeResult(kept.reset_index(drop=True), int((~first).sum()), int(conflicted.sum()))


def _most_severe_category(frame: pd.DataFrame, keys: pd.Series) -> pd.Series:
    """Per row, the most severe known category among the rows sharing its normalised text."""
    order = shipped_taxonomy().categories
    rank = frame["category"].map({name: i for i, name in enumerate(order)})
    worst = rank.groupby(keys, sort=False).transform("max")
    return worst.map(lambda value: None if pd.isna(value) else order[int(value)]).astype(object)
