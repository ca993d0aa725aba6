"""A model trained with the template memory on: it survives pickling, and its reasons stay readable."""

from __future__ import annotations

import re

import joblib
import numpy as np
import pandas as pd
import pytest

from configs.sms import TemplateMemoryConfig
from models.scam_model import ScamModel
from tests.models.conftest import SMALL_SMS_CONFIG
from training.train import fit_sms

MEMORY_REASON = re.compile(r"^与训练数据中 (\d+) 条已标注的垃圾/诈骗短信同一模板$")


@pytest.fixture(scope="module")
def memory_model(demo_frame: pd.DataFrame) -> ScamModel:
    features = SMALL_SMS_CONFIG.features.model_copy(update={"template_memory": TemplateMemoryConfig(enabled=True)})
    return fit_sms(demo_frame, SMALL_SMS_CONFIG.model_copy(update={"features": features})).model


def test_the_pickled_model_scores_as_the_trained_one(memory_model: ScamModel, demo_frame: pd.DataFrame, tmp_path) -> None:
    joblib.dump(memory_model, tmp_path / "model.joblib")
    restored = joblib.load(tmp_path / "model.joblib")
    sample = demo_frame.head(50)
    np.testing.assert_array_equal(restored.score(sample), memory_model.score(sample))
    one = sample[["text"]].head(1).to_dict("records")
    assert restored.decide(one)[0] == memory_model.decide(one)[0]


def test_memory_reasons_name_a_positive_count_of_labelled_copies(memory_model: ScamModel, demo_frame: pd.DataFrame) -> None:
    """No column name and no "0 条" reaches an analyst. (On demo data the boosters happen not to split
    on the memory; tests/features/sms/test_reasons.py renders its sentence and its missing case.)"""
    reasons = [reason for decision in memory_model.decide(demo_frame) for reason in decision.reasons]
    assert reasons
    for reason in reasons:
        assert "template" not in reason  # the raw column names never reach an analyst
        counted = MEMORY_REASON.match(reason)
        assert counted is None or int(counted.group(1)) > 0
