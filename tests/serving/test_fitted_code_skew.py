"""A registered SMS model is only scored where this checkout's code reproduces what the model made of
the probes when it was registered (``models/probe_outputs.py``): its feature rows and its scores, in a
batch and one message at a time. The session's small SMS model is registered, then a fitted step's
code is changed in this process, as a developer's edit would: the TF-IDF counting that stands in for
scikit-learn's (rows no longer normalised) and LightGBM's one-row call (scores shifted). yunmao's
loader and a plain ``mlflow.pyfunc`` load then refuse it, naming what moved."""

from __future__ import annotations

import mlflow
import numpy as np
import pytest

import features.sms.tfidf
import models.ensemble
from features.sms.behaviour import probe_records
from models.provenance import IncompatibleModelError
from models.registry import load_scam_model


def test_the_registered_model_carries_its_outputs_on_every_probe_and_loads(sms_model_uri: str) -> None:
    model = load_scam_model(sms_model_uri)
    recorded = model.probe_outputs
    assert list(recorded.records) == probe_records()
    assert recorded.features.shape == (len(recorded.records), len(model.feature_names))
    assert np.all((recorded.scores >= 0) & (recorded.scores <= 1))


def test_tfidf_code_that_no_longer_normalises_rows_refuses_the_model(sms_model_uri: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(features.sms.tfidf, "inplace_csr_row_normalize_l2", lambda matrix: None)
    refusal = r"gets other features from this checkout's code \(in a batch\) than it got when it was registered: columns '字: "
    with pytest.raises(IncompatibleModelError, match=refusal):
        load_scam_model(sms_model_uri)
    with pytest.raises(IncompatibleModelError, match=refusal):
        mlflow.pyfunc.load_model(sms_model_uri)


def test_a_one_row_prediction_that_moves_scores_refuses_the_model(sms_model_uri: str, monkeypatch: pytest.MonkeyPatch) -> None:
    real = models.ensemble.predict_row
    monkeypatch.setattr(models.ensemble, "predict_row", lambda *args, **kwargs: real(*args, **kwargs) + 0.05)
    with pytest.raises(IncompatibleModelError, match=r"scores its probes differently with this checkout's code \(one message at a time\)"):
        load_scam_model(sms_model_uri)
