"""A small SMS model trained once on demo data (seconds, one thread) for model and behaviour tests."""

from __future__ import annotations

import pandas as pd
import pytest

from configs.sms import (
    BoosterGramsConfig,
    CategoryConfig,
    CharNgramConfig,
    FeatureConfig,
    FraudTypeConfig,
    LightGBMConfig,
    LinearScoreConfig,
    SmsConfig,
    SplitConfig,
    WordConfig,
)
from features.sms.normalise import normalise_text
from models.scam_model import ScamModel
from training.data.demo_sms import generate_demo_sms
from training.fit import FitResult, reference_holdout
from training.train import fit_sms

SMALL_SMS_CONFIG = SmsConfig(
    split=SplitConfig(folds=3),
    features=FeatureConfig(
        char=CharNgramConfig(max_features=3000),
        word=WordConfig(max_features=2000),
        linear_score=LinearScoreConfig(folds=3),
        booster_grams=BoosterGramsConfig(max_features=200),
    ),
    lightgbm=LightGBMConfig(
        params={"learning_rate": 0.1, "num_leaves": 7, "min_data_in_leaf": 10, "num_threads": 1},
        num_boost_round=200,
        early_stopping_rounds=20,
    ),
    fraud_type=FraudTypeConfig(
        lightgbm=LightGBMConfig(
            params={"learning_rate": 0.2, "num_leaves": 7, "min_data_in_leaf": 5, "num_threads": 1},
            num_boost_round=50,
            early_stopping_rounds=10,
        )
    ),
    category=CategoryConfig(
        lightgbm=LightGBMConfig(
            params={"learning_rate": 0.2, "num_leaves": 7, "min_data_in_leaf": 5, "num_threads": 1},
            num_boost_round=50,
            early_stopping_rounds=10,
        )
    ),
    max_reasons=3,
)


@pytest.fixture(scope="session")
def demo_frame() -> pd.DataFrame:
    return generate_demo_sms(n=600, seed=1)


@pytest.fixture(scope="session")
def demo_fit(demo_frame: pd.DataFrame) -> FitResult:
    return fit_sms(demo_frame, SMALL_SMS_CONFIG)


@pytest.fixture(scope="session")
def demo_model(demo_fit: FitResult) -> ScamModel:
    return demo_fit.model


def sms(*texts: str, sender: str | None = None) -> pd.DataFrame:
    """Records for ``texts`` in the record contract (one sender for all, no timestamps)."""
    return pd.DataFrame({"text": list(texts), "sender": [sender] * len(texts), "sent_at": [None] * len(texts)})


def held_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``frame`` that fit_sms with SMALL_SMS_CONFIG holds out for the drift reference."""
    groups = frame.reset_index(drop=True)["text"].map(normalise_text)
    _, held = reference_holdout(groups, SMALL_SMS_CONFIG.reference, SMALL_SMS_CONFIG.split.seed)
    return frame.reset_index(drop=True).iloc[held]
