"""Text normalisation: undo the obfuscations scammers use and mask volatile entities.

Scam templates are re-sent with spaces or symbols inside words (``安 全 账 户``), full-width
characters, zero-width joiners and a different phone number or link each time. Normalising
these away makes one campaign look like one campaign, so the model learns the template rather
than the decoration; masking numbers and links into typed tokens keeps their *presence* as a
signal while dropping values that never repeat.
"""

from __future__ import annotations

import re
import unicodedata

from features.sms.lookalikes import fold_lookalikes
from features.sms.scripts import CJK as _CJK

# Typed placeholders. Masking runs after case folding, so upper-case ASCII from message text
# becomes lower case; jieba keeps each as one token. Case folding spares a placeholder standing as
# a whole word, so normalising normalised text changes nothing (the form is canonical).
URL = "URL"
PHONE = "PHONE"
MONEY = "MONEY"
CARD = "CARDNO"
IDNO = "IDNO"
NUMBER = "NUM"
PLACEHOLDERS = (URL, PHONE, MONEY, CARD, IDNO, NUMBER)

_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Separators inserted inside words to dodge keyword filters: removed only where a CJK character
# stands on at least one side, so English spacing ("so easy") is left alone.
_SEPARATORS = r"[\s\*\-_|·•/\\~\^`'\"+#=.。、]+"
_SEPARATOR_INSIDE_CJK = re.compile(
    rf"(?<=[{_CJK}])(?:{_SEPARATORS})(?=[{_CJK}a-z0-9])|(?<=[a-z0-9])(?:{_SEPARATORS})(?=[{_CJK}])"
)
# Digits written as the letters they resemble, inside a number: "l38OO138OOO", "4OO-8l2-5S8B". A
# run of digits and these letters (case-folded; hyphens between them as phone numbers have)
# standing alone, with at least _MIN_REAL_DIGITS real digits and at most one letter more than
# digits, is read as the number it imitates. Words lack the digits ("boss", "bliss"); a run with
# other letters beside it ("b2b2024x", "bl00d") is not alone; a space ends a run ("so so 12345");
# a number with a plural s ("1000s") stays one.
_DIGIT_LOOKALIKES = str.maketrans("olizsb", "011258")
_LOOKALIKE_NUMBER = re.compile(r"(?<![a-z0-9])[0-9olizsb](?:-?[0-9olizsb]){4,}(?![a-z0-9])")
_MIN_REAL_DIGITS = 3
# Numbers written in Chinese digits, the everyday (〇一二…) or the financial (零壹贰…) ones:
# "一三八〇〇一三八〇〇〇". A run of at least _MIN_CHINESE_DIGIT_RUN of them is a phone number, a QQ
# id or a code, and is read as those digits; shorter runs are ordinary Chinese ("三天", "二〇二六年"),
# a counting unit (十, 百, 千, 万, 两) ends a run, and so does an ASCII digit: "买一送一6787777",
# "1999一年" and "17一19日" (一 as a dash) are not one number.
_CHINESE_DIGITS = "〇一二三四五六七八九", "零壹贰叁肆伍陆柒捌玖"
_AS_DIGITS = str.maketrans({char: str(value) for digits in _CHINESE_DIGITS for value, char in enumerate(digits)})
_MIN_CHINESE_DIGIT_RUN = 5
_CHINESE_DIGIT_RUN = re.compile(f"[{''.join(_CHINESE_DIGITS)}]{{{_MIN_CHINESE_DIGIT_RUN},}}")
# The off-channel contact's shorthand is read as the app it names: "加V：dz8826x" and "+V xx520mm" are
# WeChat, "加Q：2637481905", "扣扣" and "企鹅号" are QQ, so the contact lexicon, the script cues and
# the contact extraction see one spelling (docs/benchmarks.md "Candidate N23"). A lone v or q counts
# only right after 加 or +: "v1.2", "q3季度" and "vip" are left alone.
_WECHAT_VARIANTS = re.compile(r"(?:v信|薇信|徽信|威信|维信|微星|(?<![a-z])(?:vx|wx|weixin|wechat)(?![a-z])|(?<=[加+])\s?v(?![a-z]))")
_QQ_VARIANTS = re.compile(r"扣扣|企鹅号|(?<=[加+])\s?q(?![a-z])")
# A bare domain counts as a link on the TLDs SMS landing pages use, the cheap ones scam campaigns
# register in bulk (.top, .xyz, .icu, .shop, .site …) beside the common ones.
_URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s\u3000-\u303f\uff00-\uffef" + _CJK + r"]+"
    r"|(?<![a-z0-9@])[a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*\.(?:cn|com|net|cc|top|vip|xyz|me|co|io|org|info|ly|gl|im|la|icu|shop|club|site|online|cyou|buzz|wang|biz|live|link)"
    r"(?:/[^\s" + _CJK + r"]*)?(?![a-z])"
)
_IDNO_RE = re.compile(r"(?<!\d)\d{17}[\dx](?![\dx])")
_CARD_RE = re.compile(r"(?<!\d)(?:62|4\d|5[1-5])\d{14,17}(?!\d)")
_PHONE_RE = re.compile(
    r"(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)"  # mobile
    r"|(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)"  # landline with area code
    r"|(?<!\d)[48]00-?\d{3}-?\d{4}(?!\d)"  # 400/800 service lines
)
_MONEY_RE = re.compile(
    r"(?:[¥￥$]\s*\d[\d,]*(?:\.\d+)?)|(?:\d[\d,]*(?:\.\d+)?\s*(?:万元|万|元|块|rmb|yuan|美元|w(?![a-z])))"
)
# Public: contact-point extraction (features.sms.contacts) finds the very links and numbers masked here.
URL_PATTERN, PHONE_PATTERN = _URL_RE, _PHONE_RE
_LONG_NUMBER_RE = re.compile(r"(?<![a-z\d])\d{5,}(?![a-z\d])")
# Every number mask below needs a digit (``\d``, as the masks read it): a text without one skips them.
_DIGIT = re.compile(r"\d")
_SPACES = re.compile(r"\s+")
_PLACEHOLDER_WORD = re.compile(r"(?<!\S)(?:" + "|".join(PLACEHOLDERS) + r")(?!\S)")


