"""Letters from another script that pass for Latin letters or Chinese characters.

Scammers respell keywords with characters that look the same but are different code points:
Cyrillic or Greek letters inside Latin words (``vх`` with a Cyrillic х for ``vx``, ``аpp``),
katakana inside Chinese (``ロ令`` for ``口令``, ``エ资`` for ``工资``, ``ー`` for ``一``), CJK radical
forms (``⻢上`` for ``马上``). NFKC folds full-width and Kangxi-radical forms but none of these,
so a model sees a word it never trained on. Here each such character is read as the letter it
imitates, using Unicode's confusables table (UTS #39) as shipped by ``confusable_homoglyphs``
rather than a hand-made list.

Only where the imitation is the likely reading: a message *written* in Cyrillic, Greek or another
script keeps its letters (they are folded only when Latin letters and Chinese characters
outnumber them), and katakana is kept in any message with hiragana (Japanese).
"""

from __future__ import annotations

import re
import string
import unicodedata

from confusable_homoglyphs import confusables

from features.sms.scripts import CJK

_HIRAGANA = re.compile(r"[\u3041-\u309f]")
_KANA = re.compile(r"[\u3041-\u30ff]")
_LATIN = re.compile(r"[A-Za-z]")
_HAN = re.compile(f"[{CJK}]")
_KATAKANA_BLOCK = range(0x30A0, 0x3100)
_LAST_BMP = "\uffff"


def _is_han(char: str) -> bool:
    return bool(_HAN.fullmatch(char))


def _may_imitate(source: str) -> bool:
    """A letter, or a CJK radical/stroke form; not ASCII, not a Chinese character, not a digit or
    a symbol (``×`` stays a multiplication sign and ``〇`` a Chinese zero), and not a character NFKC
    rewrites (full-width, Kangxi radicals): folding runs on NFKC text, where those never occur."""
    if source.isascii() or _is_han(source) or unicodedata.normalize("NFKC", source) != source:
        return False
    return unicodedata.category(source).startswith("L") or unicodedata.name(source, "").startswith(
        ("CJK RADICAL", "CJK STROKE"))


def _imitations() -> tuple[dict[int, str], dict[int, str]]:
    """(to Latin letters, to Chinese characters): source code point → the character it imitates.

    Every source imitates exactly one Latin letter or Chinese character in the confusables table
    (checked by tests/features/sms/test_lookalikes.py), so the order of the table does not matter.
    Chinese characters are the unified ideographs and extension A, as elsewhere in the normaliser.
    """
    to_latin: dict[int, str] = {}
    to_han: dict[int, str] = {}
    for target, homoglyphs in confusables.confusables_data.items():
        if target in string.ascii_letters:
            table = to_latin
        elif len(target) == 1 and _is_han(target):
            table = to_han
        else:
            continue
        for homoglyph in homoglyphs:
            source = homoglyph["c"]
            if len(source) == 1 and _may_imitate(source):
                table[ord(source)] = _capital_i(source, target)
    return to_latin, to_han


def _capital_i(source: str, target: str) -> str:
    """UTS #39 gives capital I and small l one skeleton, ``l``; a capital look-alike (Greek Ι,
    Cyrillic І) is a capital I here, since case folding comes next and must make it ``i``."""
    return "I" if target == "l" and source.isupper() else target


TO_LATIN, TO_HAN = _imitations()
_KANA_TO_HAN = {code: target for code, target in TO_HAN.items() if code in _KATAKANA_BLOCK}
_FORMS_TO_HAN = {code: target for code, target in TO_HAN.items() if code not in _KATAKANA_BLOCK}
_SOURCES = sorted(map(chr, {*TO_LATIN, *TO_HAN}))
# Most messages hold no source: found in ~1 µs by a character class of the sources in the Basic
# Multilingual Plane (sre looks those up in a bitmap); one source beyond it (Lycian, Warang Citi…)
# makes sre scan the class item by item (~25 µs a message), so those go in a set, checked only
# when the text has a character past U+FFFF at all (one range: a bitmap-free check sre does fast).
_BMP_SOURCE = re.compile("[" + "".join(re.escape(char) for char in _SOURCES if char <= _LAST_BMP) + "]")
_ASTRAL_SOURCES = frozenset(char for char in _SOURCES if char > _LAST_BMP)
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _has_source(text: str) -> bool:
    return bool(_BMP_SOURCE.search(text)) or (bool(_ASTRAL.search(text)) and not _ASTRAL_SOURCES.isdisjoint(text))


def _written_in_foreign_letters(text: str) -> bool:
    """Whether letters of scripts other than Latin, Chinese and kana make up as much of the text as
    Latin letters and Chinese characters together: a Russian or Greek message, not a respelt one."""
    latin, han = len(_LATIN.findall(text)), len(_HAN.findall(text))
    foreign = sum(char.isalpha() for char in text) - latin - han - len(_KANA.findall(text))
    return foreign >= latin + han


def fold_lookalikes(text: str) -> str:
    """``text`` with look-alike letters from another script read as what they imitate."""
    if not _has_source(text):
        return text
    text = text.translate(_FORMS_TO_HAN)
    if not _HIRAGANA.search(text):
        text = text.translate(_KANA_TO_HAN)
    if not _written_in_foreign_letters(text):
        text = text.translate(TO_LATIN)
    return text
