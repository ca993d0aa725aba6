"""features/preprocess.py: records → normalised text, tokens and metadata, one row per record."""

from __future__ import annotations

import pandas as pd
import pytest

from features.sms.preprocess import RecordPreprocessor


def test_records_become_normalised_text_tokens_and_metadata() -> None:
    records = pd.DataFrame(
        {"text": ["请转入安 全 账 户", "验证码834512"], "sender": ["13812345678", "1069012345"], "sent_at": [None, "2025-01-01T03:00:00"]},
        index=[10, 20],
    )
    frame = RecordPreprocessor().fit(records).transform(records)
    assert list(frame.index) == [10, 20]
    assert frame["norm"].tolist() == ["请转入安全账户", "验证码 NUM"]
    assert frame["tokens"].iloc[0].split()[-1] == "安全账户"
    assert frame["sender"].tolist() == ["13812345678", "1069012345"]
    assert pd.isna(frame["sent_at"].iloc[0]) and frame["sent_at"].iloc[1] == "2025-01-01T03:00:00"


def test_missing_metadata_columns_become_none() -> None:
    frame = RecordPreprocessor().fit_transform(pd.DataFrame({"text": ["你好"]}))
    assert frame["sender"].isna().all() and frame["sent_at"].isna().all()


def test_non_string_text_is_scored_as_its_string() -> None:
    frame = RecordPreprocessor().fit_transform(pd.DataFrame({"text": [12]}))
    assert frame["norm"].tolist() == ["12"]


def test_records_without_text_are_a_clear_error() -> None:
    with pytest.raises(ValueError, match="'text' column"):
        RecordPreprocessor().fit_transform(pd.DataFrame({"body": ["你好"]}))
