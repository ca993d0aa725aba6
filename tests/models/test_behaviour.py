"""Behaviour of the demo-trained SMS model (issue 2): invariance, direction, minimum functionality.

Verdicts (flagged, allowed) are asserted on the model `make run` ships (``demo_trained_model``): the
600-message test model's out-of-fold thresholds are set by its handful of highest-scoring ordinary
rows, so which rows the demo drew decided them (session 37: a dozen new-number rows moved its warn
cut-off from 0.79 to 0.96 and two clear scams were allowed; the shipped model blocked both at 0.999).
Score directions and reasons stay on the small model (they do not depend on a cut-off), but for the
short ordinary texts below, whose small-model scores moved with the draw too."""

from __future__ import annotations

import pytest

from features.sms.patterns import script_cues
from features.sms.reasons import cue_label
from features.sms.text import LINEAR_SCORE_NAME
from models.scam_model import ALLOW, ScamModel
from tests.models.conftest import sms

POLICE = "【公安局】您涉嫌洗钱案件，账户将被冻结，请立即将资金转入安全账户配合调查，联系王警官13812345678"
TASK = "招聘兼职刷单，日结佣金，一单一结，加微信abc12345了解详情"
LOAN = "您的征信有逾期记录，需缴纳保证金500元解冻额度，详询 https://t.cn/xyz123"
SCAMS = [
    POLICE,
    "【市检察院】您的身份信息涉嫌一起洗钱案，请于今日内将名下资金转入安全账户接受资金清查，否则将冻结您的账户。",
    TASK,
    "刷单返利，动动手指日赚300元，垫付后立即返还本金和佣金，加V信 kk8899",
    LOAN,
]
BENIGN = [
    ("【招商银行】您的验证码为834512，5分钟内有效，请勿泄露给他人。", "1069012345"),
    ("【顺丰速运】您的快递已到达小区驿站，请凭取件码 3-2-1024 取件。", "95338"),
    ("【中通快递】您的包裹已签收，感谢使用。", "1065512345"),
]
MOBILE = "13812345678"


def _full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isascii() and ch.isalnum() else ch for ch in text)


def _spaced(text: str, word: str) -> str:
    return text.replace(word, " ".join(word), 1)


def _action(model: ScamModel, text: str, sender: str | None = MOBILE) -> str:
    return model.decide(sms(text, sender=sender), explain=False)[0].action


@pytest.mark.slow
@pytest.mark.parametrize("text", SCAMS)
def test_clear_scams_are_flagged(demo_trained_model: ScamModel, text: str) -> None:
    assert _action(demo_trained_model, text) != ALLOW


@pytest.mark.slow
@pytest.mark.parametrize("text, sender", BENIGN)
def test_clear_benign_messages_are_allowed(demo_trained_model: ScamModel, text: str, sender: str) -> None:
    assert _action(demo_trained_model, text, sender) == ALLOW


@pytest.mark.slow
@pytest.mark.parametrize(
    "original, disguised",
    [
        (POLICE, _spaced(POLICE, "安全账户")),
        (POLICE, POLICE.replace("安全账户", "安*全-账_户")),
        (POLICE, _full_width(POLICE)),
        (POLICE, POLICE.replace("洗钱", "洗\u200b钱")),
        (TASK, _spaced(TASK, "刷单")),
        (TASK, _full_width(TASK)),
        (TASK, TASK.replace("微信", "薇信")),
        (LOAN, _spaced(_full_width(LOAN), "保证金")),
    ],
)
def test_spaces_and_full_width_leave_the_verdict(demo_trained_model: ScamModel, original: str, disguised: str) -> None:
    assert disguised != original
    assert _action(demo_trained_model, disguised) == _action(demo_trained_model, original) != ALLOW


@pytest.mark.slow
@pytest.mark.parametrize("sender", ["1069012345", MOBILE, None])
def test_sender_format_does_not_change_a_clear_scam_verdict(demo_trained_model: ScamModel, sender: str | None) -> None:
    assert _action(demo_trained_model, POLICE, sender) != ALLOW


@pytest.mark.parametrize("text, sender", BENIGN)
def test_asking_for_a_transfer_into_a_safe_account_raises_the_score(demo_model: ScamModel, text: str, sender: str) -> None:
    before, after = demo_model.score(sms(text, text + "请立即将资金转入安全账户", sender=sender))
    assert after > before


# Ordinary messages from a personal number: far enough from certainty that a tree ensemble's
# score can move (a service notice scored ~1e-19 sits below every split the phrase could cross).
ORDINARY = ["你好，明天有空吗？", "到家了，今天的会开得怎么样？", "周末一起去爬山吧，早上八点出发。"]


# On the model `make run` ships: the 600-message test model's scores of such short texts moved with
# which look-alike rows the demo drew (session 36: 0.055 → 0.041 on one draw), the shipped model's
# go from ~0.001 to ~0.9.
@pytest.mark.slow
@pytest.mark.parametrize("text", ORDINARY)
def test_appending_the_issue_phrase_raises_the_score(demo_trained_model: ScamModel, text: str) -> None:
    before, after = demo_trained_model.score(sms(text, text + "请转账到安全账户", sender=MOBILE))
    assert after > before



def test_a_flagged_scam_leads_with_the_script_it_follows(demo_model: ScamModel) -> None:
    reasons = demo_model.decide(sms(POLICE, sender=MOBILE))[0].reasons
    labels = [cue_label(reason) for reason in reasons]
    assert labels[0] in script_cues() and "冒充公检法称涉案" in labels
    assert LINEAR_SCORE_NAME not in reasons
