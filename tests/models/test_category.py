"""The category head: spam is told apart from fraud, fraud_score is P(fraud), and the
per-category action policy from configs/taxonomy.yaml is applied on top of the thresholds."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from configs.sms import CategoryConfig
from models.pyfunc import OUTPUT_COLUMNS, decisions_frame
from models.scam_model import ScamModel, Thresholds
from tests.models.conftest import SMALL_SMS_CONFIG, sms
from training.data.demo_sms import generate_demo_sms
from training.train import fit_sms

SHOPS = ["优衣库", "京东", "苏宁", "屈臣氏", "万达影城", "肯德基", "良品铺子", "唯品会"]
OFFERS = ["全场{n}折起", "满{m}减{k}", "会员积分翻倍", "新品上市买一送一", "周年庆限时特惠"]


def _marketing(n: int, seed: int) -> pd.DataFrame:
    """Unsolicited marketing (spam): brand, offer, opt-out — what advertising sets are made of."""
    rng = np.random.default_rng(seed)
    offers = [rng.choice(OFFERS).format(n=rng.integers(3, 9), m=rng.integers(100, 500), k=rng.integers(10, 90))
              for _ in range(n)]
    texts = [f"【{rng.choice(SHOPS)}】{offer}，{rng.choice(['详询门店', '点击链接抢购', '仅限本周'])}，回T退订{i}"
             for i, offer in enumerate(offers)]
    return pd.DataFrame({"id": [f"ad-{i}" for i in range(n)], "text": texts, "sender": None, "receiver": None,
                         "sent_at": None, "label": 1, "fraud_type": None, "category": "spam"})


@pytest.fixture(scope="module")
def category_model() -> ScamModel:
    frame = pd.concat([generate_demo_sms(n=500, seed=3), _marketing(150, seed=3)], ignore_index=True)
    cfg = SMALL_SMS_CONFIG.model_copy(update={"category": CategoryConfig(lightgbm=SMALL_SMS_CONFIG.fraud_type.lightgbm)})
    return fit_sms(frame, cfg).model


def test_spam_and_fraud_get_their_own_category_and_fraud_score(category_model: ScamModel) -> None:
    fraud = generate_demo_sms(n=200, seed=99)
    fraud = fraud[fraud["label"] == 1].head(20)
    records = pd.concat([fraud[["text", "sender", "sent_at"]], _marketing(20, seed=99)[["text", "sender", "sent_at"]]])
    decisions = category_model.decide(records, explain=False)
    fraud_part, spam_part = decisions[:20], decisions[20:]
    assert np.mean([d.category == "fraud" for d in fraud_part]) >= 0.8
    assert np.mean([d.category == "spam" for d in spam_part]) >= 0.8
    assert min(d.fraud_score for d in fraud_part) > max(d.fraud_score for d in spam_part)
    assert all(d.fraud_type is None for d in spam_part), "marketing has no fraud type"


def test_ordinary_allowed_messages_are_ham(category_model: ScamModel) -> None:
    assert category_model.allowed_category_from_head, "configs/taxonomy.yaml allowed_category: head reaches the model"
    decisions = category_model.decide(sms("明天下午三点开会，记得带电脑。", "妈，我到家了。"), explain=False)
    assert [(d.action, d.category) for d in decisions] == [("allow", "ham"), ("allow", "ham")]


def _flagging(model: ScamModel, records: pd.DataFrame) -> ScamModel:
    """``model`` with its warn cut-off at the lowest unwanted score of ``records``: the policy tests are
    about what happens to flagged marketing, so they flag it by construction, not through where a
    650-message fit happened to set its out-of-fold cut-offs (session 36: one generator change moved
    them above every marketing message's score)."""
    lowest = min(decision.score for decision in model.decide(records, explain=False))
    return dataclasses.replace(model, thresholds=Thresholds(block=model.thresholds.block, warn=min(lowest, model.thresholds.warn)))


def test_category_policy_overrides_thresholds_for_spam_only(category_model: ScamModel) -> None:
    records = _marketing(10, seed=7)[["text", "sender", "sent_at"]]
    category_model = _flagging(category_model, records)
    default = category_model.decide(records, explain=False)
    folded = dataclasses.replace(category_model, category_actions={**category_model.category_actions, "spam": "allow"})
    changed = folded.decide(records, explain=False)
    assert any(d.action != "allow" for d in default)
    assert all(d.action == "allow" for d, before in zip(changed, default, strict=True) if before.category == "spam")
    assert [d.score for d in changed] == [d.score for d in default], "the unwanted score keeps its meaning"


def test_pyfunc_output_carries_category_and_fraud_score(category_model: ScamModel) -> None:
    frame = decisions_frame(category_model, sms("【京东】全场5折起，回T退订"))
    assert list(frame.columns) == OUTPUT_COLUMNS
    assert frame.loc[0, "category"] in ("ham", "spam", "illegal", "fraud")
    assert 0.0 <= frame.loc[0, "fraud_score"] <= 1.0


def test_only_flagged_fraud_reaches_the_fraud_type_head_and_types_stay_the_same(
    category_model: ScamModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A decision shows a fraud type only for flagged fraud, so only those rows are typed; what
    they show is what the head says when asked about every row."""
    records = pd.concat([generate_demo_sms(n=200, seed=8), _marketing(60, seed=8)], ignore_index=True)
    category_model = _flagging(category_model, _marketing(60, seed=8))
    head = category_model.fraud_type_head
    every_row = head.predict(category_model.features(records))
    asked: list[int] = []

    def counting(rows):
        asked.append(rows.shape[0])
        return type(head).predict(head, rows)

    monkeypatch.setattr(head, "predict", counting)
    decisions = category_model.decide(records, explain=False)
    flagged = [i for i, d in enumerate(decisions) if d.action != "allow"]
    fraud = [i for i in flagged if decisions[i].category == category_model.category_head.fraud]
    assert 0 < len(fraud) < len(flagged)  # flagged rows of another category exist: the head skips them
    assert asked == [len(fraud)]
    for i in flagged:
        shown = (decisions[i].fraud_type, decisions[i].fraud_type_score)
        assert shown == ((every_row[0][i], pytest.approx(every_row[1][i], abs=1e-12)) if i in fraud else (None, None))
