"""features/tokenise.py: the fraud user dictionary keeps domain words whole; jieba loads once."""

from __future__ import annotations

import sys

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


@pytest.fixture(scope="module")
def plain_jieba() -> jieba.Tokenizer:
    """jieba 0.42.1 as it is, with the same user dictionary: what the routed tokenizer must equal."""
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    tokenizer.load_userdict(str(USER_DICT))
    return tokenizer


TRICKY = [
    "",
    "   ",
    "【工商银行】您尾号8888的卡于11月30日转入安全账户RMB50,000.00元，详询 URL 或 PHONE",
    "点击 http://t.cn/abc?x=1&y=2 领取100%返现, 7.5gb流量, 日收益27%",
    '代开髪票 --胡东升"  警察蜀黍吵起來了 地螪街 利蒠低',  # rare and traditional characters (the HMM's unknown words)
    "Hi! Call 09061701461 now to claim £1.50 prize -. out--have a nice day :-)",
    "中华人民共和国中央人民政府一万二千五百余吨南京市长江大桥",  # long chains of dictionary words
    "刷单返利做任务点赞兼职日结佣金征信中心解冻保证金涉嫌洗钱通缉令",  # user-dictionary words back to back
    "🎁恭喜您获得iPhone15 Pro Max一台！！！ＵＲＬ全角ＡＢＣ１２３",
    "x" * 300 + "安全账户" * 50,
    "\r\n换行\t制表\u3000全角空格 ҐЁЖ é ㄅㄆ ｱｲ 㐀㐁 鿰",  # skipped whitespace kept whole, other scripts char by char
    "安",  # one character, one block
]


@pytest.mark.parametrize("text", TRICKY)
def test_routed_tokens_equal_plain_jiebas_on_tricky_texts(plain_jieba: jieba.Tokenizer, text: str) -> None:
    expected = plain_jieba.lcut(text, HMM=True)
    assert get_tokenizer().lcut(text, HMM=True) == expected
    assert get_tokenizer().words(text) == expected


@pytest.mark.parametrize(
    "parts",
    [("mudou_spam", "mudou_spam.train"), ("fbs_sms", "fbs_sms.train.tsv"), ("telecom_fraud_texts_5", "label00-last.csv")],
)
def test_routed_tokens_equal_plain_jiebas_on_real_messages(plain_jieba: jieba.Tokenizer, parts: tuple[str, str]) -> None:
    from features.sms.normalise import normalise_text
    from tests.conftest import shared_data
    from training.data.sms import load_unlabelled

    texts = load_unlabelled([shared_data(*parts)], "auto").frame["text"].sample(400, random_state=12)
    routed = get_tokenizer()
    differing = [t for t in map(normalise_text, texts)
                 if not routed.lcut(t, HMM=True) == routed.words(t) == plain_jieba.lcut(t, HMM=True)]
    assert differing == []


def test_no_dictionary_word_has_more_word_prefixes_than_the_rust_trie_keeps() -> None:
    """The Rust route keeps RUST_MAX_ENDS word ends per position; past that it would part from jieba's."""
    freq = get_tokenizer().FREQ
    most = max(sum(1 for end in range(1, len(word) + 1) if freq.get(word[:end])) for word, count in freq.items() if count)
    assert most <= tokenise_module.RUST_MAX_ENDS


def test_full_mode_is_refused_rather_than_cut_without_a_dag() -> None:
    with pytest.raises(ValueError, match="cut_all"):
        get_tokenizer().lcut("安全账户", cut_all=True)


def test_a_token_is_kept_exactly_when_one_of_its_characters_is_alphanumeric() -> None:
    """One regex search per token replaced a generator of ``str.isalnum`` over its characters:
    the same verdict on every Unicode code point (and so on every token made of them)."""
    differing = [ch for ch in map(chr, range(sys.maxunicode + 1)) if bool(tokenise_module._ALPHANUMERIC.search(ch)) != ch.isalnum()]
    assert differing == []
    assert tokenise("您好， 请 拨打 PHONE ！！ ___ ~") == [t for t in get_tokenizer().lcut("您好， 请 拨打 PHONE ！！ ___ ~", HMM=True)
                                                      if t.strip() and any(ch.isalnum() for ch in t)]
