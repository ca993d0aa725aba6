"""models/scam_model.py: ScamModel.decide on a small model trained on demo data."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from features.sms.normalise import PLACEHOLDERS
from models.scam_model import ACTIONS, ALLOW, BLOCK, WARN, ScamModel, Thresholds
from tests.models.conftest import sms


@pytest.fixture(scope="module")
def sample(demo_frame: pd.DataFrame) -> pd.DataFrame:
    """Records only (no labels), both classes, in the demo's order."""
    return demo_frame.drop(columns=["label", "fraud_type"]).iloc[:150].reset_index(drop=True)


@pytest.fixture(scope="module")
def three_way_model(demo_model: ScamModel, sample: pd.DataFrame) -> ScamModel:
    """The demo model with thresholds placed inside its score range, so all three actions occur."""
    scores = np.sort(np.unique(demo_model.score(sample)))
    return dataclasses.replace(demo_model, thresholds=Thresholds(block=scores[-10], warn=scores[len(scores) // 2]))


def _by(cut: Thresholds | None, value: float) -> str:
    return ALLOW if cut is None else BLOCK if value >= cut.block else WARN if value >= cut.warn else ALLOW


def test_actions_follow_thresholds(three_way_model: ScamModel, sample: pd.DataFrame) -> None:
    """The stronger of what ``score``'s and ``fraud_score``'s thresholds say (the demo data has
    categories, so the model has both)."""
    decisions = three_way_model.decide(sample, explain=False)
    assert {d.action for d in decisions} == {BLOCK, WARN, ALLOW}
    assert three_way_model.fraud_thresholds is not None
    for d in decisions:
        by_score, by_fraud = _by(three_way_model.thresholds, d.score), _by(three_way_model.fraud_thresholds, d.fraud_score)
        assert d.action == min(by_score, by_fraud, key=ACTIONS.index), d


def test_decisions_are_in_input_order(demo_model: ScamModel, sample: pd.DataFrame) -> None:
    forward = demo_model.decide(sample, explain=False)
    backward = demo_model.decide(sample.iloc[::-1], explain=False)
    assert [d.score for d in forward] == pytest.approx(demo_model.score(sample).tolist())
    assert [d.score for d in backward[::-1]] == pytest.approx([d.score for d in forward])
    single = demo_model.decide(sample.iloc[[7]], explain=False)[0]
    assert single.score == pytest.approx(forward[7].score)


def test_empty_input_gives_no_decisions(demo_model: ScamModel) -> None:
    assert demo_model.decide(sms()) == []


def test_scores_are_probabilities(demo_model: ScamModel, sample: pd.DataFrame) -> None:
    scores = demo_model.score(sample)
    assert scores.shape == (len(sample),)
    assert np.all((scores >= 0) & (scores <= 1))


def test_reasons_only_for_flagged_rows_and_at_most_max(three_way_model: ScamModel, sample: pd.DataFrame) -> None:
    decisions = three_way_model.decide(sample)
    assert any(d.reasons for d in decisions)
    for d in decisions:
        if d.action == ALLOW:
            assert d.reasons == []
        assert len(d.reasons) <= three_way_model.max_reasons


@pytest.mark.parametrize("max_reasons", [0, 1, 2])
def test_max_reasons_is_honoured(demo_model: ScamModel, sample: pd.DataFrame, max_reasons: int) -> None:
    decisions = dataclasses.replace(demo_model, max_reasons=max_reasons).decide(sample)
    longest = max(len(d.reasons) for d in decisions)
    assert longest <= max_reasons
    assert (longest > 0) == (max_reasons > 0)


def test_explain_false_gives_no_reasons(demo_model: ScamModel, sample: pd.DataFrame) -> None:
    assert all(d.reasons == [] for d in demo_model.decide(sample, explain=False))


def test_reasons_are_readable(demo_model: ScamModel, demo_frame: pd.DataFrame) -> None:
    reasons = {r for d in demo_model.decide(demo_frame) for r in d.reasons}
    assert reasons
    for reason in reasons:
        assert "{" not in reason and "nan" not in reason
        if reason.startswith(("字: ", "词: ")):
            gram = reason[len("字: "):]
            assert sum(ch.isalnum() for ch in gram) >= 2, reason
            assert gram.strip() in PLACEHOLDERS or not any(ch.isupper() for ch in gram), reason
        else:
            assert len(reason) >= 2, reason


def test_fraud_type_only_for_flagged_rows(three_way_model: ScamModel, sample: pd.DataFrame) -> None:
    classes = set(three_way_model.fraud_type_head.classes)
    for d in three_way_model.decide(sample, explain=False):
        if d.action == ALLOW:
            assert d.fraud_type is None and d.fraud_type_score is None
        else:
            assert d.fraud_type in classes and 0 < d.fraud_type_score <= 1


def test_feature_names_match_model_inputs(demo_model: ScamModel, sample: pd.DataFrame) -> None:
    assert demo_model.features(sample).shape[1] == len(demo_model.feature_names)
    assert demo_model.kind == "sms"
