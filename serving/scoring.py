"""Records in, response out: the decision → response mapping every scoring endpoint shares.

An endpoint turns its validated request into records (one dict per message or call), gets
decisions from a :class:`~serving.reload.LoadedModel` (through its cache when one is configured)
and renders them with :func:`build_response`, which also counts them in the metrics. A record
the model cannot score at all (a caller with no profile) gets an :class:`Unscored` verdict that
travels the same path, so every endpoint answers every record in one shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from features.sms.preprocess import NormalisedSms
from serving.cache import CacheKey
from serving.metrics import record_cache, record_decisions
from serving.reload import LoadedModel
from serving.schemas import ModelInfo, ScoreResponse, ScoreResult, new_decision_id

if TYPE_CHECKING:
    from models.scam_model import Decision

Record = Mapping[str, object]


@dataclass(frozen=True)
class Unscored:
    """The verdict on a record the model was not asked about: no score, a configured action and
    the reason why (shaped like a model ``Decision`` so responses and metrics treat both alike)."""

    action: str
    reasons: tuple[str, ...]
    score: None = None
    fraud_type: None = None
    fraud_type_score: None = None
    category: None = None
    fraud_score: None = None
    watched: tuple[float, ...] = ()


Verdict = Union["Decision", Unscored]


def decide(
    loaded: LoadedModel,
    records: Sequence[Record] | NormalisedSms,
    explain: bool,
    keys: Sequence[CacheKey] | None = None,
) -> list[Decision]:
    """Decisions for ``records`` in order; with a cache and ``keys`` (one per record), repeats
    are served from the cache and only the first occurrence of each new key reaches the model."""
    if loaded.cache is None or keys is None:
        return loaded.model.decide(records, explain=explain)
    found = loaded.cache.get_many(keys)
    first_miss: dict[CacheKey, int] = {}
    for i, (k, decision) in enumerate(zip(keys, found, strict=True)):
        if decision is None:
            first_miss.setdefault(k, i)
    if first_miss:
        fresh = loaded.model.decide(_take(records, list(first_miss.values())), explain=explain)
        new = dict(zip(first_miss, fresh, strict=True))
        loaded.cache.put_many(list(new.items()))
        found = [decision if decision is not None else new[k] for k, decision in zip(keys, found, strict=True)]
    record_cache(hits=len(records) - len(first_miss), misses=len(first_miss))
    return [decision for decision in found if decision is not None]


def _take(records: Sequence[Record] | NormalisedSms, rows: list[int]) -> Sequence[Record] | NormalisedSms:
    return records.take(rows) if isinstance(records, NormalisedSms) else [records[i] for i in rows]


def to_result(record_id: str, decision: Verdict) -> ScoreResult:
    """One response item from one verdict, under a fresh ``decision_id``."""
    return ScoreResult(
        id=record_id,
        decision_id=new_decision_id(),
        score=decision.score,
        action=decision.action,
        category=decision.category,
        fraud_score=decision.fraud_score,
        fraud_type=decision.fraud_type,
        fraud_type_score=decision.fraud_type_score,
        reasons=list(decision.reasons),
    )


def build_response(loaded: LoadedModel, ids: Sequence[str], decisions: Sequence[Verdict]) -> ScoreResponse:
    """The response body for one request, counted in the decision metrics."""
    record_decisions(loaded.name, loaded.version, [(d.score, d.action, d.fraud_type) for d in decisions])
    return ScoreResponse(
        model=ModelInfo(name=loaded.name, version=loaded.version),
        results=[to_result(record_id, decision) for record_id, decision in zip(ids, decisions, strict=True)],
    )
