"""deploy/prometheus/yunmao-rules.yml: structure (a schema, always), `promtool check rules` (CI),
every metric it names is one the service exports, and its thresholds are the configured ones."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Literal

import yaml
from prometheus_client.metrics import MetricWrapperBase
from pydantic import BaseModel, ConfigDict, Field

import serving.metrics
import serving.shadow_metrics
from configs import default_config_path, load_config
from configs.monitor import MonitorConfig
from configs.serving import ServingConfig
from tests.servers import system_binary

RULES = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "yunmao-rules.yml"
# BentoML's own request counter (tests/serving/test_http.py checks /metrics serves it).
BENTOML_METRICS = {"bentoml_service_request_total"}
# The HAProxy front's exporter (tests/serving/test_front.py reads each of these off a real HAProxy).
HAPROXY_METRICS = {"haproxy_frontend_http_responses_total", "haproxy_frontend_http_requests_total"}
METRIC_MODULES = (serving.metrics, serving.shadow_metrics)
REQUIRED_ALERTS = {"YunmaoScoreDrift", "YunmaoFeatureDrift", "YunmaoBlockRateJump", "YunmaoBlockPrecisionLow",
                   "YunmaoShadowQueueDrops", "YunmaoNoTraffic", "YunmaoShedding", "YunmaoFrontShedding", "YunmaoFailOpenFlood"}


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Rule(_Closed):
    alert: str = Field(pattern=r"^Yunmao[A-Za-z]+$")
    expr: str = Field(min_length=1)
    for_: str = Field(alias="for", pattern=r"^[0-9]+[smhd]$")
    labels: dict[Literal["severity"], Literal["page", "ticket"]]
    annotations: dict[Literal["summary", "description"], str] = Field(min_length=1)


class Group(_Closed):
    name: str = Field(pattern=r"^yunmao-[a-z-]+$")
    rules: list[Rule] = Field(min_length=1)


class RulesFile(_Closed):
    groups: list[Group] = Field(min_length=1)


def rules() -> dict[str, Rule]:
    parsed = RulesFile.model_validate(yaml.safe_load(RULES.read_text(encoding="utf-8")))
    named = [rule for group in parsed.groups for rule in group.rules]
    assert len({r.alert for r in named}) == len(named), "alert names must be unique"
    return {rule.alert: rule for rule in named}


def exported_metric_names() -> set[str]:
    """Sample names the service's metrics modules expose on /metrics."""
    suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_count", "_sum"], "gauge": [""]}
    metrics = [m for module in METRIC_MODULES for m in vars(module).values() if isinstance(m, MetricWrapperBase)]
    return {m._name + suffix for m in metrics for suffix in suffixes[m._type]}


def test_rules_file_has_the_required_alerts_in_a_valid_structure() -> None:
    assert REQUIRED_ALERTS <= set(rules())


def test_every_metric_an_alert_names_is_exported() -> None:
    exported = exported_metric_names() | BENTOML_METRICS | HAPROXY_METRICS
    for name, rule in rules().items():
        named = set(re.findall(r"\b(?:yunmao|bentoml|haproxy)_[a-z_]+\b", rule.expr))
        assert named, f"{name} names no yunmao metric"
        assert named <= exported, f"{name}: {named - exported} not exported by the service"


def threshold(rule: Rule) -> float:
    return float(re.search(r"> ([0-9.]+)\s*$", rule.expr.strip()).group(1))  # type: ignore[union-attr]


def test_thresholds_are_the_configured_ones() -> None:
    monitor = load_config(default_config_path("monitor"), MonitorConfig)
    serving_config = load_config(default_config_path("serving"), ServingConfig)
    named = rules()
    assert threshold(named["YunmaoScoreDrift"]) == monitor.live.drift.score_psi_limit
    assert threshold(named["YunmaoFeatureDrift"]) == monitor.live.drift.feature_psi_limit
    slots = serving_config.workers * serving_config.overload.max_in_flight
    assert f"0.8 * {slots}" in named["YunmaoAtCapacity"].expr


def test_promtool_accepts_the_rules() -> None:
    promtool = system_binary("promtool", package="prometheus")
    result = subprocess.run([promtool, "check", "rules", str(RULES)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
