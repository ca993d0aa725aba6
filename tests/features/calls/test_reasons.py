"""Every call feature reads as a Chinese sentence: the two contest tables and the profile builder."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from features.calls.profiles import PROFILE_COLUMNS
from features.calls.reasons import CALL_REASON_TEMPLATES, load_templates
from features.reasons import render_reason
from tests.conftest import shared_data

CJK = re.compile(r"[\u4e00-\u9fff]")
IDENTIFIER = re.compile(r"[a-z]+_[a-z0-9_]+|[a-z]{4,}")  # what a raw column name looks like
VALUES = (0.0, 0.37, 1.0, 12.0, 4561.09)
TABLES = ("number_features_train.csv", "number_features_extra.csv")


def _assert_reads_as_chinese(name: str) -> None:
    assert name in CALL_REASON_TEMPLATES, f"{name} has no reason template"
    for value in VALUES:
        text = render_reason(name, value, CALL_REASON_TEMPLATES)
        assert text is not None and CJK.search(text), (name, text)
        assert name not in text and not IDENTIFIER.search(text) and "{" not in text, (name, text)


def _units_match_the_column(name: str) -> None:
    text = render_reason(name, 0.25, CALL_REASON_TEMPLATES)
    if name.endswith("_ratio") or name in ("voc_calltype1", "calltype_rate"):
        assert text.endswith("25%"), (name, text)
    elif "call_dur" in name or "call_interval" in name or name.startswith(("dur_", "phone2oppo_sum")):
        assert "秒" in text, (name, text)
    elif name.endswith("_class"):
        assert "等级" in text, (name, text)


@pytest.mark.parametrize("name", PROFILE_COLUMNS)
def test_every_builder_column_reads_as_chinese(name: str) -> None:
    _assert_reads_as_chinese(name)
    _units_match_the_column(name)


@pytest.mark.realdata
@pytest.mark.parametrize("table", TABLES)
def test_every_column_of_the_real_tables_reads_as_chinese(table: str) -> None:
    header = pd.read_csv(shared_data("sichuan_fraud_calls", table), nrows=0).columns
    names = [c for c in header if c not in ("phone_no_m", "label")]
    assert len(names) == {"number_features_train.csv": 93, "number_features_extra.csv": 55}[table]
    for name in names:
        _assert_reads_as_chinese(name)
        _units_match_the_column(name)


def test_contest_swapped_max_min_read_as_what_they_hold() -> None:
    # voc_user_max_cnt holds the smallest number of calls with one peer (features/calls/profiles.py).
    assert render_reason("voc_user_max_cnt", 1, CALL_REASON_TEMPLATES) == "与单个对象最少通话 1 次"
    assert render_reason("voc_user_min_cnt", 40, CALL_REASON_TEMPLATES) == "与单个对象最多通话 40 次"
    assert render_reason("imei_sims", 41, CALL_REASON_TEMPLATES) == "同一设备上有 41 个号码"


@pytest.mark.parametrize(("content", "message"), [
    ("voc_cnt: 通话次数\n", "voc_cnt.*value"),
    ("voc_cnt@zero: 无通话\n", "voc_cnt@zero.*beside"),  # a zero sentence needs its feature's template
])
def test_a_broken_template_file_fails_at_load(tmp_path, content: str, message: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_templates(bad)


def test_a_zero_count_reads_as_a_sentence_not_as_zero() -> None:
    assert render_reason("interactive_call_user_cnt", 0, CALL_REASON_TEMPLATES) == "无双向通话对象"
    assert render_reason("interactive_call_user_cnt", 3, CALL_REASON_TEMPLATES) == "双向通话对象 3 个"
