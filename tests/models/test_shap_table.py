"""models/shap_table.py: TreeSHAP contributions looked up per tree are LightGBM's own, or not used."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pytest
import scipy.sparse as sp

from models.ensemble import NORMAL, RAW_SCORE, BoosterBag, is_one_float32_csr_row, predict_row
from models.shap_table import MAX_CASES_PER_TREE, ZERO_BAND, contribution_table

PARAMS = {"objective": "binary", "verbosity": -1, "num_threads": 1, "min_data_in_leaf": 5}


def _data(rows: int = 400, columns: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, columns))
    x[rng.random(x.shape) < 0.4] = 0.0  # sparse-looking columns, as TF-IDF ones are
    y = ((x[:, 0] + x[:, 1] * x[:, 2] - 0.5 * x[:, 3]) > 0).astype(int)
    return x, y


def _lightgbm(booster: lgb.Booster, x) -> np.ndarray:
    out = booster.predict(x, pred_contrib=True, num_threads=1)
    return out.toarray() if sp.issparse(out) else np.asarray(out)


@pytest.fixture(scope="module")
def deep_booster() -> tuple[lgb.Booster, np.ndarray]:
    """Trees that split on one feature several times (thresholds of one feature combine into one
    case number) and early stopping's best iteration below the trees held."""
    x, y = _data()
    train, valid = lgb.Dataset(x[:300], y[:300]), lgb.Dataset(x[300:], y[300:])
    booster = lgb.train({**PARAMS, "num_leaves": 8, "max_depth": 4}, train, 200, valid_sets=[valid],
                        callbacks=[lgb.early_stopping(5, verbose=False)], keep_training_booster=True)
    assert 0 < booster.best_iteration < booster.current_iteration()
    return booster, x


def test_looked_up_contributions_are_lightgbms_own(deep_booster) -> None:
    booster, x = deep_booster
    table = contribution_table(booster)
    assert table is not None
    np.testing.assert_allclose(table.contributions(x), _lightgbm(booster, x), rtol=0, atol=1e-12)


def test_a_tree_splitting_on_one_feature_twice_is_covered(deep_booster) -> None:
    booster, _ = deep_booster

    def repeats(node: dict, seen: tuple[int, ...] = ()) -> bool:
        if "split_feature" not in node:
            return False
        here = (*seen, node["split_feature"])
        return node["split_feature"] in seen or repeats(node["left_child"], here) or repeats(node["right_child"], here)

    assert any(repeats(tree["tree_structure"]) for tree in booster.dump_model()["tree_info"])


def test_values_on_and_next_to_every_threshold_agree(deep_booster) -> None:
    """A split sends ``value <= threshold`` left, and LightGBM reads values within ZERO_BAND of 0 as
    0 (its trees split at ±ZERO_BAND to tell zero from the rest): rows exactly on a threshold, the
    next float either side of it, and values inside and at the edge of that band fall in the case
    LightGBM puts them in, given densely or as float64 CSR."""
    booster, x = deep_booster
    nodes = [node for tree in booster.dump_model()["tree_info"] for node in _nodes(tree["tree_structure"])]
    assert any(abs(node["threshold"]) == ZERO_BAND for node in nodes)
    rows = []
    for node in nodes:
        threshold = node["threshold"]
        for value in (threshold, np.nextafter(threshold, -np.inf), np.nextafter(threshold, np.inf),
                      0.0, ZERO_BAND / 2, -ZERO_BAND / 2, ZERO_BAND, -ZERO_BAND):
            row = x[len(rows) % len(x)].copy()
            row[node["split_feature"]] = value
            rows.append(row)
    grid = np.array(rows)
    table = contribution_table(booster)
    for given in (grid, sp.csr_matrix(grid)):
        np.testing.assert_allclose(table.contributions(given), _lightgbm(booster, given), rtol=0, atol=1e-12)


def test_sparse_float32_rows_read_as_lightgbm_reads_them(deep_booster) -> None:
    booster, x = deep_booster
    csr = sp.csr_matrix(x.astype(np.float32))
    np.testing.assert_allclose(contribution_table(booster).contributions(csr), _lightgbm(booster, csr), rtol=0, atol=1e-6)
    np.testing.assert_allclose(contribution_table(booster).contributions(csr[3]), _lightgbm(booster, csr[3]), rtol=0, atol=1e-6)


def test_a_bag_of_one_gives_the_pred_contrib_paths_entries(deep_booster) -> None:
    """What explanations read: the same sparse entries (columns, values rounded to float32 for
    float32 input as LightGBM's sparse output stores them, base margin credited) for a batch and
    for one row as LightGBM's batch and single-row paths give."""
    booster, x = deep_booster
    csr = sp.csr_matrix((np.abs(x) / (1 + np.abs(x).max())).astype(np.float32))  # probabilities in column 5, float32 as served
    bag = BoosterBag([booster], base_margin_column=5)
    for rows in (csr, csr[7]):
        looked_up, reference = bag.contributions(rows), bag.lightgbm_contributions(rows).tocsr()
        reference.sort_indices()
        np.testing.assert_array_equal(looked_up.indptr, reference.indptr)
        np.testing.assert_array_equal(looked_up.indices, reference.indices)
        np.testing.assert_array_equal(looked_up.data, reference.data)


def test_a_lone_leaf_tree_adds_only_to_the_expected_value() -> None:
    x, _ = _data()
    booster = lgb.train(PARAMS, lgb.Dataset(x, np.zeros(len(x))), 3)  # nothing to split on
    table = contribution_table(booster)
    assert table is not None
    np.testing.assert_allclose(table.contributions(x[:5]), _lightgbm(booster, x[:5]), rtol=0, atol=1e-12)


