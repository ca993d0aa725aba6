"""The decision log: one row per scored record, written by every worker to one shared store.

Live precision needs the decision a label judges (feedback quotes its ``decision_id``) and live
drift needs the scores and watched feature values the served model produced; both must be merged
across workers, so every worker appends to one store: an SQLite file under the data dir on one
machine (:class:`SqliteDecisionStore`), a Redis stream every replica reaches on a cluster
(``backend: redis``, ``serving/decision_redis``); :func:`open_decision_store` picks. Rows carry no
text, and the sender or caller only as a keyed HMAC: a plain hash of a phone number is reversed
by hashing every number. A random ``audit_share`` of decisions is flagged for analysts to label
whatever the action: reported feedback is biased toward what people notice, the audit sample is not.

Writes happen off the request path: :meth:`DecisionLog.record` queues rows (bounded; a full
queue drops and counts them) and a thread hands them to the store every ``flush_interval_s`` as
one batch; the store keeps the newest ``max_rows``. A store that fails (locked, disk full, Redis
down) loses that batch, logged and counted (``yunmao_decision_log_dropped_total``), and the
service goes on.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import random
import secrets
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from typing import Protocol

import pandas as pd

from configs import ConfigError
from configs.monitor import DECISION_KEY_ENV, DecisionLogConfig, load_monitor_config
from serving.logs import log_event
from serving.metrics import record_decision_log_dropped
from serving.reload import LoadedModel
from serving.schemas import ScoreResult
from serving.scoring import Verdict
from serving.sqlite_tx import WalFile, immediate_transaction
from serving.store_errors import StoreUnavailable

_SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    decision_id TEXT NOT NULL UNIQUE,
    model       TEXT NOT NULL,
    version     TEXT NOT NULL,
    decided_at  TEXT NOT NULL,
    score       REAL,
    action      TEXT NOT NULL,
    category    TEXT,
    audited     INTEGER NOT NULL CHECK (audited IN (0, 1)),
    subject     TEXT,
    watched     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_decided_at ON decisions (decided_at);
CREATE TABLE IF NOT EXISTS watched_features (
    model   TEXT NOT NULL,
    version TEXT NOT NULL,
    names   TEXT NOT NULL,
    PRIMARY KEY (model, version)
);
"""
COLUMNS = ("decision_id", "model", "version", "decided_at", "score", "action", "category", "audited", "subject", "watched")
_WATCHED_DIGITS = 5
DROP_QUEUE_FULL, DROP_STORE_FAILED = "queue_full", "store_failed"


@dataclass(frozen=True)
class LoggedDecision:
    """What one scored record leaves in the log (see the module docstring for what is left out)."""

    decision_id: str
    score: float | None
    action: str
    category: str | None
    subject: str | None
    watched: Sequence[float]


def decision_key(config: DecisionLogConfig) -> bytes:
    """The HMAC key: ``$YUNMAO_DECISION_KEY``, else a random key file beside the SQLite log, created
    once (atomically: a worker that loses the race reads the winner's) and readable by the owner only.

    Raises:
        ConfigError: the redis backend without ``$YUNMAO_DECISION_KEY`` (a key file per host would
            give one number a different HMAC on every replica).
    """
    if os.environ.get(DECISION_KEY_ENV):
        return os.environ[DECISION_KEY_ENV].encode("utf-8")
    if config.backend == "redis":
        raise ConfigError(f"decision_log backend redis needs ${DECISION_KEY_ENV}, the HMAC key every replica shares")
    path = config.key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, draft = tempfile.mkstemp(dir=path.parent, prefix=".key-")
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
    return path.read_bytes()


