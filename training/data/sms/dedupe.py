"""Remove repeated messages: spam campaigns resend one template thousands of times.

Two messages are duplicates when their ``normalise_text`` forms match (the same key the features
see), so copies differing only in spacing, width, phone number or link collapse into one. Without
this, copies land on both sides of a train/validation split and the validation score lies.

Training may keep a few copies per text (``configs/sms.yaml`` ``duplicates``): a campaign that
repeats is evidence the sealed, randomly split hold-outs reward. Copies always share one resolved
label, and every caller keeps a text's copies in one fold group. Or it may keep one row per text
and weigh it by its copy count (``weigh``): the ``weight`` column the fits read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from features.labels import shipped_taxonomy
from features.sms.normalise import normalise_text


# Per-row sample weight column of the training frame (``weigh``); rows without one count once.
WEIGHT_COLUMN = "weight"


@dataclass(frozen=True)
class DedupeResult:
    frame: pd.DataFrame
    duplicates_removed: int
    conflicting_labels: int


def drop_duplicates(frame: pd.DataFrame, max_copies: int | None = 1, *, weigh: bool = False) -> DedupeResult:
    """Keep the first ``max_copies`` records of each normalised text (None: every record).

    ``weigh`` (with ``max_copies`` 1) adds :data:`WEIGHT_COLUMN`, ``1 + ln(copies)`` for a text
    with ``copies`` records: a campaign sent 100 times weighs 5.6 rows, not 100, so it counts for
    more than a one-off without drowning the rest (``configs/sms.py`` ``DuplicatesConfig``).

    Conflicts (one text labelled both 0 and 1) are resolved by majority vote over the text's
    records, ties in favour of unwanted. Majority, not "any fraud wins": in mudou the only two
    conflicted texts are a bare "好" (2 spam of 6) and a bare link (1 of 5); calling them spam
    taught the model that a one-word reply is unwanted. On a tie the data cannot decide, and a
    scam template let through costs more than one extra warning. An unwanted winner gets the
    fraud_type of the text's first fraud record. The kept category is the most severe one
    (the taxonomy's category order: later is more severe) among the records carrying the winning
    label, so a text one set calls spam and another fraud stays fraud. ``conflicting_labels``
    counts texts (groups) whose 0/1 labels disagree, not rows.
    """
    keys = frame["text"].map(normalise_text)
    copy_number = keys.groupby(keys, sort=False).cumcount()
    first = copy_number < (len(frame) if max_copies is None else max_copies)
    kept = frame[first].copy()
    if weigh:
        if max_copies != 1:
            raise ValueError(f"weighing copies keeps one row per text, not max_copies={max_copies}")
        kept[WEIGHT_COLUMN] = 1.0 + np.log(keys[first].map(keys.value_counts()).to_numpy(dtype=float))
    if "label" not in frame:
        return DedupeResult(kept.reset_index(drop=True), int((~first).sum()), 0)
    labels = frame["label"].astype(int)
    by_text = labels.groupby(keys, sort=False)
    conflicted = by_text.transform("nunique") > 1
    resolved = (by_text.transform("mean") >= 0.5).astype(int)
    if conflicted.any():
        kept["label"] = resolved[first]
        fraud = labels == 1
        first_type = frame[fraud].groupby(keys[fraud], sort=False)["fraud_type"].first()
        rows = conflicted[first]
        types = keys[first][rows].map(first_type)
        kept.loc[rows, "fraud_type"] = [kind if isinstance(kind, str) and label == 1 else None
                                        for kind, label in zip(types, kept.loc[rows, "label"], strict=True)]
    if "category" in frame:
        agrees = labels == resolved
        worst = _most_severe_category(frame[agrees], keys[agrees])
        kept["category"] = pd.Series([worst[key] for key in keys[first]], index=kept.index, dtype=object)
        # A bare 1 ("unwanted, kind unknown") outranks a copy's ham: the kind stays unknown.
        kept.loc[(kept["label"] == 1) & (kept["category"] == shipped_taxonomy().ham_category), "category"] = None
    texts_conflicted = int(conflicted[~keys.duplicated()].sum())
    return DedupeResult(kept.reset_index(drop=True), int((~first).sum()), texts_conflicted)


def _most_severe_category(frame: pd.DataFrame, keys: pd.Series) -> dict[str, str | None]:
    """Per normalised text, the most severe known category among ``frame``'s records of it."""
    order = shipped_taxonomy().categories
    rank = frame["category"].map({name: i for i, name in enumerate(order)})
    worst = rank.groupby(keys, sort=False).max()
    return {key: None if pd.isna(value) else order[int(value)] for key, value in worst.items()}