def _nan_trained() -> lgb.Booster:
    x, y = _data()
    x[::7, 0] = np.nan
    booster = lgb.train({**PARAMS, "num_leaves": 4}, lgb.Dataset(x, y), 5)
    assert any(n["missing_type"] == "NaN" for t in booster.dump_model()["tree_info"] for n in _nodes(t["tree_structure"]))
    return booster


def _multiclass() -> lgb.Booster:
    x, y = _data()
    return lgb.train({**PARAMS, "objective": "multiclass", "num_class": 3, "num_leaves": 4}, lgb.Dataset(x, y + (x[:, 4] > 1)), 5)


def _categorical() -> lgb.Booster:
    x, y = _data()
    x[:, 5] = np.arange(len(x)) % 4
    y = (x[:, 5] == 2).astype(int)
    booster = lgb.train({**PARAMS, "num_leaves": 4, "min_data_per_group": 5, "cat_smooth": 1}, lgb.Dataset(x, y, categorical_feature=[5]), 5)
    assert any(n["decision_type"] == "==" for t in booster.dump_model()["tree_info"] for n in _nodes(t["tree_structure"]))
    return booster


def _linear() -> lgb.Booster:
    x, y = _data()
    return lgb.train({**PARAMS, "num_leaves": 4, "linear_tree": True}, lgb.Dataset(x, y), 5)


def _too_many_cases() -> lgb.Booster:
    """One tree splitting on 13 features: 2¹³ cases, past MAX_CASES_PER_TREE."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4000, 13))
    y = (x > 0).sum(axis=1) % 2
    booster = lgb.train({**PARAMS, "num_leaves": 64, "max_depth": -1, "min_data_in_leaf": 1, "min_sum_hessian_in_leaf": 0,
                         "feature_fraction": 1.0}, lgb.Dataset(x, y), 1)
    features = {n["split_feature"] for n in _nodes(booster.dump_model()["tree_info"][0]["tree_structure"])}
    assert 2 ** len(features) > MAX_CASES_PER_TREE
    return booster


def _nodes(node: dict) -> list[dict]:
    return [] if "split_feature" not in node else [node, *_nodes(node["left_child"]), *_nodes(node["right_child"])]


@pytest.mark.parametrize("make", [_nan_trained, _multiclass, _categorical, _linear, _too_many_cases],
                         ids=["missing values sent their own way", "multiclass", "categorical split", "linear tree", "too many cases"])
def test_boosters_the_tables_cannot_express_keep_pred_contrib(make) -> None:
    booster = make()
    assert contribution_table(booster) is None
    x = np.random.default_rng(2).normal(size=(50, booster.num_feature()))
    bag = BoosterBag([booster])
    try:
        expected = booster.predict(x, pred_contrib=True, num_threads=1)
    except lgb.basic.LightGBMError as refused:  # linear trees: LightGBM has no TreeSHAP for them either
        with pytest.raises(lgb.basic.LightGBMError, match=str(refused)[:40]):
            bag.contributions(x)
        return
    if booster.num_model_per_iteration() == 1:
        np.testing.assert_allclose(bag.contributions(x).toarray(), expected, rtol=0, atol=1e-12)


def test_building_the_tables_leaves_the_boosters_one_row_scores_alone() -> None:
    """A served booster scores one message through LightGBM's cached one-row predictor, which
    reads the iteration range of the booster's last prediction; the tables are built one tree at
    a time. Scores after the build (as after a reload, when serving builds them) stay the
    booster's own, not one tree's."""
    x, y = _data()
    booster = lgb.train({**PARAMS, "num_leaves": 8}, lgb.Dataset(x, y), 30)
    row = sp.csr_matrix(x[:1].astype(np.float32))
    assert is_one_float32_csr_row(row)  # so the one-row entry point scores it
    expected = {kind: booster.predict(x[:1].astype(np.float32), num_threads=1, raw_score=kind == RAW_SCORE)
                for kind in (RAW_SCORE, NORMAL)}
    for kind, value in expected.items():
        np.testing.assert_array_equal(predict_row(booster, row, kind), value)  # the one-row predictors now cached
    assert contribution_table(booster) is not None
    for kind, value in expected.items():
        np.testing.assert_array_equal(predict_row(booster, row, kind), value)


def test_threads_asking_at_once_share_one_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Dask worker's threads or a service's scoring threads may explain their first rows together:
    the table is built once and every thread gets that one."""
    import threading

    import models.shap_table

    x, y = _data()
    booster = lgb.train({**PARAMS, "num_leaves": 4}, lgb.Dataset(x, y), 20)
    built: list[lgb.Booster] = []
    real = models.shap_table._build
    start = threading.Barrier(8)

    def counted_build(b: lgb.Booster):
        built.append(b)
        return real(b)

    monkeypatch.setattr(models.shap_table, "_build", counted_build)
    tables: list[object] = []

    def ask() -> None:
        start.wait()
        tables.append(contribution_table(booster))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1
    assert len(tables) == 8 and all(table is tables[0] for table in tables) and tables[0] is not None


def test_missing_values_in_rows_read_as_zero_where_the_trees_route_none() -> None:
    """Trees fitted without missing values (``missing_type`` None) read a NaN in a row as 0, as the
    call model's profile columns have them: looked up the same."""
    x, y = _data()
    booster = lgb.train({**PARAMS, "num_leaves": 8}, lgb.Dataset(x, y), 20)
    rows = x[:60].copy()
    rows[::3, :4] = np.nan
    np.testing.assert_allclose(contribution_table(booster).contributions(rows), _lightgbm(booster, rows), rtol=0, atol=1e-12)