class DecisionStore(Protocol):
    """Where the decision log's rows are kept: what its writer thread, feedback and the readers
    (live-health gauges, ``yunmao monitor``) need."""

    def append(self, rows: Sequence[tuple], watched: Iterable[tuple[str, str, str]]) -> None:
        """Append ``rows`` (``COLUMNS`` order, ``watched`` as JSON text) in one batch, record each
        ``(model, version, names as JSON)`` of ``watched`` once, and keep only the newest ``max_rows``.

        Raises:
            StoreUnavailable: the rows were not written (but its ``written`` first ones).
        """
        ...

    def known(self, decision_ids: Sequence[str]) -> set[str]:
        """Which of ``decision_ids`` the store holds.

        Raises:
            StoreUnavailable: the store cannot be read.
        """
        ...

    def read(self, since: datetime, limit: int | None = None) -> pd.DataFrame:
        """Rows decided at or after ``since`` (the newest ``limit``), oldest first: ``COLUMNS`` with
        ``watched`` as a list of floats, and ``watched_names``.

        Raises:
            StoreUnavailable: the store cannot be read.
        """
        ...

    def check(self) -> None:
        """Raise :class:`StoreUnavailable` now if the store cannot be reached or would not keep
        what it is given (a command's start; a worker only finds out when it writes)."""
        ...


def decided_since(since: datetime) -> str:
    """``since`` as ``decided_at`` text (UTC ISO, milliseconds: text order is time order)."""
    return since.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def decision_frame(rows: Sequence[Sequence[object]]) -> pd.DataFrame:
    """Stored rows (``COLUMNS`` + names, watched and names as JSON text), oldest first, decoded."""
    frame = pd.DataFrame(list(rows), columns=[*COLUMNS, "watched_names"])
    frame["watched"] = frame["watched"].map(json.loads)
    frame["watched_names"] = frame["watched_names"].map(json.loads)
    return frame


