"""The SMS drift reference is the served model's own output on rows held out of its fit, and each
decision carries the values of the features that reference watches."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from features.sms.normalise import normalise_text
from features.sms.text import LINEAR_SCORE_NAME
from models.scam_model import REFERENCE_SCORE, ScamModel
from tests.models.conftest import SMALL_SMS_CONFIG
from training.fit import reference_holdout


def held_rows(frame: pd.DataFrame) -> pd.DataFrame:
    groups = frame.reset_index(drop=True)["text"].map(normalise_text)
    _, held = reference_holdout(groups, SMALL_SMS_CONFIG.reference, SMALL_SMS_CONFIG.split.seed)
    return frame.reset_index(drop=True).iloc[held]


def test_reference_scores_are_the_served_scores_of_held_out_rows(demo_model: ScamModel, demo_frame: pd.DataFrame) -> None:
    held = held_rows(demo_frame)
    assert 0 < len(held) <= SMALL_SMS_CONFIG.reference.share * len(demo_frame) + 5
    np.testing.assert_allclose(demo_model.reference[REFERENCE_SCORE], demo_model.score(held), rtol=1e-5)


def test_reference_linear_score_is_the_served_featurisers(demo_model: ScamModel, demo_frame: pd.DataFrame) -> None:
    held = held_rows(demo_frame)
    features = demo_model.features(held)
    column = features[:, demo_model.feature_names.index(LINEAR_SCORE_NAME)]
    served = column.toarray().ravel() if sp.issparse(column) else np.asarray(column).ravel()
    assert LINEAR_SCORE_NAME in demo_model.reference
    np.testing.assert_allclose(demo_model.reference[LINEAR_SCORE_NAME], served, rtol=1e-5)


def test_held_out_groups_are_whole_and_capped() -> None:
    groups = pd.Series([f"g{i // 3}" for i in range(3000)])
    fitted, held = reference_holdout(groups, SMALL_SMS_CONFIG.reference.model_copy(update={"max_rows": 60}), 0)
    assert not set(groups[fitted]) & set(groups[held])
    assert 0 < len(held) <= 66 and len(fitted) + len(held) == 3000


def test_decisions_carry_the_watched_feature_values(demo_model: ScamModel, demo_frame: pd.DataFrame) -> None:
    records = demo_frame.head(5)
    decisions = demo_model.decide(records)
    names = demo_model.watched_features
    assert names and all(len(d.watched) == len(names) for d in decisions)
    features = demo_model.features(records)
    column = features[:, demo_model.feature_names.index(LINEAR_SCORE_NAME)]
    linear = column.toarray().ravel() if sp.issparse(column) else np.asarray(column).ravel()
    position = names.index(LINEAR_SCORE_NAME)
    np.testing.assert_allclose([d.watched[position] for d in decisions], linear, rtol=1e-6)
