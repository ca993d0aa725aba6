"""Every native loader on its real file in ../shared/data: the counts a data scientist would check."""

from __future__ import annotations

import pytest

from tests.conftest import shared_data
from training.data.sms import load_labelled
from training.data.detect import detect_format

pytestmark = pytest.mark.realdata

MUDOU = ("mudou_spam", "mudou_spam.train")
SMS80W = ("sms80w_sample", "junk_message.txt")
UCI = ("uci_sms_spam", "SMSSpamCollection.train30")
TELECOM = ("telecom_fraud_texts_5",)
# Each file's class name, as configs/taxonomy.yaml maps it onto the Ministry's fraud types.
TELECOM_CLASSES = {
    "label01-last.csv": "冒充公检法",
    "label02-last.csv": "虚假网络贷款",
    "label03-last.csv": "冒充电商物流客服",
    "label04-last.csv": "冒充领导熟人",
}


@pytest.fixture(scope="module")
def mudou():
    return load_labelled([shared_data(*MUDOU)])


def test_mudou_counts_label_only_lines_and_removes_campaign_duplicates(mudou) -> None:
    (report,) = mudou.report.files
    assert report.format == "mudou"
    assert report.rows_read == 10872
    assert report.bad_rows == {"empty_text": 40}
    assert report.rows_loaded == 10832
    assert mudou.report.duplicates_removed > 1000
    assert len(mudou.frame) == report.rows_loaded - mudou.report.duplicates_removed
    assert mudou.frame["text"].map(str.strip).ne("").all()


def test_mudou_ignores_the_token_column(mudou) -> None:
    first = mudou.frame.iloc[0]
    assert first["text"].startswith("路痴不可怕，就怕没地图")
    assert "路痴 不 可怕" not in first["text"]
    assert first["id"] == "mudou_spam:1"


def test_mudou_without_dedupe_keeps_the_class_balance_of_the_readme() -> None:
    frame = load_labelled([shared_data(*MUDOU)], dedupe=False).frame
    assert len(frame) == 10832
    assert 6800 < frame["label"].sum() < 7000


def test_sms80w_is_about_ten_percent_spam() -> None:
    result = load_labelled([shared_data(*SMS80W)], dedupe=False)
    assert result.report.files[0].format == "sms80w"
    assert len(result.frame) == 1097
    assert result.frame["label"].sum() == 114


def test_uci_ham_spam_labels() -> None:
    result = load_labelled([shared_data(*UCI)], dedupe=False)
    (report,) = result.report.files
    assert (report.format, report.rows_read, report.rows_loaded, report.bad_rows) == ("uci", 1672, 1672, {})
    assert result.frame["label"].mean() == pytest.approx(237 / 1672)
    assert result.frame["text"].iloc[0].startswith("Go until jurong point")


def test_telecom5_normal_file_has_label_zero_and_no_type() -> None:
    frame = load_labelled([shared_data(*TELECOM, "label00-last.csv")], dedupe=False).frame
    assert len(frame) == 6030
    assert (frame["label"] == 0).all()
    assert frame["fraud_type"].isna().all()


@pytest.mark.parametrize("name, fraud_type", sorted(TELECOM_CLASSES.items()))
def test_telecom5_fraud_files_carry_their_class_name(name: str, fraud_type: str) -> None:
    result = load_labelled([shared_data(*TELECOM, name)], dedupe=False)
    assert result.report.files[0].format == "telecom5"
    assert (result.frame["label"] == 1).all()
    assert set(result.frame["fraud_type"]) == {fraud_type}


def test_telecom5_gb18030_file_decodes_to_readable_chinese() -> None:
    frame = load_labelled([shared_data(*TELECOM, "label04-last.csv")], dedupe=False).frame
    assert len(frame) == 812
    assert frame["text"].iloc[0].startswith("我是祝桥光明学校的李老师")


@pytest.mark.parametrize(
    "parts, expected",
    [(MUDOU, "mudou"), (SMS80W, "sms80w"), (UCI, "uci"), ((*TELECOM, "label00-last.csv"), "telecom5"),
     ((*TELECOM, "label04-last.csv"), "telecom5")],
)
def test_auto_detection_on_each_real_file(parts: tuple[str, ...], expected: str) -> None:
    assert detect_format(shared_data(*parts)) == expected


def test_mixing_every_format_in_one_call() -> None:
    paths = [shared_data(*SMS80W), shared_data(*UCI), shared_data(*TELECOM, "label03-last.csv"),
             shared_data(*TELECOM, "label04-last.csv")]
    result = load_labelled(paths)
    assert [f.format for f in result.report.files] == ["sms80w", "uci", "telecom5", "telecom5"]
    assert list(result.frame.columns) == ["id", "text", "sender", "receiver", "sent_at", "label", "fraud_type", "category"]
    assert result.frame["id"].is_unique
    assert set(result.frame["fraud_type"].dropna()) == {"冒充电商物流客服", "冒充领导熟人"}
    assert set(result.frame["category"]) == {"ham", "spam", "fraud"}
    loaded = sum(f.rows_loaded for f in result.report.files)
    assert len(result.frame) == loaded - result.report.duplicates_removed
