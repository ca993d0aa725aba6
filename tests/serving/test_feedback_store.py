"""The feedback store: validation, durability settings, concurrency and crash safety."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from configs.feedback import FeedbackConfig
from serving.feedback_store import FeedbackError, SqliteFeedbackStore

SCAM = "您的账户涉嫌洗钱，请立即转账到安全账户"


def make_store(tmp_path: Path, **overrides: object) -> SqliteFeedbackStore:
    return SqliteFeedbackStore(FeedbackConfig(path=str(tmp_path / "feedback.db"), **overrides))


def batch(tag: str, size: int) -> list[dict]:
    return [{"id": f"{tag}-{i}", "text": f"{SCAM} {i}", "label": 1, "source": tag} for i in range(size)]


def test_append_returns_ids_in_order_and_generates_missing(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    ids = store.append_many(
        [
            {"id": "m1", "text": SCAM, "label": "fraud", "fraud_type": "冒充公检法", "source": "analyst"},
            {"text": "您的快递已到驿站", "label": "正常", "source": "victim_report"},
            {"call": {"phone_no_m": "abc", "calls_per_day": 41}, "label": 1, "source": "analyst"},
        ]
    )
    assert ids[0] == "m1" and len(ids) == 3 and len(set(ids)) == 3
    rows = store.read()
    assert rows["id"].tolist() == ids
    assert rows["label"].tolist() == [1, 0, 1]
    assert rows["kind"].tolist() == ["sms", "sms", "call"]
    assert json.loads(rows["call_json"].iloc[2]) == {"calls_per_day": 41, "phone_no_m": "abc"}


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"label": 1, "source": "analyst"}, "exactly one of 'text'"),
        ({"text": SCAM, "call": {"phone_no_m": "x"}, "label": 1, "source": "analyst"}, "exactly one of 'text'"),
        ({"text": SCAM, "label": 2, "source": "analyst"}, "label: .*not a label .a number other than 0 and 1"),
        ({"text": SCAM, "label": [1], "source": "analyst"}, "label: .*not a label .an array"),
        ({"text": SCAM, "label": "maybe", "source": "analyst"}, "label: .*not a label .an unknown word"),
        ({"text": SCAM, "label": True, "source": "analyst"}, "label: .*not a label .true/false"),
        ({"text": SCAM, "label": 0, "fraud_type": "其他", "source": "analyst"}, "fraud_type is only meaningful"),
        ({"text": SCAM, "label": 1}, "source: Field required"),
        ({"text": SCAM, "label": 1, "source": "bad source!"}, "source: String should match"),
        ({"text": "   ", "label": 1, "source": "analyst"}, "text: String should have at least 1"),
        ({"call": {"calls": 3}, "label": 1, "source": "analyst"}, "phone_no_m"),
        ({"call": {"phone_no_m": "x", "v": float("nan")}, "label": 1, "source": "analyst"}, "plain JSON"),
        ({"text": SCAM, "label": 1, "source": "analyst", "extra": 1}, "extra: Extra inputs"),
        ({"text": SCAM, "label": 1, "fraud_type": "电信诈骗乱写", "source": "analyst"}, "fraud_type: .*not a fraud type"),
        ({"text": SCAM, "label": 1, "category": "scam", "source": "analyst"}, "category: .*not a category"),
        ({"text": SCAM, "label": 1, "category": "ham", "source": "analyst"}, "category: .*contradicts label 1"),
        ({"text": SCAM, "label": 0, "category": "spam", "source": "analyst"}, "category: .*contradicts label 0"),
        ({"text": SCAM, "label": 1, "category": "spam", "fraud_type": "其他", "source": "analyst"}, "category: .*contradicts fraud_type"),
    ],
)
def test_bad_records_are_refused_with_the_field_named(tmp_path: Path, record: dict, message: str) -> None:
    store = make_store(tmp_path)
    with pytest.raises(FeedbackError, match="record 1: .*" + message.replace("(", r"\(")):
        store.append_many([{"text": "ok", "label": 0, "source": "analyst"}, record])
    assert store.read().empty, "a batch with one bad record stores nothing"


def test_category_is_stored_as_given_or_as_fraud_type_implies(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    store.append_many([
        {"text": SCAM, "label": 1, "category": " Spam ", "source": "analyst"},  # case and spaces as label words
        {"text": SCAM, "label": 1, "fraud_type": "冒充公检法", "source": "analyst"},
        {"text": SCAM, "label": "spam", "source": "old_client"},  # a label word says only 1, as before
        {"call": {"phone_no_m": "abc"}, "label": 1, "category": "illegal", "source": "analyst"},
    ])
    rows = store.read()
    assert rows["category"].fillna("").tolist() == ["spam", "fraud", "", "illegal"]  # "": none given
    assert rows["label"].tolist() == [1, 1, 1, 1] and rows["fraud_type"].fillna("").tolist() == ["", "冒充公检法", "", ""]


# The feedback table as earlier versions created it: before decision_id, and before category.
OLD_SCHEMAS = {
    "before_decision_id": "CREATE TABLE feedback (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, kind TEXT NOT NULL,"
                          " text TEXT, call_json TEXT, label INTEGER NOT NULL, fraud_type TEXT, source TEXT NOT NULL,"
                          " received_at TEXT NOT NULL)",
    "before_category": "CREATE TABLE feedback (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, kind TEXT NOT NULL,"
                       " text TEXT, call_json TEXT, label INTEGER NOT NULL, fraud_type TEXT, source TEXT NOT NULL,"
                       " received_at TEXT NOT NULL, decision_id TEXT)",
}


@pytest.mark.parametrize("schema", sorted(OLD_SCHEMAS))
def test_an_old_feedback_db_gains_category_and_keeps_working(tmp_path: Path, schema: str) -> None:
    """A feedback file written before ``category`` existed: opening it adds the column (its rows read
    NULL there, which the loaders take as "label only", as before), new rows store a category, and
    the whole table exports and loads. Opening it again (a second worker) changes nothing."""
    from training.data.sms import load_labelled
    from training.feedback_export import export_feedback

    path = tmp_path / "feedback.db"
    with closing(sqlite3.connect(path)) as old, old:
        old.execute(OLD_SCHEMAS[schema])
        old.execute("INSERT INTO feedback (id, kind, text, label, fraud_type, source, received_at) VALUES "
                    "('old-1', 'sms', '请转账到安全账户', 1, '冒充公检法', 'a', '2024-01-01'), "
                    "('old-0', 'sms', '明天开会', 0, NULL, 'a', '2024-01-01')")
    make_store(tmp_path)
    store = make_store(tmp_path)
    store.append_many([{"id": "new", "text": "新品上市全场五折", "label": 1, "category": "spam", "source": "analyst"}])
    rows = store.read()
    assert rows["id"].tolist() == ["old-1", "old-0", "new"]
    assert rows["category"].fillna("").tolist() == ["", "", "spam"] and rows["decision_id"].isna().all()
    assert export_feedback(store, tmp_path / "fb.csv") == 3
    loaded = load_labelled([tmp_path / "fb.csv"], "auto").frame.set_index("id")
    assert loaded["category"].to_dict() == {"old-1": "fraud", "old-0": "ham", "new": "spam"}
    with store._connect() as conn:
        assert [row[1] for row in conn.execute("PRAGMA table_info(feedback)")].count("category") == 1


def test_configured_limits_apply(tmp_path: Path) -> None:
    store = make_store(tmp_path, max_batch=3, max_text_chars=10)
    with pytest.raises(FeedbackError, match="4 records in one batch; at most 3"):
        store.append_many(batch("b", 4))
    with pytest.raises(FeedbackError, match="text is 11 characters; at most 10"):
        store.append_many([{"text": "x" * 11, "label": 0, "source": "analyst"}])


def test_wal_and_full_sync_and_append_only(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    store.append_many(batch("b", 2))
    with store._connect() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE feedback SET label = 0")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM feedback")


def test_read_since_filters_by_receipt_time(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    store.append_many(batch("old", 2))
    cut = datetime.now(timezone.utc)
    store.append_many(batch("new", 3))
    assert store.read(since=cut)["source"].tolist() == ["new"] * 3
    assert len(store.read(since=cut.replace(tzinfo=None) - timedelta(hours=1))) == 5
    assert store.read(kind="call").empty


def test_default_path_is_under_the_data_dir(isolated_data_dir: Path) -> None:
    assert FeedbackConfig().db_path() == isolated_data_dir / "feedback.db"
    assert FeedbackConfig(path="sub/fb.db").db_path() == isolated_data_dir / "sub" / "fb.db"


def test_concurrent_threads_lose_nothing(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    with ThreadPoolExecutor(8) as pool:
        acked = [i for ids in pool.map(lambda n: store.append_many(batch(f"t{n}", 25)), range(40)) for i in ids]
    stored = store.read()["id"].tolist()
    assert len(stored) == len(acked) == 1000 and set(stored) == set(acked)


def _write_batches(db: str, worker: int) -> list[str]:
    store = SqliteFeedbackStore(FeedbackConfig(path=db))
    return [i for n in range(15) for i in store.append_many(batch(f"p{worker}-{n}", 40))]


def test_concurrent_processes_lose_nothing(tmp_path: Path) -> None:
    db = str(tmp_path / "feedback.db")
    SqliteFeedbackStore(FeedbackConfig(path=db))
    with ProcessPoolExecutor(4) as pool:
        acked = [i for ids in pool.map(_write_batches, [db] * 4, range(4)) for i in ids]
    stored = SqliteFeedbackStore(FeedbackConfig(path=db)).read()["id"].tolist()
    assert len(stored) == len(acked) == 4 * 15 * 40 and set(stored) == set(acked)


_KILLED_WRITER = """
import sys
from configs.feedback import FeedbackConfig
from serving.feedback_store import SqliteFeedbackStore
store = SqliteFeedbackStore(FeedbackConfig(path=sys.argv[1]))
n = 0
while True:
    store.append_many([{"id": f"k{n}-{i}", "text": "请转账到安全账户 " * 20, "label": 1, "source": f"k{n}"} for i in range(500)])
    print(n, flush=True)
    n += 1
"""


@pytest.mark.parametrize("delay_s", [0.0, 0.003, 0.011, 0.023])
def test_writer_killed_mid_batch_keeps_every_acknowledged_record_and_no_partial_batch(tmp_path: Path, delay_s: float) -> None:
    db = str(tmp_path / "feedback.db")
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, db], stdout=subprocess.PIPE, text=True)
    acked = [proc.stdout.readline() for _ in range(3)]  # type: ignore[union-attr]
    time.sleep(delay_s)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    acked += proc.stdout.readlines()  # type: ignore[union-attr]
    acked_batches = {f"k{line.strip()}" for line in acked if line.strip()}

    store = SqliteFeedbackStore(FeedbackConfig(path=db))
    with store._connect() as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    sizes = store.read().groupby("source").size()
    assert acked_batches <= set(sizes.index), "an acknowledged batch was lost"
    assert (sizes == 500).all(), f"partial batch left behind: {sizes[sizes != 500].to_dict()}"
