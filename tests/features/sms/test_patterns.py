"""features/patterns.py: readable dense features that count what the normalised text contains."""

from __future__ import annotations

import re

import numpy as np
import pytest

from features.sms.normalise import normalise_text
from features.sms.patterns import (
    ENTITY_REASONS,
    SHAPE_FEATURES,
    PatternFeatures,
    cue_fires,
    cue_matrix,
    cue_rows,
    cue_words,
    quoted_cue_names,
    reminder_zeroed_cue_matrix,
    script_cues,
)

_CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def patterns() -> PatternFeatures:
    return PatternFeatures().fit(["任意文本"])


def _row(patterns: PatternFeatures, raw: str) -> dict[str, float]:
    values = patterns.transform([normalise_text(raw)])[0]
    return dict(zip(patterns.get_feature_names_out(), values, strict=False))


def test_feature_names_are_readable_and_unique(patterns: PatternFeatures) -> None:
    names = list(patterns.get_feature_names_out())
    assert len(names) == len(set(names))
    assert all(_CJK.search(name) for name in names), names


def test_transform_has_one_column_per_name(patterns: PatternFeatures) -> None:
    matrix = patterns.transform([normalise_text("你好"), normalise_text("转账5000元")])
    assert matrix.shape == (2, len(patterns.get_feature_names_out()))


@pytest.mark.parametrize(
    "raw, feature, count",
    [
        ("点击 https://t.cn/abc 领取", ENTITY_REASONS["URL"], 1),
        ("联系13812345678或13912345678", ENTITY_REASONS["PHONE"], 2),
        ("转账5000元", ENTITY_REASONS["MONEY"], 1),
        ("卡号6222021234567890123", ENTITY_REASONS["CARDNO"], 1),
        ("请转入安全账户", "称账户异常需处理", 1),
        ("请立即转账", "要求转账或付款", 1),
        ("请立即转账", "含紧迫催促用语", 1),
        ("加 V 信 联系", "引导添加微信/QQ私下联系", 1),
        ("妈，我今晚回家吃饭", "要求转账或付款", 0),
        ("快回电话!!!", SHAPE_FEATURES["exclamations"], 3),
        ("【中国银行】您的账单已出", SHAPE_FEATURES["has_signature"], 1),
        ("您的账单已出", SHAPE_FEATURES["has_signature"], 0),
    ],
)
def test_patterns_count_what_the_message_has(patterns: PatternFeatures, raw: str, feature: str, count: float) -> None:
    assert _row(patterns, raw)[feature] == count


def test_shape_ignores_placeholder_letters(patterns: PatternFeatures) -> None:
    row = _row(patterns, "点击 https://t.cn/abc")  # normalised: "点击 URL"
    assert row[SHAPE_FEATURES["latin_share"]] == 0
    assert row[SHAPE_FEATURES["length"]] == len("点击 ")


