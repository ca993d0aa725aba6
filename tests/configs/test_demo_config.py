"""configs/demo.yaml: the shipped file is valid and typos in the mixes fail at load."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from configs import ConfigError, default_config_path, load_config
from configs.demo import SENDER_KINDS, DemoConfig


def test_shipped_demo_config_loads() -> None:
    config = load_config(default_config_path("demo"), DemoConfig).sms
    assert set(config.senders.patterns) == set(SENDER_KINDS)
    assert 0 < config.fraud_share < 1


@pytest.mark.parametrize(
    "path, value, message",
    [(("senders", "fraud_mix"), {"satellite": 1.0}, "unknown sender kinds"),
     (("senders", "patterns"), {"mobile": ["13xxxxxxxxx"]}, "pattern list for exactly"),
     (("fraud_share",), 1.5, "fraud_share"),
     (("borrowed_warning_share",), -0.1, "borrowed_warning_share"),
     (("notice_disclaimer_share",), 1.2, "notice_disclaimer_share"),
     (("lookalike_share",), "often", "lookalike_share"),
     (("english_share",), 1.5, "english_share"),
     (("new_number_share",), -0.5, "new_number_share"),
     (("new_number_twin_share",), 2, "new_number_twin_share")],
)
def test_invalid_values_name_the_field(tmp_path: Path, path: tuple[str, ...], value: object, message: str) -> None:
    raw = yaml.safe_load(default_config_path("demo").read_text(encoding="utf-8"))
    section = raw["sms"]
    for key in path[:-1]:
        section = section[key]
    section[path[-1]] = value
    bad = tmp_path / "demo.yaml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(bad, DemoConfig)


@pytest.mark.parametrize("duplicates, message", [({"policy": "dedupe"}, "policy"), ({"policy": "keep_max", "max_copies": 1}, "max_copies")])
def test_an_invalid_quickstart_duplicates_policy_names_the_field(tmp_path: Path, duplicates: dict, message: str) -> None:
    raw = yaml.safe_load(default_config_path("demo").read_text(encoding="utf-8"))
    raw["quickstart"]["duplicates"] = duplicates
    bad = tmp_path / "demo.yaml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(bad, DemoConfig)
