"""The decision log and the shadow pair table in Redis (``backend: redis``), on real loopback
redis-servers: what two workers write is read back merged, the bounds hold, nothing stored names a
number or a text it should not, the monitor, the shadow report and promote's gates read the
stream, and a Redis that is down fails a command at start but never a live request."""

from __future__ import annotations

import importlib
import json
import multiprocessing
from datetime import datetime, timedelta, timezone
from multiprocessing.queues import Queue
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from typer.testing import CliRunner

from configs import ConfigError, default_config_path
from configs.feedback import FeedbackConfig
from configs.monitor import DECISION_KEY_ENV, MONITOR_CONFIG_ENV, DecisionLogConfig, load_monitor_config
from configs.retrain import ShadowGates
from configs.serving import SERVING_CONFIG_ENV, ShadowConfig, ShadowModelConfig, load_serving_config
from serving.decision_log import DROP_STORE_FAILED, DecisionLog, decision_key, log_scored, open_decision_store
from serving.decision_redis import APPEND_CHUNK, RedisDecisionStore
from serving.feedback import FeedbackRequest, handle_feedback
from serving.feedback_store import open_feedback_store
from serving.schemas import ScoreResult, new_decision_id
from serving.shadow_redis import RedisShadowStore
from serving.shadow_store import SHADOW_KEY_ENV, ShadowPair, now_iso, open_shadow_store, record_key
from serving.store_errors import NotDurable, StoreUnavailable
from tests.servers import free_port
from tests.serving.cases import PHONE, SECRET_TEXT
from tests.serving.conftest import DurableRedis
from training.cli import app

runner = CliRunner()
KEY = b"k" * 32
EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)
SERVED = SimpleNamespace(name="yunmao-sms", version="3", model=SimpleNamespace(watched_features=["f1", "f2"]))


def log_config(url: str, **changes: object) -> DecisionLogConfig:
    return DecisionLogConfig(backend="redis", url=url, **changes)


def worker_log(url: str, **changes: object) -> DecisionLog:
    """One worker's decision log: its own store object and connection pool, the shared key."""
    return DecisionLog(log_config(url, **changes), KEY)


def decide(log: DecisionLog, count: int, subject: str | None = PHONE) -> list[str]:
    """``count`` decisions of SERVED logged as the service logs them; their decision_ids."""
    results = [ScoreResult(decision_id=new_decision_id(), id=f"m{i}", score=0.9, action="block") for i in range(count)]
    log_scored(log, SERVED, results, [SimpleNamespace(watched=(0.25, 1.0)) for _ in results], [subject] * count)  # type: ignore[arg-type]
    return [r.decision_id for r in results]


def redis_client(url: str):
    import redis

    return redis.Redis.from_url(url)


def redis_bytes(url: str) -> bytes:
    """Every key and value in the Redis at ``url``, as bytes (what someone reading it would see)."""
    client = redis_client(url)
    found = []
    for key in client.scan_iter():
        kind = client.type(key)
        if kind == b"stream":
            found += [repr(entry).encode() for entry in client.xrange(key)]
        elif kind == b"zset":
            found += [member for member, _ in client.zrange(key, 0, -1, withscores=True)]
        elif kind == b"hash":
            found += [b"%s=%s" % item for item in client.hgetall(key).items()]
        else:
            found.append(client.get(key) or b"")
        found.append(key)
    return b"\n".join(found)


def dropped(reason: str) -> float:
    from serving.metrics import DECISION_LOG_DROPPED

    return DECISION_LOG_DROPPED.labels(reason=reason)._value.get()


def no_reference(uri: str):
    raise LookupError(f"{uri}: no registry in this test")


def closed_port_url() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"


# ---- decision log ----------------------------------------------------------------------------


def test_backend_redis_opens_the_redis_store(durable: DurableRedis) -> None:
    assert isinstance(open_decision_store(log_config(durable.url)), RedisDecisionStore)
    assert isinstance(open_shadow_store(ShadowConfig(backend="redis", url=durable.url)), RedisShadowStore)


def test_two_workers_decisions_are_read_back_merged(durable: DurableRedis) -> None:
    first, second = worker_log(durable.url), worker_log(durable.url)
    mine = decide(first, 3)
    theirs = decide(second, 2)
    assert (first.flush(), second.flush()) == (3, 2)
    more = decide(first, 1)
    first.flush()
    rows = worker_log(durable.url).read(EPOCH)
    assert rows["decision_id"].tolist() == mine + theirs + more  # one log, in the order written
    assert rows["watched"].tolist() == [[0.25, 1.0]] * 6 and rows["watched_names"].tolist() == [["f1", "f2"]] * 6
    assert rows["subject"].nunique() == 1  # one number, one HMAC on every worker
    assert second.known([*mine, "A" * 16]) == set(mine)  # feedback reaching another worker finds them