@pytest.mark.parametrize(
    "raw, cue",
    [
        ("这里是市公安局，您的身份证涉嫌一起洗钱案件", "冒充公检法称涉案"),
        ("请把存款转到安 全 账 户接受核查", "要求转入“安全账户”或配合资金清查"),
        ("您好我是快递客服，您的包裹丢失了，给您双倍理赔", "冒充电商或物流客服办理退款理赔"),
        # The refund paid through the victim's own credit line: no shop word, the credit line is the script.
        ("亲，您的退款审核通过了，请打开支付宝借呗查看备用金额度，我们通过备用金通道给您退款", "冒充电商或物流客服办理退款理赔"),
        ("您的学生贷未注销，会影响征信", "称征信受影响需注销或修复"),
        ("您的账户盈利已达12万元，提现需先缴纳20%个人所得税，缴纳后24小时内到账", "要求先交手续费、保证金或税费"),
        ("【个人所得税】您的退税需先交手续费才能到账", "要求先交手续费、保证金或税费"),  # the sender is read past, not the fee
        ("您的账户异常，请把额度内资金转出清零，以免影响征信", "称征信受影响需注销或修复"),
        ("我是王总，正在开会不方便接电话，你先帮我转账给供应商", "自称领导不便通话却要求转款"),
        ("您的ETC已失效，请点击 etc-gov.vip/a1 认证", "称积分、ETC、医保或保险到期失效并附链接"),
        ("【国家反诈中心】凡是要求屏幕共享的都是诈骗", "官方反诈提醒用语"),
        # The fee before a won prize ships is a courier fee as often as a tax.
        ("你抽奖中了一台平板，付50元快递费就寄给你", "称中奖却要求先付运费、税费或手续费"),
        ("积分能换购物卡，登记一下您的银行卡号就行", "要求提供验证码或银行卡号"),
        ("店里要刷销量，帮忙下一单，佣金马上返", "刷单点赞类兼职许诺日结佣金"),
        ("【天猫】您的退款已原路退回，请注意查收", "退款原路退回（正规退款通知用语）"),
        ("【铁路12306】您的车票已退票成功，票款将按原支付方式退回", "退款原路退回（正规退款通知用语）"),
        ("电影票我在app上退了，钱会原路退回你微信", "退款原路退回（正规退款通知用语）"),
        ("【铁路12306】您购买的G102次列车因故停运，票款将原路退还", "退款原路退回（正规退款通知用语）"),
        ("你的国际快件在海关查扣了，要先交两千关税才能放行", "称包裹被海关扣押或需交清关费"),
        ("姐，我手机摔坏了，用室友的手机给你发的，先借我点钱", "称手机坏了借用他人号码联系"),
        ("法院通知：你被银行起诉了，后天开庭，想和解就先交和解金", "冒充公检法称涉案"),
        ("【医保中心】您的医保卡在外地存在违规套现记录，已移交公安机关处理，如有异议请回电", "冒充公检法称涉案"),
        ("请用腾讯会议进入会议号 123 456 789，民警要给你做笔录", "要求屏幕共享或下载会议软件"),
        ("客服为您关闭扣费，请打开共享屏幕", "要求屏幕共享或下载会议软件"),  # a screen-sharing word alone
        ("【反诈中心】冒充客服要求退款理赔的，均属诈骗", "官方反诈提醒用语"),
        ("我是你表叔，换号了，这个是新号码，有件事想请你帮个忙", "自称熟人或领导换了新号码/新微信"),
        ("猜猜我是谁？这是我新号", "自称熟人或领导换了新号码/新微信"),
    ],
)
def test_script_cues_fire_on_their_script(patterns: PatternFeatures, raw: str, cue: str) -> None:
    assert _row(patterns, raw)[cue] == 1


@pytest.mark.parametrize(
    "raw, cue",
    [
        ("【市公安局】户籍业务窗口周六照常办公", "冒充公检法称涉案"),  # authority without a case
        ("【12345】您反映的夜间噪音问题已移交属地派出所处理，请保持电话畅通", "冒充公检法称涉案"),  # no accusation
        ("妈，我今晚加班，晚饭不用等我了", "称亲友出事急需用钱"),
        ("【中国移动】您的积分可兑换话费，详询10086", "称积分、ETC、医保或保险到期失效并附链接"),  # no link
        ("你好，运费险理赔已到账，请查收", "要求先交手续费、保证金或税费"),  # a fee word without a fee asked for
        ("你好，运费险理赔已到账，请查收", "称中奖却要求先付运费、税费或手续费"),  # ... nor a prize
        # The tax office's refund: the tax named as the reconciliation, the app or the sender, nothing asked.
        ("【个人所得税】您的2024年度个人所得税综合所得汇算退税已到账，金额356.00元，请注意查收", "要求先交手续费、保证金或税费"),
        ("【国家税务总局】您的年度个人所得税汇算已办理完成，退税款已到账，可在个人所得税APP查看", "要求先交手续费、保证金或税费"),
        # A lender asks for its repayment, not for a record to be cleared.
        ("【建设银行】您的信用卡已逾期，请尽快通过手机银行还款，以免影响个人信用记录", "称征信受影响需注销或修复"),
        ("【京东】您的退款申请已受理，请耐心等待", "退款原路退回（正规退款通知用语）"),  # refund without its route
        # The script's promise for the victim's own money: nothing is refunded.
        ("请将名下资金转入国家安全账户进行清查，核查无误后原路退回", "退款原路退回（正规退款通知用语）"),
        # A route the message says is closed is the credit-line stage's pretext, not a refund's route.
        ("由于系统升级，您的退款暂时无法原路退回，请按客服指引通过备用金通道领取", "退款原路退回（正规退款通知用语）"),
        ("【顺丰速运】您的国际快件已完成清关，正在派送", "称包裹被海关扣押或需交清关费"),  # cleared, nothing asked
        ("我手机坏了，这两天联系不上就发邮件", "称手机坏了借用他人号码联系"),  # no borrowed number
        ("周三的评审改线上，腾讯会议号 987 654 321，到点进就行", "要求屏幕共享或下载会议软件"),  # nothing asked
        ("我是王磊，原来那个号不用了，这是我的新号码，麻烦存一下", "自称熟人或领导换了新号码/新微信"),  # no ask
        ("我是小林，换号了，这是我新号码18812345678，旧号不用了", "自称熟人或领导换了新号码/新微信"),  # the number is the news
    ],
)
def test_a_topic_word_alone_is_not_a_script(patterns: PatternFeatures, raw: str, cue: str) -> None:
    assert _row(patterns, raw)[cue] == 0


