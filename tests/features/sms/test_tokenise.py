"""features/tokenise.py: the fraud user dictionary keeps domain words whole; jieba loads once."""

from __future__ import annotations

import jieba
import pytest

from features.sms import tokenise as tokenise_module
from features.sms.tokenise import USER_DICT, get_tokenizer, tokenise


@pytest.mark.parametrize(
    "text, word",
    [
        ("请将资金转入安全账户配合调查", "安全账户"),
        ("招聘兼职刷单日结佣金", "刷单"),
        ("您的征信有问题需要修复", "征信"),
        ("先交保证金才能解冻", "保证金"),
        ("先交保证金才能解冻", "解冻"),
    ],
)
def test_user_dictionary_words_come_out_whole(text: str, word: str) -> None:
    assert word in tokenise(text)


def test_user_dictionary_ships_the_fraud_vocabulary() -> None:
    words = {line.split()[0] for line in USER_DICT.read_text(encoding="utf-8").splitlines() if line.strip()}
    assert {"安全账户", "刷单", "征信", "保证金", "解冻"} <= words


def test_placeholders_stay_single_tokens_and_punctuation_is_dropped() -> None:
    assert tokenise("点击 URL 领取，联系 PHONE！") == ["点击", "URL", "领取", "联系", "PHONE"]


def test_tokenizer_is_built_once_per_process() -> None:
    assert get_tokenizer() is get_tokenizer()


def test_tokenising_never_reinitialises_jieba(monkeypatch: pytest.MonkeyPatch) -> None:
    get_tokenizer()

    def fail(*args, **kwargs):
        raise AssertionError("jieba re-initialised during tokenise()")

    monkeypatch.setattr(jieba.Tokenizer, "initialize", fail)
    monkeypatch.setattr(jieba.Tokenizer, "load_userdict", fail)
    monkeypatch.setattr(tokenise_module.jieba, "Tokenizer", fail)
    for _ in range(3):
        assert "安全账户" in tokenise("转入安全账户")
