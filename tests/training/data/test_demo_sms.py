"""Demo SMS: deterministic, in the record contract, covering every fraud type and disguise."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from training.data.demo_sms import default_demo_config, generate_demo_sms, insert_mid_text, load_templates, write_demo_sms
from training.data.sms import load_labelled

FRAUD_TYPES = {"刷单返利", "虚假投资理财", "虚假网络贷款", "冒充电商物流客服", "冒充公检法", "虚假征信", "虚假购物服务", "冒充领导熟人", "网络游戏虚假交易", "网络婚恋交友", "其他"}
N = 800
MIN_INVESTMENT_PHRASINGS = 30


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    return generate_demo_sms(N, seed=11)


def test_same_seed_same_file_other_seed_other_file(tmp_path: Path) -> None:
    first = write_demo_sms(tmp_path / "a", 200, seed=5).read_bytes()
    assert write_demo_sms(tmp_path / "b", 200, seed=5).read_bytes() == first
    assert write_demo_sms(tmp_path / "c", 200, seed=6).read_bytes() != first


def test_record_contract_and_class_mix(demo: pd.DataFrame) -> None:
    assert list(demo.columns) == ["id", "text", "sender", "receiver", "sent_at", "label", "fraud_type", "category"]
    assert (demo["category"] == demo["label"].map({0: "ham", 1: "fraud"})).all()
    assert len(demo) == N and demo["id"].is_unique
    assert 0.2 < demo["label"].mean() < 0.4
    assert demo.loc[demo["label"] == 0, "fraud_type"].isna().all()
    assert set(demo.loc[demo["label"] == 1, "fraud_type"]) == FRAUD_TYPES
    assert pd.to_datetime(demo["sent_at"]).is_monotonic_increasing


def test_fraud_is_disguised_like_real_campaigns() -> None:
    """Every disguise is drawn, asserted where every scam is disguised: at the shipped share a few
    hundred rows hold each only by the luck of the draw, which a new template can move."""
    every_scam_disguised = default_demo_config().model_copy(update={"obfuscated_share": 1.0})
    demo = generate_demo_sms(N, seed=11, config=every_scam_disguised)
    fraud = demo.loc[demo["label"] == 1, "text"]
    assert fraud.str.contains(r"[\uff10-\uff5a]").any(), "full-width characters"
    assert fraud.str.contains("加V信|薇信|威信|加vx|v信|徽信").any(), "WeChat spellings"
    assert fraud.str.contains(r"(?:t\.cn|dwz\.cn|url\.cn|suo\.im|3\.cn)/\w+").any(), "short links"
    split = re.compile(r"安[ *\-·/|_#.]全|刷[ *\-·/|_#.]单|征[ *\-·/|_#.]信|退[ *\-·/|_#.]款|转[ *\-·/|_#.][账入]")
    assert fraud.map(lambda text: bool(split.search(text))).any(), "separators inside keywords"


def test_scams_borrow_warning_words_mid_text_and_reminders_close_with_a_sign_off() -> None:
    """Both sides of the linear model's quoted-script columns: scripts that borrow a reminder's
    words before their ask, and official reminders whose only reminder words are their sign-off."""
    demo = generate_demo_sms(4000, seed=11)
    warnings = load_templates()["obfuscation"]["borrowed_warnings"]
    fraud = demo.loc[demo["label"] == 1, "text"]
    borrowed = fraud[fraud.map(lambda text: any(f"{warning}，" in text for warning in warnings))]
    assert len(borrowed) > 0
    assert not borrowed.map(lambda text: any(text.startswith(warning) or text.endswith(warning) for warning in warnings)).all()
    reminders = demo.loc[(demo["label"] == 0) & demo["text"].str.contains("谨防|注意防骗"), "text"]
    assert reminders.str.contains(r"(?:谨防(?:上当受骗|诈骗|受骗|被骗|上当)|注意防骗)[！。]$").any()


def replaced_by(share: str, value: float) -> pd.DataFrame:
    """The messages of seed 11 with ``share`` at ``value`` that are not in the same seed's data with
    it at 0, after checking that nothing else differs: each mix draws from a stream of its own and
    only replaces messages, so a change in a demo model's figures is that mix's."""
    config = default_demo_config().model_copy(update={share: value})
    with_it = generate_demo_sms(N, seed=11, config=config)
    without = generate_demo_sms(N, seed=11, config=config.model_copy(update={share: 0.0}))
    columns = ["text", "sender", "sent_at", "label"]
    kept = with_it[columns].merge(without[columns], how="inner", on=columns)
    replaced = with_it.loc[~with_it.set_index(columns).index.isin(kept.set_index(columns).index)]
    assert 0 < len(replaced) == len(without) - len(kept)
    return replaced


def test_lookalikes_replace_ordinary_messages_and_leave_every_other_draw_as_it_was() -> None:
    added = replaced_by("lookalike_share", default_demo_config().lookalike_share)
    assert (added["label"] == 0).all()
    assert added["text"].str.contains("您好，我是").any(), "people introducing themselves with an ordinary request"


def test_new_number_notices_replace_ordinary_messages_and_leave_every_other_draw_as_it_was() -> None:
    added = replaced_by("new_number_share", 0.1)
    assert (added["label"] == 0).all()
    assert added["text"].str.contains("号").all(), "each gives a number"
    assert not added["text"].str.contains("转|钱|借|帮|急").any(), "and asks nothing a script asks"


def test_new_number_twins_replace_scripts_of_their_type_with_a_notice_and_its_ask() -> None:
    """The twin is a notice the generator also writes as an ordinary message, then an ask: the two
    differ only in the ask, and every other message of the seed stays as it was."""
    twins = replaced_by("new_number_twin_share", 1.0)
    vocab = load_templates()
    assert (twins["label"] == 1).all()
    assert (twins["fraud_type"] == vocab["new_number_asks"]["fraud_type"]).all()
    assert vocab["new_number_asks"]["fraud_type"] in vocab["fraud"], "the twins replace scripts of a type the generator writes"
    assert twins["text"].str.contains("号").all(), "each gives a new number"
    assert twins["text"].str.contains("转|借|办公室|微信|付").all(), "and asks for something"
    assert twins["sender"].str.fullmatch(r"1\d{10}").all(), "from a mobile, as the notices"


def test_english_messages_replace_some_of_each_class_and_leave_every_other_draw_as_it_was() -> None:
    """English is evidence of neither side: codes and notices replace ordinary messages, scams replace scams."""
    replaced = replaced_by("english_share", 0.1)
    assert not replaced["text"].str.contains(r"[\u4e00-\u9fff]").any(), "written in English"
    assert set(replaced["label"]) == {0, 1}
    assert replaced.loc[replaced["label"] == 0, "text"].str.contains("code", case=False).any(), "one-time codes"
    assert replaced.loc[replaced["label"] == 1, "fraud_type"].notna().all()


def test_a_warning_is_inserted_after_the_clause_break_nearest_the_middle() -> None:
    assert insert_mid_text("甲乙，丙丁，戊己庚。", "谨防，") == "甲乙，丙丁，谨防，戊己庚。"
    assert insert_mid_text("没有标点", "谨防，") == "谨防，没有标点"


def test_a_link_from_a_person_is_not_fraud_by_itself(demo: pd.DataFrame) -> None:
    """Friends share cloud-drive albums and documents (with a 提取码) from their own numbers: the
    ordinary side has person-sent links, so a model cannot learn "link from a mobile ⇒ fraud"."""
    shares = demo[demo["text"].str.contains(r"https://(?:pan\.baidu\.com|pan\.quark\.cn|www\.aliyundrive\.com|"
                                            r"share\.weiyun\.com|docs\.qq\.com|kdocs\.cn)/")]
    assert len(shares) > 0 and (shares["label"] == 0).all()
    assert shares["text"].str.contains("提取码").any()


def test_investment_fraud_has_many_phrasings_some_without_link_or_transfer() -> None:
    """The investment script is more than "register at this link": first steps name a teacher, a
    pick or a dividend and ask for nothing yet. (The quickstart's size: ~100 investment scams.)"""
    demo = generate_demo_sms(default_demo_config().n, seed=11)
    investment = demo.loc[demo["fraud_type"] == "虚假投资理财", "text"]
    assert investment.nunique() >= MIN_INVESTMENT_PHRASINGS
    quiet = ~investment.str.contains(r"http|\.(?:cn|im|top|vip|cc|xyz)/|转账|转入|充值|汇款")
    assert quiet.any()


def test_senders_skew_but_do_not_separate_the_classes(demo: pd.DataFrame) -> None:
    service = demo["sender"].str.match(r"^(?:106|95)")
    virtual = demo["sender"].str.match(r"^(?:170|171|165|167)")
    foreign = demo["sender"].str.startswith(("+", "00"))
    fraud = demo["label"] == 1
    assert (virtual | foreign)[fraud].mean() > 0.3 > (virtual | foreign)[~fraud].mean()
    assert service[fraud].any(), "hard positives: fraud from service codes"
    assert (virtual | foreign)[~fraud].any(), "hard negatives: legitimate mail from unusual numbers"
    assert demo.loc[~fraud, "text"].str.contains("安全账户|刷单|转你").any(), "hard negatives: scam words in legit texts"


def test_fraud_skews_to_odd_hours(demo: pd.DataFrame) -> None:
    odd = pd.to_datetime(demo["sent_at"]).dt.hour < 7
    assert odd[demo["label"] == 1].mean() > odd[demo["label"] == 0].mean()


def test_written_file_loads_back_through_the_canonical_loader(tmp_path: Path) -> None:
    path = write_demo_sms(tmp_path, 300, seed=2)
    assert path == tmp_path / "sms.csv"
    result = load_labelled([path], dedupe=False)
    assert result.report.files[0].format == "canonical"
    pd.testing.assert_frame_equal(result.frame, generate_demo_sms(300, seed=2))