# Legitimate notices of kinds a blind set found blocked (issue #10, sessions 12 and 40–43), each beside the
# scam that uses the same words: the cue must tell them apart, not the topic. (An official denial
# is the reminder test below; a colleague's meeting invitation still fires the screen-share cue:
# its fix failed the model rule, docs/benchmarks.md.)
_NOTICE_AND_SCRIPT = [
    ("【阳光幼儿园】亲爱的家长您好：本学期保教费及伙食费共计3860元，请于12月10日前登录“智慧校园”缴费平台完成缴纳，如有疑问请联系班主任。",
     "亲爱的，我在一个理财平台上赚了不少，你也注册一个，我带你一起赚",
     "网恋交友对象引导投资或充值"),
    ("【网易游戏】您的账号于12月1日20:41在一台新设备上登录，如非本人操作，请立即修改密码并冻结账号，冻结后可在安全中心申请解冻：https://aq.163.com",
     "你挂在平台上的王者荣耀账号我已经下单了，平台说你的账户被冻结，要先交保证金才能提现，客服链接 kf-wzry.cc",
     "游戏账号或装备私下交易"),
    # Blind sets AQ and AV (session 39): a colleague declines the ask in its own words.
    ("刚才在OA里把你加为审批人了，你会收到一条验证码短信，不用发给我，自己登录系统确认就行",
     "刚才系统给你发了一条验证码短信，麻烦发给我一下，我帮你把认证做完",
     "要求提供验证码或银行卡号"),
    # Blind set BE (session 41): a fee-supervision receipt names the account the fee already sits in.
    ("【校外培训资金监管】您缴纳的课程费用2400.00元已存入监管账户，将按实际课消分批拨付给机构。",
     "注销需要先把额度借出来，转到我们的监管账户做清零，清零后马上退回",
     "要求转入“安全账户”或配合资金清查"),
    # Blind set BE (session 41): a platform's renewal notice names its own in-app switch.
    ("【支付宝】您开通的“作业帮VIP会员”自动续费将于2024-09-15扣款68.00元。如需取消，可在支付宝“我的-设置-支付设置-免密支付/自动扣款”中关闭。",
     "您好，您开通的百万医疗保险明天开始自动扣费每月600元，如需取消请回电13911223344由专员指导关闭。",
     "称误开通会员或保险需取消扣费"),
    # Blind set BH (session 42): a platform's receipt for a deposit it has already handed back.
    ("【满帮】您申请退还的车主保证金1000.00元已原路退回至您绑定的银行卡，请注意查收。",
     "您的提现申请已受理，因账户未激活需先缴纳2000元保证金，到账后与提现金额一并退还。",
     "要求先交手续费、保证金或税费"),
    # Blind set BK (session 43): a court's notice sends the reader to the court's own channel, the script to a callback.
    ("【成都市武侯区人民法院】您申请的（2024）川0107民初3306号案件已立案，开庭时间及材料清单请登录人民法院在线服务查看。",
     "【人民法院】您有一份民事传票未签收，涉及信用卡欠款纠纷，明日开庭，详情请回拨 028-6631 2208 转人工。",
     "冒充公检法称涉案"),
]


