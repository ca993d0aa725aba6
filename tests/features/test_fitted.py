"""The scoring path's fitted-state check answers as sklearn's does."""

from __future__ import annotations

import pytest
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from features.fitted import require_fitted
from features.sms.patterns import PatternFeatures


def test_an_unfitted_transformer_gets_sklearns_error_and_message():
    unfitted = PatternFeatures()
    with pytest.raises(NotFittedError) as sklearn_error:
        check_is_fitted(unfitted, "names_")
    with pytest.raises(NotFittedError) as ours:
        require_fitted(unfitted, "names_")
    assert str(ours.value) == str(sklearn_error.value)


def test_a_fitted_transformer_passes():
    require_fitted(PatternFeatures().fit(["一条短信"]), "names_")
