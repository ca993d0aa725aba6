"""One write transaction for the service's SQLite files (feedback, template store, reload board,
shadow pairs), and the WAL file the append-only ones (feedback, decision log, shadow pairs) create
and connect to.

Connections are opened in autocommit mode (``isolation_level=None``) so that the transaction is
explicit: ``BEGIN IMMEDIATE`` takes the write lock up front — two workers writing at once wait on
the busy timeout instead of failing halfway — and any exception, including a cancelled request,
rolls back, so a reader never sees half of a write.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from serving.store_errors import StoreUnavailable


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


@dataclass(frozen=True)
class WalFile:
    """An append-only store's SQLite file in WAL mode (readers never block the writer), opened
    with one short-lived connection per operation, so stores stay fork- and thread-safe.

    ``unavailable_as`` names the store for a caller that wants SQLite's errors (locked past the
    timeout, disk full) raised as :class:`StoreUnavailable` "``unavailable_as path: error``";
    without it they propagate as ``sqlite3.Error``.
    """

    path: Path
    busy_timeout_s: float
    synchronous: Literal["FULL", "NORMAL"]
    unavailable_as: str | None = None

    @classmethod
    def create(cls, path: Path, busy_timeout_s: float, synchronous: Literal["FULL", "NORMAL"], schema: str,
               unavailable_as: str | None = None) -> WalFile:
        """Make ``path``'s folder, run ``schema`` (idempotent ``CREATE … IF NOT EXISTS``) in it, and
        return the file to connect to.

        Raises:
            RuntimeError: SQLite refused WAL (e.g. the file is on a network share).
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        wal = cls(path, busy_timeout_s, synchronous, unavailable_as)
        with wal.connect() as db:
            db.executescript(schema)
        return wal

    def open(self) -> sqlite3.Connection:
        """A new autocommit connection in WAL mode with the busy timeout; the caller closes it.

        Raises:
            RuntimeError: SQLite refused WAL (e.g. the file is on a network share).
        """
        db = sqlite3.connect(self.path, timeout=self.busy_timeout_s, isolation_level=None)
        try:
            mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise RuntimeError(f"{self.path}: SQLite refused WAL mode (got {mode!r}); is it on a network share?")
            db.execute(f"PRAGMA synchronous={self.synchronous}")
        except BaseException:
            db.close()
            raise
        return db

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection from :meth:`open`, closed on exit.

        Raises:
            RuntimeError: SQLite refused WAL (e.g. the file is on a network share).
        """
        try:
            with closing(self.open()) as db:
                yield db
        except sqlite3.Error as exc:
            if self.unavailable_as is None:
                raise
            raise StoreUnavailable(f"{self.unavailable_as} {self.path}: {exc}") from exc


class HeldConnection:
    """One connection to a :class:`WalFile`, opened on first use and kept, for a process that
    writes often from one thread (the shadow process, a batch every second or so): a connection
    per write costs an open, the WAL setup, and, when it was the file's last connection, a
    checkpoint and the unlink of the ``-wal`` file, every time. After any error in use it is closed,
    and the next use opens a new one (a file replaced under it, a transient I/O error)."""

    def __init__(self, wal: WalFile) -> None:
        self.wal = wal
        self._db: sqlite3.Connection | None = None

    @contextmanager
    def use(self) -> Iterator[sqlite3.Connection]:
        """The held connection (opened now if there is none); closed if the block raises."""
        if self._db is None:
            self._db = self.wal.open()
        try:
            yield self._db
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Close the connection, if one is open (the next :meth:`use` opens another)."""
        if self._db is not None:
            self._db.close()
            self._db = None
