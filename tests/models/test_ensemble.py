"""models/ensemble.py: a bag of boosters predicts the mean of its members, plus any base margin."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pytest
import scipy.sparse as sp

from models.ensemble import BoosterBag, base_margin, booster_shape, predict
from models.shap_table import contribution_table

PROBABILITY_COLUMN = 5


@pytest.fixture(scope="module")
def boosters_and_data() -> tuple[list[lgb.Booster], sp.csr_matrix]:
    rng = np.random.default_rng(0)
    x = sp.random(200, 6, density=0.5, format="lil", random_state=0, dtype=np.float64)
    x[:, PROBABILITY_COLUMN] = rng.uniform(0.05, 0.95, (200, 1))  # a probability-valued feature
    x = x.tocsr()
    y = (x[:, 0].toarray().ravel() + rng.normal(0, 0.1, 200) > 0.2).astype(int)
    params = {"objective": "binary", "verbosity": -1, "num_leaves": 4, "min_data_in_leaf": 5, "num_threads": 1}
    boosters = [lgb.train({**params, "seed": seed, "bagging_fraction": 0.7, "bagging_freq": 1}, lgb.Dataset(x, y), 10 + seed)
                for seed in range(3)]
    return boosters, x


def test_raw_margin_is_the_members_mean(boosters_and_data) -> None:
    boosters, x = boosters_and_data
    expected = np.mean([b.predict(x, raw_score=True) for b in boosters], axis=0)
    np.testing.assert_allclose(BoosterBag(boosters).raw_margin(x), expected)


def test_base_margin_is_the_logit_of_its_column_and_is_added(boosters_and_data) -> None:
    boosters, x = boosters_and_data
    p = x[:, PROBABILITY_COLUMN].toarray().ravel()
    np.testing.assert_allclose(base_margin(x, PROBABILITY_COLUMN), np.log(p / (1 - p)))
    plain, based = BoosterBag(boosters), BoosterBag(boosters, base_margin_column=PROBABILITY_COLUMN)
    np.testing.assert_allclose(based.raw_margin(x), plain.raw_margin(x) + np.log(p / (1 - p)))


@pytest.mark.parametrize("column", [None, PROBABILITY_COLUMN])
def test_contributions_sum_to_the_raw_margin(boosters_and_data, column: int | None) -> None:
    boosters, x = boosters_and_data
    bag = BoosterBag(boosters, base_margin_column=column)
    contrib = bag.contributions(x).toarray()
    np.testing.assert_allclose(contrib.sum(axis=1), bag.raw_margin(x), atol=1e-9)
    if column is not None:  # the base margin is credited to the feature it came from
        plain = BoosterBag(boosters).contributions(x).toarray()
        np.testing.assert_allclose(contrib[:, column] - plain[:, column], base_margin(x, column), atol=1e-9)


def test_importance_and_iterations_cover_every_member(boosters_and_data) -> None:
    boosters, x = boosters_and_data
    bag = BoosterBag(boosters)
    assert bag.feature_importance("gain").shape == (x.shape[1],)
    assert len(bag.best_iterations) == len(boosters)


def test_predict_with_a_kept_predictor_equals_booster_predict(demo_fit, demo_frame) -> None:
    """Every booster a fit serves or cross-fits (early-stopped members included), on one row and
    on a batch, for each kind of output the models read: the same numbers as ``Booster.predict``."""
    model = demo_fit.model
    features = model.features(demo_frame.head(60))
    heads = [*model.booster.boosters, *demo_fit.cross_fitted_model().booster.boosters,
             *model.category_head.boosters, *model.fraud_type_head.boosters]
    assert any(b.best_iteration > 0 for b in heads)  # members that predict with fewer trees than they hold
    for booster in heads:
        for rows in (features[:1], features):
            for kind in ({"raw_score": True}, {}, {"pred_contrib": True}):
                kept, fresh = predict(booster, rows, **kind), booster.predict(rows, num_threads=1, **kind)
                np.testing.assert_array_equal(_dense(kept), _dense(fresh))


def _dense(output) -> np.ndarray:
    """A prediction as one array (multiclass contributions of sparse input come as a list per class)."""
    if isinstance(output, list):
        return np.hstack([_dense(part) for part in output])
    return output.toarray() if sp.issparse(output) else np.asarray(output)


def test_one_row_contributions_equal_the_batch_path(demo_fit, demo_frame) -> None:
    """LightGBM's TreeSHAP for one message comes from its dense single-row output
    (``BoosterBag._row_contributions``); for a batch through its sparse output and scipy; and a
    served booster's contributions are looked up from its tables (``models/shap_table.py``).
    Served booster with its base margin, and each cross-fitted member alone: the same entries with
    the same values from all three, row by row, whatever order the batch path leaves them in."""
    model = demo_fit.model
    features = model.features(demo_frame.head(60))
    bags = [model.booster] + [BoosterBag([member], model.booster.base_margin_column)
                              for member in demo_fit.cross_fitted_model().booster.boosters]
    assert model.booster.base_margin_column is not None
    for bag in bags:
        assert contribution_table(bag.boosters[0]) is not None  # the served trees are all numerical
        batch = bag.lightgbm_contributions(features)
        looked_up = bag.contributions(features)
        for row in range(features.shape[0]):
            expected = batch[row].tocsr()
            expected.sort_indices()
            for one in (bag.lightgbm_contributions(features[row]), bag.contributions(features[row]), looked_up[row]):
                assert one.shape == expected.shape
                np.testing.assert_array_equal(one.indices, expected.indices)
                np.testing.assert_array_equal(one.data, expected.data)


@pytest.mark.parametrize("kind", [{"raw_score": True}, {}], ids=["raw scores", "probabilities"])
def test_one_row_outputs_keep_booster_predict_shapes(demo_fit, demo_frame, kind: dict[str, bool]) -> None:
    """One row through the single-row entry point: a binary booster gives a (1,) array, a
    multiclass head (1, classes), as ``Booster.predict`` does, so callers index them alike."""
    model = demo_fit.model
    row = model.features(demo_frame.head(1))
    for booster in (*model.booster.boosters, *model.category_head.boosters, *model.fraud_type_head.boosters):
        assert predict(booster, row, **kind).shape == booster.predict(row, **kind).shape


def test_booster_shape_is_what_lightgbm_reports(demo_fit) -> None:
    """The counts ``predict_row`` sizes its output with, read once per booster: binary, stacked
    category head and fraud-type head alike."""
    model = demo_fit.model
    for booster in (*model.booster.boosters, *model.category_head.boosters, *model.fraud_type_head.boosters):
        assert booster_shape(booster) == (booster.num_model_per_iteration(), booster.num_feature())
        assert booster_shape(booster) is booster_shape(booster)
