"""``yunmao report --compare`` sets two models of one kind side by side on the same data."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

import training.report.model as report_model
from configs.report import ReportConfig


def test_a_model_of_the_other_kind_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A call model scores SMS records as all-unknown: the report showed its constant score as a
    comparison (ROC-AUC 0.5, every message blocked) with exit code 0."""
    monkeypatch.setattr(report_model, "resolve_model_version", lambda uri: ("yunmao-call", "3"))
    monkeypatch.setattr(report_model, "load_scam_model", lambda uri: SimpleNamespace(kind="call"))
    records = pd.DataFrame({"id": ["a"], "text": ["您好"], "label": [1]})
    with pytest.raises(ValueError, match=r"--compare models:/yunmao-call@champion is a call model and yunmao-sms v2 a sms model"):
        report_model.evaluate_for_report(SimpleNamespace(kind="sms"), "yunmao-sms", "2", records, ReportConfig(),
                                         "models:/yunmao-call@champion")
