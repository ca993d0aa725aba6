"""Deduplication on normalised text, with label conflicts resolved by majority (ties: unwanted)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from training.data.sms.dedupe import WEIGHT_COLUMN, drop_duplicates
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


def test_a_reply_mostly_labelled_ham_stays_ham() -> None:
    """mudou labels a bare "好" spam 2 times of 6: one conflicting copy must not make it spam."""
    rows = [("好", 0, None), ("好", 1, None), ("好", 0, None), ("好", 1, "其他"), ("好", 0, None), ("好", 0, None)]
    result = drop_duplicates(_frame(rows))
    assert result.frame[["label", "fraud_type"]].values.tolist() == [[0, None]]
    assert (result.duplicates_removed, result.conflicting_labels) == (5, 1)


def test_a_tie_resolves_to_unwanted() -> None:
    result = drop_duplicates(_frame([("点这个链接", 0, None), ("点这个链接", 1, "其他")]))
    assert result.frame[["label", "fraud_type"]].values.tolist() == [[1, "其他"]]


def test_max_copies_keeps_the_first_copies_each_with_the_resolved_label() -> None:
    rows = [("好", 1, None)] + [("好", 0, None)] * 4 + [("中奖了 13812345678", 1, None)] * 2 + [("在吗", 0, None)]
    result = drop_duplicates(_frame(rows), max_copies=3)
    assert result.frame["id"].tolist() == ["0", "1", "2", "5", "6", "7"]
    assert result.frame["label"].tolist() == [0, 0, 0, 1, 1, 0]
    assert (result.duplicates_removed, result.conflicting_labels) == (2, 1)
    every = drop_duplicates(_frame(rows), max_copies=None)
    assert len(every.frame) == len(rows) and every.duplicates_removed == 0 and every.frame["label"].iloc[0] == 0


def test_weigh_keeps_one_row_per_text_weighted_one_plus_log_of_its_copies() -> None:
    """Policy ``weight``: a campaign sent 4 times is one row of weight 1 + ln 4, a one-off weighs 1;
    copies that differ only in their number still count as the same text."""
    rows = [("中奖了 13812345678", 1, None), ("中奖了 13987654321", 1, None), ("中奖了 13811112222", 1, None),
            ("中奖了 13800000000", 1, None), ("在吗", 0, None), ("好", 0, None), ("好", 1, None)]
    result = drop_duplicates(_frame(rows), weigh=True)
    assert result.frame["id"].tolist() == ["0", "4", "5"]
    assert result.frame[WEIGHT_COLUMN].tolist() == pytest.approx([1 + np.log(4), 1.0, 1 + np.log(2)])
    assert result.frame["label"].tolist() == [1, 0, 1], "labels still resolved by majority, ties unwanted"
    assert result.duplicates_removed == 4
    assert WEIGHT_COLUMN not in drop_duplicates(_frame(rows)).frame, "only weighing adds the column"


def test_weigh_refuses_to_keep_more_than_one_copy() -> None:
    """Weighing a text and repeating it would count its copies twice."""
    with pytest.raises(ValueError, match="one row per text"):
        drop_duplicates(_frame([("好", 0, None)] * 3), max_copies=3, weigh=True)
