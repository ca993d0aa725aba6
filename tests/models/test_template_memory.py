"""models/template_memory.py: the counts per template and the Beta-Binomial update of a score."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from features.sms.normalise import normalise_text
from features.sms.templates import normalised_template
from models.template_memory import TemplateMemory

HAM = "妈妈，我今晚到家，记得给我留饭"
SPAM = "【积分商城】尊敬的王建国：您的积分12800即将清零，速登录兑换好礼"
SPAM_VARIANT = "【积分商城】尊敬的李娜：您的积分25600即将清零，速登录兑换好礼"  # another addressee and amount
UNSEEN = "明天下午三点开会，请带上电脑"


def _norms(*texts: str) -> list[str]:
    return [normalise_text(text) for text in texts]


@pytest.fixture(scope="module")
def memory() -> TemplateMemory:
    """HAM three times (all ham), SPAM five times (four labelled unwanted, one ham)."""
    texts = [HAM] * 3 + [SPAM] * 5
    return TemplateMemory.fit(_norms(*texts), np.array([0, 0, 0, 1, 1, 1, 1, 0]), prior_weight=2.0, reason="{value}")


def test_a_known_template_gets_the_posterior_mean_of_its_labels_and_the_score(memory: TemplateMemory) -> None:
    counts = memory.lookup(_norms(HAM, SPAM, SPAM_VARIANT))
    assert counts.messages.tolist() == [3, 5, 5] and counts.unwanted.tolist() == [0, 4, 4]
    updated = memory.update(np.array([0.5, 0.5, 0.1]), counts)
    # (u + s·p) / (n + s), s = 2
    np.testing.assert_allclose(updated, [(0 + 2 * 0.5) / 5, (4 + 2 * 0.5) / 7, (4 + 2 * 0.1) / 7])


def test_an_unknown_template_keeps_the_score_bit_for_bit(memory: TemplateMemory) -> None:
    scores = np.array([0.123456789, 0.987654321])
    counts = memory.lookup(_norms(UNSEEN, "完全不同的一条消息"))
    assert not counts.known.any()
    updated = memory.update(scores, counts)
    assert updated.dtype == scores.dtype and updated.tobytes() == scores.tobytes()


def test_more_labelled_copies_move_a_score_further() -> None:
    def updated(copies: int) -> float:
        fitted = TemplateMemory.fit(_norms(*[SPAM] * copies), np.ones(copies), prior_weight=2.0, reason="{value}")
        return float(fitted.update(np.array([0.2]), fitted.lookup(_norms(SPAM)))[0])

    assert 0.2 < updated(1) < updated(5) < updated(40) < 1.0


def test_an_empty_memory_knows_nothing() -> None:
    empty = TemplateMemory.fit([], np.array([]), prior_weight=2.0, reason="{value}")
    assert len(empty) == 0 and not empty.lookup(_norms(HAM)).known.any()


def test_the_memory_holds_no_text(memory: TemplateMemory) -> None:
    pickled = pickle.dumps(memory)
    for text in (HAM, SPAM):
        for form in (text, normalise_text(text), normalised_template(normalise_text(text)), "积分"):
            assert form.encode("utf-8") not in pickled
    assert len(memory) == 2
