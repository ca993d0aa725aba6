"""The optimised scoring path decides exactly as the straightforward one it replaced.

Reference: sklearn's own ``TfidfVectorizer.transform`` and the per-column pandas preprocessing.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from features.sms import factory, text
from features.sms.normalise import normalise_text
from features.sms.patterns import cue_rows
from features.sms.preprocess import METADATA_COLUMNS, NormalisedSms, RecordPreprocessor, prepare_records
from features.sms.reasons import SMS_MEMORY_REASON
from features.sms.tokenise import tokenise
from models import scam_model
from models.scam_model import ScamModel
from models.template_memory import TemplateMemory
from tests.conftest import shared_data
from training.data.demo_sms import generate_demo_sms
from training.data.sms.load import load_unlabelled


def _reference_normalise(records: pd.DataFrame) -> NormalisedSms:
    """Per-column pandas normalisation: what a model with a template memory reads first."""
    metadata = [records[c].to_numpy(dtype=object).tolist() if c in records else [None] * len(records) for c in METADATA_COLUMNS]
    return NormalisedSms([normalise_text(t) for t in records["text"].astype(str)], *metadata)


def _reference_preprocess(records: pd.DataFrame | NormalisedSms) -> pd.DataFrame:
    if isinstance(records, NormalisedSms):  # normalised by _reference_normalise (a model with a template memory)
        frame = pd.DataFrame({"norm": records.norm, "tokens": [" ".join(tokenise(t)) for t in records.norm]})
        for column in METADATA_COLUMNS:
            frame[column] = getattr(records, column)
        return frame
    norm = [normalise_text(t) for t in records["text"].astype(str)]
    frame = pd.DataFrame({"norm": norm, "tokens": [" ".join(tokenise(t)) for t in norm]}, index=records.index)
    for column in METADATA_COLUMNS:
        frame[column] = records[column].to_numpy(dtype=object) if column in records else None
    return frame


@pytest.fixture(scope="module")
def memory_model(demo_model: ScamModel, demo_frame: pd.DataFrame) -> ScamModel:
    """The demo model with a template memory of its training rows (no refit: the memory comes after the model)."""
    norms = demo_frame["text"].map(normalise_text).tolist()
    memory = TemplateMemory.fit(norms, demo_frame["label"].to_numpy(), prior_weight=2.0, reason=SMS_MEMORY_REASON)
    return dataclasses.replace(demo_model, template_memory=memory)


@pytest.mark.parametrize("with_memory", [False, True], ids=["model_alone", "with_template_memory"])
def test_fast_path_matches_reference(with_memory: bool, request: pytest.FixtureRequest, monkeypatch):
    model = request.getfixturevalue("memory_model" if with_memory else "demo_model")
    records = generate_demo_sms(n=300, seed=7)
    records.loc[records.index[:5], "sender"] = None
    fast = [model.decide(records.iloc[[i]])[0] for i in range(40)] + model.decide(records.iloc[40:])
    with monkeypatch.context() as patch:
        patch.setattr(text, "tfidf_transform", lambda vectoriser, documents: vectoriser.transform(documents))
        patch.setattr(factory, "prepare_records", _reference_preprocess)
        patch.setattr(scam_model, "normalise_records", _reference_normalise)
        reference = model.decide(records)
    assert any(d.action != "allow" for d in reference) and any(d.reasons for d in reference)
    memory_said = any(d.reasons[:1] and d.reasons[0].startswith("与训练数据中") for d in reference)
    assert memory_said == with_memory  # the memory raised some flagged messages, and only with it
    np.testing.assert_allclose([d.score for d in fast], [d.score for d in reference], rtol=0, atol=1e-9)
    assert [(d.action, d.fraud_type, d.reasons) for d in fast] == [(d.action, d.fraud_type, d.reasons) for d in reference]
    np.testing.assert_allclose(
        [d.fraud_type_score or 0.0 for d in fast], [d.fraud_type_score or 0.0 for d in reference], rtol=0, atol=1e-9
    )
    assert [d.category for d in fast] == [d.category for d in reference]


class _HstackedLinear:
    """The margins as training computes them: per model, one hstacked [characters | cues] matrix."""

    def __init__(self, models: list, n_chars: int) -> None:
        self.models = models

    def margins(self, chars: sp.csr_matrix, cues: np.ndarray | None) -> list[np.ndarray]:
        inputs = chars if cues is None else sp.hstack([chars, sp.csr_matrix(cues)], format="csr")
        return [text.TextFeatures._margins(inputs, model) for model in self.models]


def test_linear_margins_without_hstack_are_bit_identical() -> None:
    """Real mudou SMS and demo scams (whose script cues fire), one at a time and batched, through
    text features whose linear models read the cues (binary, per-type and fraud scores, stacked
    into one product): every column equals the per-model hstacked computation exactly, not nearly."""
    train = generate_demo_sms(n=400, seed=1)
    prepare = RecordPreprocessor().fit(train)
    features = text.TextFeatures(char_max_features=3000, word_max_features=2000, linear_folds=3, booster_grams=200, cue_weight=1.0)
    features.fit_transform(prepare.transform(train), train["label"], fraud_type=train["fraud_type"], category=train["category"])
    assert features.type_classes_ and "fraud" in features.category_linear_
    mudou = load_unlabelled([shared_data("mudou_spam", "mudou_spam.train")]).frame.sample(150, random_state=3)
    demo = generate_demo_sms(n=300, seed=9)
    texts = [*mudou["text"], *demo["text"][demo["label"] == 1][:150]]
    prepared = prepare_records([{"text": t} for t in texts])
    assert cue_rows(prepared.norm).any()
    singles = [prepare_records([{"text": t}]) for t in texts[::7]]
    fast = [features.transform(one) for one in singles] + [features.transform(prepared)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(text, "_LinearStack", _HstackedLinear)
        patch.setattr(features, "_stack", None)
        slow = [features.transform(one) for one in singles] + [features.transform(prepared)]
    for got, expected in zip(fast, slow, strict=True):
        np.testing.assert_array_equal(got.toarray(), expected.toarray())


def test_decisions_carry_the_models_values_as_plain_python(demo_model) -> None:
    """Decisions read their scores, actions and watched values from the arrays once (``tolist``):
    plain ``float``/``str`` values equal to the arrays' own, row by row, in a mixed batch."""
    records = generate_demo_sms(n=80, seed=3)
    decisions = demo_model.decide(records)
    features = demo_model.features(records)
    scores = demo_model.score_features(features)
    assert {d.action for d in decisions} >= {"allow"} and any(d.action != "allow" for d in decisions)
    assert all(type(d.score) is float and type(d.action) is str and type(d.fraud_score) is float for d in decisions)
    assert [d.score for d in decisions] == [float(s) for s in scores]
    watched = np.array([d.watched for d in decisions], dtype=np.float64)
    assert all(type(v) is float for d in decisions for v in d.watched)
    np.testing.assert_array_equal(watched, demo_model.watched_values(features).astype(np.float64))
