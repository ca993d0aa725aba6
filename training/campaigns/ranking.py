"""Campaign records from grouped messages, ranked by how many unwanted messages each one is worth.

Rank key (descending): ``size × mean model score`` with ``--model`` (expected unwanted messages);
else ``size × unwanted share`` when every message is labelled; else ``size``. Ties go to the
larger campaign, then to the id, so the order is reproducible. Whether the service's template
store already decides a campaign (``confirmed``) is added afterwards (``training.campaigns.confirmed``).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from configs.campaigns import PageConfig
from training.campaigns.grouping import Grouping

LABEL_NAMES = {0: "normal", 1: "unwanted"}


@dataclass
class Campaign:
    """One campaign as ``campaigns.json`` lists it; optional fields are ``None`` when the data lacks them.

    ``template_counts``: messages per distinct template (not listed; what the template store is
    asked about). ``checked``: the store was read (``--templates-store``), so ``confirmed`` is
    listed even when ``None`` (null: nothing in the store decides this campaign).
    """

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
    template_counts: dict[str, int] = field(default_factory=dict)
    confirmed: dict[str, Any] | None = None
    checked: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: fields the data could not fill (no time, sender, label, model or store) are absent."""
        keys = ("id", "rank", "size", "template", "first_seen", "last_seen", "senders", "contact_points",
                "label_mix", "mean_score", "confirmed", "samples")
        return {key: getattr(self, key) for key in keys
                if getattr(self, key) is not None or (key == "confirmed" and self.checked)}


def campaign_id(template: str) -> str:
    """A stable id from the representative template: the same campaign keeps its id across runs."""
    return "C" + hashlib.sha1(template.encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class _Columns:
    """The frame's columns as arrays, read once: campaigns are built from thousands of small slices."""

    ids: np.ndarray
    texts: np.ndarray
    template_codes: np.ndarray
    template_names: pd.Index
    sent_at: np.ndarray | None
    senders: np.ndarray | None
    labels: np.ndarray | None

    @classmethod
    def of(cls, frame: pd.DataFrame, templates: pd.Series) -> _Columns:
        codes, names = pd.factorize(templates)
        times = None
        if "sent_at" in frame and frame["sent_at"].notna().any():
            times = pd.to_datetime(frame["sent_at"], errors="coerce", format="mixed").to_numpy()
        senders = frame["sender"].to_numpy(dtype=object) if "sender" in frame and frame["sender"].notna().any() else None
        labels = frame["label"].to_numpy(dtype=int) if "label" in frame and frame["label"].notna().all() else None
        return cls(frame["id"].astype(str).to_numpy(), frame["text"].to_numpy(dtype=object), codes, names,
                   times, senders, labels)


def build_campaigns(
    frame: pd.DataFrame, grouping: Grouping, min_size: int, page: PageConfig, scores: np.ndarray | None = None
) -> list[Campaign]:
    """Every group of at least ``min_size`` messages as a ranked :class:`Campaign` (rank 1 first)."""
    columns = _Columns.of(frame, grouping.templates)
    campaigns = []
    for members in pd.Series(grouping.campaign).groupby(grouping.campaign).indices.values():
        if len(members) < min_size:
            continue
        codes = columns.template_codes[members]
        distinct, counts = np.unique(codes, return_counts=True)
        common = int(distinct[counts.argmax()])  # ties: the first template in input order, as bincount's argmax
        template = str(columns.template_names[common])
        representative = int(members[int(np.argmax(codes == common))])
        campaign = Campaign(
            id=campaign_id(template), size=len(members), template=template,
            samples=_samples(columns, members, representative, page.samples, scores),
            contact_points=_contact_points(grouping, members, page.contacts_listed),
            priority=float(len(members)),
            template_counts={str(columns.template_names[code]): int(n) for code, n in zip(distinct, counts, strict=True)},
        )
        _add_times(campaign, columns, members)
        campaign.senders = _senders(columns, members, page.senders_listed)
        if columns.labels is not None:
            counts = np.bincount(columns.labels[members], minlength=2)
            campaign.label_mix = {name: int(counts[value]) for value, name in LABEL_NAMES.items()}
            campaign.priority = float(counts[1])
        if scores is not None:
            campaign.mean_score = round(float(np.mean(scores[members])), 4)
            campaign.priority = len(members) * campaign.mean_score
        campaigns.append(campaign)
    campaigns.sort(key=lambda c: (-c.priority, -c.size, c.id))
    for rank, campaign in enumerate(campaigns, start=1):
        campaign.rank = rank
    return campaigns


def _add_times(campaign: Campaign, columns: _Columns, members: np.ndarray) -> None:
    """First and last sending time (ISO), left ``None`` when no member has a readable time."""
    if columns.sent_at is None:
        return
    times = columns.sent_at[members]
    times = times[~np.isnat(times)]
    if len(times):
        campaign.first_seen = pd.Timestamp(times.min()).isoformat()
        campaign.last_seen = pd.Timestamp(times.max()).isoformat()


def _senders(columns: _Columns, members: np.ndarray, listed: int) -> dict[str, Any] | None:
    """Distinct senders and the most frequent ones, or ``None`` when no member has a sender."""
    if columns.senders is None:
        return None
    counts = Counter(s for s in columns.senders[members] if isinstance(s, str) and s)
    if not counts:
        return None
    return {"distinct": len(counts), "top": [{"sender": s, "messages": n} for s, n in counts.most_common(listed)]}


def _contact_points(grouping: Grouping, members: np.ndarray, listed: int) -> list[dict[str, Any]]:
    """The campaign's most quoted contact points; ``hub`` marks those too widely shared to group by."""
    counts = Counter(key for m in members for key in grouping.contacts[m])
    points = []
    for key, messages in counts.most_common(listed):
        kind, value = key.split(":", 1)
        points.append({"kind": kind, "value": value, "messages": messages, "hub": key in grouping.hubs})
    return points


def _samples(
    columns: _Columns, members: np.ndarray, representative: int, count: int, scores: np.ndarray | None
) -> list[dict[str, Any]]:
    """Up to ``count`` members with distinct texts: the representative (first with the commonest
    template) first, then the others in input order."""
    chosen: dict[str, int] = {}
    for member in [representative, *(int(m) for m in members if m != representative)]:
        chosen.setdefault(columns.texts[member], member)
        if len(chosen) == count:
            break
    samples = []
    for text, member in chosen.items():
        sample: dict[str, Any] = {"id": columns.ids[member], "text": text}
        if columns.labels is not None:
            sample["label"] = int(columns.labels[member])
        if scores is not None:
            sample["score"] = round(float(scores[member]), 4)
        samples.append(sample)
    return samples
