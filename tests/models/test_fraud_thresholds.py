"""fraud_score's own thresholds: a message past them is fraud and acted on even when the
unwanted score allows it; everything else decides as before (issue #10)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from models.scam_model import ScamModel
from tests.models.category_stand_in import BLOCKED, FRAUD, LOW, WARNED, category_model


def _decide(model: ScamModel, *rows: tuple[float, ...]) -> list[tuple[str, str | None]]:
    records = pd.DataFrame(rows, columns=["margin", "p_fraud", "spam_share"][: len(rows[0])])
    return [(d.action, d.category) for d in model.decide(records, explain=False)]



def test_low_score_message_past_the_fraud_warn_threshold_is_warned_and_typed_fraud() -> None:
    assert _decide(category_model(FRAUD), (LOW, 0.7)) == [("warn", "fraud")]


def test_low_score_message_past_the_fraud_block_threshold_is_blocked() -> None:
    assert _decide(category_model(FRAUD), (LOW, 0.97)) == [("block", "fraud")]


def test_ham_below_both_thresholds_is_untouched() -> None:
    assert _decide(category_model(FRAUD), (LOW, 0.1), (LOW, 0.59)) == [("allow", "ham"), ("allow", "ham")]


@pytest.mark.parametrize(
    "row, expected",
    [((WARNED, 0.97), ("block", "fraud")),   # fraud_score's block beats the unwanted warn
     ((BLOCKED, 0.7), ("block", "fraud")),   # the unwanted block is kept: the stronger action wins
     ((WARNED, 0.1), ("warn", "spam"))],     # below the fraud thresholds the head names the kind
)
def test_flagged_messages_get_the_stronger_of_the_two_actions(row: tuple[float, float], expected: tuple[str, str]) -> None:
    assert _decide(category_model(FRAUD), row) == [expected]


def test_without_fraud_thresholds_a_message_the_unwanted_score_allows_stays_ham() -> None:
    """Models trained or pickled before fraud thresholds existed decide as they always did."""
    assert _decide(category_model(None), (LOW, 0.97)) == [("allow", "ham")]


def test_category_policy_still_applies_to_messages_raised_by_fraud_score() -> None:
    model = category_model(FRAUD)
    folded = dataclasses.replace(model, category_actions={**model.category_actions, "fraud": "block"})
    assert _decide(folded, (LOW, 0.7)) == [("block", "fraud")]


def test_an_allowed_message_is_named_by_the_head_but_stays_allowed() -> None:
    """allowed_category: head — an advert the thresholds let through is still marketing."""
    model = category_model(FRAUD, allowed_category_from_head=True)
    assert _decide(model, (LOW, 0.1, 0.8), (LOW, 0.1, 0.2)) == [("allow", "spam"), ("allow", "ham")]
    assert _decide(category_model(FRAUD), (LOW, 0.1, 0.8)) == [("allow", "ham")], "allowed_category: ham, and older models"


def test_an_allowed_message_is_never_named_fraud_below_the_fraud_thresholds() -> None:
    """P(fraud) 0.55 is the head's best class, but under the fraud warn cut (0.6): the best other kind."""
    model = category_model(FRAUD, allowed_category_from_head=True)
    assert _decide(model, (LOW, 0.55, 0.8), (LOW, 0.55, 0.2)) == [("allow", "spam"), ("allow", "ham")]


def test_category_policy_acts_only_on_messages_the_thresholds_acted_on() -> None:
    """A fixed action for spam must not start warning on allowed adverts just because they are named."""
    model = category_model(FRAUD, allowed_category_from_head=True)
    strict = dataclasses.replace(model, category_actions={**model.category_actions, "spam": "block"})
    assert _decide(strict, (LOW, 0.1, 0.8), (WARNED, 0.1, 0.8)) == [("allow", "spam"), ("block", "spam")]
