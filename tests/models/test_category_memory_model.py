"""A model trained with the category memory on (configs/sms.yaml ``memory.categories``): a
labelled campaign's copies get the category head's probabilities pulled towards the campaign's
categories, so ``fraud_score`` follows; messages of unknown templates decide exactly as without it,
and the counts travel with the pickled model."""

from __future__ import annotations

import dataclasses

import joblib
import numpy as np
import pandas as pd
import pytest

from configs.sms import MemoryConfig
from features.sms.normalise import normalise_text
from models.scam_model import ScamModel
from tests.models.conftest import SMALL_SMS_CONFIG, sms
from training.fit import FitResult
from training.train import fit_sms

NEW_MESSAGES = ["周六上午九点小区东门集合，一起去爬山", "老师，孩子今天发烧请假一天"]  # no demo template has them


@pytest.fixture(scope="module")
def category_fit(demo_frame: pd.DataFrame) -> FitResult:
    memory = MemoryConfig(enabled=True, categories=True)
    return fit_sms(demo_frame, SMALL_SMS_CONFIG.model_copy(update={"memory": memory}))


@pytest.fixture(scope="module")
def with_categories(category_fit: FitResult) -> ScamModel:
    return category_fit.model


@pytest.fixture(scope="module")
def without_categories(with_categories: ScamModel) -> ScamModel:
    bare = dataclasses.replace(with_categories.template_memory, category_names=(), category_counts=None)
    return dataclasses.replace(with_categories, template_memory=bare)


def test_fraud_score_is_the_posterior_mean_of_the_templates_fraud_count(
    with_categories: ScamModel, without_categories: ScamModel, category_fit: FitResult
) -> None:
    records = category_fit.frame.head(200)  # rows the memory counts
    memory, head = with_categories.template_memory, with_categories.category_head
    counts = memory.lookup([normalise_text(t) for t in records["text"]])
    fraud_column = memory.category_names.index(head.fraud)
    named = sum(counts.categories[:, memory.category_names.index(c)] for c in head.classes if c in memory.category_names)
    assert (named > 0).all()
    before = np.array([d.fraud_score for d in without_categories.decide(records, explain=False)])
    after = np.array([d.fraud_score for d in with_categories.decide(records, explain=False)])
    s = memory.prior_weight
    np.testing.assert_allclose(after, (counts.categories[:, fraud_column] + s * before) / (named + s), rtol=1e-9)
    is_fraud = (records["category"] == head.fraud).to_numpy()
    assert is_fraud.any() and (~is_fraud).any()
    assert (after[is_fraud] >= before[is_fraud]).mean() > 0.9 and (after[~is_fraud] <= before[~is_fraud]).mean() > 0.9


def test_unknown_templates_decide_exactly_as_without_category_memory(
    with_categories: ScamModel, without_categories: ScamModel
) -> None:
    records = sms(*NEW_MESSAGES)
    assert not with_categories.template_memory.lookup([normalise_text(t) for t in NEW_MESSAGES]).known.any()
    assert with_categories.decide(records) == without_categories.decide(records)


def test_the_pickled_model_categorises_as_the_trained_one(with_categories: ScamModel, demo_frame: pd.DataFrame, tmp_path) -> None:
    joblib.dump(with_categories, tmp_path / "model.joblib")
    restored = joblib.load(tmp_path / "model.joblib")
    sample = demo_frame.head(50)
    assert restored.decide(sample) == with_categories.decide(sample)
    assert restored.template_memory.category_counts is not None