def test_a_backlog_larger_than_one_script_is_written_whole_and_in_order(durable: DurableRedis) -> None:
    log = worker_log(durable.url)
    ids = decide(log, APPEND_CHUNK * 2 + 5)
    assert log.flush() == len(ids)
    assert log.read(EPOCH)["decision_id"].tolist() == ids and log.known(ids) == set(ids)


def write_from_a_worker_process(url: str, batches: int, ids: Queue) -> None:
    """A worker process's life: its own log (store, connection pool), decisions flushed in batches."""
    log = DecisionLog(log_config(url), KEY)
    written = []
    for _ in range(batches):
        written += decide(log, 25)
        log.flush()
    ids.put(written)


def test_worker_processes_writing_at_once_are_merged_and_each_keeps_its_order(durable: DurableRedis) -> None:
    context = multiprocessing.get_context("fork")
    ids: Queue = context.Queue()
    workers = [context.Process(target=write_from_a_worker_process, args=(durable.url, 8, ids)) for _ in range(2)]
    for worker in workers:
        worker.start()
    written = [ids.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    merged = worker_log(durable.url).read(EPOCH)["decision_id"].tolist()
    assert sorted(merged) == sorted(written[0] + written[1])
    for mine in written:
        assert [i for i in merged if i in set(mine)] == mine


def test_read_keeps_the_window_and_the_newest_limit(durable: DurableRedis) -> None:
    log = worker_log(durable.url)
    ids = decide(log, 10)
    log.flush()
    assert log.read(EPOCH, limit=4)["decision_id"].tolist() == ids[-4:]
    assert log.read(datetime.now(timezone.utc) + timedelta(minutes=1)).empty


def test_the_log_stays_within_max_rows(durable: DurableRedis) -> None:
    log = worker_log(durable.url, max_rows=100)
    ids = []
    for _ in range(7):
        ids += decide(log, 50)
        log.flush()
    stream_rows = redis_client(durable.url).xlen("yunmao:decisions")
    assert 100 <= stream_rows <= 200  # MAXLEN ~: whole stream nodes (100 entries) are trimmed
    assert len(log.read(EPOCH)) == stream_rows and log.read(EPOCH)["decision_id"].tolist() == ids[-stream_rows:]
    assert log.known(ids) == set(ids[-100:])  # the decision_id index is cut to max_rows exactly


def test_redis_holds_no_number_and_no_text(durable: DurableRedis, monkeypatch: pytest.MonkeyPatch) -> None:
    log = worker_log(durable.url)
    decide(log, 3)
    log.flush()
    stored = redis_bytes(durable.url)
    assert PHONE.encode() not in stored and PHONE[3:].encode() not in stored
    assert log.subject(PHONE).encode() in stored  # the keyed HMAC is what is kept


def test_the_redis_backend_needs_the_shared_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    config = log_config("redis://127.0.0.1:1/0")
    monkeypatch.delenv(DECISION_KEY_ENV, raising=False)
    with pytest.raises(ConfigError, match=DECISION_KEY_ENV):
        decision_key(config)
    monkeypatch.setenv(DECISION_KEY_ENV, "cluster-wide-key")
    assert decision_key(config) == b"cluster-wide-key"


def test_a_redis_that_keeps_no_append_only_file_is_refused(redis_url: str) -> None:
    with pytest.raises(NotDurable, match="appendonly=no.*--appendonly yes --appendfsync everysec"):
        open_decision_store(log_config(redis_url)).check()
    with pytest.raises(NotDurable, match="shadow pair table"):
        open_shadow_store(ShadowConfig(backend="redis", url=redis_url)).check()
    unverified = worker_log(redis_url, redis_key="yunmao:test-unverified-decisions", verify_durability=False)
    decide(unverified, 1)
    assert unverified.flush() == 1


def test_a_redis_that_will_not_say_how_it_persists_is_refused_unless_told(redis_url: str) -> None:
    """Managed Redis often denies CONFIG: the store says so and names the switch."""
    import redis

    redis.Redis.from_url(redis_url).acl_setuser("no-config", enabled=True, passwords=["+pw"], keys=["*"],
                                                commands=["+@all", "-config"])
    limited = redis_url.replace("redis://", "redis://no-config:pw@")
    with pytest.raises(StoreUnavailable, match="cannot check durability.*monitor decision_log.verify_durability: false"):
        open_decision_store(log_config(limited)).check()
    open_decision_store(log_config(limited, verify_durability=False)).check()  # a ping is enough then


def test_a_redis_that_is_down_loses_and_counts_the_batch_but_never_fails_the_request(tmp_path: Path) -> None:
    log = worker_log(closed_port_url(), busy_timeout_s=1)
    before = dropped(DROP_STORE_FAILED)
    quoted = decide(log, 4)  # the request path: queues, never reaches Redis
    assert log.flush() == 0 and dropped(DROP_STORE_FAILED) == before + 4
    with pytest.raises(StoreUnavailable, match="decision log redis://"):
        log.read(EPOCH)
    feedback = open_feedback_store(FeedbackConfig(path=str(tmp_path / "feedback.db")))
    record = {"text": SECRET_TEXT, "label": 1, "source": "analyst", "decision_id": quoted[0]}
    answer = handle_feedback(FeedbackRequest.model_validate(record), feedback, log)
    assert answer.accepted == 1 and answer.unmatched_decision_ids == [quoted[0]]  # stored; the join unconfirmed


# ---- commands reading the stores -------------------------------------------------------------


# The modules that bind models.registry.resolve_model_version by name when imported (the others
# import it inside a function, so they read the registry's attribute, fake or real, at each call).
_REGISTRY_LOOKUP_IMPORTERS = ("training.report.model", "training.retrain")


def champion_m1_challenger_m2(monkeypatch: pytest.MonkeyPatch) -> None:
    """The registry answers as if model m had champion version 1 and a challenger, version 2.

    Every module that binds the registry lookup by name is imported first, so it binds the real
    one, then given the fake: a module first imported while only models.registry held the fake
    kept it after this test and failed later ones in the same process (test_resource_skew's)."""
    modules = [importlib.import_module(name) for name in ("models.registry", *_REGISTRY_LOOKUP_IMPORTERS)]
    for module in modules:
        monkeypatch.setattr(module, "resolve_model_version", lambda uri: ("m", "2"))
    monkeypatch.setattr("training.retrain.current_champion", lambda name: "models:/m/1")


@pytest.fixture
def redis_configs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Point the monitor and serving configs at a Redis: call with its URL."""

    def use(url: str) -> None:
        monkeypatch.setenv("YUNMAO_MONITOR__DECISION_LOG__BACKEND", "redis")
        monkeypatch.setenv("YUNMAO_MONITOR__DECISION_LOG__URL", url)
        monkeypatch.setenv(DECISION_KEY_ENV, "cluster-wide-key")
        serving = tmp_path / "serving.yaml"
        serving.write_text(yaml.safe_dump({"shadow": {"backend": "redis", "url": url, "sms": {"enabled": True}}}), encoding="utf-8")
        monkeypatch.setenv(SERVING_CONFIG_ENV, str(serving))
        monkeypatch.setenv(SHADOW_KEY_ENV, "cluster-wide-shadow-key")
        monkeypatch.delenv(MONITOR_CONFIG_ENV, raising=False)
        load_monitor_config.cache_clear()
        load_serving_config.cache_clear()

    yield use
    load_monitor_config.cache_clear()
    load_serving_config.cache_clear()


def test_monitor_reads_every_workers_decisions_from_redis(durable: DurableRedis, redis_configs, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    redis_configs(durable.url)
    monkeypatch.setattr("models.registry.load_scam_model", no_reference)  # drift is not the point here
    workers = [DecisionLog(load_monitor_config().decision_log, decision_key(load_monitor_config().decision_log)) for _ in range(2)]
    for log in workers:
        decide(log, 5)
        log.flush()
    result = runner.invoke(app, ["monitor", "--since", "1h", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["decisions"] == 10


def pair(text: str, challenger_action: str, version: str = "2") -> ShadowPair:
    return ShadowPair("sms", record_key(b"cluster-wide-shadow-key", "sms", text), "m", "1", 0.1, "allow",
                      "m", version, 0.9 if challenger_action == "block" else 0.1, challenger_action, None, now_iso())


def test_shadow_pairs_of_two_workers_feed_the_report_and_the_gates(durable: DurableRedis, redis_configs, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    redis_configs(durable.url)
    workers = [open_shadow_store(load_serving_config().shadow) for _ in range(2)]
    workers[0].append([pair(f"短信{i}", "allow") for i in range(6)])
    workers[1].append([pair(f"通知{i}", "block") for i in range(2)] + [pair("别的版本", "allow", version="3")])
    stored = workers[1].read()
    assert len(stored) == 9 and stored["text"].isna().all()
    assert len(workers[0].read(kind="sms", challenger=("m", "2"))) == 8
    assert workers[0].read(since=datetime.now(timezone.utc) + timedelta(minutes=1)).empty

    result = runner.invoke(app, ["shadow", "report", "--out", str(tmp_path / "r"),
                                 "--feedback-config", str(feedback_config(tmp_path))])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["pairs"] == 9 and sorted(summary["challengers"]) == ["m/2", "m/3"]

    from training.shadow.gates import promotion_evidence

    champion_m1_challenger_m2(monkeypatch)
    verdict = promotion_evidence("m", "2", ShadowGates(enabled=True, min_shadow_pairs=8, max_block_disagreement=0.3))
    assert verdict is not None and verdict.passed and verdict.pairs == 8 and verdict.block_disagreement == pytest.approx(0.25)


def feedback_config(tmp_path: Path) -> Path:
    path = tmp_path / "feedback.yaml"
    path.write_text(yaml.safe_dump({"path": str(tmp_path / "feedback.db")}), encoding="utf-8")
    return path


def test_shadow_pairs_stay_within_max_rows(durable: DurableRedis) -> None:
    store = open_shadow_store(ShadowConfig(backend="redis", url=durable.url, max_rows=100))
    for batch in range(5):
        store.append([pair(f"{batch}-{i}", "allow") for i in range(70)])
    assert 100 <= len(store.read()) <= 200


def test_a_shadow_scorer_whose_redis_is_down_counts_the_pairs_and_the_offer_never_raises(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from serving.shadow import ShadowScorer
    from serving.shadow_metrics import DROP_STORE_FAILED
    from tests.serving.shadow_fakes import FakeChallenger
    from tests.serving.test_shadow import CHAMPION, KEY, WAIT_S, _Scored, loaded_slot, sms
    from tests.serving.test_shadow import dropped as shadow_dropped

    slot = loaded_slot(monkeypatch)
    sampled = ShadowModelConfig(enabled=True, model=slot.uri, share=1.0)
    config = ShadowConfig(backend="redis", url=closed_port_url(), busy_timeout_s=1, max_wait_ms=50, nice=0, scheduler="nice",
                          sms=sampled)
    shadow = ShadowScorer(slot, config, FakeChallenger("block"), KEY)
    shadow.start()
    before = shadow_dropped(DROP_STORE_FAILED)
    shadow.offer(CHAMPION, [sms(1), sms(2)], [_Scored(0.1, "allow"), _Scored(0.2, "allow")])
    assert shadow.wait_idle(WAIT_S)
    shadow.stop()
    assert shadow_dropped(DROP_STORE_FAILED) - before == 2


def test_commands_fail_in_one_line_when_redis_is_down(redis_configs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    redis_configs(closed_port_url())
    champion_m1_challenger_m2(monkeypatch)
    gated = tmp_path / "retrain.yaml"
    retrain = yaml.safe_load(default_config_path("retrain").read_text(encoding="utf-8"))
    gated.write_text(yaml.safe_dump({**retrain, "shadow_gates": {"enabled": True}}), encoding="utf-8")
    for command in (["monitor", "--out", str(tmp_path / "m")],
                    ["shadow", "report", "--out", str(tmp_path / "s"), "--feedback-config", str(feedback_config(tmp_path))],
                    ["promote", "m", "2", "--config", str(gated)],
                    ["serve", "--port", str(free_port())]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, (command, result.output)
        assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1, result.stderr
        assert "redis://127.0.0.1:" in result.stderr


@pytest.mark.slow
def test_the_service_logs_to_redis_and_still_answers_when_redis_is_gone(serving_env: str, durable: DurableRedis,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process service with the decision log on Redis: a scored SMS's decision is in the stream
    (another worker's log knows it); with Redis stopped, scoring still answers 200 and the decision
    the writer could not store is counted."""
    from starlette.testclient import TestClient

    from serving.decision_log import worker_decision_log
    from tests.serving.cases import JSON, body
    from tests.serving.conftest import fresh_asgi_app

    monkeypatch.setenv("YUNMAO_MONITOR__DECISION_LOG__BACKEND", "redis")
    monkeypatch.setenv("YUNMAO_MONITOR__DECISION_LOG__URL", durable.url)
    monkeypatch.setenv("YUNMAO_MONITOR__DECISION_LOG__BUSY_TIMEOUT_S", "1")
    monkeypatch.setenv(DECISION_KEY_ENV, "cluster-wide-key")
    load_monitor_config.cache_clear()
    worker_decision_log.cache_clear()
    sms = body({"messages": [{"id": "m1", "text": SECRET_TEXT, "sender": PHONE}]})
    try:
        with TestClient(fresh_asgi_app()) as client:
            scored = client.post("/v1/sms/score", content=sms, headers=JSON)
            assert scored.status_code == 200
            decision_id = scored.json()["results"][0]["decision_id"]
            log = worker_decision_log()
            assert log is not None and log.flush() == 1
            assert worker_log(durable.url).known([decision_id]) == {decision_id}
            durable.proc.terminate()
            durable.proc.wait()
            before = dropped(DROP_STORE_FAILED)
            again = client.post("/v1/sms/score", content=sms, headers=JSON)
            assert again.status_code == 200 and again.json()["results"][0]["action"] == scored.json()["results"][0]["action"]
            assert log.flush() == 0 and dropped(DROP_STORE_FAILED) == before + 1
    finally:
        load_monitor_config.cache_clear()
        worker_decision_log.cache_clear()
