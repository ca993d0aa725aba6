"""A flagged SMS's script cues quote the words of that message that fired them (issue #10: "reasons
a person can act on"), the same way in decisions and in the report; nothing else changes."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from features.sms import preprocess
from features.sms.normalise import normalise_text
from features.sms.reasons import cue_label
from models.scam_model import ALLOW, ScamModel
from tests.models.conftest import sms
from training.report.model import model_run, with_reasons

MOBILE = "13812345678"
# Two police scripts in different words: each reason quotes its own message.
POLICE_BY_THE_BUREAU = "【公安局】您涉嫌洗钱案件，账户将被冻结，请立即将资金转入安全账户配合调查，联系王警官13812345678"
POLICE_BY_THE_PROCURATORATE = "【市检察院】您的身份信息涉嫌一起洗钱案，请于今日内将名下资金转入安全账户接受资金清查，否则将冻结您的账户。"
ORDINARY = ["你好，明天有空吗？", "到家了，今天的会开得怎么样？"]
POLICE = "冒充公检法称涉案"


def _police_reason(reasons: list[str]) -> str:
    return next(reason for reason in reasons if cue_label(reason) == POLICE)


def test_two_police_scams_each_quote_their_own_words(demo_model: ScamModel) -> None:
    bureau, procuratorate = demo_model.decide(sms(POLICE_BY_THE_BUREAU, POLICE_BY_THE_PROCURATORATE, sender=MOBILE))
    assert bureau.action != ALLOW and procuratorate.action != ALLOW
    assert _police_reason(bureau.reasons) == "冒充公检法称涉案：“公安”“涉嫌”"
    assert _police_reason(procuratorate.reasons) == "冒充公检法称涉案：“检察院”“涉嫌”"


def test_the_quote_limit_is_the_models(demo_model: ScamModel) -> None:
    records = sms(POLICE_BY_THE_BUREAU, sender=MOBILE)
    one = dataclasses.replace(demo_model, max_reason_quotes=1).decide(records)[0]
    none = dataclasses.replace(demo_model, max_reason_quotes=0).decide(records)[0]
    assert _police_reason(one.reasons) == "冒充公检法称涉案：“公安”"
    assert POLICE in none.reasons


def test_quoting_changes_only_cue_reasons_and_the_text_is_normalised_once(
    demo_model: ScamModel, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Allowed messages get no reasons as before; a flagged one gets, label for label, the reasons it
    had without its text; scoring normalises each message once and keeps that text for the quotes."""
    texts = [*ORDINARY, POLICE_BY_THE_BUREAU, POLICE_BY_THE_PROCURATORATE]
    records = sms(*texts, sender=MOBILE)
    calls = []
    monkeypatch.setattr(preprocess, "normalise_text", lambda text: calls.append(text) or normalise_text(text))
    scored = demo_model.scored(records)
    assert calls == texts and scored.texts == [normalise_text(text) for text in texts]
    decisions = demo_model.decide(records)
    assert [d.reasons for d in decisions[: len(ORDINARY)]] == [[]] * len(ORDINARY)
    flagged = np.array([i for i, d in enumerate(decisions) if d.action != ALLOW])
    assert flagged.tolist() == [2, 3]
    unquoted = demo_model.explain_features(scored.features[flagged], records.iloc[flagged])
    assert [[cue_label(r) for r in decisions[i].reasons] for i in flagged] == unquoted
    assert all(any(r != cue_label(r) for r in decisions[i].reasons) for i in flagged)


def test_the_report_explains_a_row_as_the_decision_does(demo_model: ScamModel) -> None:
    texts = [ORDINARY[0], POLICE_BY_THE_BUREAU, POLICE_BY_THE_PROCURATORATE]
    records = sms(*texts, sender=MOBILE)
    run, scored = model_run(demo_model, "demo", records)
    reported = with_reasons(run, demo_model, scored, [1, 2], records).reasons
    assert reported[0] == []
    assert reported[1:] == [d.reasons for d in demo_model.decide(records)[1:]]
    assert _police_reason(reported[1]) == "冒充公检法称涉案：“公安”“涉嫌”"
