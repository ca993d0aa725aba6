"""features/factory.py: one unfitted pipeline, configured by FeatureConfig, raw records → matrix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from configs.sms import BoosterGramsConfig, CharNgramConfig, FeatureConfig, LinearScoreConfig, WordConfig
from features.sms.factory import build_sms_featuriser
from features.sms.metadata import SENDER_KINDS
from features.sms.patterns import ENTITY_REASONS
from features.sms.text import LINEAR_SCORE_NAME
from training.data.demo_sms import generate_demo_sms

CONFIG = FeatureConfig(
    char=CharNgramConfig(min_n=1, max_n=2, max_features=2000),
    word=WordConfig(max_ngram=1, max_features=1000),
    linear_score=LinearScoreConfig(folds=2),
    booster_grams=BoosterGramsConfig(max_features=40),
)


@pytest.fixture(scope="module")
def fitted():
    records = generate_demo_sms(n=200, seed=3)
    featuriser = build_sms_featuriser(CONFIG, seed=0)
    matrix = featuriser.fit_transform(records, records["label"].to_numpy())
    return featuriser, matrix


def test_factory_returns_an_unfitted_pipeline() -> None:
    with pytest.raises(NotFittedError):
        check_is_fitted(build_sms_featuriser(CONFIG))


def test_every_column_has_a_unique_readable_name(fitted) -> None:
    featuriser, matrix = fitted
    names = list(featuriser.get_feature_names_out())
    assert matrix.shape[1] == len(names) == len(set(names))
    assert LINEAR_SCORE_NAME in names
    assert set(ENTITY_REASONS.values()) <= set(names)
    assert set(SENDER_KINDS.values()) <= set(names)


def test_config_limits_reach_the_text_features(fitted) -> None:
    names = [str(name) for name in fitted[0].get_feature_names_out()]
    grams = [name for name in names if name.startswith(("字: ", "词: "))]
    assert len(grams) == CONFIG.booster_grams.max_features
    assert all(len(name) - len("字: ") <= CONFIG.char.max_n for name in grams if name.startswith("字: "))
    assert not any(" " in name[len("词: "):] for name in grams if name.startswith("词: "))  # unigrams only


def test_serving_records_without_metadata_get_the_same_columns(fitted) -> None:
    featuriser, matrix = fitted
    served = featuriser.transform(pd.DataFrame({"text": ["请转入安全账户", "到家了"]}))
    assert served.shape == (2, matrix.shape[1])


def test_sample_weights_reach_every_linear_text_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Copies as weights (``duplicates: {policy: weight}``): the unwanted, per-type and category
    linear models, in and out of fold, all fit with the records' weights, and the weights change
    the model (a featuriser that dropped them would fit exactly the unweighted one)."""
    records = generate_demo_sms(n=200, seed=3)
    labels = records["label"].to_numpy()
    weights = 1 + np.log(1 + np.arange(len(records)) % 5)
    seen: list = []
    fit = LogisticRegression.fit

    def spy(self, x, y, sample_weight=None):
        seen.append(sample_weight)
        return fit(self, x, y, sample_weight=sample_weight)

    monkeypatch.setattr(LogisticRegression, "fit", spy)
    weighted = build_sms_featuriser(CONFIG, seed=0)
    weighted.fit_transform(records, labels, sample_weight=weights)
    folds_and_all = CONFIG.linear_score.folds + 1
    models = 1 + bool(weighted.text.type_classes_) + len(weighted.text.category_linear_)
    assert models >= 3 and len(seen) == folds_and_all * models  # unwanted, per-type, category
    assert all(w is not None for w in seen)
    assert any(len(w) == len(records) and np.allclose(w, weights) for w in seen)
    unweighted = build_sms_featuriser(CONFIG, seed=0)
    unweighted.fit_transform(records, labels)
    assert not np.allclose(weighted.text.linear_.coef_, unweighted.text.linear_.coef_)
