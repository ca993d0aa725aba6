"""training/obfuscate.py: scammers' respelling, seeded, only where the measurement wants it."""

from __future__ import annotations

import math
import unicodedata

import pandas as pd
import pytest

from configs.obfuscation import EVASIONS, load_obfuscation_config
from training.obfuscate import Obfuscator, unwanted_obfuscated

CFG = load_obfuscation_config()
POLICE = "【公安局】您涉嫌洗钱案件，账户将被冻结，请立即将资金转入安全账户配合调查，联系王警官13812345678"
TASK = "招聘兼职刷单，日结佣金300元，一单一结，加微信abc12345了解详情"
ENGLISH = "FREE entry in 2 a wkly comp to win FA Cup final tkts 21st May 2005. Text FA to 87121 to receive entry"


def test_the_same_seed_respells_the_same_way_another_seed_otherwise() -> None:
    other = CFG.model_copy(update={"seed": CFG.seed + 1})
    for text in (POLICE, TASK, ENGLISH):
        assert Obfuscator(CFG)(text) == Obfuscator(CFG)(text) != text
        assert Obfuscator(other)(text) != Obfuscator(CFG)(text)


@pytest.mark.parametrize("evasion", EVASIONS)
def test_each_evasion_alone_changes_a_message_it_has_spots_in(evasion: str) -> None:
    assert Obfuscator(CFG.only(evasion))(TASK) != TASK


def test_a_message_with_no_spot_for_an_evasion_is_left_as_it_is() -> None:
    assert Obfuscator(CFG.only("numerals"))(ENGLISH) == ENGLISH, "Chinese digits only in Chinese messages"
    assert Obfuscator(CFG.only("pinyin_initials"))("明天见") == "明天见"


def test_strength_is_the_share_of_spots_rewritten_rounded_up() -> None:
    for strength, inserted in ((0.01, 1), (0.5, 2), (1.0, 3)):
        respelt = Obfuscator(CFG.only("separators").model_copy(update={"strength": strength}))("安全账户")
        assert len(respelt) - len("安全账户") == inserted == math.ceil(strength * 3)
        assert "".join(ch for ch in respelt if ch not in CFG.separators) == "安全账户"


def test_insertions_and_full_width_keep_the_letters() -> None:
    whole = {"strength": 1.0}
    invisible = Obfuscator(CFG.only("zero_width").model_copy(update=whole))(POLICE)
    assert len(invisible) > len(POLICE) and "".join(ch for ch in invisible if unicodedata.category(ch) != "Cf") == POLICE
    wide = Obfuscator(CFG.only("full_width").model_copy(update=whole))(TASK)
    assert not any(ch.isascii() and ch.isalnum() for ch in wide) and unicodedata.normalize("NFKC", wide) == unicodedata.normalize("NFKC", TASK)


def test_word_tables_respell_whole_key_words() -> None:
    whole = {"strength": 1.0}
    initials = Obfuscator(CFG.only("pinyin_initials").model_copy(update=whole))(TASK)
    assert "wx" in initials and "jz" in initials and "微信" not in initials
    variants = Obfuscator(CFG.only("variants").model_copy(update=whole))
    english = variants("CALL now to claim, recall: Free")
    assert "CALL" not in english and "claim" not in english and "Free" not in english and "recall" in english
    assert not any(word in variants(TASK) for word in ("微信", "兼职", "刷单", "佣金"))


def test_numerals_and_lookalikes_leave_no_plain_digit_or_letter_they_know() -> None:
    whole = {"strength": 1.0}
    numerals = Obfuscator(CFG.only("numerals").model_copy(update=whole))(POLICE)
    assert not any("0" <= ch <= "9" for ch in numerals)
    lookalikes = Obfuscator(CFG.only("lookalikes").model_copy(update=whole))(ENGLISH)
    assert not set(lookalikes) & (set(CFG.lookalikes) - {alt for alts in CFG.lookalikes.values() for alt in alts})


def test_the_measurement_respells_unwanted_rows_only() -> None:
    rows = pd.DataFrame({"text": [POLICE, TASK, "明天下午三点开会，带上报告。", ENGLISH, "Ok lar... Joking wif u oni"],
                         "label": [1, 1, 0, 1, 0], "sender": ["a", "b", "c", "d", "e"]})
    respelt = unwanted_obfuscated(CFG)(rows)
    ham, unwanted = rows["label"] == 0, rows["label"] == 1
    assert respelt.loc[ham].equals(rows.loc[ham]) and respelt[["label", "sender"]].equals(rows[["label", "sender"]])
    assert (respelt.loc[unwanted, "text"] != rows.loc[unwanted, "text"]).all()
    assert rows["text"].iloc[0] == POLICE, "the caller's rows are not changed"
    assert unwanted_obfuscated(CFG)(rows.iloc[::-1])["text"].iloc[::-1].tolist() == respelt["text"].tolist(), \
        "a message is respelt the same way whatever rows come with it"
