"""models/scam_model.py Thresholds.actions: the single owner of "score → block / warn / allow"."""

from __future__ import annotations

import numpy as np

from models.scam_model import ALLOW, BLOCK, WARN, Thresholds
from training.report.inputs import ModelRun


def test_cut_offs_are_inclusive_and_nested() -> None:
    cut = Thresholds(block=0.8, warn=0.5)
    scores = np.array([0.0, 0.4999, 0.5, 0.7999, 0.8, 1.0])
    assert cut.actions(scores).tolist() == [ALLOW, ALLOW, WARN, WARN, BLOCK, BLOCK]


def test_report_runs_act_through_thresholds(monkeypatch) -> None:
    """The report's actions come from Thresholds, so a change of rule there reaches reports too."""
    monkeypatch.setattr(Thresholds, "actions", lambda self, scores: np.full(len(scores), f"cut@{self.block}"))
    run = ModelRun(name="m", scores=np.array([0.1, 0.9]), block=0.8, warn=0.5)
    assert run.actions().tolist() == ["cut@0.8", "cut@0.8"]
