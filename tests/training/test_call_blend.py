"""``blend`` in configs/call.yaml: ExtraTrees cross-fitted beside LightGBM, weight chosen out of fold."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from pydantic import ValidationError

from configs.call import BlendConfig, CallConfig
from configs.sms import ThresholdConfig
from models.blend import TreeBlend
from tests.training.test_call_graph_model import CONFIG, numbers_and_links
from training.fit import _blend_weight
from training.train_call import fit_call_model

SMALL_TREES = {"trees": 30, "min_samples_leaf": 2, "max_features": 0.5}


@pytest.fixture(scope="module")
def data():
    frame, _ = numbers_and_links(n=300, seed=1)
    return frame.iloc[:220].reset_index(drop=True), frame.iloc[220:].reset_index(drop=True)


def _fit(train, blend: BlendConfig | None):
    return fit_call_model(train, CONFIG.model_copy(update={"blend": blend})).fit


def test_a_blended_model_serves_its_trees_and_scores_unseen_numbers_differently(data) -> None:
    train, test = data
    plain, mixed = _fit(train, None), _fit(train, BlendConfig(**SMALL_TREES, weights=[0.5]))
    assert isinstance(mixed.model.blend, TreeBlend) and mixed.model.blend.weight == 0.5
    assert mixed.metrics["blend_weight"] == 0.5 and "blend_weight" not in plain.metrics
    records = test.drop(columns="label")
    scores = mixed.model.score(records)
    assert ((scores > 0) & (scores < 1)).all()
    assert not np.allclose(scores, plain.model.score(records))
    # What is pickled (the registered model) scores exactly as the fitted one.
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(mixed.model)).score(records), scores)


def test_weight_zero_serves_no_trees_and_leaves_the_model_as_lightgbm_alone(data) -> None:
    train, test = data
    plain, zero = _fit(train, None), _fit(train, BlendConfig(**SMALL_TREES, weights=[0.0]))
    assert zero.model.blend is None and zero.metrics["blend_weight"] == 0.0
    records = test.drop(columns="label")
    np.testing.assert_array_equal(zero.model.score(records), plain.model.score(records))
    assert zero.model.thresholds == plain.model.thresholds


def test_the_weight_goes_to_the_learner_that_separates_out_of_fold() -> None:
    rng = np.random.default_rng(0)
    y = (rng.random(2000) < 0.3).astype(int)
    informative, noise = (2 * y - 1) * 3.0 + rng.normal(0, 1, len(y)), rng.normal(0, 1, len(y))
    cfg = BlendConfig(weights=[0.0, 0.5, 1.0])
    assert _blend_weight(cfg, informative, noise, y, ThresholdConfig()) == 0.0
    assert _blend_weight(cfg, noise, informative, y, ThresholdConfig()) == 1.0


@pytest.mark.parametrize(("blend", "message"), [
    ({"weights": [0.5, 1.5]}, "in \\[0, 1\\]"),
    ({"weights": []}, "weights"),
    ({"max_features": 0}, "max_features"),
    ({"trees": 0}, "trees"),
])
def test_bad_blend_settings_are_refused(blend: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        CallConfig(blend=blend)
