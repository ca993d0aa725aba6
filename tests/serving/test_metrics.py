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


def exposed_value(name: str, labels: dict[str, str]) -> float:
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return sum(sample.value for family in text_string_to_metric_families(generate_latest(registry).decode())
               for sample in family.samples if sample.name == name and sample.labels == labels)


def test_decisions_count_under_their_own_version_action_and_type_every_time() -> None:
    """The label children are looked up once per label set: each later request must still count
    under its own model version, action and fraud type, never under an earlier one's."""
    def count(version: str, action: str) -> float:
        return exposed_value("yunmao_decisions_total", {"model": TOUCHED, "version": version, "action": action})

    unknown_type = {"model": TOUCHED, "version": "2", "fraud_type": "unknown"}
    before = {(v, a): count(v, a) for v in ("1", "2") for a in ("block", "allow")}
    types_before = exposed_value("yunmao_fraud_types_total", unknown_type)
    for _ in range(2):
        serving.metrics.record_decisions(TOUCHED, "1", [(0.99, "block", "冒充公检法"), (0.01, "allow", None)])
        serving.metrics.record_decisions(TOUCHED, "2", [(0.98, "block", None)])
    assert count("1", "block") == before["1", "block"] + 2 and count("1", "allow") == before["1", "allow"] + 2
    assert count("2", "block") == before["2", "block"] + 2 and count("2", "allow") == before["2", "allow"]
    assert exposed_value("yunmao_fraud_types_total", unknown_type) == types_before + 2
