"""One write transaction for the service's SQLite files (feedback, template store, reload board,
shadow pairs), and the WAL connection the append-only ones open.

Connections are opened in autocommit mode (``isolation_level=None``) so that the transaction is
explicit: ``BEGIN IMMEDIATE`` takes the write lock up front — two workers writing at once wait on
the busy timeout instead of failing halfway — and any exception, including a cancelled request,
rolls back, so a reader never sees half of a write.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Literal


@contextmanager
def immediate_transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` on an autocommit connection; ``ROLLBACK`` on any exception."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


@contextmanager
def wal_connection(path: Path, busy_timeout_s: float, synchronous: Literal["FULL", "NORMAL"]) -> Iterator[sqlite3.Connection]:
    """An autocommit connection to ``path`` in WAL mode (readers never block the writer), closed on exit.

    Raises:
        RuntimeError: SQLite refused WAL (e.g. the file is on a network share).
    """
    with closing(sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None)) as db:
        mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise RuntimeError(f"{path}: SQLite refused WAL mode (got {mode!r}); is it on a network share?")
        db.execute(f"PRAGMA synchronous={synchronous}")
        yield db
