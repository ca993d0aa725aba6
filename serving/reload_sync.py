"""A reload that reaches every worker of a ``yunmao serve`` instance, and says when it has.

``POST /v1/admin/reload`` lands on one worker process. That worker reloads, then bumps a
generation counter on a SQLite *reload board* in the instance folder (``serving/instance``);
every worker checks the counter every ``reload.sync_interval_s`` on a daemon thread and reloads
when it moved. Each worker writes its pid, the generation it acted on and the versions it serves
to the board, so the answering worker can wait (at most ``reload.converge_timeout_s``) until all
``workers`` serve what it serves, and answer with every worker's versions and ``converged``.

Outside ``yunmao serve`` (an in-process app, one process) there is no board: the answer lists
this process only and is trivially converged.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from pathlib import Path

from pydantic import BaseModel, Field

from serving.logs import log_event
from serving.reload import ModelSlot
from serving.sqlite_tx import immediate_transaction

BOARD_FILE = "reload.db"


class WorkerState(BaseModel):
    pid: int
    generation: int = Field(..., description="Last reload generation this worker acted on.")
    sms: str | None = Field(..., description="SMS model version this worker serves.", examples=["4"])
    call: str | None = Field(..., description="Call model version this worker serves (null: none).", examples=["2"])


class ReloadBoard:
    """The SQLite file an instance's workers share: generation counter, expected worker count
    and one row per worker. Every call opens its own connection (threads, processes)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def create(cls, folder: Path, workers: int) -> ReloadBoard:
        """Done once by ``yunmao serve`` before the workers start."""
        board = cls(folder / BOARD_FILE)
        with board._transaction() as db:
            db.execute("CREATE TABLE meta (generation INTEGER NOT NULL, workers INTEGER NOT NULL)")
            db.execute("CREATE TABLE worker (pid INTEGER PRIMARY KEY, generation INTEGER, sms TEXT, call TEXT)")
            db.execute("INSERT INTO meta VALUES (0, ?)", (workers,))
        return board

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=10, isolation_level=None)) as db, immediate_transaction(db):
            yield db

    def generation(self) -> int:
        with self._transaction() as db:
            return db.execute("SELECT generation FROM meta").fetchone()[0]

    def bump(self) -> int:
        """Start a new reload generation; returns it."""
        with self._transaction() as db:
            db.execute("UPDATE meta SET generation = generation + 1")
            return db.execute("SELECT generation FROM meta").fetchone()[0]

    def report(self, state: WorkerState) -> None:
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO worker VALUES (?, ?, ?, ?)", (state.pid, state.generation, state.sms, state.call))

    def workers(self) -> tuple[list[WorkerState], int]:
        """(live workers' states, workers expected); rows of dead pids are dropped."""
        with self._transaction() as db:
            expected = db.execute("SELECT workers FROM meta").fetchone()[0]
            rows = db.execute("SELECT pid, generation, sms, call FROM worker ORDER BY pid").fetchall()
            dead = [row[0] for row in rows if not _alive(row[0])]
            db.executemany("DELETE FROM worker WHERE pid = ?", [(pid,) for pid in dead])
        states = [WorkerState(pid=p, generation=g, sms=s, call=c) for p, g, s, c in rows if p not in dead]
        return states, expected


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class WorkerSync:
    """This worker's side of the board: report, follow other workers' reloads, announce its own.

    Create it *before* the first model load (it reads the generation then), call :meth:`start`
    after: a reload announced while this worker was loading is then acted on at the first tick.
    """

    def __init__(self, board: ReloadBoard | None, slots: Mapping[str, ModelSlot], interval_s: float, converge_timeout_s: float) -> None:
        self.board = board
        self.slots = dict(slots)
        self.interval_s = interval_s
        self.converge_timeout_s = converge_timeout_s
        self._seen = board.generation() if board is not None else 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow, name="yunmao-reload-sync", daemon=True)

    def state(self) -> WorkerState:
        return WorkerState(pid=os.getpid(), generation=self._seen, sms=self.slots["sms"].version, call=self.slots["call"].version)

    def start(self) -> None:
        if self.board is not None:
            self.board.report(self.state())
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.interval_s + 5)

    def announce(self) -> tuple[list[WorkerState], bool]:
        """After this worker reloaded: tell the others, wait until all serve the same versions
        (or ``converge_timeout_s`` passes) and return (every worker's state, converged)."""
        if self.board is None:
            return [self.state()], True
        self._seen = self.board.bump()
        mine = self.state()
        self.board.report(mine)
        deadline = time.monotonic() + self.converge_timeout_s
        while True:
            states, expected = self.board.workers()
            converged = len(states) >= expected and all(
                s.generation >= mine.generation and (s.sms, s.call) == (mine.sms, mine.call) for s in states
            )
            if converged or time.monotonic() >= deadline:
                return states, converged
            time.sleep(min(self.interval_s, max(0.0, deadline - time.monotonic())))

    def _follow(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                generation = self.board.generation()  # type: ignore[union-attr] - started only with a board
                if generation > self._seen:
                    self._reload_all()
                    self._seen = generation
                    self.board.report(self.state())  # type: ignore[union-attr]
            except Exception as exc:  # noqa: BLE001 - the follower must survive a locked or failed board
                log_event("reload_sync_failed", error=type(exc).__name__)

    def _reload_all(self) -> None:
        for slot in self.slots.values():
            try:
                slot.reload()
            except Exception as exc:  # noqa: BLE001 - a failed load keeps the live version serving
                log_event("model_reload_failed", uri=slot.uri, error=type(exc).__name__)


def open_worker_sync(instance_dir: Path | None, slots: Mapping[str, ModelSlot], interval_s: float, converge_timeout_s: float) -> WorkerSync:
    """The worker's sync: on the instance's board under ``yunmao serve``, board-less otherwise."""
    board = ReloadBoard(instance_dir / BOARD_FILE) if instance_dir is not None else None
    return WorkerSync(board, slots, interval_s, converge_timeout_s)
