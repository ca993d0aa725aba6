"""The service's request path without models: docs, auth, body validation and the feedback route,
wired in the service's order around a stub route. Hostile inputs get their 4xx at once."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.types import Message

import serving.feedback
from configs.feedback import FeedbackConfig
from configs.serving import ServingConfig
from serving.auth import BearerAuthMiddleware
from serving.feedback import FEEDBACK_PATH, FeedbackMiddleware, feedback_body
from serving.feedback_store import FeedbackRecord, SqliteFeedbackStore, StoreUnavailable
from serving.logs import LOGGER_NAME
from serving.openapi import DocsMiddleware, docs_page
from serving.schemas import SmsScoreRequest
from serving.template_confirm import TemplateConfirmRequest
from serving.validation import NO_BODY, JsonBody, RequestValidationMiddleware
from tests.serving.cases import JSON, PHONE, SECRET_TEXT, body, one

SMS = "/v1/sms/score"
RELOAD = "/v1/admin/reload"
LIVEZ = "/livez"  # a GET route the middlewares do not know, as BentoML's health routes
MAX_BODY = 64 * 1024
API_KEY = "scoring-key-0123456789"
ADMIN_KEY = "admin-key-0123456789ab"
RECORD = {"text": "您涉嫌洗钱，请转入安全账户", "label": 1, "source": "analyst"}
TEMPLATE_TEXT = "【顺丰】尊敬的张伟：您的快递丢失，我司将赔偿您368元，请联系理赔专员13812345678办理"
SPEC = {"paths": {SMS: {"post": {}}, FEEDBACK_PATH: {"post": {}}}}


async def _echo(request: Request) -> JSONResponse:
    """The stub route: what reached it (so a test sees what the middlewares passed on)."""
    return JSONResponse({"body": (await request.body()).decode(), "content_type": request.headers.get("content-type")})


def build_app(api_key: str | None = None, admin_key: str | None = None) -> Starlette:
    """The service's middleware stack, in its order, around :func:`_echo`."""
    app = Starlette(routes=[Route(SMS, _echo, methods=["POST"]), Route(RELOAD, _echo, methods=["POST"]), Route(LIVEZ, _echo)])
    app.add_middleware(FeedbackMiddleware)
    app.add_middleware(
        RequestValidationMiddleware,
        routes={SMS: JsonBody(SmsScoreRequest), FEEDBACK_PATH: feedback_body(), RELOAD: NO_BODY},
        max_body_bytes=MAX_BODY,
    )
    app.add_middleware(BearerAuthMiddleware, config=ServingConfig.model_validate({"auth": {"api_key": api_key, "admin_api_key": admin_key}}))
    app.add_middleware(DocsMiddleware, build_spec=lambda: SPEC)
    return app


@pytest.fixture()
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SqliteFeedbackStore:
    feedback_store = SqliteFeedbackStore(FeedbackConfig(path=str(tmp_path / "feedback.db")))
    monkeypatch.setattr(serving.feedback, "feedback_store", lambda: feedback_store)
    return feedback_store


@pytest.fixture()
def client(monkeypatch: pytest.MonkeyPatch, store: SqliteFeedbackStore) -> Iterator[TestClient]:
    monkeypatch.delenv("YUNMAO_API_KEY", raising=False)
    monkeypatch.delenv("YUNMAO_ADMIN_API_KEY", raising=False)
    with TestClient(build_app(), raise_server_exceptions=False) as test_client:
        yield test_client


def fields(response) -> list[str]:
    return [d["field"] for d in response.json()["detail"]]


HOSTILE_JSON = {
    "nested_10000_deep": b'{"text": ' + b"[" * 10_000 + b"]" * 10_000 + b', "label": 1, "source": "a"}',
    "integer_5000_digits": b'{"text": "x", "label": ' + b"9" * 5000 + b', "source": "a"}',
    "invalid_json": b"{not json",
    "non_utf8": b'{"text": "\xff\xfe", "label": 1, "source": "a"}',
    "empty": b"",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_JSON))
def test_hostile_feedback_json_gets_400_and_nothing_is_stored(client: TestClient, store: SqliteFeedbackStore, name: str) -> None:
    response = client.post(FEEDBACK_PATH, content=HOSTILE_JSON[name], headers=JSON)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "malformed request" and fields(response) == ["<body>"]
    assert store.read().empty


