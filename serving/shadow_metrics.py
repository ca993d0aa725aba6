"""Prometheus metrics of the shadow challengers (``serving/shadow``), merged across workers through
prometheus' multiprocess files like ``serving/metrics`` (which says why import order matters).

Names are what the shipped alert rules read: ``yunmao_shadow_dropped_total`` (sampled records the
challenger never scored, by reason), ``yunmao_shadow_agreement_total`` (the 3×3 champion ×
challenger action count) and ``yunmao_shadow_score_diff`` (challenger score − champion score).
Every metric carries ``kind`` (sms or call) so the two endpoints' challengers stay apart; sum it
away for an instance-wide view.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

DROP_QUEUE_FULL = "queue_full"  # the worker's shadow queue was full when the request was answered
DROP_MODEL_FAILED = "model_failed"  # the challenger raised on the batch
DROP_STORE_FAILED = "store_failed"  # scored, but the pairs could not be written (locked or unwritable store)

SAMPLED = Counter(
    name="yunmao_shadow_sampled_total",
    documentation="Records sampled for the shadow challenger, by kind.",
    labelnames=["kind"],
)
SCORED = Counter(
    name="yunmao_shadow_scored_total",
    documentation="Sampled records the shadow challenger scored, by kind.",
    labelnames=["kind"],
)
DROPPED = Counter(
    name="yunmao_shadow_dropped_total",
    documentation="Sampled records the shadow challenger did not score or store, by kind and reason "
    "(queue_full, model_failed, store_failed).",
    labelnames=["kind", "reason"],
)
AGREEMENT = Counter(
    name="yunmao_shadow_agreement_total",
    documentation="Shadow-scored records by champion action and challenger action (3x3), by kind.",
    labelnames=["kind", "champion_action", "challenger_action"],
)
SCORE_DIFF = Histogram(
    name="yunmao_shadow_score_diff",
    documentation="Challenger score minus champion score on shadow-scored records, by kind.",
    labelnames=["kind"],
    buckets=[-0.5, -0.2, -0.1, -0.05, -0.01, 0.01, 0.05, 0.1, 0.2, 0.5, 1.0],
)
ENABLED = Gauge(
    name="yunmao_shadow_enabled",
    documentation="Live workers whose shadow challenger is configured and loaded, by kind "
    "(below the worker count: the alias is missing or failed to load).",
    labelnames=["kind"],
    multiprocess_mode="livesum",
)


def record_sampled(kind: str, count: int) -> None:
    SAMPLED.labels(kind=kind).inc(count)


def record_dropped(kind: str, reason: str, count: int) -> None:
    DROPPED.labels(kind=kind, reason=reason).inc(count)


def record_pair(kind: str, champion: tuple[float | None, str], challenger: tuple[float | None, str]) -> None:
    """Count one shadow-scored record: its agreement cell and, when both scored it, the score difference."""
    SCORED.labels(kind=kind).inc()
    AGREEMENT.labels(kind=kind, champion_action=champion[1], challenger_action=challenger[1]).inc()
    if champion[0] is not None and challenger[0] is not None:
        SCORE_DIFF.labels(kind=kind).observe(challenger[0] - champion[0])


def record_enabled(kind: str, enabled: bool) -> None:
    ENABLED.labels(kind=kind).set(1 if enabled else 0)
