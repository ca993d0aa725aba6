"""The SMS drift reference is the served model's own output on rows held out of its fit, and each
decision carries the values of the features that reference watches."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pandas as pd
import scipy.sparse as sp

from features.sms.text import LINEAR_SCORE_NAME
from models.scam_model import REFERENCE_SCORE, ScamModel
from tests.models.conftest import SMALL_SMS_CONFIG, held_rows
from training.fit import reference_holdout


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


def _scipy_columns(features, names: list[str], model: ScamModel) -> np.ndarray:
    """What the watched values were before they were read by position: scipy column indexing."""
    return features[:, [model.feature_names.index(name) for name in names]].toarray()


def test_a_replaced_reference_changes_the_watched_values(demo_model: ScamModel, demo_frame: pd.DataFrame) -> None:
    """Training sets the reference after the model has already decided; the watched columns
    follow the reference the model has now, not the one it had at its first decision."""
    model = copy.deepcopy(demo_model)
    records = demo_frame.head(8)
    model.decide(records)
    chosen = [model.feature_names[-1], model.feature_names[0], LINEAR_SCORE_NAME]
    model.reference = {REFERENCE_SCORE: np.zeros(3), **{name: np.zeros(3) for name in chosen}, "不是本模型的特征": np.zeros(3)}
    assert model.watched_features == chosen
    features = model.features(records)
    np.testing.assert_array_equal([d.watched for d in model.decide(records)], _scipy_columns(features, chosen, model))
    model.reference = {}
    assert model.watched_features == [] and all(d.watched == () for d in model.decide(records))


def test_watched_columns_survive_pickling_and_are_not_pickled(demo_model: ScamModel, demo_frame: pd.DataFrame) -> None:
    restored = pickle.loads(pickle.dumps(demo_model))
    assert not {"_watched", "_lead"} & set(demo_model.__getstate__())
    assert restored.watched_features == demo_model.watched_features
    records = demo_frame.head(8)
    np.testing.assert_array_equal([d.watched for d in restored.decide(records)],
                                  _scipy_columns(demo_model.features(records), demo_model.watched_features, demo_model))