def test_feedback_is_stored_and_acknowledged(client: TestClient, store: SqliteFeedbackStore) -> None:
    single = client.post(FEEDBACK_PATH, json=RECORD)
    batch = client.post(FEEDBACK_PATH, json={"records": [RECORD, {**RECORD, "id": "b1"}]})
    assert (single.status_code, batch.status_code) == (200, 200), (single.text, batch.text)
    assert single.json()["accepted"] == 1 and batch.json()["ids"][1] == "b1"
    assert len(store.read()) == 3


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**RECORD, "text": "\u200b\u200b"}, "records.0.text"),
        ({**RECORD, "label": "maybe"}, "records.0.label"),
        ({"records": []}, "records"),
    ],
)
def test_invalid_feedback_gets_422_naming_the_field(client: TestClient, store: SqliteFeedbackStore, payload: object, field: str) -> None:
    response = client.post(FEEDBACK_PATH, json=payload)
    assert response.status_code == 422, response.text
    assert field in fields(response)
    assert store.read().empty


@pytest.mark.parametrize("path", [FEEDBACK_PATH, SMS, RELOAD])
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_other_methods_get_a_json_405_naming_post(client: TestClient, path: str, method: str) -> None:
    """BentoML's own 405 on the scoring and admin routes was plain text, unlike every other 4xx."""
    response = client.request(method, path)
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    assert fields(response) == ["<method>"] and "POST" in response.json()["detail"][0]["problem"]


