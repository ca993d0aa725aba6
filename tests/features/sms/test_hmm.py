"""features/sms/hmm.py: jieba's HMM for unknown words, with back-pointers, cuts exactly as ``finalseg.cut``."""

from __future__ import annotations

import re

import pytest
from jieba import finalseg

from features.sms.hmm import hmm_cut, hmm_words
from features.sms.normalise import normalise_text
from features.sms.tokenise import RoutedTokenizer, get_tokenizer
from tests.conftest import shared_data
from training.data.demo_sms import generate_demo_sms
from training.data.sms import load_unlabelled

_CHINESE_RUN = re.compile("[\u4e00-\u9fd5]+")


TRICKY_RUNS = ["", "髪", "胡东升", "警察蜀黍吵起來了", "地螪街利蒠低", "ab12 3.5%x", "代开髪票 --胡东升\"  警察", "的的的的的的的的"]


@pytest.mark.parametrize("text", TRICKY_RUNS)
def test_hmm_cut_equals_finalseg_on_tricky_runs(text: str) -> None:
    assert list(hmm_cut(text)) == list(finalseg.cut(text))


@pytest.mark.parametrize("parts", [("mudou_spam", "mudou_spam.train"), ("fbs_sms", "fbs_sms.train.tsv")])
def test_hmm_cut_equals_finalseg_on_real_chinese_runs(parts: tuple[str, str]) -> None:
    """Every Chinese run of real messages (far longer than the runs jieba hands over) and demo SMS."""
    texts = [*load_unlabelled([shared_data(*parts)], "auto").frame["text"].astype(str).sample(800, random_state=2),
             *generate_demo_sms(n=200, seed=4)["text"]]
    runs = [run for text in texts for run in _CHINESE_RUN.findall(normalise_text(text))]
    assert len(runs) > 1000
    assert [run for run in runs if list(hmm_cut(run)) != list(finalseg.cut(run))] == []


def test_the_tokenizer_cuts_with_its_own_hmm_step() -> None:
    """The override is what jieba's ``cut`` calls (its private hook is name-mangled)."""
    assert get_tokenizer()._Tokenizer__cut_DAG.__func__ is RoutedTokenizer._Tokenizer__cut_DAG


def test_remembered_words_are_the_hmms_and_a_repeated_run_is_not_searched_again() -> None:
    hmm_words.cache_clear()
    for text in TRICKY_RUNS:
        assert list(hmm_words(text)) == list(hmm_cut(text))
    searched = hmm_words.cache_info().misses
    assert [list(hmm_words(text)) for text in TRICKY_RUNS] == [list(hmm_cut(text)) for text in TRICKY_RUNS]
    assert hmm_words.cache_info().misses == searched
