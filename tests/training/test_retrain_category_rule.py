"""retrain's gates compare champion and challenger under the same ``allowed_category`` rule.

The rule names the messages the thresholds allow (``head``: the head's best non-fraud category;
``ham``: always ham) and changes no action, yet it moves ``category_macro_f1``, which a gate reads
with tolerance 0.01: a champion trained before ``allowed_category: head`` must not refuse a
challenger only because the two name allowed messages differently.
"""

from __future__ import annotations

import pandas as pd
import pytest

import training.retrain as retrain
from configs.retrain import load_retrain_config
from tests.models.category_stand_in import BLOCKED, FRAUD, LOW, category_model
from training.evaluate import evaluate_model
from training.gates import decide_promotion
from training.retrain_data import EvalSet

# (margin, P(fraud), spam share of the rest, label, category): a ham-heavy set in which the head
# takes two allowed ham messages for adverts and one allowed advert for what it is.
ROWS = [
    *[(LOW, 0.1, 0.2, 0, "ham")] * 6,
    *[(LOW, 0.1, 0.8, 0, "ham")] * 2,
    *[(BLOCKED, 0.1, 0.8, 1, "spam")] * 3,
    (LOW, 0.1, 0.8, 1, "spam"),
]


@pytest.fixture
def evaluation() -> EvalSet:
    return EvalSet(frame=pd.DataFrame(ROWS, columns=["margin", "p_fraud", "spam_share", "label", "category"]), removed_overlap=0)


def test_the_rule_alone_moves_category_macro_f1_beyond_the_gate_tolerance(evaluation: EvalSet) -> None:
    """What the gate would see without the fix: one model, two rules, different figures."""
    head = evaluate_model(category_model(FRAUD, allowed_category_from_head=True), evaluation.frame)["category_macro_f1"]
    ham = evaluate_model(category_model(FRAUD, allowed_category_from_head=False), evaluation.frame)["category_macro_f1"]
    assert abs(head - ham) > 0.01


def test_champion_under_the_old_rule_is_scored_like_the_challenger(monkeypatch: pytest.MonkeyPatch, evaluation: EvalSet) -> None:
    models = {"models:/sms/1": category_model(FRAUD, allowed_category_from_head=False),  # champion, trained before the rule
              "models:/sms/2": category_model(FRAUD, allowed_category_from_head=True)}   # challenger: the same model, new rule
    monkeypatch.setattr(retrain, "load_scam_model", models.__getitem__)
    champion = retrain.evaluate_uri("models:/sms/1", evaluation, None)
    challenger = retrain.evaluate_uri("models:/sms/2", evaluation, None)
    assert champion["category_macro_f1"] == challenger["category_macro_f1"]
    gate = [g for g in load_retrain_config().gates if g.metric == "category_macro_f1"]
    assert decide_promotion(gate, challenger, champion).promote, "an equally good challenger is refused"