def test_feedback_store_busy_is_503_and_nothing_is_stored(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    busy = SqliteFeedbackStore(FeedbackConfig(path=str(tmp_path / "busy.db"), busy_timeout_s=0.1))
    monkeypatch.setattr(serving.feedback, "feedback_store", lambda: busy)
    blocker = sqlite3.connect(busy.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the write lock past the timeout
    try:
        response = client.post(FEEDBACK_PATH, json=RECORD)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert response.status_code == 503 and "retry-after" in response.headers
    assert "nothing was stored" in response.json()["error"]
    assert busy.read().empty


def test_feedback_store_that_cannot_open_is_503(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Redis feedback store that is down or not durable fails when the worker opens it."""

    def refuse() -> SqliteFeedbackStore:
        raise StoreUnavailable("feedback store redis://x could lose acknowledged feedback (appendonly=no)")

    monkeypatch.setattr(serving.feedback, "feedback_store", refuse)
    response = client.post(FEEDBACK_PATH, json=RECORD)
    assert response.status_code == 503 and "nothing was stored" in response.json()["error"]


@pytest.mark.parametrize("path", [FEEDBACK_PATH, SMS])
def test_oversized_bodies_get_413_before_they_are_buffered(client: TestClient, path: str) -> None:
    declared = client.post(path, content=b" " * (MAX_BODY + 1), headers=JSON)
    assert declared.status_code == 413 and fields(declared) == ["<body>"]
    # Chunked (no content-length to refuse up front): drive the ASGI app directly, because the
    # test client buffers a streamed body before sending it.
    pulled = 0
    sent: list[Message] = []

    async def receive() -> Message:  # an endless 1 KiB-per-chunk body
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b" " * 1024, "more_body": True}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": path, "headers": [(b"content-type", b"application/json")],
             "query_string": b"", "root_path": "", "scheme": "http", "server": ("testserver", 80)}
    asyncio.run(build_app()(scope, receive, send))
    assert sent[0]["status"] == 413
    assert pulled == MAX_BODY // 1024 + 1  # stopped at the first chunk past the limit


@pytest.mark.parametrize("path", [FEEDBACK_PATH, SMS])
@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=b", None,
     "application/json; charset=latin-1", "application/jsonp"],
)
def test_json_routes_refuse_other_content_types_with_415(client: TestClient, path: str, content_type: str | None) -> None:
    headers = {} if content_type is None else {"content-type": content_type}
    response = client.post(path, content=body(RECORD) if path == FEEDBACK_PATH else one(id="a", text="你好"), headers=headers)
    assert response.status_code == 415, response.text
    assert fields(response) == ["content-type"]


@pytest.mark.parametrize("content_type", ["application/json", "Application/JSON; charset=UTF-8", 'application/json;charset="utf-8"'])
def test_json_with_a_utf8_charset_is_passed_on_as_plain_json(client: TestClient, content_type: str) -> None:
    response = client.post(SMS, content=one(id="a", text="你好"), headers={"content-type": content_type})
    assert response.status_code == 200, response.text
    assert response.json() == {"body": one(id="a", text="你好").decode(), "content_type": "application/json"}


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (body({"messages": [{"id": "x", "text": SECRET_TEXT, "sender": PHONE}]}), JSON),
        (b"--b\r\ncontent-disposition: form-data; name=phone\r\n\r\n" + PHONE.encode() + b"\r\n--b--\r\n",
         {"content-type": "multipart/form-data; boundary=b"}),
        (b"x", {}),
    ],
    ids=["json", "multipart", "bytes"],
)
def test_reload_with_a_body_gets_400_and_logs_no_traceback_or_content(
    client: TestClient, caplog: pytest.LogCaptureFixture, content: bytes, headers: dict[str, str]
) -> None:
    logging.getLogger(LOGGER_NAME).addHandler(caplog.handler)  # the service logger does not propagate
    try:
        with caplog.at_level(logging.DEBUG):
            response = client.post(RELOAD, content=content, headers=headers)
    finally:
        logging.getLogger(LOGGER_NAME).removeHandler(caplog.handler)
    assert response.status_code == 400 and "takes no body" in response.text
    assert [r.getMessage() for r in caplog.records if r.name == LOGGER_NAME] == ["request_rejected"]
    assert not any(r.exc_info for r in caplog.records)
    assert PHONE not in caplog.text and "Traceback" not in caplog.text


def test_reload_without_a_body_passes_with_no_content_type(client: TestClient) -> None:
    response = client.post(RELOAD, headers={"content-type": "multipart/form-data; boundary=b"})
    assert response.status_code == 200 and response.json() == {"body": "", "content_type": None}


def _auth_client(monkeypatch: pytest.MonkeyPatch, api_key: str | None, admin_key: str | None) -> TestClient:
    monkeypatch.delenv("YUNMAO_API_KEY", raising=False)
    monkeypatch.delenv("YUNMAO_ADMIN_API_KEY", raising=False)
    return TestClient(build_app(api_key, admin_key), raise_server_exceptions=False)


def bearer(key: str) -> dict[str, str]:
    return {**JSON, "authorization": f"Bearer {key}"}


@pytest.mark.parametrize(
    ("api_key", "admin_key", "reload_with", "status"),
    [
        (API_KEY, ADMIN_KEY, ADMIN_KEY, 200),
        (API_KEY, ADMIN_KEY, API_KEY, 401),  # the scoring key cannot swap models
        (API_KEY, ADMIN_KEY, None, 401),
        (API_KEY, None, API_KEY, 403),  # no admin key configured: admin routes are off
        (None, ADMIN_KEY, ADMIN_KEY, 200),
        (None, ADMIN_KEY, None, 401),
        (None, None, None, 200),  # no auth configured at all: everything open
    ],
)
def test_admin_routes_need_the_admin_key(
    monkeypatch: pytest.MonkeyPatch, api_key: str | None, admin_key: str | None, reload_with: str | None, status: int
) -> None:
    with _auth_client(monkeypatch, api_key, admin_key) as client:
        headers = {} if reload_with is None else {"authorization": f"Bearer {reload_with}"}
        response = client.post(RELOAD, headers=headers)
        assert response.status_code == status, response.text
        if status != 200:
            assert fields(response) == ["authorization"]


def test_admin_key_comes_from_the_environment_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YUNMAO_ADMIN_API_KEY", ADMIN_KEY)
    with TestClient(build_app(API_KEY, None)) as client:
        assert client.post(RELOAD, headers={"authorization": f"Bearer {ADMIN_KEY}"}).status_code == 200


def test_scoring_key_guards_scoring_not_docs(monkeypatch: pytest.MonkeyPatch) -> None:
    with _auth_client(monkeypatch, API_KEY, ADMIN_KEY) as client:
        content = one(id="a", text="你好")
        assert client.post(SMS, content=content, headers=JSON).status_code == 401
        assert client.post(SMS, content=content, headers=bearer(ADMIN_KEY)).status_code == 401
        assert client.post(SMS, content=content, headers=bearer(API_KEY)).status_code == 200
        assert client.get("/docs.json").status_code == 200


@pytest.mark.parametrize("keys", [(API_KEY, ADMIN_KEY), (None, None)])
def test_duplicate_authorization_headers_get_400(monkeypatch: pytest.MonkeyPatch, keys: tuple[str | None, str | None]) -> None:
    with _auth_client(monkeypatch, *keys) as client:
        headers = [("content-type", "application/json"), ("authorization", "Bearer wrong-wrong-wrong"),
                   ("authorization", f"Bearer {API_KEY}")]
        response = client.post(SMS, content=one(id="a", text="你好"), headers=headers)
        assert response.status_code == 400, response.text
        assert "more than one Authorization header" in response.text


EXTERNAL_RESOURCE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def test_served_html_loads_nothing_from_elsewhere(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "/docs.json" in page.text and FEEDBACK_PATH in page.text
    assert not EXTERNAL_RESOURCE.search(page.text) and "<script" not in page.text
    assert client.get("/static_content/swagger-ui-bundle.js").status_code == 404


def test_docs_page_escapes_route_names() -> None:
    page = docs_page({"paths": {"/<b>": {"post": {}}}}).decode()
    assert "<b>" not in page and "&lt;b&gt;" in page


def test_docs_json_is_the_given_spec(client: TestClient) -> None:
    assert json.loads(client.get("/docs.json").content) == SPEC


SMS_BODY = '{"messages": [{"id": "a", "text": "你好，明天见"}]}'
KEY_SENT_TWICE = {
    "top_level": (SMS, '{"messages": [{"id": "a", "text": "你好"}], "messages": [{"id": "b", "text": "再见"}]}', "messages"),
    "inside_a_message": (SMS, '{"messages": [{"id": "a", "text": "你好", "text": "再见"}]}', "messages.0.text"),
    "last_value_invalid": (SMS, '{"messages": [{"id": "a", "text": "你好", "text": ""}]}', "messages.0.text"),
    "feedback_label": (FEEDBACK_PATH, '{"text": "您涉嫌洗钱", "label": 0, "label": 1, "source": "analyst"}', "label"),
    "inside_a_call_profile": (
        FEEDBACK_PATH,
        '{"call": {"phone_no_m": "a1", "phone_no_m": "b2"}, "label": 1, "source": "analyst"}',
        "call.phone_no_m",
    ),
}


@pytest.mark.parametrize("name", sorted(KEY_SENT_TWICE))
def test_a_key_sent_twice_gets_422_naming_it_and_nothing_is_stored(client: TestClient, store: SqliteFeedbackStore, name: str) -> None:
    """pydantic keeps the last of two values without a word; the first (half a batch, another
    label) would be lost, so the body is refused, naming the key by its path."""
    path, content, field = KEY_SENT_TWICE[name]
    response = client.post(path, content=content.encode(), headers=JSON)
    assert response.status_code == 422, response.text
    [detail] = response.json()["detail"]
    assert detail["field"] == field and "more than once" in detail["problem"], detail
    assert store.read().empty


def test_the_same_key_in_two_objects_is_not_a_duplicate(client: TestClient) -> None:
    content = '{"messages": [{"id": "a", "text": "你好"}, {"id": "b", "text": "再见"}]}'
    assert client.post(SMS, content=content.encode(), headers=JSON).status_code == 200


@pytest.mark.parametrize(
    ("path", "content", "field", "escape"),
    [
        (SMS, r'{"messages": [{"id": "a", "text": "你好 \ud800 再见"}]}', "messages.0.text", r"\ud800"),
        (SMS, r'{"messages": [{"id": "a", "text": "\udc00\ud83d"}]}', "messages.0.text", r"\udc00"),
        (FEEDBACK_PATH, r'{"text": "x\ud83dy", "label": 1, "source": "analyst"}', "text", r"\ud83d"),
        (SMS, r'{"messages": [{"id": "a", "te\ud800xt": "你好"}]}', r"messages.0.te\ud800xt", r"\ud800"),
    ],
    ids=["high_half_alone", "low_half_first", "feedback_text", "in_a_key"],
)
def test_a_lone_surrogate_escape_gets_400_saying_so(client: TestClient, path: str, content: str, field: str, escape: str) -> None:
    """pydantic's own message ("unexpected end of hex escape") reads like a cut-off body."""
    response = client.post(path, content=content.encode(), headers=JSON)
    assert response.status_code == 400, response.text
    [detail] = response.json()["detail"]
    assert detail["field"].endswith(field) and "unpaired UTF-16 surrogate" in detail["problem"], detail
    assert escape in detail["problem"]


@pytest.mark.parametrize("path", [SMS, FEEDBACK_PATH])
def test_a_body_starting_with_a_byte_order_mark_gets_400_naming_it(client: TestClient, path: str) -> None:
    """pydantic's own message was "expected value at line 1 column 1"."""
    response = client.post(path, content=b"\xef\xbb\xbf" + SMS_BODY.encode(), headers=JSON)
    assert response.status_code == 400, response.text
    assert fields(response) == ["<body>"] and "byte order mark" in response.json()["detail"][0]["problem"]


def test_a_surrogate_pair_escape_is_one_character(client: TestClient) -> None:
    response = client.post(SMS, content=r'{"messages": [{"id": "a", "text": "中奖了\ud83c\udf81"}]}'.encode(), headers=JSON)
    assert response.status_code == 200 and "🎁" in json.loads(response.json()["body"])["messages"][0]["text"]


@pytest.mark.parametrize("path", [f"{SMS}/", f"{SMS}//", f"{FEEDBACK_PATH}/", f"{RELOAD}/"])
@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_route_with_a_trailing_slash_gets_404_naming_the_route(client: TestClient, path: str, method: str) -> None:
    """Not Starlette's 307: many hook clients do not follow a redirect for POST."""
    response = client.request(method, path, content=SMS_BODY.encode(), headers=JSON, follow_redirects=False)
    assert response.status_code == 404, response.text
    [detail] = response.json()["detail"]
    assert detail["field"] == "<path>" and f"the route is {path.rstrip('/')}," in detail["problem"]


@pytest.mark.parametrize(("path", "named"), [
    ("/v1/sms/scor", "did you mean /v1/sms/score?"),
    ("/v2/sms/score", "did you mean /v1/sms/score?"),
    ("/v1/feedbacks", f"did you mean {FEEDBACK_PATH}?"),
    ("/nope", f"the API's routes are {RELOAD}, {FEEDBACK_PATH}, {SMS}, all POST"),
])
@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_path_no_route_has_is_a_json_404_naming_the_nearest_route_or_all(
        client: TestClient, path: str, named: str, method: str) -> None:
    """Was Starlette's plain-text 'Not Found', the one error of the service that was not JSON."""
    response = client.request(method, path, content=SMS_BODY.encode(), headers=JSON)
    assert response.status_code == 404 and response.headers["content-type"] == "application/json", response.text
    assert response.json()["error"] == "not found"
    [detail] = response.json()["detail"]
    assert detail["field"] == "<path>" and named in detail["problem"] and "/docs.json" in detail["problem"]


def test_another_method_on_a_route_the_middlewares_do_not_know_is_a_json_405() -> None:
    """POST /livez was Starlette's plain-text 405; the GET itself passes untouched."""
    with TestClient(build_app(api_key=API_KEY, admin_key=ADMIN_KEY)) as open_routes:  # health needs no key
        refused = open_routes.post(LIVEZ)
        assert refused.status_code == 405 and refused.headers["allow"] == "GET, HEAD"
        assert refused.json()["detail"] == [{"field": "<method>", "problem": f"{LIVEZ} takes GET, HEAD only"}]
        assert open_routes.get(LIVEZ).status_code == 200
        assert open_routes.get("/nope").status_code == 404 and open_routes.get("/nope").json()["error"] == "not found"


@pytest.mark.parametrize("label", [True, False, None, 2, [1], {"is": "fraud"}, "maybe"])
@pytest.mark.parametrize("model", [FeedbackRecord, TemplateConfirmRequest], ids=lambda m: m.__name__)
def test_every_label_field_refuses_the_same_labels_the_same_way(model: type, label: object) -> None:
    """One label type for every field a client fills: a JSON true is no label on any route."""
    with pytest.raises(ValidationError) as refused:
        model.model_validate({"text": TEMPLATE_TEXT, "label": label, "source": "analyst"} if model is FeedbackRecord
                             else {"text": TEMPLATE_TEXT, "label": label})
    [error] = refused.value.errors()
    assert error["loc"] == ("label",)
    assert "not a label" in error["msg"] and "fraud" in error["msg"] and "正常" in error["msg"]


@pytest.mark.parametrize(("label", "value"), [(1, 1), (0.0, 0), ("fraud", 1), ("正常", 0), ("1.0", 1)])
@pytest.mark.parametrize("model", [FeedbackRecord, TemplateConfirmRequest], ids=lambda m: m.__name__)
def test_every_label_field_reads_the_same_labels(model: type, label: object, value: int) -> None:
    fields_ = {"text": TEMPLATE_TEXT, "label": label}
    assert model.model_validate({**fields_, "source": "analyst"} if model is FeedbackRecord else fields_).label == value


@pytest.mark.parametrize("model", [FeedbackRecord, TemplateConfirmRequest], ids=lambda m: m.__name__)
def test_a_fraud_type_beside_label_0_is_refused_on_every_route(model: type) -> None:
    """The template route stored a fraud type on a cleared (normal) template; feedback refused it."""
    fields_ = {"text": TEMPLATE_TEXT, "label": 0, "fraud_type": "冒充电商物流客服"}
    with pytest.raises(ValidationError, match="fraud_type is only meaningful for label 1"):
        model.model_validate({**fields_, "source": "analyst"} if model is FeedbackRecord else fields_)
