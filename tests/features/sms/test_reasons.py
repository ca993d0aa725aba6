"""features/reasons.py: only features a person can read may become reasons."""

from __future__ import annotations

import pytest

from features.sms.reasons import sms_reason_mask


@pytest.mark.parametrize(
    "name, readable",
    [
        ("词: 安全账户", True),
        ("字: 账户", True),
        ("词: URL", True),
        ("字: PHONE", True),
        ("字: so easy", True),
        ("字: 我", False),  # single character
        ("字:  我", False),  # single character with a space
        ("字: ,您", False),  # one character beside punctuation
        ("字: 金,", False),
        ("字: ,加微", True),
        ("词: 我 是", False),  # grammar only: a person cannot act on "I am"
        ("词: 您 的", False),
        ("字: 我是", False),
        ("字: 您好,", False),  # the greeting issue #10 quotes
        ("词: 我 是 警官", True),  # one content word is enough
        ("字: 好评", True),
        ("词: 请 转账", True),
        ("字: RL", False),  # fragment of URL
        ("字: L 领", False),  # fragment of URL beside a word
        ("字: ON", False),  # fragment of PHONE / MONEY
        ("含网址/短链接", True),
        ("发送方: 普通手机号", True),
        ("文本整体与诈骗短信相似", True),
    ],
)
def test_reason_mask(name: str, readable: bool) -> None:
    assert sms_reason_mask([name]).tolist() == [readable]


@pytest.mark.parametrize("cue", ["退款原路退回（正规退款通知用语）", "官方反诈提醒用语"])
def test_a_cue_that_speaks_for_the_message_never_explains_a_flag(cue: str) -> None:
    """A blocked refund notice must not read "退款原路退回（正规退款通知用语）" as its reason, nor a
    scam that borrows a reminder's words ("谨防假冒，认准官方客服") "官方反诈提醒用语"."""
    from features.sms.patterns import COUNTER_CUES, script_cues
    from features.sms.reasons import SMS_LEAD_REASONS

    assert cue in script_cues() and cue in COUNTER_CUES  # the names of patterns.yaml's counter-cues
    assert sms_reason_mask([cue, "冒充电商或物流客服办理退款理赔"]).tolist() == [False, True]
    assert cue not in SMS_LEAD_REASONS


def test_mask_is_aligned_with_names() -> None:
    assert sms_reason_mask(["字: 我", "词: 刷单", "字: RL"]).tolist() == [False, True, False]


def test_per_type_text_scores_are_never_reasons() -> None:
    from features.sms.reasons import sms_reason_mask
    from features.sms.text import TYPE_SCORE_NAME

    names = [TYPE_SCORE_NAME.format(fraud_type="贷款征信"), "词: 安全账户"]
    assert sms_reason_mask(names).tolist() == [False, True]


def test_category_text_scores_are_never_reasons() -> None:
    from features.sms.text import category_score_name

    names = [category_score_name("illegal"), category_score_name("fraud"), "词: 安全账户"]
    assert sms_reason_mask(names).tolist() == [False, False, True]


POLICE_TEXT = "这里是市公安局,您的身份证涉嫌一起洗钱案件"  # normalised, as a model's Scored.texts holds it


def test_a_cue_reason_quotes_the_words_of_its_message_and_nothing_else_changes() -> None:
    from features.sms.reasons import quote_cue_reasons

    reasons = ["冒充公检法称涉案", "含网址/短链接", "词: 洗钱", "要求转入“安全账户”或配合资金清查"]
    assert quote_cue_reasons(reasons, POLICE_TEXT, 3) == ["冒充公检法称涉案：“公安”“涉嫌”", "含网址/短链接", "词: 洗钱",
                                                         "要求转入“安全账户”或配合资金清查"]  # this cue did not fire here
    assert quote_cue_reasons(["冒充公检法称涉案"], "法院通知:你被银行起诉了", 3) == ["冒充公检法称涉案：“法院”“起诉”"]


@pytest.mark.parametrize(
    "text, reason, expected",
    [
        ("请立即转账,逾期将冻结,立即处理", "含紧迫催促用语", "含紧迫催促用语：“立即”“逾期”"),  # text order, each word once
        # The label names WeChat/QQ; the group also counts screen sharing: the quote says which it was.
        ("请下载会议软件共享屏幕配合操作", "引导添加微信/QQ私下联系", "引导添加微信/QQ私下联系：“共享屏幕”"),
        ("有问题私聊我", "引导添加微信/QQ私下联系", "引导添加微信/QQ私下联系：“私聊”"),
        ("妈,我今晚加班", "含紧迫催促用语", "含紧迫催促用语"),  # no word of the group here (an edited list): as it is
    ],
)
def test_a_lexicon_reason_quotes_the_words_its_count_counted(text: str, reason: str, expected: str) -> None:
    from features.sms.reasons import cue_label, quote_cue_reasons

    assert quote_cue_reasons([reason], text, 3) == [expected]
    assert cue_label(expected) == reason


def test_a_lexicon_reason_quotes_at_most_max_quotes_words() -> None:
    from features.sms.reasons import quote_cue_reasons

    text = "请立即转账,马上处理,逾期冻结"
    assert quote_cue_reasons(["含紧迫催促用语"], text, 2) == ["含紧迫催促用语：“立即”“马上”"]
    assert quote_cue_reasons(["含紧迫催促用语"], text, 0) == ["含紧迫催促用语"]


@pytest.mark.parametrize("max_quotes, expected", [(0, "冒充公检法称涉案"), (1, "冒充公检法称涉案：“公安”"), (2, "冒充公检法称涉案：“公安”“涉嫌”")])
def test_a_cue_reason_quotes_at_most_max_quotes_words(max_quotes: int, expected: str) -> None:
    from features.sms.reasons import quote_cue_reasons

    assert quote_cue_reasons(["冒充公检法称涉案"], POLICE_TEXT, max_quotes) == [expected]


@pytest.mark.parametrize(
    "reason, label",
    [
        ("冒充公检法称涉案：“公安”“涉嫌”", "冒充公检法称涉案"),
        ("要求转入“安全账户”或配合资金清查：“安全账户”", "要求转入“安全账户”或配合资金清查"),
        ("冒充公检法称涉案", "冒充公检法称涉案"),
        ("词: 安全账户", "词: 安全账户"),
        ("发送方: 普通手机号", "发送方: 普通手机号"),
        ("某某：“不是一个线索”", "某某：“不是一个线索”"),  # a colon after no cue's label
    ],
)
def test_cue_label_reads_the_cue_a_reason_names(reason: str, label: str) -> None:
    from features.sms.reasons import cue_label

    assert cue_label(reason) == label
