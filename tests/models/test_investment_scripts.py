"""Investment scams, romance openers and the reminders that quote them (issue #10, session 16).

A blind set showed the quickstart model scoring half its 虚假投资理财 scams as ham, missing a
romance opener that hints at a platform, blocking a police reminder that quotes the 杀猪盘 script
and blocking a friend's cloud-drive share. ``INVESTMENT`` of ``tests/hand_written_sms.py`` holds
messages of those kinds in our own wording (checked not to be near-duplicates of the generator by
``test_fraud_scripts.py``). The cue tests say which script each sub-script names, on both sides:
a reminder quoting a script reads as a reminder, a scam using warning words ("请勿告诉家人") keeps
its script cue. The slow tests ask the model ``make run`` ships to act on them.
"""

from __future__ import annotations

import pytest

from features.sms.normalise import normalise_text
from features.sms.patterns import ANTI_FRAUD_REMINDER, cue_fires, cue_matrix, cue_row, script_cues
from models.scam_model import ALLOW, Decision, ScamModel
from tests.hand_written_sms import INVESTMENT

# Script of a scam in INVESTMENT → the cue that must name it.
SCRIPT_CUES = {
    "IPO boost call-back": "称有新股内部配售或可提高中签率",
    "teacher's next pick": "转述“老师”或群里荐股、催人备好资金",
    "pension dividend": "冒称国家扶持的养老或投资项目",
    "gold withdrawal fee": "要求先交手续费、保证金或税费",
    "mining machine": "虚拟币投资或搬砖",
    "insider forex": "投资“导师”或内幕消息带单",
    "course app": "拉人进投资炒股群",
    "beware of fakes": "许诺保本保息或固定高额分红",
    "fake anti-fraud police": "要求转入“安全账户”或配合资金清查",
    "good-morning hint": "网恋交友对象引导投资或充值",
    "dating-site opener": "婚恋交友网站认识的人谈投资理财",
}
# The scams with warning words in them ("切勿轻信其他渠道", "请勿告诉家人"): no reminder.
WARNING_WORDED_SCAMS = ("beware of fakes", "fake anti-fraud police")
REMINDERS = [text for kind, _, text in INVESTMENT.ordinary if kind == "anti-fraud reminder"]
SHARED_LINKS = [text for kind, _, text in INVESTMENT.ordinary if kind == "shared link"]
RETOLD = "retold warning"
# At most this many of the set's scams may be allowed by the shipped model: the late-night
# promise names no platform, pick or return, only "a steady way to earn" (no cue covers it).
MAX_MISSED = 1
# At most this many of its ordinary messages (the retold warning aside) may be touched: which one
# flips with small generator changes (session 16: the elderly-office reminder quoting the pension
# script at 024b091, the broker's lost-draw notice when three more reminders were added; none at
# fdff6ca), so the set tolerates one, as docs/benchmarks.md reports.
MAX_TOUCHED = 1


def _fired(text: str) -> set[str]:
    clean = normalise_text(text)
    return {reason for reason, cue in script_cues().items() if cue_fires(clean, cue)}


def _scam(script: str) -> str:
    return next(text for _, name, text in INVESTMENT.scams if name == script)


@pytest.mark.parametrize("script, reason", SCRIPT_CUES.items())
def test_each_investment_sub_script_names_its_cue(script: str, reason: str) -> None:
    assert reason in _fired(_scam(script))


@pytest.mark.parametrize("text", REMINDERS)
def test_a_reminder_quoting_an_investment_script_reads_as_a_reminder(text: str) -> None:
    """The linear score then reads each script it names as quoted (``cue_matrix``'s quoted
    columns), whose weight it learnt from official reminders."""
    cues = cue_row(normalise_text(text))
    names = list(script_cues())
    assert cues[names.index(ANTI_FRAUD_REMINDER)] == 1
    assert cue_matrix([normalise_text(text)])[0, -1] == sum(cues) - 1


@pytest.mark.parametrize("script", WARNING_WORDED_SCAMS)
def test_a_scam_using_warning_words_is_not_read_as_a_reminder(script: str) -> None:
    """"切勿轻信其他渠道" and "请勿告诉家人" are the scam's own asks: its script cue must survive."""
    cues = dict(zip(script_cues(), cue_row(normalise_text(_scam(script))), strict=True))
    assert cues[ANTI_FRAUD_REMINDER] == 0
    assert cues[SCRIPT_CUES[script]] == 1


@pytest.mark.parametrize("text", SHARED_LINKS)
def test_a_person_sharing_a_cloud_drive_link_fires_no_script_cue(text: str) -> None:
    assert _fired(text) == set()


def test_a_relative_retelling_the_pension_script_reads_as_a_reminder_and_a_reassuring_scam_does_not() -> None:
    """"说是骗人的" is the relative's warning (session 17); "我们不是骗人的" is a script reassuring,
    which the reminder cue reads past, so the pension script's cue survives it."""
    retold = next(text for kind, _, text in INVESTMENT.ordinary if kind == RETOLD)
    assert ANTI_FRAUD_REMINDER in _fired(retold)
    reassuring = _scam("pension dividend").rstrip("。") + "，我们不是骗人的，放心。"
    assert ANTI_FRAUD_REMINDER not in _fired(reassuring)
    assert SCRIPT_CUES["pension dividend"] in _fired(reassuring)


@pytest.fixture(scope="module")
def decisions(demo_trained_model: ScamModel) -> tuple[list[Decision], list[Decision]]:
    scams, ordinary = INVESTMENT.records()
    return demo_trained_model.decide(scams), demo_trained_model.decide(ordinary)


@pytest.mark.slow
def test_the_shipped_model_flags_the_investment_and_romance_scripts(decisions: tuple[list[Decision], list[Decision]]) -> None:
    missed = [(script, round(d.score, 3)) for (_, script, _), d in zip(INVESTMENT.scams, decisions[0], strict=True)
              if d.action == ALLOW]
    assert len(missed) <= MAX_MISSED, missed


@pytest.mark.slow
def test_the_shipped_model_allows_the_reminders_shares_and_notices(decisions: tuple[list[Decision], list[Decision]]) -> None:
    touched = [(text, d.action, d.reasons) for (kind, _, text), d in zip(INVESTMENT.ordinary, decisions[1], strict=True)
               if d.action != ALLOW and kind != RETOLD]
    assert len(touched) <= MAX_TOUCHED, touched


@pytest.mark.slow
def test_the_shipped_model_allows_a_relative_retelling_the_pension_script(decisions: tuple[list[Decision], list[Decision]]) -> None:
    retold = [d.action for (kind, _, _), d in zip(INVESTMENT.ordinary, decisions[1], strict=True) if kind == RETOLD]
    assert retold == [ALLOW]
