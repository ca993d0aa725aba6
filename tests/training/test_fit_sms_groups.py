"""training/train.py fit_sms: the cross-fitting groups are exact normalised text unless the caller
passes its own (benchmarks/block_point.py passes template groups, so near-duplicates share a fold)."""

from __future__ import annotations

import pandas as pd
import pytest

import training.train as train_module
from configs.sms import SmsConfig


def _groups_given_to_the_fit(monkeypatch: pytest.MonkeyPatch, **kwargs) -> list:
    seen = {}

    def spy(frame, **fit_kwargs):
        seen["groups"] = fit_kwargs["groups"]
        raise StopIteration  # only the arguments matter here

    monkeypatch.setattr(train_module, "fit_scam_model", spy)
    frame = pd.DataFrame({"text": ["您好！", "您好!", "中奖了"], "label": [0, 0, 1]}, index=[7, 8, 9])
    with pytest.raises(StopIteration):
        train_module.fit_sms(frame, SmsConfig(), **kwargs)
    return seen["groups"].tolist()


def test_default_groups_are_normalised_text(monkeypatch: pytest.MonkeyPatch) -> None:
    first, second, third = _groups_given_to_the_fit(monkeypatch)
    assert first == second != third  # a full-width variant of one text shares its group


def test_caller_groups_are_used_by_position(monkeypatch: pytest.MonkeyPatch) -> None:
    groups = pd.Series(["a", "b", "a"], index=[70, 80, 90])  # the index need not match the frame's
    assert _groups_given_to_the_fit(monkeypatch, groups=groups) == ["a", "b", "a"]
