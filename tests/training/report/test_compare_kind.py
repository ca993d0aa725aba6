"""``yunmao report --compare`` sets two models of one kind side by side on the same data."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

import training.report.model as report_model


def test_a_model_of_the_other_kind_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A call model scores SMS records as all-unknown: the report showed its constant score as a
    comparison (ROC-AUC 0.5, every message blocked) with exit code 0."""
    monkeypatch.setattr(report_model, "resolve_model_version", lambda uri: ("yunmao-call", "3"))
    monkeypatch.setattr(report_model, "load_scam_model", lambda uri: SimpleNamespace(kind="call"))
    with pytest.raises(ValueError, match=r"--compare models:/yunmao-call@champion is a call model and yunmao-sms v2 a sms model"):
        report_model.compared_model("models:/yunmao-call@champion", "sms", "yunmao-sms v2")


def test_the_compared_models_rows_are_put_in_the_first_models_order() -> None:
    """Each model loads the file for itself (call profiles with its own config): its rows pair with
    the first model's by number, whatever order its load gave them."""
    records = pd.DataFrame({"phone_no_m": ["a", "b", "c"], "label": [1, 0, 1]})
    other = pd.DataFrame({"phone_no_m": ["c", "a", "b"], "calls": [3.0, 1.0, 2.0]})
    assert report_model.aligned(records, other)["calls"].tolist() == [1.0, 2.0, 3.0]


def test_loads_of_different_records_are_refused() -> None:
    records = pd.DataFrame({"phone_no_m": ["a", "b", "c"], "label": [1, 0, 1]})
    with pytest.raises(ValueError, match=r"different records from the data \(2 phone_no_ms in one load only\)"):
        report_model.aligned(records, pd.DataFrame({"phone_no_m": ["a", "b", "d"]}))
