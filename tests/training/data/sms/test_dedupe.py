"""Deduplication on normalised text, with label conflicts resolved towards fraud."""

from __future__ import annotations

import pandas as pd

from training.data.sms.dedupe import drop_duplicates
from training.data.sms.records import LABELLED_COLUMNS, make_frame


def _frame(rows: list[tuple[str, int, str | None]]) -> pd.DataFrame:
    return make_frame(
        [{"id": str(i), "text": t, "label": y, "fraud_type": f} for i, (t, y, f) in enumerate(rows)], LABELLED_COLUMNS
    )


def test_obfuscated_copies_collapse_and_first_is_kept() -> None:
    result = drop_duplicates(_frame([("请转入安全账户 13812345678", 1, "冒充公检法"), ("请转入安 全 账户 13987654321", 1, None),
                                     ("你好", 0, None)]))
    assert result.frame["id"].tolist() == ["0", "2"]
    assert (result.duplicates_removed, result.conflicting_labels) == (1, 0)


def test_conflicting_labels_resolve_to_fraud_with_the_first_fraud_type() -> None:
    result = drop_duplicates(_frame([("明天来我办公室", 0, None), ("明天来我办公室", 1, None), ("明天来我办公室", 1, "冒充熟人领导"),
                                     ("ok", 0, None), ("ok", 0, None)]))
    kept = result.frame.set_index("id")
    assert kept.loc["0", "label"] == 1 and kept.loc["0", "fraud_type"] == "冒充熟人领导"
    assert kept.loc["3", "label"] == 0 and kept.loc["3", "fraud_type"] is None
    assert (result.duplicates_removed, result.conflicting_labels) == (3, 1)
    assert result.frame["label"].dtype == "int64"


def test_a_text_in_several_sets_keeps_its_most_severe_category() -> None:
    rows = [("点击领取积分", 1, None, "spam"), ("点击领取积分", 1, "其他", "fraud"),
            ("你好", 0, None, "ham"), ("你好", 1, None, None), ("在吗", 0, None, "ham")]
    frame = make_frame([{"id": str(i), "text": t, "label": y, "fraud_type": f, "category": c}
                        for i, (t, y, f, c) in enumerate(rows)], LABELLED_COLUMNS)
    kept = drop_duplicates(frame).frame.set_index("id")
    assert kept.loc["0", "category"] == "fraud", "spam in one set, fraud in another: fraud"
    assert kept.loc["2", "label"] == 1 and kept.loc["2", "category"] is None, "unwanted of unknown kind, not ham"
    assert kept.loc["4", "category"] == "ham"
