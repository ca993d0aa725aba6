"""Scams that borrow a reminder's words, and official reminders that quote scripts (issue #10, sessions 18 and 19).

Real scams borrow warning language to look official ("本平台正规合法，请勿轻信他人"). Until session
19 the linear text model read every script cue as 0 wherever the reminder cue fired (``cue_matrix``)
and the demo data held no scam with a reminder's words, so one such phrase erased a scam's script
evidence: main's quickstart models of seeds 7–9 flagged 195 of 2,352 check/dev/family scams with a
borrowed warning inserted mid-text (``benchmarks/borrowed_warning.py``). Now the quoted scripts
have columns of their own, whose weight is learnt from demo scams that borrow warning words and
from official reminders (docs/benchmarks.md "session 18" and "session 19"). The slow tests ask
the model ``make run`` ships: check scams with a borrowed warning stay flagged and name their
script, never the reminder; official reminders closing with a sign-off or quoting scripts are
allowed. A refund notice's words are borrowed too: a script's promise that the moved money comes
back "原路退回" must not launder it (session 39, candidate N12).
"""

from __future__ import annotations

import pandas as pd
import pytest

from features.sms.reasons import cue_label
from models.scam_model import ALLOW, Decision, ScamModel
from tests.hand_written_sms import (
    BORROWED_WARNINGS,
    CHECK,
    MOBILE,
    NEAR_DUPLICATE_JACCARD,
    QUOTING_REMINDERS,
    SERVICE,
    SIGN_OFF_REMINDERS,
    jaccard,
    trigrams,
)
from tests.models.test_fraud_scripts import generated_trigrams  # noqa: F401  (the fixture)
from training.data.demo_sms import insert_mid_text

# Of the check scams the shipped model flags as written, the share that should stay flagged with a
# borrowed warning inserted: over all warnings, and with each one. Main before the fix (quickstart
# seed 7): 36 of 344 (43 scams × 8 warnings); with it (session 19, branch guard3): 270 of 344, the
# weakest warning "国家反诈中心提醒您谨防诈骗，" 26 of 43.
MIN_STILL_FLAGGED = 0.7
MIN_STILL_FLAGGED_PER_WARNING = 0.5
# Sign-off-only reminders the shipped model acts on: "…高收益荐股群请勿加入，谨防受骗。" fires no
# reminder word but its sign-off (read past) and names two investment scripts (7 of 8 allowed).
MAX_SIGN_OFF_REMINDERS_TOUCHED = 1
# A script's promise that the money the victim moves comes back "原路" borrows a refund notice's
# words. Of the 43 check scams the shipped model flags, main before candidate N12 let 2 and 4 through
# with the first two promises inserted; with N12 none (docs/benchmarks.md "Candidate N12").
RETURN_PROMISES = ("核查无误后资金会原路退回，", "验证完成后原路退回，", "流水核验后款项原路返回，")
MAX_LOST_TO_A_RETURN_PROMISE = 1
POLICE_SCAM = next(text for _, script, text in CHECK.scams if script == "police")
POLICE_REASON = "冒充公检法称涉案"
REMINDER_REASON = "官方反诈提醒用语"


def _decide(model: ScamModel, texts: list[str], sender: str) -> list[Decision]:
    records = pd.DataFrame({"text": texts, "sender": [sender] * len(texts), "sent_at": [None] * len(texts)})
    return model.decide(records)


def _flagged_check_scams(model: ScamModel) -> list[str]:
    """The check scams ``model`` flags as written: those a borrowed phrase could launder."""
    scams = [text for *_, text in CHECK.scams]
    return [text for text, decision in zip(scams, _decide(model, scams, MOBILE), strict=True) if decision.action != ALLOW]


def _touched(model: ScamModel, texts: tuple[str, ...]) -> list[tuple[str, str, list[str]]]:
    decisions = _decide(model, list(texts), SERVICE)
    return [(text, decision.action, decision.reasons) for text, decision in zip(texts, decisions, strict=True)
            if decision.action != ALLOW]


@pytest.mark.parametrize("text", SIGN_OFF_REMINDERS + QUOTING_REMINDERS)
def test_reminders_are_not_near_duplicates_of_the_generator(text: str, generated_trigrams: list[set[str]]) -> None:  # noqa: F811
    assert max(jaccard(trigrams(text), other) for other in generated_trigrams) < NEAR_DUPLICATE_JACCARD


@pytest.mark.slow
def test_the_shipped_model_flags_scams_that_borrow_a_warning(demo_trained_model: ScamModel) -> None:
    flagged = _flagged_check_scams(demo_trained_model)
    still = {}
    for warning in BORROWED_WARNINGS:
        decisions = _decide(demo_trained_model, [insert_mid_text(text, warning) for text in flagged], MOBILE)
        still[warning] = sum(decision.action != ALLOW for decision in decisions)
    assert sum(still.values()) >= MIN_STILL_FLAGGED * len(flagged) * len(BORROWED_WARNINGS), still
    assert min(still.values()) >= MIN_STILL_FLAGGED_PER_WARNING * len(flagged), still


@pytest.mark.slow
@pytest.mark.parametrize("promise", RETURN_PROMISES)
def test_a_promise_of_the_money_back_does_not_launder_a_scam(demo_trained_model: ScamModel, promise: str) -> None:
    flagged = _flagged_check_scams(demo_trained_model)
    decisions = _decide(demo_trained_model, [insert_mid_text(text, promise) for text in flagged], MOBILE)
    let_through = [text for text, decision in zip(flagged, decisions, strict=True) if decision.action == ALLOW]
    assert len(let_through) <= MAX_LOST_TO_A_RETURN_PROMISE, let_through


@pytest.mark.slow
@pytest.mark.parametrize("warning", BORROWED_WARNINGS)
def test_a_scam_that_borrows_a_warning_still_names_its_script(demo_trained_model: ScamModel, warning: str) -> None:
    (decision,) = _decide(demo_trained_model, [insert_mid_text(POLICE_SCAM, warning)], MOBILE)
    assert decision.action != ALLOW and POLICE_REASON in map(cue_label, decision.reasons), (decision.action, decision.reasons)


@pytest.mark.slow
def test_a_reminder_word_is_never_a_reason_for_a_flag(demo_trained_model: ScamModel) -> None:
    """A scam that borrows a reminder's words is explained by its script, never by "官方反诈提醒用语"."""
    borrowed = [insert_mid_text(POLICE_SCAM, warning) for warning in BORROWED_WARNINGS]
    assert not [decision.reasons for decision in _decide(demo_trained_model, borrowed, MOBILE) if REMINDER_REASON in map(cue_label, decision.reasons)]


@pytest.mark.slow
def test_the_shipped_model_allows_reminders_quoting_scripts(demo_trained_model: ScamModel) -> None:
    assert not _touched(demo_trained_model, QUOTING_REMINDERS)


@pytest.mark.slow
def test_the_shipped_model_allows_reminders_closing_with_a_sign_off(demo_trained_model: ScamModel) -> None:
    touched = _touched(demo_trained_model, SIGN_OFF_REMINDERS)
    assert len(touched) <= MAX_SIGN_OFF_REMINDERS_TOUCHED, touched
