"""CDR and profile-table loaders: validation, bad rows by reason, unusable files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from training.data.cdr import CdrLoadError, detect_format, load_call_training_data, load_cdr_dir, load_profile_table

VOC_HEADER = "phone_no_m,opposite_no_m,calltype_id,start_datetime,call_dur,city_name,county_name,imei_m\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_voc_rows_are_counted_by_reason_with_first_line(tmp_path: Path) -> None:
    write(tmp_path / "voc.csv", VOC_HEADER
          + "A,x,1,2020-03-01 10:00:00,5,成都,武侯区,d1\n"
          + "A,x,7,2020-03-01 10:00:00,5,,,d1\n"      # line 3: bad calltype
          + "A,y,1,not a time,5,,,d1\n"              # line 4: bad time
          + ",y,1,2020-03-01 10:00:00,5,,,d1\n"       # line 5: no number
          + "B,y,2,2020-03-01 11:00:00,-3,,,d2\n")    # line 6: negative duration
    tables, report = load_cdr_dir(tmp_path)
    assert len(tables.voc) == 1 and tables.voc["start_datetime"].dtype.kind == "M"
    assert report.bad_rows["voc"] == {"bad calltype_id": 1, "bad start_datetime": 1, "missing phone_no_m": 1, "bad call_dur": 1}
    assert report.first_bad_line["voc"]["bad start_datetime"] == "voc.csv:4"
    assert report.rows_read["voc"] == 5 and report.total_bad == 4


def test_tables_are_recognised_by_header_in_csv_and_parquet(tmp_path: Path) -> None:
    write(tmp_path / "calls_a.csv", VOC_HEADER + "A,x,1,2020-03-01 10:00:00,5,,,d1\n")
    pd.DataFrame({"phone_no_m": ["A"], "opposite_no_m": ["s"], "calltype_id": [1],
                  "request_datetime": ["2020-03-01 10:00:00"]}).to_parquet(tmp_path / "messages.parquet")
    write(tmp_path / "labels.csv", "phone_no_m,label\nA,1\n")
    profiles, report = load_call_training_data(tmp_path)
    assert report.rows_kept == {"voc": 1, "sms": 1, "labels": 1}
    assert profiles.set_index("phone_no_m").loc["A", ["label", "voc_cnt", "sms_cnt"]].tolist() == [1, 1, 1]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"voc.csv": "phone_no_m,opposite_no_m,calltype_id,start_datetime\nA,x,1,2020-03-01\n"}, "lacks required columns ['call_dur']"),
        ({"labels.csv": "phone_no_m,label\nA,1\n"}, "no voc"),
        ({"other.csv": "foo,bar\n1,2\n"}, "not a CDR table"),
        ({"voc.csv": VOC_HEADER + 'A,"x,1\n'}, "voc.csv: cannot read"),
    ],
)
def test_unusable_input_names_the_file(tmp_path: Path, files: dict[str, str], message: str) -> None:
    for name, text in files.items():
        write(tmp_path / name, text)
    with pytest.raises(CdrLoadError, match="voc|not a CDR|cannot read") as err:
        load_cdr_dir(tmp_path)
    assert message in str(err.value)


def test_profile_table_counts_bad_labels_duplicates_and_non_numeric(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", "phone_no_m,label,voc_cnt\nA,1,3\nA,0,4\nB,2,1\nC,0,abc\n,1,1\n")
    table, report = load_profile_table(path)
    assert table["phone_no_m"].tolist() == ["A", "C"] and pd.isna(table.loc[1, "voc_cnt"])
    assert report.bad_rows["profiles"] == {"missing phone_no_m": 1, "duplicate phone_no_m": 1, "bad label": 1,
                                           "non-numeric voc_cnt (set to NaN)": 1}


def test_format_detection(tmp_path: Path) -> None:
    assert detect_format(tmp_path) == "cdr"
    assert detect_format(write(tmp_path / "v.csv", VOC_HEADER)) == "cdr"
    assert detect_format(write(tmp_path / "p.csv", "phone_no_m,voc_cnt\n")) == "profiles"
