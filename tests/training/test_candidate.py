"""training/candidate.py: a candidate config is the shipped one with validated KEY=VALUE overrides."""

from __future__ import annotations

import pytest

from configs import ConfigError, default_config_path, load_config
from configs.sms import SmsConfig
from training.candidate import candidate_config, parse_overrides

SHIPPED = load_config(default_config_path("sms"), SmsConfig, environ={})


def test_an_override_changes_that_setting_only() -> None:
    candidate = candidate_config(["YUNMAO_SMS__DUPLICATES__POLICY=keep_max", "YUNMAO_SMS__DUPLICATES__MAX_COPIES=3"],
                                 SHIPPED, environ={})
    assert candidate.duplicates.copies == 3
    assert candidate.model_copy(update={"duplicates": SHIPPED.duplicates}) == SHIPPED


@pytest.mark.parametrize("item, message", [
    ("YUNMAO_SMS__DUPLICATES__POLICY", "expected KEY=VALUE"),
    ("=keep", "expected KEY=VALUE"),
    ("DUPLICATES__POLICY=keep", "must start with YUNMAO_SMS__"),
    ("YUNMAO_CALL__SPLIT__FOLDS=3", "must start with YUNMAO_SMS__"),
])
def test_a_malformed_override_is_a_clear_error(item: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_overrides([item])


def test_a_key_given_twice_is_an_error() -> None:
    with pytest.raises(ValueError, match="given twice"):
        parse_overrides(["YUNMAO_SMS__SPLIT__FOLDS=3", "YUNMAO_SMS__SPLIT__FOLDS=4"])


@pytest.mark.parametrize("item, message", [
    ("YUNMAO_SMS__DUPLICATES__POLICI=keep", "no setting duplicates.polici"),  # a typo names no setting
    ("YUNMAO_SMS__DUPLICATES__POLICY=keep_some", "duplicates.policy"),  # a value the schema refuses
    ("YUNMAO_SMS__DUPLICATES__MAX_COPIES=1", "duplicates.max_copies"),
])
def test_a_bad_key_or_value_fails_before_any_training(item: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        candidate_config([item], SHIPPED, environ={})


def test_a_candidate_that_changes_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="changes nothing"):
        candidate_config([f"YUNMAO_SMS__DUPLICATES__POLICY={SHIPPED.duplicates.policy}"], SHIPPED, environ={})
