"""configs/evaluation.yaml validates at load and bad numbers fail with the field named."""

from __future__ import annotations

from pathlib import Path

import pytest

from configs import ConfigError
from configs.evaluation import EvaluationConfig, load_evaluation_config


def test_shipped_config_loads() -> None:
    assert load_evaluation_config() == EvaluationConfig()


def test_rates_are_sorted() -> None:
    assert EvaluationConfig(recall_at_fpr=(0.01, 0.001)).recall_at_fpr == (0.001, 0.01)


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("bootstrap: {resamples: 5}", "bootstrap.resamples"),
        ("bootstrap: {level: 1.0}", "bootstrap.level"),
        ("bootstrap: {level: 0.3}", "bootstrap.level"),
        ("bootstrap: {seed: -1}", "bootstrap.seed"),
        ("recall_at_fpr: [0.0]", "recall_at_fpr: .*in \\(0, 1\\)"),
        ("recall_at_fpr: [1.5]", "recall_at_fpr"),
        ("recall_at_fpr: [0.01, 0.01]", "recall_at_fpr: .*distinct"),
        ("recall_at_fpr: []", "recall_at_fpr"),
        ("bootstrapp: {}", "bootstrapp: Extra inputs"),
    ],
)
def test_bad_values_are_refused(tmp_path: Path, yaml_text: str, message: str) -> None:
    path = tmp_path / "evaluation.yaml"
    path.write_text(yaml_text)
    with pytest.raises(ConfigError, match=message):
        load_evaluation_config(path)
