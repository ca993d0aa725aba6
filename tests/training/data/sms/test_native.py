"""Native TSV/CSV readers on small hand-made files with the quirks of the real ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.data.sms import DataFormatError, load_labelled


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_mudou_drops_tokens_and_recovers_texts_with_tabs(tmp_path: Path) -> None:
    path = _write(tmp_path, "m.train", "1\t加微信领红包\t加 微信 领 红包\n0\n1\ta\tb\ta'\tb'\n0\tx\ty\tz\n")
    result = load_labelled([path], "mudou", dedupe=False)
    assert result.frame["text"].tolist() == ["加微信领红包", "a\tb"]
    assert result.report.files[0].bad_rows == {"empty_text": 1, "too_many_columns": 1}


@pytest.mark.parametrize("fmt, text", [("sms80w", "1\t中奖啦\n0\t你好\tx\n"), ("uci", "spam\tWIN NOW\nham\thi\tthere\n")])
def test_label_text_formats_keep_tabs_in_the_text(tmp_path: Path, fmt: str, text: str) -> None:
    frame = load_labelled([_write(tmp_path, "s.txt", text)], fmt, dedupe=False).frame
    assert frame["label"].tolist() == [1, 0]
    assert "\t" in frame["text"].iloc[1]


def test_ragged_tsv_line_without_tab_is_too_few_columns(tmp_path: Path) -> None:
    path = _write(tmp_path, "s.txt", "1\tspam text\njust some words\n")
    assert load_labelled([path], "sms80w").report.files[0].bad_rows == {"too_few_columns": 1}


def test_telecom5_gbk_class_names(tmp_path: Path) -> None:
    text = "content,label\n您的贷款已审批通过,贷款、代办信用卡类\n您的话费余额不足,0\n坏行,\n"
    result = load_labelled([_write(tmp_path, "label02.csv", text, "gbk")], "telecom5", dedupe=False)
    assert result.frame["label"].tolist() == [1, 0]
    assert result.frame["fraud_type"].tolist() == ["虚假网络贷款", None]  # mapped by the taxonomy
    assert result.frame["category"].tolist() == ["fraud", "ham"]
    assert result.report.files[0].bad_rows == {"bad_label": 1}


def test_wrong_explicit_format_fails_rather_than_guessing(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.csv", "text,label\nhello,1\n")
    with pytest.raises(DataFormatError, match=r"x\.csv:1: missing required column\(s\) content"):
        load_labelled([path], "telecom5")