@pytest.mark.parametrize("notice, script, cue", _NOTICE_AND_SCRIPT)
def test_legitimate_notices_do_not_fire_the_cue_their_scam_fires(
    patterns: PatternFeatures, notice: str, script: str, cue: str
) -> None:
    assert (_row(patterns, notice)[cue], _row(patterns, script)[cue]) == (0, 1)


@pytest.mark.parametrize(
    "raw, fires",
    [
        ("宝贝,请勿在陌生平台上注册", 0),  # a request denied
        ("亲爱的,不要担心,这个平台稳赚", 1),  # the clause break ends the negation
        ("亲爱的,请勿告诉别人我们在这个平台充值", 1),  # 充值 is 11 characters on: out of reach
    ],
)
def test_a_negated_request_is_not_a_request(patterns: PatternFeatures, raw: str, fires: float) -> None:
    assert _row(patterns, raw)["网恋交友对象引导投资或充值"] == fires


@pytest.mark.parametrize(
    "raw, fires",
    [
        ("【工商银行】切勿向任何人提供短信验证码", 0),
        ("为了退款,请提供您的银行卡号和验证码", 1),
        # Declining to be sent the code is no ask, but the link it is to be typed into is one.
        ("验证码不用发给我,直接输入到这个页面就行 kf-bank.cc", 1),
    ],
)
def test_a_bank_warning_asks_for_no_credentials(patterns: PatternFeatures, raw: str, fires: float) -> None:
    assert _row(patterns, raw)["要求提供验证码或银行卡号"] == fires


def test_an_official_denial_reads_as_a_reminder_not_a_request() -> None:
    """A tax bureau's "we never ask by SMS link for your card number" names the credentials
    script; the reminder cue fires and the denied request does not."""
    notice = normalise_text("【国家税务总局深圳市税务局】个税汇算即将开始，请通过个人所得税App办理。"
                            "税务机关不会以短信链接要求您填写银行卡号或验证码，请注意防范。")
    cues = dict(zip(script_cues(), cue_rows([notice])[0], strict=True))
    assert (cues["官方反诈提醒用语"], cues["要求提供验证码或银行卡号"]) == (1, 0)
    assert _quoted(notice) == set()


def test_a_scam_call_retold_as_a_warning_reads_as_a_reminder() -> None:
    """A relative passing a "安全账户" call on ("…妈已经挂了，你们也别信") quotes the script to
    warn; the linear score must read the warning, as it does for an official reminder."""
    retold = normalise_text("哥，刚才妈说有人冒充法院打电话，叫她把存款转到安全账户配合调查，她已经挂了，你也跟舅舅说一声，别信。")
    assert "要求转入“安全账户”或配合资金清查" in _quoted(retold)


def _quoted(text: str) -> set[str]:
    """The script cues ``cue_matrix`` reads as quoted by a reminder in normalised ``text``."""
    names = quoted_cue_names()
    row = cue_matrix([text])[0, len(script_cues()):]
    assert row[-1] == sum(row[:-1])  # the count column counts the quoted scripts
    return {name for name, value in zip(names, row[:-1], strict=True) if value}


def test_the_linear_model_keeps_a_scripts_cue_beside_a_borrowed_warning() -> None:
    """A scam borrowing a reminder's words ("本平台正规合法，请勿轻信他人") keeps its script in the
    linear model's input, as a quoted column whose weight is learnt (models before session 18 read
    it as 0), so one warning word cannot erase a script's evidence."""
    scam = normalise_text("您的包裹在运输途中丢失，本平台正规合法，请勿轻信他人，请添加理赔客服微信kf8899领取三倍赔偿。")
    names = list(script_cues())
    raw = cue_rows([scam])[0]
    matrix = cue_matrix([scam])[0]
    script = names.index("冒充电商或物流客服办理退款理赔")
    assert raw[names.index("官方反诈提醒用语")] == 1 and raw[script] == 1
    assert np.array_equal(matrix[:len(names)], reminder_zeroed_cue_matrix([scam])[0])
    assert matrix[script] == 0
    assert "冒充电商或物流客服办理退款理赔" in _quoted(scam)


