"""configs/call.yaml's den reason setting validates at load, and a bad value fails with the field named."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from configs import ConfigError, default_config_path, load_config
from configs.call import CallConfig


def _with_den_share(value: object, tmp_path: Path) -> Path:
    shipped = yaml.safe_load(default_config_path("call").read_text(encoding="utf-8"))
    shipped["graph"]["den_reason_min_share"] = value
    path = tmp_path / "call.yaml"
    path.write_text(yaml.safe_dump(shipped, allow_unicode=True), encoding="utf-8")
    return path


def test_shipped_den_reason_share_is_a_share() -> None:
    assert 0 < load_config(default_config_path("call"), CallConfig).graph.den_reason_min_share <= 1


@pytest.mark.parametrize("value", [-0.1, 1.5, "half", None])
def test_a_den_reason_share_outside_0_to_1_is_refused_naming_it(value: object, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="den_reason_min_share"):
        load_config(_with_den_share(value, tmp_path), CallConfig)
