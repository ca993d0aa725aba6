"""features/normalise.py: obfuscations undone, volatile entities masked, canonical form is a fixed point."""

from __future__ import annotations

import unicodedata

import pytest

from features.sms import lookalikes, normalise
from features.sms.normalise import clean_text, normalise_text
from tests.conftest import shared_data
from training.data.demo_sms import generate_demo_sms
from training.data.sms import load_unlabelled


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("ＡＢＣ１２３", "abc123"),  # full-width letters and digits
        ("安全账户！", "安全账户!"),  # full-width punctuation
        ("安\u200b全\u200d账\ufeff户", "安全账户"),  # zero-width space / joiner, BOM
        ("安\u00ad全", "安全"),  # soft hyphen
        ("安 全*账-户", "安全账户"),
        ("安 全 账 户", "安全账户"),
        ("刷|单·返_利", "刷单返利"),
        ("so easy 你好", "so easy你好"),  # English spacing kept, separator beside CJK removed
        ("hello world", "hello world"),
        ("iPhone 15 Pro", "iphone 15 pro"),
        ("  多余   空白  ", "多余空白"),
    ],
)
def test_clean_text_undoes_obfuscation(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("加V信abc", "加微信abc"),
        ("加vx：abc123", "加微信:abc123"),
        ("加 vx abc123", "加微信abc123"),
        ("加薇信", "加微信"),
        ("加徽信", "加微信"),
        ("加wx", "加微信"),
        ("WeChat", "微信"),
        ("微 信", "微信"),
        ("加V：dz8826x", "加微信:dz8826x"),
        ("+ V xx520mm", "+微信xx520mm"),
    ],
)
def test_wechat_spellings_become_weixin(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize("raw", ["wxyz", "vxlan", "swx"])
def test_wechat_spelling_inside_a_latin_word_is_left_alone(raw: str) -> None:
    assert "微信" not in clean_text(raw)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("加Q：2637481905", "加qq:2637481905"),
        ("加q群", "加qq群"),
        ("扣 扣：12345", "qq:12345"),
        ("企鹅号：12345", "qq:12345"),
        ("加QQ 12345", "加qq 12345"),
    ],
)
def test_qq_spellings_become_qq(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize("raw", ["加vip会员", "v1.2版本", "q3季度", "加quota"])
def test_a_lone_v_or_q_is_a_contact_only_after_jia_or_plus(raw: str) -> None:
    assert "微信" not in clean_text(raw) and "qq" not in clean_text(raw)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("点击 https://t.cn/abc123 领取", "点击 URL 领取"),
        ("访问 suo.im/Da5ipw", "访问 URL"),
        ("www.baidu.com", "URL"),
        ("联系13812345678", "联系 PHONE"),
        ("+8613812345678", "PHONE"),
        ("电话010-12345678", "电话 PHONE"),
        ("0755-1234567", "PHONE"),
        ("400-123-4567", "PHONE"),
        ("4001234567", "PHONE"),
        ("身份证11010119900307123X", "身份证 IDNO"),
        ("身份证110101199003071234", "身份证 IDNO"),
        ("卡号6222021234567890123", "卡号 CARDNO"),
        ("转账5000元", "转账 MONEY"),
        ("¥1,200.50", "MONEY"),
        ("3万", "MONEY"),
        ("日赚5w", "日赚 MONEY"),
        ("案件编号833762", "案件编号 NUM"),
        ("验证码834512，5分钟内有效", "验证码 NUM ,5分钟内有效"),
    ],
)
def test_entities_are_masked_into_typed_tokens(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


@pytest.mark.parametrize(
    "raw, expected", [("取件码 3-2-1024", "取件码3-2-1024"), ("第1234期", "第1234期"), ("iphone 15 pro", "iphone 15 pro")]
)
def test_short_numbers_are_kept(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("请拨打l38OO138OOO联系客服", "请拨打 PHONE 联系客服"),  # O for 0, l for 1: a mobile number
        ("退款热线4OO-8l2-5S8B", "退款热线 PHONE"),  # S for 5, B for 8, hyphens as service lines have
        ("客服电话0l0-88886666", "客服电话 PHONE"),
        ("收款账户6222O2l234567890l23", "收款账户 CARDNO"),
        ("验证码8345l2", "验证码 NUM"),
    ],
)
def test_digits_written_as_look_alike_letters_are_read_as_the_number(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Boss bliss solid oil", "boss bliss solid oil"),  # words of the look-alike letters, no digits
        ("bl00d b2b2024x win10 i5-8250u", "bl00d b2b2024x win10 i5-8250u"),  # other letters beside the run
        ("you must have 1000s of texts", "you must have 1000s of texts"),  # a plural, not a 5
        ("so so 12345 ok", "so so 12345 ok"),  # a space ends a run
        ("2OO元", "2oo元"),  # too short to be a number the masks read
    ],
)
def test_look_alike_letters_outside_a_number_are_left_alone(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("请拨打一三八〇〇一三八〇〇〇咨询", "请拨打 PHONE 咨询"),  # everyday Chinese digits: a mobile number
        ("验证码：叁捌伍柒贰壹", "验证码: NUM"),  # financial digits
        ("QQ号：壹贰叁肆伍陆柒", "qq号: NUM"),
    ],
)
def test_numbers_written_in_chinese_digits_are_read_as_the_number(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


@pytest.mark.parametrize(
    "raw", ["二〇二六年十二月三日到期", "三天后到账", "他一五一十地说了", "共计一万二千三百元", "一二三四走",
            "买一送一6787777", "套餐只需1999一年", "5月17一19日"])
def test_ordinary_chinese_numbers_are_left_alone(raw: str) -> None:
    """Dates, counts and amounts: runs shorter than a code, broken by a counting unit, or beside
    ASCII digits (一 after a price, or as a dash between two dates: examples from mudou and
    Telecom_Fraud_Texts_5)."""
    assert clean_text(raw) == raw


@pytest.mark.parametrize("raw", ["请访问URL", "PHONE坏了", "myMONEY"])
def test_placeholder_letters_inside_a_word_are_case_folded(raw: str) -> None:
    """Only a whole-word placeholder survives case folding; the same letters inside a word do not."""
    assert normalise_text(raw) == raw.lower()


@pytest.mark.parametrize(
    "raw",
    [
        "【公安局】您涉嫌洗钱，请立即将资金转入安全账户 https://t.cn/x1Y2z3，联系王警官13812345678",
        "招聘兼职刷单，日结佣金500元，加 vx abc123 了解",
        "尊敬的客户，您的ＥＴＣ已失效，点击 ｗｗｗ．ｅｔｃ－ｆｉｘ．ｃｏｍ 认证，退款￥２００",
        "卡号6222021234567890123，身份证11010119900307123X，验证码834512",
        "加 薇 信 ab_12，so easy 哦 ！！",
        "点击 URL 领取 MONEY",
    ],
)
def test_normalising_twice_equals_once(raw: str) -> None:
    once = normalise_text(raw)
    assert normalise_text(once) == once


def test_obfuscated_copy_of_a_template_normalises_like_the_original() -> None:
    plain = "请立即将资金转入安全账户，加微信abc123，详询13812345678"
    disguised = "请立即将资金转入安 全*账 户，加Ｖ信ａｂｃ１２３，详询１３８１２３４５６７８"
    assert normalise_text(disguised) == normalise_text(plain)


def _every_step(raw: str) -> str:
    """Normalisation with every substitution applied unconditionally (the path before session 12,
    which skips a second separator pass without a WeChat spelling, and the look-alike digits and the
    number masks without a digit; and since session 24 the look-alike letters of other scripts
    without any such letter, Chinese digit runs without a run)."""
    text = unicodedata.normalize("NFKC", raw).translate(lookalikes._FORMS_TO_HAN)
    if not lookalikes._HIRAGANA.search(text):
        text = text.translate(lookalikes._KANA_TO_HAN)
    if not lookalikes._written_in_foreign_letters(text):
        text = text.translate(lookalikes.TO_LATIN)
    text = normalise._INVISIBLE.sub("", text)
    text = normalise._CONTROL.sub(" ", text)
    text = normalise._casefold_except_placeholders(text)
    text = normalise._LOOKALIKE_NUMBER.sub(normalise._as_number, text)
    text = normalise._CHINESE_DIGIT_RUN.sub(normalise._chinese_digits_as_number, text)
    for pattern, replacement in ((normalise._SEPARATOR_INSIDE_CJK, ""), (normalise._WECHAT_VARIANTS, "微信"),
                                 (normalise._SEPARATOR_INSIDE_CJK, ""), (normalise._QQ_VARIANTS, "qq")):
        text = pattern.sub(replacement, text)
    text = normalise._SPACES.sub(" ", text).strip()
    for pattern, mask in ((normalise._URL_RE, normalise.URL), (normalise._IDNO_RE, normalise.IDNO), (normalise._CARD_RE, normalise.CARD),
                          (normalise._PHONE_RE, normalise.PHONE), (normalise._MONEY_RE, normalise.MONEY),
                          (normalise._LONG_NUMBER_RE, normalise.NUMBER)):
        text = pattern.sub(f" {mask} ", text)
    return normalise._SPACES.sub(" ", text).strip()


@pytest.mark.parametrize(
    "raw",
    [
        # separators and WeChat spellings
        "加 v x 好友 中 文", "vx：abc 123", "加 vx abc123", "wx - 13800000000", "威信 号 13812345678", "中 a 文 . b 。中", "x · 中 -- y",
        # digits of other scripts, full-width ones, none at all
        "٣٤٥٦٧٨٩ 元", "转账 ５０００ 元 到 6222020202020202020", "¥ 300", "无数字的 文本 http://t.cn/x", "",
        # look-alikes of other scripts (one beyond U+FFFF), Chinese digits
        "ロ令 аpp", "a𐊠b 中文 𝐚", "これはロボット", "一三八〇〇一三八〇〇〇", "二〇二六年",
    ],
)
def test_skipped_steps_change_nothing(raw: str) -> None:
    assert normalise_text(raw) == _every_step(raw)


@pytest.mark.parametrize("parts", [("mudou_spam", "mudou_spam.train"), ("fbs_sms", "fbs_sms.train.tsv")])
def test_skipped_steps_change_nothing_on_real_messages(parts: tuple[str, str]) -> None:
    texts = load_unlabelled([shared_data(*parts)], "auto").frame["text"].astype(str).sample(1500, random_state=4)
    texts = [*texts, *generate_demo_sms(n=300, seed=9)["text"]]
    assert [t for t in texts if normalise_text(t) != _every_step(t)] == []
