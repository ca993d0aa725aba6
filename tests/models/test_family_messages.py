"""People's messages that read like scams, and the scripts blind sets showed still missed (issue #10, session 17).

Blind sets showed the quickstart model blocking a family member's message and a friend's, blocking
a relative who retold a scam as a warning, and missing e-commerce/courier "customer service",
loan, shopping and relative/boss scripts. ``FAMILY`` of ``tests/hand_written_sms.py`` holds
messages of those kinds in our own wording (checked not to be near-duplicates of the generator
by ``test_fraud_scripts.py``). The cue tests pin the reminder cue in both directions: a relative's
"说是骗人的" reads as a warning; a scam that appends "谨防诈骗" or reassures "我们不是骗人的" does
not. The slow tests ask the model ``make run`` ships to act on the set.
"""

from __future__ import annotations

import pandas as pd
import pytest

from benchmarks.hand_written import Figures, hand_written_figures
from features.sms.normalise import normalise_text
from features.sms.patterns import ANTI_FRAUD_REMINDER, cue_fires, cue_row, script_cues
from models.scam_model import ALLOW, ScamModel
from tests.hand_written_sms import CHECK, FAMILY, INVESTMENT, MOBILE, SERVICE, SETS

# What a script appends or says to look safe: none of it is a warning of anything.
SIGN_OFFS = ("，谨防诈骗", "。谨防杀猪盘哦！", "，谨防上当受骗", " 小心被骗", "，我们不是骗人的", "，放心，这可不是杀猪盘")
# Relatives passing a warning on and calling it a scam ("说是骗人的", "都是骗子"): the reminder cue
# must read them. "被骗了四千" (someone was cheated) is not such a word: recovery scams say it.
RETOLD = [text for kind, _, text in FAMILY.ordinary + INVESTMENT.ordinary
          if kind == "retold warning" and ("骗人" in text or "骗子" in text)]
REMINDERS = [text for hand_written in SETS for kind, _, text in hand_written.ordinary if kind == "anti-fraud reminder"]
SIGNED_OFF_SCAMS = {"teacher's pick, appended sign-off": "拉人进投资炒股群",
                    "platform earnings, appended sign-off": "网恋交友对象引导投资或充值"}
# Official reminders (police, the anti-fraud centre, banks, operators) that close with the sign-off a
# script also appends: a blind set's police reminder whose only reminder word was its closing
# "谨防上当受骗" lost the reminder cue to the sign-off pattern read past (session 17, round 2). The
# words before the sign-off make the first ones reminders; the last says nothing the cue reads
# ("请挂断后拨打10000咨询") and is left to the model.
SIGNED_OFF_REMINDERS = [
    "【滨江区公安分局】近日辖区连续发生冒充网店客服以“商品有质量问题、给您退款”为名的案件，请勿轻信，谨防上当受骗！",
    "【市反诈中心】温馨提示：市民朋友接到自称快递公司称包裹丢失要理赔的电话，务必通过官方App核实，小心被骗。【市公安局】",
    "【农业银行】尊敬的客户：近期有人假借我行名义发送“账户异常需升级”短信，本行短信不含任何链接，谨防诈骗！",
    "【城关派出所】春节临近，网络贷款、刷单兼职类诈骗高发，请广大群众提高防范意识，当心上当受骗。",
    "【中国移动】温馨提示：陌生人以代办高额信用卡、低息贷款为由索要验证码的，请勿相信，谨防上当。",
    "【工商银行】近期有人冒充我行客服称可帮您注销校园贷、修复征信，请勿轻信，谨防电信诈骗。",
    "【国家反诈中心】接到陌生来电称您的百万保障即将扣费的，请勿相信，小心上当受骗！",
    "【中国电信】提醒您：有人冒充营业厅来电称号码将被停机需配合核验，请挂断后拨打10000咨询，注意防骗。",
]
# At most this many of the set's scams may be allowed, and of its ordinary messages touched, by
# the shipped model (at 30c62b3 it flagged 14 of 14 and touched 0 of 13): one of each is
# tolerated because which message sits nearest the threshold moves with small generator changes,
# as the investment set showed in session 16.
MAX_MISSED = 1
MAX_TOUCHED = 1


