"""The feedback log in Redis (``serving/feedback_redis``), on real loopback redis-servers: one
that fsyncs every write (the only kind the store accepts) and the session's one that does not."""

from __future__ import annotations

import json
import signal
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from configs.feedback import FeedbackConfig
from serving.feedback import FeedbackRequest, FeedbackUnavailable, handle_feedback
from serving.feedback_redis import RedisFeedbackStore
from serving.feedback_store import FeedbackError, open_feedback_store
from serving.store_errors import NotDurable, StoreUnavailable
from tests.serving.conftest import DurableRedis, durable_redis
from training.feedback_export import feedback_frame

SCAM = "您的账户涉嫌洗钱，请立即转账到安全账户"


def config(url: str) -> FeedbackConfig:
    return FeedbackConfig(url=url, max_batch=5)


def batch(tag: str, size: int) -> list[dict]:
    return [{"id": f"{tag}-{i}", "text": f"{SCAM} {i}", "label": 1, "source": tag} for i in range(size)]


def test_config_url_opens_the_redis_store(durable: DurableRedis) -> None:
    assert isinstance(open_feedback_store(config(durable.url)), RedisFeedbackStore)


def test_round_trip_keeps_order_ids_kinds_and_filters(durable: DurableRedis) -> None:
    store = open_feedback_store(config(durable.url))
    ids = store.append_many([
        {"id": "m1", "text": SCAM, "label": "fraud", "fraud_type": "冒充公检法", "source": "analyst"},
        {"text": "您的快递已到驿站", "label": "正常", "source": "victim_report"},
        {"call": {"phone_no_m": "abc", "calls_per_day": 41}, "label": 1, "source": "analyst"},
    ])
    rows = store.read()
    assert rows["id"].tolist() == ids and ids[0] == "m1" and len(set(ids)) == 3
    assert rows["seq"].tolist() == [1, 2, 3] and rows["label"].tolist() == [1, 0, 1]
    assert rows["kind"].tolist() == ["sms", "sms", "call"] and rows["fraud_type"].iloc[0] == "冒充公检法"
    assert store.read(kind="call")["id"].tolist() == [ids[2]]
    assert store.read(since=datetime.now(timezone.utc) + timedelta(seconds=5)).empty
    assert len(store.read(since=datetime.now() - timedelta(days=1))) == 3  # naive = UTC, as SQLite


def test_invalid_batch_stores_nothing(durable: DurableRedis) -> None:
    store = open_feedback_store(config(durable.url))
    with pytest.raises(FeedbackError, match="record 1: label"):
        store.append_many([*batch("ok", 1), {"text": SCAM, "label": 7, "source": "x"}])
    with pytest.raises(FeedbackError, match="at most 5"):
        store.append_many(batch("big", 6))
    assert store.read().empty


def test_replicas_appending_at_once_lose_nothing_and_never_interleave_a_batch(durable: DurableRedis) -> None:
    replicas = [open_feedback_store(config(durable.url)) for _ in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda i: replicas[i % 4].append_many(batch(f"r{i}", 5)), range(40)))
    rows = replicas[0].read()
    assert len(rows) == 200 and rows["seq"].tolist() == list(range(1, 201))
    for _, one_batch in rows.groupby("source"):
        assert one_batch["seq"].diff().dropna().eq(1).all()  # a batch's rows are consecutive


def test_acknowledged_feedback_survives_kill_9_of_redis(durable: DurableRedis) -> None:
    """The append-only file holds a batch before the answer (without AOF, as the session's Redis
    runs, this loses everything). fsync ``always`` against ``everysec`` matters only when the
    host itself crashes, which a test cannot stage: the store checks that setting at open."""
    ids = open_feedback_store(config(durable.url)).append_many(batch("before-crash", 5))
    durable.proc.send_signal(signal.SIGKILL)
    durable.proc.wait()
    with durable_redis(durable.workdir, durable.port):
        assert open_feedback_store(config(durable.url)).read()["id"].tolist() == ids


def test_export_keeps_the_latest_report_per_id(durable: DurableRedis) -> None:
    store = open_feedback_store(config(durable.url))
    store.append_many([{"id": "x", "text": SCAM, "label": 1, "source": "analyst"}])
    store.append_many([{"id": "x", "text": SCAM, "label": 0, "source": "analyst"}])
    assert feedback_frame(store, "sms")["label"].tolist() == [0]


def test_entries_written_before_category_read_none_and_export(durable: DurableRedis, tmp_path: Path) -> None:
    """A stream entry an earlier version wrote has no ``category`` key: it reads None (as SQLite's
    NULL after the column is added), and the export loads it from its label as before."""
    from training.data.sms import load_labelled
    from training.feedback_export import export_feedback

    store = open_feedback_store(config(durable.url))
    old_row = {"id": "old", "kind": "sms", "text": SCAM, "call_json": None, "label": 1, "fraud_type": "冒充公检法",
               "source": "analyst", "received_at": "2024-01-01T00:00:00.000000+00:00", "decision_id": None}
    store.stream.client.xadd(store.key, {"seq": 1, "row": json.dumps(old_row, ensure_ascii=False)})
    store.stream.client.set(f"{store.key}:seq", 1)
    store.append_many([{"id": "new", "text": "新品上市全场五折", "label": 1, "category": "spam", "source": "analyst"}])
    rows = store.read()
    assert rows["seq"].tolist() == [1, 2] and rows["category"].isna().tolist() == [True, False]
    export_feedback(store, tmp_path / "fb.csv")
    loaded = load_labelled([tmp_path / "fb.csv"], "auto").frame.set_index("id")
    assert loaded["category"].to_dict() == {"old": "fraud", "new": "spam"}


def test_a_redis_that_does_not_fsync_every_write_is_refused(redis_url: str) -> None:
    with pytest.raises(NotDurable, match="appendonly=no.*--appendonly yes --appendfsync always"):
        open_feedback_store(config(redis_url))
    store = open_feedback_store(FeedbackConfig(url=redis_url, redis_key="yunmao:test-unverified", verify_durability=False))
    assert store.append_many(batch("unverified", 1)) == ["unverified-0"]


def test_an_unreachable_redis_is_503_not_a_crash(durable: DurableRedis) -> None:
    store = open_feedback_store(config(durable.url))
    durable.proc.terminate()
    durable.proc.wait()
    with pytest.raises(FeedbackUnavailable, match="feedback store could not commit"):
        handle_feedback(FeedbackRequest.model_validate({"records": batch("lost", 1)}), store)
    with pytest.raises(StoreUnavailable):
        store.read()
    with pytest.raises(StoreUnavailable, match="feedback store redis://.* is unreachable"):
        open_feedback_store(config(durable.url))
