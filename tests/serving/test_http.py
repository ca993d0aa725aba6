"""The HTTP contract of both scoring endpoints, run twice: in-process through ``to_asgi()`` and
against a real ``yunmao serve`` process on a loopback port (auth on there, so every call
carries the key)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from features.sms.normalise import normalise_text
from features.sms.reasons import cue_label
from tests.servers import CONDITION_SECONDS, wait_until
from tests.serving.cases import (
    BAD_CASES,
    CALL_BAD_CASES,
    CALL_ROUTE,
    DEADLINE,
    EDGE_TEXTS,
    JSON,
    PHONE,
    SECRET_TEXT,
    BadCase,
    body,
    one,
    without_decision_ids,
)
from tests.serving.conftest import CallSetup, fresh_asgi_app, set_serving_env
from tests.serving.servers import front_before, yunmao_serve

API_KEY = "test-key-0123456789abcdef"
ADMIN_KEY = "admin-key-0123456789abcdef"


@pytest.fixture(scope="module")
def asgi_client(sms_model_uri: str, call_setup: CallSetup) -> Iterator[httpx.Client]:
    """The service app in this process, auth off."""
    with pytest.MonkeyPatch.context() as mp:
        set_serving_env(mp, sms_model_uri, call_setup)
        with TestClient(fresh_asgi_app(), raise_server_exceptions=False) as client:
            yield client


@pytest.fixture(scope="module")
def server(
    sms_model_uri: str, call_setup: CallSetup, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """A real ``yunmao serve`` on a free loopback port, with an API key; (base URL, log file)."""
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    env = {"YUNMAO_API_KEY": API_KEY, "YUNMAO_ADMIN_API_KEY": ADMIN_KEY, "YUNMAO_PROFILE_STORE": call_setup.store_url}
    with yunmao_serve(["--model", sms_model_uri, "--call-model", call_setup.uri], log, env) as running:
        yield running.url, log


@pytest.fixture(scope="module")
def process_client(server: tuple[str, Path]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server[0], headers={"authorization": f"Bearer {API_KEY}"}, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def front_client(server: tuple[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """The same server behind the HAProxy front of ``yunmao front-config`` (docs/overload.md): every
    answer of the contract must come through it unchanged."""
    with front_before(server[0].removeprefix("http://"), tmp_path_factory.mktemp("front")) as front, \
            httpx.Client(base_url=front.url, headers={"authorization": f"Bearer {API_KEY}"}, timeout=30) as client:
        yield client


@pytest.fixture(params=["asgi", "process", "front"])
def client(request: pytest.FixtureRequest) -> httpx.Client:
    return request.getfixturevalue(f"{request.param}_client")


def score(client: httpx.Client, content: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    return client.post("/v1/sms/score", content=content, headers=headers or JSON)


@pytest.mark.slow
@pytest.mark.parametrize("case", BAD_CASES + CALL_BAD_CASES, ids=lambda c: c.name)
def test_bad_input_gets_a_clear_4xx_and_the_worker_keeps_serving(client: httpx.Client, case: BadCase) -> None:
    response = client.post(case.route, content=case.content, headers=case.headers)
    assert response.status_code == case.status, response.text
    payload = response.json()
    assert payload["error"]
    assert case.field in [d["field"] for d in payload["detail"]], payload
    assert all(d["problem"] for d in payload["detail"])
    assert score(client, one(id="ok", text="你好，明天见")).status_code == 200


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EDGE_TEXTS))
def test_unusual_but_valid_texts_score(client: httpx.Client, name: str) -> None:
    response = score(client, one(id=name, text=EDGE_TEXTS[name]))
    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    assert result["id"] == name and 0.0 <= result["score"] <= 1.0


@pytest.mark.slow
def test_results_follow_request_order_and_name_the_model(client: httpx.Client, demo_frame, sms_model_uri: str) -> None:
    from models.registry import resolve_model_version

    rows = demo_frame.head(80)  # over batching.direct_min_messages: exercises the direct path
    messages = [{"id": f"m{i}", "text": text} for i, text in enumerate(rows["text"])]
    response = score(client, body({"messages": messages}))
    assert response.status_code == 200, response.text
    payload = response.json()
    name, version = resolve_model_version(sms_model_uri)
    assert payload["model"] == {"name": name, "version": version}
    assert [r["id"] for r in payload["results"]] == [m["id"] for m in messages]
    for result in payload["results"]:
        assert result["action"] in {"block", "warn", "allow"}
        assert len(result["reasons"]) <= 5
        if result["action"] == "allow":
            assert result["reasons"] == [] and result["fraud_type"] is None
    # A flagged scam's script cues quote the words of that message which fired them (issue #10).
    quoted = [(m["text"], reason) for m, result in zip(messages, payload["results"], strict=True)
              for reason in result["reasons"] if cue_label(reason) != reason]
    assert quoted, [r["reasons"] for r in payload["results"] if r["reasons"]]
    for text, reason in quoted:
        words = reason.removeprefix(cue_label(reason) + "：“").removesuffix("”").split("”“")
        assert words and all(word in normalise_text(text) for word in words), (reason, text)
    # the same messages one by one (batched path) give the same decisions
    singles = [score(client, body({"messages": [m]})).json()["results"][0] for m in messages[:10]]
    assert [round(s["score"], 9) for s in singles] == [round(r["score"], 9) for r in payload["results"][:10]]


def score_calls(client: httpx.Client, calls: list[dict[str, str]]) -> httpx.Response:
    return client.post(CALL_ROUTE, content=body({"calls": calls}), headers=JSON)


def expected_call_decisions(call_setup: CallSetup) -> dict[str, object]:
    """The registered call model's decision on each demo caller's profile, computed directly."""
    from models.registry import load_scam_model

    profiles = call_setup.profiles.drop(columns=["label"])
    decisions = load_scam_model(call_setup.uri).decide(profiles)
    return dict(zip(profiles["phone_no_m"], decisions, strict=True))


UNKNOWN_HASHED = "5e12" * 32  # 128 hex characters, like the contest's hashed numbers
UNKNOWN_DIGITS = "+8613900139000"


@pytest.mark.slow
def test_call_known_callers_scored_unknown_ones_get_insufficient_history(client: httpx.Client, call_setup: CallSetup) -> None:
    from models.registry import resolve_model_version

    expected = expected_call_decisions(call_setup)
    labels = dict(zip(call_setup.profiles["phone_no_m"], call_setup.profiles["label"], strict=True))
    fraud = max((n for n in expected if labels[n] == 1), key=lambda n: expected[n].score)
    normal = min((n for n in expected if labels[n] == 0), key=lambda n: expected[n].score)
    calls = [
        {"id": "c0", "caller": fraud, "callee": "13800138000", "started_at": "2020-03-20T10:00:00+08:00"},
        {"id": "c1", "caller": UNKNOWN_HASHED},
        {"id": "c2", "caller": normal},
        {"id": "c3", "caller": UNKNOWN_DIGITS, "callee": UNKNOWN_HASHED},
        {"id": "c4", "caller": fraud},
    ]
    response = score_calls(client, calls)
    assert response.status_code == 200, response.text
    payload = response.json()
    assert payload["model"] == dict(zip(("name", "version"), resolve_model_version(call_setup.uri), strict=True))
    results = {r["id"]: r for r in payload["results"]}
    assert [r["id"] for r in payload["results"]] == ["c0", "c1", "c2", "c3", "c4"]
    for rid, number in (("c0", fraud), ("c2", normal), ("c4", fraud)):
        assert results[rid]["score"] == pytest.approx(expected[number].score)
        assert (results[rid]["action"], results[rid]["reasons"]) == (expected[number].action, expected[number].reasons)
    assert results["c0"]["action"] in {"block", "warn"} and 1 <= len(results["c0"]["reasons"]) <= 5
    assert results["c2"]["action"] == "allow" and results["c2"]["reasons"] == []
    for rid in ("c1", "c3"):
        assert without_decision_ids([results[rid]])[0] == {"id": rid, "score": None, "action": "allow", "category": None, "fraud_score": None,
                                "fraud_type": None, "fraud_type_score": None, "reasons": ["insufficient_history"]}


@pytest.mark.slow
def test_call_batch_over_the_direct_threshold_keeps_request_order(client: httpx.Client, call_setup: CallSetup) -> None:
    expected = expected_call_decisions(call_setup)
    numbers = list(expected)[::-1]
    callers = [number if i % 7 else f"1390000{i:04d}" for i, number in enumerate(numbers)]  # every 7th unknown
    calls = [{"id": f"k{i}", "caller": caller} for i, caller in enumerate(callers)]
    response = score_calls(client, calls)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["id"] for r in results] == [c["id"] for c in calls]
    for caller, result in zip(callers, results, strict=True):
        want = expected.get(caller)
        assert result["score"] == (None if want is None else pytest.approx(want.score))
    singles = [score_calls(client, [c]).json()["results"][0] for c in calls[:8]]  # batched path
    assert without_decision_ids(singles) == without_decision_ids(results[:8])


@pytest.mark.slow
def test_health_and_metrics_are_open_and_count_decisions(client: httpx.Client, sms_model_uri: str, call_setup: CallSetup) -> None:
    assert score(client, one(id="m", text=SECRET_TEXT)).status_code == 200
    known = call_setup.profiles["phone_no_m"].iloc[0]
    assert score_calls(client, [{"id": "k", "caller": known}, {"id": "u", "caller": UNKNOWN_DIGITS}]).status_code == 200
    bare = httpx.Client(base_url=str(client.base_url), transport=getattr(client, "_transport", None))
    for path in ("/livez", "/readyz", "/metrics"):
        assert bare.get(path).status_code == 200, path
    metrics = bare.get("/metrics").text
    assert 'yunmao_decisions_total{' in metrics and "yunmao-sms-serving-test" in metrics
    assert 'model="yunmao-call-serving-test"' in metrics  # call actions counted under their own model
    assert 'yunmao_profile_lookups_total{result="missing"}' in metrics
    assert "yunmao_score_bucket{" in metrics
    assert "bentoml_service_request_total" in metrics  # BentoML's own metrics are still there


@pytest.mark.slow
def test_a_wrong_path_or_method_is_json_on_a_real_server(client: httpx.Client) -> None:
    """Starlette answered both in plain text, the only errors of the service that were not JSON."""
    typo = client.post("/v1/sms/scor", content=one(id="m", text="你好"), headers=JSON)
    assert typo.status_code == 404 and "did you mean /v1/sms/score?" in typo.json()["detail"][0]["problem"]
    refused = client.post("/livez")
    assert refused.status_code == 405 and refused.headers["allow"] == "GET, HEAD" and refused.json()["error"]
    assert client.get("/livez").status_code == 200


@pytest.mark.slow
def test_scoring_answers_are_plain_json_outside_bentoml_tracing(client: httpx.Client) -> None:
    """Shipped ``trace_scoring: false``: the scoring routes skip BentoML's OpenTelemetry middleware,
    so their answers carry no X-BentoML-Request-ID, which a traced route (reload) still gets;
    the body is complete JSON, serialised once (``serving/responses``)."""
    scored = score(client, one(id="t", text=SECRET_TEXT))
    assert scored.status_code == 200, scored.text
    assert scored.headers["content-type"] == "application/json"
    assert int(scored.headers["content-length"]) == len(scored.content)
    assert [r["id"] for r in scored.json()["results"]] == ["t"]
    assert "x-bentoml-request-id" not in scored.headers
    reloaded = client.post("/v1/admin/reload", headers={"authorization": f"Bearer {ADMIN_KEY}"})
    assert reloaded.status_code == 200, reloaded.text
    assert "x-bentoml-request-id" in reloaded.headers


def shed_counted(client: httpx.Client, reason: str) -> float:
    """``yunmao_shed_total`` of SMS requests shed for ``reason`` under the default policy."""
    bare = httpx.Client(base_url=str(client.base_url), transport=getattr(client, "_transport", None))
    labels = {"route": "/v1/sms/score", "reason": reason, "policy": "unavailable"}
    return sum(
        sample.value
        for family in text_string_to_metric_families(bare.get("/metrics").text)
        for sample in family.samples
        if sample.name == "yunmao_shed_total" and sample.labels == labels
    )


@pytest.mark.slow
def test_a_spent_deadline_gets_503_with_retry_after_at_once_and_is_counted(client: httpx.Client) -> None:
    before = shed_counted(client, "deadline_expired")
    spent = score(client, one(id="late", text=SECRET_TEXT), {**JSON, DEADLINE: "0"})
    assert spent.status_code == 503, spent.text
    assert spent.headers["retry-after"] == "1" and "overloaded" in spent.json()["error"]
    assert shed_counted(client, "deadline_expired") == before + 1
    in_time = score(client, one(id="on-time", text=SECRET_TEXT), {**JSON, DEADLINE: "5000"})
    assert in_time.status_code == 200 and in_time.json()["results"][0]["score"] is not None


@pytest.mark.slow
def test_real_server_needs_the_key_and_never_logs_texts_or_numbers(
    server: tuple[str, Path], process_client: httpx.Client, call_setup: CallSetup
) -> None:
    url, log = server
    content = body({"messages": [{"id": "secret-1", "text": SECRET_TEXT, "sender": PHONE}]})
    assert httpx.post(f"{url}/v1/sms/score", content=content, headers=JSON).status_code == 401
    wrong = {**JSON, "authorization": "Bearer nope-nope-nope-nope"}
    assert httpx.post(f"{url}/v1/sms/score", content=content, headers=wrong).status_code == 401
    assert process_client.post("/v1/sms/score", content=content, headers=JSON).status_code == 200
    bad = body({"messages": [{"id": "secret-2", "text": SECRET_TEXT, "sender": PHONE, "oops": PHONE}]})
    assert process_client.post("/v1/sms/score", content=bad, headers=JSON).status_code == 422
    known = call_setup.profiles["phone_no_m"].iloc[0]
    calls = [{"id": "call-1", "caller": known, "callee": PHONE}, {"id": "call-2", "caller": PHONE}]
    assert httpx.post(f"{url}{CALL_ROUTE}", content=body({"calls": calls}), headers=JSON).status_code == 401
    assert score_calls(process_client, calls).status_code == 200
    assert wait_until(lambda: "calls_scored" in log.read_text(errors="replace"), CONDITION_SECONDS)
    text = log.read_text(errors="replace")
    assert "sms_scored" in text and "calls_scored" in text  # the structured log is there...
    assert PHONE not in text and "836145" not in text and "快递" not in text  # ...without content
    assert known not in text


FEEDBACK = "/v1/feedback"


def _stored_ids() -> set[str]:
    from configs.feedback import load_feedback_config
    from serving.feedback_store import SqliteFeedbackStore

    return set(SqliteFeedbackStore(load_feedback_config()).read()["id"])


@pytest.mark.slow
def test_feedback_is_acknowledged_only_once_stored(client: httpx.Client) -> None:
    one_record = {"text": "您涉嫌洗钱，请转入安全账户", "label": 1, "fraud_type": "冒充公检法", "source": "analyst"}
    batch = {"records": [{"text": "快递到了", "label": 0, "source": "victim_report"},
                         {"call": {"phone_no_m": "13812345678"}, "label": 1, "source": "analyst"}]}
    first = client.post(FEEDBACK, json=one_record)
    second = client.post(FEEDBACK, json=batch)
    assert first.status_code == second.status_code == 200, (first.text, second.text)
    assert first.json()["accepted"] == 1 and second.json()["accepted"] == 2
    assert set(first.json()["ids"] + second.json()["ids"]) <= _stored_ids()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("content", "status", "words"),
    [
        (b"{not json", 400, "Invalid JSON"),
        (b"\xff\xfe\x00", 400, "not valid UTF-8"),
        (b'{"text": "hi", "label": "maybe", "source": "analyst"}', 422, "label"),
        (b'{"label": 1, "source": "analyst"}', 422, "text"),
        (b'{"records": []}', 422, "records"),
    ],
    ids=["invalid-json", "non-utf8", "bad-label", "no-text-or-call", "empty-batch"],
)
def test_bad_feedback_is_refused_and_nothing_is_stored(client: httpx.Client, content: bytes, status: int, words: str) -> None:
    before = _stored_ids()
    response = client.post(FEEDBACK, content=content, headers=JSON)
    assert response.status_code == status, response.text
    assert words in response.text
    assert _stored_ids() == before


@pytest.mark.slow
def test_feedback_needs_the_key_when_one_is_set(server: tuple[str, Path]) -> None:
    response = httpx.post(f"{server[0]}{FEEDBACK}", json={"text": "x", "label": 0, "source": "analyst"}, timeout=30)
    assert response.status_code == 401


@pytest.mark.slow
@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (body({"messages": [{"id": "x", "text": SECRET_TEXT, "sender": PHONE}]}), JSON),
        (b"--b\r\ncontent-disposition: form-data; name=phone\r\n\r\n" + PHONE.encode() + b"\r\n--b--\r\n",
         {"content-type": "multipart/form-data; boundary=b"}),
    ],
    ids=["json", "multipart"],
)
def test_real_server_reload_refuses_a_body_without_logging_it(
    server: tuple[str, Path], content: bytes, headers: dict[str, str]
) -> None:
    url, log = server
    admin = {"authorization": f"Bearer {ADMIN_KEY}"}
    response = httpx.post(f"{url}/v1/admin/reload", content=content, headers={**headers, **admin}, timeout=30)
    assert response.status_code == 400 and response.json()["detail"][0]["field"] == "<body>"
    assert httpx.post(f"{url}/v1/admin/reload", headers=admin, timeout=30).status_code == 200
    assert httpx.post(f"{url}/v1/admin/reload", headers={"authorization": f"Bearer {API_KEY}"}, timeout=30).status_code == 401
    text = log.read_text(errors="replace")
    assert "Traceback" not in text and PHONE not in text


@pytest.mark.slow
def test_real_server_pages_load_nothing_from_elsewhere(server: tuple[str, Path]) -> None:
    url, _ = server
    page = httpx.get(f"{url}/", timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "googletagmanager" not in page.text and "<script" not in page.text and "http" not in page.text
    spec = httpx.get(f"{url}/docs.json", timeout=30).json()
    assert {"/v1/sms/score", "/v1/call/score", "/v1/feedback", "/v1/admin/reload"} <= set(spec["paths"])
