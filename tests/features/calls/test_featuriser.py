"""Call featuriser contract: fixed fitted order, NaN for missing columns, extras ignored."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from configs.call import CallConfig, CallFeatureConfig, ColumnExclusion
from features.calls.featuriser import CallFeaturiser, build_call_featuriser
from features.graph.reasons import DEN_ID


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


def test_the_den_id_is_never_a_feature_even_when_no_number_has_one() -> None:
    """A table where no number is in a den holds the id column as all-NaN floats: numeric, yet an id."""
    for den_ids in (["den-3", None], [np.nan, np.nan]):
        train = pd.DataFrame({"phone_no_m": ["a", "b"], "voc_cnt": [3, 4], DEN_ID: den_ids})
        assert CallFeaturiser().fit(train).get_feature_names_out().tolist() == ["voc_cnt"]
