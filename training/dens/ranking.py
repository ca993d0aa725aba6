"""Communities of the call graph → dens ranked by how much evidence says they are fraud.

Known fraud counts only through a Beta-binomial lower credible bound, so a den whose one
labelled member is fraud cannot outrank one with 40 fraud of 50 labelled: a small sample
stays close to the prior. Each kind of evidence is a number in [0, 1]; the den's score is
their weighted mean over the kinds present (weights in ``configs/dens.yaml``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import beta as beta_distribution

from configs.dens import DensConfig, PriorConfig
from features.graph.links import CallGraph


@dataclass
class Den:
    """One den of at least ``min_size`` numbers with its evidence; ``id``/``rank`` set later.

    ``members`` are the den itself (its core, :mod:`training.dens.core`); ``contacts`` are the
    rest of its community — numbers the gang talks to — kept for analysts, never ranked on.
    """

    members: list[str]
    evidence: dict = field(default_factory=dict)
    contacts: list[str] = field(default_factory=list)
    score: float = 0.0
    id: str = ""
    rank: int = 0

    @property
    def size(self) -> int:
        return len(self.members)

    def as_dict(self) -> dict:
        return {"id": self.id, "rank": self.rank, "score": round(self.score, 6), "size": self.size,
                "members": self.members, "known_fraud": self.evidence.get("known_fraud", 0), "evidence": self.evidence,
                "contacts": self.contacts}


def communities(graph: CallGraph, min_size: int) -> list[list[str]]:
    """Members (sorted numbers) of every Leiden community with at least ``min_size`` numbers."""
    membership = graph.dens
    order = np.argsort(membership, kind="stable")
    bounds = np.flatnonzero(np.diff(membership[order])) + 1
    groups = np.split(order, bounds)
    return [sorted(graph.names[group].tolist()) for group in groups if len(group) >= min_size]


def fraud_evidence(fraud: int, labelled: int, prior: PriorConfig) -> dict:
    """Posterior mean and lower credible bound of the fraud share from ``fraud`` of ``labelled``."""
    a, b = prior.alpha + fraud, prior.beta + labelled - fraud
    return {"labelled": labelled, "known_fraud": fraud, "fraud_posterior_mean": round(a / (a + b), 6),
            "fraud_bound": round(float(beta_distribution.ppf(prior.quantile, a, b)), 6)}


def rank_dens(
    members: list[list[str]],
    config: DensConfig,
    known: pd.Series | None = None,
    member_scores: pd.Series | None = None,
    shared_device_share: list[float] | None = None,
    contacts: list[list[str]] | None = None,
) -> list[Den]:
    """Dens scored from the evidence given and sorted best first (``rank`` 1 = most suspicious).

    Args:
        members: each den's numbers.
        known: label (1 fraud, 0 normal) by number; the only labels the ranking sees.
        member_scores: call-model score by number; a den's evidence is its members' mean.
        shared_device_share: per den, share of members on a device another member used.
        contacts: per den, the rest of its community (listed, not ranked on).
    """
    weights = config.weights
    dens = []
    for index, numbers in enumerate(members):
        evidence: dict = {}
        parts: list[tuple[float, float]] = []
        if known is not None:
            labels = known.reindex(numbers).dropna()
            evidence.update(fraud_evidence(int(labels.sum()), len(labels), config.prior))
            parts.append((weights.known_fraud, evidence["fraud_bound"]))
        if member_scores is not None:
            scores = member_scores.reindex(numbers).dropna()
            if len(scores):
                evidence["model_score"] = round(float(scores.mean()), 6)
                evidence["scored_members"] = len(scores)
                parts.append((weights.model_score, evidence["model_score"]))
        if shared_device_share is not None:
            evidence["shared_device_share"] = round(shared_device_share[index], 6)
            parts.append((weights.shared_devices, evidence["shared_device_share"]))
        total = sum(w for w, _ in parts)
        score = sum(w * v for w, v in parts) / total if total else 0.0
        dens.append(Den(members=numbers, evidence=evidence, score=score, contacts=contacts[index] if contacts else []))
    dens.sort(key=lambda den: (-den.score, -den.size, den.members[0]))
    for rank, den in enumerate(dens, start=1):
        den.rank = rank
    return dens
