"""The bounded table of shadow pairs: what the champion answered and what the challenger would have.

Every worker process of every instance appends to one store, which :func:`open_shadow_store`
picks by ``shadow.backend``: an SQLite file on one machine (:class:`SqliteShadowStore`: WAL, one
short write transaction per batch of pairs, ``serving/sqlite_tx``) or a Redis stream every replica
reaches on a cluster (``serving/shadow_redis``). Each append prunes the oldest rows beyond
``shadow.max_rows``, so the table never outgrows its bound. A pair names its record only
by a keyed HMAC (:func:`record_key`): a plain hash of a phone number can be reversed by hashing
every number, an HMAC cannot without the key. The SMS text is stored only where
``shadow.sms.keep_text`` says so. Shadow evidence is a sample: durability is ``synchronous=NORMAL``
(a crash may lose the last pairs, never corrupt the table; Redis: ``appendfsync everysec``).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Sequence
from dataclasses import astuple, dataclass, fields
from datetime import datetime, timezone
from typing import Literal, Protocol

import pandas as pd

from configs import ConfigError
from configs.environment import shortcut_value, variable_name
from configs.serving import ShadowConfig
from features.sms.normalise import clean_text
from serving.sqlite_tx import HeldConnection, WalFile, immediate_transaction

SHADOW_KEY_ENV = "YUNMAO_SHADOW_KEY"
MIN_KEY_CHARS = 16
Kind = Literal["sms", "call"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS shadow_pair (
    seq                INTEGER PRIMARY KEY AUTOINCREMENT,
    kind               TEXT NOT NULL CHECK (kind IN ('sms', 'call')),
    record_key         TEXT NOT NULL,
    champion_model     TEXT NOT NULL,
    champion_version   TEXT NOT NULL,
    champion_score     REAL,
    champion_action    TEXT NOT NULL,
    challenger_model   TEXT NOT NULL,
    challenger_version TEXT NOT NULL,
    challenger_score   REAL,
    challenger_action  TEXT NOT NULL,
    text               TEXT,
    scored_at          TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS shadow_pair_challenger ON shadow_pair (challenger_model, challenger_version);
"""


@dataclass(frozen=True)
class ShadowPair:
    """One record as both models judged it; ``text`` only where the config keeps it."""

    kind: Kind
    record_key: str
    champion_model: str
    champion_version: str
    champion_score: float | None
    champion_action: str
    challenger_model: str
    challenger_version: str
    challenger_score: float | None
    challenger_action: str
    text: str | None
    scored_at: str


COLUMNS = tuple(f.name for f in fields(ShadowPair))


def shadow_key(config: ShadowConfig) -> bytes:
    """The HMAC key: ``$YUNMAO_SHADOW_KEY``, else ``shadow.hmac_key``.

    Raises:
        ConfigError: neither is set, or the key is too short to be a secret.
    """
    key = shortcut_value(SHADOW_KEY_ENV, variable_name("serving", ("shadow", "hmac_key")), config.hmac_key, os.environ)
    if not key:
        raise ConfigError(f"a shadow model is enabled but no HMAC key is set: set ${SHADOW_KEY_ENV} or shadow.hmac_key")
    if len(key) < MIN_KEY_CHARS:
        raise ConfigError(f"${SHADOW_KEY_ENV} must be at least {MIN_KEY_CHARS} characters")
    return key.encode("utf-8")


def check_shadow_key(config: ShadowConfig) -> None:
    """Raise :class:`ConfigError` when a shadow is enabled without a usable HMAC key."""
    if config.sms.enabled or config.call.enabled:
        shadow_key(config)


def record_content(kind: Kind, record: dict[str, object] | pd.Series) -> str:
    """What identifies a record across the service and the feedback store: an SMS's cleaned text,
    a call's caller number (a call profile's ``phone_no_m`` in feedback)."""
    return clean_text(str(record["text"])) if kind == "sms" else str(record["caller"])


