"""Profile builder: contest-table definitions on real raw samples, and known answers by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from configs.call import ProfileConfig, WindowConfig
from features.calls.profiles import PROFILE_COLUMNS, build_profiles
from tests.conftest import shared_data
from training.data.cdr import load_cdr_dir, load_profile_table

MARCH_2020 = ProfileConfig(window=WindowConfig(start="2020-03-01", end="2020-04-01"))


@pytest.mark.realdata
def test_raw_samples_reproduce_contest_table_columns() -> None:
    """The contest table covers March 2020: every call column the builder shares must match."""
    tables, _ = load_cdr_dir(shared_data("sichuan_fraud_calls", "call_records_sample"))
    built = build_profiles(tables.voc, config=MARCH_2020)
    table, _ = load_profile_table(shared_data("sichuan_fraud_calls", "number_features_train.csv"))
    both = table.merge(built, on="phone_no_m", suffixes=("_table", "_built"))
    assert len(both) == 3  # white_2's number is not in the table
    shared = [c for c in built.columns if c in table.columns and c != "phone_no_m" and built[c].notna().all()]
    assert len(shared) >= 55
    for column in shared:
        np.testing.assert_allclose(both[f"{column}_built"], both[f"{column}_table"], rtol=1e-9, atol=1e-9, err_msg=column)


def calls(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["phone_no_m", "opposite_no_m", "calltype_id", "start_datetime", "call_dur", "imei_m"])
    frame["start_datetime"] = pd.to_datetime(frame["start_datetime"])
    frame["county_name"] = "武侯区"
    return frame


def test_hand_made_cdrs_give_known_answers() -> None:
    voc = calls([
        ("A", "x", 1, "2020-03-01 10:00:00", 5, "d1"),
        ("A", "y", 1, "2020-03-01 10:00:10", 5, "d1"),
        ("A", "x", 2, "2020-03-02 02:00:00", 100, "d1"),
        ("A", "z", 1, "2020-03-04 09:00:00", 20, "d1"),
        ("B", "q", 1, "2020-03-01 12:00:00", 3, "d1"),
        ("C", "x", 2, "2020-03-01 12:00:00", 60, "d2"),
    ])
    p = build_profiles(voc, config=ProfileConfig(short_call_seconds=10)).set_index("phone_no_m")
    a = p.loc["A"]
    assert (a.voc_cnt, a.voc_user_cnt, a.active_days, a.call_type_1_cnt) == (4, 3, 3, 3)
    assert a.voc_user_max_cnt == 1 and a.voc_user_min_cnt == 2  # contest naming: max/min swapped
    assert a.call_interval_min == 5  # 10:00:10 − (10:00:00 + 5 s)
    assert a.interactive_call_user_cnt == 1 and a.callback_ratio == pytest.approx(1 / 3)
    assert a.short_call_ratio == 0.5 and a.night_call_ratio == 0.25
    assert a.duration_days_max == 2  # x: 1 March and 2 March
    assert a.callees_per_active_day == 1.0
    assert p.loc["A"].imei_sims == 2 and p.loc["C"].imei_sims == 1  # d1 carries SIMs A and B
    assert p.loc["C"].call_type_1_cnt == 0 and p.loc["C"].initiative_call_interval_mean == 0
    assert np.isnan(a.sms_cnt) and np.isnan(a.arpu)  # tables absent → unknown, not zero
    assert list(p.columns) == list(PROFILE_COLUMNS)


def test_window_keeps_numbers_with_no_calls_as_zero() -> None:
    voc = calls([("A", "x", 1, "2020-02-01 10:00:00", 5, "d1"), ("B", "x", 1, "2020-03-05 10:00:00", 5, "d2")])
    p = build_profiles(voc, config=MARCH_2020).set_index("phone_no_m")
    assert p.loc["A"].voc_cnt == 0 and p.loc["B"].voc_cnt == 1


def test_sms_user_and_app_tables() -> None:
    voc = calls([("A", "x", 1, "2020-03-01 10:00:00", 5, "d1")])
    sms = pd.DataFrame({"phone_no_m": ["A", "A", "A", "B"], "opposite_no_m": ["s", "s", "t", "s"],
                        "calltype_id": [1, 2, 2, 2],
                        "request_datetime": pd.to_datetime(["2020-03-01 10:00", "2020-03-01 11:00", "2020-03-01 11:00", "2020-03-02 08:00"])})
    user = pd.DataFrame({"phone_no_m": ["A"], "idcard_cnt": [3], "arpu_202003": [50.0], "arpu_202002": [10.0]})
    app = pd.DataFrame({"phone_no_m": ["A", "A"], "busi_name": ["w", "w"], "flow": [1.5, 2.5],
                        "month": pd.to_datetime(["2020-03-01", "2020-03-01"])})
    p = build_profiles(voc, sms, user, app, MARCH_2020).set_index("phone_no_m")
    a = p.loc["A"]
    assert (a.sms_cnt, a.sms_type_1_cnt, a.interactive_sms_user_cnt, a.sms_user_cnt) == (3, 1, 1, 2)
    assert a.sms_activate_days_diff == 0
    assert (a.idcard_cnt, a.arpu, a.app_cnt, a.flow) == (3, 50.0, 1, 4.0)
    assert p.loc["B"].voc_cnt == 0 and p.loc["B"].idcard_cnt == 0
