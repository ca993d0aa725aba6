"""features/factory.py: one unfitted pipeline, configured by FeatureConfig, raw records → matrix."""

from __future__ import annotations

import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
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
