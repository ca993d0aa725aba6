"""configs/feedback.yaml validates at load and bad numbers fail with the field named."""

from __future__ import annotations

from pathlib import Path

import pytest

from configs import ConfigError
from configs.feedback import FeedbackConfig, load_feedback_config


def test_shipped_config_loads() -> None:
    assert load_feedback_config() == FeedbackConfig()


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("busy_timeout_s: 0", "busy_timeout_s"),
        ("max_batch: 0", "max_batch"),
        ("max_text_chars: abc", "max_text_chars"),
        ("pathh: x.db", "pathh: Extra inputs"),
    ],
)
def test_bad_values_are_refused(tmp_path: Path, yaml_text: str, message: str) -> None:
    path = tmp_path / "feedback.yaml"
    path.write_text(yaml_text)
    with pytest.raises(ConfigError, match=message):
        load_feedback_config(path)
