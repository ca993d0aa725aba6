"""Durable store of confirmed message templates, shared by every worker of every instance.

The service matches each message against the templates here (``serving/template_index`` keeps
an in-process copy), so the store only has to answer "what changed since version V": every
write bumps one version counter and stamps the rows it touched with it, atomically, and a
worker asks for rows stamped later than the version it last saw. Seen counts arrive in
batches (:meth:`TemplateStore.add_seen`), never one write per message.

``open_template_store(config)`` picks the backend like the profile store does: the URL in
``$YUNMAO_TEMPLATE_STORE`` or ``reputation.store_url``; empty → SQLite file
``data_dir()/templates.db`` (WAL, ``synchronous=FULL``: an analyst's confirmation survives a
crash), ``sqlite:///PATH`` → that file, ``redis://…`` → Redis (a Lua script per write keeps the
counter and the rows in step; before its first write the store checks the server fsyncs every
write, the promise the SQLite file makes, unless ``reputation.verify_durability`` is off).
``open_template_reader`` opens the same store for a reader outside the service (``yunmao
campaigns``): never created, SQLite read only, checked at once.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

from configs.campaigns import ReputationConfig
from configs.environment import shortcut_value, variable_name
from configs.paths import data_dir
from serving.redis_stream import Durability, require_durability
from serving.sqlite_tx import immediate_transaction
from serving.store_errors import StoreUnavailable, redacted, store_name

TEMPLATE_STORE_ENV = "YUNMAO_TEMPLATE_STORE"
# What the SQLite store promises (synchronous=FULL): an acknowledged confirmation survives a crash.
DURABLE = Durability({"appendonly": ("yes",), "appendfsync": ("always",)}, "analyst-confirmed templates",
                     "reputation verify_durability")
ConfirmedBy = Literal["analyst", "automatic"]


@dataclass(frozen=True)
class TemplateEntry:
    """One confirmed template. ``label`` 1: a scam template (``floor`` is the least action a
    match gets); 0: an analyst said "not fraud", which overrides and keeps it from being
    confirmed automatically. Times are Unix seconds; ``id`` is None until stored."""

    signature: np.ndarray  # MinHash hash values (uint64), features.sms.templates.TemplateSigner
    template: str  # the masked text it was confirmed from, for people reading the store
    label: int
    confirmed_by: ConfirmedBy
    floor: str
    first_seen: float
    last_seen: float
    expires_at: float
    seen: int = 0
    fraud_type: str | None = None
    id: int | None = None

    @property
    def expires(self) -> str:
        """``expires_at`` as UTC ISO text to the second, as the admin route and ``campaigns.json`` show it."""
        return datetime.fromtimestamp(self.expires_at, timezone.utc).isoformat(timespec="seconds")

    def to_json(self) -> str:
        fields = asdict(self)
        fields["signature"] = self.signature.astype(np.uint64).tobytes().hex()
        return json.dumps(fields, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> TemplateEntry:
        fields = json.loads(text)
        fields["signature"] = np.frombuffer(bytes.fromhex(fields["signature"]), dtype=np.uint64)
        return cls(**fields)


class TemplateStore(Protocol):
    def version(self) -> int:
        """The change counter: it moves on every write."""
        ...

    def changes(self, since: int) -> tuple[int, list[TemplateEntry]]:
        """(current version, entries written after version ``since``)."""
        ...

    def save(self, entry: TemplateEntry) -> TemplateEntry:
        """Insert (``id`` None: a new id is assigned) or replace the entry; returns it with its id."""
        ...

    def add_seen(self, counts: Mapping[int, int], at: float) -> None:
        """Add ``counts`` (template id → messages) to the seen counts and set ``last_seen``."""
        ...

    def purge_expired(self, now: float) -> int:
        """Delete entries that expired before ``now``; returns how many."""
        ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (version INTEGER NOT NULL);
INSERT INTO meta SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM meta);
CREATE TABLE IF NOT EXISTS templates (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    version    INTEGER NOT NULL,
    expires_at REAL NOT NULL,
    entry      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS templates_version ON templates (version);
"""


