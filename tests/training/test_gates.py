"""Promotion gates decide on numbers alone, and say why."""

from __future__ import annotations

from pathlib import Path

import pytest

from configs import ConfigError
from configs.retrain import Gate, load_retrain_config
from training.gates import decide_promotion, metric_value

CHAMPION = {"recall": 0.80, "fpr": 0.0008, "roc_auc": 0.990, "warn": {"recall": 0.9}}
GATES = load_retrain_config().gates


def test_better_challenger_is_promoted() -> None:
    decision = decide_promotion(GATES, {**CHAMPION, "recall": 0.85, "roc_auc": 0.992}, CHAMPION)
    assert decision.promote and decision.why == "all gates passed"


@pytest.mark.parametrize(
    ("change", "failed"),
    [
        ({"recall": 0.79}, "recall 0.7900 >= 0.8000 (not_lower): FAILED"),
        ({"fpr": 0.002}, "fpr 0.0020 <= 0.0010 (at_most): FAILED"),
        ({"roc_auc": 0.9875}, "roc_auc 0.9875 >= 0.9880 (not_lower): FAILED"),
    ],
)
def test_each_gate_can_reject(change: dict, failed: str) -> None:
    decision = decide_promotion(GATES, {**CHAMPION, **change}, CHAMPION)
    assert not decision.promote and decision.why == failed


def test_roc_auc_tolerance_allows_a_small_drop() -> None:
    assert decide_promotion(GATES, {**CHAMPION, "roc_auc": 0.9885}, CHAMPION).promote


def test_shuffled_label_quality_is_rejected_even_without_a_champion() -> None:
    decision = decide_promotion(GATES, {"recall": 0.0, "fpr": 0.0, "roc_auc": 0.51}, None)
    assert not decision.promote and "roc_auc 0.5100 >= 0.6000 (at_least): FAILED" in decision.why


def test_first_passing_challenger_is_promoted_without_a_champion() -> None:
    decision = decide_promotion(GATES, CHAMPION, None)
    assert decision.promote
    assert sum("no champion" in r.reason for r in decision.results) == 2
    assert sum("not measured" in r.reason for r in decision.results) == 2  # no categories in CHAMPION


def test_nested_metrics_and_unknown_metric() -> None:
    assert metric_value(CHAMPION, "warn.recall") == 0.9
    with pytest.raises(KeyError, match="'warn.fpr' is not in the evaluation results"):
        metric_value(CHAMPION, "warn.fpr")
    gate = Gate(metric="warn.recall", rule="not_higher", tolerance=0.01)
    assert not decide_promotion([gate], {"warn": {"recall": 0.92}}, CHAMPION).promote


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("gates: []", "gates"),
        ("gates: [{metric: fpr, rule: at_most}]", "needs a 'value'"),
        ("gates: [{metric: recall, rule: not_lower, value: 0.5}]", "use 'tolerance'"),
        ("gates: [{metric: recall, rule: better}]", "rule"),
        ("gates: [{metric: recall, rule: not_lower, tolerance: -1}]", "tolerance"),
    ],
)
def test_bad_gate_config_is_refused(tmp_path: Path, yaml_text: str, message: str) -> None:
    path = tmp_path / "retrain.yaml"
    path.write_text(yaml_text)
    with pytest.raises(ConfigError, match=message):
        load_retrain_config(path)


def test_fraud_score_gate_applies_only_where_measured() -> None:
    gate = Gate(metric="fraud.roc_auc", rule="not_lower", tolerance=0.002, if_present=True)
    with_fraud = {**CHAMPION, "fraud": {"roc_auc": 0.95}}
    assert decide_promotion([gate], CHAMPION, with_fraud).promote, "set without categories: not measured"
    assert decide_promotion([gate], with_fraud, CHAMPION).promote, "legacy champion: nothing to compare with"
    worse = {**CHAMPION, "fraud": {"roc_auc": 0.90}}
    decision = decide_promotion([gate], worse, with_fraud)
    assert not decision.promote and "fraud.roc_auc 0.9000 >= 0.9480" in decision.why
