"""CDR and profile-table loaders: validation, bad rows by reason, unusable files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from training.data.cdr import CdrLoadError, load_call_training_data, load_cdr_dir, load_profile_table
from training.data.detect import detect_format
from training.data.report import LoadReport
from training.data.sms import DataFormatError, load_labelled

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
    [voc] = report.files
    assert (voc.path, voc.format) == (str(tmp_path / "voc.csv"), "voc")
    assert voc.bad_rows == {"bad calltype_id": 1, "bad start_datetime": 1, "missing phone_no_m": 1, "bad call_dur": 1}
    assert voc.first_bad_line["bad start_datetime"] == 4
    assert voc.rows_read == 5 and report.total_bad == 4


def test_tables_are_recognised_by_header_in_csv_and_parquet(tmp_path: Path) -> None:
    write(tmp_path / "calls_a.csv", VOC_HEADER + "A,x,1,2020-03-01 10:00:00,5,,,d1\n")
    pd.DataFrame({"phone_no_m": ["A"], "opposite_no_m": ["s"], "calltype_id": [1],
                  "request_datetime": ["2020-03-01 10:00:00"]}).to_parquet(tmp_path / "messages.parquet")
    write(tmp_path / "labels.csv", "phone_no_m,label\nA,1\n")
    profiles, report = load_call_training_data(tmp_path)
    assert {file.format: file.rows_loaded for file in report.files} == {"voc": 1, "sms": 1, "labels": 1}
    assert report.rows == len(profiles) == 1
    assert profiles.set_index("phone_no_m").loc["A", ["label", "voc_cnt", "sms_cnt"]].tolist() == [1, 1, 1]


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_a_gbk_or_bom_cdr_directory_loads_like_utf8(tmp_path: Path, encoding: str) -> None:
    """Like the SMS loaders: GBK was refused ("'utf-8' codec can't decode byte 0xb3")."""
    rows = VOC_HEADER + "A,x,1,2020-03-01 10:00:00,5,成都,武侯区,d1\nB,y,2,2020-03-01 11:00:00,7,绵阳,涪城区,d2\n"
    (tmp_path / "utf8").mkdir()
    (tmp_path / "other").mkdir()
    write(tmp_path / "utf8" / "voc.csv", rows)
    write(tmp_path / "utf8" / "labels.csv", "phone_no_m,label\nA,1\nB,0\n")
    (tmp_path / "other" / "voc.csv").write_text(rows, encoding=encoding)
    (tmp_path / "other" / "labels.csv").write_text("phone_no_m,label\nA,1\nB,0\n", encoding=encoding)
    expected, _ = load_call_training_data(tmp_path / "utf8")
    loaded, report = load_call_training_data(tmp_path / "other")
    pd.testing.assert_frame_equal(loaded, expected)
    assert report.total_bad == 0 and loaded["label"].tolist() == [1, 0]


def test_label_words_mean_what_they_mean_for_sms(tmp_path: Path) -> None:
    """features.labels is the one reading of a label: a CDR labels file or a profile table saying
    fraud / 正常 / 1.0 loads; a word that is no label is still a counted bad row."""
    write(tmp_path / "voc.csv", VOC_HEADER + "A,x,1,2020-03-01 10:00:00,5,,,d1\nB,y,2,2020-03-01 11:00:00,7,,,d2\n"
          + "C,y,2,2020-03-01 11:00:00,7,,,d2\n")
    write(tmp_path / "labels.csv", "phone_no_m,label\nA,fraud\nB,正常\nC,maybe\n")
    tables, report = load_cdr_dir(tmp_path)
    assert tables.labels.set_index("phone_no_m")["label"].to_dict() == {"A": 1, "B": 0}
    assert report.bad_rows == {"bad label": 1}
    profiles = write(tmp_path / "profiles.csv", "phone_no_m,voc_cnt,label\nA,3,诈骗\nB,4,1.0\nC,5,normal\nD,6,maybe\n")
    table, report = load_profile_table(profiles)
    assert table.set_index("phone_no_m")["label"].to_dict() == {"A": 1, "B": 1, "C": 0}
    assert report.bad_rows == {"bad label": 1}


def test_a_file_in_neither_encoding_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "voc.csv").write_bytes(VOC_HEADER.encode() + b"A,x,1,2020-03-01 10:00:00,5,\x81\x30\xff,,d1\n")
    with pytest.raises(CdrLoadError, match=r"voc.csv: not UTF-8 or GB18030 text"):
        load_cdr_dir(tmp_path)


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
    assert report.bad_rows == {"missing phone_no_m": 1, "duplicate phone_no_m": 1, "bad label": 1,
                               "non-numeric voc_cnt (set to NaN)": 1}
    assert report.files[0].format == "profiles" and report.rows == 2


def test_profile_table_keeps_the_den_id_as_text(tmp_path: Path) -> None:
    """Published profiles carry the analyst's den id: not a number to coerce (was NaN and a bad cell)."""
    path = write(tmp_path / "p.csv", "phone_no_m,voc_cnt,den_id\nA,3,den-12\nB,4,\nC,5, \n")
    table, report = load_profile_table(path)
    assert table["den_id"].tolist()[0] == "den-12" and table["den_id"].iloc[1:].isna().all()
    assert report.bad_rows == {}


def test_format_detection(tmp_path: Path) -> None:
    assert detect_format(tmp_path) == "cdr"
    assert detect_format(write(tmp_path / "v.csv", VOC_HEADER)) == "cdr"
    assert detect_format(write(tmp_path / "p.csv", "phone_no_m,voc_cnt\n")) == "profiles"


def test_sms_and_call_loaders_share_one_report(tmp_path: Path) -> None:
    """Both families answer with the same LoadReport, so one summary / JSON shape serves every command."""
    sms = load_labelled([write(tmp_path / "sms.tsv", "1\t中奖了\n0\t明天见\nmaybe\t你好\n")], "sms80w")
    _, calls = load_profile_table(write(tmp_path / "p.csv", "phone_no_m,label\nA,1\n,0\n"))
    assert type(sms.report) is type(calls) is LoadReport
    assert sms.report.bad_rows == {"bad_label": 1} and calls.bad_rows == {"missing phone_no_m": 1}


def test_auto_format_refuses_the_other_family(tmp_path: Path) -> None:
    calls = write(tmp_path / "voc.csv", VOC_HEADER + "A,x,1,2020-03-01 10:00:00,5,,,d1\n")
    sms = write(tmp_path / "sms.tsv", "1\t中奖了\n0\t明天见\n")
    with pytest.raises(DataFormatError, match=r"voc\.csv: looks like call data \(cdr\), not SMS"):
        load_labelled([calls])
    with pytest.raises(CdrLoadError, match=r"sms\.tsv: looks like SMS data \(sms80w\)"):
        load_call_training_data(sms)
