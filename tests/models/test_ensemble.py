"""models/ensemble.py: a bag of boosters predicts the mean of its members."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pytest
import scipy.sparse as sp

from models.ensemble import BoosterBag


@pytest.fixture(scope="module")
def bag_and_data() -> tuple[BoosterBag, sp.csr_matrix]:
    rng = np.random.default_rng(0)
    x = sp.random(200, 6, density=0.5, format="csr", random_state=0, dtype=np.float64)
    y = (x[:, 0].toarray().ravel() + rng.normal(0, 0.1, 200) > 0.2).astype(int)
    params = {"objective": "binary", "verbosity": -1, "num_leaves": 4, "min_data_in_leaf": 5, "num_threads": 1}
    boosters = [lgb.train({**params, "seed": seed, "bagging_fraction": 0.7, "bagging_freq": 1}, lgb.Dataset(x, y), 10 + seed)
                for seed in range(3)]
    return BoosterBag(boosters), x


@pytest.mark.parametrize("raw_score", [False, True])
def test_prediction_is_the_members_mean(bag_and_data, raw_score: bool) -> None:
    bag, x = bag_and_data
    expected = np.mean([b.predict(x, raw_score=raw_score) for b in bag.boosters], axis=0)
    np.testing.assert_allclose(bag.predict(x, raw_score=raw_score), expected)


def test_contributions_are_the_members_mean_and_sum_to_the_raw_score(bag_and_data) -> None:
    bag, x = bag_and_data
    contrib = bag.predict(x, pred_contrib=True)
    dense = contrib.toarray() if sp.issparse(contrib) else np.asarray(contrib)
    members = [b.predict(x, pred_contrib=True) for b in bag.boosters]
    expected = np.mean([m.toarray() if sp.issparse(m) else m for m in members], axis=0)
    np.testing.assert_allclose(dense, expected, atol=1e-12)
    np.testing.assert_allclose(dense.sum(axis=1), bag.predict(x, raw_score=True), atol=1e-9)


def test_importance_and_iterations_cover_every_member(bag_and_data) -> None:
    bag, x = bag_and_data
    assert bag.feature_importance("gain").shape == (x.shape[1],)
    assert len(bag.best_iterations) == len(bag.boosters)
