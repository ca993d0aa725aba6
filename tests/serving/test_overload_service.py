"""The service past its in-flight limit: a limit of 1, the one model call held by an event, so
overload is deterministic. The next scoring request gets the policy answer at once; health,
readiness, metrics and feedback still answer; the held request is scored normally after."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from configs.serving import OverloadConfig
from tests.serving.cases import JSON, SECRET_TEXT, SMS_ROUTE, one
from tests.serving.conftest import fresh_asgi_app

HOLD_TIMEOUT_S = 60  # only a broken test waits this long


@dataclass
class HeldModel:
    entered: threading.Event
    release: threading.Event


@dataclass
class Overloaded:
    client: TestClient
    held: HeldModel
    policy: str


@pytest.fixture(params=["unavailable", "allow"])
def overloaded(request: pytest.FixtureRequest, serving_env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Overloaded]:
    """The service with ``max_in_flight: 1`` and the given policy, whose SMS model calls wait
    for ``held.release`` (after setting ``held.entered``)."""
    from serving import service

    shipped = service.load_serving_config()
    config = shipped.model_copy(update={"overload": OverloadConfig(max_in_flight=1, policy=request.param)})
    monkeypatch.setattr(service, "load_serving_config", lambda: config)
    held = HeldModel(threading.Event(), threading.Event())
    decide = service.YunmaoService.inner._decide_sms

    def held_decide(self, slot, records):  # noqa: ANN001, ANN202 - the patched method's own signature
        held.entered.set()
        held.release.wait(HOLD_TIMEOUT_S)
        return decide(self, slot, records)

    monkeypatch.setattr(service.YunmaoService.inner, "_decide_sms", held_decide)
    with TestClient(fresh_asgi_app(), raise_server_exceptions=False) as client:
        try:
            yield Overloaded(client, held, request.param)
        finally:
            held.release.set()


def metric(client: TestClient, name: str, **labels: str) -> float:
    """Sum of ``name``'s samples whose labels include ``labels`` in ``/metrics``."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(client.get("/metrics").text)
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )


@pytest.mark.slow
def test_past_the_limit_the_policy_answers_at_once_and_nothing_else_is_shed(overloaded: Overloaded) -> None:
    client, held = overloaded.client, overloaded.held
    shed_labels = {"route": SMS_ROUTE, "reason": "in_flight_limit", "policy": overloaded.policy}
    shed_before = metric(client, "yunmao_shed_total", **shed_labels)
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(client.post, SMS_ROUTE, content=one(id="first", text=SECRET_TEXT), headers=JSON)
        assert held.entered.wait(HOLD_TIMEOUT_S), "the first request never reached the model"

        shed = client.post(SMS_ROUTE, content=one(id="second", text=SECRET_TEXT), headers=JSON)
        if overloaded.policy == "unavailable":
            assert shed.status_code == 503, shed.text
            assert shed.headers["retry-after"] == "1" and "in_flight_limit" in shed.json()["error"]
        else:
            assert shed.status_code == 200, shed.text
            [result] = shed.json()["results"]
            assert result["id"] == "second" and result["action"] == "allow"
            assert result["reasons"] == ["overloaded"] and result["score"] is None
        assert metric(client, "yunmao_shed_total", **shed_labels) == shed_before + 1
        assert metric(client, "yunmao_in_flight") == 1

        for path in ("/livez", "/readyz", "/metrics"):  # never shed: see serving/overload
            assert client.get(path).status_code == 200, path
        feedback = client.post("/v1/feedback", json={"text": "您涉嫌洗钱，请转入安全账户", "label": 1, "source": "analyst"})
        assert feedback.status_code == 200, feedback.text

        held.release.set()
        scored = first.result(HOLD_TIMEOUT_S)
    assert scored.status_code == 200, scored.text
    assert scored.json()["results"][0]["score"] is not None
    assert metric(client, "yunmao_in_flight") == 0
    again = client.post(SMS_ROUTE, content=one(id="third", text=SECRET_TEXT), headers=JSON)
    assert again.status_code == 200 and again.json()["results"][0]["reasons"] != ["overloaded"]
