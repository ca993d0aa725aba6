"""Template stores: SQLite always, Redis on the loopback redis-server of ``conftest.redis_url``."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from configs.campaigns import ReputationConfig
from serving.store_errors import NotDurable, StoreUnavailable
from serving.template_store import (
    RedisTemplateStore,
    SqliteTemplateStore,
    TemplateEntry,
    TemplateStore,
    open_template_reader,
    open_template_store,
)
from tests.serving.conftest import DurableRedis


@pytest.fixture(params=["sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> TemplateStore:
    if request.param == "sqlite":
        return open_template_store(ReputationConfig(), f"sqlite:///{tmp_path / 't.db'}")
    url = request.getfixturevalue("redis_url")  # a throwaway server without persistence: the check is off
    return open_template_store(ReputationConfig(key_prefix=f"test:{tmp_path.name}:", verify_durability=False), url)


def entry(expires_at: float = 2_000.0, **fields: object) -> TemplateEntry:
    values = {
        "signature": np.arange(8, dtype=np.uint64) * np.uint64(2**61),
        "template": "您的快递丢失，我司将赔偿您#元",
        "label": 1,
        "confirmed_by": "analyst",
        "floor": "block",
        "first_seen": 100.5,
        "last_seen": 100.5,
        "expires_at": expires_at,
        "fraud_type": "冒充客服",
        **fields,
    }
    return TemplateEntry(**values)  # type: ignore[arg-type]


def test_round_trip_keeps_every_field_and_assigns_ids(store: TemplateStore) -> None:
    start = store.version()
    first = store.save(entry())
    second = store.save(entry(template="另一个模板的文本内容", fraud_type=None))
    assert first.id is not None and second.id is not None and first.id != second.id
    version, changed = store.changes(start)
    assert version > start
    by_id = {e.id: e for e in changed}
    assert by_id[first.id].template == first.template and by_id[second.id].fraud_type is None
    assert np.array_equal(by_id[first.id].signature, first.signature)
    assert by_id[first.id].signature.dtype == np.uint64
    assert by_id[first.id].expires_at == pytest.approx(2_000.0) and by_id[first.id].first_seen == pytest.approx(100.5)


def test_changes_since_a_version_are_only_the_later_writes(store: TemplateStore) -> None:
    first = store.save(entry())
    seen_version, _ = store.changes(-1)
    assert store.changes(seen_version) == (seen_version, [])
    cleared = store.save(replace(first, label=0, floor="allow"))
    version, changed = store.changes(seen_version)
    assert version > seen_version and [(e.id, e.label, e.floor) for e in changed] == [(cleared.id, 0, "allow")]


def test_seen_counts_add_up_in_one_batched_write(store: TemplateStore) -> None:
    saved = store.save(entry(seen=3))
    before = store.version()
    store.add_seen({saved.id: 5}, at=150.0)  # type: ignore[dict-item]
    store.add_seen({saved.id: 2, 999_999: 4}, at=140.0)  # an id purged meanwhile is skipped
    assert store.version() == before + 2
    _, changed = store.changes(before)
    assert [(e.seen, e.last_seen) for e in changed] == [(10, 150.0)]


def test_expired_entries_are_purged(store: TemplateStore) -> None:
    old = store.save(entry(expires_at=50.0))
    live = store.save(entry(expires_at=5_000.0))
    assert store.purge_expired(now=100.0) == 1
    _, remaining = store.changes(-1)
    assert [e.id for e in remaining] == [live.id] and old.id not in {e.id for e in remaining}


def test_store_url_picks_the_backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("YUNMAO_TEMPLATE_STORE", raising=False)
    monkeypatch.setenv("YUNMAO_DATA_DIR", str(tmp_path))
    default = open_template_store(ReputationConfig())
    assert isinstance(default, SqliteTemplateStore) and default.path == tmp_path.resolve() / "templates.db"
    assert isinstance(open_template_store(ReputationConfig(), "redis://127.0.0.1:1/0"), RedisTemplateStore)
    monkeypatch.setenv("YUNMAO_TEMPLATE_STORE", f"sqlite:///{tmp_path / 'env.db'}")
    assert open_template_store(ReputationConfig()).path == tmp_path / "env.db"  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="unsupported template store URL"):
        open_template_store(ReputationConfig(), "mysql://x")


def test_the_store_shortcut_variable_may_not_contradict_the_settings_own(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("YUNMAO_TEMPLATE_STORE", f"sqlite:///{tmp_path / 'a.db'}")
    monkeypatch.setenv("YUNMAO_CAMPAIGNS__REPUTATION__STORE_URL", f"sqlite:///{tmp_path / 'b.db'}")
    with pytest.raises(ValueError, match="YUNMAO_TEMPLATE_STORE and YUNMAO_CAMPAIGNS__REPUTATION__STORE_URL are both set"):
        open_template_store(ReputationConfig(store_url=f"sqlite:///{tmp_path / 'b.db'}"))


def test_a_reader_never_creates_a_store_and_cannot_write_to_one(tmp_path: Path) -> None:
    """``yunmao campaigns`` reads the service's file: a wrong path is an error, not a new empty
    store that would call every campaign unconfirmed, and the reader cannot change the service's."""
    with pytest.raises(StoreUnavailable, match="absent.db: no such file"):
        open_template_reader(ReputationConfig(), f"sqlite:///{tmp_path / 'absent.db'}")
    assert not (tmp_path / "absent.db").exists()
    written = open_template_store(ReputationConfig(), f"sqlite:///{tmp_path / 't.db'}").save(entry())
    reader = open_template_reader(ReputationConfig(), f"sqlite:///{tmp_path / 't.db'}")
    assert [e.id for e in reader.changes(-1)[1]] == [written.id]
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader.save(entry())


def _confirmation() -> TemplateEntry:
    return TemplateEntry(signature=np.arange(8, dtype=np.uint64), template="template", label=1, confirmed_by="analyst",
                         floor="block", first_seen=1.0, last_seen=1.0, expires_at=1e12)


def test_a_redis_that_could_lose_a_confirmation_is_refused_before_it_is_stored(redis_url: str, tmp_path: Path) -> None:
    """An analyst's confirmation is acknowledged only where it survives a crash, as in the SQLite
    file: a Redis without an fsynced append-only file refuses it, naming the settings to use."""
    store = open_template_store(ReputationConfig(key_prefix=f"test:{tmp_path.name}:"), redis_url)
    with pytest.raises(NotDurable, match=r"appendonly=no.*--appendonly yes --appendfsync always"):
        store.save(_confirmation())
    assert store.version() == 0 and store.changes(0) == (0, [])


def test_a_redis_that_fsyncs_every_write_takes_confirmations(durable: DurableRedis) -> None:
    store = open_template_store(ReputationConfig(), durable.url)
    saved = store.save(_confirmation())
    assert saved.id is not None and store.changes(0)[1][0].template == "template"
