"""Template reputation inside the service: the analyst route, its bad input, and decisions the
cache already holds changing as soon as their template is confirmed."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from serving.schemas import SmsMessage
from tests.serving.cases import JSON, body, one
from tests.serving.conftest import CallSetup, fresh_asgi_app, set_serving_env
from tests.serving.servers import every_worker_logs, yunmao_serve
from tests.serving.test_reputation import UnreachableStore

TEMPLATES = "/v1/admin/templates"
SCRIPT = "【顺丰】尊敬的{name}：您的快递丢失，我司将赔偿您{amount}元，请联系理赔专员{phone}办理，退款链接 http://sf-pei.cn/{path}"
FIRST = SCRIPT.format(name="张伟", amount=368, phone="13812345678", path="a1")
SECOND = SCRIPT.format(name="李建国", amount=1200, phone="15900001111", path="zz9")
# Worded like an appointment reminder, so the model allows it; an analyst knows it is a lure.
LURE = "{name}您好，您预约的{day}号上午10点体检已登记，请空腹前往三楼体检中心，带好身份证，改约请回复。"
COPIES = 16  # copies of the lure sent per round, 8 at a time


@pytest.fixture(scope="module")
def client(sms_model_uri: str, call_setup: CallSetup, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """The service app in this process, auth off, on a template store of its own."""
    store = tmp_path_factory.mktemp("templates") / "templates.db"
    with pytest.MonkeyPatch.context() as mp:
        set_serving_env(mp, sms_model_uri, call_setup)
        mp.setenv("YUNMAO_TEMPLATE_STORE", f"sqlite:///{store}")
        with TestClient(fresh_asgi_app(), raise_server_exceptions=False) as client:
            yield client


@pytest.mark.slow
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"label": 1}, "text"),
        ({"text": "验证码 123456", "label": 1}, "text"),  # too short once numbers are masked
        ({"text": "【反诈提醒】收到“" + FIRST + "”是诈骗！", "label": 1}, "text"),
        ({"text": FIRST, "label": "maybe"}, "label"),
        ({"text": FIRST}, "label"),
        ({"text": FIRST, "label": 1, "colour": "red"}, "colour"),
        ({"text": FIRST, "label": 1, "fraud_type": ""}, "fraud_type"),
        ({"text": FIRST, "label": 1, "fraud_type": "冒充客服"}, "fraud_type"),  # near a taxonomy type is not one
    ],
    ids=["missing_text", "short_text", "reminder", "bad_label", "missing_label", "unknown_field", "empty_fraud_type",
         "fraud_type_outside_taxonomy"],
)
def test_bad_confirmations_get_a_4xx_naming_the_field(client: httpx.Client, payload: dict, field: str) -> None:
    response = client.post(TEMPLATES, content=body(payload), headers=JSON)
    assert response.status_code == 422, response.text
    assert field in [d["field"] for d in response.json()["detail"]]


@pytest.mark.slow
def test_a_confirmed_template_blocks_its_copies_over_http(client: httpx.Client) -> None:
    response = client.post(TEMPLATES, content=body({"text": FIRST, "label": "fraud", "fraud_type": "冒充电商物流客服"}), headers=JSON)
    assert response.status_code == 200, response.text
    [template] = response.json()["templates"]
    assert template["floor"] == "block"
    scored = client.post("/v1/sms/score", content=one(id="s", text=SECOND), headers=JSON)
    [result] = scored.json()["results"]
    assert result["action"] == "block"
    assert result["reasons"][0].startswith(f"与已确认诈骗模板 #{template['id']} 相同，已见 ")
    assert "/v1/admin/templates" in client.get("/docs.json").json()["paths"]


@pytest.mark.slow
def test_a_store_that_could_lose_the_confirmation_answers_503_saying_how_to_fix_it(
    sms_model_uri: str, call_setup: CallSetup, redis_url: str
) -> None:
    """A Redis template store without an fsynced append-only file: the confirmation is not
    acknowledged (it could vanish in a crash while the analyst believes it blocks), and the
    answer says what to change rather than "retry", which cannot help."""
    with pytest.MonkeyPatch.context() as mp:
        set_serving_env(mp, sms_model_uri, call_setup)
        mp.setenv("YUNMAO_TEMPLATE_STORE", redis_url)
        with TestClient(fresh_asgi_app(), raise_server_exceptions=False) as client:
            response = client.post(TEMPLATES, content=body({"text": FIRST, "label": 1}), headers=JSON)
    assert response.status_code == 503, response.text
    assert "--appendonly yes --appendfsync always" in response.json()["error"]
    assert "redis://" not in response.text  # the store's URL (it may hold a password) stays in the logs


@pytest.mark.slow
def test_confirming_changes_decisions_the_cache_already_holds(
    serving_env: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from configs.serving import SERVING_CONFIG_ENV, load_serving_config
    from serving.service import YunmaoService

    config = tmp_path / "serving.yaml"
    config.write_text("cache:\n  max_entries: 100\n", encoding="utf-8")
    monkeypatch.setenv(SERVING_CONFIG_ENV, str(config))
    monkeypatch.setenv("YUNMAO_TEMPLATE_STORE", f"sqlite:///{tmp_path / 'templates.db'}")
    load_serving_config.cache_clear()
    try:
        service = YunmaoService()
        message = [SmsMessage(id="m", text=LURE.format(name="王先生", day=12))]

        async def scenario() -> list:
            before = (await service.score_sms(messages=message)).results[0]
            service.confirm_template(text=LURE.format(name="陈女士", day=3), label=1)
            after = (await service.score_sms(messages=message)).results[0]
            service.confirm_template(text=LURE.format(name="刘先生", day=27), label=0)
            cleared = (await service.score_sms(messages=message)).results[0]
            return [before, after, cleared]

        before, after, cleared = asyncio.run(scenario())
        service._stop_poller()
        assert len(service.sms.current.cache) == 1  # one message, cached once and served from there
        assert before.action != "block"
        assert after.action == "block" and after.reasons[0].startswith("与已确认诈骗模板")
        assert (cleared.action, cleared.score) == (before.action, before.score)
        service.reputation.index.store = UnreachableStore()  # type: ignore[union-attr]
        assert service.confirm_template(text=LURE.format(name="周女士", day=8), label=1).status_code == 503
    finally:
        load_serving_config.cache_clear()


@pytest.mark.slow
def test_every_worker_of_a_real_server_follows_a_confirmation(
    sms_model_uri: str, call_setup: CallSetup, tmp_path: Path
) -> None:
    """Two worker processes, one store: the confirmation lands on one worker, and copies scored
    afterwards are blocked whichever worker takes them (each follows the store's version)."""
    admin = "admin-key-0123456789abcdef"
    env = {"YUNMAO_ADMIN_API_KEY": admin, "YUNMAO_PROFILE_STORE": call_setup.store_url,
           "YUNMAO_TEMPLATE_STORE": f"sqlite:///{tmp_path / 'templates.db'}"}
    args = ["--model", sms_model_uri, "--call-model", call_setup.uri]
    with yunmao_serve(args, tmp_path / "serve.log", env, workers=2) as running:
        lure = LURE.format(name="赵先生", day=9)
        before_confirming = running.log.stat().st_size
        confirm = httpx.post(f"{running.url}{TEMPLATES}", content=body({"text": lure, "label": 1}),
                             headers={**JSON, "authorization": f"Bearer {admin}"}, timeout=30)
        assert confirm.status_code == 200, confirm.text

        def copies_blocked() -> list[bool]:
            """Send COPIES copies, each on a new connection (the kernel picks its worker); which were blocked."""
            def blocked(day: int) -> bool:
                copy = one(id=str(day), text=LURE.format(name="孙女士", day=day))
                response = httpx.post(f"{running.url}/v1/sms/score", content=copy, headers=JSON, timeout=30)
                return response.json()["results"][0]["action"] == "block"

            with ThreadPoolExecutor(8) as pool:
                return list(pool.map(blocked, range(1, COPIES + 1)))

        # Each worker's sync thread picks the confirmation up on its own schedule: until it has,
        # that worker may let a copy pass. Then every copy is blocked, whichever worker takes it.
        followed = every_worker_logs(running, copies_blocked, before_confirming, where=lambda e: e["blocked"])
        assert followed == set(running.workers), f"workers that blocked a copy: {followed} of {running.workers}"

        def all_blocked() -> None:
            assert all(copies_blocked()), "a copy scored after every worker followed the confirmation was not blocked"

        offset = running.log.stat().st_size
        assert every_worker_logs(running, all_blocked, offset) == set(running.workers), "not both workers"
