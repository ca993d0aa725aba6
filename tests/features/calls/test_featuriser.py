"""Call featuriser contract: fixed fitted order, NaN for missing columns, extras ignored."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from configs.call import CallConfig, CallFeatureConfig, ColumnExclusion
from features.calls.featuriser import CallFeaturiser, build_call_featuriser


def test_every_numeric_column_used_order_fixed_at_fit_missing_is_nan_and_named() -> None:
    train = pd.DataFrame(
        {"phone_no_m": ["a"], "label": [1], "voc_cnt": [3], "imei_sims": [9], "contest_only": [1.5], "note": ["x"]}
    )
    exclusion = ColumnExclusion(column="imei_sims", reason="ablation in this test")
    featuriser = build_call_featuriser(CallConfig(features=CallFeatureConfig(exclude=[exclusion]))).fit(train)
    assert featuriser.get_feature_names_out().tolist() == ["voc_cnt", "contest_only"]
    featuriser = CallFeaturiser().fit(train)
    assert featuriser.get_feature_names_out().tolist() == ["voc_cnt", "imei_sims", "contest_only"]  # the frame's order
    scored = pd.DataFrame({"imei_sims": [41], "extra": ["x"]})
    assert featuriser.missing_columns(scored) == ["voc_cnt", "contest_only"]
    matrix = featuriser.transform(scored)
    assert matrix.dtype == np.float64 and matrix.shape == (1, 3)
    assert np.isnan(matrix[0, 0]) and matrix[0, 1] == 41 and np.isnan(matrix[0, 2])


def test_an_exclusion_needs_a_reason() -> None:
    with pytest.raises(ValueError, match="reason"):
        CallFeatureConfig.model_validate({"exclude": [{"column": "fake_ratio"}]})


def test_transform_before_fit_and_fit_without_columns_fail() -> None:
    with pytest.raises(NotFittedError):
        CallFeaturiser().transform(pd.DataFrame({"voc_cnt": [1]}))
    with pytest.raises(ValueError, match="no profile columns"):
        CallFeaturiser().fit(pd.DataFrame({"phone_no_m": ["a"]}))



def test_mappings_give_the_frames_values() -> None:
    """Serving's path (one mapping per profile, no frame) converts each value as the frame's
    ``to_numeric(errors="coerce")`` does: numbers, bools, numeric text, junk and absence."""
    train = pd.DataFrame({"a": [1.0, 2.0], "b": [3, 4], "c": [0.5, 0.1]})
    featuriser = CallFeaturiser().fit(train)
    records = [
        {"a": 1, "b": 2.5, "c": np.float32(0.25), "extra": "ignored"},
        {"a": None, "b": float("nan"), "c": True},
        {"a": "3.5", "b": "not a number", "c": [1, 2]},
        {"a": np.int64(7)},
    ]
    expected = featuriser.transform(pd.DataFrame.from_records(records[:2] + [{"a": "3.5", "b": "not a number"}, records[3]]))
    got = featuriser.transform(records)
    assert got.dtype == np.float64 and got.shape == (4, 3)
    np.testing.assert_array_equal(got[:, :2], expected[:, :2])
    np.testing.assert_array_equal(got[[0, 1, 3], 2], expected[[0, 1, 3], 2])
    assert np.isnan(got[2, 2])  # a list is no number (a frame cannot hold one per cell to compare with)
    assert featuriser.transform([]).shape == (0, 3)


def _selection_frame(rows: int = 600, noise: int = 8, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, list]:
    """One real signal column, noise columns, and ``leaky``: the label on fold 0's held-out rows,
    noise everywhere else (what only fold 0's held-out labels would pick)."""
    rng = np.random.default_rng(seed)
    y = (rng.random(rows) < 0.3).astype(int)
    order = rng.permutation(rows)
    folds = [(np.setdiff1d(order, part), np.sort(part)) for part in np.array_split(order, 3)]
    frame = pd.DataFrame({"signal": y + rng.normal(0, 0.8, rows), **{f"noise{i}": rng.normal(size=rows) for i in range(noise)}})
    leaky = rng.normal(size=rows)
    leaky[folds[0][1]] = y[folds[0][1]] * 3.0
    frame["leaky"] = leaky
    return frame, y, folds


def test_selection_keeps_useful_columns_and_no_fold_uses_a_column_its_held_out_labels_chose() -> None:
    frame, y, folds = _selection_frame()
    featuriser = CallFeaturiser(keep_top=2, selection_rounds=30, selection_params={"num_threads": 1, "min_data_in_leaf": 20})
    featuriser.fit(frame, y, folds=folds)
    kept = featuriser.get_feature_names_out().tolist()
    assert "signal" in kept and "leaky" in kept  # the all-rows choice (the refit's) sees fold 0's rows
    assert len(kept) < frame.shape[1], "noise columns are dropped"
    assert featuriser.transform(frame).shape == (len(frame), len(kept))
    masks = featuriser.fold_column_masks_
    assert len(masks) == len(folds) and all(mask.sum() <= 2 and mask[kept.index("signal")] for mask in masks)
    assert not masks[0][kept.index("leaky")], "fold 0's booster may not use what its held-out labels chose"


def test_selection_without_labels_is_refused_and_the_shipped_config_selects_nothing() -> None:
    frame, _, _ = _selection_frame(rows=60)
    with pytest.raises(ValueError, match="needs labels"):
        CallFeaturiser(keep_top=2).fit(frame)
    shipped = build_call_featuriser(CallConfig()).fit(frame)
    assert shipped.keep_top is None and shipped.fold_column_masks_ is None and len(shipped.columns_) == frame.shape[1]
