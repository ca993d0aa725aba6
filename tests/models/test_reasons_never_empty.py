"""A warned or blocked message always says why (issue #10: a dev-set scam was warned with no reason)."""

from __future__ import annotations

import pytest

from models.scam_model import ALLOW, ScamModel
from tests.hand_written_sms import CHECK


def test_a_flagged_message_without_a_positive_contribution_still_gets_a_reason(
    demo_model: ScamModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Flagged by fraud_score's own thresholds, a message can have no feature pushing the unwanted
    score up and no script cue to lead with; here every contribution is made non-positive and no cue
    leads, so only the generic reason can speak."""
    contributions = demo_model.booster.contributions
    monkeypatch.setattr(demo_model.booster, "contributions", lambda features: -abs(contributions(features)))
    monkeypatch.setattr(demo_model, "lead_reasons", frozenset())
    flagged = [d for d in demo_model.decide(CHECK.records()[0]) if d.action != ALLOW]
    assert flagged and all(d.reasons for d in flagged), [d.reasons for d in flagged]
