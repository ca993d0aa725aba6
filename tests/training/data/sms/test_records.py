"""Label spellings and the report a user reads."""

from __future__ import annotations

import numpy as np
import pytest

from training.data.sms import FileReport, LoadReport, parse_label


@pytest.mark.parametrize(
    "raw, expected",
    [("0", 0), ("1", 1), (" HAM ", 0), ("Spam", 1), ("normal", 0), ("FRAUD", 1), ("正常", 0), ("诈骗", 1),
     (1, 1), (0.0, 0), (np.int64(1), 1), (True, 1), ("1.0", 1)],
)
def test_accepted_label_spellings(raw: object, expected: int) -> None:
    assert parse_label(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "2", "maybe", 2, float("nan"), "冒充客服服务"])
def test_unparsable_labels_are_none(raw: object) -> None:
    assert parse_label(raw) is None


def test_report_summary_and_dict_name_every_file_and_reason() -> None:
    report = LoadReport(
        files=[FileReport("a.tsv", "mudou", rows_read=12, rows_loaded=10, bad_rows={"empty_text": 2})],
        rows=9, duplicates_removed=1, conflicting_labels=1,
    )
    text = report.summary()
    assert "a.tsv [mudou]: read 12, loaded 10" in text and "empty_text=2" in text
    assert "removing 1 duplicates (1 with conflicting labels)" in text
    assert report.as_dict()["files"][0]["bad_rows"] == {"empty_text": 2}
    assert report.as_dict()["rows"] == 9
