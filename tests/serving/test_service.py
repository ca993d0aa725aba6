"""The service class called directly, auth in-process, and hot reload under load."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from starlette.testclient import TestClient

from serving.schemas import SmsMessage
from tests.serving.cases import JSON, one
from tests.serving.conftest import fresh_asgi_app, register_copy


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
        assert client.post("/v1/admin/reload").status_code == 401
        assert client.post("/v1/sms/score", content=content, headers={**JSON, "authorization": f"Bearer {key}"}).status_code == 200
        assert client.get("/readyz").status_code == 200 and client.get("/livez").status_code == 200
        assert client.get("/metrics").status_code == 200


@pytest.mark.slow
def test_reload_swaps_to_the_new_champion_without_failing_requests(
    sms_model_uri: str, monkeypatch: pytest.MonkeyPatch, demo_frame
) -> None:
    name = "yunmao-sms-serving-reload"
    first = register_copy(sms_model_uri, name)
    monkeypatch.setenv("YUNMAO_SMS_MODEL", f"models:/{name}@champion")
    monkeypatch.delenv("YUNMAO_API_KEY", raising=False)
    texts = list(demo_frame["text"].head(40))
    with TestClient(fresh_asgi_app()) as client:

        def call(i: int) -> tuple[int, str]:
            response = client.post("/v1/sms/score", content=one(id=str(i), text=texts[i % len(texts)]), headers=JSON)
            return response.status_code, response.json()["model"]["version"]

        assert client.post("/v1/admin/reload").json() == {"sms": first, "previous": first, "swapped": False}
        second = register_copy(sms_model_uri, name)
        with ThreadPoolExecutor(8) as pool:
            during = pool.map(call, range(120))
            reloaded = client.post("/v1/admin/reload")
            during = list(during)
        assert reloaded.status_code == 200
        assert reloaded.json() == {"sms": second, "previous": first, "swapped": True}
        assert {status for status, _ in during} == {200}
        assert {version for _, version in during} <= {first, second}
        assert call(0) == (200, second)
