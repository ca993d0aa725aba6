"""Which SMS features may be shown to an analyst as a reason.

A reason must be something the message *has*: a present n-gram of at least two characters,
a pattern that fired, a sender kind. Single characters ("我"), fragments of placeholder
tokens ("RL" of URL) and absent features explain nothing to a person, so they are masked.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np

from features.reasons import GRAM_PREFIXES, gram_or_self
from features.resource_files import SMS_FUNCTION_WORDS_FILE, resource_path
from features.sms.metadata import HOUR_FEATURE
from features.sms.normalise import PLACEHOLDERS
from features.sms.patterns import COUNTER_CUES, SHAPE_FEATURES, cue_words, lexicon_reasons, lexicon_words, script_cues
from features.sms.text import CATEGORY_SCORE_NAME, FRAUD_SCORE_NAME, LINEAR_SCORE_NAME, TYPE_SCORE_NAME

MIN_GRAM_CHARS = 2

# Numeric features read as sentences with their value; every other SMS feature is a presence.
SMS_REASON_TEMPLATES = {
    HOUR_FEATURE: "发送时刻 {value:.0f} 点",
}
# Per-type text scores feed the fraud-type head; as reasons they would name other fraud types
# ("文本类似「贷款征信」类诈骗" on a police scam) and mislead.
_TYPE_SCORE_PREFIX = TYPE_SCORE_NAME.split("{", 1)[0]
# Per-category text scores feed the category head: "similar to illegal-service texts" names no
# thing in the message a person could check.
_CATEGORY_SCORE_PREFIX = CATEGORY_SCORE_NAME.split("{", 1)[0]
# Shape measures help the model but tell an analyst nothing about *why* ("数字占比 0%",
# "感叹号 0 个": an absence, or punctuation nobody can act on).
_NEVER_REASONS = frozenset(SHAPE_FEATURES[key] for key in ("length", "digit_share", "latin_share", "exclamations")) | {
    FRAUD_SCORE_NAME,  # feeds the category head; beside the linear score it would say the same generic thing twice
    # The counter-cues cannot be why a message is blocked: "the refund goes back the way you paid", and
    # a reminder's words, which a scam borrows to look official ("谨防假冒，认准官方客服"): the booster
    # may weigh them with its script, but the script is what a person can check.
    *COUNTER_CUES,
}
# Said only when nothing concrete explains a decision: "similar to scam texts" beside
# "冒充公检法称涉案" adds nothing and hides a reason the analyst could act on.
SMS_FALLBACK_REASONS = frozenset({LINEAR_SCORE_NAME})
# The fraud-script cues that fired lead a flagged message's reasons: each names what the
# sender wants done ("要求转入“安全账户”…"), which a person can verify. The counter-cues
# (an official reminder, a refund going back the way it was paid) are evidence *against* fraud,
# so they never lead.
SMS_LEAD_REASONS = frozenset(reason for reason in script_cues() if reason not in COUNTER_CUES)
# A script cue's reason quotes the words of the message that fired it, after its label:
# "冒充公检法称涉案：“公安”“涉嫌”" (:func:`quote_cue_reasons`); :func:`cue_label` reads the label back.
CUE_QUOTE_SEPARATOR = "："
# Said when the known-template memory (models/template_memory.py) raised a flagged message's score;
# ``{value}``: its template's training messages labelled unwanted (never said of none).
SMS_MEMORY_REASON = "与训练数据中 {value} 条已标注的垃圾/诈骗短信同一模板"


def sms_reason_mask(feature_names: Sequence[str]) -> np.ndarray:
    """Boolean mask over ``feature_names``: True where the feature can be a reason."""
    return np.array([_is_readable(name) for name in feature_names], dtype=bool)


def _is_readable(name: str) -> bool:
    if name in _NEVER_REASONS or name.startswith((_TYPE_SCORE_PREFIX, _CATEGORY_SCORE_PREFIX)):
        return False
    if not name.startswith(GRAM_PREFIXES):
        return True
    gram = gram_or_self(name)
    if sum(ch.isalnum() for ch in gram) < MIN_GRAM_CHARS:  # "我", " 我" and ",您" are all one character
        return False
    if _only_function_words(gram):
        return False
    return not any(ch.isupper() for ch in gram) or gram.strip() in PLACEHOLDERS


@cache
def _function_words() -> frozenset[str]:
    """``resources/function_words.txt``: pronouns, particles, greetings. Read when a model is
    trained: the model keeps the reason mask they shaped (``features.resource_files``)."""
    lines = resource_path(SMS_FUNCTION_WORDS_FILE).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _only_function_words(gram: str) -> bool:
    """True for "我 是" (word tokens), "我是" or "您好," (characters): grammar, not content; a gram
    with one content word or character ("我 是 警官", "好评") stays readable."""
    words = _function_words()
    tokens = "".join(ch if ch.isalnum() else " " for ch in gram).split()
    return all(token in words or all(ch in words for ch in token) for token in tokens)


def quote_cue_reasons(reasons: Sequence[str], text: str, max_quotes: int) -> list[str]:
    """``reasons`` with each script cue's or lexicon group's label followed by the words of ``text``
    (the message's normalised text, what the cue read) that fired it, at most ``max_quotes`` of
    them, each in “” in text order: "冒充公检法称涉案：“公安”“涉嫌”", "含紧迫催促用语：“立即”“逾期”".
    A cue's words are :func:`features.sms.patterns.cue_words`: those the cue counted, never one it
    read past or found negated; a lexicon group's, :func:`features.sms.patterns.lexicon_words`: the
    words its count counted (a group's label alone says what kind of word, not which: "引导添加微信/QQ
    私下联系" fires on "共享屏幕" too). Any other reason, one that finds no word (``max_quotes`` 0, or
    a model whose cue fired on words since edited) and a reason already quoted are kept as they are."""
    cues = script_cues()
    quoted = []
    for reason in reasons:
        cue = cues.get(reason)
        words = () if max_quotes <= 0 else cue_words(text, cue) if cue is not None else lexicon_words(text, reason)
        words = words[:max_quotes]
        quoted.append(reason + CUE_QUOTE_SEPARATOR + "".join(f"“{word}”" for word in words) if words else reason)
    return quoted


def cue_label(reason: str) -> str:
    """The script cue or lexicon group a reason names ("冒充公检法称涉案" of "冒充公检法称涉案：“公安”
    “涉嫌”", or of itself); any other reason as it is. Code that reads reasons as cue names reads
    them through this: ``cue_label(reason) in script_cues()``."""
    label, separator, _ = reason.partition(CUE_QUOTE_SEPARATOR)
    return label if separator and (label in script_cues() or label in lexicon_reasons()) else reason