def record_key(key: bytes, kind: Kind, content: str) -> str:
    """Keyed HMAC-SHA256 of ``content`` (see :func:`record_content`), hex."""
    return hmac.new(key, f"{kind}\x00{content}".encode(), hashlib.sha256).hexdigest()


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class ShadowStore(Protocol):
    """What the shadow scorers write and ``yunmao shadow report`` and promote's gates read."""

    config: ShadowConfig

    def append(self, pairs: Sequence[ShadowPair]) -> None:
        """Append ``pairs`` in one batch and prune the oldest beyond ``max_rows``."""
        ...

    def read(self, since: datetime | None = None, kind: Kind | None = None,
             challenger: tuple[str, str] | None = None) -> pd.DataFrame:
        """Stored pairs (``COLUMNS``), oldest first: scored at or after ``since``, of ``kind``, of
        the ``(model, version)`` challenger; every filter optional."""
        ...

    def check(self) -> None:
        """Raise now if the store cannot be reached or would not keep what it is given."""
        ...

    def close(self) -> None:
        """Release what :meth:`append` keeps open between batches (the shadow process, on its way out)."""
        ...


def scored_since(since: datetime) -> str:
    """``since`` as ``scored_at`` text (UTC ISO, milliseconds; naive = UTC)."""
    aware = since if since.tzinfo else since.replace(tzinfo=timezone.utc)
    return aware.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def open_shadow_store(config: ShadowConfig) -> ShadowStore:
    """The pair table ``config.backend`` names: SQLite at ``config.db_path()`` or the Redis stream."""
    if config.backend == "sqlite":
        return SqliteShadowStore(config)
    from serving.shadow_redis import RedisShadowStore  # here: that module imports this one

    return RedisShadowStore(config)


class SqliteShadowStore:
    """The pairs' SQLite table. :meth:`append` keeps one connection open between batches (its
    writer is the shadow process, appending from one thread); :meth:`read` opens one per call."""

    def __init__(self, config: ShadowConfig) -> None:
        self.config = config
        wal = WalFile.create(config.db_path(), config.busy_timeout_s, "NORMAL", _SCHEMA)
        self.path = wal.path
        self._connect = wal.connect
        self._writer = HeldConnection(wal)

    def append(self, pairs: Sequence[ShadowPair]) -> None:
        """Append ``pairs`` and prune the oldest rows beyond ``max_rows``, in one transaction."""
        if not pairs:
            return
        placeholders = ", ".join("?" for _ in COLUMNS)
        with self._writer.use() as db, immediate_transaction(db):
            db.executemany(
                f"INSERT INTO shadow_pair ({', '.join(COLUMNS)}) VALUES ({placeholders})", [astuple(p) for p in pairs]
            )
            db.execute("DELETE FROM shadow_pair WHERE seq <= (SELECT MAX(seq) FROM shadow_pair) - ?", (self.config.max_rows,))

    def read(self, since: datetime | None = None, kind: Kind | None = None,
             challenger: tuple[str, str] | None = None) -> pd.DataFrame:
        """Stored pairs, oldest first: scored at or after ``since``, of ``kind``, of the
        ``(model, version)`` challenger; every filter optional."""
        clauses: list[str] = []
        params: list[object] = []
        if since is not None:
            clauses.append("scored_at >= ?")
            params.append(scored_since(since))
        if kind is not None:
            clauses.append("kind = ?")
            params.append(kind)
        if challenger is not None:
            clauses.append("challenger_model = ? AND challenger_version = ?")
            params.extend(challenger)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._connect() as db:
            rows = db.execute(f"SELECT {', '.join(COLUMNS)} FROM shadow_pair{where} ORDER BY seq", params).fetchall()
        return pd.DataFrame(rows, columns=list(COLUMNS))

    def check(self) -> None:
        """Nothing to do: opening created the file and its table, or raised."""

    def close(self) -> None:
        self._writer.close()