class SqliteDecisionStore:
    """Bounded, shared SQLite table of decisions; one short-lived connection per operation."""

    def __init__(self, config: DecisionLogConfig) -> None:
        self.config = config
        # synchronous NORMAL: a crash may lose the last second of log, never corrupt it
        wal = WalFile.create(config.db_path(), config.busy_timeout_s, "NORMAL", _SCHEMA, unavailable_as="decision log")
        self.path = wal.path
        self._connect = wal.connect

    def append(self, rows: Sequence[tuple], watched: Iterable[tuple[str, str, str]]) -> None:
        with self._connect() as conn, immediate_transaction(conn):
            conn.executemany("INSERT OR IGNORE INTO watched_features (model, version, names) VALUES (?, ?, ?)", watched)
            conn.executemany(f"INSERT INTO decisions ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})", rows)
            conn.execute("DELETE FROM decisions WHERE seq <= (SELECT MAX(seq) FROM decisions) - ?", (self.config.max_rows,))

    def known(self, decision_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        with self._connect() as conn:
            for start in range(0, len(decision_ids), 500):
                chunk = list(decision_ids[start : start + 500])
                query = f"SELECT decision_id FROM decisions WHERE decision_id IN ({', '.join('?' * len(chunk))})"
                found.update(row[0] for row in conn.execute(query, chunk))
        return found

    def read(self, since: datetime, limit: int | None = None) -> pd.DataFrame:
        query = (
            f"SELECT {', '.join('d.' + c for c in COLUMNS)}, w.names FROM decisions d "
            "JOIN watched_features w ON w.model = d.model AND w.version = d.version "
            "WHERE d.decided_at >= ? ORDER BY d.seq DESC" + ("" if limit is None else f" LIMIT {int(limit)}")
        )
        with self._connect() as conn:
            rows = conn.execute(query, (decided_since(since),)).fetchall()
        return decision_frame(rows[::-1])

    def check(self) -> None:
        """Nothing to do: opening created the file and its tables, or raised."""


def open_decision_store(config: DecisionLogConfig) -> DecisionStore:
    """The store ``config.backend`` names: the SQLite file of ``config.db_path()`` or the Redis stream."""
    if config.backend == "sqlite":
        return SqliteDecisionStore(config)
    from serving.decision_redis import RedisDecisionStore  # here: that module imports this one

    return RedisDecisionStore(config)


class DecisionLog:
    """The decisions a worker made, queued off the request path and written in batches to ``store``
    (by default the one ``config`` names)."""

    def __init__(self, config: DecisionLogConfig, key: bytes, store: DecisionStore | None = None) -> None:
        self.config = config
        self.store = store if store is not None else open_decision_store(config)
        self._key = key
        self._audit = random.Random(secrets.randbits(64))
        self._pending: list[tuple] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def subject(self, number: object) -> str | None:
        """Keyed HMAC of a sender or caller number (None stays None)."""
        if number is None:
            return None
        return hmac.new(self._key, str(number).encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    def record(self, model: str, version: str, watched_names: Sequence[str], decisions: Iterable[LoggedDecision]) -> None:
        """Queue ``decisions`` of one model version for the writer; never blocks on the store (and
        leaves encoding to the writer: this runs on the request path)."""
        now = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        names = tuple(watched_names)
        rows = [
            (
                d.decision_id, model, version, now, d.score, d.action, d.category,
                int(self._audit.random() < self.config.audit_share), d.subject, d.watched, names,
            )
            for d in decisions
        ]
        with self._lock:
            room = self.config.queue_max - len(self._pending)
            self._pending.extend(rows[: max(room, 0)])
        if len(rows) > room:
            record_decision_log_dropped(len(rows) - max(room, 0), DROP_QUEUE_FULL)

    def flush(self) -> int:
        """Hand every queued row to the store as one batch; returns rows written. What a failing
        store did not write is lost: logged and counted, never raised (the service goes on)."""
        with self._lock:
            rows, self._pending = self._pending, []
        if not rows:
            return 0
        watched = sorted({(row[1], row[2], json.dumps(row[-1], ensure_ascii=False)) for row in rows})
        decided = [(*row[:-2], json.dumps([round(v, _WATCHED_DIGITS) for v in row[-2]])) for row in rows]
        try:
            self.store.append(decided, watched)
        except StoreUnavailable as exc:
            log_event("decision_log_failed", error=type(exc.__cause__ or exc).__name__, problem=str(exc))
            record_decision_log_dropped(len(rows) - exc.written, DROP_STORE_FAILED)
            return exc.written
        return len(rows)

    def start(self) -> None:
        """Flush every ``flush_interval_s`` on a daemon thread until :meth:`stop`."""
        self._thread = threading.Thread(target=self._run, name="decision-log", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the writer after one last flush of what is queued."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.config.flush_interval_s):
            self.flush()
        self.flush()

    def known(self, decision_ids: Sequence[str]) -> set[str]:
        """Which of ``decision_ids`` this log holds (committed, or queued in this worker).

        Raises:
            StoreUnavailable: the store cannot be read.
        """
        with self._lock:
            found = {row[0] for row in self._pending} & set(decision_ids)
        return found | self.store.known(decision_ids)

    def read(self, since: datetime, limit: int | None = None) -> pd.DataFrame:
        """Decisions made at or after ``since`` (the newest ``limit`` of them), oldest first, with
        ``watched`` as a list of floats and ``watched_names`` naming them."""
        return self.store.read(since, limit)


def open_decision_log(config: DecisionLogConfig) -> DecisionLog | None:
    """The decision log ``config`` describes, or None when it is disabled."""
    return DecisionLog(config, decision_key(config)) if config.enabled else None


@cache
def worker_decision_log() -> DecisionLog | None:
    """This process's decision log from the shipped monitor config (one per worker)."""
    return open_decision_log(load_monitor_config().decision_log)



def log_scored(
    log: DecisionLog | None, loaded: LoadedModel, results: Sequence[ScoreResult], verdicts: Sequence[Verdict],
    subjects: Sequence[object],
) -> None:
    """Queue one response's decisions (``subjects``: each record's sender or caller); no-op without a log."""
    if log is None:
        return
    log.record(loaded.name, loaded.version, loaded.model.watched_features, [
        LoggedDecision(result.decision_id, result.score, result.action, result.category, log.subject(subject),
                       verdict.watched)
        for result, verdict, subject in zip(results, verdicts, subjects, strict=True)
    ])
