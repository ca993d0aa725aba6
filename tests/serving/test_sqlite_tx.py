"""The WAL file the append-only SQLite stores (feedback, decision log, shadow pairs) share
(serving/sqlite_tx.WalFile): one constructor, the same pragmas, and a locked file failing
the way each store's callers expect."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest

from configs.feedback import FeedbackConfig
from configs.monitor import DecisionLogConfig
from configs.serving import ShadowConfig
from serving.decision_log import SqliteDecisionStore
from serving.feedback_store import SqliteFeedbackStore
from serving.shadow_store import ShadowPair, SqliteShadowStore
from serving.sqlite_tx import WalFile
from serving.store_errors import StoreUnavailable

SCHEMA = "CREATE TABLE IF NOT EXISTS t (x INTEGER);"


@contextmanager
def write_locked(path: Path) -> Iterator[None]:
    """Another writer holding ``path``'s write lock for the duration."""
    with closing(sqlite3.connect(path, isolation_level=None)) as blocker:
        blocker.execute("BEGIN IMMEDIATE")
        yield
        blocker.execute("ROLLBACK")


def test_create_makes_the_folder_and_schema_and_connects_with_the_pragmas(tmp_path: Path) -> None:
    wal = WalFile.create(tmp_path / "new" / "dir" / "s.db", 1.5, "FULL", SCHEMA)
    WalFile.create(wal.path, 1.5, "FULL", SCHEMA)  # a second worker opening the same file
    with wal.connect() as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 1500
        assert db.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 0
        assert db.isolation_level is None


@pytest.mark.parametrize(
    ("make", "synchronous"),
    [
        (lambda p: SqliteFeedbackStore(FeedbackConfig(path=str(p))), 2),
        (lambda p: SqliteDecisionStore(DecisionLogConfig(path=str(p))), 1),
        (lambda p: SqliteShadowStore(ShadowConfig(path=str(p))), 1),
    ],
    ids=["feedback", "decision_log", "shadow"],
)
def test_each_store_keeps_its_durability(tmp_path: Path, make: Callable[[Path], Any], synchronous: int) -> None:
    store = make(tmp_path / "sub" / "store.db")
    with store._connect() as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA synchronous").fetchone()[0] == synchronous


def test_locked_decision_log_raises_store_unavailable_naming_the_file(tmp_path: Path) -> None:
    store = SqliteDecisionStore(DecisionLogConfig(path=str(tmp_path / "decisions.db"), busy_timeout_s=0.05))
    with write_locked(store.path), pytest.raises(StoreUnavailable, match=r"decision log .*decisions\.db: database is locked"):
        store.append([], [])


def test_locked_shadow_store_raises_sqlites_own_error(tmp_path: Path) -> None:
    store = SqliteShadowStore(ShadowConfig(path=str(tmp_path / "shadow.db"), busy_timeout_s=0.05))
    with write_locked(store.path), pytest.raises(sqlite3.OperationalError, match="database is locked"):
        store.append([ShadowPair("sms", "k", "m", "1", 0.1, "allow", "m", "2", 0.9, "block", None, "2026-01-01T00:00:00.000+00:00")])
