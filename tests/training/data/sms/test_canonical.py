"""Canonical CSV / JSONL / Parquet: round trips, optional columns and broken files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from training.data.sms import DataFormatError, load_labelled

ROWS = [
    {"id": "m1", "text": "【工商银行】您尾号1234账户转入500元", "sender": "95588", "receiver": "13800000000",
     "sent_at": "2025-01-01T10:00:00", "label": "normal", "fraud_type": None},
    {"id": "m2", "text": "您涉嫌洗钱，请把资金转入安全账户", "sender": "+85212345678", "receiver": None,
     "sent_at": None, "label": "fraud", "fraud_type": "冒充公检法"},
]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_round_trip_keeps_ids_metadata_and_types(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"sms{suffix}"
    frame = pd.DataFrame(ROWS)
    {".csv": lambda: frame.to_csv(path, index=False), ".parquet": lambda: frame.to_parquet(path),
     ".jsonl": lambda: frame.to_json(path, orient="records", lines=True, force_ascii=False)}[suffix]()
    result = load_labelled([path])
    loaded = result.frame
    assert result.report.files[0].format == "canonical"
    assert loaded["id"].tolist() == ["m1", "m2"]
    assert loaded["label"].tolist() == [0, 1]
    assert loaded["fraud_type"].tolist() == [None, "冒充公检法"]
    assert loaded["sender"].tolist() == ["95588", "+85212345678"]
    assert loaded["receiver"].tolist() == ["13800000000", None]
    assert loaded["sent_at"].tolist() == ["2025-01-01T10:00:00", None]


def test_minimal_csv_gets_file_line_ids_and_none_metadata(tmp_path: Path) -> None:
    path = tmp_path / "mini.csv"
    path.write_text('TEXT,Label\n"多行\n短信",spam\n你好,ham\n', encoding="utf-8")
    frame = load_labelled([path]).frame
    assert frame["id"].tolist() == ["mini:2", "mini:4"]
    assert frame["text"].tolist() == ["多行\n短信", "你好"]
    assert frame[["sender", "receiver", "sent_at", "fraud_type"]].isna().all().all()


def test_bad_rows_are_counted_by_reason(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text("text,label\nok,1\n,0\nfine,maybe\nshort\nx,1,extra\n\nalso ok,0\n", encoding="utf-8")
    result = load_labelled([path])
    (report,) = result.report.files
    assert report.bad_rows == {"empty_text": 1, "bad_label": 1, "too_few_columns": 1, "too_many_columns": 1}
    assert (report.rows_read, report.rows_loaded) == (6, 2)


def test_fraud_type_is_dropped_on_normal_rows(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("text,label,fraud_type\n正常通知,0,刷单返利\n", encoding="utf-8")
    assert load_labelled([path]).frame["fraud_type"].tolist() == [None]


def test_missing_label_column_names_file_line_and_columns(tmp_path: Path) -> None:
    path = tmp_path / "nolabel.csv"
    path.write_text("text,sender\nhello,95588\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"nolabel\.csv:1: missing required column\(s\) label \(found: text, sender\)"):
        load_labelled([path])


def test_jsonl_bad_lines_are_counted_and_missing_column_fails(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text('{"text": "a", "label": 1}\nnot json\n[1, 2]\n{"text": "b", "label": 0}\n', encoding="utf-8")
    assert load_labelled([path]).report.files[0].bad_rows == {"bad_json": 2}
    path.write_text(json.dumps({"text": "a"}) + "\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"s\.jsonl: missing required column\(s\) label"):
        load_labelled([path])


def test_non_parquet_bytes_fail_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    path.write_bytes(b"definitely not parquet")
    with pytest.raises(DataFormatError, match=r"x\.parquet: not a readable Parquet file"):
        load_labelled([path])


def test_file_with_only_bad_rows_fails_at_the_first_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "all_bad.csv"
    path.write_text("text,label\nhello,2\nworld,x\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"all_bad\.csv:2: no usable rows \(bad_label=2\)"):
        load_labelled([path])
