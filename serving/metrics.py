"""Prometheus metrics of the decisions the service makes, served on BentoML's ``/metrics``.

BentoML runs several worker processes and serves ``/metrics`` from prometheus' multiprocess files
(``PROMETHEUS_MULTIPROC_DIR``, in each worker's environment from its start), so plain
``prometheus_client`` metrics made at import are merged across workers. (``bentoml.metrics``, used
before, passed these same classes through and is deprecated in BentoML 1.4.) prometheus_client
picks its multiprocess value class when first imported, so in a process that serves ``/metrics``
nothing may import it, or this module, before that variable is set (tests/conftest.py sets it
first for the tests). Labels carry the model name and version so a new champion's behaviour
(block rate, score drift) is visible the minute it is live.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache

from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.metrics import MetricWrapperBase

DECISIONS = Counter(
    name="yunmao_decisions_total",
    documentation="Decisions returned, by model version and action.",
    labelnames=["model", "version", "action"],
)
FRAUD_TYPES = Counter(
    name="yunmao_fraud_types_total",
    documentation="Block/warn decisions by predicted fraud type and model version.",
    labelnames=["model", "version", "fraud_type"],
)
SCORES = Histogram(
    name="yunmao_score",
    documentation="Calibrated fraud scores returned, by model version.",
    labelnames=["model", "version"],
    buckets=[0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0],
)
CACHE_LOOKUPS = Counter(
    name="yunmao_cache_lookups_total",
    documentation="Decision-cache lookups by result (hit or miss).",
    labelnames=["result"],
)
PROFILE_LOOKUPS = Counter(
    name="yunmao_profile_lookups_total",
    documentation="Caller-profile lookups of /v1/call/score by result (found or missing).",
    labelnames=["result"],
)
RELOADS = Counter(
    name="yunmao_model_reloads_total",
    documentation="Model reload attempts by outcome (swapped, unchanged, failed).",
    labelnames=["outcome"],
)

SHED = Counter(
    name="yunmao_shed_total",
    documentation="Scoring requests answered by the overload policy instead of the model, by route, reason and policy.",
    labelnames=["route", "reason", "policy"],
)
IN_FLIGHT = Gauge(
    name="yunmao_in_flight",
    documentation="Scoring requests (SMS and call) holding an in-flight slot now, summed over the instance's live workers.",
    multiprocess_mode="livesum",
)
DECISION_LOG_DROPPED = Counter(
    name="yunmao_decision_log_dropped_total",
    documentation="Decisions not written to the decision log, by reason: queue_full (the writer fell behind) "
    "or store_failed (the SQLite file or Redis refused the batch).",
    labelnames=["reason"],
)
UNMATCHED_FEEDBACK = Counter(
    name="yunmao_feedback_unmatched_total",
    documentation="Feedback records quoting a decision_id the decision log does not hold.",
)
# Live health (serving/live_health): every worker computes these from the shared decision log, so
# the most recent value of any worker is the instance's value.
DRIFT_PSI = Gauge(
    name="yunmao_drift_psi",
    documentation="PSI of live scores (feature=score) and watched features against the model version's reference, over monitor live.window_h.",
    labelnames=["model", "version", "feature"],
    multiprocess_mode="mostrecent",
)
LIVE_PRECISION = Gauge(
    name="yunmao_live_precision",
    documentation="Share of labelled block/warn decisions that were scam, over monitor live.window_h; "
    "sample=feedback (all labels) or audit (the random audit sample).",
    labelnames=["model", "version", "action", "sample"],
    multiprocess_mode="mostrecent",
)


@cache
def _child(metric: MetricWrapperBase, *values: str) -> MetricWrapperBase:
    """``metric.labels(*values)``, looked up once per label set: ``labels()`` checks the values
    and takes the metric's lock on every call, several times per scored request. Unbounded, like
    prometheus_client's own table of children, which keeps every label set ever used anyway."""
    return metric.labels(*values)


def record_decisions(name: str, version: str, results: Sequence[tuple[float | None, str, str | None]]) -> None:
    """Count ``(score, action, fraud_type)`` triples of one response; a None score (not scored,
    e.g. a caller without history) counts its action but stays out of the score histogram."""
    for score, action, fraud_type in results:
        _child(DECISIONS, name, version, action).inc()
        if score is not None:
            _child(SCORES, name, version).observe(score)
        if action != "allow":
            _child(FRAUD_TYPES, name, version, fraud_type or "unknown").inc()


def record_cache(hits: int, misses: int) -> None:
    if hits:
        _child(CACHE_LOOKUPS, "hit").inc(hits)
    if misses:
        _child(CACHE_LOOKUPS, "miss").inc(misses)


def record_profile_lookups(found: int, missing: int) -> None:
    if found:
        _child(PROFILE_LOOKUPS, "found").inc(found)
    if missing:
        _child(PROFILE_LOOKUPS, "missing").inc(missing)


def record_reload(outcome: str) -> None:
    RELOADS.labels(outcome=outcome).inc()


def record_shed(route: str, reason: str, policy: str) -> None:
    _child(SHED, route, reason, policy).inc()


def record_in_flight(count: int) -> None:
    """Set, not incremented: the worker's gate owns the count, so the gauge cannot drift from it."""
    IN_FLIGHT.set(count)


def record_decision_log_dropped(count: int, reason: str) -> None:
    DECISION_LOG_DROPPED.labels(reason=reason).inc(count)


def record_drift(name: str, version: str, values: Mapping[str, float]) -> None:
    """Set the PSI gauge of each of ``values`` (feature → PSI) for one model version."""
    for feature, value in values.items():
        DRIFT_PSI.labels(model=name, version=version, feature=feature).set(value)


def record_precision(name: str, version: str, action: str, sample: str, value: float) -> None:
    LIVE_PRECISION.labels(model=name, version=version, action=action, sample=sample).set(value)


def record_unmatched_feedback(count: int) -> None:
    UNMATCHED_FEEDBACK.inc(count)
