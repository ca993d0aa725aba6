"""serving/sms_scoring.py with the known-template memory and template reputation both on: each
message is reduced to its template once, for both, and the verdicts are those of each part alone."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import features.sms.templates as templates_module
import models.template_memory as memory_module
import serving.reputation as reputation_module
from configs.campaigns import load_campaigns_config
from configs.sms import SmsConfig
from features.sms.normalise import normalise_text
from features.sms.preprocess import normalise_records
from models.scam_model import ScamModel
from serving.cache import LruCache
from serving.reload import LoadedModel
from serving.reputation import TemplateReputation
from serving.sms_scoring import decide_sms
from serving.template_store import open_template_store
from tests.serving.conftest import SMALL_SMS_CONFIG
from training.train import fit_sms

SCRIPT = "【顺丰】尊敬的{name}：您的快递丢失，我司将赔偿您{amount}元，请联系理赔专员{phone}办理，退款链接 http://sf-pei.cn/{path}"
COPIES = [SCRIPT.format(name=name, amount=amount, phone=phone, path=path) for name, amount, phone, path in
          [("张伟", 368, "13812345678", "a1"), ("李建国", 1200, "15900001111", "zz9"), ("王芳", 88, "13700002222", "q")]]


@pytest.fixture(scope="module")
def memory_model(demo_frame: pd.DataFrame) -> ScamModel:
    config = SmsConfig.model_validate({**SMALL_SMS_CONFIG, "memory": {"enabled": True}})
    return fit_sms(demo_frame, config).model


@pytest.fixture
def reputation(tmp_path: Path) -> TemplateReputation:
    shipped = load_campaigns_config()
    reputation = TemplateReputation(shipped, open_template_store(shipped.reputation, f"sqlite:///{tmp_path / 'templates.db'}"))
    reputation.confirm(COPIES[0], 1, "冒充客服")
    return reputation


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every ``normalised_template`` call from now on, wherever the service's path imported it."""
    calls: list[str] = []
    original: Callable[[str], str] = templates_module.normalised_template

    def spy(norm: str) -> str:
        calls.append(norm)
        return original(norm)

    for module in (templates_module, memory_module, reputation_module):
        if hasattr(module, "normalised_template"):
            monkeypatch.setattr(module, "normalised_template", spy)
    return calls


def test_each_message_is_reduced_to_its_template_once(memory_model: ScamModel, reputation: TemplateReputation,
                                                      demo_frame: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    """One request of N messages (cache hits, a repeat within the request, known and confirmed
    templates): N template reductions, not one for the memory and another for reputation."""
    loaded = LoadedModel("yunmao-sms", "1", memory_model, LruCache(1024))
    known = demo_frame["text"].head(6).tolist()
    decide_sms(loaded, [{"text": text} for text in known[:3]], explain=True, reputation=reputation)  # three cache hits
    texts = [*known, known[4], *COPIES]
    records = [{"text": text} for text in texts]
    calls = _counting(monkeypatch)
    verdicts = decide_sms(loaded, records, explain=True, reputation=reputation)
    assert len(calls) == len(texts)
    assert sorted(calls) == sorted(normalise_text(text) for text in texts)
    assert memory_model.template_memory.lookup([normalise_text(text) for text in known]).known.any()
    assert [v.action for v in verdicts[-len(COPIES):]] == ["block"] * len(COPIES)
    monkeypatch.undo()
    alone = reputation.apply(memory_model, normalise_records(records), memory_model.decide(records), observe=False)
    assert _outcomes(verdicts) == _outcomes(alone)


def _outcomes(verdicts: list) -> list[tuple]:
    """What a verdict says, but the sightings count (unobserved answers do not count themselves)."""
    return [(v.score, v.action, v.category, v.fraud_type, [re.sub(r"已见 [\d,]+", "已见 N", r) for r in v.reasons])
            for v in verdicts]
