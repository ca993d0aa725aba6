"""fbs_sms: categories map onto the taxonomy, and its publisher formatting is undone so that its
texts look like any other SMS once normalised (else a model learns "this formatting = unwanted")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from features.sms.normalise import PLACEHOLDERS, normalise_text
from tests.conftest import shared_data
from training.data.detect import detect_format
from training.data.sms import load_labelled
from training.data.sms.fbs import unsegment

CJK_SPACE_CJK = re.compile(r"[\u4e00-\u9fff] [\u4e00-\u9fff]")
PUBLISHER_ONLY = re.compile(r"CELLPHONE|WECHAT|DIGIT|NAME|PLACE")
FBS_LINES = (
    "AD:Retail\t唯品 会 周年 庆 DIGIT 折起 抵 URL 回 td 退订\n"
    "FR:Phishing(Bank)\t尊敬 的 NAME 客户 您 的 积分 即将 清零 请 登录 URLapp 兑换\n"
    "FR:Financial\t加 WECHAT 进 股票 群 老师 带 你 赚钱 CELLPHONEWECHAT\n"
    "IL:Gambling\tPLACE 澳门 赌场 上线 送 彩金 PHONE\n"
    "XX:Unknown\t这 一行 的 类别 不 认识\n"
)


def _fbs_file(tmp_path: Path) -> Path:
    path = tmp_path / "fbs_sms.train.tsv"
    path.write_text(FBS_LINES, encoding="utf-8")
    return path


def test_fbs_is_detected_and_categories_follow_the_taxonomy(tmp_path: Path) -> None:
    path = _fbs_file(tmp_path)
    result = load_labelled([path], "fbs", dedupe=False)
    frame = result.frame
    assert frame["category"].tolist() == ["spam", "fraud", "fraud", "illegal"]
    assert frame["label"].tolist() == [1, 1, 1, 1]
    assert frame["fraud_type"].tolist() == [None, "其他", "虚假投资理财", None]
    assert result.report.files[0].bad_rows == {"bad_label": 1}


def test_fbs_is_detected_by_its_category_column(tmp_path: Path) -> None:
    path = tmp_path / "renamed.txt"
    path.write_text(FBS_LINES.rsplit("XX:", 1)[0], encoding="utf-8")
    assert detect_format(path) == "fbs"


def test_publisher_placeholders_become_the_projects_masks() -> None:
    text = unsegment("加 WECHAT 进 股票 群 CELLPHONEWECHAT 详情 URLapp 送 DIGIT 元 NAME 先生")
    assert text == "加微信进股票群 PHONE 微信详情 URL app 送 NUM 元先生"
    assert not PUBLISHER_ONLY.search(normalise_text(text))


@pytest.mark.realdata
def test_real_fbs_texts_have_the_form_of_other_sms() -> None:
    """Normalised fbs texts use only the project's placeholders and, like mudou's, never a space
    between two CJK characters; all three categories are present in the expected proportions."""
    fbs = load_labelled([shared_data("fbs_sms", "fbs_sms.train.tsv")]).frame
    mudou = load_labelled([shared_data("mudou_spam", "mudou_spam.train")]).frame
    fbs_norm, mudou_norm = fbs["text"].map(normalise_text), mudou["text"].map(normalise_text)
    assert fbs_norm.str.contains(PUBLISHER_ONLY).sum() == 0
    assert fbs_norm.str.contains(CJK_SPACE_CJK).mean() <= mudou_norm.str.contains(CJK_SPACE_CJK).mean() + 0.01
    upper_words = {w for text in fbs_norm for w in re.findall(r"\b[A-Z]{2,}\b", text)}
    assert upper_words <= set(PLACEHOLDERS) | {"QQ"}  # QQ is a real word in the texts, not a mask
    shares = fbs["category"].value_counts(normalize=True)
    assert set(shares.index) == {"spam", "fraud", "illegal"} and shares["spam"] > 0.5


def test_broken_fbs_lines_are_counted_not_lost(tmp_path: Path) -> None:
    path = tmp_path / "broken.tsv"
    path.write_text(FBS_LINES.rsplit("XX:", 1)[0] + "AD:Retail 没有制表符的一行\n", encoding="utf-8")
    result = load_labelled([path], "fbs", dedupe=False)
    assert len(result.frame) == 4
    assert result.report.files[0].bad_rows == {"too_few_columns": 1}
