"""No pandas frame on the per-request path (issue #12): the service's record dicts go to arrays
directly. A frame costs tens of microseconds to build and more to index, per request; this pins
that no code on the path quietly starts building one again (a frame of one row on every call
once cost ~0.3 ms of the ~1.5 ms decision)."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from configs.call import ProfileStoreConfig
from models.registry import load_scam_model
from serving.cache import LruCache
from serving.call_scoring import decide_calls
from serving.profile_store import open_profile_store
from serving.reload import LoadedModel
from serving.sms_scoring import decide_sms
from tests.serving.conftest import CallSetup

SCAM = "【公安局】您的身份证涉嫌洗钱案件，请立即将资金转入安全账户配合调查，否则将冻结名下所有银行卡"


@pytest.fixture
def frames_refused(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Building a DataFrame or a Series from here on fails the test, naming what was built."""

    def refuse(kind: str):
        def build(*args, **kwargs):
            raise AssertionError(f"a pandas {kind} was built on the per-request path")
        return build

    monkeypatch.setattr(pd.DataFrame, "__init__", refuse("DataFrame"))
    monkeypatch.setattr(pd.Series, "__init__", refuse("Series"))
    yield
    monkeypatch.undo()


@pytest.fixture(scope="module")
def sms_model(sms_model_uri: str):
    return load_scam_model(sms_model_uri)


@pytest.mark.parametrize("cached", [False, True], ids=["no cache", "cache"])
def test_sms_decisions_build_no_frame(sms_model, demo_frame: pd.DataFrame, cached: bool, frames_refused: None) -> None:
    """One message and a batch, flagged ones among them (so reasons and types run), with and
    without the decision cache."""
    loaded = LoadedModel("yunmao-sms", "1", sms_model, LruCache(64) if cached else None)
    texts = [SCAM, *demo_frame["text"].head(7).tolist()]
    records = [{"text": text, "sender": "17012345678", "sent_at": "2026-11-30T02:15:00+08:00"} for text in texts]
    one = decide_sms(loaded, records[:1], explain=True, reputation=None)
    batch = decide_sms(loaded, records, explain=True, reputation=None)
    assert one[0].action != "allow" and one[0].reasons  # the flagged path ran
    assert len(batch) == len(records)


@pytest.fixture(scope="module")
def call_model(call_setup: CallSetup):
    return load_scam_model(call_setup.uri)


def test_call_decisions_build_no_frame(call_setup: CallSetup, call_model, frames_refused: None) -> None:
    """Callers with a stored profile (the model and its reasons run) and one without."""
    store = open_profile_store(ProfileStoreConfig(), call_setup.store_url)
    loaded = LoadedModel("yunmao-call", "1", call_model, None)
    callers = [*call_setup.profiles["phone_no_m"].astype(str).head(5), "a-number-never-seen"]
    verdicts = decide_calls(loaded, [{"caller": caller} for caller in callers], store, explain=True, unknown_action="allow")
    assert len(verdicts) == len(callers)
    assert any(getattr(v, "reasons", None) for v in verdicts)  # a profile was scored and explained
