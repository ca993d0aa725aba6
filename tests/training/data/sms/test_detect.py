"""Format detection from content, not from the file name."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.data.sms import DataFormatError
from training.data.detect import detect_format


@pytest.mark.parametrize(
    "content, expected",
    [
        ("id,text,label\n1,hi,0\n", "canonical"),
        ("content,label\n你好,0\n", "telecom5"),
        ("ham\thello\nspam\twin\n", "uci"),
        ("1\t中奖\t中奖\n0\t你好\t你好\n", "mudou"),
        ("1\t中奖\n0\t你好\n", "sms80w"),
    ],
)
def test_detects_each_format_whatever_the_name(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "renamed.dat"
    path.write_text(content, encoding="utf-8")
    assert detect_format(path) == expected


def test_unknown_content_asks_for_an_explicit_format(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just a note\nnothing labelled here\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"notes\.txt:1: unknown format.*--format"):
        detect_format(path)


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"empty\.csv:1: empty file"):
        detect_format(path)
