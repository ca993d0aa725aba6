"""fraud_score's own thresholds: a message past them is fraud and acted on even when the
unwanted score allows it; everything else decides as before (issue #10)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from models.scam_model import CategoryHead, PlattCalibrator, ScamModel, Thresholds

UNWANTED = Thresholds(block=0.9, warn=0.5)
FRAUD = Thresholds(block=0.95, warn=0.6)
CLASSES = ["fraud", "ham", "spam"]


class _Columns:
    """Featuriser stand-in: records already carry the unwanted margin, P(fraud) and, optionally,
    the share of the rest that is spam (default 0.3)."""

    def transform(self, records: pd.DataFrame) -> np.ndarray:
        spam_share = records["spam_share"] if "spam_share" in records else pd.Series(0.3, index=records.index)
        return np.column_stack([records[["margin", "p_fraud"]].to_numpy(dtype=float), spam_share.to_numpy(dtype=float)])


class _MarginBooster:
    def raw_margin(self, features: np.ndarray) -> np.ndarray:
        return features[:, 0]


class _FixedHead(CategoryHead):
    """P(fraud) from the record, the rest split between ham and spam."""

    def proba(self, features: np.ndarray) -> np.ndarray:
        fraud, spam_share = features[:, 1], features[:, 2]
        return np.column_stack([fraud, (1 - fraud) * (1 - spam_share), (1 - fraud) * spam_share])


def _model(fraud_thresholds: Thresholds | None, allowed_category_from_head: bool = False) -> ScamModel:
    # kind "call": the stand-in reads its columns from the frame as a call featuriser does (an SMS
    # model normalises its records' text before featurising them).
    return ScamModel(
        kind="call", featuriser=_Columns(), booster=_MarginBooster(), calibrator=PlattCalibrator(1.0, 0.0),
        thresholds=UNWANTED, feature_names=["margin", "p_fraud"], max_reasons=0,
        category_head=_FixedHead(boosters=[], classes=CLASSES), category_actions={"ham": "allow", "spam": "by_threshold",
                                                                                "fraud": "by_threshold"},
        fraud_thresholds=fraud_thresholds, allowed_category_from_head=allowed_category_from_head,
    )


def _decide(model: ScamModel, *rows: tuple[float, ...]) -> list[tuple[str, str | None]]:
    records = pd.DataFrame(rows, columns=["margin", "p_fraud", "spam_share"][: len(rows[0])])
    return [(d.action, d.category) for d in model.decide(records, explain=False)]


LOW, WARNED, BLOCKED = -3.0, 1.0, 3.0  # calibrated 0.05, 0.73, 0.95


def test_low_score_message_past_the_fraud_warn_threshold_is_warned_and_typed_fraud() -> None:
    assert _decide(_model(FRAUD), (LOW, 0.7)) == [("warn", "fraud")]


def test_low_score_message_past_the_fraud_block_threshold_is_blocked() -> None:
    assert _decide(_model(FRAUD), (LOW, 0.97)) == [("block", "fraud")]


def test_ham_below_both_thresholds_is_untouched() -> None:
    assert _decide(_model(FRAUD), (LOW, 0.1), (LOW, 0.59)) == [("allow", "ham"), ("allow", "ham")]


@pytest.mark.parametrize(
    "row, expected",
    [((WARNED, 0.97), ("block", "fraud")),   # fraud_score's block beats the unwanted warn
     ((BLOCKED, 0.7), ("block", "fraud")),   # the unwanted block is kept: the stronger action wins
     ((WARNED, 0.1), ("warn", "spam"))],     # below the fraud thresholds the head names the kind
)
def test_flagged_messages_get_the_stronger_of_the_two_actions(row: tuple[float, float], expected: tuple[str, str]) -> None:
    assert _decide(_model(FRAUD), row) == [expected]


def test_without_fraud_thresholds_a_message_the_unwanted_score_allows_stays_ham() -> None:
    """Models trained or pickled before fraud thresholds existed decide as they always did."""
    assert _decide(_model(None), (LOW, 0.97)) == [("allow", "ham")]


def test_category_policy_still_applies_to_messages_raised_by_fraud_score() -> None:
    model = _model(FRAUD)
    folded = dataclasses.replace(model, category_actions={**model.category_actions, "fraud": "block"})
    assert _decide(folded, (LOW, 0.7)) == [("block", "fraud")]


def test_an_allowed_message_is_named_by_the_head_but_stays_allowed() -> None:
    """allowed_category: head — an advert the thresholds let through is still marketing."""
    model = _model(FRAUD, allowed_category_from_head=True)
    assert _decide(model, (LOW, 0.1, 0.8), (LOW, 0.1, 0.2)) == [("allow", "spam"), ("allow", "ham")]
    assert _decide(_model(FRAUD), (LOW, 0.1, 0.8)) == [("allow", "ham")], "allowed_category: ham, and older models"


def test_an_allowed_message_is_never_named_fraud_below_the_fraud_thresholds() -> None:
    """P(fraud) 0.55 is the head's best class, but under the fraud warn cut (0.6): the best other kind."""
    model = _model(FRAUD, allowed_category_from_head=True)
    assert _decide(model, (LOW, 0.55, 0.8), (LOW, 0.55, 0.2)) == [("allow", "spam"), ("allow", "ham")]


def test_category_policy_acts_only_on_messages_the_thresholds_acted_on() -> None:
    """A fixed action for spam must not start warning on allowed adverts just because they are named."""
    model = _model(FRAUD, allowed_category_from_head=True)
    strict = dataclasses.replace(model, category_actions={**model.category_actions, "spam": "block"})
    assert _decide(strict, (LOW, 0.1, 0.8), (WARNED, 0.1, 0.8)) == [("allow", "spam"), ("block", "spam")]
