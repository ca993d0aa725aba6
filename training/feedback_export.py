"""Turn the feedback store into a canonical labelled file that ``training.data.sms`` reads.

SMS feedback becomes ``id,text,label,category,fraud_type,source,received_at`` rows; call feedback
becomes one row per profile (``id``, the profile's own columns such as ``phone_no_m``, then the
label columns). ``category`` is the canonical format's own column, so the loaders read a record
sent with ``category: spam`` as spam (it trains the category head) and one without as today:
the label alone. When the same ``id`` was reported more than once, the latest report wins: a
later analyst verdict corrects an earlier one, and the store itself never rewrites history.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Literal

import pandas as pd

from serving.feedback_store import FeedbackStore
from training.predict import TABLE_SUFFIXES, write_table

LABEL_COLUMNS = ["label", "category", "fraud_type", "source", "received_at"]


class ExportError(ValueError):
    """The export cannot be written as asked (unsupported file type)."""


def feedback_frame(store: FeedbackStore, kind: Literal["sms", "call"], since: datetime | None = None) -> pd.DataFrame:
    """The latest report per id, as a canonical labelled frame for ``kind``."""
    rows = store.read(since=since, kind=kind).drop_duplicates("id", keep="last")
    if kind == "sms":
        frame = rows[["id", "text", *LABEL_COLUMNS]]
    else:
        profiles = pd.DataFrame([json.loads(raw) for raw in rows["call_json"]], index=rows.index)
        frame = pd.concat([rows[["id"]], profiles, rows[LABEL_COLUMNS]], axis=1)
    return without_nul(frame).astype({"label": "int64"}).reset_index(drop=True)


def without_nul(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every NUL character removed from its text cells.

    The API accepts a text holding NUL (a pasted control character; the model's normalisation
    drops it), but the loaders refuse any file holding a NUL byte as binary: one such record made
    the whole CSV export unreadable by ``--data``. Removing it changes nothing the model reads.
    """
    return frame.replace("\x00", "", regex=True)


def export_feedback(
    store: FeedbackStore, out: Path, kind: Literal["sms", "call"] = "sms", since: datetime | None = None
) -> int:
    """Write the store's ``kind`` feedback (received at or after ``since``) to ``out``; returns the row count."""
    if out.suffix.lower() not in TABLE_SUFFIXES:
        raise ExportError(f"{out}: unsupported export type {out.suffix!r}; use one of {', '.join(TABLE_SUFFIXES)}")
    frame = feedback_frame(store, kind, since)
    write_table(frame, out)
    return len(frame)
