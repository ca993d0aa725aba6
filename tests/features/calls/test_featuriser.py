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

