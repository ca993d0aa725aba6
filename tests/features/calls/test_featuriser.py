"""Call featuriser contract: fixed fitted order, NaN for missing columns, extras ignored."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from configs.call import CallConfig, CallFeatureConfig
from features.calls.featuriser import CallFeaturiser, build_call_featuriser


def test_order_fixed_at_fit_missing_is_nan_extra_ignored() -> None:
    train = pd.DataFrame({"phone_no_m": ["a"], "label": [1], "voc_cnt": [3], "imei_sims": [9], "zzz": [1]})
    featuriser = build_call_featuriser(CallConfig(features=CallFeatureConfig(exclude=["imei_sims"]))).fit(train)
    assert featuriser.get_feature_names_out().tolist() == ["voc_cnt"]
    featuriser = CallFeaturiser().fit(train)
    assert featuriser.get_feature_names_out().tolist() == ["voc_cnt", "imei_sims"]  # PROFILE_COLUMNS order
    scored = pd.DataFrame({"imei_sims": [41], "extra": ["x"]})
    matrix = featuriser.transform(scored)
    assert matrix.dtype == np.float64 and matrix.shape == (1, 2)
    assert np.isnan(matrix[0, 0]) and matrix[0, 1] == 41


def test_transform_before_fit_and_fit_without_columns_fail() -> None:
    with pytest.raises(NotFittedError):
        CallFeaturiser().transform(pd.DataFrame({"voc_cnt": [1]}))
    with pytest.raises(ValueError, match="no profile columns"):
        CallFeaturiser().fit(pd.DataFrame({"phone_no_m": ["a"]}))