def test_quoted_columns_are_zero_without_a_reminder_and_the_cues_read_as_they_fire() -> None:
    scam = normalise_text("我是市公安局民警，你涉嫌洗钱，请把存款转入安全账户配合调查。")
    assert cue_matrix([scam])[0, len(script_cues()):].sum() == 0
    assert np.array_equal(cue_matrix([scam])[0, :len(script_cues())], cue_rows([scam])[0])
    assert set(script_cues()) - set(quoted_cue_names()) == {"官方反诈提醒用语"}
    assert cue_matrix([scam, scam]).shape == (2, len(script_cues()) + len(quoted_cue_names()) + 1)


def test_negation_spares_the_reminder_cue(patterns: PatternFeatures) -> None:
    """The reminder's own words warn ("谨防", "不会要求"): a negation word before them must not
    silence the one cue that speaks for the message."""
    assert _row(patterns, "【建设银行】我行绝不会要求您转账，谨防诈骗")["官方反诈提醒用语"] == 1


def _word_by_word_cues(text: str) -> list[float]:
    return [float(cue_fires(text, cue)) for cue in script_cues().values()]


def _cue_texts() -> list[str]:
    """Every cue word alone, each cue's first words together, words inside other text, regex
    metacharacters and nothing at all, negation, proximity and what a cue reads past."""
    cues = [cue.word_lists for cue in script_cues().values()]
    texts = [word for word_lists in cues for words in word_lists for word in words]
    texts += ["，".join(words[0] for words in word_lists) for word_lists in cues]
    texts += [f"您好{text}谢谢" for text in texts[:50]] + ["", ".*+?[](){}|^$\\", "ordinary text 123"]
    # Negation and proximity: the same texts as the tests above, and a hit on each side of the window.
    texts += [normalise_text(text) for pair in _NOTICE_AND_SCRIPT for text in pair[:2]]
    texts += ["亲爱的" + "好" * gap + "平台" for gap in (16, 17, 18)] + ["亲爱的请勿" + "好" * gap + "平台" for gap in (9, 10, 11)]
    # What the reminder cue reads past (its ``ignore``), alone and beside its own words.
    texts += ["我们不是骗人的", "注册 URL,谨防诈骗", "谨防诈骗分子冒充", "谨防诈骗,勿泄露", "说是骗人的,谨防杀猪盘哦!【某某】", "这可不是杀猪盘"]
    return texts


def test_cue_rows_say_what_the_word_lists_say() -> None:
    """``cue_row`` searches each word list as one regex; it must fire exactly where ``cue_fires``
    (a word of every list in the text) does, on every text of :func:`_cue_texts`."""
    from features.sms.patterns import cue_row

    for text in _cue_texts():
        assert cue_row(text) == _word_by_word_cues(text), text


def test_a_cue_gives_words_exactly_where_it_fires_and_only_its_own_words_of_the_text() -> None:
    """What a reason quotes (``cue_words``) comes from the matching ``cue_fires`` does: words
    wherever the cue fires, none where it does not, each a word of one of its lists found in the
    text, one per list at most."""
    for text in _cue_texts():
        for name, cue in script_cues().items():
            words = cue_words(text, cue)
            assert bool(words) == cue_fires(text, cue), (name, text)
            assert len(words) <= len(cue.word_lists), (name, text, words)
            assert all(any(word in words_of for words_of in cue.word_lists) for word in words), (name, text, words)
            assert all(word in text for word in words), (name, text, words)


