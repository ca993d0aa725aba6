"""serving/metrics and serving/shadow_metrics: the metrics the service exposes on /metrics keep
their names, types, labels and multiprocess modes (the alert rules, dashboards and the overload
and shadow benchmarks read them by name: a rename breaks them silently), and each one reaches the
exposition through the multiprocess files every worker writes."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

import serving.metrics
import serving.shadow_metrics

TOUCHED = "metrics-test"  # the label value this test writes: no other test reads it
EXPOSED = {
    # name (as exposed), type, label names, multiprocess mode (gauges)
    ("yunmao_cache_lookups", "counter", ("result",), None),
    ("yunmao_decision_log_dropped", "counter", ("reason",), None),
    ("yunmao_decisions", "counter", ("model", "version", "action"), None),
    ("yunmao_drift_psi", "gauge", ("model", "version", "feature"), "mostrecent"),
    ("yunmao_feedback_unmatched", "counter", (), None),
    ("yunmao_fraud_types", "counter", ("model", "version", "fraud_type"), None),
    ("yunmao_in_flight", "gauge", (), "livesum"),
    ("yunmao_live_precision", "gauge", ("model", "version", "action", "sample"), "mostrecent"),
    ("yunmao_model_reloads", "counter", ("outcome",), None),
    ("yunmao_profile_lookups", "counter", ("result",), None),
    ("yunmao_score", "histogram", ("model", "version"), None),
    ("yunmao_shed", "counter", ("route", "reason", "policy"), None),
    ("yunmao_shadow_agreement", "counter", ("kind", "champion_action", "challenger_action"), None),
    ("yunmao_shadow_dropped", "counter", ("kind", "reason"), None),
    ("yunmao_shadow_enabled", "gauge", ("kind",), "livesum"),
    ("yunmao_shadow_sampled", "counter", ("kind",), None),
    ("yunmao_shadow_scored", "counter", ("kind",), None),
    ("yunmao_shadow_score_diff", "histogram", ("kind",), None),
}


def service_metrics() -> list[MetricWrapperBase]:
    return [m for module in (serving.metrics, serving.shadow_metrics) for m in vars(module).values()
            if isinstance(m, MetricWrapperBase)]


def test_the_service_metrics_keep_their_names_types_labels_and_modes() -> None:
    found = {(m._name, m._type, tuple(m._labelnames), getattr(m, "_multiprocess_mode", None) if m._type == "gauge" else None)
             for m in service_metrics()}
    assert found == EXPOSED


def test_every_service_metric_reaches_the_multiprocess_exposition() -> None:
    for metric in service_metrics():
        child = metric.labels(*[TOUCHED] * len(metric._labelnames)) if metric._labelnames else metric
        if metric._type == "gauge":
            child.set(0)  # the in-flight gauge sums live processes: 0 is this process's true count
        elif metric._type == "histogram":
            child.observe(0.5)
        else:
            child.inc(0)
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    exposed = {(family.name, family.type) for family in text_string_to_metric_families(generate_latest(registry).decode())}
    assert {(name, kind) for name, kind, _, _ in EXPOSED} <= exposed
