"""Campaign records from grouped messages, ranked by how many unwanted messages each one is worth.

Rank key (descending): ``size × mean model score`` with ``--model`` (expected unwanted messages);
else ``size × unwanted share`` when every message is labelled; else ``size``. Ties go to the
larger campaign, then to the id, so the order is reproducible.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from configs.campaigns import PageConfig
from training.campaigns.grouping import Grouping

LABEL_NAMES = {0: "normal", 1: "unwanted"}


@dataclass
class Campaign:
    """One campaign as ``campaigns.json`` lists it; optional fields are ``None`` when the data lacks them."""

    id: str
    size: int
    template: str
    samples: list[dict[str, Any]]
    contact_points: list[dict[str, Any]]
    priority: float
    rank: int = 0
    first_seen: str | None = None
    last_seen: str | None = None
    senders: dict[str, Any] | None = None
    label_mix: dict[str, int] | None = None
    mean_score: float | None = None
    members: list[int] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: fields the data could not fill (no time, sender, label or model) are absent."""
        keys = ("id", "rank", "size", "template", "first_seen", "last_seen", "senders", "contact_points",
                "label_mix", "mean_score", "samples")
        return {key: getattr(self, key) for key in keys if getattr(self, key) is not None}


def campaign_id(template: str) -> str:
    """A stable id from the representative template: the same campaign keeps its id across runs."""
    return "C" + hashlib.sha1(template.encode("utf-8")).hexdigest()[:8]


def build_campaigns(
    frame: pd.DataFrame, grouping: Grouping, min_size: int, page: PageConfig, scores: np.ndarray | None = None
) -> list[Campaign]:
    """Every group of at least ``min_size`` messages as a ranked :class:`Campaign` (rank 1 first)."""
    groups = pd.Series(grouping.campaign).groupby(grouping.campaign).indices
    sent_at = _times(frame)
    labelled = "label" in frame and frame["label"].notna().all()
    campaigns = []
    for members in groups.values():
        if len(members) < min_size:
            continue
        templates = grouping.templates.iloc[members]
        template = templates.value_counts(sort=True).index[0]
        campaign = Campaign(
            id=campaign_id(template), size=len(members), template=template,
            samples=_samples(frame, members, templates, template, page.samples, scores),
            contact_points=_contact_points(grouping, members, page.contacts_listed),
            priority=float(len(members)), members=[int(m) for m in members],
        )
        if sent_at is not None and sent_at.iloc[members].notna().any():
            campaign.first_seen = sent_at.iloc[members].min().isoformat()
            campaign.last_seen = sent_at.iloc[members].max().isoformat()
        campaign.senders = _senders(frame, members, page.senders_listed)
        if labelled:
            counts = frame["label"].iloc[members].astype(int).value_counts()
            campaign.label_mix = {name: int(counts.get(value, 0)) for value, name in LABEL_NAMES.items()}
            campaign.priority = float(counts.get(1, 0))
        if scores is not None:
            campaign.mean_score = round(float(np.mean(scores[members])), 4)
            campaign.priority = len(members) * campaign.mean_score
        campaigns.append(campaign)
    campaigns.sort(key=lambda c: (-c.priority, -c.size, c.id))
    for rank, campaign in enumerate(campaigns, start=1):
        campaign.rank = rank
    return campaigns


def _times(frame: pd.DataFrame) -> pd.Series | None:
    """``sent_at`` as timestamps (unparseable ones missing), or ``None`` when the data has no times."""
    if "sent_at" not in frame or frame["sent_at"].isna().all():
        return None
    return pd.to_datetime(frame["sent_at"], errors="coerce", format="mixed")


def _senders(frame: pd.DataFrame, members: np.ndarray, listed: int) -> dict[str, Any] | None:
    """Distinct senders and the most frequent ones, or ``None`` when no member has a sender."""
    senders = frame["sender"].iloc[members].dropna() if "sender" in frame else pd.Series(dtype=object)
    if senders.empty:
        return None
    counts = senders.value_counts()
    return {"distinct": int(len(counts)),
            "top": [{"sender": str(s), "messages": int(n)} for s, n in counts.head(listed).items()]}


def _contact_points(grouping: Grouping, members: np.ndarray, listed: int) -> list[dict[str, Any]]:
    """The campaign's most quoted contact points; ``hub`` marks those too widely shared to group by."""
    counts = pd.Series([key for m in members for key in grouping.contacts[m]], dtype=object).value_counts()
    points = []
    for key, messages in counts.head(listed).items():
        kind, value = key.split(":", 1)
        points.append({"kind": kind, "value": value, "messages": int(messages), "hub": key in grouping.hubs})
    return points


def _samples(
    frame: pd.DataFrame, members: np.ndarray, templates: pd.Series, template: str, count: int, scores: np.ndarray | None
) -> list[dict[str, Any]]:
    """Up to ``count`` members with distinct texts: the representative (first with the commonest
    template) first, then the others in input order."""
    texts = frame["text"].to_numpy()
    representative = members[int(np.argmax(templates.to_numpy() == template))]
    chosen: dict[str, int] = {}
    for member in [representative, *(m for m in members if m != representative)]:
        chosen.setdefault(texts[member], int(member))
        if len(chosen) == count:
            break
    samples = []
    for member in chosen.values():
        row = frame.iloc[member]
        sample = {"id": str(row["id"]), "text": row["text"]}
        if "label" in frame and pd.notna(row["label"]):
            sample["label"] = int(row["label"])
        if scores is not None:
            sample["score"] = round(float(scores[member]), 4)
        samples.append(sample)
    return samples