@pytest.mark.parametrize(
    "raw, cue, words",
    [
        # Two police scripts, each quoted in its own words.
        ("这里是市公安局，您的身份证涉嫌一起洗钱案件", "冒充公检法称涉案", ("公安", "涉嫌")),
        ("法院通知：你被银行起诉了，后天开庭，想和解就先交和解金", "冒充公检法称涉案", ("法院", "起诉")),
        # A negated word is not what fired the cue: the police word after the warning is.
        ("不要相信自称警察的人，公安局通知你涉嫌洗钱", "冒充公检法称涉案", ("公安", "涉嫌")),
        # A word the cue reads past (its ``ignore``: "申报时填写的") is not quoted.
        ("退至您申报时填写的银行卡，请回复验证码", "要求提供验证码或银行卡号", ("银行卡", "回复")),
        # With ``within``: the pair close together, not the greeting thirty characters before.
        ("亲爱的家长" + "好" * 30 + "宝贝，这个平台能赚钱", "网恋交友对象引导投资或充值", ("宝贝", "平台")),
        # One word two lists share is quoted once; the longest word starting at a hit.
        ("请打开屏幕共享", "要求屏幕共享或下载会议软件", ("屏幕共享",)),
        ("请把存款转到安 全 账 户接受资金清查", "要求转入“安全账户”或配合资金清查", ("安全账户",)),
        ("【市公安局】户籍业务窗口周六照常办公", "冒充公检法称涉案", ()),  # not fired: nothing to quote
    ],
)
def test_cue_words_are_the_words_that_fired_the_cue_in_this_message(raw: str, cue: str, words: tuple[str, ...]) -> None:
    assert cue_words(normalise_text(raw), script_cues()[cue]) == words


def test_shape_counts_digits_and_latin_letters_as_characters() -> None:
    """Digit share counts what ``str.isdigit`` calls a digit (full-width and superscript ones too),
    latin share only a–z: the values the features have always had."""
    names = list(PatternFeatures().fit(["x"]).get_feature_names_out())
    text = "ab１²3 xyzé"
    row = PatternFeatures().fit([text]).transform([text])[0]
    length = len(text)
    assert row[names.index(SHAPE_FEATURES["digit_share"])] == pytest.approx(3 / length)
    assert row[names.index(SHAPE_FEATURES["latin_share"])] == pytest.approx(5 / length)


def test_a_misspelt_cue_key_is_an_error_naming_the_cue_not_silently_ignored() -> None:
    from features.sms.patterns import cue_from_yaml

    with pytest.raises(ValueError, match=r"cue 'romance'.*\['withn'\]"):
        cue_from_yaml("romance", {"reason": "网恋", "all_of": [["亲爱的"], ["平台"]], "withn": 20})
    cue = cue_from_yaml("romance", {"reason": "网恋", "all_of": [["亲爱的"], ["平台"]], "within": 20, "negatable": False})
    assert cue.within == 20 and not cue.negatable and cue.word_lists == (("亲爱的",), ("平台",))


def test_a_negative_window_or_an_empty_negation_word_is_refused() -> None:
    from features.sms.patterns import Cue, Negation

    with pytest.raises(ValueError, match="within"):
        Cue(word_lists=(("亲爱的",),), within=-1)
    with pytest.raises(ValueError, match="negation"):
        Negation(words=("不会", ""), window=10, breaks=",")
    with pytest.raises(ValueError, match="negation"):
        Negation(words=("不会",), window=-1, breaks=",")


def test_a_cue_reads_past_its_ignored_patterns_and_refuses_a_malformed_one() -> None:
    """``ignore`` blanks what a cue must not read ("谨防诈骗" appended to a script); a pattern that
    does not compile fails when the cue is loaded, not on the first message scored."""
    import re

    from features.sms.patterns import cue_fires, cue_from_yaml

    cue = cue_from_yaml("reminder", {"reason": "提醒", "all_of": [["谨防"]], "ignore": ["谨防诈骗$"]})
    assert not cue_fires("带你赚钱,谨防诈骗", cue)
    assert cue_fires("谨防诈骗分子冒充客服", cue)
    with pytest.raises(re.error):
        cue_from_yaml("reminder", {"reason": "提醒", "all_of": [["谨防"]], "ignore": ["谨防("]})