def _casefold_except_placeholders(text: str) -> str:
    pieces, start = [], 0
    for match in _PLACEHOLDER_WORD.finditer(text):
        pieces += [text[start : match.start()].casefold(), match.group()]
        start = match.end()
    return "".join(pieces) + text[start:].casefold()


def _as_number(run: re.Match[str]) -> str:
    """The digits a run of digits and look-alike letters imitates, when it is mostly digits."""
    text = run.group()
    digits = sum(ch in "0123456789" for ch in text)
    letters = sum(ch.isalpha() for ch in text)
    if digits < _MIN_REAL_DIGITS or letters > digits + 1 or (letters == 1 and text.endswith("s")):  # "1990s"
        return text
    return text.translate(_DIGIT_LOOKALIKES)


def _chinese_digits_as_number(run: re.Match[str]) -> str:
    return run.group().translate(_AS_DIGITS)


def clean_text(text: str) -> str:
    """Undo obfuscation without masking: NFKC, letters of other scripts read as the Latin letters or
    Chinese characters they imitate, drop invisible/control chars, case-fold, digits spelt with
    look-alike letters or Chinese digits, join."""
    text = fold_lookalikes(unicodedata.normalize("NFKC", text))
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    text = _casefold_except_placeholders(text)
    if _DIGIT.search(text):
        text = _LOOKALIKE_NUMBER.sub(_as_number, text)
    if _CHINESE_DIGIT_RUN.search(text):  # a search finds none three times faster than sub does
        text = _CHINESE_DIGIT_RUN.sub(_chinese_digits_as_number, text)
    text = _SEPARATOR_INSIDE_CJK.sub("", text)
    text, replaced = _WECHAT_VARIANTS.subn("微信", text)
    if replaced:
        # "vx abc" became "微信 abc": the CJK it brings makes more separators removable. Without a
        # replacement a second pass finds nothing: a separator run is removed whole or not at all,
        # by its two neighbours, and removing other runs never changes those.
        text = _SEPARATOR_INSIDE_CJK.sub("", text)
    text = _QQ_VARIANTS.sub("qq", text)
    return _SPACES.sub(" ", text).strip()


def mask_entities(text: str) -> str:
    """Replace links, ID/card/phone numbers, amounts and long numbers by typed placeholders."""
    text = _URL_RE.sub(f" {URL} ", text)
    if _DIGIT.search(text):  # five scans of the text saved where no mask could match
        text = _IDNO_RE.sub(f" {IDNO} ", text)
        text = _CARD_RE.sub(f" {CARD} ", text)
        text = _PHONE_RE.sub(f" {PHONE} ", text)
        text = _MONEY_RE.sub(f" {MONEY} ", text)
        text = _LONG_NUMBER_RE.sub(f" {NUMBER} ", text)
    return _SPACES.sub(" ", text).strip()


def normalise_text(text: str) -> str:
    """The canonical form every feature (and deduplication) is computed from."""
    return mask_entities(clean_text(text))
