"""Profile stores: SQLite always, Redis on the loopback redis-server of ``conftest.redis_url``."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from configs.call import ProfileStoreConfig
from serving.profile_store import ProfileStore, RedisProfileStore, SqliteProfileStore, open_profile_store


@pytest.fixture(params=["sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ProfileStore:
    if request.param == "sqlite":
        return open_profile_store(ProfileStoreConfig(url=f"sqlite:///{tmp_path / 'p.db'}"))
    url = request.getfixturevalue("redis_url")
    return open_profile_store(ProfileStoreConfig(url=url, key_prefix=f"test:{tmp_path.name}:"))


def test_round_trip_missing_number_and_nan(store: ProfileStore) -> None:
    written = store.put_many([
        {"phone_no_m": "A", "voc_cnt": np.int64(3), "arpu": float("nan")},
        {"phone_no_m": "B", "voc_cnt": 1.5, "arpu": 20.0},
    ])
    assert written == 2
    a = store.get("A")
    assert a["voc_cnt"] == 3 and math.isnan(a["arpu"])
    assert store.get("nobody") is None
    many = store.get_many(["B", "nobody", "A"])
    assert list(many) == ["B", "nobody", "A"] and many["nobody"] is None and many["B"]["arpu"] == 20.0
    store.put_many([{"phone_no_m": "A", "voc_cnt": 7}])
    assert store.get("A")["voc_cnt"] == 7


def test_profile_without_number_is_refused(store: ProfileStore) -> None:
    with pytest.raises(ValueError, match="phone_no_m"):
        store.put_many([{"voc_cnt": 1}])


def test_factory_picks_implementation_by_url(tmp_path: Path, isolated_data_dir: Path) -> None:
    default = open_profile_store(ProfileStoreConfig())
    assert isinstance(default, SqliteProfileStore) and default.path == isolated_data_dir / "profiles.db"
    assert isinstance(open_profile_store(ProfileStoreConfig(), "redis://127.0.0.1:1/0"), RedisProfileStore)
    assert SqliteProfileStore(tmp_path / "w.db")._connect().execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with pytest.raises(ValueError, match="unsupported"):
        open_profile_store(ProfileStoreConfig(), "ftp://x")


def test_the_store_shortcut_variable_may_not_contradict_the_settings_own(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("YUNMAO_PROFILE_STORE", f"sqlite:///{tmp_path / 'a.db'}")
    monkeypatch.setenv("YUNMAO_CALL__PROFILE_STORE__URL", f"sqlite:///{tmp_path / 'b.db'}")
    with pytest.raises(ValueError, match="YUNMAO_PROFILE_STORE and YUNMAO_CALL__PROFILE_STORE__URL are both set"):
        open_profile_store(ProfileStoreConfig(url=f"sqlite:///{tmp_path / 'b.db'}"))


def test_den_id_round_trips_and_a_number_in_no_den_has_none(store: ProfileStore) -> None:
    """The den id is one more field of the stored profile: text out as text in; null (no den) as NaN."""
    store.put_many([{"phone_no_m": "A", "voc_cnt": 3, "den_id": "den-12"},
                    {"phone_no_m": "B", "voc_cnt": 4, "den_id": None},
                    {"phone_no_m": "C", "voc_cnt": 5, "den_id": float("nan")}])
    found = store.get_many(["A", "B", "C"])
    assert found["A"]["den_id"] == "den-12" and found["A"]["voc_cnt"] == 3
    assert math.isnan(found["B"]["den_id"]) and math.isnan(found["C"]["den_id"])


def test_a_store_written_before_den_ids_still_reads(tmp_path: Path) -> None:
    """Profiles are JSON documents, so den ids needed no new column: a store the earlier code
    wrote opens as it is, its profiles read without a den id, and republishing adds one."""
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE profiles (number TEXT PRIMARY KEY, profile TEXT NOT NULL)")
        conn.execute("INSERT INTO profiles VALUES ('A', '{\"phone_no_m\":\"A\",\"voc_cnt\":3}')")
    store = SqliteProfileStore(path)
    assert store.get("A") == {"phone_no_m": "A", "voc_cnt": 3}
    store.put_many([{"phone_no_m": "A", "voc_cnt": 3, "den_id": "den-4"}])
    assert store.get("A")["den_id"] == "den-4"
