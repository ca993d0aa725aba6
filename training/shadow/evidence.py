"""What the shadow pairs say about one challenger version: agreement, score differences, the
messages the two models disagree on most, and — joined with feedback labels — each model's
precision and recall.

Pairs come from ``serving/shadow_store``. Feedback joins a pair through the same keyed HMAC of
the record (an SMS's cleaned text, a call's number), so neither side stores what it identifies.
Quality counts each labelled record once (its latest pair and latest label): a message sent a
thousand times is one record to judge, not a thousand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from features.sms.normalise import normalise_text
from serving.shadow_store import Kind, record_content, record_key

ACTIONS = ("block", "warn", "allow")
ROLES = ("champion", "challenger")


@dataclass(frozen=True)
class Quality:
    """Precision and recall of one model's flag (``block``, or ``block``/``warn``) on labelled records."""

    flagged_as: str
    precision: float | None
    recall: float | None
    flagged: int
    positives: int


def agreement_matrix(pairs: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Champion action → challenger action → pairs (all nine cells, zeros included)."""
    counts = pairs.groupby(["champion_action", "challenger_action"]).size()
    return {mine: {theirs: int(counts.get((mine, theirs), 0)) for theirs in ACTIONS} for mine in ACTIONS}


def block_disagreement(pairs: pd.DataFrame) -> float | None:
    """Share of pairs where exactly one of the two models blocks; None without pairs."""
    if pairs.empty:
        return None
    return float(((pairs["champion_action"] == "block") != (pairs["challenger_action"] == "block")).mean())


def score_difference(pairs: pd.DataFrame) -> dict[str, float | int | None]:
    """Challenger − champion score where both scored: mean, mean absolute, 95th percentile and
    largest absolute difference."""
    diff = (pairs["challenger_score"] - pairs["champion_score"]).dropna().to_numpy(dtype=float)
    if diff.size == 0:
        return {"pairs": 0, "mean": None, "mean_abs": None, "p95_abs": None, "max_abs": None}
    magnitude = np.abs(diff)
    return {"pairs": int(diff.size), "mean": float(diff.mean()), "mean_abs": float(magnitude.mean()),
            "p95_abs": float(np.quantile(magnitude, 0.95)), "max_abs": float(magnitude.max())}


def most_disagreeing(pairs: pd.DataFrame, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` kept texts (entities masked) whose actions differ, largest score gap first;
    empty where texts were not kept (``shadow.sms.keep_text``)."""
    differing = pairs[(pairs["champion_action"] != pairs["challenger_action"]) & pairs["text"].notna()]
    if differing.empty:
        return []
    gap = (differing["challenger_score"] - differing["champion_score"]).abs()
    latest = differing.assign(gap=gap).drop_duplicates("record_key", keep="last")
    top = latest.sort_values("gap", ascending=False).head(limit)
    return [{"text": normalise_text(str(row.text)), "champion": {"score": row.champion_score, "action": row.champion_action},
             "challenger": {"score": row.challenger_score, "action": row.challenger_action}} for row in top.itertuples()]


def feedback_keys(feedback: pd.DataFrame, kind: Kind, key: bytes) -> pd.DataFrame:
    """(record_key, label) of the feedback store's rows of ``kind``, the latest label per record."""
    if feedback.empty:
        return pd.DataFrame({"record_key": [], "label": []})
    if kind == "sms":
        contents = [record_content("sms", {"text": text}) for text in feedback["text"]]
    else:
        contents = [str(json.loads(profile)["phone_no_m"]) for profile in feedback["call_json"]]
    keyed = pd.DataFrame({"record_key": [record_key(key, kind, c) for c in contents], "label": feedback["label"].astype(int)})
    return keyed.drop_duplicates("record_key", keep="last")


def _quality(labels: np.ndarray, flagged: np.ndarray, flagged_as: str) -> Quality:
    hits = int((flagged & (labels == 1)).sum())
    return Quality(flagged_as, hits / flagged.sum() if flagged.sum() else None,
                   hits / (labels == 1).sum() if (labels == 1).sum() else None, int(flagged.sum()), int((labels == 1).sum()))


def labelled_quality(pairs: pd.DataFrame, labels: pd.DataFrame) -> dict[str, Any]:
    """Each model's precision and recall at block and at block-or-warn on the records feedback labelled."""
    joined = pairs.drop_duplicates("record_key", keep="last").merge(labels, on="record_key")
    truth = joined["label"].to_numpy(dtype=int)
    result: dict[str, Any] = {"records": len(joined), "fraud": int(truth.sum())}
    for role in ROLES:
        actions = joined[f"{role}_action"].to_numpy()
        result[role] = [vars(_quality(truth, actions == "block", "block")),
                        vars(_quality(truth, actions != "allow", "block_or_warn"))]
    return result


def summarise(pairs: pd.DataFrame, limit: int, labels: pd.DataFrame | None) -> dict[str, Any]:
    """Everything the report and the gates read about one challenger version's pairs."""
    return {
        "pairs": len(pairs),
        "champion_versions": sorted(set(pairs["champion_version"])),
        "first": pairs["scored_at"].min() if len(pairs) else None,
        "last": pairs["scored_at"].max() if len(pairs) else None,
        "agreement": agreement_matrix(pairs),
        "agreement_rate": float((pairs["champion_action"] == pairs["challenger_action"]).mean()) if len(pairs) else None,
        "block_disagreement": block_disagreement(pairs),
        "score_difference": score_difference(pairs),
        "most_disagreeing": most_disagreeing(pairs, limit),
        "labelled": labelled_quality(pairs, labels) if labels is not None else None,
    }


def by_challenger(pairs: pd.DataFrame, limit: int, labels: pd.DataFrame | None) -> list[dict[str, Any]]:
    """One summary per challenger (model, version) among ``pairs``, newest version first."""
    groups = pairs.groupby(["challenger_model", "challenger_version"], sort=False)
    summaries = [{"model": model, "version": version, **summarise(group, limit, labels)}
                 for (model, version), group in groups]
    return sorted(summaries, key=lambda s: (s["model"], -int(s["version"]) if s["version"].isdigit() else 0))
