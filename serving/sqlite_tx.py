"""One write transaction for the service's SQLite files (feedback, template store, reload board).

Connections are opened in autocommit mode (``isolation_level=None``) so that the transaction is
explicit: ``BEGIN IMMEDIATE`` takes the write lock up front — two workers writing at once wait on
the busy timeout instead of failing halfway — and any exception, including a cancelled request,
rolls back, so a reader never sees half of a write.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


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
