"""features/patterns.py: readable dense features that count what the normalised text contains."""

from __future__ import annotations

import re

import pytest

from features.sms.normalise import normalise_text
from features.sms.patterns import ENTITY_REASONS, SHAPE_FEATURES, PatternFeatures

_CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def patterns() -> PatternFeatures:
    return PatternFeatures().fit(["任意文本"])


def _row(patterns: PatternFeatures, raw: str) -> dict[str, float]:
    values = patterns.transform([normalise_text(raw)])[0]
    return dict(zip(patterns.get_feature_names_out(), values, strict=False))


def test_feature_names_are_readable_and_unique(patterns: PatternFeatures) -> None:
    names = list(patterns.get_feature_names_out())
    assert len(names) == len(set(names))
    assert all(_CJK.search(name) for name in names), names


def test_transform_has_one_column_per_name(patterns: PatternFeatures) -> None:
    matrix = patterns.transform([normalise_text("你好"), normalise_text("转账5000元")])
    assert matrix.shape == (2, len(patterns.get_feature_names_out()))


@pytest.mark.parametrize(
    "raw, feature, count",
    [
        ("点击 https://t.cn/abc 领取", ENTITY_REASONS["URL"], 1),
        ("联系13812345678或13912345678", ENTITY_REASONS["PHONE"], 2),
        ("转账5000元", ENTITY_REASONS["MONEY"], 1),
        ("卡号6222021234567890123", ENTITY_REASONS["CARDNO"], 1),
        ("请转入安全账户", "称账户异常需处理", 1),
        ("请立即转账", "要求转账或付款", 1),
        ("请立即转账", "含紧迫催促用语", 1),
        ("加 V 信 联系", "引导加微信/QQ等私下联系", 1),
        ("妈，我今晚回家吃饭", "要求转账或付款", 0),
        ("快回电话!!!", SHAPE_FEATURES["exclamations"], 3),
        ("【中国银行】您的账单已出", SHAPE_FEATURES["has_signature"], 1),
        ("您的账单已出", SHAPE_FEATURES["has_signature"], 0),
    ],
)
def test_patterns_count_what_the_message_has(patterns: PatternFeatures, raw: str, feature: str, count: float) -> None:
    assert _row(patterns, raw)[feature] == count


def test_shape_ignores_placeholder_letters(patterns: PatternFeatures) -> None:
    row = _row(patterns, "点击 https://t.cn/abc")  # normalised: "点击 URL"
    assert row[SHAPE_FEATURES["latin_share"]] == 0
    assert row[SHAPE_FEATURES["length"]] == len("点击 ")
