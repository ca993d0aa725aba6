"""The decision log: one row per scored record, written by every worker to one SQLite file.

Live precision needs the decision a label judges (feedback quotes its ``decision_id``) and live
drift needs the scores and watched feature values the served model produced; both must be merged
across workers, so each worker appends to one shared file under the data dir. Rows carry no
text, and the sender or caller only as a keyed HMAC: a plain hash of a phone number is reversed
by hashing every number. A random ``audit_share`` of decisions is flagged for analysts to label
whatever the action: reported feedback is biased toward what people notice, the audit sample is not.

Writes happen off the request path: :meth:`DecisionLog.record` queues rows (bounded; a full
queue drops and counts them) and a thread commits them every ``flush_interval_s`` in one
transaction, pruning the oldest rows past ``max_rows``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import random
import secrets
import sqlite3
import tempfile
import threading
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache

import pandas as pd

from configs.monitor import DECISION_KEY_ENV, DecisionLogConfig, load_monitor_config
from serving.logs import log_event
from serving.metrics import record_decision_log_dropped
from serving.reload import LoadedModel
from serving.schemas import ScoreResult
from serving.scoring import Verdict
from serving.sqlite_tx import immediate_transaction, wal_connection

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
    """The HMAC key: ``$YUNMAO_DECISION_KEY``, else a random key file beside the log, created once
    (atomically: a worker that loses the race reads the winner's) and readable by the owner only."""
    if os.environ.get(DECISION_KEY_ENV):
        return os.environ[DECISION_KEY_ENV].encode("utf-8")
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


class DecisionLog:
    """Bounded, shared SQLite log of decisions; one short-lived connection per operation."""

    def __init__(self, config: DecisionLogConfig, key: bytes) -> None:
        self.config = config
        self.path = config.db_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._key = key
        self._audit = random.Random(secrets.randbits(64))
        self._pending: list[tuple] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        with self._connect() as conn:
            conn.executescript(_SCHEMA)

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        # synchronous NORMAL: a crash may lose the last second of log, never corrupt it
        return wal_connection(self.path, self.config.busy_timeout_s, "NORMAL")

    def subject(self, number: object) -> str | None:
        """Keyed HMAC of a sender or caller number (None stays None)."""
        if number is None:
            return None
        return hmac.new(self._key, str(number).encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    def record(self, model: str, version: str, watched_names: Sequence[str], decisions: Iterable[LoggedDecision]) -> None:
        """Queue ``decisions`` of one model version for the writer; never blocks on the disk (and
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
            record_decision_log_dropped(len(rows) - max(room, 0))

    def flush(self) -> int:
        """Commit every queued row in one transaction and prune past ``max_rows``; returns rows written."""
        with self._lock:
            rows, self._pending = self._pending, []
        if not rows:
            return 0
        versions = sorted({(row[1], row[2], json.dumps(row[-1], ensure_ascii=False)) for row in rows})
        decided = [(*row[:-2], json.dumps([round(v, _WATCHED_DIGITS) for v in row[-2]])) for row in rows]
        with self._connect() as conn, immediate_transaction(conn):
            conn.executemany("INSERT OR IGNORE INTO watched_features (model, version, names) VALUES (?, ?, ?)", versions)
            conn.executemany(f"INSERT INTO decisions ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})", decided)
            conn.execute("DELETE FROM decisions WHERE seq <= (SELECT MAX(seq) FROM decisions) - ?", (self.config.max_rows,))
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
            self._flush_logged()
        self._flush_logged()

    def _flush_logged(self) -> None:
        try:
            self.flush()
        except sqlite3.Error as exc:  # locked or full disk: these rows are lost, the service goes on
            log_event("decision_log_failed", error=type(exc).__name__)

    def known(self, decision_ids: Sequence[str]) -> set[str]:
        """Which of ``decision_ids`` this log holds (committed, or queued in this worker)."""
        with self._lock:
            found = {row[0] for row in self._pending} & set(decision_ids)
        with self._connect() as conn:
            for start in range(0, len(decision_ids), 500):
                chunk = list(decision_ids[start : start + 500])
                query = f"SELECT decision_id FROM decisions WHERE decision_id IN ({', '.join('?' * len(chunk))})"
                found.update(row[0] for row in conn.execute(query, chunk))
        return found

    def read(self, since: datetime, limit: int | None = None) -> pd.DataFrame:
        """Decisions made at or after ``since`` (the newest ``limit`` of them), oldest first, with
        ``watched`` as a list of floats and ``watched_names`` naming them."""
        query = (
            f"SELECT {', '.join('d.' + c for c in COLUMNS)}, w.names FROM decisions d "
            "JOIN watched_features w ON w.model = d.model AND w.version = d.version "
            "WHERE d.decided_at >= ? ORDER BY d.seq DESC" + ("" if limit is None else f" LIMIT {int(limit)}")
        )
        with self._connect() as conn:
            rows = conn.execute(query, (since.astimezone(timezone.utc).isoformat(timespec="milliseconds"),)).fetchall()
        frame = pd.DataFrame(rows[::-1], columns=[*COLUMNS, "watched_names"])
        frame["watched"] = frame["watched"].map(json.loads)
        frame["watched_names"] = frame["watched_names"].map(json.loads)
        return frame


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
