"""The scoring routes' own ASGI handler (``serving/scoring_routes``): it answers scoring POSTs as
BentoML's route did (status, JSON, ``Server`` header, a 500 for a failure) and leaves every other
request to BentoML; in the real service, BentoML's route machinery is never reached."""

from __future__ import annotations

import logging

import pytest
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.types import Scope

import serving.scoring_routes
from serving.errors import unavailable
from serving.scoring_routes import FAILURE_BODY, ScoringAnswer, ScoringMiddleware, install_scoring
from tests.serving.cases import JSON, one
from tests.serving.conftest import fresh_asgi_app

SMS = "/v1/sms/score"


class Answer(BaseModel):
    route: str
    seen: str


async def _bentoml_stand_in(request: Request) -> Response:
    return PlainTextResponse(f"route {request.method}")


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> TestClient:
    """:class:`ScoringMiddleware` on ``SMS`` in front of a stand-in for BentoML's routes, with no
    handler installed yet (the process's own is put back afterwards)."""
    monkeypatch.setattr(serving.scoring_routes, "_current", [])
    app = Starlette(routes=[Route(SMS, _bentoml_stand_in, methods=["POST", "GET"]), Route("/other", _bentoml_stand_in, methods=["POST"])])
    app.add_middleware(ScoringMiddleware, routes=(SMS,))
    return TestClient(app, raise_server_exceptions=False)


def test_before_a_service_installs_its_handler_requests_reach_the_route(client: TestClient) -> None:
    assert client.post(SMS, content=b"{}").text == "route POST"


def test_a_scoring_post_is_answered_by_the_handler_as_json_with_bentomls_server_header(client: TestClient) -> None:
    async def handler(route: str, scope: Scope) -> ScoringAnswer:
        return Answer(route=route, seen=scope["method"])

    install_scoring(handler)
    answered = client.post(SMS, content=b"{}")
    assert answered.status_code == 200
    assert answered.json() == {"route": SMS, "seen": "POST"}
    assert answered.headers["content-type"] == "application/json"
    assert int(answered.headers["content-length"]) == len(answered.content)
    assert answered.headers["server"] == "BentoML Service/yunmao"
    assert "x-bentoml-request-id" not in answered.headers  # not traced
    assert client.get(SMS).text == "route GET"  # other methods, and other paths, are BentoML's
    assert client.post("/other", content=b"{}").text == "route POST"


def test_a_traced_request_gets_bentomls_request_id_header(client: TestClient) -> None:
    """With ``trace_scoring: true`` OpenTelemetry's hook sets the request's span id: the answer
    names it as BentoML's route did (hex, BentoML's span-id format); untraced answers carry none."""
    from bentoml._internal.context import trace_context

    async def traced(route: str, scope: Scope) -> ScoringAnswer:
        trace_context.request_id = 0xABC
        return Answer(route=route, seen="traced")

    install_scoring(traced)
    assert client.post(SMS, content=b"{}").headers["x-bentoml-request-id"] == "0000000000000abc"


def test_a_response_from_the_handler_is_sent_whole_with_the_server_header(client: TestClient) -> None:
    async def handler(route: str, scope: Scope) -> ScoringAnswer:
        return unavailable("no call model loaded", 7)

    install_scoring(handler)
    refused = client.post(SMS, content=b"{}")
    assert refused.status_code == 503 and refused.headers["retry-after"] == "7"
    assert refused.json()["error"] == "no call model loaded"
    assert refused.headers["server"] == "BentoML Service/yunmao"


def test_a_failing_handler_gets_bentomls_500_and_its_traceback_logged(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    async def handler(route: str, scope: Scope) -> ScoringAnswer:
        raise RuntimeError("model exploded")

    install_scoring(handler)
    with caplog.at_level(logging.ERROR, logger="serving.scoring_routes"):
        failed = client.post(SMS, content=b"{}")
    assert failed.status_code == 500 and failed.content == FAILURE_BODY
    assert failed.json() == {"error": "An unexpected error has occurred, please check the server log."}
    [record] = [r for r in caplog.records if r.name == "serving.scoring_routes"]
    assert record.getMessage() == f"Exception on {SMS} [POST]" and record.exc_info is not None
    assert client.post(SMS, content=b"{}").status_code == 500  # the worker keeps answering


@pytest.mark.slow
def test_the_service_scores_without_bentomls_route_machinery(serving_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """With BentoML's route entry point broken, both scoring routes still answer; the routes
    BentoML still serves (reload) do hit it."""
    from _bentoml_impl.server.app import ServiceAppFactory

    async def broken(*args: object, **kwargs: object) -> Response:
        raise AssertionError("BentoML's api_endpoint was called")

    monkeypatch.setattr(ServiceAppFactory, "api_endpoint", broken)
    with TestClient(fresh_asgi_app(), raise_server_exceptions=False) as service:
        sms = service.post(SMS, content=one(id="s", text="您的快递已到，请凭取件码领取"), headers=JSON)
        assert sms.status_code == 200, sms.text
        assert [r["id"] for r in sms.json()["results"]] == ["s"]
        assert sms.headers["server"] == "BentoML Service/yunmao"
        calls = service.post("/v1/call/score", content=b'{"calls": [{"id": "c", "caller": "+8613900139000"}]}', headers=JSON)
        assert calls.status_code == 200, calls.text
        assert calls.json()["results"][0]["reasons"] == ["insufficient_history"]
        assert service.post("/v1/admin/reload").status_code == 500  # BentoML's route: the broken entry point
        assert service.get(SMS).status_code == 405  # other methods: the validation middleware's JSON 405
