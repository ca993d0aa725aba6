"""configs/obfuscation.yaml validates at load, and bad values fail with the field named."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from configs import ConfigError, default_config_path
from configs.obfuscation import EVASIONS, ObfuscationConfig, load_obfuscation_config


def test_shipped_config_loads_with_every_evasion_in_the_order_they_apply() -> None:
    cfg = load_obfuscation_config()
    assert cfg.evasions == EVASIONS and 0 < cfg.strength <= 1
    assert cfg.only("separators").evasions == ("separators",)


def test_evasions_are_put_in_the_order_they_apply(tmp_path: Path) -> None:
    assert _loaded({"evasions": ["zero_width", "variants"]}, tmp_path).evasions == ("variants", "zero_width")


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"strength": 0}, "strength"),
        ({"strength": 1.5}, "strength"),
        ({"seed": -1}, "seed"),
        ({"evasions": []}, "evasions"),
        ({"evasions": ["separators", "separators"]}, "evasions: .*distinct"),
        ({"evasions": ["emoji"]}, "evasions"),
        ({"separators": ["ab"]}, "separators: .*one character"),
        ({"separators": ["x"]}, "separators: .*not a letter or digit"),
        ({"zero_width": ["*"]}, "zero_width: .*invisible"),
        ({"variants": {"微信": ["微信"]}}, "variants: .*微信"),
        ({"variants": {"微信": []}}, "variants: .*微信"),
        ({"pinyin_initials": {"微信": "WX"}}, "pinyin_initials: .*lower-case"),
        ({"pinyin_initials": {"微信": "w1"}}, "pinyin_initials"),
        ({"numerals": ["一二三"]}, "numerals: .*10 characters"),
        ({"numerals": ["0一二三四五六七八九"]}, "numerals: .*ASCII digit"),
        ({"lookalikes": {"ab": "аб"}}, "lookalikes: .*one character"),
        ({"lookalikes": {"o": "o"}}, "lookalikes"),
        ({"strenght": 0.2}, "strenght: Extra inputs"),
    ],
)
def test_bad_values_are_refused(tmp_path: Path, override: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _loaded(override, tmp_path)


def _loaded(override: dict, folder: Path) -> ObfuscationConfig:
    """The shipped file with ``override`` applied, written out and loaded as a user's file would be."""
    shipped = yaml.safe_load(default_config_path("obfuscation").read_text(encoding="utf-8"))
    path = folder / "obfuscation.yaml"
    path.write_text(yaml.safe_dump({**shipped, **override}, allow_unicode=True), encoding="utf-8")
    return load_obfuscation_config(path)