def _reminder(text: str) -> bool:
    return cue_fires(normalise_text(text), script_cues()[ANTI_FRAUD_REMINDER])


@pytest.mark.parametrize("text", RETOLD)
def test_a_relative_retelling_a_scam_reads_as_a_warning(text: str) -> None:
    assert _reminder(text)


@pytest.mark.parametrize("sign_off", SIGN_OFFS)
@pytest.mark.parametrize("text", [text for *_, text in CHECK.scams])
def test_a_sign_off_appended_to_a_scam_changes_no_cue(text: str, sign_off: str) -> None:
    """Whatever the scam's cues were (reminder or not), appending a warning or a reassurance
    leaves them: a script cannot let itself off with "谨防诈骗"."""
    assert cue_row(normalise_text(text + sign_off)) == cue_row(normalise_text(text))


@pytest.mark.parametrize("sign_off", SIGN_OFFS[:4])
@pytest.mark.parametrize("text", REMINDERS)
def test_a_reminder_stays_a_reminder_with_or_without_a_sign_off(text: str, sign_off: str) -> None:
    assert _reminder(text)
    assert _reminder(text.rstrip("。") + sign_off)


@pytest.mark.parametrize("text", SIGNED_OFF_REMINDERS[:-1])
def test_an_official_reminder_ending_with_a_sign_off_reads_as_a_reminder(text: str) -> None:
    assert _reminder(text)


@pytest.mark.parametrize("script, reason", SIGNED_OFF_SCAMS.items())
def test_a_scam_signed_off_with_a_warning_keeps_its_script_cue(script: str, reason: str) -> None:
    text = next(text for _, name, text in FAMILY.scams if name == script)
    cues = dict(zip(script_cues(), cue_row(normalise_text(text)), strict=True))
    assert cues[ANTI_FRAUD_REMINDER] == 0
    assert cues[reason] == 1


@pytest.fixture(scope="module")
def figures(demo_trained_model: ScamModel) -> Figures:
    return hand_written_figures(demo_trained_model, FAMILY)


@pytest.mark.slow
def test_the_shipped_model_flags_the_scripts_still_missed(figures: Figures) -> None:
    assert len(figures.missed) <= MAX_MISSED, figures.missed


@pytest.mark.slow
def test_the_shipped_model_flags_scams_signed_off_with_a_warning(figures: Figures) -> None:
    assert not {script for script, *_ in figures.missed} & set(SIGNED_OFF_SCAMS), figures.missed


@pytest.mark.slow
def test_the_shipped_model_allows_people_s_messages_that_read_like_scams(figures: Figures) -> None:
    assert len(figures.touched) <= MAX_TOUCHED, figures.touched


def _actions(model: ScamModel, texts: list[str], sender: str) -> list[str]:
    records = pd.DataFrame({"text": texts, "sender": [sender] * len(texts), "sent_at": [None] * len(texts)})
    return [decision.action for decision in model.decide(records)]


@pytest.mark.slow
def test_the_shipped_model_allows_official_reminders_ending_with_a_sign_off(demo_trained_model: ScamModel) -> None:
    actions = _actions(demo_trained_model, SIGNED_OFF_REMINDERS, SERVICE)
    assert [text for text, action in zip(SIGNED_OFF_REMINDERS, actions, strict=True) if action != ALLOW] == []


@pytest.mark.slow
def test_the_shipped_model_still_flags_scams_with_a_sign_off_appended(demo_trained_model: ScamModel) -> None:
    """What a user sees, not only the cues: every check scam the model flags stays flagged with
    any warning or reassurance appended."""
    scams = [text for *_, text in CHECK.scams]
    flagged = [text for text, action in zip(scams, _actions(demo_trained_model, scams, MOBILE), strict=True) if action != ALLOW]
    signed = [text.rstrip("。") + sign_off for text in flagged for sign_off in SIGN_OFFS]
    actions = _actions(demo_trained_model, signed, MOBILE)
    assert [text for text, action in zip(signed, actions, strict=True) if action == ALLOW] == []
