"""Letters of another script that imitate Latin letters or Chinese characters are read as what they imitate."""

from __future__ import annotations

import string
from collections import defaultdict

import pytest
from confusable_homoglyphs import confusables

from features.sms.lookalikes import TO_HAN, TO_LATIN, fold_lookalikes
from features.sms.normalise import normalise_text


def _is_chinese(char: str) -> bool:
    return "\u3400" <= char <= "\u4dbf" or "\u4e00" <= char <= "\u9fff"


@pytest.mark.parametrize(("respelt", "meant"), [
    ("加vх领取", "加vx领取"),  # Cyrillic х
    ("下载аpp注册", "下载app注册"),  # Cyrillic а
    ("登录 ΒΙΤ.ly/3xY", "登录 BIT.ly/3xY"),  # Greek capitals, a capital iota too
    ("ロ令是8899", "口令是8899"),  # katakana ro
    ("エ资日结，ー天300", "工资日结，一天300"),  # katakana e, the long-vowel mark
    ("刷单佣金ハ百", "刷单佣金八百"),
    ("⻢上联系⻋主", "马上联系车主"),  # CJK radical forms, which NFKC leaves alone
])
def test_a_respelt_keyword_reads_as_the_word_it_imitates(respelt: str, meant: str) -> None:
    assert fold_lookalikes(respelt) == meant
    assert normalise_text(respelt) == normalise_text(meant)


@pytest.mark.parametrize("text", [
    "Привет, как дела? Позвони мне вечером",  # written in Cyrillic: its а, е, о stay Cyrillic
    "Το πακέτο σας έφτασε",  # Greek
    "これはロボットのテストです",  # Japanese: hiragana beside the katakana
    "3×4=12，〇一二三",  # a multiplication sign and a Chinese zero are not letters
    "妈，我今晚加班，晚饭不用等我了",
    "Your parcel is on its way",
])
def test_text_written_in_its_own_script_is_left_alone(text: str) -> None:
    assert fold_lookalikes(text) == text


def test_a_cyrillic_message_with_a_latin_word_keeps_its_cyrillic() -> None:
    assert fold_lookalikes("Напиши мне в wechat сегодня") == "Напиши мне в wechat сегодня"


def test_every_look_alike_imitates_one_character_only() -> None:
    """The tables are built in the confusables data's order; that order cannot matter if no source
    character imitates two different letters or characters (a newer data release could add one)."""
    imitated: dict[str, set[str]] = defaultdict(set)
    for target, homoglyphs in confusables.confusables_data.items():
        if target in string.ascii_letters or (len(target) == 1 and _is_chinese(target)):
            for homoglyph in homoglyphs:
                imitated[homoglyph["c"]].add(target)
    for code in (*TO_LATIN, *TO_HAN):
        assert len({target.casefold() for target in imitated[chr(code)]}) == 1, chr(code)


def test_no_ascii_or_chinese_character_is_ever_rewritten() -> None:
    sources = [chr(code) for code in (*TO_LATIN, *TO_HAN)]
    assert not [char for char in sources if char.isascii() or _is_chinese(char)]
    assert {"х", "а", "ロ", "エ", "ー", "⻢"} <= set(sources)  # the tables are not empty by accident


def test_normalising_folded_text_changes_nothing() -> None:
    once = normalise_text("ロ令：扫码下载аpp，⻢上领取，加vх")
    assert normalise_text(once) == once
