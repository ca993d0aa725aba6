"""configs/campaigns.yaml: the shipped file validates, and YAML's numbers become the text contacts are compared as."""

from __future__ import annotations

from pathlib import Path

import pytest

from configs import ConfigError, default_config_path, load_config
from configs.campaigns import CampaignsConfig


def test_shipped_config_loads_with_text_service_numbers() -> None:
    contacts = load_config(default_config_path("campaigns"), CampaignsConfig).campaigns.contacts
    assert "95" in contacts.service_number_prefixes and all(isinstance(p, str) for p in contacts.service_number_prefixes)
    assert "t.cn" in contacts.service_domains


def test_numbers_from_yaml_are_compared_as_text(tmp_path: Path) -> None:
    path = tmp_path / "campaigns.yaml"
    path.write_text("campaigns:\n  contacts:\n    service_numbers: [4008123456, ' ICBC.com.cn ']\n", encoding="utf-8")
    assert load_config(path, CampaignsConfig).campaigns.contacts.service_numbers == ["4008123456", "icbc.com.cn"]


@pytest.mark.parametrize("body", ["campaigns:\n  min_size: 1\n", "campaigns:\n  hub_limit: 3\n",
                                  "campaigns:\n  contacts:\n    max_templates_per_contact: 0\n"])
def test_invalid_values_and_unknown_keys_fail_at_load(tmp_path: Path, body: str) -> None:
    path = tmp_path / "campaigns.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(path, CampaignsConfig)