class SqliteTemplateStore:
    """One SQLite file; a short-lived connection per operation (fork- and thread-safe).

    ``read_only``: the file must exist and is opened ``mode=ro``, so a reader with read access
    alone (an analyst's account on the service's data) can read it, and can never write to it.

    Raises:
        StoreUnavailable: ``read_only`` and no such file.
    """

    def __init__(self, path: str | Path, busy_timeout_s: float, read_only: bool = False) -> None:
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s
        self.read_only = read_only
        if read_only:
            if not self.path.is_file():
                raise StoreUnavailable(f"template store {self.path}: {'not a file' if self.path.exists() else 'no such file'}")
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if self.read_only:
            target = f"{self.path.resolve().as_uri()}?mode=ro"
            with closing(sqlite3.connect(target, timeout=self.busy_timeout_s, isolation_level=None, uri=True)) as db:
                yield db
            return
        with closing(sqlite3.connect(self.path, timeout=self.busy_timeout_s, isolation_level=None)) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            yield db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as db, immediate_transaction(db):
            yield db

    @staticmethod
    def _bump(db: sqlite3.Connection) -> int:
        db.execute("UPDATE meta SET version = version + 1")
        return int(db.execute("SELECT version FROM meta").fetchone()[0])

    def version(self) -> int:
        with self._connect() as db:
            return int(db.execute("SELECT version FROM meta").fetchone()[0])

    def changes(self, since: int) -> tuple[int, list[TemplateEntry]]:
        with self._connect() as db:
            db.execute("BEGIN")  # one snapshot: the version and the rows agree
            version = int(db.execute("SELECT version FROM meta").fetchone()[0])
            rows = db.execute("SELECT id, entry FROM templates WHERE version > ? ORDER BY id", (since,)).fetchall()
            db.execute("COMMIT")
        return version, [replace(TemplateEntry.from_json(entry), id=row_id) for row_id, entry in rows]

    def save(self, entry: TemplateEntry) -> TemplateEntry:
        with self._transaction() as db:
            version = self._bump(db)
            if entry.id is None:
                cursor = db.execute(
                    "INSERT INTO templates (version, expires_at, entry) VALUES (?, ?, '')", (version, entry.expires_at)
                )
                entry = replace(entry, id=cursor.lastrowid)
            db.execute(
                "INSERT OR REPLACE INTO templates (id, version, expires_at, entry) VALUES (?, ?, ?, ?)",
                (entry.id, version, entry.expires_at, entry.to_json()),
            )
        return entry

    def add_seen(self, counts: Mapping[int, int], at: float) -> None:
        if not counts:
            return
        with self._transaction() as db:
            version = self._bump(db)
            for template_id, count in counts.items():
                row = db.execute("SELECT entry FROM templates WHERE id = ?", (template_id,)).fetchone()
                if row is None:  # purged meanwhile
                    continue
                entry = TemplateEntry.from_json(row[0])
                updated = replace(entry, seen=entry.seen + count, last_seen=max(entry.last_seen, at))
                db.execute("UPDATE templates SET version = ?, entry = ? WHERE id = ?", (version, updated.to_json(), template_id))

    def purge_expired(self, now: float) -> int:
        with self._transaction() as db:
            return db.execute("DELETE FROM templates WHERE expires_at < ?", (now,)).rowcount


# KEYS: version, next_id, entries (hash id → JSON), changes (zset id → version).
_SAVE = """
local version = redis.call('INCR', KEYS[1])
local id = ARGV[1]
if id == '' then id = tostring(redis.call('INCR', KEYS[2])) end
local entry = cjson.decode(ARGV[2])
entry['id'] = tonumber(id)
redis.call('HSET', KEYS[3], id, cjson.encode(entry))
redis.call('ZADD', KEYS[4], version, id)
return tonumber(id)
"""
# KEYS: version, entries, changes; ARGV: at, then id, count pairs.
_ADD_SEEN = """
local version = redis.call('INCR', KEYS[1])
local at = tonumber(ARGV[1])
for i = 2, #ARGV, 2 do
  local raw = redis.call('HGET', KEYS[2], ARGV[i])
  if raw then
    local entry = cjson.decode(raw)
    entry['seen'] = entry['seen'] + tonumber(ARGV[i + 1])
    if at > entry['last_seen'] then entry['last_seen'] = at end
    redis.call('HSET', KEYS[2], ARGV[i], cjson.encode(entry))
    redis.call('ZADD', KEYS[3], version, ARGV[i])
  end
end
return version
"""


