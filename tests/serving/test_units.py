"""Small parts of the service on their own: cache key, error mapping, log safety,
call verdicts from profile lookups."""

from __future__ import annotations

import json
import logging

import pytest
from bentoml.exceptions import ServiceUnavailable
from pydantic import ValidationError

from features.sms.preprocess import normalise_records
from serving.auth import is_authorised
from serving.cache import LruCache, message_keys
from serving.call_scoring import INSUFFICIENT_HISTORY, decide_calls
from serving.errors import FAILURE_BODY, FailureMiddleware, validation_details, validation_status
from serving.logs import JsonFormatter, _safe
from serving.reload import LoadedModel
from serving.schemas import CallScoreRequest, SmsScoreRequest
from serving.scoring import Unscored


def test_cache_key_ignores_volatile_entities_but_keeps_what_the_model_reads() -> None:
    a, b, c = message_keys(normalise_records([
        {"text": "请转账到 6222021234567890123 联系 13812345678", "sender": "17011112222", "sent_at": None},
        {"text": "请转账到 6222029876543210987 联系 13987654321", "sender": "17033334444", "sent_at": None},
        {"text": "请转账到 6222029876543210987 联系 13987654321", "sender": "1065512345", "sent_at": None},
    ]))
    assert a == b  # same campaign, other card/phone, same sender kind
    assert a != c  # a 106 service code is a different input to the metadata features


def test_lru_cache_evicts_least_recently_used() -> None:
    cache: LruCache[str] = LruCache(2)
    cache.put_many([(("a", "x", 1), "A"), (("b", "x", 1), "B")])
    cache.get_many([("a", "x", 1)])
    cache.put_many([(("c", "x", 1), "C")])
    assert cache.get_many([("a", "x", 1), ("b", "x", 1), ("c", "x", 1)]) == ["A", None, "C"]


@pytest.mark.parametrize(
    ("payload", "status"),
    [(b"{", 400), (b'{"messages": []}', 422), (json.dumps({"messages": [{"id": "a", "text": "x"}] * 1001}).encode(), 413)],
)
def test_validation_status(payload: bytes, status: int) -> None:
    with pytest.raises(ValidationError) as info:
        SmsScoreRequest.model_validate_json(payload)
    assert validation_status(info.value) == status


def test_error_details_never_echo_the_input() -> None:
    with pytest.raises(ValidationError) as info:
        SmsScoreRequest.model_validate({"messages": [{"id": "a", "text": 13812345678}]})
    rendered = json.dumps([d.model_dump() for d in validation_details(info.value)])
    assert "messages.0.text" in rendered and "13812345678" not in rendered


def test_logs_mask_numbers_and_cut_long_strings() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "event", None, None)
    record.fields = {k: _safe(v) for k, v in {"sender": "13812345678", "note": "很长" * 100, "n": 3}.items()}
    line = json.loads(JsonFormatter().format(record))
    assert line["sender"] == "<digits>" and len(line["note"]) <= 65 and line["n"] == 3


@pytest.mark.parametrize(
    ("header", "ok"),
    [(b"Bearer k" * 1, False), (b"Bearer secret-key", True), (b"bearer secret-key", True), (None, False), (b"Basic secret-key", False)],
)
def test_is_authorised(header: bytes | None, ok: bool) -> None:
    assert is_authorised(header, "secret-key") is ok


class _DictStore:
    """A profile store in a dict that records its lookups (or fails them all)."""

    def __init__(self, profiles: dict[str, dict], fail: bool = False) -> None:
        self.profiles, self.fail, self.lookups = profiles, fail, []

    def get_many(self, numbers):
        if self.fail:
            raise ConnectionError("store down")
        self.lookups.append(list(numbers))
        return {n: self.profiles.get(n) for n in numbers}


class _EchoModel:
    """Scores a profile (a mapping, as the service passes it) by its ``calls``, so each verdict shows which profile it saw."""

    def decide(self, records, explain=True):
        from models.scam_model import Decision

        return [Decision(float(r["calls"]) / 10, "block", None, None, [f"calls {r['calls']}"]) for r in records]


def _loaded(model) -> LoadedModel:
    return LoadedModel("yunmao-call", "1", model, None)


