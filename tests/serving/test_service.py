"""The service class called directly, auth in-process, hot reload under load, and the call
endpoint's dependencies: no call model registered, profiles in Redis."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from starlette.testclient import TestClient

from serving.schemas import SmsMessage
from tests.serving.cases import CALL_ROUTE, JSON, body, one, without_decision_ids
from tests.serving.conftest import CallSetup, fresh_asgi_app, register_copy, set_serving_env


@pytest.mark.slow
def test_service_class_scores_in_order_on_both_paths(serving_env: str, demo_frame) -> None:
    from models.registry import resolve_model_version
    from serving.service import YunmaoService

    service = YunmaoService()
    assert service.__is_ready__()
    messages = [SmsMessage(id=f"m{i}", text=t) for i, t in enumerate(demo_frame["text"].head(70))]

    async def run():
        whole = await service.score_sms(messages=messages)  # >= direct_min_messages: direct path
        parts = await asyncio.gather(*(service.score_sms(messages=[m]) for m in messages[:20]))  # batched
        return whole, parts

    whole, parts = asyncio.run(run())
    assert (whole.model.name, whole.model.version) == resolve_model_version(serving_env)
    assert [r.id for r in whole.results] == [m.id for m in messages]
    assert [p.results[0].score for p in parts] == pytest.approx([r.score for r in whole.results[:20]])
    flagged = [r for r in whole.results if r.action != "allow"]
    assert all(r.reasons and len(r.reasons) <= 5 for r in flagged)


@pytest.mark.slow
def test_auth_on_requires_the_bearer_key_but_leaves_health_open(serving_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    key = "in-process-key-0123456789"
    monkeypatch.setenv("YUNMAO_API_KEY", key)
    with TestClient(fresh_asgi_app()) as client:
        content = one(id="a", text="你好")
        assert client.post("/v1/sms/score", content=content, headers=JSON).status_code == 401
        assert client.post("/v1/sms/score", content=content, headers={**JSON, "authorization": f"Bearer {key}x"}).status_code == 401
        assert client.post("/v1/sms/score", content=content, headers={**JSON, "authorization": f"Basic {key}"}).status_code == 401
        assert client.post("/v1/admin/reload").status_code == 403  # no admin key set: admin routes off
        assert client.post("/v1/admin/reload", headers={"authorization": f"Bearer {key}"}).status_code == 403
        confirm = body({"text": "您的快递丢失，我司将赔偿您三倍运费，请联系理赔专员办理", "label": 1})
        templates_with_api_key = client.post("/v1/admin/templates", content=confirm, headers={**JSON, "authorization": f"Bearer {key}"})
        assert templates_with_api_key.status_code == 403  # only the analysts' admin key may set a block floor
        assert client.post("/v1/sms/score", content=content, headers={**JSON, "authorization": f"Bearer {key}"}).status_code == 200
        assert client.get("/readyz").status_code == 200 and client.get("/livez").status_code == 200
        assert client.get("/metrics").status_code == 200


@pytest.mark.slow
def test_reload_swaps_to_the_new_champion_without_failing_requests(
    sms_model_uri: str, call_setup: CallSetup, monkeypatch: pytest.MonkeyPatch, demo_frame
) -> None:
    name = "yunmao-sms-serving-reload"
    first = register_copy(sms_model_uri, name)
    call_name = "yunmao-call-serving-reload"
    call_first = register_copy(call_setup.uri, call_name)
    set_serving_env(monkeypatch, f"models:/{name}@champion", call_setup)
    monkeypatch.setenv("YUNMAO_CALL_MODEL", f"models:/{call_name}@champion")
    texts = list(demo_frame["text"].head(40))
    with TestClient(fresh_asgi_app()) as client:

        def call(i: int) -> tuple[int, str]:
            """(status, version that scored — or the error body, so a failure shows why)."""
            response = client.post("/v1/sms/score", content=one(id=str(i), text=texts[i % len(texts)]), headers=JSON)
            return response.status_code, response.json()["model"]["version"] if response.is_success else response.text

        unchanged = client.post("/v1/admin/reload").json()
        assert unchanged["sms"] == {"version": first, "previous": first, "swapped": False, "problem": None}
        assert unchanged["call"] == {"version": call_first, "previous": call_first, "swapped": False, "problem": None}
        second = register_copy(sms_model_uri, name)
        with ThreadPoolExecutor(8) as pool:
            during = pool.map(call, range(120))
            reloaded = client.post("/v1/admin/reload")
            during = list(during)
        assert reloaded.status_code == 200
        assert reloaded.json()["sms"] == {"version": second, "previous": first, "swapped": True, "problem": None}
        assert {status for status, _ in during} == {200}, [d for d in during if d[0] != 200]
        assert {version for _, version in during} <= {first, second}
        assert call(0) == (200, second)
        call_second = register_copy(call_setup.uri, call_name)  # the call model's turn (outside the load window)
        reloaded = client.post("/v1/admin/reload").json()
        assert reloaded["sms"]["swapped"] is False
        assert reloaded["call"] == {"version": call_second, "previous": call_first, "swapped": True, "problem": None}
        known = call_setup.profiles["phone_no_m"].iloc[0]
        scored = client.post(CALL_ROUTE, content=body({"calls": [{"id": "c", "caller": known}]}), headers=JSON)
        assert scored.json()["model"] == {"name": call_name, "version": call_second}


@pytest.mark.slow
def test_without_a_call_model_sms_serves_and_the_call_endpoint_says_503(
    serving_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YUNMAO_CALL_MODEL", "models:/yunmao-call-never-registered@champion")
    with TestClient(fresh_asgi_app()) as client:
        assert client.get("/readyz").status_code == 200  # readiness is the SMS model's
        assert client.post("/v1/sms/score", content=one(id="a", text="你好"), headers=JSON).status_code == 200
        response = client.post(CALL_ROUTE, content=body({"calls": [{"id": "c", "caller": "13800138000"}]}), headers=JSON)
        assert response.status_code == 503
        assert "no call model loaded" in response.text and "yunmao-call-never-registered" in response.text
        bad = client.post(CALL_ROUTE, content=body({"calls": []}), headers=JSON)
        assert bad.status_code == 422  # bad input is still named first
        reloaded = client.post("/v1/admin/reload")
        assert reloaded.status_code == 200
        assert reloaded.json()["sms"]["problem"] is None
        assert reloaded.json()["call"]["version"] is None and "yunmao-call-never-registered" in reloaded.json()["call"]["problem"]


@pytest.mark.slow
def test_call_profiles_served_from_redis(
    serving_env: str, call_setup: CallSetup, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from configs.call import ProfileStoreConfig
    from serving.profile_store import open_profile_store, publish_profiles

    publish_profiles(open_profile_store(ProfileStoreConfig(), redis_url), call_setup.profiles)
    monkeypatch.setenv("YUNMAO_PROFILE_STORE", redis_url)
    known = call_setup.profiles["phone_no_m"].iloc[:3].tolist()
    calls = [{"id": n, "caller": n} for n in [*known, "13800138000"]]
    with TestClient(fresh_asgi_app()) as client:
        from_redis = client.post(CALL_ROUTE, content=body({"calls": calls}), headers=JSON).json()["results"]
    monkeypatch.setenv("YUNMAO_PROFILE_STORE", call_setup.store_url)
    with TestClient(fresh_asgi_app()) as client:
        from_sqlite = client.post(CALL_ROUTE, content=body({"calls": calls}), headers=JSON).json()["results"]
    assert without_decision_ids(from_redis) == without_decision_ids(from_sqlite)
    assert all(r["score"] is not None for r in from_redis[:3]) and from_redis[3]["reasons"] == ["insufficient_history"]


@pytest.mark.slow
def test_a_scoring_request_is_validated_once(serving_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The validation middleware's pass is the only one: BentoML's route takes the request it
    validated instead of parsing and validating the same body again."""
    from serving.schemas import CallScoreRequest, SmsScoreRequest

    validated: list[str] = []
    for model in (SmsScoreRequest, CallScoreRequest):
        original = model.model_validate_json  # bound to ``model``: every subclass validates as it

        def counting(cls, data, *args, _original=original, **kwargs):
            validated.append(cls.__name__)
            return _original(data, *args, **kwargs)

        monkeypatch.setattr(model, "model_validate_json", classmethod(counting))
    with TestClient(fresh_asgi_app()) as client:
        sms = client.post("/v1/sms/score", content=one(id="a", text="您的快递已到达，请凭取件码领取"), headers=JSON)
        call = client.post(CALL_ROUTE, content=body({"calls": [{"id": "c", "caller": "17012345678"}]}), headers=JSON)
    assert (sms.status_code, call.status_code) == (200, 200)
    assert [r["id"] for r in sms.json()["results"]] == ["a"] and [r["id"] for r in call.json()["results"]] == ["c"]
    assert validated == ["SmsScoreRequest", "CallScoreRequest"]
