"""The served booster's contribution tables (models/shap_table.py) are built when a model is loaded
to serve — by yunmao's service and by a plain MLflow pyfunc load — so no request pays the half
second; the explained requests that follow reuse them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import models.shap_table
from tests.models.conftest import sms


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The boosters whose tables are built from here on, one entry per build."""
    built: list[object] = []
    real = models.shap_table._build

    def counted(booster):
        built.append(booster)
        return real(booster)

    monkeypatch.setattr(models.shap_table, "_build", counted)
    return built


def load_to_serve(uri: str):
    from serving.model_source import resolve_model
    from serving.reload import load_for_serving

    return load_for_serving(resolve_model(uri), "sms", cache_entries=0).model


def load_pyfunc(uri: str):
    import mlflow

    return mlflow.pyfunc.load_model(uri).unwrap_python_model().model


@pytest.mark.parametrize("load", [load_to_serve, load_pyfunc])
def test_tables_are_built_at_load_and_reused(load: Callable[[str], object], sms_model_uri: str, builds: list[object]) -> None:
    model = load(sms_model_uri)
    assert builds == [model.booster.boosters[0]]
    assert models.shap_table.contribution_table(model.booster.boosters[0]) is not None
    decisions = model.decide(sms("【公安局】您涉嫌洗钱，请立即将资金转入安全账户配合调查，否则将被通缉",
                                 "您的快递已丢失，客服将为您办理理赔，请添加微信 kf2024 领取赔偿金"), explain=True)
    assert any(d.reasons for d in decisions)  # explained, so contributions were read
    assert len(builds) == 1


@pytest.mark.parametrize("load", [load_to_serve, load_pyfunc])
def test_a_message_scored_alone_after_load_scores_as_in_a_batch(load: Callable[[str], object], sms_model_uri: str) -> None:
    """Loading scores the probes one message at a time (LightGBM's one-row predictor, kept per
    booster) and then builds the tables tree by tree: a message scored alone afterwards still gets
    the booster's score, not one tree's."""
    model = load(sms_model_uri)
    records = sms("【公安局】您涉嫌洗钱，请立即将资金转入安全账户配合调查，否则将被通缉",
                  "妈，我周末回家吃饭，帮我留点饺子", "您的快递已丢失，客服将为您办理理赔，请添加微信 kf2024 领取赔偿金")
    alone = [model.decide(records.iloc[[i]])[0].score for i in range(len(records))]  # first: a batch resets LightGBM's range
    in_batch = [d.score for d in model.decide(records)]
    assert alone == pytest.approx(in_batch, abs=1e-9)
