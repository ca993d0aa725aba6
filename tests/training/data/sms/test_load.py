"""The public entry points: argument handling, unlabelled loading, mixing files."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from training.data.sms import FORMATS, DataFormatError, load_labelled, load_unlabelled
from training.data.sms.dedupe import WEIGHT_COLUMN


def test_formats_are_the_documented_ones() -> None:
    assert FORMATS == ("auto", "canonical", "mudou", "sms80w", "uci", "telecom5", "fbs")


def test_missing_file_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match=r"nope\.csv: no such file"):
        load_labelled([tmp_path / "nope.csv"])
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        load_labelled([tmp_path / "nope.csv"], "xml")


def test_a_single_path_is_not_iterated_character_by_character(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text("text,label\nhi,1\n", encoding="utf-8")
    assert len(load_labelled(str(path)).frame) == 1  # type: ignore[arg-type]


def test_duplicates_across_files_of_different_formats(tmp_path: Path) -> None:
    csv_path, tsv_path = tmp_path / "a.csv", tmp_path / "b.tsv"
    csv_path.write_text("text,label\n恭喜中奖,1\n在吗,0\n", encoding="utf-8")
    tsv_path.write_text("1\t恭 喜 中奖\n0\t吃饭了吗\n", encoding="utf-8")
    result = load_labelled([csv_path, tsv_path])
    assert [f.format for f in result.report.files] == ["canonical", "sms80w"]
    assert result.report.duplicates_removed == 1
    assert result.frame["id"].tolist() == ["a:2", "a:3", "b:2"]
    assert result.frame["text"].tolist() == ["恭喜中奖", "在吗", "吃饭了吗"]


def test_weighing_keeps_one_row_per_text_across_files_with_its_weight(tmp_path: Path) -> None:
    """What ``yunmao train`` reads under ``duplicates: {policy: weight}``: copies counted across files."""
    csv_path, tsv_path = tmp_path / "a.csv", tmp_path / "b.tsv"
    csv_path.write_text("text,label\n恭喜中奖,1\n在吗,0\n恭喜中奖,1\n", encoding="utf-8")
    tsv_path.write_text("1\t恭 喜 中奖\n0\t吃饭了吗\n", encoding="utf-8")
    result = load_labelled([csv_path, tsv_path], weigh=True)
    assert result.frame["text"].tolist() == ["恭喜中奖", "在吗", "吃饭了吗"]
    assert result.frame[WEIGHT_COLUMN].tolist() == pytest.approx([1 + math.log(3), 1.0, 1.0])
    assert result.report.duplicates_removed == 2
    assert WEIGHT_COLUMN not in load_labelled([csv_path, tsv_path]).frame


def test_every_labelled_row_is_kept_beside_the_deduplicated_frame(tmp_path: Path) -> None:
    """What the template memory counts (configs/sms.yaml ``memory``): each copy with its own label."""
    path = tmp_path / "a.csv"
    path.write_text("text,label\n恭喜中奖,1\n在吗,0\n恭喜中奖,1\n恭喜中奖,0\n", encoding="utf-8")
    result = load_labelled([path])
    assert result.frame["text"].tolist() == ["恭喜中奖", "在吗"]
    assert result.every_row["text"].tolist() == ["恭喜中奖", "在吗", "恭喜中奖", "恭喜中奖"]
    assert result.every_row["label"].tolist() == [1, 0, 1, 0]


def test_unlabelled_keeps_every_row_in_order_without_labels(tmp_path: Path) -> None:
    path = tmp_path / "score.jsonl"
    path.write_text('{"text": "a"}\n{"text": "a"}\n{"text": ""}\n{"text": "b", "label": "spam"}\n', encoding="utf-8")
    result = load_unlabelled([path])
    assert result.frame["text"].tolist() == ["a", "a", "b"]
    assert list(result.frame.columns) == ["id", "text", "sender", "receiver", "sent_at"]
    assert result.report.files[0].bad_rows == {"empty_text": 1}


def test_unlabelled_keeps_labels_when_all_rows_have_them(tmp_path: Path) -> None:
    path = tmp_path / "eval.csv"
    path.write_text("text,label,fraud_type\na,1,刷单返利\nb,0,\n", encoding="utf-8")
    frame = load_unlabelled([path]).frame
    assert frame["label"].tolist() == [1, 0]
    assert frame["fraud_type"].tolist() == ["刷单返利", None]