class RedisTemplateStore:
    """Redis: entries in one hash, a sorted set of id → version of last change, one counter."""

    def __init__(self, url: str, key_prefix: str, durability: Durability | None = DURABLE) -> None:
        import redis

        self.url = url
        self.client = redis.Redis.from_url(url)
        self._keys = {name: f"{key_prefix}{name}" for name in ("version", "next_id", "entries", "changes")}
        self._save = self.client.register_script(_SAVE)
        self._add_seen = self.client.register_script(_ADD_SEEN)
        self._unchecked = durability

    def _require_durability(self) -> None:
        """Before the first save (an analyst's confirmation): the server keeps what it acknowledges
        (:data:`DURABLE`), checked once; reads and seen counts need no such promise.

        Raises:
            NotDurable: it could lose an acknowledged confirmation in a crash.
        """
        if self._unchecked is not None:
            require_durability(self.client, self._unchecked, "template store", self.url)
            self._unchecked = None

    def version(self) -> int:
        return int(self.client.get(self._keys["version"]) or 0)

    def changes(self, since: int) -> tuple[int, list[TemplateEntry]]:
        version = self.version()  # every write's rows land with its version in one script
        ids = self.client.zrangebyscore(self._keys["changes"], f"({since}", version)
        raw = self.client.hmget(self._keys["entries"], ids) if ids else []
        return version, [TemplateEntry.from_json(text) for text in raw if text is not None]

    def save(self, entry: TemplateEntry) -> TemplateEntry:
        self._require_durability()
        keys = [self._keys[k] for k in ("version", "next_id", "entries", "changes")]
        new_id = self._save(keys=keys, args=["" if entry.id is None else str(entry.id), entry.to_json()])
        return replace(entry, id=int(new_id))

    def add_seen(self, counts: Mapping[int, int], at: float) -> None:
        if not counts:
            return
        pairs = [str(value) for item in counts.items() for value in item]
        self._add_seen(keys=[self._keys[k] for k in ("version", "entries", "changes")], args=[repr(at), *pairs])

    def purge_expired(self, now: float) -> int:
        expired = [
            template_id
            for template_id, text in self.client.hgetall(self._keys["entries"]).items()
            if TemplateEntry.from_json(text).expires_at < now
        ]
        if expired:
            self.client.hdel(self._keys["entries"], *expired)
            self.client.zrem(self._keys["changes"], *expired)
        return len(expired)


def open_template_store(config: ReputationConfig, url: str | None = None, read_only: bool = False) -> TemplateStore:
    """The store named by ``url``, else ``$YUNMAO_TEMPLATE_STORE``, else ``config.store_url``; default
    SQLite. ``read_only``: see :class:`SqliteTemplateStore` (a Redis reader simply never writes)."""
    if url is None:
        url = shortcut_value(TEMPLATE_STORE_ENV, variable_name("campaigns", ("reputation", "store_url")),
                             config.store_url, os.environ)
    if not url:
        return SqliteTemplateStore(data_dir() / "templates.db", config.busy_timeout_s, read_only)
    if url.startswith("sqlite:///"):
        return SqliteTemplateStore(url.removeprefix("sqlite:///"), config.busy_timeout_s, read_only)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisTemplateStore(url, config.key_prefix, DURABLE if config.verify_durability else None)
    raise ValueError(f"unsupported template store URL {redacted(url)!r}: use sqlite:///PATH or redis://HOST:PORT/DB")


def open_template_reader(config: ReputationConfig, url: str | None = None) -> TemplateStore:
    """The store :func:`open_template_store` would open, for a reader outside the service, read once
    now so a bad location fails here with one clear error. Unlike the service it never creates a
    store: a new, empty one would report every template as unconfirmed.

    Raises:
        StoreUnavailable: no such SQLite file, a file that is not a template store, an unreachable server.
        ValueError: ``url`` is not a template store URL.
    """
    import redis

    store = open_template_store(config, url, read_only=True)
    try:
        store.version()
    except (sqlite3.Error, redis.RedisError) as exc:
        raise StoreUnavailable(f"template store {store_name(store)} cannot be read: {exc}") from exc
    return store
