"""The one reason formatter: sentences from templates, nothing for NaN or absence, no repeats."""

from __future__ import annotations

import math

import pytest

from features.reasons import FALLBACK_SUFFIX, merge_templates, render_reason, top_reasons

TEMPLATES = {
    "voc_user_cnt": "通话对象 {value:.0f} 个",
    "user_cnt": "通话对象 {value:.0f} 个",
    "voc_cnt_per_user": "平均每个对象通话 {value:.1f} 次",
    "voc_user_mean_cnt": "平均每个对象通话 {value:.1f} 次",
    "short_call_ratio": "短通话占比 {value:.0%}",
}


def test_template_value_nan_and_absence() -> None:
    assert render_reason("short_call_ratio", 0.734, TEMPLATES) == "短通话占比 73%"
    assert render_reason("short_call_ratio", math.nan, TEMPLATES) is None
    assert render_reason("词: 刷单", 1.0, TEMPLATES) == "词: 刷单"  # SMS n-gram: its name reads
    assert render_reason("词: 刷单", 0.0, TEMPLATES) is None


def test_two_features_sharing_a_template_are_shown_once_with_the_stronger_value() -> None:
    ranked = [("voc_cnt_per_user", 1.0), ("voc_user_mean_cnt", 1.04), ("user_cnt", 12), ("voc_user_cnt", 12),
              ("short_call_ratio", 0.5)]
    assert top_reasons(ranked, TEMPLATES, limit=5) == ["平均每个对象通话 1.0 次", "通话对象 12 个", "短通话占比 50%"]


def test_limit_counts_shown_reasons_not_skipped_ones() -> None:
    ranked = [("user_cnt", 3), ("voc_user_cnt", 3), ("short_call_ratio", math.nan), ("voc_cnt_per_user", 2.0)]
    assert top_reasons(ranked, TEMPLATES, limit=2) == ["通话对象 3 个", "平均每个对象通话 2.0 次"]
    assert top_reasons(ranked, TEMPLATES, limit=0) == []


def test_merging_template_tables_rejects_two_sentences_for_one_feature() -> None:
    merged = merge_templates(TEMPLATES, {"graph_fraud_neighbours": "关联诈骗号码 {value:.0f} 个"})
    assert merged["graph_fraud_neighbours"] == "关联诈骗号码 {value:.0f} 个" and merged["user_cnt"] == TEMPLATES["user_cnt"]
    with pytest.raises(ValueError, match="user_cnt"):
        merge_templates(TEMPLATES, {"user_cnt": "用户 {value} 个"})


def test_a_generic_reason_is_said_only_when_nothing_concrete_is() -> None:
    generic = frozenset({"文本整体与诈骗短信相似"})
    ranked = [("文本整体与诈骗短信相似", 0.9), ("冒充公检法称涉案", 1.0)]
    assert top_reasons(ranked, {}, limit=3, fallbacks=generic) == ["冒充公检法称涉案"]
    assert top_reasons(ranked[:1], {}, limit=3, fallbacks=generic) == ["文本整体与诈骗短信相似"]


def test_one_gram_from_both_vocabularies_is_said_once() -> None:
    """The character and the word vocabularies can both hold "资金": the reader sees it once."""
    ranked = [("词: 资金", 1.0), ("字: 资金", 1.0), ("字: 转入", 1.0), ("词: 转入安全", 1.0)]
    assert top_reasons(ranked, {}, limit=5) == ["词: 资金", "字: 转入", "词: 转入安全"]


def test_a_template_naming_a_value_the_record_lacks_gives_way_to_its_fallback() -> None:
    templates = {"den": "窝点 {den_id} 共 {value:.0f} 个号码", "den" + FALLBACK_SUFFIX: "窝点共 {value:.0f} 个号码",
                 "ring": "团伙 {ring_id}"}
    assert render_reason("den", 37, templates, {"den_id": "den-12"}) == "窝点 den-12 共 37 个号码"
    assert render_reason("den", 37, templates, {"den_id": math.nan}) == "窝点共 37 个号码"  # unknown: never "nan"
    assert render_reason("den", 37, templates) == "窝点共 37 个号码"
    assert render_reason("ring", 1, templates) == "ring"  # no fallback: the name, as before
