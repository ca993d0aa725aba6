"""Online per-number profile store: the live call scorer looks callers up here by number.

``ProfileStore`` is the only thing the service sees; ``open_profile_store(config)`` picks the
implementation from the URL in ``$YUNMAO_PROFILE_STORE`` or else ``configs/call.yaml``
(``profile_store.url``), so publisher and service agree by default: empty → SQLite
file ``data_dir()/profiles.db`` (WAL, readers never block the publisher), ``sqlite:///PATH``
→ that file, ``redis://…`` → Redis. Profiles are stored as JSON; NaN travels as null and
comes back as NaN so the featuriser sees "unknown", not zero.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from configs.call import ProfileStoreConfig
from configs.environment import shortcut_value, variable_name
from configs.paths import data_dir
from serving.store_errors import StoreUnavailable, redacted, store_name

if TYPE_CHECKING:
    import pandas as pd

Profile = dict[str, Any]
KEY = "phone_no_m"
PROFILE_STORE_ENV = "YUNMAO_PROFILE_STORE"


class ProfileStore(Protocol):
    def get(self, number: str) -> Profile | None: ...

    def get_many(self, numbers: Iterable[str]) -> dict[str, Profile | None]: ...

    def put_many(self, profiles: Iterable[Mapping[str, Any]]) -> int: ...


def encode(profile: Mapping[str, Any]) -> str:
    """JSON with NaN/inf as null (JSON has no NaN) and numpy scalars as Python numbers."""
    clean = {}
    for key, value in profile.items():
        if hasattr(value, "item"):
            value = value.item()
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        clean[key] = value
    return json.dumps(clean, ensure_ascii=False, separators=(",", ":"))


def decode(text: str | bytes | None) -> Profile | None:
    if text is None:
        return None
    return {k: (math.nan if v is None else v) for k, v in json.loads(text).items()}


def _number(profile: Mapping[str, Any]) -> str:
    number = profile.get(KEY)
    if number is None or str(number) == "":
        raise ValueError(f"profile without {KEY}: {dict(list(profile.items())[:3])}")
    return str(number)


class SqliteProfileStore:
    """Embedded store: one table ``profiles(number PRIMARY KEY, profile JSON)`` in WAL mode."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("CREATE TABLE IF NOT EXISTS profiles (number TEXT PRIMARY KEY, profile TEXT NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        """One connection per thread (sqlite3 connections must not cross threads)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30)
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    def get(self, number: str) -> Profile | None:
        row = self._connect().execute("SELECT profile FROM profiles WHERE number = ?", (str(number),)).fetchone()
        return decode(row[0]) if row else None

    def get_many(self, numbers: Iterable[str]) -> dict[str, Profile | None]:
        wanted = [str(n) for n in numbers]
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 500):  # stay under SQLite's bound-parameter limit
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(self._connect().execute(f"SELECT number, profile FROM profiles WHERE number IN ({marks})", chunk))
        return {n: decode(found.get(n)) for n in wanted}

    def put_many(self, profiles: Iterable[Mapping[str, Any]]) -> int:
        rows = [(_number(p), encode(p)) for p in profiles]
        with self._connect() as conn:
            conn.executemany("INSERT OR REPLACE INTO profiles (number, profile) VALUES (?, ?)", rows)
        return len(rows)


class RedisProfileStore:
    """Redis store: one string key ``<prefix><number>`` per profile, written in pipelines."""

    def __init__(self, url: str, key_prefix: str = "yunmao:profile:") -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.prefix = key_prefix
        self.url = url

    def get(self, number: str) -> Profile | None:
        return decode(self.client.get(self.prefix + str(number)))

    def get_many(self, numbers: Iterable[str]) -> dict[str, Profile | None]:
        wanted = [str(n) for n in numbers]
        values = self.client.mget([self.prefix + n for n in wanted]) if wanted else []
        return {n: decode(v) for n, v in zip(wanted, values, strict=False)}

    def put_many(self, profiles: Iterable[Mapping[str, Any]], batch: int = 5000) -> int:
        written = 0
        pipe = self.client.pipeline(transaction=False)
        for profile in profiles:
            pipe.set(self.prefix + _number(profile), encode(profile))
            written += 1
            if written % batch == 0:
                pipe.execute()
        pipe.execute()
        return written


def publish_profiles(store: ProfileStore, profiles: pd.DataFrame) -> int:
    """Write a built profile table (one row per ``phone_no_m``) to ``store``; returns rows written.

    A ``label`` column is dropped: the live scorer must see what it would see for a new number.

    Raises:
        StoreUnavailable: the store could not be written (server down, file not writable); rows of
            earlier pipelines may already be stored, and publishing again overwrites them alike.
    """
    import redis

    try:
        return store.put_many(profiles.drop(columns=["label"], errors="ignore").to_dict("records"))
    except (sqlite3.Error, redis.RedisError) as exc:
        raise StoreUnavailable(f"profile store {store_name(store)} could not be written: {exc}") from exc


def open_profile_store(config: ProfileStoreConfig, url: str | None = None) -> ProfileStore:
    """The store named by ``url``, else ``$YUNMAO_PROFILE_STORE``, else ``config.url``; default SQLite."""
    if url is None:
        url = shortcut_value(PROFILE_STORE_ENV, variable_name("call", ("profile_store", "url")), config.url, os.environ)
    if not url:
        return SqliteProfileStore(data_dir() / "profiles.db")
    if url.startswith("sqlite:///"):
        return SqliteProfileStore(url.removeprefix("sqlite:///"))
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisProfileStore(url, config.key_prefix)
    raise ValueError(f"unsupported profile store URL {redacted(url)!r}: use sqlite:///PATH or redis://HOST:PORT/DB")