def test_decide_calls_looks_each_caller_up_once_and_keeps_order() -> None:
    store = _DictStore({"A": {"phone_no_m": "A", "calls": 3}, "B": {"phone_no_m": "B", "calls": 5}})
    calls = [{"caller": "B"}, {"caller": "X"}, {"caller": "A"}, {"caller": "B"}]
    verdicts = decide_calls(_loaded(_EchoModel()), calls, store, explain=True, unknown_action="warn")
    assert store.lookups == [["B", "X", "A"]]
    assert [v.score for v in verdicts] == [0.5, None, 0.3, 0.5]
    assert verdicts[1] == Unscored(action="warn", reasons=(INSUFFICIENT_HISTORY,))


def test_decide_calls_with_no_known_caller_never_calls_the_model() -> None:
    verdicts = decide_calls(_loaded(None), [{"caller": "X"}], _DictStore({}), explain=True, unknown_action="allow")
    assert [(v.score, v.action, v.reasons) for v in verdicts] == [(None, "allow", (INSUFFICIENT_HISTORY,))]


def test_profile_store_failure_is_a_retryable_503_not_a_silent_allow() -> None:
    with pytest.raises(ServiceUnavailable, match="profile store unavailable"):
        decide_calls(_loaded(_EchoModel()), [{"caller": "A"}], _DictStore({}, fail=True), True, "allow")


def test_call_request_accepts_hashed_and_plain_numbers() -> None:
    request = CallScoreRequest.model_validate({"calls": [{"id": "a", "caller": "5e12" * 32}, {"id": "b", "caller": "+8613800138000"}]})
    assert [c.caller for c in request.calls] == ["5e12" * 32, "+8613800138000"]


def test_trace_scoring_false_excludes_exactly_the_two_scoring_routes_from_tracing() -> None:
    from opentelemetry.util.http import ExcludeList

    from configs.serving import ServingConfig
    from serving.service import bentoml_tracing

    assert bentoml_tracing(ServingConfig(trace_scoring=True)) == {}  # everything traced, as BentoML does
    excluded = ExcludeList(bentoml_tracing(ServingConfig(trace_scoring=False))["excluded_urls"])
    base = "http://127.0.0.1:3000"
    assert excluded.url_disabled(f"{base}/v1/sms/score") and excluded.url_disabled(f"{base}/v1/call/score")
    for traced in ("/v1/feedback", "/v1/admin/reload", "/v1/admin/templates", "/readyz", "/v1/sms/score/other"):
        assert not excluded.url_disabled(f"{base}{traced}"), traced


def _failing_app(fail_after_start: bool):
    """A Starlette app whose only middleware raises, before or after starting its answer."""
    from starlette.applications import Starlette

    class Broken:
        def __init__(self, app: object) -> None:
            self.app = app

        async def __call__(self, scope, receive, send) -> None:
            if scope["type"] == "http" and fail_after_start:
                await send({"type": "http.response.start", "status": 200, "headers": []})
            if scope["type"] == "http":
                raise ValueError("a parser bug a hostile header reached")
            await self.app(scope, receive, send)

    app = Starlette()
    app.add_middleware(Broken)
    app.add_middleware(FailureMiddleware)
    return app


def test_a_middleware_failure_is_answered_500_at_once_and_its_traceback_logged(caplog: pytest.LogCaptureFixture) -> None:
    """Not left to BentoML's timeout middleware, which waits timeout_s for a first send that never
    comes and then lets uvicorn send a plain-text 500 with the traceback never logged."""
    from starlette.testclient import TestClient

    with caplog.at_level(logging.ERROR, logger="serving.errors"), TestClient(_failing_app(False)) as client:
        failed = client.post("/v1/sms/score", content=b"{}")
    assert failed.status_code == 500 and failed.content == FAILURE_BODY
    assert failed.headers["content-type"] == "application/json"
    [record] = [r for r in caplog.records if r.name == "serving.errors"]
    assert record.getMessage() == "Exception on /v1/sms/score [POST]" and record.exc_info is not None


def test_a_failure_after_the_answer_started_is_raised_not_answered_twice() -> None:
    from starlette.testclient import TestClient

    with TestClient(_failing_app(True)) as client, pytest.raises(ValueError, match="parser bug"):
        client.get("/")


def test_the_failure_guard_wraps_every_middleware_of_the_service() -> None:
    from serving.service import YunmaoService

    assert YunmaoService.middlewares[0][0] is FailureMiddleware
